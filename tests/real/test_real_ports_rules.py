"""Ports and rules against the rig's Neutron: a port made in the form with a fixed address (one
outside the network refused before sending), a group added and the default removed, port
security turned off (its groups go with it) and on again; then rules of a group listed in the
rules view and two of three deleted with marks. Each read back from Neutron."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, screen_text, table, wait_until
from tests.helpers.forms import field_error, open_form, set_field
from tests.helpers.ops import open_menu, press_and_confirm, run_with_choice
from tests.real import rig
from tuicloud.screens.forms.create_port import CreatePortForm
from tuicloud.screens.resource_list import ResourceListScreen


async def test_port_with_a_fixed_ip_and_its_groups(prefix: str, demo_sdk: Connection) -> None:
    net = demo_sdk.network
    network = net.create_network(name=prefix + "pnet")
    net.create_subnet(network_id=network.id, ip_version=4, cidr="10.83.0.0/24",
                      name=prefix + "psub")
    group = net.create_security_group(name=prefix + "psg")
    name = prefix + "vip"
    app = make_app(cloud="real-demo", view="ports")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, 0, timeout=rig.SLOW)  # the run's project may have none
        screen = await open_form(pilot, app, CreatePortForm, minimum=0)
        await wait_until(pilot, lambda: network.id in screen._networks, timeout=rig.SLOW,
                         what="networks loaded")
        set_field(screen, "name", name)
        set_field(screen, "network", network.id)
        set_field(screen, "address", "10.84.0.50")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "10.83.0.0/24" in field_error(screen, "address"),
                         what="refused at the address")
        set_field(screen, "address", "10.83.0.50")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        port = rig.wait_for(lambda: net.find_port(name), "in Neutron")
        assert [ip["ip_address"] for ip in port.fixed_ips] == ["10.83.0.50"]
        assert port.is_port_security_enabled and len(port.security_group_ids) == 1
        default = port.security_group_ids[0]
        grid = table(app)
        await wait_until(pilot, lambda: grid.get_row(port.id) is not None, timeout=rig.SLOW,
                         what="its row")
        grid.cursor_id = port.id
        await run_with_choice(pilot, app, "add security group", group.id)
        rig.wait_for(lambda: group.id in net.get_port(port.id).security_group_ids, "added")
        await run_with_choice(pilot, app, "remove security group", default)
        await press_and_confirm(pilot, app, ())
        rig.wait_for(lambda: net.get_port(port.id).security_group_ids == [group.id],
                     "default removed")
        await open_menu(pilot, app)
        await pilot.press(*"disable port security", "enter")
        await press_and_confirm(pilot, app, ())
        rig.wait_for(lambda: not net.get_port(port.id).is_port_security_enabled,
                     "port security off")
        assert net.get_port(port.id).security_group_ids == []
        await wait_until(pilot, lambda: (grid.get_row(port.id) or {}).get("security") == "no",
                         timeout=rig.SLOW, what="the row says so")
        await open_menu(pilot, app)
        await pilot.press(*"add security group")
        await wait_until(pilot, lambda: "port security is off" in screen_text(app),
                         what="the reason in the menu")
        await pilot.press("escape")
        await open_menu(pilot, app)
        await pilot.press(*"enable port security", "enter")
        rig.wait_for(lambda: net.get_port(port.id).is_port_security_enabled, "back on")


async def test_rules_deleted_with_marks(prefix: str, demo_sdk: Connection) -> None:
    net = demo_sdk.network
    group = net.create_security_group(name=prefix + "rules")
    made = [net.create_security_group_rule(
        security_group_id=group.id, direction="ingress", protocol="tcp", port_range_min=port,
        port_range_max=port, remote_ip_prefix="10.1.0.0/16") for port in (22, 80, 443)]
    app = make_app(cloud="real-demo", view="security-group-rules")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await wait_until(pilot, lambda: all(grid.get_row(r.id) for r in made)
                         and (grid.get_row(made[0].id) or {}).get("name") == group.name,
                         timeout=rig.SLOW, what="the rules, by their group's name")
        for rule in made[:2]:
            grid.cursor_id = rule.id
            await pilot.press("space")
        await press_and_confirm(pilot, app, ("ctrl+d",))
        rig.wait_for(lambda: {r.id for r in net.security_group_rules(
            security_group_id=group.id)} & {r.id for r in made} == {made[2].id},
            "two of three deleted")
        await wait_until(pilot, lambda: grid.get_row(made[0].id) is None
                         and grid.get_row(made[1].id) is None, timeout=rig.SLOW,
                         what="rows gone")
