"""Block-storage services (Cinder, admin only): the schedulers and volume backends, up or
down and enabled or disabled (and why), as ``openstack volume service list --long``. Cinder
gives them no id: a service is its host and binary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    format_age,
    parse_time,
    text,
    time_field,
    yes_no,
)
from tuicloud.cloud.kinds.compute_services import status_class

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["VOLUME_SERVICES", "service_id"]


def service_id(raw: Mapping[str, Any]) -> str:
    """"HOST/BINARY": unique, since one host runs each binary once."""
    return f"{raw.get('host') or ''}/{raw.get('binary') or ''}"


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A service's row: the same columns as a compute service's."""
    seen = raw.get("updated_at")
    return {
        "name": text(raw.get("host")),
        "binary": text(raw.get("binary")),
        "zone": text(raw.get("zone")),
        "status": text(raw.get("status")),
        "state": text(raw.get("state")),
        "seen": format_age(seen),
        "seen_ts": parse_time(seen),
        "reason": text(raw.get("disabled_reason")),
    }


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Everything Cinder says about the service (backend state and replication from the
    microversions that show them)."""
    return [("Service", [(k, v) for k, v in [
        ("Binary", text(raw.get("binary"))),
        ("Host", text(raw.get("host"))),
        ("Zone", text(raw.get("zone"))),
        ("Status", text(raw.get("status"))),
        ("State", text(raw.get("state"))),
        ("Backend state", text(raw.get("backend_state"))),
        ("Disabled reason", text(raw.get("disabled_reason"))),
        ("Cluster", text(raw.get("cluster"))),
        ("Replication", text(raw.get("replication_status"))),
        ("Frozen", yes_no(raw.get("frozen"))),
        ("Last seen", time_field(raw.get("updated_at"))),
    ] if v])]


VOLUME_SERVICES = ResourceKind(
    name="volume-services",
    title="Block-storage services",
    aliases=("volume-service", "vsvc", "cinder-services"),
    service_type="block-storage",
    list_path="/os-services",
    list_key="services",
    show_path="/os-services",
    show_key="services",
    show_from_list=True,
    paged=False,  # Cinder ignores limit here: everything comes in one answer
    columns=(
        Column("name", "Host", 24, 0),
        Column("binary", "Binary", 17, 0),
        Column("zone", "Zone", 9, 2),
        Column("status", "Status", 8, 0),
        Column("state", "State", 6, 0),
        Column("seen", "Seen", 5, 1, sort_key="-seen_ts", age_of="seen_ts"),
        Column("reason", "Disabled reason", 30, 1),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key="state",
    page_size=None,
    admin_only=True,
    id_from=service_id,
    name_key="host",
)
