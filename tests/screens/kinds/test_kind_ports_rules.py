"""Issue 14's last items: a port made with a fixed address (one outside the network's subnets
refused at its field, nothing sent), its security groups changed and its port security turned
off and on from the ports view; security group rules as a list of their own, several deleted
at once with marks."""

from __future__ import annotations

from typing import Any

import openstack
import pytest

from tests.helpers.app import loaded, make_app, notes, screen_text, table, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import demo_id, open_menu, press_and_confirm, run_with_choice, writes
from tests.helpers.osc import osc_parser_for
from tuicloud.cloud.operations.network_parts import PortSpec, create_port_command, subnet_for
from tuicloud.screens.forms.create_port import CreatePortForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def _neutron(sim: RunningSim) -> Any:
    return sim.cloud.service("network")


def test_a_fixed_address_must_be_inside_one_of_the_networks_subnets() -> None:
    subnets = [{"id": "S4", "cidr": "10.0.0.0/24"}, {"id": "S6", "cidr": "2001:db8::/64"}]
    assert subnet_for("10.0.0.50", subnets) == ("S4", None)
    assert subnet_for("2001:db8::50", subnets) == ("S6", None)
    for address, words in [("10.0.1.5", "none of the network's subnets (10.0.0.0/24, "
                                        "2001:db8::/64)"),
                           ("10.0.0.255", "broadcast"), ("ten", "not an IP address")]:
        assert words in str(subnet_for(address, subnets)[1]), address
    assert "no subnet" in str(subnet_for("10.0.0.5", [])[1])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # osc_lib's own, on import
def test_the_port_command_parses_with_the_openstack_cli() -> None:
    spec = PortSpec(name="vip", network_id="N1", network_name="app-net", address="10.0.0.50",
                    subnet_id="S4", port_security=False)
    parser, rest = osc_parser_for(create_port_command(spec))
    parsed = vars(parser.parse_args(rest))
    assert (parsed["name"], parsed["network"]) == ("vip", "app-net")
    assert parsed["fixed_ip"] == [{"subnet": "S4", "ip-address": "10.0.0.50"}]
    assert parsed["disable_port_security"] is True


async def test_a_port_with_a_fixed_ip_and_its_groups(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    demo = demo_id(sim)
    network = next(n for n in neutron.networks.values()
                   if n["project_id"] == demo and n["subnets"])
    cidr = neutron.subnets[network["subnets"][0]]["cidr"]
    wanted = cidr.rsplit(".", 1)[0] + ".77"  # the simcloud's subnets are /24s
    conn = openstack.connect(cloud="simcloud")
    try:
        office = conn.network.create_security_group(name="office")
    finally:
        conn.close()
    app = make_app(view="ports")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreatePortForm), what="form")
        screen = form(app)
        await wait_until(pilot, lambda: bool(screen._networks), what="networks loaded")
        set_field(screen, "name", "vip-web")
        set_field(screen, "network", network["id"])
        set_field(screen, "address", "192.0.2.77")
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "none of the network's subnets"
                         in field_error(screen, "address"), what="refused at the address")
        assert writes(sim, start) == []
        set_field(screen, "address", wanted)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        port = next(p for p in neutron.ports.values() if p.name == "vip-web")
        assert [a for _, a in port.fixed_ips] == [wanted]
        await wait_until(pilot, lambda: grid.get_row(port.id) is not None, what="its row")
        grid.cursor_id = port.id

        await run_with_choice(pilot, app, "add security group", office.id)
        await wait_until(pilot, lambda: office.id in port.security_groups, what="added")
        default = next(g for g in port.security_groups if g != office.id)
        await run_with_choice(pilot, app, "remove security group", default)
        await press_and_confirm(pilot, app, ())
        await wait_until(pilot, lambda: port.security_groups == [office.id], what="removed")

        await open_menu(pilot, app)
        await pilot.press(*"disable port security", "enter")
        await press_and_confirm(pilot, app, ())
        await wait_until(pilot, lambda: not port.port_security_enabled, what="security off")
        assert port.security_groups == []
        await wait_until(pilot, lambda: (grid.get_row(port.id) or {}).get("security") == "no",
                         what="the row says so")
        # With port security off, groups cannot be added: refused before anything is sent.
        await open_menu(pilot, app)
        await pilot.press(*"add security group")
        await wait_until(pilot, lambda: "port security is off: enable it first"
                         in screen_text(app), what="the reason in the menu")
        await pilot.press("escape")
        await open_menu(pilot, app)
        await pilot.press(*"enable port security", "enter")
        await wait_until(pilot, lambda: port.port_security_enabled, what="security on")


async def test_rules_listed_with_their_group_and_deleted_with_marks(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    conn = openstack.connect(cloud="simcloud")
    try:
        group = conn.network.create_security_group(name="marks-test")
        made = [conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", protocol="tcp",
            port_range_min=port, port_range_max=port, remote_ip_prefix="10.1.0.0/16")
            for port in (22, 80, 443)]
    finally:
        conn.close()
    app = make_app(view="security-group-rules")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: all(grid.get_row(r.id) for r in made), what="rows")
        # The group's name comes with the security groups' lookup, after the first page.
        await wait_until(pilot, lambda: (grid.get_row(made[0].id) or {}).get("name")
                         == "marks-test", what="the group by name")
        row = grid.get_row(made[0].id) or {}
        assert (row["name"], row["direction"], row["protocol"], row["ports"],
                row["remote"]) == ("marks-test", "ingress", "tcp", "22", "10.1.0.0/16")
        for rule in made[:2]:
            grid.cursor_id = rule.id
            await pilot.press("space")
        assert grid.marked == {made[0].id, made[1].id}
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: made[0].id not in neutron.sg_rules
                         and made[1].id not in neutron.sg_rules, what="both deleted")
        assert made[2].id in neutron.sg_rules
        await wait_until(pilot, lambda: grid.get_row(made[0].id) is None
                         and grid.get_row(made[1].id) is None, what="rows gone")
        assert not any("rror" in n for n in notes(app))


async def test_rules_view_is_read_only_safe(sim: RunningSim) -> None:
    conn = openstack.connect(cloud="simcloud")
    try:
        group = conn.network.create_security_group(name="ro-test")
        rule = conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", protocol="udp",
            port_range_min=53, port_range_max=53)
    finally:
        conn.close()
    app = make_app(view="security-group-rules", read_only=True)
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: grid.get_row(rule.id) is not None, what="row")
        grid.cursor_id = rule.id
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: any("read-only" in n for n in notes(app)),
                         what="refused")
        assert writes(sim, start) == [] and rule.id in _neutron(sim).sg_rules
        assert table(app) is grid
