"""Migrations (Nova, admin only): every cold and live migration and resize, newest first, with
its server by name, where it goes and how it ended; the ones in progress stand out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
    Jump,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    format_age,
    parse_time,
    text,
    time_field,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["IN_PROGRESS", "MIGRATIONS"]

IN_PROGRESS = frozenset({"queued", "preparing", "pre-migrating", "migrating", "running",
                         "post-migrating", "accepted", "finished"})
"""Nova's migration statuses before the end ("finished" waits for a confirm or revert)."""


def _route(raw: Raw) -> str:
    source = text(raw.get("source_compute")) or "?"
    dest = text(raw.get("dest_compute")) or "(not chosen)"
    return f"{source} → {dest}"


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A migration's row, as `openstack server migration list`."""
    updated = raw.get("updated_at") or raw.get("created_at")
    return {
        "name": lookups.server_name(raw.get("instance_uuid")),
        "type": text(raw.get("migration_type")),
        "status": text(raw.get("status")),
        "route": _route(raw),
        "age": format_age(updated),
        "updated_ts": parse_time(updated),
        "project": lookups.project_name(raw.get("project_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """In progress is busy; error and failed are faults; done is fine; reverted is quiet."""
    value = str(value or "")
    if value in IN_PROGRESS:
        return "warn" if value == "finished" else "busy"
    if value in ("error", "failed"):
        return "error"
    if value in ("completed", "confirmed", "done"):
        return "ok"
    return "muted" if value else None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Everything Nova keeps about the migration."""
    return [("Migration", [(k, v) for k, v in [
        ("Server", f"{lookups.server_name(raw.get('instance_uuid'))} "
                   f"({text(raw.get('instance_uuid'))})"),
        ("Type", text(raw.get("migration_type"))),
        ("Status", text(raw.get("status"))),
        ("From", text(raw.get("source_compute"))),
        ("To", text(raw.get("dest_compute")) or "(not chosen)"),
        ("ID", f"{text(raw.get('id'))} {text(raw.get('uuid'))}".strip()),
        ("Project", lookups.project_name(raw.get("project_id"))),
        ("Started", time_field(raw.get("created_at"))),
        ("Updated", time_field(raw.get("updated_at"))),
    ] if v])]


def jumps(raw: Raw, lookups: Lookups) -> list[Jump]:
    """The server that moved."""
    server = text(raw.get("instance_uuid"))
    return [Jump("servers", server, f"server {lookups.server_name(server)}")] if server else []


MIGRATIONS = ResourceKind(
    name="migrations",
    title="Migrations",
    aliases=("migration", "mig"),
    service_type="compute",
    list_path="/os-migrations",
    list_key="migrations",
    show_path="/os-migrations",
    show_key="migrations",
    show_from_list=True,
    id_key="uuid",
    columns=(
        Column("name", "Server", 18, 0),
        Column("type", "Type", 14, 1),
        Column("status", "Status", 10, 0),
        Column("route", "From → to", 30, 0),
        Column("age", "Updated", 7, 2, sort_key="-updated_ts", age_of="updated_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 3),
    to_row=to_row,
    detail_sections=detail_sections,
    jumps=jumps,
    status_class=status_class,
    page_size=None,
    paged=False,
    default_sort=None,
    admin_only=True,
    name_key=None,
    lookups=frozenset({"servers", "projects"}),
)
