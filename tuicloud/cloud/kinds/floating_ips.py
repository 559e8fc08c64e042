"""Floating IPs (Neutron): the public addresses, what each points at, and from which network.

Listed in full, as every Neutron list (no changes-since). A floating IP has no name: its
address stands in the ``name`` column, so the filter, copy (`y n`), the columns that page
sideways (`w`) and the confirmations all use what operators call it by.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuicloud.cloud.kinds.base import (
    Column,
    Jump,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    format_age,
    owned_by,
    parse_time,
    short_id,
    text,
    time_field,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["FLOATING_IPS", "server_of"]


def _port_details(raw: Raw) -> dict[str, Any]:
    details = raw.get("port_details")
    return details if isinstance(details, dict) else {}


def server_of(raw: Raw) -> str:
    """The id of the server the address reaches ("" when none, or not a server's port)."""
    details = _port_details(raw)
    owner = str(details.get("device_owner") or "")
    return text(details.get("device_id")) if owner.startswith("compute:") else ""


def _network(raw: Raw, lookups: Lookups) -> str:
    network = raw.get("floating_network_id")
    return lookups.network_name(network) if network else ""


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A floating IP's display row, as `openstack floating ip list --long` (server by name)."""
    created = raw.get("created_at")
    server = server_of(raw)
    return {
        "name": text(raw.get("floating_ip_address")),  # the address: see the module docstring
        "status": text(raw.get("status")),
        "fixed_ip": text(raw.get("fixed_ip_address")),
        "server": lookups.server_name(server) if server else "",
        "port": short_id(raw.get("port_id")),
        "network": _network(raw, lookups),
        "description": text(raw.get("description")),
        "age": format_age(created),
        "created_ts": parse_time(created),
        "project": lookups.project_name(raw.get("project_id") or raw.get("tenant_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """ACTIVE: bound to a port; DOWN: allocated but free (not a fault); ERROR."""
    status = str(value or "")
    if status == "ACTIVE":
        return "ok"
    if status == "DOWN":
        return "muted"
    if status == "ERROR":
        return "error"
    return None



def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The address, what it is bound to (port, fixed IP, server) and where it comes from."""
    details = _port_details(raw)
    server = server_of(raw)
    return [
        ("Floating IP", [(k, v) for k, v in [
            ("Address", text(raw.get("floating_ip_address"))),
            ("ID", text(raw.get("id"))),
            ("Status", text(raw.get("status"))),
            ("Network", _network(raw, lookups)),
            ("Network ID", text(raw.get("floating_network_id"))),
            ("DNS name", text(raw.get("dns_name"))),
            ("QoS policy", text(raw.get("qos_policy_id"))),
            ("Project", lookups.project_name(raw.get("project_id"))),
            ("Description", text(raw.get("description"))),
            ("Tags", ", ".join(str(t) for t in raw.get("tags") or [])),
            ("Created", time_field(raw.get("created_at"))),
            ("Updated", time_field(raw.get("updated_at"))),
        ] if v]),
        ("Bound to", [(k, v) for k, v in [
            ("Server", f"{lookups.server_name(server)} ({server})" if server else ""),
            ("Fixed IP", text(raw.get("fixed_ip_address"))),
            ("Port", text(raw.get("port_id"))),
            ("Port status", text(details.get("status"))),
            ("Device owner", text(details.get("device_owner"))),
            ("MAC", text(details.get("mac_address"))),
            ("Router", text(raw.get("router_id"))),
        ] if v] or [("Port", "none: the address is allocated but free")]),
    ]


def jumps(raw: Raw, lookups: Lookups) -> list[Jump]:
    """The server it reaches."""
    server = server_of(raw)
    return [Jump("servers", server, f"server {lookups.server_name(server)}")] if server else []


FLOATING_IPS = ResourceKind(
    name="floating-ips",
    title="Floating IPs",
    aliases=("fip", "fips", "floatingips", "floating-ip", "floating_ips", "floatingip"),
    service_type="network",
    list_path="/floatingips",
    list_key="floatingips",
    show_path="/floatingips/{id}",
    show_key="floatingip",
    columns=(
        Column("name", "Address", 15, 0),
        Column("status", "Status", 7, 0),
        Column("fixed_ip", "Fixed IP", 15, 1),
        Column("server", "Server", 20, 1),
        Column("network", "Network", 12, 2),
        Column("port", "Port", 8, 3),
        Column("description", "Description", 20, 4),
        Column("age", "Age", 5, 3, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    jumps=jumps,
    status_class=status_class,
    page_size=None,
    in_project=owned_by,
    lookups=frozenset({"servers", "networks", "projects"}),
    create_form="allocate_floating_ip",
    name_key="floating_ip_address",
)
