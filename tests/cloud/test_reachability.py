"""`why` in the cloud layer, against simcloud over HTTP (issue 14): each broken link of an SSH
path (server SHUTOFF, no floating IP, no router, a router without a gateway, no rule, a rule
from another source, no key pair) is found with the resource and why, its one-action fix is
offered, and once applied the link reads ✓; port security off and a shared network's router
are said as they are; read-only refuses every fix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openstack
import pytest
from openstack.connection import Connection

from tests.helpers.app import boot_on, network_named
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import ReadOnlyError
from tuicloud.cloud.reachability import Link, check_reachability, local_address
from tuicloud.simcloud import RunningSim

SOURCE = "198.51.100.7"


@pytest.fixture
def conn(sim: RunningSim) -> Iterator[Connection]:
    connection = openstack.connect(cloud="simcloud")
    yield connection
    connection.close()


@pytest.fixture
def session(sim: RunningSim) -> Iterator[CloudSession]:
    with CloudSession.connect("simcloud") as opened:
        yield opened


def link(links: list[Link], name: str) -> Link:
    return next(found for found in links if found.name == name)


def check(session: CloudSession, server: Any) -> list[Link]:
    return check_reachability(session, server.id, SOURCE)


def test_no_floating_ip_then_no_rule_each_fixed(conn: Connection,
                                                 session: CloudSession) -> None:
    key = conn.compute.create_keypair(name="why-key")
    server = boot_on(conn, network_named(conn, "demo-net").id, key_name=key.name)
    links = check(session, server)
    assert [x.verdict for x in links] == ["ok", "ok", "broken", "ok", "broken", "ok"], links
    assert "demo-router routes subnet" in link(links, "Router").detail
    address = link(links, "Address")
    assert address.detail.endswith("has no floating IP") and address.fix is not None
    assert address.fix.command[:5] == ["openstack", "floating", "ip", "create", "--port"]
    address.fix.run(session)
    rules = link(check(session, server), "Rules")
    assert link(check(session, server), "Address").verdict == "ok"
    assert rules.detail == f"no rule allows tcp 22 from {SOURCE}" and rules.fix is not None
    rules.fix.run(session)
    again = check(session, server)
    assert all(x.verdict == "ok" for x in again), again
    assert link(again, "Rules").detail.endswith(f"allows tcp 22 from {SOURCE}/32")
    assert link(again, "Key pair").detail == "why-key"
    # Another port is another question: 2222 is not allowed.
    assert link(check_reachability(session, server.id, SOURCE, 2222), "Rules").verdict == \
        "broken"


def test_a_rule_from_another_source_is_named(conn: Connection,
                                             session: CloudSession) -> None:
    group = conn.network.create_security_group(name="office-ssh")
    conn.network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", ethertype="IPv4", protocol="tcp",
        port_range_min=22, port_range_max=22, remote_ip_prefix="10.0.0.0/8")
    server = boot_on(conn, network_named(conn, "demo-net").id,
                     security_groups=[{"name": "office-ssh"}])
    rules = link(check(session, server), "Rules")
    assert rules.verdict == "broken"
    assert rules.detail == "office-ssh allows it only from 10.0.0.0/8"
    assert link(check_reachability(session, server.id, "10.1.2.3"), "Rules").verdict == "ok"


def test_no_router_then_a_router_without_gateway_each_fixed(
        conn: Connection, session: CloudSession) -> None:
    isolated = network_named(conn, "demo-isolated")
    server = boot_on(conn, isolated.id)
    router = link(check(session, server), "Router")
    assert router.verdict == "broken"
    assert router.detail == "no router serves subnet demo-isolated-subnet"
    assert router.fix is not None and router.fix.command[:4] == ["openstack", "router", "add",
                                                                 "subnet"]
    router.fix.run(session)
    assert link(check(session, server), "Router").verdict == "ok"
    # A router of its own without a gateway.
    net = conn.network.create_network(name="why-net")
    subnet = conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.55.0.0/24",
                                        name="why-subnet")
    bare = conn.network.create_router(name="why-router")
    conn.network.add_interface_to_router(bare, subnet_id=subnet.id)
    other = boot_on(conn, net.id)
    links = check(session, other)
    router = link(links, "Router")
    assert (router.verdict, router.detail) == ("broken", "why-router has no external gateway")
    assert link(links, "Address").fix is None  # no floating IP can reach it yet
    assert router.fix is not None
    router.fix.run(session)
    links = check(session, other)
    assert link(links, "Router").verdict == "ok"
    assert link(links, "Address").fix is not None


def test_shutoff_server_is_started_by_its_fix(conn: Connection,
                                              session: CloudSession) -> None:
    server = boot_on(conn, network_named(conn, "demo-net").id)
    conn.compute.stop_server(server)
    conn.compute.wait_for_server(server, status="SHUTOFF", interval=0.1, wait=30)
    found = link(check(session, server), "Server")
    assert found.verdict == "broken" and found.detail.endswith("is SHUTOFF")
    assert found.fix is not None
    found.fix.run(session)
    conn.compute.wait_for_server(server, status="ACTIVE", interval=0.1, wait=30)
    assert link(check(session, server), "Server").verdict == "ok"


def test_port_security_off_and_a_shared_network_are_said_as_they_are(
        conn: Connection, session: CloudSession) -> None:
    port = conn.network.create_port(network_id=network_named(conn, "demo-net").id,
                                    port_security_enabled=False, security_groups=[])
    server = boot_on(conn, port_id=port.id)
    rules = link(check(session, server), "Rules")
    assert rules.verdict == "ok" and "port security off" in rules.detail
    shared = boot_on(conn, network_named(conn, "private").id)
    links = check(session, shared)
    assert link(links, "Router").verdict in ("unknown", "ok")  # admin's router: not visible
    assert link(links, "Key pair").verdict == "broken"


def test_read_only_refuses_every_fix(conn: Connection, sim: RunningSim) -> None:
    server = boot_on(conn, network_named(conn, "demo-isolated").id)
    conn.compute.stop_server(server)
    conn.compute.wait_for_server(server, status="SHUTOFF", interval=0.1, wait=30)
    with CloudSession.connect("simcloud", read_only=True) as read_only:
        fixes = [x.fix for x in check_reachability(read_only, server.id, SOURCE) if x.fix]
        assert len(fixes) >= 2
        start = len(sim.cloud.request_log)
        for fix in fixes:
            with pytest.raises(ReadOnlyError):
                fix.run(read_only)
        assert all(r.method in ("GET", "HEAD") or r.service == "identity"
                   for r in list(sim.cloud.request_log)[start:])


def test_the_local_address_is_the_route_to_the_cloud(session: CloudSession) -> None:
    assert local_address(session) == "127.0.0.1"  # simcloud listens on 127.0.0.1
