"""Nova's ``/os-simple-tenant-usage``: hours of vCPU, RAM and disk used by a project's servers
in a period, as the rig answers (a member sees its own project; the all-project list is
admin-only). simcloud forgets deleted servers, so only live ones count."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from tuicloud.simcloud.core import ApiError, Response, Router
from tuicloud.simcloud.nova_model import Ctx, Server, api, forbidden
from tuicloud.simcloud.nova_views import usage_time


def register(router: Router, service: str) -> None:
    """The two usage routes."""
    base = "/compute/v2.1/os-simple-tenant-usage"
    router.add("GET", base, api(list_usage), service=service)
    router.add("GET", base + "/{project_id}", api(show_usage), service=service)


def _when(ctx: Ctx, name: str, default: float) -> float:
    text = ctx.req.arg(name)
    if text is None:
        return default
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"):
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=dt.timezone.utc).timestamp()
    raise ApiError(400, "Invalid datetime string: Datetime is in invalid format")


def _period(ctx: Ctx) -> tuple[float, float]:
    now = time.time()
    start, stop = _when(ctx, "start", now), _when(ctx, "end", now)
    if start > stop:
        raise ApiError(400, "Invalid start time. The start time cannot occur after the end "
                            "time.")
    return start, min(stop, now)


def _server_usage(ctx: Ctx, server: Server, start: float, stop: float) -> dict[str, Any] | None:
    began = server.launched_at or server.created
    if began > stop:
        return None
    hours = max(0.0, stop - max(began, start)) / 3600
    flavor = ctx.svc.flavor_record(server.flavor_id)
    return {"hours": hours, "flavor": flavor["name"], "instance_id": server.id,
            "name": server.name, "tenant_id": server.project_id, "memory_mb": flavor["ram"],
            "local_gb": flavor["disk"], "vcpus": flavor["vcpus"],
            "started_at": usage_time(began), "ended_at": None,
            "state": server.vm_state, "uptime": int(time.time() - began)}


def _project_usage(ctx: Ctx, project_id: str, start: float, stop: float,
                   detailed: bool) -> dict[str, Any]:
    rows = [row for server in ctx.svc.servers.values() if server.project_id == project_id
            and not server.deleted
            for row in [_server_usage(ctx, server, start, stop)] if row is not None]
    if not rows:
        return {}
    usage: dict[str, Any] = {
        "tenant_id": project_id,
        "total_local_gb_usage": sum(r["local_gb"] * r["hours"] for r in rows),
        "total_vcpus_usage": sum(r["vcpus"] * r["hours"] for r in rows),
        "total_memory_mb_usage": sum(r["memory_mb"] * r["hours"] for r in rows),
        "total_hours": sum(r["hours"] for r in rows),
        "start": usage_time(start), "stop": usage_time(stop)}
    if detailed:
        usage["server_usages"] = rows
    return usage


def show_usage(ctx: Ctx) -> Response:
    """GET /os-simple-tenant-usage/{project}: the project's own members or an admin."""
    project_id = ctx.param("project_id")
    if project_id != ctx.project_id and not ctx.is_admin:
        raise forbidden("os_compute_api:os-simple-tenant-usage:show")
    start, stop = _period(ctx)
    return Response(200, {"tenant_usage": _project_usage(ctx, project_id, start, stop, True)})


def list_usage(ctx: Ctx) -> Response:
    """GET /os-simple-tenant-usage (admin): one summary per project with servers."""
    if not ctx.is_admin:
        raise forbidden("os_compute_api:os-simple-tenant-usage:list")
    start, stop = _period(ctx)
    detailed = (ctx.req.arg("detailed") or "0") not in ("0", "false", "False", "")
    projects = sorted({s.project_id for s in ctx.svc.servers.values()})
    usages = [u for p in projects for u in [_project_usage(ctx, p, start, stop, detailed)] if u]
    return Response(200, {"tenant_usages": usages})
