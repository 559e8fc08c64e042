"""Routers (Neutron): the external gateway (network and addresses) and the router's kind.

Interfaces are not in the router's document: the detail lists them (its ports), and deleting a
router that still has some is refused with their subnets named.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    format_age,
    join_nonempty,
    owned_by,
    parse_time,
    short_id,
    text,
    time_field,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["ROUTERS", "gateway_network", "gateway_ips"]


def _gateway(raw: Raw) -> dict[str, Any]:
    info = raw.get("external_gateway_info")
    return info if isinstance(info, dict) else {}


def gateway_network(raw: Raw) -> str:
    """The external network's id ("" without a gateway)."""
    return text(_gateway(raw).get("network_id"))


def gateway_ips(raw: Raw) -> list[str]:
    """The router's addresses on its external network."""
    return [str(ip.get("ip_address")) for ip in _gateway(raw).get("external_fixed_ips") or []
            if isinstance(ip, dict) and ip.get("ip_address")]


def _flavour(raw: Raw) -> str:
    """HA and DVR, where the API shows them (admins; "" otherwise)."""
    return join_nonempty(["HA" if raw.get("ha") is True else "",
                          "DVR" if raw.get("distributed") is True else ""], "+")


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A router's display row, as `openstack router list --long` (gateway by network name)."""
    created = raw.get("created_at")
    network = gateway_network(raw)
    return {
        "name": text(raw.get("name")) or short_id(raw.get("id")),
        "status": text(raw.get("status")),
        "gateway": lookups.network_name(network) if network else "",
        "gateway_ips": ", ".join(gateway_ips(raw)),
        "snat": yes_no(_gateway(raw).get("enable_snat")) if network else "",
        "type": _flavour(raw),
        "admin": "up" if raw.get("admin_state_up", True) else "down",
        "age": format_age(created),
        "created_ts": parse_time(created),
        "project": lookups.project_name(raw.get("project_id") or raw.get("tenant_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """Colour class for a router status cell."""
    status = str(value or "")
    if status == "ACTIVE":
        return "ok"
    if status in ("BUILD", "PENDING_CREATE", "PENDING_UPDATE"):
        return "busy"
    if status == "ERROR":
        return "error"
    if status == "DOWN":
        return "warn"
    return None



def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The router, its gateway; its interfaces come as a related list."""
    network = gateway_network(raw)
    listed = raw.get("routes")
    routes: list[Any] = listed if isinstance(listed, list) else []
    return [
        ("Router", [(k, v) for k, v in [
            ("Name", text(raw.get("name"))),
            ("ID", text(raw.get("id"))),
            ("Status", text(raw.get("status"))),
            ("Admin state", "up" if raw.get("admin_state_up", True) else "down"),
            ("HA / distributed", _flavour(raw)),
            ("Availability zones", ", ".join(str(z) for z in raw.get("availability_zones")
                                             or [])),
            ("Project", lookups.project_name(raw.get("project_id"))),
            ("Description", text(raw.get("description"))),
            ("Created", time_field(raw.get("created_at"))),
            ("Updated", time_field(raw.get("updated_at"))),
        ] if v]),
        ("External gateway", [(k, v) for k, v in [
            ("Network", f"{lookups.network_name(network)} ({network})" if network else ""),
            ("Addresses", ", ".join(gateway_ips(raw))),
            ("SNAT", yes_no(_gateway(raw).get("enable_snat")) if network else ""),
        ] if v] or [("Network", "none: no floating IPs reach the subnets behind it")]),
        ("Routes", [(text(r.get("destination")), f"via {text(r.get('nexthop'))}")
                    for r in routes if isinstance(r, dict)]),
    ]


ROUTERS = ResourceKind(
    name="routers",
    title="Routers",
    aliases=("router", "rt", "rtr"),
    service_type="network",
    list_path="/routers",
    list_key="routers",
    show_path="/routers/{id}",
    show_key="router",
    columns=(
        Column("name", "Name", 20, 0),
        Column("status", "Status", 7, 0),
        Column("gateway", "Gateway", 14, 1),
        Column("gateway_ips", "Gateway IPs", 16, 2),
        Column("snat", "SNAT", 4, 4),
        Column("type", "Type", 6, 4),
        Column("admin", "Admin", 5, 5),
        Column("age", "Age", 5, 3, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    page_size=None,
    in_project=owned_by,
    lookups=frozenset({"networks", "projects"}),
    create_form="create_router",
)
