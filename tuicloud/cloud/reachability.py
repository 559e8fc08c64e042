"""`why`: can an SSH connection from here reach this server? Each link of the path, checked
with the APIs (never with a packet), says ✓, ✗ or ? with the resource and why; where the fix
is one action it comes with that action and its ``openstack`` command. Nothing here changes
anything: the screen runs a fix only after a confirmation.

The path: the server (ACTIVE and running) → its port (up; port security) → an address the
source can reach (a floating IP, or a port on an external network) → a router with an
external gateway on the port's subnet (what a floating IP needs) → a security group rule
allowing TCP ``port`` from the source → a key pair to log in with.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlsplit

from tuicloud.cloud.errors import CloudError

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["Fix", "Link", "check_reachability", "local_address"]

Verdict = Literal["ok", "broken", "unknown"]
Raw = dict[str, Any]
RUNNING = 1  # Nova's power_state for a running guest


@dataclass(frozen=True)
class Fix:
    """One action that mends a link: what the confirmation says, the equivalent command, and
    the request (sent only through ``session.request``, so read-only refuses it)."""

    label: str
    command: list[str]
    run: Callable[[CloudSession], object] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Link:
    """One link of the path: ✓ ok, ✗ broken, ? unknown (the project cannot see it)."""

    name: str
    verdict: Verdict
    detail: str
    fix: Fix | None = None

    @property
    def mark(self) -> str:
        """✓, ✗ or ?."""
        return {"ok": "✓", "broken": "✗", "unknown": "?"}[self.verdict]


def local_address(session: CloudSession) -> str:
    """This host's address towards the cloud: the source the route to the compute endpoint's
    host would use (a UDP socket is connected, which sends nothing); 127.0.0.1 when unknown.
    Behind NAT the cloud sees another address: the screen lets the user change it."""
    host = urlsplit(session.endpoint("compute") or "").hostname
    if not host:
        return "127.0.0.1"
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((host, 9))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def _get(session: CloudSession, service: str, path: str,
         params: dict[str, str] | None = None) -> Any:
    body, _ = session.get_json(service, path, params)
    return body


def check_reachability(session: CloudSession, server_id: str, source: str,
                       port: int = 22) -> list[Link]:
    """Every link of the path from ``source`` to ``server_id`` on TCP ``port`` (blocking).
    Raises CloudError only when the server itself cannot be read."""
    server = _get(session, "compute", f"/servers/{quote(server_id, safe='')}")["server"]
    links = [_server_link(server)]
    ports = [p for p in _get(session, "network", "/ports", {"device_id": server_id})
             .get("ports", []) if isinstance(p, dict)]
    if not ports:
        links.append(Link("Port", "broken", "the server has no port: it is on no network"))
        return [*links, _key_link(session, server)]
    links.append(_ports_link(ports))
    address_links, via = _address_links(session, server, ports)
    links += address_links
    links.append(_rules_link(session, via or ports[0], source, port))
    links.append(_key_link(session, server))
    return links


# -- the server --------------------------------------------------------------------------------
def _server_link(server: Raw) -> Link:
    status = str(server.get("status") or "")
    power = server.get("OS-EXT-STS:power_state")
    name = str(server.get("name") or server.get("id"))
    if status == "ACTIVE" and power in (RUNNING, None):
        return Link("Server", "ok", f"{name} is ACTIVE and running")
    if status == "SHUTOFF":
        ident = str(server["id"])
        return Link("Server", "broken", f"{name} is SHUTOFF", Fix(
            f"start server {name}", ["openstack", "server", "start", ident],
            lambda s: s.request("POST", "compute", f"/servers/{ident}/action",
                                json={"os-start": None}, description=f"start server {name}")))
    return Link("Server", "broken", f"{name} is {status or 'in no known state'}"
                + (f" (task {server.get('OS-EXT-STS:task_state')})"
                   if server.get("OS-EXT-STS:task_state") else ""))


def _ports_link(ports: list[Raw]) -> Link:
    described = ", ".join(f"{str(p['id'])[:8]} {p.get('status')}"
                          + ("" if p.get("port_security_enabled", True)
                             else " (port security off)") for p in ports)
    down = [p for p in ports if p.get("status") not in ("ACTIVE", None)]
    if len(down) == len(ports):
        return Link("Port", "broken", f"no port is ACTIVE: {described}")
    return Link("Port", "ok", described)


# -- the address and the router ----------------------------------------------------------------
def _fixed(port: Raw) -> list[tuple[str, str]]:
    return [(str(ip.get("subnet_id")), str(ip.get("ip_address")))
            for ip in port.get("fixed_ips") or [] if isinstance(ip, dict)]


def _address_links(session: CloudSession, server: Raw,
                   ports: list[Raw]) -> tuple[list[Link], Raw | None]:
    """(the address and router links, the port the path goes through)."""
    for port in ports:
        found = _get(session, "network", "/floatingips", {"port_id": str(port["id"])})
        fips = [f for f in found.get("floatingips", []) if isinstance(f, dict)]
        if fips:
            fip = fips[0]
            return [Link("Address", "ok", f"floating IP {fip.get('floating_ip_address')} → "
                                          f"{fip.get('fixed_ip_address')}"),
                     Link("Router", "ok", "Neutron routes it (it took the association)")], port
    externals = {str(n["id"]): n for n in _get(session, "network", "/networks",
                                                {"router:external": "true"}).get("networks", [])}
    for port in ports:
        if str(port.get("network_id")) in externals:
            addresses = ", ".join(ip for _, ip in _fixed(port))
            return [Link("Address", "ok", f"{addresses} on external network "
                                          f"{externals[str(port['network_id'])].get('name')}"),
                    Link("Router", "ok", "none needed on an external network")], port
    port = ports[0]
    fixed = _fixed(port)
    subnet, address = fixed[0] if fixed else ("", "")
    router_link, routed = _router_link(session, subnet, externals)
    if routed and len(externals) >= 1:
        network = routed
        fix = Fix(f"allocate a floating IP on {externals[network].get('name')} for {address}",
                  ["openstack", "floating", "ip", "create", "--port", str(port["id"]), network],
                  lambda s: s.request("POST", "network", "/floatingips", json={"floatingip": {
                      "floating_network_id": network, "port_id": str(port["id"])}},
                      description=f"allocate a floating IP for {address}"))
    else:
        fix = None
    return [Link("Address", "broken", f"{address} has no floating IP", fix),
            router_link], port


def _subnet(session: CloudSession, subnet: str) -> Raw:
    """The subnet's document; {} when there is none or it cannot be read (policy)."""
    if not subnet:
        return {}
    try:
        found = _get(session, "network", f"/subnets/{quote(subnet, safe='')}")
    except CloudError as error:
        if error.status in (403, 404):
            return {}
        raise
    return found.get("subnet") or {}


def _router_link(session: CloudSession, subnet: str,
                 externals: dict[str, Raw]) -> tuple[Link, str | None]:
    """The router link and, when a router with a gateway serves the subnet, its network."""
    routers = {str(r["id"]): r for r in _get(session, "network", "/routers")
               .get("routers", []) if isinstance(r, dict)}
    interfaces = _get(session, "network", "/ports", {"device_owner": "network:router_interface"})
    serving = [routers[str(p.get("device_id"))] for p in interfaces.get("ports", [])
               if str(p.get("device_id")) in routers
               and any(s == subnet for s, _ in _fixed(p))]
    for router in serving:
        gateway = (router.get("external_gateway_info") or {}).get("network_id")
        if gateway:
            return Link("Router", "ok", f"{router.get('name')} routes subnet {subnet[:8]} to "
                                        f"{externals.get(str(gateway), {}).get('name', gateway)}"
                        ), str(gateway)
    if serving:
        router = serving[0]
        only = next(iter(externals), None) if len(externals) == 1 else None
        fix = None
        if only is not None:
            ident, name = str(router["id"]), str(router.get("name") or router["id"])
            fix = Fix(f"set the gateway of router {name} to {externals[only].get('name')}",
                      ["openstack", "router", "set", "--external-gateway", only, ident],
                      lambda s: s.request("PUT", "network", f"/routers/{ident}", json={
                          "router": {"external_gateway_info": {"network_id": only}}},
                          description=f"set the gateway of router {name}"))
        return Link("Router", "broken", f"{router.get('name')} has no external gateway",
                    fix), None
    shared = _subnet(session, subnet)
    if shared and shared.get("project_id") not in (None, session.project_id):
        return Link("Router", "unknown", f"subnet {shared.get('name') or subnet[:8]} belongs to "
                                         "another project: its router is not visible here"
                    ), next(iter(externals), None)
    candidates = [r for r in routers.values() if (r.get("external_gateway_info") or {})
                  .get("network_id")]
    fix = None
    if candidates and subnet:
        router = candidates[0]
        ident, name = str(router["id"]), str(router.get("name") or router["id"])
        fix = Fix(f"add subnet {shared.get('name') or subnet[:8]} to router {name}",
                  ["openstack", "router", "add", "subnet", ident, subnet],
                  lambda s: s.request("PUT", "network", f"/routers/{ident}/add_router_interface",
                                      json={"subnet_id": subnet},
                                      description=f"add subnet {subnet} to router {name}"))
    return Link("Router", "broken", f"no router serves subnet "
                                    f"{shared.get('name') or subnet[:8]}", fix), None


# -- the rules -----------------------------------------------------------------------------------
def _covers(rule: Raw, source: ipaddress.IPv4Address | ipaddress.IPv6Address,
            port: int) -> bool:
    if rule.get("direction") != "ingress":
        return False
    if rule.get("ethertype") not in (None, f"IPv{source.version}"):
        return False
    if rule.get("protocol") not in (None, "tcp", "6", "any"):
        return False
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low is not None and not (int(low) <= port <= int(high if high is not None else low)):
        return False
    if rule.get("remote_group_id"):
        return False  # members of a group: never this host
    prefix = rule.get("remote_ip_prefix")
    return prefix is None or source in ipaddress.ip_network(str(prefix), strict=False)


def _rules_link(session: CloudSession, port: Raw, source: str, tcp_port: int) -> Link:
    if port.get("port_security_enabled") is False:
        return Link("Rules", "ok", f"port {str(port['id'])[:8]} has port security off: no "
                                   "security group filters it")
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return Link("Rules", "unknown", f"{source!r} is not an IP address: set the source")
    groups = [str(g) for g in port.get("security_groups") or []]
    near: list[str] = []
    for group_id in groups:
        group = _get(session, "network", f"/security-groups/{quote(group_id, safe='')}")
        group = group.get("security_group", {})
        for rule in group.get("security_group_rules") or []:
            if _covers(rule, address, tcp_port):
                return Link("Rules", "ok", f"{group.get('name')} allows tcp {tcp_port} from "
                                           f"{rule.get('remote_ip_prefix') or 'anywhere'}")
            if rule.get("direction") == "ingress" and rule.get("protocol") in ("tcp", None) \
                    and rule.get("remote_ip_prefix") and _covers(
                        {**rule, "remote_ip_prefix": None}, address, tcp_port):
                near.append(f"{group.get('name')} allows it only from "
                            f"{rule.get('remote_ip_prefix')}")
    if not groups:
        return Link("Rules", "broken", "the port has no security group: nothing comes in")
    group_id = groups[0]
    prefix = f"{address}/{address.max_prefixlen}"
    fix = Fix(f"allow tcp {tcp_port} from {prefix}",
              ["openstack", "security", "group", "rule", "create", "--ingress", "--protocol",
               "tcp", "--dst-port", str(tcp_port), "--remote-ip", prefix, group_id],
              lambda s: s.request("POST", "network", "/security-group-rules", json={
                  "security_group_rule": {"security_group_id": group_id, "direction": "ingress",
                                          "ethertype": f"IPv{address.version}",
                                          "protocol": "tcp", "port_range_min": tcp_port,
                                          "port_range_max": tcp_port,
                                          "remote_ip_prefix": prefix}},
                  description=f"allow tcp {tcp_port} from {prefix}"))
    why = "; ".join(near) if near else f"no rule allows tcp {tcp_port} from {source}"
    return Link("Rules", "broken", why, fix)


# -- the key -----------------------------------------------------------------------------------
def _key_link(session: CloudSession, server: Raw) -> Link:
    name = server.get("key_name")
    if not name:
        return Link("Key pair", "broken", "the server was booted without a key pair: only a "
                                          "password or an image's own user can log in")
    try:
        _get(session, "compute", f"/os-keypairs/{quote(str(name), safe='')}")
    except CloudError as error:
        if error.status == 404:
            return Link("Key pair", "unknown", f"{name} is not among your key pairs (another "
                                               "user's, or deleted): use its private key")
        raise
    return Link("Key pair", "ok", f"{name}")
