"""Neutron v2.0 handlers, second half: security groups and rules, floating IPs, routers,
quotas (state in :mod:`neutron`, shared helpers in :mod:`neutron_api`)."""

from __future__ import annotations

import ipaddress
from typing import Any

from tuicloud.simcloud.core import ApiError, Request, Response, SimCloud, Token
from tuicloud.simcloud.neutron import DEFAULT_QUOTAS, Service
from tuicloud.simcloud.neutron_api import (
    FIP_404,
    NET_404,
    ROUTER_404,
    RULE_404,
    SG_404,
    SUBNET_404,
    _apply,
    _as_bool,
    _bad,
    _body,
    _fields,
    _forbidden,
    _get_or_404,
    _list_docs,
    _owned,
    _project_for,
    _strip,
    _svc,
    _touch,
)
from tuicloud.simcloud.neutron_nets import _visible_port


def _mine(record: dict[str, Any], token: Token) -> bool:
    return token.is_admin or record["project_id"] == token.project_id


# -- security groups --------------------------------------------------------------------------
def _sg_doc(svc: Service, group: dict[str, Any]) -> dict[str, Any]:
    doc = _strip(group, "rule_ids")
    doc["security_group_rules"] = [dict(svc.sg_rules[r]) for r in group["rule_ids"]]
    return doc


def _visible_group(svc: Service, group_id: str, token: Token) -> dict[str, Any]:
    group: dict[str, Any] = _get_or_404(svc.security_groups, group_id, *SG_404)
    _owned(group, token, *SG_404)
    return group


def list_security_groups(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/security-groups."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        docs = [_sg_doc(svc, g) for g in svc.security_groups.values() if _mine(g, token)]
        return _list_docs(cloud, request, "security-groups", docs, SG_404)


def show_security_group(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/security-groups/{id}."""
    svc = _svc(cloud)
    with cloud.lock:
        doc = _sg_doc(svc, _visible_group(svc, request.params["item_id"], request.authed))
    return Response(200, {"security_group": _fields([doc], request)[0]})


def create_security_group(cloud: SimCloud, request: Request) -> Response:
    """POST /v2.0/security-groups (with Neutron's default egress rules)."""
    token = request.authed
    body = _body(request, "security_group")
    svc = _svc(cloud)
    name = body.get("name", "")
    if not isinstance(name, str):
        raise _bad(f"Invalid input for name. Reason: '{name}' is not a valid string.",
                   "InvalidInput")
    if name == "default":
        raise _bad("Default security group already exists.", "SecurityGroupDefaultAlreadyExists")
    with cloud.lock:
        project = _project_for(body, token)
        svc.check_quota(project, "security_group")
        svc.check_quota(project, "security_group_rule", 2)
        group = svc.create_security_group(project, name, str(body.get("description", "")))
        group["stateful"] = _as_bool(body.get("stateful", True), "stateful")
        return Response(201, {"security_group": _sg_doc(svc, group)})


def update_security_group(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/security-groups/{id}: name, description."""
    token = request.authed
    body = _body(request, "security_group")
    svc = _svc(cloud)
    with cloud.lock:
        group = _visible_group(svc, request.params["item_id"], token)
        if group["name"] == "default" and body.get("name", "default") != "default":
            raise _bad("Updating default security group not allowed.",
                       "SecurityGroupCannotUpdateDefault")
        _apply(group, body, {"name": str, "description": str, "stateful": bool})
        _touch(svc, group)
        return Response(200, {"security_group": _sg_doc(svc, group)})


def delete_security_group(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2.0/security-groups/{id}: 409 while ports use it or for "default"."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        group = _visible_group(svc, request.params["item_id"], token)
        if group["name"] == "default" and not token.is_admin:
            raise ApiError(409, "Insufficient rights for removing default security group.",
                           kind="SecurityGroupCannotRemoveDefault")
        if svc.sg_usage.get(group["id"], 0) > 0:
            raise ApiError(409, f"Security Group {group['id']} in use.",
                           kind="SecurityGroupInUse")
        for rule_id in group["rule_ids"]:
            svc.sg_rules.pop(rule_id, None)
        del svc.security_groups[group["id"]]
    return Response(204)


# -- security group rules ---------------------------------------------------------------------
def list_rules(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/security-group-rules."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        docs = [dict(r) for r in svc.sg_rules.values() if _mine(r, token)]
        return _list_docs(cloud, request, "security-group-rules", docs, RULE_404)


def _visible_rule(svc: Service, rule_id: str, token: Token) -> dict[str, Any]:
    rule: dict[str, Any] = _get_or_404(svc.sg_rules, rule_id, *RULE_404)
    _owned(rule, token, *RULE_404)
    return rule


def show_rule(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/security-group-rules/{id}."""
    svc = _svc(cloud)
    with cloud.lock:
        rule = dict(_visible_rule(svc, request.params["item_id"], request.authed))
    return Response(200, {"security_group_rule": _fields([rule], request)[0]})


def _port_number(value: Any, what: str) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise _bad(f"Invalid input for {what}. Reason: '{value}' is not a valid port number.",
                   "InvalidInput") from exc
    if not 0 <= number <= 65535:
        raise _bad(f"Invalid value for port {number}.", "SecurityGroupInvalidPortValue")
    return number


def create_rule(cloud: SimCloud, request: Request) -> Response:
    """POST /v2.0/security-group-rules."""
    token = request.authed
    body = _body(request, "security_group_rule")
    svc = _svc(cloud)
    direction = body.get("direction")
    if direction not in ("ingress", "egress"):
        raise _bad(f"Invalid input for direction. Reason: '{direction}' is not in "
                   "['ingress', 'egress'].", "InvalidInput")
    ethertype = body.get("ethertype", "IPv4")
    if ethertype not in ("IPv4", "IPv6"):
        raise _bad(f"Invalid input for ethertype. Reason: '{ethertype}' is not in "
                   "['IPv4', 'IPv6'].", "InvalidInput")
    protocol = body.get("protocol")
    protocol = None if protocol in (None, "any", "") else str(protocol).lower()
    if protocol is not None and protocol not in ("tcp", "udp", "icmp", "ipv6-icmp", "sctp") \
            and not protocol.isdigit():
        raise _bad(f"Security group rule protocol {protocol} not supported. Only protocol "
                   "values [None, tcp, udp, icmp, icmpv6] and integer representations "
                   "[0 to 255] are supported.", "SecurityGroupRuleInvalidProtocol")
    port_min = _port_number(body.get("port_range_min"), "port_range_min")
    port_max = _port_number(body.get("port_range_max"), "port_range_max")
    if (port_min is not None or port_max is not None) and protocol is None:
        raise _bad("Must also specify protocol if port range is given.",
                   "SecurityGroupProtocolRequiredWithPorts")
    if port_min is not None and port_max is not None and port_min > port_max \
            and protocol in ("tcp", "udp", "sctp"):
        raise _bad("For TCP/UDP protocols, port_range_min must be <= port_range_max",
                   "SecurityGroupInvalidPortRange")
    prefix = body.get("remote_ip_prefix")
    remote_group = body.get("remote_group_id")
    if prefix is not None and remote_group is not None:
        raise _bad("Only remote_ip_prefix or remote_group_id may be provided.",
                   "SecurityGroupRemoteGroupAndRemoteIpPrefix")
    if prefix is not None:
        try:
            network = ipaddress.ip_network(str(prefix), strict=False)
        except ValueError as exc:
            raise _bad(f"Invalid input for remote_ip_prefix. Reason: '{prefix}' is not a "
                       "valid IP prefix.", "InvalidInput") from exc
        if f"IPv{network.version}" != ethertype:
            raise _bad(f"Conflicting value ethertype {ethertype} for CIDR {prefix}",
                       "SecurityGroupConflictingEthertype")
        prefix = str(network)
    with cloud.lock:
        group = _visible_group(svc, str(body.get("security_group_id")), token)
        if remote_group is not None:
            _visible_group(svc, str(remote_group), token)
        for rule_id in group["rule_ids"]:
            rule = svc.sg_rules[rule_id]
            if (rule["direction"], rule["ethertype"], rule["protocol"], rule["port_range_min"],
                    rule["port_range_max"], rule["remote_ip_prefix"],
                    rule["remote_group_id"]) == (direction, ethertype, protocol, port_min,
                                                 port_max, prefix, remote_group):
                raise ApiError(409, f"Security group rule already exists. Rule id is "
                                    f"{rule_id}.", kind="SecurityGroupRuleExists")
        svc.check_quota(group["project_id"], "security_group_rule")
        rule = svc.create_rule(group["id"], str(direction), str(ethertype), protocol=protocol,
                               port_min=port_min, port_max=port_max, remote_ip_prefix=prefix,
                               remote_group_id=remote_group,
                               description=str(body.get("description", "")))
        _touch(svc, group)
        return Response(201, {"security_group_rule": dict(rule)})


def update_rule(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/security-group-rules/{id}: only the description may change."""
    token = request.authed
    body = _body(request, "security_group_rule")
    svc = _svc(cloud)
    with cloud.lock:
        rule = _visible_rule(svc, request.params["item_id"], token)
        _apply(rule, body, {"description": str})
        _touch(svc, rule)
        return Response(200, {"security_group_rule": dict(rule)})


def delete_rule(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2.0/security-group-rules/{id}."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        rule = _visible_rule(svc, request.params["item_id"], token)
        group = svc.security_groups[rule["security_group_id"]]
        group["rule_ids"].remove(rule["id"])
        del svc.sg_rules[rule["id"]]
        _touch(svc, group)
    return Response(204)


# -- floating IPs -----------------------------------------------------------------------------
def _fip_doc(svc: Service, fip: dict[str, Any]) -> dict[str, Any]:
    doc = dict(fip)
    port = svc.ports.get(fip["port_id"]) if fip["port_id"] else None
    doc["port_details"] = None if port is None else {
        "name": port.name, "network_id": port.network_id, "mac_address": port.mac_address,
        "admin_state_up": port.admin_state_up, "status": port.status,
        "device_id": port.device_id, "device_owner": port.device_owner}
    return doc


def _visible_fip(svc: Service, fip_id: str, token: Token) -> dict[str, Any]:
    fip: dict[str, Any] = _get_or_404(svc.floating_ips, fip_id, *FIP_404)
    _owned(fip, token, *FIP_404)
    return fip


def list_floating_ips(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/floatingips."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        docs = [_fip_doc(svc, f) for f in svc.floating_ips.values() if _mine(f, token)]
        return _list_docs(cloud, request, "floatingips", docs, FIP_404)


def show_floating_ip(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/floatingips/{id}."""
    svc = _svc(cloud)
    with cloud.lock:
        doc = _fip_doc(svc, _visible_fip(svc, request.params["item_id"], request.authed))
    return Response(200, {"floatingip": _fields([doc], request)[0]})


def _associate(svc: Service, fip: dict[str, Any], port_id: Any, fixed_ip: Any,
               token: Token) -> None:
    if port_id is None:
        svc.associate_floating_ip(fip, None)
        return
    port = _visible_port(svc, str(port_id), token)
    if fixed_ip is not None and all(a != fixed_ip for _, a in port.fixed_ips):
        raise _bad(f"Port {port.id} does not have fixed ip {fixed_ip}", "BadRequest")
    address = fixed_ip or (port.fixed_ips[0][1] if port.fixed_ips else None)
    for other_id in svc.fips_by_port.get(port.id, ()):
        other = svc.floating_ips[other_id]
        if other["id"] != fip["id"] and other["fixed_ip_address"] == address and \
                other["floating_network_id"] == fip["floating_network_id"]:
            raise ApiError(409, f"Cannot associate floating IP {fip['floating_ip_address']} "
                                f"({fip['id']}) with port {port.id} using fixed IP {address}, "
                                f"as that fixed IP already has a floating IP on external "
                                f"network {fip['floating_network_id']}.",
                           kind="FloatingIPPortAlreadyAssociated")
    svc.associate_floating_ip(fip, port, address)


def create_floating_ip(cloud: SimCloud, request: Request) -> Response:
    """POST /v2.0/floatingips: from an external network, optionally bound to a port."""
    token = request.authed
    body = _body(request, "floatingip")
    svc = _svc(cloud)
    network_id = str(body.get("floating_network_id"))
    with cloud.lock:
        network = _get_or_404(svc.networks, network_id, *NET_404)
        if not network["router:external"]:
            raise _bad(f"Bad floatingip request: Network {network_id} is not a valid external "
                       "network.", "BadRequest")
        project = _project_for(body, token)
        svc.check_quota(project, "floatingip")
        address = body.get("floating_ip_address")
        fip = svc.create_floating_ip(project, network_id,
                                     address=None if address is None else str(address),
                                     description=str(body.get("description", "")))
        if body.get("port_id") is not None:
            try:
                _associate(svc, fip, body["port_id"], body.get("fixed_ip_address"), token)
            except ApiError:
                svc.pools[fip["subnet_id"]].release(fip["floating_ip_address"])
                del svc.floating_ips[fip["id"]]
                raise
        return Response(201, {"floatingip": _fip_doc(svc, fip)})


def update_floating_ip(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/floatingips/{id}: ``port_id`` associates (null disassociates)."""
    token = request.authed
    body = _body(request, "floatingip")
    svc = _svc(cloud)
    with cloud.lock:
        fip = _visible_fip(svc, request.params["item_id"], token)
        for key in body:
            if key not in ("port_id", "fixed_ip_address", "description", "qos_policy_id"):
                raise _bad(f"Cannot update read-only attribute {key}")
        if "port_id" in body:
            _associate(svc, fip, body["port_id"], body.get("fixed_ip_address"), token)
        if "description" in body:
            fip["description"] = str(body["description"] or "")
            _touch(svc, fip)
        return Response(200, {"floatingip": _fip_doc(svc, fip)})


def delete_floating_ip(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2.0/floatingips/{id}."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        fip = _visible_fip(svc, request.params["item_id"], token)
        svc.associate_floating_ip(fip, None)
        pool = svc.pools.get(fip["subnet_id"])
        if pool is not None:
            pool.release(fip["floating_ip_address"])
        del svc.floating_ips[fip["id"]]
    return Response(204)


# -- routers ----------------------------------------------------------------------------------
def _visible_router(svc: Service, router_id: str, token: Token) -> dict[str, Any]:
    router: dict[str, Any] = _get_or_404(svc.routers, router_id, *ROUTER_404)
    _owned(router, token, *ROUTER_404)
    return router


def list_routers(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/routers."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        docs = [dict(r) for r in svc.routers.values() if _mine(r, token)]
        return _list_docs(cloud, request, "routers", docs, ROUTER_404)


def show_router(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/routers/{id}."""
    svc = _svc(cloud)
    with cloud.lock:
        router = dict(_visible_router(svc, request.params["item_id"], request.authed))
    return Response(200, {"router": _fields([router], request)[0]})


def _gateway_network(svc: Service, info: Any) -> str | None:
    if info is None:
        return None
    if not isinstance(info, dict) or "network_id" not in info:
        raise _bad("Invalid input for external_gateway_info.", "InvalidInput")
    network = _get_or_404(svc.networks, str(info["network_id"]), *NET_404)
    if not network["router:external"]:
        raise _bad(f"Bad router request: Network {network['id']} is not an external network.",
                   "BadRequest")
    return str(network["id"])


def create_router(cloud: SimCloud, request: Request) -> Response:
    """POST /v2.0/routers."""
    token = request.authed
    body = _body(request, "router")
    svc = _svc(cloud)
    with cloud.lock:
        project = _project_for(body, token)
        svc.check_quota(project, "router")
        gateway = _gateway_network(svc, body.get("external_gateway_info"))
        router = svc.create_router(project, str(body.get("name", "")), gateway)
        router["description"] = str(body.get("description", ""))
        router["admin_state_up"] = _as_bool(body.get("admin_state_up", True), "admin_state_up")
        return Response(201, {"router": dict(router)})


def update_router(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/routers/{id}: name, description, admin_state_up, external_gateway_info (set
    with a network_id, cleared with {} or null)."""
    token = request.authed
    body = _body(request, "router")
    svc = _svc(cloud)
    with cloud.lock:
        router = _visible_router(svc, request.params["item_id"], token)
        if "external_gateway_info" in body:
            info = body.pop("external_gateway_info") or {}
            if not isinstance(info, dict):
                raise _bad(f"Invalid input for external_gateway_info. Reason: {info!r} is not "
                           "a dictionary.", "InvalidInput")
            network_id = info.get("network_id")
            if network_id is not None:
                network = _get_or_404(svc.networks, str(network_id), *NET_404)
                if not network["router:external"]:
                    raise _bad(f"Bad router request: Network {network_id} is not an external "
                               "network.", "BadRequest")
            svc.set_router_gateway(router, None if network_id is None else str(network_id))
        _apply(router, body, {"name": str, "description": str, "admin_state_up": bool})
        _touch(svc, router)
        return Response(200, {"router": dict(router)})


def _router_port_ids(svc: Service, router: dict[str, Any]) -> list[str]:
    """The router's interface ports (Neutron's RouterInUse names them; not the gateway)."""
    return [port_id for port_id in svc.ports_by_device.get(router["id"], ())
            if svc.ports[port_id].device_owner.startswith("network:router_interface")]


def delete_router(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2.0/routers/{id}: 409 while interfaces are plugged."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        router = _visible_router(svc, request.params["item_id"], token)
        if svc.router_subnets[router["id"]]:
            raise ApiError(409, f"Router {router['id']} has ports still attached: "
                                f"{', '.join(_router_port_ids(svc, router))}", kind="RouterInUse")
        for port_id in list(svc.ports_by_device.get(router["id"], ())):
            svc.delete_port(svc.ports[port_id])
        del svc.routers[router["id"]]
        del svc.router_subnets[router["id"]]
    return Response(204)


def _interface_subnet(svc: Service, request: Request, token: Token) -> tuple[dict[str, Any],
                                                                             dict[str, Any]]:
    router = _visible_router(svc, request.params["item_id"], token)
    body = request.json_object()
    subnet: dict[str, Any] = _get_or_404(svc.subnets, str(body.get("subnet_id")), *SUBNET_404)
    _owned(subnet, token, *SUBNET_404)
    return router, subnet


def add_interface(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/routers/{id}/add_router_interface {subnet_id}."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        router, subnet = _interface_subnet(svc, request, token)
        if subnet["id"] in svc.router_subnets[router["id"]]:
            raise _bad(f"Router already has a port on subnet {subnet['id']}.", "BadRequest")
        port = svc.add_router_interface(router["id"], subnet["id"])
        _touch(svc, router)
        return Response(200, {"id": router["id"], "subnet_id": subnet["id"],
                              "subnet_ids": [subnet["id"]], "port_id": port.id,
                              "network_id": subnet["network_id"],
                              "project_id": router["project_id"],
                              "tenant_id": router["project_id"]})


def remove_interface(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/routers/{id}/remove_router_interface {subnet_id}."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        router, subnet = _interface_subnet(svc, request, token)
        if subnet["id"] not in svc.router_subnets[router["id"]]:
            raise ApiError(404, f"Router {router['id']} does not have an interface with id "
                                f"{subnet['id']}", kind="RouterInterfaceNotFoundForSubnet")
        for port_id in list(svc.ports_by_device.get(router["id"], ())):
            port = svc.ports[port_id]
            if port.device_owner == "network:router_interface" and any(
                    s == subnet["id"] for s, _ in port.fixed_ips):
                svc.delete_port(port)
        svc.router_subnets[router["id"]].discard(subnet["id"])
        if subnet["gateway_ip"]:
            svc.pools[subnet["id"]].take(subnet["gateway_ip"], "gateway")
        _touch(svc, router)
        return Response(200, {"id": router["id"], "subnet_id": subnet["id"],
                              "subnet_ids": [subnet["id"]], "port_id": None,
                              "network_id": subnet["network_id"],
                              "project_id": router["project_id"],
                              "tenant_id": router["project_id"]})


# -- quotas -----------------------------------------------------------------------------------
def _quota_project(cloud: SimCloud, request: Request) -> str:
    token = request.authed
    project_id = request.params["project_id"]
    if project_id != token.project_id and not token.is_admin:
        raise ApiError(403, "Non-admin is not authorized to access quotas for another project",
                       kind="HTTPForbidden")
    return project_id


def list_quotas(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/quotas: projects with non-default quotas (admin); own project otherwise."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        projects = list(svc.quotas) if token.is_admin else [
            p for p in svc.quotas if p == token.project_id]
        return Response(200, {"quotas": [dict(svc.limits(p), project_id=p, tenant_id=p)
                                         for p in projects]})


def show_quota(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/quotas/{project_id}."""
    svc = _svc(cloud)
    project_id = _quota_project(cloud, request)
    with cloud.lock:
        return Response(200, {"quota": svc.limits(project_id)})


def quota_details(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/quotas/{project_id}/details: used/limit/reserved per resource."""
    svc = _svc(cloud)
    project_id = _quota_project(cloud, request)
    with cloud.lock:
        limits = svc.limits(project_id)
        used = svc.usage(project_id)
    return Response(200, {"quota": {k: {"limit": limits[k], "used": used.get(k, 0),
                                        "reserved": 0} for k in limits}})


def quota_defaults(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/quotas/{project_id}/default."""
    _quota_project(cloud, request)
    return Response(200, {"quota": dict(DEFAULT_QUOTAS)})


def update_quota(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2.0/quotas/{project_id} (admin)."""
    token = request.authed
    if not token.is_admin:
        raise _forbidden("rule:update_quota")
    body = _body(request, "quota")
    svc = _svc(cloud)
    changes: dict[str, int] = {}
    for key, value in body.items():
        if key == "check_limit":
            continue
        if key not in DEFAULT_QUOTAS:
            raise _bad(f"Unrecognized attribute(s) '{key}'")
        if isinstance(value, bool) or not isinstance(value, int) or value < -1:
            raise _bad(f"Invalid input for {key}. Reason: '{value}' is not an integer "
                       "greater than or equal to -1.", "InvalidInput")
        changes[key] = value
    project_id = request.params["project_id"]
    with cloud.lock:
        svc.quotas.setdefault(project_id, {}).update(changes)
        return Response(200, {"quota": svc.limits(project_id)})


def reset_quota(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2.0/quotas/{project_id} (admin): back to defaults."""
    if not request.authed.is_admin:
        raise _forbidden("rule:delete_quota")
    svc = _svc(cloud)
    with cloud.lock:
        svc.quotas.pop(request.params["project_id"], None)
    return Response(204)

