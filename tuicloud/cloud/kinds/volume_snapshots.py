"""Volume snapshots (Cinder): listed in full (a project holds few), deleted from the list."""

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
    pairs,
    parse_time,
    text,
    time_field,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["VOLUME_SNAPSHOTS"]

_PROJECT_KEY = "os-extended-snapshot-attributes:project_id"
_BUSY = {"creating", "deleting", "restoring", "unmanaging", "backing-up"}


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A snapshot's display row: its volume by name, as `openstack volume snapshot list`."""
    return {
        "name": text(raw.get("name")),
        "status": text(raw.get("status")),
        "size": raw.get("size"),
        "volume": lookups.name("volumes", raw.get("volume_id")),
        "progress": text(raw.get("os-extended-snapshot-attributes:progress")),
        "age": format_age(raw.get("created_at")),
        "created_ts": parse_time(raw.get("created_at")),
        "project": lookups.project_name(raw.get(_PROJECT_KEY)),
    }


def status_class(value: object) -> StatusClass | None:
    """Colour class for a snapshot status cell."""
    status = str(value or "")
    if status == "available":
        return "ok"
    if status.startswith("error"):
        return "error"
    if status in _BUSY:
        return "busy"
    return None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Grouped fields for a snapshot's detail view."""
    volume_id = raw.get("volume_id")
    fields = [
        ("Name", text(raw.get("name"))),
        ("ID", text(raw.get("id"))),
        ("Status", text(raw.get("status"))),
        ("Size", f"{raw['size']} GB" if raw.get("size") is not None else ""),
        ("Volume", f"{lookups.name('volumes', volume_id)} ({volume_id})" if volume_id else ""),
        ("Progress", text(raw.get("os-extended-snapshot-attributes:progress"))),
        ("Description", text(raw.get("description"))),
        ("Project", lookups.project_name(raw.get(_PROJECT_KEY))),
        ("Group snapshot", text(raw.get("group_snapshot_id"))),
        ("Created", time_field(raw.get("created_at"))),
        ("Updated", time_field(raw.get("updated_at"))),
    ]
    return [
        ("Snapshot", [(k, v) for k, v in fields if v or k in ("Name", "ID", "Status")]),
        ("Metadata", pairs(raw.get("metadata"))),
    ]


def jumps(raw: Raw, lookups: Lookups) -> list[Jump]:
    """The volume it was taken of."""
    volume = raw.get("volume_id")
    return [Jump("volumes", str(volume), f"volume {lookups.name('volumes', volume)}")] \
        if volume else []


VOLUME_SNAPSHOTS = ResourceKind(
    name="snapshots",
    title="Volume snapshots",
    aliases=("snap", "snapshot", "volume-snapshots", "vs"),
    service_type="block-storage",
    list_path="/snapshots/detail",
    list_key="snapshots",
    show_path="/snapshots/{id}",
    show_key="snapshot",
    columns=(
        Column("name", "Name", 24, 0),
        Column("status", "Status", 10, 0),
        Column("size", "GB", 5, 1, numeric=True),
        Column("volume", "Volume", 24, 2),
        Column("progress", "Progress", 8, 4),
        Column("age", "Age", 5, 3, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    jumps=jumps,
    status_class=status_class,
    all_projects_params=(("all_tenants", "1"),),
    lookups=frozenset({"volumes", "projects"}),
)
