"""Subnets (Neutron): their network by name, CIDR, gateway, DHCP and pools."""

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
    owned_by,
    parse_time,
    short_id,
    text,
    time_field,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["SUBNETS"]


def _pools(raw: Raw) -> str:
    pools: Any = raw.get("allocation_pools") or []
    return ", ".join(f"{p.get('start')}-{p.get('end')}" for p in pools if isinstance(p, dict))


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A subnet's display row, as `openstack subnet list --long` (network by name)."""
    created = raw.get("created_at")
    return {
        "name": text(raw.get("name")) or short_id(raw.get("id")),
        "network": lookups.network_name(raw.get("network_id")) if raw.get("network_id")
        else "",
        "cidr": text(raw.get("cidr")),
        "version": f"IPv{raw.get('ip_version')}" if raw.get("ip_version") else "",
        "gateway": text(raw.get("gateway_ip")) or "none",
        "dhcp": yes_no(raw.get("enable_dhcp")),
        "pools": _pools(raw),
        "age": format_age(created),
        "created_ts": parse_time(created),
        "project": lookups.project_name(raw.get("project_id") or raw.get("tenant_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """Subnets have no status."""
    return None



def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The subnet, its addressing and its DNS."""
    routes: Any = raw.get("host_routes") or []
    return [
        ("Subnet", [(k, v) for k, v in [
            ("Name", text(raw.get("name"))),
            ("ID", text(raw.get("id"))),
            ("Network", f"{lookups.network_name(raw.get('network_id'))} "
                        f"({text(raw.get('network_id'))})"),
            ("Project", lookups.project_name(raw.get("project_id"))),
            ("Description", text(raw.get("description"))),
            ("Created", time_field(raw.get("created_at"))),
            ("Updated", time_field(raw.get("updated_at"))),
        ] if v]),
        ("Addressing", [(k, v) for k, v in [
            ("CIDR", text(raw.get("cidr"))),
            ("IP version", text(raw.get("ip_version"))),
            ("Gateway", text(raw.get("gateway_ip")) or "none"),
            ("DHCP", yes_no(raw.get("enable_dhcp"))),
            ("Allocation pools", _pools(raw)),
            ("IPv6 RA / address mode", " / ".join(text(raw.get(k)) for k in (
                "ipv6_ra_mode", "ipv6_address_mode")) if raw.get("ip_version") == 6 else ""),
            ("Subnet pool", text(raw.get("subnetpool_id"))),
        ] if v]),
        ("DNS and routes", [(k, v) for k, v in [
            ("DNS servers", ", ".join(str(d) for d in raw.get("dns_nameservers") or [])),
            ("Host routes", ", ".join(f"{r.get('destination')} via {r.get('nexthop')}"
                                      for r in routes if isinstance(r, dict))),
        ] if v]),
    ]


SUBNETS = ResourceKind(
    name="subnets",
    title="Subnets",
    aliases=("subnet", "sn"),
    service_type="network",
    list_path="/subnets",
    list_key="subnets",
    show_path="/subnets/{id}",
    show_key="subnet",
    columns=(
        Column("name", "Name", 20, 0),
        Column("network", "Network", 16, 1),
        Column("cidr", "CIDR", 18, 0),
        Column("gateway", "Gateway", 15, 2),
        Column("dhcp", "DHCP", 4, 3),
        Column("version", "IP", 4, 4),
        Column("pools", "Allocation pools", 30, 5),
        Column("age", "Age", 5, 3, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key=None,
    page_size=None,
    in_project=owned_by,
    lookups=frozenset({"networks", "projects"}),
)
