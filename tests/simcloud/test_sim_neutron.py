"""simcloud's Neutron v2.0 through the real openstacksdk (and a raw look at the shapes)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from openstack import exceptions as sdk_exc
from openstack.connection import Connection

from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud

# One simcloud for the module (tests make their own resources).
MODULE_SIMCLOUD = SimConfig(servers=12, volumes=4, images=4, build_delay=0.2,
                            action_delay=0.2)

V2 = "/networking/v2.0"


def raw(msim: RunningSim, conn: Connection, method: str, path: str,
        **kwargs: Any) -> requests.Response:
    """A plain HTTP call with the connection's token."""
    headers = {"X-Auth-Token": conn.session.get_token(), **kwargs.pop("headers", {})}
    return requests.request(method, msim.server.url + path, headers=headers, timeout=30,
                            **kwargs)


def _error(response: requests.Response, status: int, kind: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["NeutronError"]
    assert error["type"] == kind and error["detail"] == ""
    return str(error["message"])


def test_discovery_and_extensions(msim: RunningSim, conn: Connection) -> None:
    versions = requests.get(msim.server.url + "/networking", timeout=10).json()["versions"]
    assert versions[0]["id"] == "v2.0" and versions[0]["status"] == "CURRENT"
    collections = {r["collection"] for r in requests.get(msim.server.url + V2, timeout=10
                                                         ).json()["resources"]}
    assert {"networks", "subnets", "ports", "floatingips"} <= collections
    aliases = {e.alias for e in conn.network.extensions()}
    assert {"standard-attr-description", "security-group", "router", "external-net",
            "port-security", "tag", "quotas", "availability_zone"} <= aliases
    assert conn.network.find_extension("router") is not None
    assert raw(msim, conn, "GET", f"{V2}/extensions/nope").status_code == 404


def test_networks_subnets_visibility_and_shapes(msim: RunningSim, conn: Connection,
                                               admin: Connection) -> None:
    names = {n.name: n for n in conn.network.networks()}
    assert {"public", "private", "demo-net", "demo-isolated"} == set(names)
    assert names["public"].is_router_external and not names["public"].is_shared
    assert names["private"].is_shared
    assert "ops-net" in {n.name for n in admin.network.networks()}
    externals = [n.name for n in conn.network.networks(is_router_external=True)]
    assert externals == ["public"]
    doc = raw(msim, conn, "GET", f"{V2}/networks/{names['demo-net'].id}").json()["network"]
    for key in ("id", "name", "project_id", "tenant_id", "shared", "router:external", "status",
                "subnets", "mtu", "admin_state_up", "port_security_enabled", "created_at",
                "revision_number", "availability_zones", "tags", "description"):
        assert key in doc, key
    only = raw(msim, conn, "GET", f"{V2}/networks", params={"fields": ["id", "name"]}).json()
    assert all(set(n) == {"id", "name"} for n in only["networks"])
    subnets = {s.name: s for s in conn.network.subnets()}
    assert subnets["private-subnet"].cidr == "10.0.0.0/16"
    assert subnets["demo-subnet"].gateway_ip == "192.168.10.1"
    page = raw(msim, conn, "GET", f"{V2}/networks", params={"limit": 1}).json()
    assert len(page["networks"]) == 1
    assert page["networks_links"][0]["rel"] == "next"
    walked = [n.name for n in conn.network.networks(limit=1)]
    assert sorted(walked) == sorted(names)
    message = _error(raw(msim, conn, "GET", f"{V2}/networks/nope"), 404, "NetworkNotFound")
    assert message == "Network nope could not be found."
    _error(raw(msim, conn, "GET", f"{V2}/networks", params={"colour": "red"}), 400,
           "HTTPBadRequest")
    _error(raw(msim, conn, "POST", f"{V2}/networks", data="{bad json",
               headers={"Content-Type": "application/json"}), 400, "HTTPBadRequest")


def test_network_create_subnet_delete(conn: Connection) -> None:
    net = conn.network.create_network(name="lab")
    subnet = conn.network.create_subnet(network_id=net.id, cidr="172.30.0.0/24",
                                        ip_version=4, name="lab-subnet")
    assert subnet.gateway_ip == "172.30.0.1"
    assert subnet.allocation_pools == [{"start": "172.30.0.2", "end": "172.30.0.254"}]
    with pytest.raises(sdk_exc.BadRequestException):
        conn.network.create_subnet(network_id=net.id, cidr="172.30.0.128/25", ip_version=4)
    with pytest.raises(sdk_exc.BadRequestException):
        conn.network.create_subnet(network_id=net.id, cidr="not-a-cidr", ip_version=4)
    with pytest.raises(sdk_exc.ForbiddenException):
        conn.network.create_network(name="nope", shared=True)
    port = conn.network.create_port(network_id=net.id)
    with pytest.raises(sdk_exc.ConflictException):
        conn.network.delete_network(net)
    conn.network.delete_port(port)
    conn.network.delete_network(net)  # the DHCP port and the subnet go with it
    assert conn.network.find_network("lab") is None


def test_ports_create_update_filter_and_errors(msim: RunningSim, conn: Connection) -> None:
    net = conn.network.find_network("demo-net", ignore_missing=False)
    subnet_id = net.subnet_ids[0]
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    port = conn.network.create_port(network_id=net.id, name="app-0",
                                    fixed_ips=[{"subnet_id": subnet_id,
                                                "ip_address": "192.168.10.50"}])
    assert port.fixed_ips == [{"subnet_id": subnet_id, "ip_address": "192.168.10.50"}]
    assert port.status == "DOWN" and port.mac_address.startswith("fa:16:3e:")
    assert len(port.security_group_ids) == 1  # the project's default group
    taken = raw(msim, conn, "POST", f"{V2}/ports", json={"port": {
        "network_id": net.id, "fixed_ips": [{"ip_address": "192.168.10.50"}]}})
    message = _error(taken, 409, "IpAddressAlreadyAllocated")
    assert message == f"IP address 192.168.10.50 already allocated in subnet {subnet_id}"
    outside = raw(msim, conn, "POST", f"{V2}/ports", json={"port": {
        "network_id": net.id, "fixed_ips": [{"ip_address": "10.9.9.9"}]}})
    _error(outside, 400, "InvalidIpForNetwork")  # no subnet named: none of them holds it
    _error(raw(msim, conn, "POST", f"{V2}/ports", json={"port": {"network_id": "nope"}}), 404,
           "NetworkNotFound")
    updated = conn.network.update_port(port, name="app-1", device_id="dev-1",
                                       device_owner="compute:nova")
    assert updated.name == "app-1" and updated.device_id == "dev-1"
    by_device = list(conn.network.ports(device_id="dev-1"))
    assert [p.id for p in by_device] == [port.id]
    by_ip = list(conn.network.ports(fixed_ips=["ip_address=192.168.10.50"]))
    assert [p.id for p in by_ip] == [port.id]
    assert list(conn.network.ports(network_id=net.id, device_owner="compute:nova"))
    changed = raw(msim, conn, "GET", f"{V2}/ports", params={"changed_since": since}).json()
    assert port.id in {p["id"] for p in changed["ports"]}
    later = raw(msim, conn, "GET", f"{V2}/ports", params={"changed_since": "2999-01-01T00:00:00"})
    assert later.json()["ports"] == []
    assert "binding:host_id" not in raw(msim, conn, "GET", f"{V2}/ports/{port.id}"
                                        ).json()["port"]
    conn.network.delete_port(port)
    _error(raw(msim, conn, "GET", f"{V2}/ports/{port.id}"), 404, "PortNotFound")


def test_floating_ip_associate_shows_on_server(msim: RunningSim, conn: Connection) -> None:
    public = conn.network.find_network("public", ignore_missing=False)
    net = conn.network.find_network("demo-net", ignore_missing=False)
    port = conn.network.create_port(network_id=net.id, name="fip-target")
    fip = conn.network.create_ip(floating_network_id=public.id, description="test")
    assert fip.status == "DOWN" and fip.port_id is None
    assert fip.floating_ip_address.startswith("172.24.")
    fip = conn.network.update_ip(fip, port_id=port.id)
    assert fip.status == "ACTIVE" and fip.fixed_ip_address == port.fixed_ips[0]["ip_address"]
    assert fip.router_id is not None
    shown = raw(msim, conn, "GET", f"{V2}/floatingips/{fip.id}").json()["floatingip"]
    assert shown["port_details"]["network_id"] == net.id
    network = msim.cloud.service("network")
    assert network.floating_ips_for_port(port.id) == [fip.floating_ip_address]
    assert [f.id for f in conn.network.ips(port_id=port.id)] == [fip.id]
    fip = conn.network.update_ip(fip, port_id=None)
    assert fip.status == "DOWN" and network.floating_ips_for_port(port.id) == []
    isolated = conn.network.find_network("demo-isolated", ignore_missing=False)
    lonely = conn.network.create_port(network_id=isolated.id)
    answer = raw(msim, conn, "PUT", f"{V2}/floatingips/{fip.id}",
                 json={"floatingip": {"port_id": lonely.id}})
    _error(answer, 404, "ExternalGatewayForFloatingIPNotFound")
    private = conn.network.find_network("private", ignore_missing=False)
    _error(raw(msim, conn, "POST", f"{V2}/floatingips",
               json={"floatingip": {"floating_network_id": private.id}}), 400, "BadRequest")
    # Through nova: a server's port gets the floating IP and the server shows it.
    servers = [s for s in conn.compute.servers() if s.status == "ACTIVE"]
    if not servers or not list(conn.network.ports(device_id=servers[0].id)):
        pytest.skip("nova has no active server with a port yet")
    server_port = list(conn.network.ports(device_id=servers[0].id))[0]
    for other in conn.network.ips(port_id=server_port.id):
        conn.network.update_ip(other, port_id=None)
    conn.network.update_ip(fip, port_id=server_port.id)
    addresses = conn.compute.get_server(servers[0].id).addresses
    floating = [a["addr"] for entries in addresses.values() for a in entries
                if a.get("OS-EXT-IPS:type") == "floating"]
    assert floating == [fip.floating_ip_address]
    conn.network.delete_ip(fip)
    assert conn.network.find_ip(fip.id) is None


def test_security_groups_and_rules(msim: RunningSim, conn: Connection) -> None:
    groups = {g.name: g for g in conn.network.security_groups()}
    assert {"default", "web"} <= set(groups)
    assert len(groups["default"].security_group_rules) == 4
    group = conn.network.create_security_group(name="db", description="database")
    assert sorted((r["direction"], r["ethertype"]) for r in group.security_group_rules) == [
        ("egress", "IPv4"), ("egress", "IPv6")]
    rule = conn.network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", ethertype="IPv4", protocol="tcp",
        port_range_min=5432, port_range_max=5432, remote_ip_prefix="10.0.0.0/16")
    assert rule.port_range_min == 5432
    again = raw(msim, conn, "POST", f"{V2}/security-group-rules", json={"security_group_rule": {
        "security_group_id": group.id, "direction": "ingress", "ethertype": "IPv4",
        "protocol": "tcp", "port_range_min": 5432, "port_range_max": 5432,
        "remote_ip_prefix": "10.0.0.0/16"}})
    assert _error(again, 409, "SecurityGroupRuleExists").endswith(f"Rule id is {rule.id}.")
    _error(raw(msim, conn, "POST", f"{V2}/security-group-rules", json={"security_group_rule": {
        "security_group_id": group.id, "direction": "sideways"}}), 400, "InvalidInput")
    rules = list(conn.network.security_group_rules(security_group_id=group.id))
    assert len(rules) == 3
    _error(raw(msim, conn, "DELETE", f"{V2}/security-groups/{groups['default'].id}"), 409,
           "SecurityGroupCannotRemoveDefault")
    net = conn.network.find_network("demo-net", ignore_missing=False)
    port = conn.network.create_port(network_id=net.id, security_group_ids=[group.id])
    _error(raw(msim, conn, "DELETE", f"{V2}/security-groups/{group.id}"), 409,
           "SecurityGroupInUse")
    conn.network.delete_port(port)
    conn.network.delete_security_group_rule(rule)
    conn.network.delete_security_group(group)
    _error(raw(msim, conn, "GET", f"{V2}/security-groups/{group.id}"), 404,
           "SecurityGroupNotFound")
    network = msim.cloud.service("network")
    demo = msim.cloud.service("identity").project_by_name("demo").id
    with msim.cloud.lock:
        assert network.security_group_name(network.security_group_id(demo, "web")) == "web"
        with pytest.raises(Exception, match="Security group nope not found for project"):
            network.security_group_id(demo, "nope")


def test_quotas(msim: RunningSim, conn: Connection, admin: Connection) -> None:
    demo = conn.current_project_id
    details = conn.network.get_quota(demo, details=True)
    assert details.networks["used"] >= 2 and details.networks["limit"] == 100
    assert details.floating_ips["limit"] == 50
    other = admin.current_project_id
    _error(raw(msim, conn, "GET", f"{V2}/quotas/{other}"), 403, "HTTPForbidden")
    admin.network.update_quota(demo, networks=details.networks["used"])
    try:
        over = raw(msim, conn, "POST", f"{V2}/networks", json={"network": {"name": "x"}})
        assert _error(over, 409, "OverQuota") == "Quota exceeded for resources: ['network']."
    finally:
        admin.network.delete_quota(demo)
    assert conn.network.get_quota(demo).networks == 100
    assert raw(msim, conn, "PUT", f"{V2}/quotas/{demo}",
               json={"quota": {"network": 1}}).status_code == 403


def test_routers_minimal(conn: Connection) -> None:
    routers = {r.name: r for r in conn.network.routers()}
    assert set(routers) == {"demo-router"}
    gateway = routers["demo-router"].external_gateway_info
    assert gateway["external_fixed_ips"][0]["ip_address"].startswith("172.24.")


def test_allocate_port_scale_and_paging() -> None:
    """50,000 ports through the contract stay fast, and deep pages cost O(page)."""
    with run_simcloud(SimConfig(servers=0, volumes=0, images=1)) as running:
        cloud = running.cloud
        network = cloud.service("network")
        demo = cloud.service("identity").project_by_name("demo").id
        start = time.perf_counter()
        with cloud.lock:
            net = network.default_network_id(demo)
            for index in range(50_000):
                network.allocate_port(demo, net, f"server-{index}")
        # Quadratic allocation would take minutes; loose bound for shared machines.
        assert time.perf_counter() - start < 30.0
        with cloud.lock:
            ports = network.ports_for_device("server-49999")
            marker = network.ports_for_device("server-49000")[0]["id"]
        assert ports[0]["fixed_ips"][0]["ip_address"].startswith("10.0.")
        token = requests.post(running.auth_url + "/auth/tokens", timeout=10, json={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"},
                "password": "simcloud-admin-pass"}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
        ).headers["X-Subject-Token"]
        start = time.perf_counter()
        deep = requests.get(running.server.url + f"{V2}/ports", timeout=10,
                            params={"limit": 50, "marker": marker},
                            headers={"X-Auth-Token": token})
        assert time.perf_counter() - start < 5.0  # loose: shared machines
        body = deep.json()
        assert len(body["ports"]) == 50 and body["ports_links"][0]["rel"] == "next"
        assert body["ports"][0]["device_id"] == "server-49001"
        with cloud.lock:
            network.release_ports("server-49999")
            assert network.ports_for_device("server-49999") == []
