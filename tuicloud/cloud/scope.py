"""What a session may switch to: the projects the user can scope to, the catalog's regions."""

from __future__ import annotations

from typing import Any

from tuicloud.cloud.connection import CloudSession

__all__ = ["available_projects", "available_regions"]


def available_projects(session: CloudSession) -> list[str]:
    """Names of the enabled projects the user may scope a token to (Keystone
    ``GET /v3/auth/projects``), sorted (blocking)."""
    body, _ = session.get_json("identity", "/auth/projects")
    projects = body.get("projects") if isinstance(body, dict) else None
    names = {str(p["name"]) for p in projects or []
             if isinstance(p, dict) and p.get("name") and p.get("enabled", True) is not False}
    return sorted(names)


def available_regions(session: CloudSession) -> list[str]:
    """Regions that have endpoints in the token's catalog, sorted (blocking)."""
    auth: Any = session.conn.session.auth
    catalog = auth.get_access(session.conn.session).service_catalog.catalog or []
    regions = {str(ep.get("region_id") or ep.get("region"))
               for entry in catalog for ep in entry.get("endpoints", [])
               if ep.get("region_id") or ep.get("region")}
    return sorted(regions)
