"""Security groups (issue 14): a group made in the form, rules added from presets and typed
as the detail shows them (bad ones refused in the prompt, nothing sent), a rule deleted, the
group deleted (the default one cannot be); a server's groups changed from the server, on its
ports too, as Nova does."""

from __future__ import annotations

from typing import Any

import openstack
import pytest

from tests.helpers.app import (
    boot_on,
    loaded,
    make_app,
    network_named,
    notes,
    screen_text,
    table,
    wait_until,
)
from tests.helpers.forms import form, set_field, settle
from tests.helpers.ops import demo_id, open_menu, press_and_confirm, run_with_choice, writes
from tests.helpers.osc import osc_parser_for
from tuicloud.cloud.operations.security_groups import parse_rule, rule_command
from tuicloud.screens.forms.create_security_group import CreateSecurityGroupForm
from tuicloud.screens.prompts import TextPrompt
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def _rules(neutron: Any, group_id: str) -> list[dict[str, Any]]:
    return [r for r in neutron.sg_rules.values() if r["security_group_id"] == group_id]


def test_rules_parse_as_the_detail_writes_them() -> None:
    spec, why = parse_rule("tcp 8000-8080 from 10.0.0.0/8")
    assert why is None and spec is not None
    assert (spec.protocol, spec.low, spec.high, spec.remote_cidr) == ("tcp", 8000, 8080,
                                                                      "10.0.0.0/8")
    spec, _ = parse_rule("egress udp 53 to 2001:db8::/32")
    assert spec is not None and (spec.direction, spec.ethertype) == ("egress", "IPv6")
    spec, _ = parse_rule("any from group {self}", "G1")
    assert spec is not None and (spec.protocol, spec.remote_group) == (None, "G1")
    for bad, words in [("", "protocol"), ("icmp 22", "only tcp and udp"),
                       ("tcp 0", "1 to 65535"), ("tcp 90-80", "low before high"),
                       ("tcp 22 from nowhere", "not an address"),
                       ("tcp 22 from 1.2.3.4 and more", "unexpected")]:
        assert words in str(parse_rule(bad)[1]), bad


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # osc_lib's own, on import
def test_rule_commands_parse_with_the_openstack_cli() -> None:
    spec, _ = parse_rule("tcp 8000-8080 from 10.0.0.0/8")
    assert spec is not None
    parser, rest = osc_parser_for(rule_command(spec, "G1"))
    parsed = vars(parser.parse_args(rest))
    assert (parsed["group"], parsed["protocol"], parsed["remote_ip"]) == ("G1", "tcp",
                                                                          "10.0.0.0/8")
    assert parsed["dst_port"] == (8000, 8080)


async def test_a_group_made_ruled_pruned_and_deleted(sim: RunningSim) -> None:
    neutron = sim.cloud.service("network")
    app = make_app(view="security-groups")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateSecurityGroupForm),
                         what="form")
        screen = form(app)
        set_field(screen, "name", "web")
        set_field(screen, "description", "front end")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        group = next(g for g in neutron.security_groups.values() if g["name"] == "web"
                     and g["description"] == "front end")
        await wait_until(pilot, lambda: grid.get_row(group["id"]) is not None, what="row")
        grid.cursor_id = group["id"]
        await run_with_choice(pilot, app, "preset rule", "tcp 22 from 0.0.0.0/0")
        await wait_until(pilot, lambda: any(r["port_range_min"] == 22
                                            for r in _rules(neutron, group["id"])),
                         what="SSH rule")
        await run_with_choice(pilot, app, "preset rule", "any from group {self}")
        await wait_until(pilot, lambda: any(r["remote_group_id"] == group["id"]
                                            for r in _rules(neutron, group["id"])),
                         what="from its own members")
        # Typed: a bad rule stays in the prompt, nothing sent; a good one is added.
        await open_menu(pilot, app)
        await pilot.press(*"custom rule", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        start = len(sim.cloud.request_log)
        await pilot.press(*["backspace"] * 30, *"tcp 99999", "enter")
        await wait_until(pilot, lambda: "1 to 65535" in screen_text(app), what="refused")
        assert isinstance(app.screen, TextPrompt) and writes(sim, start) == []
        await pilot.press(*["backspace"] * 30, *"tcp 8000-8080 from 10.0.0.0/8", "enter")
        await wait_until(pilot, lambda: any(r["remote_ip_prefix"] == "10.0.0.0/8"
                                            for r in _rules(neutron, group["id"])),
                         what="typed rule")
        ssh = next(r for r in _rules(neutron, group["id"]) if r["port_range_min"] == 22)
        await run_with_choice(pilot, app, "delete a rule", ssh["id"])
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen",
                         what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: ssh["id"] not in neutron.sg_rules, what="rule gone")
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: grid.get_row(group["id"]) is None, what="row gone")
        assert group["id"] not in neutron.security_groups
        default = next(g for g in neutron.security_groups.values()
                       if g["name"] == "default" and g["project_id"] == demo_id(sim))
        grid.cursor_id = default["id"]
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: any("default group cannot be deleted" in n
                                            for n in notes(app)), what="refused")
        assert writes(sim, start) == [] and default["id"] in neutron.security_groups


async def test_a_servers_groups_change_on_its_ports(sim: RunningSim) -> None:
    neutron = sim.cloud.service("network")
    conn = openstack.connect(cloud="simcloud")
    try:
        conn.network.create_security_group(name="office")
        server = boot_on(conn, network_named(conn, "demo-net").id)
    finally:
        conn.close()
    office = next(g for g in neutron.security_groups.values() if g["name"] == "office")
    app = make_app(view="servers")
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("r")
        grid = table(app)
        await wait_until(pilot, lambda: grid.get_row(server.id) is not None, what="row")
        grid.cursor_id = server.id
        await run_with_choice(pilot, app, "add security", "office")
        ports = [neutron.ports[p] for p in neutron.ports_by_device[server.id]]
        await wait_until(pilot, lambda: all(office["id"] in p.security_groups for p in ports),
                         what="on its port")
        await run_with_choice(pilot, app, "remove security", "office")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen",
                         what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: all(office["id"] not in p.security_groups
                                            for p in ports), what="off its port")
