"""Subnets and ports as views (issue 14): network and server by name, CIDR, gateway, DHCP,
pools; a port's addresses, MAC, groups and binding; deletes after confirmation, Neutron's 409
for a subnet in use shown in its words, ports Neutron owns greyed with the reason."""

from __future__ import annotations

from typing import Any

import openstack

from tests.helpers.app import loaded, make_app, notes, shown, table, wait_until
from tests.helpers.ops import cell, demo_id, open_detail, press_and_confirm, writes
from tuicloud.screens.detail import DetailScreen
from tuicloud.simcloud import RunningSim


def _neutron(sim: RunningSim) -> Any:
    return sim.cloud.service("network")


async def test_subnets_listed_by_network_and_deleted(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    demo = demo_id(sim)
    mine = [s for s in neutron.subnets.values() if s["project_id"] == demo]
    used = next(s for s in mine if s["name"] == "demo-subnet")
    conn = openstack.connect(cloud="simcloud")
    try:
        spare_net = conn.network.create_network(name="spare-net")
        spare = conn.network.create_subnet(network_id=spare_net.id, ip_version=4,
                                           cidr="10.66.0.0/24", name="spare-subnet")
    finally:
        conn.close()
    app = make_app(view="subnets")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, len(mine) + 1)
        listed = set(grid.visible_ids())
        assert {s["id"] for s in mine} | {spare.id} <= listed
        # Beyond its own, a member sees the subnets of shared and external networks.
        assert all(neutron.subnets[i]["project_id"] == demo or neutron.networks[
            neutron.subnets[i]["network_id"]]["shared"] or neutron.networks[
            neutron.subnets[i]["network_id"]]["router:external"] for i in listed)
        await wait_until(pilot, lambda: cell(grid, used["id"], "network") == "demo-net",
                         what="network by name")
        assert cell(grid, used["id"], "cidr") == used["cidr"]
        assert cell(grid, used["id"], "gateway") == used["gateway_ip"]
        grid.cursor_id = used["id"]
        await open_detail(pilot, app)
        await shown(pilot, app, used["allocation_pools"][0]["start"])
        await pilot.press("escape")
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: any("One or more ports have an IP allocation" in n
                                            for n in notes(app)), what="Neutron's 409")
        assert used["id"] in neutron.subnets
        grid.cursor_id = spare.id
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: grid.get_row(spare.id) is None, what="row gone")
        assert spare.id not in neutron.subnets


async def test_ports_show_what_they_are_plugged_into(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    nova = sim.cloud.service("compute")
    demo = demo_id(sim)
    mine = [p for p in neutron.ports.values() if p.project_id == demo]
    bound = next(p for p in mine if p.device_owner.startswith("compute:"))
    router = next(p for p in mine if p.device_owner == "network:router_interface")
    conn = openstack.connect(cloud="simcloud")
    try:
        spare = conn.network.create_port(network_id=bound.network_id, name="spare-port")
    finally:
        conn.close()
    app = make_app(view="ports")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, len(mine))
        server = nova.servers[bound.device_id]
        await wait_until(pilot, lambda: cell(grid, bound.id, "attached") == server.name,
                         what="server by name")
        assert cell(grid, bound.id, "addresses") == ", ".join(a for _, a in bound.fixed_ips)
        assert cell(grid, bound.id, "mac") == bound.mac_address
        assert cell(grid, router.id, "attached") == "router_interface"
        grid.cursor_id = bound.id
        detail = await open_detail(pilot, app)
        await shown(pilot, app, "Allowed address pairs", bound.mac_address)
        await pilot.press("J")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen is not detail and app.screen.raw is not None,
                         what="the server's detail")
        assert app.screen.kind.name == "servers"  # type: ignore[attr-defined]
        await pilot.press("escape")
        app.goto("ports")
        await wait_until(pilot, lambda: app.current_mode == "ports", what="ports again")
        await pilot.press("escape")  # the port's detail is still on top of its list
        await wait_until(pilot, lambda: not isinstance(app.screen, DetailScreen), what="list")
        grid = table(app)
        grid.cursor_id = router.id
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: any("Neutron owns it" in n for n in notes(app)),
                         what="refused")
        assert writes(sim, start) == []
        await wait_until(pilot, lambda: grid.get_row(spare.id) is not None, what="spare row")
        grid.cursor_id = spare.id
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: grid.get_row(spare.id) is None, what="row gone")
        assert spare.id not in neutron.ports
