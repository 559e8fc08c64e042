"""Network agents (Neutron, admin only): the DHCP, L3, metadata and switch agents, alive or
dead and administratively up or down, as ``openstack network agent list --long``. A cloud
without agents (ML2/OVN, or the rig's ML2 without any) lists none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    format_age,
    pairs,
    parse_time,
    text,
    time_field,
)
from tuicloud.cloud.kinds.compute_services import status_class

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["NETWORK_AGENTS"]


def _state(raw: Raw) -> str:
    """"up" while the agent reports (alive), "down" once it stopped: the compute services'
    words, so one glance reads every service view the same way."""
    alive = raw.get("alive")
    return "" if alive is None else ("up" if alive else "down")


def _admin_state(raw: Raw) -> str:
    """Administratively up (Neutron schedules onto it) or down, in the services' words."""
    value = raw.get("admin_state_up")
    return "" if value is None else ("enabled" if value else "disabled")


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """An agent's row: the columns of the other service views, the agent's type first."""
    seen = raw.get("heartbeat_timestamp")
    return {
        "name": text(raw.get("agent_type")),
        "host": text(raw.get("host")),
        "zone": text(raw.get("availability_zone")),
        "status": _admin_state(raw),
        "state": _state(raw),
        "seen": format_age(seen),
        "seen_ts": parse_time(seen),
        "binary": text(raw.get("binary")),
    }


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """What Neutron says about the agent, its configuration apart."""
    sections: Sections = [("Agent", [(k, v) for k, v in [
        ("Type", text(raw.get("agent_type"))),
        ("Binary", text(raw.get("binary"))),
        ("Host", text(raw.get("host"))),
        ("ID", text(raw.get("id"))),
        ("Zone", text(raw.get("availability_zone"))),
        ("Alive", _state(raw)),
        ("Admin state", _admin_state(raw)),
        ("Topic", text(raw.get("topic"))),
        ("Description", text(raw.get("description"))),
        ("Last heartbeat", time_field(raw.get("heartbeat_timestamp"))),
        ("Started", time_field(raw.get("started_at"))),
        ("Created", time_field(raw.get("created_at"))),
    ] if v])]
    configuration = pairs(raw.get("configurations"))
    if configuration:
        sections.append(("Configuration", configuration))
    return sections


NETWORK_AGENTS = ResourceKind(
    name="network-agents",
    title="Network agents",
    aliases=("agents", "network-agent", "agent"),
    service_type="network",
    list_path="/agents",
    list_key="agents",
    show_path="/agents/{id}",
    show_key="agent",
    columns=(
        Column("name", "Type", 20, 0),
        Column("host", "Host", 20, 0),
        Column("zone", "Zone", 9, 2),
        Column("status", "Status", 8, 0),
        Column("state", "State", 6, 0),
        Column("seen", "Seen", 5, 1, sort_key="-seen_ts", age_of="seen_ts"),
        Column("binary", "Binary", 26, 1),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key="state",
    admin_only=True,
    name_key="agent_type",
)
