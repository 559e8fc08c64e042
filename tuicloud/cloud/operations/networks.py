"""Network actions (Neutron): create a network with its first subnet (a form), add a subnet,
delete (Neutron refuses while ports are in use: its words are shown).

A subnet is given as the CLI's users think of it: a CIDR, its gateway (the first address when
not given, or none), DHCP, DNS servers and allocation pools, IPv4 or IPv6 from the CIDR.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.operations.base import (
    KindOperations,
    Needs,
    Operation,
    Raw,
    always_available,
    name_of,
    require,
    rid,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "SubnetSpec", "create_network", "network_commands", "parse_pools",
           "subnet_body", "validate_subnet"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SubnetSpec:
    """A subnet as the form collected it (all text checked by :func:`validate_subnet`)."""

    cidr: str
    gateway: str = ""  # "" the first address, "none" no gateway, else that address
    dhcp: bool = True
    dns: tuple[str, ...] = ()
    pools: tuple[tuple[str, str], ...] = field(default=())
    name: str = ""


def parse_pools(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """"10.0.0.10-10.0.0.99, 10.0.0.150-10.0.0.200" → pairs, or why not."""
    pools = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        start, sep, end = part.partition("-")
        if not sep:
            return [], f"{part!r}: a pool is START-END"
        pools.append((start.strip(), end.strip()))
    return pools, None


def validate_subnet(spec: SubnetSpec) -> dict[str, str]:
    """Problems by field ("cidr", "gateway", "dns", "pools"); empty when Neutron would take
    it as far as can be told here."""
    problems: dict[str, str] = {}
    try:
        network: Network = ipaddress.ip_network(spec.cidr.strip(), strict=True)
    except ValueError as error:
        return {"cidr": f"not a network: {error}"}
    if network.num_addresses < 4:
        problems["cidr"] = "too small for a subnet (a /30 or larger, a /126 for IPv6)"
    gateway = None
    if spec.gateway not in ("", "none"):
        try:
            gateway = ipaddress.ip_address(spec.gateway)
        except ValueError:
            problems["gateway"] = "an address, empty for the first one, or none"
        else:
            if gateway not in network:
                problems["gateway"] = f"not in {network}"
    for server in spec.dns:
        try:
            ipaddress.ip_address(server)
        except ValueError:
            problems["dns"] = f"{server!r} is not an address"
            break
    for start_text, end_text in spec.pools:
        try:
            start, end = ipaddress.ip_address(start_text), ipaddress.ip_address(end_text)
        except ValueError:
            problems["pools"] = f"{start_text}-{end_text}: not addresses"
            break
        if start not in network or end not in network or start > end:  # type: ignore[operator]
            problems["pools"] = f"{start}-{end}: inside {network}, start first"
            break
        if gateway is not None and start <= gateway <= end:  # type: ignore[operator]
            problems["pools"] = f"{start}-{end} holds the gateway {gateway}"
            break
    return problems


def subnet_body(spec: SubnetSpec, network_id: str) -> dict[str, Any]:
    """Neutron's POST /subnets body."""
    network = ipaddress.ip_network(spec.cidr.strip())
    subnet: dict[str, Any] = {"network_id": network_id, "cidr": str(network),
                              "ip_version": network.version, "enable_dhcp": spec.dhcp}
    if spec.name:
        subnet["name"] = spec.name
    if spec.gateway == "none":
        subnet["gateway_ip"] = None
    elif spec.gateway:
        subnet["gateway_ip"] = spec.gateway
    if spec.dns:
        subnet["dns_nameservers"] = list(spec.dns)
    if spec.pools:
        subnet["allocation_pools"] = [{"start": s, "end": e} for s, e in spec.pools]
    return {"subnet": subnet}


def _subnet_command(spec: SubnetSpec, network: str) -> list[str]:
    command = ["openstack", "subnet", "create", "--network", network, "--subnet-range",
               str(ipaddress.ip_network(spec.cidr.strip()))]
    if ipaddress.ip_network(spec.cidr.strip()).version == 6:
        command += ["--ip-version", "6"]
    if spec.gateway:
        command += ["--gateway", spec.gateway]
    if not spec.dhcp:
        command.append("--no-dhcp")
    for server in spec.dns:
        command += ["--dns-nameserver", server]
    for start, end in spec.pools:
        command += ["--allocation-pool", f"start={start},end={end}"]
    return [*command, spec.name or f"{network}-subnet"]


def network_commands(name: str, spec: SubnetSpec | None) -> list[list[str]]:
    """``openstack network create NAME`` and, with a subnet, its ``subnet create``."""
    commands = [["openstack", "network", "create", name]]
    if spec is not None:
        commands.append(_subnet_command(spec, name))
    return commands


def create_network(session: CloudSession, name: str, spec: SubnetSpec | None) -> str:
    """Create the network, then its subnet (blocking; ReadOnlyError before sending). When the
    subnet is refused the network is deleted again, so nothing half-made is left: the
    subnet's error is raised."""
    body, _ = session.request("POST", "network", "/networks", json={"network": {"name": name}},
                              description=f"create network {name}")
    network_id = str(body["network"]["id"])
    if spec is None:
        return network_id
    named = spec if spec.name else SubnetSpec(**{**spec.__dict__, "name": f"{name}-subnet"})
    try:
        session.request("POST", "network", "/subnets", json=subnet_body(named, network_id),
                        description=f"create subnet {named.name}")
    except BaseException:
        session.request("DELETE", "network", f"/networks/{network_id}",
                        description=f"delete network {name} (its subnet was refused)")
        raise
    return network_id


def _add_subnet(session: CloudSession, raw: Raw, value: str | None) -> None:
    session.refuse_if_read_only(f"add a subnet to network {name_of(raw)}")
    spec = SubnetSpec(cidr=require(value, "a CIDR"),
                      name=f"{name_of(raw)}-{str(value).replace('/', '-')}")
    problems = validate_subnet(spec)
    if problems:
        raise ValueError(next(iter(problems.values())))
    session.request("POST", "network", "/subnets", json=subnet_body(spec, rid(raw)),
                    description=f"add subnet {spec.cidr} to network {name_of(raw)}")


def _validate_cidr(raw: Raw, text: str) -> str | None:
    problems = validate_subnet(SubnetSpec(cidr=text))
    return next(iter(problems.values()), None)



def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "network", f"/networks/{rid(raw)}",
                    description=f"delete network {name_of(raw)}")


OPERATIONS = KindOperations("networks", "network", (
    Operation(
        "network.add_subnet", "networks", "Add a subnet…", always_available, _add_subnet,
        lambda raw, v: _subnet_command(SubnetSpec(cidr=str(v)), rid(raw)) if v and not
        _validate_cidr(raw, str(v)) else ["openstack", "subnet", "create", "--network",
                                          rid(raw), "--subnet-range", "<cidr>", "…"],
        needs=Needs("Subnet CIDR (e.g. 10.0.1.0/24 or 2001:db8:1::/64)", "<cidr>",
                    validate=_validate_cidr),
        keywords=("cidr", "ipv6", "range"), single=True),
    Operation(
        "network.delete", "networks", "Delete", always_available, _delete,
        lambda raw, _v: ["openstack", "network", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("remove",)),
))
