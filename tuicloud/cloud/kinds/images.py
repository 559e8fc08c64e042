"""Images (Glance): refreshed with the ``updated_at=gte:`` filter; deletions at resync."""

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
    format_bytes,
    format_mib,
    parse_time,
    short_id,
    text,
    time_field,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["IMAGES"]

# Keys of Glance's image document that are not custom properties.
_CORE = {"id", "name", "status", "visibility", "protected", "disk_format", "container_format",
         "size", "virtual_size", "min_disk", "min_ram", "owner", "created_at", "updated_at",
         "checksum", "os_hash_algo", "os_hash_value", "os_hidden", "tags", "self", "file",
         "schema", "direct_url", "locations", "stores"}
_BUSY = {"queued", "saving", "importing", "uploading", "pending_delete"}


def _min_req(raw: Raw) -> str:
    disk = raw.get("min_disk") or 0
    ram = raw.get("min_ram") or 0
    if not disk and not ram:
        return ""
    return f"{disk} GB / {format_mib(ram) if ram else '0 MB'}"


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """An image's display row."""
    created = raw.get("created_at")
    size = raw.get("size")
    return {
        "id": text(raw.get("id")),
        "name": text(raw.get("name")) or short_id(raw.get("id")),
        "status": text(raw.get("status")),
        "visibility": text(raw.get("visibility")),
        "protected": yes_no(raw.get("protected")),
        "disk_format": text(raw.get("disk_format")),
        "size": format_bytes(size),
        "size_bytes": size if isinstance(size, int) else None,
        "min": _min_req(raw),
        "age": format_age(created),
        "created_ts": parse_time(created),
        "project": lookups.project_name(raw.get("owner")),
    }


def status_class(value: object) -> StatusClass | None:
    """Colour class for an image status cell."""
    status = str(value or "")
    if status == "active":
        return "ok"
    if status in _BUSY:
        return "busy"
    if status == "killed":
        return "error"
    if status == "deactivated":
        return "warn"
    if status == "deleted":
        return "muted"
    return None


def in_project(raw: Raw, project_id: str) -> bool:
    """What a member of the project sees: its own images and every non-private one."""
    return raw.get("owner") == project_id or raw.get("visibility") != "private"


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Grouped fields for an image's detail view; custom properties listed apart."""
    properties = [(str(k), text(v)) for k, v in sorted(raw.items()) if k not in _CORE]
    size = raw.get("size")
    virtual = raw.get("virtual_size")
    return [
        ("Image", [(k, v) for k, v in [
            ("Name", text(raw.get("name"))),
            ("ID", text(raw.get("id"))),
            ("Status", text(raw.get("status"))),
            ("Visibility", text(raw.get("visibility"))),
            ("Protected", yes_no(raw.get("protected"))),
            ("Hidden", yes_no(raw.get("os_hidden"))),
            ("Owner", lookups.project_name(raw.get("owner"))),
            ("Disk format", text(raw.get("disk_format"))),
            ("Container format", text(raw.get("container_format"))),
            ("Size", f"{format_bytes(size)} ({size} bytes)" if isinstance(size, int) else ""),
            ("Virtual size", format_bytes(virtual)),
            ("Min disk", f"{raw['min_disk']} GB" if raw.get("min_disk") else ""),
            ("Min RAM", format_mib(raw.get("min_ram")) if raw.get("min_ram") else ""),
            ("Checksum", text(raw.get("checksum"))),
            ("Tags", ", ".join(str(t) for t in raw.get("tags") or [])),
            ("Created", time_field(raw.get("created_at"))),
            ("Updated", time_field(raw.get("updated_at"))),
        ] if v]),
        ("Properties", properties),
    ]


IMAGES = ResourceKind(
    name="images",
    title="Images",
    aliases=("img", "i", "image"),
    service_type="image",
    list_path="/images",
    list_key="images",
    show_path="/images/{id}",
    show_key="",
    columns=(
        Column("name", "Name", 24, 0),
        Column("status", "Status", 11, 0),
        Column("visibility", "Visibility", 10, 2),
        Column("protected", "Prot", 4, 6),
        Column("disk_format", "Format", 6, 4),
        Column("size", "Size", 7, 1, sort_key="size_bytes"),
        Column("min", "Min disk/RAM", 13, 5),
        Column("age", "Age", 5, 3, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Owner", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    refresh="updated_at",
    in_project=in_project,
    lookups=frozenset({"projects"}),
    capabilities=frozenset({"download"}),
    create_form="create_image",
)
