"""Compute services (Nova, admin only): which nova-compute, conductor and scheduler is up,
down, disabled (and why) or forced down, and when each last reported."""

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
    parse_time,
    text,
    time_field,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["COMPUTE_SERVICES"]


def _state(raw: Raw) -> str:
    """"up", "down", or "down (forced)": forced down is what an evacuation waits for."""
    state = text(raw.get("state"))
    return f"{state} (forced)" if raw.get("forced_down") else state


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A service's row, as `openstack compute service list --long`."""
    seen = raw.get("updated_at")
    return {
        "name": text(raw.get("host")),
        "binary": text(raw.get("binary")),
        "zone": text(raw.get("zone")),
        "status": text(raw.get("status")),
        "state": _state(raw),
        "seen": format_age(seen),
        "seen_ts": parse_time(seen),
        "reason": text(raw.get("disabled_reason")),
    }


def status_class(value: object) -> StatusClass | None:
    """The state column: a down service is the fault; forced down is known and wanted."""
    value = str(value or "")
    if value == "up":
        return "ok"
    if value.endswith("(forced)"):
        return "warn"
    return "error" if value == "down" else None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Everything Nova says about the service."""
    return [("Service", [(k, v) for k, v in [
        ("Binary", text(raw.get("binary"))),
        ("Host", text(raw.get("host"))),
        ("ID", text(raw.get("id"))),
        ("Zone", text(raw.get("zone"))),
        ("Status", text(raw.get("status"))),
        ("State", _state(raw)),
        ("Forced down", yes_no(raw.get("forced_down"))),
        ("Disabled reason", text(raw.get("disabled_reason"))),
        ("Last seen", time_field(raw.get("updated_at"))),
    ] if v])]


COMPUTE_SERVICES = ResourceKind(
    name="compute-services",
    title="Compute services",
    aliases=("services", "compute-service", "svc"),
    service_type="compute",
    list_path="/os-services",
    list_key="services",
    show_path="/os-services",
    show_key="services",
    show_from_list=True,
    paged=False,
    columns=(
        Column("name", "Host", 20, 0),
        Column("binary", "Binary", 15, 0),
        Column("zone", "Zone", 9, 2),
        Column("status", "Status", 8, 0),
        Column("state", "State", 13, 0),
        Column("seen", "Seen", 5, 1, sort_key="-seen_ts", age_of="seen_ts"),
        Column("reason", "Disabled reason", 30, 1),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key="state",
    page_size=None,
    admin_only=True,
    name_key="host",
)
