"""Cinder's services (admin): ``GET /v3/os-services`` as the rig's Cinder answers it, a
scheduler and a volume backend (host ``HOST@BACKEND``), each up while it reports. A test (or
the demo) stops one reporting by setting its record's ``down``: Cinder then says "down", as
it does once a service misses its report interval."""

from __future__ import annotations

import time
from typing import Any

from tuicloud.simcloud.cinder import cinder_time
from tuicloud.simcloud.cinder_api import Version, VersionedHandler, svc_of
from tuicloud.simcloud.core import ApiError, Request, Response, SimCloud

__all__ = ["routes", "service_records"]

VOLUME_HOST = "simcloud-volume"
STALE_AFTER = 120  # seconds without a report before Cinder calls a service down


def routes() -> list[tuple[str, str, VersionedHandler]]:
    """(method, path under /v3, handler)."""
    return [("GET", "/os-services", list_services)]


def service_records(cloud: SimCloud) -> list[dict[str, Any]]:
    """The services' records (created on first use): binary, host, zone, status, reason,
    and ``down`` (stopped reporting)."""
    svc = svc_of(cloud)
    records: list[dict[str, Any]] = svc.__dict__.setdefault("services", [])
    if not records:
        for binary, host in (("cinder-scheduler", VOLUME_HOST),
                             ("cinder-volume", f"{VOLUME_HOST}@lvm")):
            records.append({"binary": binary, "host": host, "zone": "nova",
                            "status": "enabled", "disabled_reason": None, "down": False})
    return records


def _doc(record: dict[str, Any], version: Version) -> dict[str, Any]:
    now = time.time()
    seen = now - (STALE_AFTER * 3 if record["down"] else 5)
    doc: dict[str, Any] = {"binary": record["binary"], "host": record["host"],
                           "zone": record["zone"], "status": record["status"],
                           "state": "down" if record["down"] else "up",
                           "updated_at": cinder_time(seen)}
    volume = record["binary"] == "cinder-volume"
    if volume and version >= (3, 49):
        doc["backend_state"] = "down" if record["down"] else "up"
    if version >= (3, 7):
        doc["cluster"] = None
    doc["disabled_reason"] = record["disabled_reason"]
    if volume:  # replication fields only for volume backends, as the rig shows
        doc.update({"replication_status": "disabled", "active_backend_id": None,
                    "frozen": False})
    return doc


def list_services(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/os-services (admin): filtered by host and binary; other parameters ignored,
    as the rig ignores them (no paging: ``limit`` changes nothing)."""
    if not request.authed.is_admin:
        raise ApiError(403, "Policy doesn't allow volume_extension:services:index to be "
                            "performed.")
    host, binary = request.arg("host"), request.arg("binary")
    with cloud.lock:
        docs = [_doc(r, version) for r in service_records(cloud)
                if (host is None or r["host"] == host)
                and (binary is None or r["binary"] == binary)]
    return Response(200, {"services": docs})
