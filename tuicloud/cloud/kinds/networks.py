"""Networks (Neutron): listed in full (Neutron has no changes-since)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    format_age,
    join_nonempty,
    parse_time,
    short_id,
    text,
    time_field,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["NETWORKS"]


def _subnets(raw: Raw, lookups: Lookups) -> str:
    return ", ".join(lookups.name("subnets", s) for s in raw.get("subnets") or [])


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A network's display row."""
    created = raw.get("created_at")
    return {
        "id": text(raw.get("id")),
        "name": text(raw.get("name")) or short_id(raw.get("id")),
        "status": text(raw.get("status")),
        "subnets": _subnets(raw, lookups),
        "shared": yes_no(raw.get("shared")),
        "external": yes_no(raw.get("router:external")),
        "mtu": raw.get("mtu") if isinstance(raw.get("mtu"), int) else None,
        "age": format_age(created),
        "created_ts": parse_time(created),
        "project": lookups.project_name(raw.get("project_id") or raw.get("tenant_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """Colour class for a network status cell."""
    status = str(value or "")
    if status == "ACTIVE":
        return "ok"
    if status == "BUILD":
        return "busy"
    if status == "ERROR":
        return "error"
    if status == "DOWN":
        return "warn"
    return None


def in_project(raw: Raw, project_id: str) -> bool:
    """What a member of the project sees: its own, shared and external networks."""
    owner = raw.get("project_id") or raw.get("tenant_id")
    return owner == project_id or bool(raw.get("shared")) or bool(raw.get("router:external"))


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Grouped fields for a network's detail view."""
    return [
        ("Network", [(k, v) for k, v in [
            ("Name", text(raw.get("name"))),
            ("ID", text(raw.get("id"))),
            ("Status", text(raw.get("status"))),
            ("Admin state", "up" if raw.get("admin_state_up") else "down"),
            ("Shared", yes_no(raw.get("shared"))),
            ("External", yes_no(raw.get("router:external"))),
            ("MTU", text(raw.get("mtu"))),
            ("Type", join_nonempty([raw.get("provider:network_type"),
                                    raw.get("provider:segmentation_id")], " ")),
            ("Port security", yes_no(raw.get("port_security_enabled"))),
            ("Availability zones", ", ".join(raw.get("availability_zones") or [])),
            ("Project", lookups.project_name(raw.get("project_id"))),
            ("Description", text(raw.get("description"))),
            ("Created", time_field(raw.get("created_at"))),
            ("Updated", time_field(raw.get("updated_at"))),
        ] if v]),
        ("Subnets", [(lookups.name("subnets", s), text(s)) for s in raw.get("subnets") or []]),
    ]


NETWORKS = ResourceKind(
    name="networks",
    title="Networks",
    aliases=("net", "n", "network"),
    service_type="network",
    list_path="/networks",
    list_key="networks",
    show_path="/networks/{id}",
    show_key="network",
    columns=(
        Column("name", "Name", 20, 0),
        Column("status", "Status", 8, 0),
        Column("subnets", "Subnets", 30, 1),
        Column("shared", "Shared", 6, 2),
        Column("external", "External", 8, 3),
        Column("mtu", "MTU", 5, 5, numeric=True),
        Column("age", "Age", 5, 4, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    page_size=None,
    in_project=in_project,
    lookups=frozenset({"subnets", "projects"}),
    create_form="create_network",
)
