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
              "project_id": server.project_id, "created_at": now, "updated_at": now}
    records.append(record)
    return record


def set_migration(record: dict[str, Any], status: str, dest: str | None = None) -> None:
    """Move a migration on (``dest`` once the scheduler chose one)."""
    record["status"] = status
    if dest is not None:
        record["dest_compute"] = record["dest_node"] = dest
    record["updated_at"] = usage_time(time.time())


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
    found = [dict(r) for r in reversed(records)
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
