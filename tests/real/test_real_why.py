"""`why` against the rig: the same links and fixes as on simcloud, read off real Nova and
Neutron (Nova puts the server's groups on the port it makes; Neutron's routers, interfaces and
floating IPs are database objects here, which is all `why` reads)."""

from __future__ import annotations

from openstack.connection import Connection

from tests.real import rig
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.reachability import Link, check_reachability

SOURCE = "198.51.100.7"


def _link(links: list[Link], name: str) -> Link:
    return next(found for found in links if found.name == name)


def test_why_finds_and_fixes_the_address_and_the_rule(
        demo_sdk: Connection, routed_server: tuple[str, str, str]) -> None:
    server, port, fixed = routed_server
    with CloudSession.connect("real-demo") as session:
        links = check_reachability(session, server, SOURCE)
        assert [x.verdict for x in links] == ["ok", "ok", "broken", "ok", "broken", "broken"]
        assert _link(links, "Address").detail == f"{fixed} has no floating IP"
        assert _link(links, "Key pair").detail.startswith("the server was booted without")
        fix = _link(links, "Address").fix
        assert fix is not None
        fix.run(session)
        bound = rig.wait_for(lambda: next(iter(demo_sdk.network.ips(port_id=port)), None),
                             "the address in Neutron")
        demo_sdk.network.update_ip(bound, description=f"{server[:8]}-why")  # for the sweep
        links = check_reachability(session, server, SOURCE)
        assert _link(links, "Address").verdict == "ok"
        rules = _link(links, "Rules")
        assert rules.detail == f"no rule allows tcp 22 from {SOURCE}" and rules.fix
        rules.fix.run(session)
        links = check_reachability(session, server, SOURCE)
        assert _link(links, "Rules").verdict == "ok"
        assert _link(links, "Rules").detail.endswith(f"allows tcp 22 from {SOURCE}/32")
        # The rule went into the project's default group: take it out again.
        for rule in demo_sdk.network.security_group_rules(remote_ip_prefix=f"{SOURCE}/32"):
            demo_sdk.network.delete_security_group_rule(rule)
    demo_sdk.network.delete_ip(bound)


def test_why_offers_the_router_for_a_subnet_without_one(
        prefix: str, demo_sdk: Connection, routed_server: tuple[str, str, str]) -> None:
    net = demo_sdk.network
    lonely = net.create_network(name=prefix + "lonely")
    subnet = net.create_subnet(network_id=lonely.id, name=prefix + "lonely-subnet",
                               ip_version=4, cidr="10.79.0.0/24")
    image = demo_sdk.image.find_image("fake-image", ignore_missing=False)
    flavor = demo_sdk.compute.find_flavor("m1.tiny", ignore_missing=False)
    made = demo_sdk.compute.create_server(name=prefix + "lonely-vm", image_id=image.id,
                                          flavor_id=flavor.id, networks=[{"uuid": lonely.id}])
    rig.server_status(demo_sdk, made.id, "ACTIVE")
    with CloudSession.connect("real-demo") as session:
        router = _link(check_reachability(session, made.id, SOURCE), "Router")
        assert (router.verdict, router.detail) == (
            "broken", f"no router serves subnet {prefix}lonely-subnet")
        assert router.fix is not None
        router.fix.run(session)
        assert _link(check_reachability(session, made.id, SOURCE), "Router").verdict == "ok"
    rig.delete_server(demo_sdk, made.id)
    found = net.find_router(prefix + "router")
    net.remove_interface_from_router(found, subnet_id=subnet.id)
