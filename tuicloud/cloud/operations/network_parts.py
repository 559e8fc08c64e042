"""Subnet and port actions (Neutron): create a port (a form: its network, a fixed address or
one Neutron picks, port security), change a port's security groups or its port security,
delete, after confirmation. Neutron refuses a subnet whose addresses are in use (409, its
words shown)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.operations.base import (
    Choice,
    KindOperations,
    Needs,
    Operation,
    Raw,
    Runner,
    always_available,
    name_of,
    require,
    rid,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["PORT_OPERATIONS", "SUBNET_OPERATIONS", "PortSpec", "create_port",
           "create_port_command", "subnet_for"]



def _delete_subnet(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "network", f"/subnets/{rid(raw)}",
                    description=f"delete subnet {name_of(raw)}")


def _port_deletable(raw: Raw) -> str | None:
    owner = str(raw.get("device_owner") or "")
    if owner.startswith("network:"):
        return f"Neutron owns it ({owner.removeprefix('network:')}): remove it from its router " \
               "or network instead"
    return None


def _delete_port(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "network", f"/ports/{rid(raw)}",
                    description=f"delete port {name_of(raw)}")


SUBNET_OPERATIONS = KindOperations("subnets", "subnet", (
    Operation(
        "subnet.delete", "subnets", "Delete", always_available, _delete_subnet,
        lambda raw, _v: ["openstack", "subnet", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("remove",)),
))

# -- creating a port ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PortSpec:
    """A port as the form collected it: ``address`` "" lets Neutron pick one."""

    name: str
    network_id: str
    network_name: str
    address: str = ""
    subnet_id: str = ""  # the subnet holding ``address`` (see :func:`subnet_for`)
    port_security: bool = True


def subnet_for(address: str, subnets: list[Raw]) -> tuple[str | None, str | None]:
    """(the id of the subnet whose CIDR holds ``address``, why not). ``subnets`` are the
    network's, as listed (``id`` and ``cidr``)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None, f"{address.strip()!r} is not an IP address"
    if not subnets:
        return None, "the network has no subnet: add one first"
    cidrs = []
    for subnet in subnets:
        try:
            network = ipaddress.ip_network(str(subnet.get("cidr")), strict=False)
        except ValueError:
            continue
        cidrs.append(str(network))
        if ip.version == network.version and ip in network:
            if ip in (network.network_address, network.broadcast_address) \
                    and network.version == 4 and network.prefixlen < 31:
                return None, f"{ip} is the network's own or broadcast address"
            return str(subnet.get("id")), None
    return None, f"{ip} is in none of the network's subnets ({', '.join(cidrs)})"


def create_port_command(spec: PortSpec) -> list[str]:
    """``openstack port create --network NET [--fixed-ip …] [--disable-port-security] NAME``."""
    command = ["openstack", "port", "create", "--network", spec.network_name or spec.network_id]
    if spec.address:
        command += ["--fixed-ip", f"subnet={spec.subnet_id},ip-address={spec.address}"]
    if not spec.port_security:
        command.append("--disable-port-security")
    return [*command, spec.name]


def create_port(session: CloudSession, spec: PortSpec) -> str | None:
    """Create it (blocking; ReadOnlyError before sending): its id."""
    port: dict[str, Any] = {"name": spec.name, "network_id": spec.network_id}
    if spec.address:
        port["fixed_ips"] = [{"subnet_id": spec.subnet_id, "ip_address": spec.address}]
    if not spec.port_security:
        # Without port security a port holds no group (Neutron refuses both at once).
        port["port_security_enabled"] = False
    body, _ = session.request("POST", "network", "/ports", json={"port": port},
                              description=f"create port {spec.name}")
    made = body.get("port") if isinstance(body, dict) else None
    return str(made["id"]) if isinstance(made, dict) and made.get("id") else None


# -- a port's security groups and port security --------------------------------------------------
def _groups_by_id(session: CloudSession) -> dict[str, str]:
    params = {"project_id": session.project_id} if session.project_id else {}
    body, _ = session.get_json("network", "/security-groups", params)
    return {str(g["id"]): str(g.get("name") or g["id"])
            for g in body.get("security_groups", []) if isinstance(g, dict) and g.get("id")}


def _port_groups(raw: Raw) -> list[str]:
    return [str(g) for g in raw.get("security_groups") or []]


def _groups_to_add(session: CloudSession, raw: Raw) -> list[Choice]:
    has = set(_port_groups(raw))
    choices = [Choice(ident, name, "on the port already" if ident in has else None)
               for ident, name in _groups_by_id(session).items()]
    choices.sort(key=lambda c: (c.disabled is not None, c.label))
    return choices


def _groups_on(session: CloudSession, raw: Raw) -> list[Choice]:
    names = _groups_by_id(session)
    return [Choice(ident, names.get(ident, ident)) for ident in _port_groups(raw)]


def _change_groups(adding: bool) -> Runner:
    def run(session: CloudSession, raw: Raw, value: str | None) -> None:
        group = require(value, "a security group")
        verb = "add" if adding else "remove"
        session.refuse_if_read_only(f"{verb} a security group on port {name_of(raw)}")
        # The list goes whole in a PUT: read it now, not from a row a poll may have outrun.
        body, _ = session.get_json("network", f"/ports/{rid(raw)}")
        current = _port_groups(body.get("port") or {})
        wanted = [*current, group] if adding else [g for g in current if g != group]
        if wanted == current:
            return
        session.request("PUT", "network", f"/ports/{rid(raw)}",
                        json={"port": {"security_groups": list(dict.fromkeys(wanted))}},
                        description=f"{verb} security group {group} on port {name_of(raw)}")
    return run


def _groups_apply(raw: Raw) -> str | None:
    owned = _port_deletable(raw)
    if owned is not None:
        return "Neutron owns it: security groups do not apply"
    if raw.get("port_security_enabled") is False:
        return "port security is off: enable it first"
    return None


def _has_groups(raw: Raw) -> str | None:
    return _groups_apply(raw) or (None if _port_groups(raw) else "the port has no group")


def _security_on(raw: Raw) -> str | None:
    if _port_deletable(raw) is not None:
        return "Neutron owns it"
    return None if raw.get("port_security_enabled") is False else "port security is on"


def _security_off(raw: Raw) -> str | None:
    if _port_deletable(raw) is not None:
        return "Neutron owns it"
    return "port security is off" if raw.get("port_security_enabled") is False else None


def _set_security(enabled: bool) -> Runner:
    def run(session: CloudSession, raw: Raw, _value: str | None) -> None:
        change: dict[str, Any] = {"port_security_enabled": enabled}
        if not enabled:
            change["security_groups"] = []  # Neutron refuses port security off with groups
        session.request("PUT", "network", f"/ports/{rid(raw)}", json={"port": change},
                        description=f"{'enable' if enabled else 'disable'} port security "
                                    f"on port {name_of(raw)}")
    return run


PORT_OPERATIONS = KindOperations("ports", "port", (
    Operation(
        "port.add_security_group", "ports", "Add security group…", _groups_apply,
        _change_groups(True),
        lambda raw, v: ["openstack", "port", "set", "--security-group", str(v), rid(raw)],
        needs=Needs("Security group", "<group>", choices=_groups_to_add),
        keywords=("sg", "firewall", "rules"), single=True),
    Operation(
        "port.remove_security_group", "ports", "Remove security group…", _has_groups,
        _change_groups(False),
        lambda raw, v: ["openstack", "port", "unset", "--security-group", str(v), rid(raw)],
        needs=Needs("Security group", "<group>", choices=_groups_on),
        destructive=True, keywords=("sg", "firewall", "rules"), single=True),
    Operation(
        "port.disable_security", "ports", "Disable port security (and its groups)",
        _security_off, _set_security(False),
        lambda raw, _v: ["openstack", "port", "set", "--no-security-group",
                         "--disable-port-security", rid(raw)],
        destructive=True, keywords=("sg", "firewall", "spoofing", "vip")),
    Operation(
        "port.enable_security", "ports", "Enable port security", _security_on,
        _set_security(True),
        lambda raw, _v: ["openstack", "port", "set", "--enable-port-security", rid(raw)],
        keywords=("sg", "firewall", "spoofing")),
    Operation(
        "port.delete", "ports", "Delete", _port_deletable, _delete_port,
        lambda raw, _v: ["openstack", "port", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("remove", "detach")),
))
