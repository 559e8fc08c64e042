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
