"""Flavors (Nova): a short list, always listed in full."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    format_mib,
    pairs,
    text,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["FLAVORS"]


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A flavor's display row."""
    ram = raw.get("ram")
    return {
        "id": text(raw.get("id")),
        "name": text(raw.get("name")),
        "vcpus": raw.get("vcpus") if isinstance(raw.get("vcpus"), int) else None,
        "ram": format_mib(ram),
        "ram_mib": ram if isinstance(ram, int) else None,
        "disk": raw.get("disk") if isinstance(raw.get("disk"), int) else None,
        "ephemeral": raw.get("OS-FLV-EXT-DATA:ephemeral") or 0,
        "swap": format_mib(raw.get("swap")) if raw.get("swap") else "",
        "public": yes_no(raw.get("os-flavor-access:is_public", True)),
        "disabled": yes_no(raw.get("OS-FLV-DISABLED:disabled", False)),
        "status": "disabled" if raw.get("OS-FLV-DISABLED:disabled") else "",
    }


def status_class(value: object) -> StatusClass | None:
    """Disabled flavors are muted."""
    return "muted" if value == "disabled" else None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Grouped fields for a flavor's detail view."""
    return [
        ("Flavor", [
            ("Name", text(raw.get("name"))),
            ("ID", text(raw.get("id"))),
            ("vCPUs", text(raw.get("vcpus"))),
            ("RAM", format_mib(raw.get("ram"))),
            ("Disk", f"{raw.get('disk', 0)} GB"),
            ("Ephemeral", f"{raw.get('OS-FLV-EXT-DATA:ephemeral', 0)} GB"),
            ("Swap", format_mib(raw.get("swap")) if raw.get("swap") else "none"),
            ("Public", yes_no(raw.get("os-flavor-access:is_public", True))),
            ("Disabled", yes_no(raw.get("OS-FLV-DISABLED:disabled", False))),
            ("RX/TX factor", text(raw.get("rxtx_factor"))),
            ("Description", text(raw.get("description"))),
        ]),
        ("Extra specs", pairs(raw.get("extra_specs"))),
    ]


FLAVORS = ResourceKind(
    name="flavors",
    title="Flavors",
    aliases=("flv", "f", "flavor"),
    service_type="compute",
    list_path="/flavors/detail",
    list_key="flavors",
    show_path="/flavors/{id}",
    show_key="flavor",
    columns=(
        Column("name", "Name", 20, 0),
        Column("vcpus", "vCPUs", 5, 0, numeric=True),
        Column("ram", "RAM", 7, 0, sort_key="ram_mib"),
        Column("disk", "Disk GB", 7, 1, numeric=True),
        Column("ephemeral", "Eph GB", 6, 4, numeric=True),
        Column("swap", "Swap", 7, 5),
        Column("public", "Public", 6, 2),
        Column("id", "ID", 36, 6),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key="status",
    admin_list_params=(("is_public", "None"),),
    default_sort="vcpus",
    create_form="create_flavor",
    create_admin_only=True,
)
