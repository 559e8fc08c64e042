"""Volumes (Cinder): refreshed with the ``updated_at`` filter (microversion 3.60+)."""

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
    format_age_since,
    join_nonempty,
    pairs,
    parse_time,
    short_id,
    text,
    time_field,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["VOLUMES", "attached_to"]

_BUSY = {"creating", "attaching", "detaching", "deleting", "extending", "downloading",
         "uploading", "backing-up", "restoring-backup", "reserved", "retyping", "maintenance",
         "awaiting-transfer", "reverting"}


def attached_to(raw: Raw, lookups: Lookups) -> str:
    """"web-1 on /dev/vdb" for each attachment, comma separated."""
    parts = []
    for attachment in raw.get("attachments") or []:
        if not isinstance(attachment, dict):
            continue
        server = lookups.server_name(attachment.get("server_id"))
        device = attachment.get("device")
        parts.append(f"{server} on {device}" if device else server)
    return ", ".join(parts)


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A volume's display row."""
    created_ts = parse_time(raw.get("created_at"))  # once: the age is shown from it
    return {
        "id": text(raw.get("id")),
        "name": text(raw.get("name")) or short_id(raw.get("id")),
        "status": text(raw.get("status")),
        "size": raw.get("size") if isinstance(raw.get("size"), int) else None,
        "type": text(raw.get("volume_type")),
        "bootable": yes_no(raw.get("bootable")),
        "attached": attached_to(raw, lookups),
        "az": text(raw.get("availability_zone")),
        "age": format_age_since(created_ts),
        "created_ts": created_ts,
        "project": lookups.project_name(raw.get("os-vol-tenant-attr:tenant_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """Colour class for a volume status cell."""
    status = str(value or "")
    if status in ("available", "in-use"):
        return "ok"
    if status.startswith("error"):
        return "error"
    if status in _BUSY:
        return "busy"
    if status in ("deleted",):
        return "muted"
    return None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Grouped fields for a volume's detail view."""
    attachments = [
        (lookups.server_name(a.get("server_id")),
         join_nonempty([a.get("device"), f"attached {a['attached_at']}"
                        if a.get("attached_at") else "", a.get("host_name")], ", "))
        for a in raw.get("attachments") or [] if isinstance(a, dict)]
    image_meta = raw.get("volume_image_metadata")
    sections: Sections = [
        ("Volume", [
            ("Name", text(raw.get("name"))),
            ("ID", text(raw.get("id"))),
            ("Status", text(raw.get("status"))),
            ("Size", f"{raw['size']} GB" if raw.get("size") is not None else ""),
            ("Type", text(raw.get("volume_type"))),
            ("Bootable", yes_no(raw.get("bootable"))),
            ("Encrypted", yes_no(raw.get("encrypted"))),
            ("Multiattach", yes_no(raw.get("multiattach"))),
            ("Availability zone", text(raw.get("availability_zone"))),
            ("Description", text(raw.get("description"))),
            ("Project", lookups.project_name(raw.get("os-vol-tenant-attr:tenant_id"))),
            ("Host", text(raw.get("os-vol-host-attr:host"))),
            ("Source volume", text(raw.get("source_volid"))),
            ("Snapshot", text(raw.get("snapshot_id"))),
            ("Migration", text(raw.get("migration_status"))),
            ("Created", time_field(raw.get("created_at"))),
            ("Updated", time_field(raw.get("updated_at"))),
        ]),
        ("Attachments", attachments),
        ("Metadata", pairs(raw.get("metadata"))),
    ]
    if isinstance(image_meta, dict) and image_meta:
        sections.append(("Image metadata", pairs(image_meta)))
    return [(title, [(k, v) for k, v in fields if v or title != "Volume"])
            for title, fields in sections]


def jumps(raw: Raw, lookups: Lookups) -> list[Jump]:
    """The servers it is attached to."""
    return [Jump("servers", str(a["server_id"]), f"server {lookups.server_name(a['server_id'])}")
            for a in raw.get("attachments") or [] if isinstance(a, dict) and a.get("server_id")]


VOLUMES = ResourceKind(
    name="volumes",
    title="Volumes",
    aliases=("vol", "v", "volume"),
    service_type="block-storage",
    list_path="/volumes/detail",
    list_key="volumes",
    show_path="/volumes/{id}",
    show_key="volume",
    columns=(
        Column("name", "Name", 24, 0),
        Column("status", "Status", 10, 0),
        Column("size", "GB", 5, 1, numeric=True),
        Column("type", "Type", 10, 4),
        Column("bootable", "Boot", 4, 6),
        Column("attached", "Attached to", 24, 2),
        Column("az", "AZ", 8, 7),
        Column("age", "Age", 5, 3, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    jumps=jumps,
    status_class=status_class,
    refresh="updated_at",
    poll_created_at=True,
    all_projects_params=(("all_tenants", "1"),),
    lookups=frozenset({"servers", "projects"}),
    create_form="create_volume",
)
