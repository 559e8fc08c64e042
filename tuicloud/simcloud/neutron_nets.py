"""Neutron v2.0 handlers: networks, subnets, ports (state in :mod:`neutron`, shared helpers in
:mod:`neutron_api`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any, cast

from tuicloud.simcloud.core import ApiError, Request, Response, SimCloud, Token
from tuicloud.simcloud.neutron import Service
from tuicloud.simcloud.neutron_api import (
    NET_404,
    PORT_404,
    SG_404,
    SUBNET_404,
    _apply,
    _as_bool,
    _bad,
    _body,
    _fields,
    _forbidden,
    _get_or_404,
    _limit,
    _list_docs,
    _matcher,
    _owned,
    _page_body,
    _project_for,
    _sort_docs,
    _svc,
    _touch,
)
from tuicloud.simcloud.neutron_model import OrderedIds, Port

GROUPS_NEED_SECURITY = ("Port security must be enabled and port must have an IP address in order "
                        "to use security groups.")
_UPDATABLE_PORT_KEYS = frozenset({"name", "description", "admin_state_up",
                                  "port_security_enabled", "security_groups", "device_id",
                                  "device_owner", "tags"})


# -- networks ---------------------------------------------------------------------------------

def _visible_network(svc: Service, network_id: str, token: Token) -> dict[str, Any]:
    network = _get_or_404(svc.networks, network_id, *NET_404)
    if not svc.network_visible(network, token.project_id, token.is_admin):
        raise ApiError(404, NET_404[0].format(network_id), kind=NET_404[1])
    return cast(dict[str, Any], network)


def list_networks(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/networks."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        docs = [dict(n) for n in svc.networks.values()
                if svc.network_visible(n, token.project_id, token.is_admin)]
        for doc in docs:
            doc["subnets"] = list(doc["subnets"])
        response = _list_docs(cloud, request, "networks", docs, NET_404)
    if not token.is_admin:  # filterable by everyone, shown to admins only
        for doc in response.body["networks"]:
            _hide_provider(doc)
    return response


PROVIDER = ("provider:network_type", "provider:physical_network", "provider:segmentation_id")


def _hide_provider(doc: dict[str, Any]) -> dict[str, Any]:
    for key in PROVIDER:
        doc.pop(key, None)
    return doc


def _network_doc(network: dict[str, Any], token: Token) -> dict[str, Any]:
    doc = dict(network, subnets=list(network["subnets"]))
    return doc if token.is_admin else _hide_provider(doc)


def show_network(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/networks/{id}."""
    svc = _svc(cloud)
    token = request.authed
    with cloud.lock:
        network = _network_doc(_visible_network(svc, request.params["item_id"], token), token)
    return Response(200, {"network": _fields([network], request)[0]})


def create_network(cloud: SimCloud, request: Request) -> Response:
    """POST /v2.0/networks."""
    token = request.authed
    body = _body(request, "network")
    svc = _svc(cloud)
    shared = _as_bool(body.get("shared", False), "shared")
    external = _as_bool(body.get("router:external", False), "router:external")
    if shared and not token.is_admin:
        raise _forbidden("rule:create_network and rule:create_network:shared")
    if external and not token.is_admin:
        raise _forbidden("rule:create_network and rule:create_network:router:external")
    name = body.get("name", "")
    if not isinstance(name, str):
        raise _bad(f"Invalid input for name. Reason: '{name}' is not a valid string.",
                   "InvalidInput")
    mtu = body.get("mtu", 1450)
    if isinstance(mtu, bool) or not isinstance(mtu, int) or not 68 <= mtu <= 9000:
        raise _bad(f"Invalid input for mtu. Reason: '{mtu}' is not a valid MTU.",
                   "InvalidInput")
    with cloud.lock:
        project = _project_for(body, token)
        svc.check_quota(project, "network")
        network = svc.create_network(
            project, name, shared=shared, external=external,
            description=str(body.get("description", "")),
            admin_state_up=_as_bool(body.get("admin_state_up", True), "admin_state_up"),
            mtu=mtu, port_security=_as_bool(body.get("port_security_enabled", True),
                                            "port_security_enabled"))
        return Response(201, {"network": _network_doc(network, token)})


def update_network(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/networks/{id}: name, description, admin_state_up, shared (admin)."""
    token = request.authed
    body = _body(request, "network")
    svc = _svc(cloud)
    with cloud.lock:
        network = _visible_network(svc, request.params["item_id"], token)
        _owned(network, token, *NET_404)
        if ("shared" in body or "router:external" in body) and not token.is_admin:
            raise _forbidden("rule:update_network and rule:update_network:shared")
        _apply(network, body, {"name": str, "description": str, "admin_state_up": bool,
                               "shared": bool, "router:external": bool,
                               "port_security_enabled": bool, "mtu": int})
        _touch(svc, network)
        return Response(200, {"network": _network_doc(network, token)})


def delete_network(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2.0/networks/{id}: 409 NetworkInUse while non-DHCP ports remain."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        network = _visible_network(svc, request.params["item_id"], token)
        _owned(network, token, *NET_404)
        ports = [svc.ports[p] for p in svc.ports_by_network[network["id"]]]
        if any(p.device_owner != "network:dhcp" for p in ports):
            raise ApiError(409, f"Unable to complete operation on network {network['id']}. "
                                "There are one or more ports still in use on the network.",
                           kind="NetworkInUse")
        for port in ports:
            svc.delete_port(port)
        for subnet_id in network["subnets"]:
            svc.subnets.pop(subnet_id, None)
            svc.pools.pop(subnet_id, None)
        for fip in [f for f in svc.floating_ips.values()
                    if f["floating_network_id"] == network["id"]]:
            svc.associate_floating_ip(fip, None)
            del svc.floating_ips[fip["id"]]
        del svc.networks[network["id"]]
        del svc.ports_by_network[network["id"]]
    return Response(204)


# -- subnets ----------------------------------------------------------------------------------
def _subnet_visible(svc: Service, subnet: dict[str, Any], token: Token) -> bool:
    network = svc.networks.get(subnet["network_id"])
    return token.is_admin or subnet["project_id"] == token.project_id or bool(
        network and svc.network_visible(network, token.project_id, False))


def list_subnets(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/subnets."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        docs = [dict(s) for s in svc.subnets.values() if _subnet_visible(svc, s, token)]
        return _list_docs(cloud, request, "subnets", docs, SUBNET_404)


def _visible_subnet(svc: Service, subnet_id: str, token: Token) -> dict[str, Any]:
    subnet = _get_or_404(svc.subnets, subnet_id, *SUBNET_404)
    if not _subnet_visible(svc, subnet, token):
        raise ApiError(404, SUBNET_404[0].format(subnet_id), kind=SUBNET_404[1])
    return cast(dict[str, Any], subnet)


def show_subnet(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/subnets/{id}."""
    svc = _svc(cloud)
    with cloud.lock:
        subnet = dict(_visible_subnet(svc, request.params["item_id"], request.authed))
    return Response(200, {"subnet": _fields([subnet], request)[0]})


def _allocation_pool(pools: Any) -> tuple[str, str] | None:
    """The requested allocation pool (simcloud keeps one range per subnet), or None."""
    if pools is None:
        return None
    try:
        ranges = [(str(ipaddress.IPv4Address(p["start"])), str(ipaddress.IPv4Address(p["end"])))
                  for p in pools]
    except (TypeError, KeyError, ValueError) as exc:
        raise _bad(f"Invalid input for allocation_pools. Reason: {pools!r} is not a list of "
                   "start/end address pairs.", "InvalidInput") from exc
    if len(ranges) != 1:
        raise _bad("Invalid input for allocation_pools. Reason: simcloud keeps one allocation "
                   "pool per subnet.", "InvalidInput")
    return ranges[0]


def create_subnet(cloud: SimCloud, request: Request) -> Response:
    """POST /v2.0/subnets (IPv4)."""
    token = request.authed
    body = _body(request, "subnet")
    svc = _svc(cloud)
    cidr = body.get("cidr")
    try:
        net = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError as exc:
        raise _bad(f"Invalid input for cidr. Reason: '{cidr}' is not a valid IP subnet.",
                   "InvalidInput") from exc
    if body.get("ip_version", 4) != 4 or net.version != 4:
        raise _bad("Invalid input for operation: simcloud supports IPv4 subnets only.",
                   "InvalidInput")
    with cloud.lock:
        network = _visible_network(svc, str(body.get("network_id")), token)
        if network["project_id"] != token.project_id and not token.is_admin:
            raise _forbidden("rule:create_subnet and rule:create_subnet:network_owner")
        for other in network["subnets"]:
            if ipaddress.ip_network(svc.subnets[other]["cidr"]).overlaps(net):
                raise _bad(f"Invalid input for operation: Requested subnet with cidr: {net} "
                           f"for network: {network['id']} overlaps with another subnet.",
                           "InvalidInput")
        project = _project_for(body, token)
        svc.check_quota(project, "subnet")
        gateway = body.get("gateway_ip", "")
        subnet = svc.create_subnet(
            network["id"], project, str(body.get("name", "")), str(net),
            gateway_ip=gateway, enable_dhcp=_as_bool(body.get("enable_dhcp", True),
                                                     "enable_dhcp"),
            dns_nameservers=list(body.get("dns_nameservers") or []),
            description=str(body.get("description", "")),
            allocation_pool=_allocation_pool(body.get("allocation_pools")))
        _touch(svc, network)
        return Response(201, {"subnet": dict(subnet)})


def update_subnet(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/subnets/{id}: name, description, dns_nameservers."""
    token = request.authed
    body = _body(request, "subnet")
    svc = _svc(cloud)
    with cloud.lock:
        subnet = _visible_subnet(svc, request.params["item_id"], token)
        _owned(subnet, token, *SUBNET_404)
        _apply(subnet, body, {"name": str, "description": str, "dns_nameservers": list})
        _touch(svc, subnet)
        return Response(200, {"subnet": dict(subnet)})


def delete_subnet(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2.0/subnets/{id}: 409 SubnetInUse while ports hold addresses from it."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        subnet = _visible_subnet(svc, request.params["item_id"], token)
        _owned(subnet, token, *SUBNET_404)
        pool = svc.pools[subnet["id"]]
        holders = {owner for owner in pool.used.values() if owner != "gateway"}
        dhcp = [svc.ports[p] for p in holders
                if p in svc.ports and svc.ports[p].device_owner == "network:dhcp"]
        if len(holders) > len(dhcp) or any(f["subnet_id"] == subnet["id"]
                                           for f in svc.floating_ips.values()):
            raise ApiError(409, f"Unable to complete operation on subnet {subnet['id']}: One or "
                                "more ports have an IP allocation from this subnet.",
                           kind="SubnetInUse")
        for port in dhcp:
            svc.delete_port(port)
        svc.networks[subnet["network_id"]]["subnets"].remove(subnet["id"])
        del svc.subnets[subnet["id"]]
        del svc.pools[subnet["id"]]
    return Response(204)


# -- ports ------------------------------------------------------------------------------------
def _port_order(svc: Service, request: Request, token: Token) -> OrderedIds | None:
    """The ordered ids to walk for a port listing (None: nothing visible)."""
    projects = request.query.get("project_id") or request.query.get("tenant_id")
    if not token.is_admin:
        return svc.ports_by_project.get(token.project_id or "")
    if projects and len(projects) == 1:
        return svc.ports_by_project.get(projects[0])
    return svc.port_order


def list_ports(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/ports: O(page) walks of insertion-ordered ids; device_id uses its index."""
    token = request.authed
    svc = _svc(cloud)
    admin = token.is_admin
    limit = _limit(request)
    marker = request.arg("marker")
    with cloud.lock:
        sample = next(iter(svc.ports.values()), None)
        match = _matcher(request, sample.doc().keys() if sample else None)
        if marker and marker not in svc.ports:
            raise ApiError(404, PORT_404[0].format(marker), kind=PORT_404[1])
        devices = request.query.get("device_id")
        order = _port_order(svc, request, token)
        if devices or request.query.get("sort_key"):
            candidates: list[Port] = []
            if devices:
                for device in devices:
                    candidates += [svc.ports[p] for p in svc.ports_by_device.get(device, ())]
            elif isinstance(order, OrderedIds):
                candidates = [svc.ports[p] for p in order.after(None)]
            visible = [p for p in candidates if admin or p.project_id == token.project_id]
            docs = _sort_docs([p.doc(admin) for p in visible], request)
            return _list_docs(cloud, request, "ports", docs, PORT_404)
        walker: Iterable[str] = ()
        if isinstance(order, OrderedIds):
            walker = order.after(marker)
        elif marker:
            raise ApiError(404, PORT_404[0].format(marker), kind=PORT_404[1])
        page: list[dict[str, Any]] = []
        more = False
        try:
            for port_id in walker:
                port = svc.ports[port_id]
                if match(port.attr, port.tags):
                    if limit is not None and len(page) >= limit:
                        more = True
                        break
                    page.append(port.doc(admin))
        except KeyError as exc:  # a marker from another project's listing
            raise ApiError(404, PORT_404[0].format(marker), kind=PORT_404[1]) from exc
        return Response(200, _page_body(cloud, request, "ports", page, more))


def _visible_port(svc: Service, port_id: str, token: Token) -> Port:
    port = svc.ports.get(port_id)
    if port is None or not (token.is_admin or port.project_id == token.project_id):
        raise ApiError(404, PORT_404[0].format(port_id), kind=PORT_404[1])
    return port


def show_port(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/ports/{id}."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        doc = _visible_port(svc, request.params["item_id"], token).doc(token.is_admin)
    return Response(200, {"port": _fields([doc], request)[0]})


def _groups(svc: Service, value: Any, project_id: str) -> list[str]:
    if not isinstance(value, list):
        raise _bad(f"Invalid input for security_groups. Reason: '{value}' is not a list.",
                   "InvalidInput")
    for group_id in value:
        group = svc.security_groups.get(str(group_id))
        if group is None or group["project_id"] != project_id:
            raise ApiError(404, SG_404[0].format(group_id), kind=SG_404[1])
    return [str(g) for g in value]


def create_port(cloud: SimCloud, request: Request) -> Response:
    """POST /v2.0/ports."""
    token = request.authed
    body = _body(request, "port")
    svc = _svc(cloud)
    with cloud.lock:
        network = _visible_network(svc, str(body.get("network_id")), token)
        if not (token.is_admin or network["shared"]
                or network["project_id"] == token.project_id):
            raise _forbidden("rule:create_port and rule:create_port:network_owner")
        project = _project_for(body, token)
        svc.check_quota(project, "port")
        fixed: list[tuple[str | None, str | None]] = []
        for item in body.get("fixed_ips") or []:
            if not isinstance(item, dict):
                raise _bad("Invalid input for fixed_ips. Reason: must be a list of objects.",
                           "InvalidInput")
            fixed.append((item.get("subnet_id"), item.get("ip_address")))
        security = _as_bool(body.get("port_security_enabled", True), "port_security_enabled")
        groups = _groups(svc, body["security_groups"], project) if "security_groups" in body \
            else None
        if not security and groups:
            raise _bad(GROUPS_NEED_SECURITY, "PortSecurityAndIPRequiredForSecurityGroups")
        port = svc.new_port(project, network["id"], str(body.get("device_id", "")),
                            device_owner=str(body.get("device_owner", "")),
                            fixed=fixed or None, security=security, security_groups=groups,
                            name=str(body.get("name", "")), user_created=True,
                            admin_state_up=_as_bool(body.get("admin_state_up", True),
                                                    "admin_state_up"),
                            description=str(body.get("description", "")))
        return Response(201, {"port": port.doc(token.is_admin)})


def update_port(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/ports/{id}: name, description, admin_state_up, security groups, device.
    Checked whole before anything changes, as Neutron's single transaction does."""
    token = request.authed
    body = _body(request, "port")
    svc = _svc(cloud)
    with cloud.lock:
        port = _visible_port(svc, request.params["item_id"], token)
        for key in body:
            if key not in _UPDATABLE_PORT_KEYS:
                raise _bad(f"Cannot update read-only attribute {key}")
        security = _as_bool(body.get("port_security_enabled", port.port_security_enabled),
                            "port_security_enabled")
        groups = _groups(svc, body["security_groups"] or [], port.project_id) \
            if "security_groups" in body else port.security_groups
        admin_up = _as_bool(body.get("admin_state_up", port.admin_state_up), "admin_state_up")
        if groups and not security:
            if "security_groups" in body:  # groups asked for on a port without security
                raise _bad(GROUPS_NEED_SECURITY, "PortSecurityAndIPRequiredForSecurityGroups")
            raise ApiError(409, "Port has security group associated. Cannot disable port "
                                "security or IP address until security group is removed.",
                           kind="PortSecurityPortHasSecurityGroup")
        for key in ("name", "description"):
            if key in body:
                setattr(port, key, "" if body[key] is None else str(body[key]))
        port.admin_state_up = admin_up
        port.port_security_enabled = security
        if "security_groups" in body:
            svc.set_security_groups(port, groups)
        if "device_id" in body or "device_owner" in body:
            svc.set_device(port, str(body.get("device_id", port.device_id)),
                           str(body["device_owner"]) if "device_owner" in body else None)
        if isinstance(body.get("tags"), list):
            port.tags = [str(t) for t in body["tags"]]
        port.updated_at = svc.stamp()
        port.revision_number += 1
        return Response(200, {"port": port.doc(token.is_admin)})


def delete_port(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2.0/ports/{id}."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        port = _visible_port(svc, request.params["item_id"], token)
        if port.device_owner in ("network:router_interface", "network:router_gateway",
                                 "network:dhcp") and not token.is_admin:
            raise ApiError(409, f"Port {port.id} cannot be deleted directly via the port API: "
                                f"has device owner {port.device_owner}.",
                           kind="ServicePortInUse")
        svc.delete_port(port)
    return Response(204)
