"""Nova's compute hosts as an operator changes them: each host's nova-compute service can be
disabled (with a reason) or forced down, as ``PUT /os-services/{id}`` does from compute 2.53,
with the rig's answers (400 for other binaries, for a reason with "enabled", for no change).
Hypervisors (``nova_misc``) and placement (``placement``) read the same records."""

from __future__ import annotations

import time
from typing import Any

from tuicloud.simcloud.core import ApiError, Response
from tuicloud.simcloud.nova_model import HOST_ZONE, Ctx, Server, require_admin
from tuicloud.simcloud.nova_views import usage_time

__all__ = ["compute_service", "hypervisor_id", "servers_on", "service_docs", "update_service"]

_CONTROL = (("nova-conductor", "controller", "internal"),
            ("nova-scheduler", "controller", "internal"))


def hypervisor_id(index: int) -> str:
    """The host's compute node uuid: its hypervisor id and its placement provider's uuid."""
    return f"5c1b2a3d-0000-4000-8000-{index + 1:012d}"


def _service_id(index: int) -> str:
    return f"7d5c0f5e-0000-4000-8000-{index + 1:012d}"


def _rows() -> list[tuple[str, str, str]]:
    return [*_CONTROL, *(("nova-compute", host, zone) for host, zone in HOST_ZONE.items())]


def compute_service(svc: Any, host: str) -> dict[str, Any]:
    """The host's nova-compute record: id, status, disabled_reason, forced_down, updated."""
    records: dict[str, dict[str, Any]] = svc.__dict__.setdefault("compute_services", {})
    if host not in records:
        index = [h for _, h, _ in _rows()].index(host, len(_CONTROL))
        records[host] = {"id": _service_id(index), "status": "enabled",
                         "disabled_reason": None, "forced_down": False, "updated": None}
    return records[host]


def servers_on(svc: Any, host: str) -> list[Server]:
    """The live servers placed on ``host``."""
    return [s for s in svc.servers.values() if s.host == host and s.vm_state != "deleted"]


def service_docs(ctx: Ctx) -> list[dict[str, Any]]:
    """Every service, as ``GET /os-services`` lists them (ids are uuids from 2.53)."""
    heartbeat = usage_time(time.time() - 5)
    docs = []
    for index, (binary, host, zone) in enumerate(_rows()):
        record = compute_service(ctx.svc, host) if binary == "nova-compute" else None
        forced = bool(record and record["forced_down"])
        docs.append({
            "id": _service_id(index) if ctx.at_least(53) else index + 1,
            "binary": binary, "host": host, "zone": zone,
            "status": record["status"] if record else "enabled",
            "state": "down" if forced else "up",
            "updated_at": (record or {}).get("updated") or heartbeat,
            "disabled_reason": record["disabled_reason"] if record else None,
            "forced_down": forced})
    return docs


def update_service(ctx: Ctx) -> Response:
    """PUT /os-services/{service_id} (admin, 2.53+): status with a reason, or forced_down."""
    require_admin(ctx, "os_compute_api:os-services:update")
    if not ctx.at_least(53):
        raise ApiError(404, "The resource could not be found.")
    wanted = ctx.param("service_id")
    found = next((doc for doc in service_docs(ctx) if doc["id"] == wanted), None)
    if found is None:
        raise ApiError(404, f"Service {wanted} could not be found.")
    if found["binary"] != "nova-compute":
        raise ApiError(400, f"Updating a {found['binary']} service is not supported. Only "
                            "nova-compute services can be updated.")
    body = ctx.req.json()
    if not isinstance(body, dict) or not ({"status", "forced_down"} & set(body)):
        raise ApiError(400, "No updates were requested. Fields 'status' or 'forced_down' "
                            "should be specified.")
    status = body.get("status")
    if status is not None and status not in ("enabled", "disabled"):
        raise ApiError(400, f"Invalid input for field/attribute status. Value: {status}. "
                            f"'{status}' is not one of ['enabled', 'disabled']")
    reason = body.get("disabled_reason")
    if reason is not None and status != "disabled":
        raise ApiError(400, f"Specifying 'disabled_reason' with status '{status}' is invalid.")
    forced = body.get("forced_down")
    if forced is not None and not isinstance(forced, bool):
        raise ApiError(400, "Invalid input for field/attribute forced_down.")
    with ctx.cloud.lock:
        record = compute_service(ctx.svc, found["host"])
        if status is not None:
            record["status"] = status
            record["disabled_reason"] = str(reason) if status == "disabled" and reason else None
        if forced is not None:
            record["forced_down"] = forced
        record["updated"] = usage_time(time.time())
    doc = next(d for d in service_docs(ctx) if d["id"] == wanted)
    return Response(200, {"service": doc})


# -- migrations ---------------------------------------------------------------------------------
def usable_host(svc: Any, host: str) -> bool:
    """The scheduler places servers only on an enabled host whose service is up."""
    record = compute_service(svc, host)
    return record["status"] == "enabled" and not record["forced_down"]


def target_host(svc: Any, server: Server, wanted: Any) -> str | None:
    """The host a migration goes to: ``wanted`` (400 when Nova knows no such host), else the
    scheduler's choice in the server's zone; None when no host can take it (the migration
    then fails after the 202, as NoValidHost does)."""
    if wanted is not None:
        if wanted not in HOST_ZONE:
            raise ApiError(400, f"Compute host {wanted} could not be found.")
        return str(wanted) if wanted != server.host and usable_host(svc, str(wanted)) else None
    zone = HOST_ZONE.get(server.host or "", server.az)
    return next((h for h, z in HOST_ZONE.items() if z == zone and h != server.host
                 and usable_host(svc, h)), None)


def record_migration(svc: Any, server: Server, kind: str, source: str | None,
                     dest: str | None, status: str) -> dict[str, Any]:
    """A new row of ``GET /os-migrations`` (newest first there)."""
    import uuid

    records: list[dict[str, Any]] = svc.__dict__.setdefault("migrations", [])
    now = usage_time(time.time())
    flavor = svc.flavors.get(server.flavor_id) or {}
    record = {"id": len(records) + 1, "uuid": str(uuid.uuid4()), "source_compute": source,
              "dest_compute": dest, "source_node": source, "dest_node": dest,
              "dest_host": None, "old_instance_type_id": flavor.get("id"),
              "new_instance_type_id": flavor.get("id"), "instance_uuid": server.id,
              "status": status, "migration_type": kind, "user_id": server.user_id,
              "project_id": server.project_id, "created_at": now, "updated_at": now,
              # Private (never listed): when it ran, for the in-progress view and for tests
              # that check how many ran at once.
              "_started": time.monotonic(), "_ended": None, "_running": None, "_ends": None,
              "_memory": int(flavor.get("ram") or 512) * 1024 * 1024}
    records.append(record)
    return record


_DONE = ("completed", "finished", "confirmed", "reverted", "error", "failed", "cancelled",
         "done")
IN_PROGRESS = ("queued", "preparing", "running", "post-migrating")
"""A live migration's statuses while it runs (what ``GET /servers/{id}/migrations`` lists)."""


def set_migration(record: dict[str, Any], status: str, dest: str | None = None) -> None:
    """Move a migration on (``dest`` once the scheduler chose one)."""
    record["status"] = status
    if dest is not None:
        record["dest_compute"] = record["dest_node"] = dest
    record["updated_at"] = usage_time(time.time())
    if status in _DONE and record.get("_ended") is None:
        record["_ended"] = time.monotonic()


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A migration record as the API shows it (without the private keys)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


NO_VALID_HOST = "No valid host was found. There are not enough hosts available."


def start_live_migration(ctx: Ctx, server: Server, dest: str | None, fails: bool) -> None:
    """A live migration as Nova runs it: ``accepted``, then ``preparing`` once the scheduler
    chose the destination (``error`` when none: NoValidHost), ``running`` while the memory is
    copied (its progress in ``GET /servers/{id}/migrations``), then ``completed`` and the
    server on its new host, or ``failed`` and the server rolled back, ACTIVE where it was.
    The instance action's event carries why (``details`` from compute 2.84)."""
    svc = ctx.svc
    total = max(svc.cloud.config.live_migration_seconds(), 0.01)
    record = record_migration(svc, server, "live-migration", server.host, None, "accepted")
    server.task_state = "migrating"
    server.gen += 1
    gen = server.gen
    entry = svc.record_action(server, "live-migration", ctx)
    svc.touch(server)

    def current() -> bool:
        return server.gen == gen and not server.deleted

    def fail(status: str, details: str) -> None:
        set_migration(record, status)
        entry["details"] = details
        server.task_state = None
        svc.finish_action(entry, failed=True)
        svc.touch(server)

    def preparing() -> None:
        if not current():
            return
        if dest is None:
            entry["event"] = "conductor_live_migrate_instance"
            fail("error", NO_VALID_HOST)
            return
        set_migration(record, "preparing", dest)

    def running() -> None:
        if current() and record["status"] == "preparing":
            set_migration(record, "running")
            record["_running"] = time.monotonic()
            record["_ends"] = time.monotonic() + 0.7 * total

    def finish() -> None:
        if not current() or record["status"] != "running":
            return
        if fails:
            fail("failed", f"Migration error: live migration of instance {server.id} to "
                           f"{dest} failed: the memory copy did not converge (simcloud fault "
                           "injection)")
            return
        server.host = dest
        set_migration(record, "completed")
        server.task_state = None
        svc.finish_action(entry)
        svc.touch(server)

    scheduler = svc.cloud.scheduler
    scheduler.call_later(0.1 * total, preparing)
    scheduler.call_later(0.3 * total, running)
    scheduler.call_later(total, finish)


def last_migration(svc: Any, server: Server, status: str) -> dict[str, Any] | None:
    """The server's newest migration in ``status`` (a resize waiting to be confirmed)."""
    records: list[dict[str, Any]] = svc.__dict__.get("migrations", [])
    return next((r for r in reversed(records)
                 if r["instance_uuid"] == server.id and r["status"] == status), None)


def list_migrations(ctx: Ctx) -> Response:
    """GET /os-migrations (admin): newest first, filtered as Nova filters them."""
    require_admin(ctx, "os_compute_api:os-migrations:index")
    records: list[dict[str, Any]] = ctx.svc.__dict__.get("migrations", [])
    filters = {key: ctx.req.arg(key) for key in ("instance_uuid", "migration_type", "status",
                                                  "source_compute")}
    found = [public(r) for r in reversed(records)
             if all(value is None or r.get(key) == value for key, value in filters.items())]
    limit = ctx.req.arg("limit")
    if limit is not None and ctx.at_least(59):
        marker = ctx.req.arg("marker")
        if marker is not None:
            index = next((i for i, r in enumerate(found) if r["uuid"] == marker), None)
            if index is None:
                raise ApiError(400, f"Marker {marker} could not be found.")
            found = found[index + 1:]
        found = found[:int(limit)]
    if not ctx.at_least(59):
        for record in found:
            record.pop("uuid", None)
    if not ctx.at_least(80):
        for record in found:
            record.pop("user_id", None)
            record.pop("project_id", None)
    return Response(200, {"migrations": found})


def server_migrations(ctx: Ctx) -> Response:
    """GET /servers/{id}/migrations (admin, 2.23+): the server's live migrations in progress,
    with how much of its memory (and disk) is copied."""
    require_admin(ctx, "os_compute_api:servers:migrations:index")
    if not ctx.at_least(23):
        raise ApiError(404, "The resource could not be found.")
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    records: list[dict[str, Any]] = ctx.svc.__dict__.get("migrations", [])
    now = time.monotonic()
    found = []
    for record in reversed(records):
        if (record["instance_uuid"] != server.id or record["migration_type"] != "live-migration"
                or record["status"] not in IN_PROGRESS):
            continue
        memory = int(record["_memory"])
        share = 0.0
        if record["_running"] is not None and record["_ends"] is not None:
            span = max(record["_ends"] - record["_running"], 1e-6)
            share = min(1.0, max(0.0, (now - record["_running"]) / span))
        copied = int(memory * share)
        doc = {"id": record["id"], "server_uuid": server.id, "status": record["status"],
               "source_compute": record["source_compute"], "source_node": record["source_node"],
               "dest_compute": record["dest_compute"], "dest_node": record["dest_node"],
               "dest_host": record["dest_host"], "created_at": record["created_at"],
               "updated_at": record["updated_at"], "memory_total_bytes": memory,
               "memory_processed_bytes": copied, "memory_remaining_bytes": memory - copied,
               "disk_total_bytes": 0, "disk_processed_bytes": 0, "disk_remaining_bytes": 0}
        if ctx.at_least(59):
            doc["uuid"] = record["uuid"]
        if ctx.at_least(80):
            doc["user_id"], doc["project_id"] = record["user_id"], record["project_id"]
        found.append(doc)
    return Response(200, {"migrations": found})
