"""Ports (Neutron): what each is plugged into (a server by name, a router, DHCP), its
network, addresses, MAC, groups and port security; the detail adds address pairs and binding."""

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
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["PORTS"]


def _addresses(raw: Raw) -> str:
    fixed: Any = raw.get("fixed_ips") or []
    return ", ".join(str(ip.get("ip_address")) for ip in fixed if isinstance(ip, dict))


def _server(raw: Raw) -> str:
    owner = str(raw.get("device_owner") or "")
    return text(raw.get("device_id")) if owner.startswith("compute:") else ""


def _attached(raw: Raw, lookups: Lookups) -> str:
    """A server by name; else the owner in words ("router_interface", "dhcp")."""
    server = _server(raw)
    if server:
        return lookups.server_name(server)
    owner = str(raw.get("device_owner") or "")
    return owner.removeprefix("network:") if owner else ""


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A port's display row, as `openstack port list --long` (server and network by name)."""
    created = raw.get("created_at")
    groups: Any = raw.get("security_groups") or []
    return {
        "name": text(raw.get("name")) or short_id(raw.get("id")),
        "status": text(raw.get("status")),
        "attached": _attached(raw, lookups),
        "network": lookups.network_name(raw.get("network_id")) if raw.get("network_id")
        else "",
        "addresses": _addresses(raw),
        "mac": text(raw.get("mac_address")),
        "groups": len(groups) if isinstance(groups, list) else 0,
        "security": yes_no(raw.get("port_security_enabled", True)),
        "age": format_age(created),
        "created_ts": parse_time(created),
        "project": lookups.project_name(raw.get("project_id") or raw.get("tenant_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """ACTIVE bound and up; DOWN unbound (a spare port is not a fault); BUILD; ERROR."""
    classes: dict[str, StatusClass] = {"ACTIVE": "ok", "DOWN": "muted", "BUILD": "busy",
                                       "ERROR": "error"}
    return classes.get(str(value or ""))



def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The port, its addresses, groups, allowed address pairs and binding."""
    fixed: Any = raw.get("fixed_ips") or []
    pairs: Any = raw.get("allowed_address_pairs") or []
    groups: Any = raw.get("security_groups") or []
    return [
        ("Port", [(k, v) for k, v in [
            ("Name", text(raw.get("name"))),
            ("ID", text(raw.get("id"))),
            ("Status", text(raw.get("status"))),
            ("Admin state", "up" if raw.get("admin_state_up", True) else "down"),
            ("Attached to", _attached(raw, lookups)),
            ("Device", f"{text(raw.get('device_owner'))} {text(raw.get('device_id'))}".strip()),
            ("Network", lookups.network_name(raw.get("network_id"))
             if raw.get("network_id") else ""),
            ("MAC", text(raw.get("mac_address"))),
            ("Port security", yes_no(raw.get("port_security_enabled", True))),
            ("Project", lookups.project_name(raw.get("project_id"))),
            ("Description", text(raw.get("description"))),
            ("Created", time_field(raw.get("created_at"))),
        ] if v]),
        ("Fixed IPs", [(text(ip.get("ip_address")), f"subnet {text(ip.get('subnet_id'))}")
                       for ip in fixed if isinstance(ip, dict)]),
        ("Security groups", [(text(g), "") for g in groups]),
        ("Allowed address pairs", [(text(p.get("ip_address")), text(p.get("mac_address")))
                                   for p in pairs if isinstance(p, dict)]
         or [("none", "")]),
        ("Binding", [(k, v) for k, v in [
            ("Host", text(raw.get("binding:host_id"))),
            ("VIF type", text(raw.get("binding:vif_type"))),
            ("VNIC type", text(raw.get("binding:vnic_type"))),
        ] if v] or [("Host", "not bound (or not shown to this user)")]),
    ]


def jumps(raw: Raw, lookups: Lookups) -> list[Jump]:
    """The server it is plugged into."""
    server = _server(raw)
    return [Jump("servers", server, f"server {lookups.server_name(server)}")] if server else []


PORTS = ResourceKind(
    name="ports",
    title="Ports",
    aliases=("port", "pt"),
    service_type="network",
    list_path="/ports",
    list_key="ports",
    show_path="/ports/{id}",
    show_key="port",
    columns=(
        Column("name", "Name", 14, 0),
        Column("status", "Status", 7, 0),
        Column("attached", "Attached to", 18, 1),
        Column("addresses", "Fixed IPs", 18, 1),
        Column("network", "Network", 14, 2),
        Column("mac", "MAC", 17, 4),
        Column("groups", "SGs", 3, 5, numeric=True),
        Column("security", "Port sec", 8, 5),
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
    create_form="create_port",
)
