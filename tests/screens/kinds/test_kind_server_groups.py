"""Server groups, a kind added as declarations (issue 12): listed with policy and members by
name, detail, created in a form with a policy and rule (both body shapes Nova has had), deleted
after confirmation; read-only refuses the form."""

from __future__ import annotations

from tests.helpers.app import loaded, make_app, notes, screen_text, shown, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import cell, demo_id, open_detail, writes
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.operations.server_groups import ServerGroupSpec, server_group_body
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_server_group import CreateServerGroupForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


async def test_server_groups_show_policy_and_members_by_name(sim: RunningSim) -> None:
    nova = sim.cloud.service("compute")
    demo = demo_id(sim)
    groups = [g for g in nova.server_groups.values() if g["project_id"] == demo]
    held = next(g for g in groups if g["members"])
    names = [nova.servers[m].name for m in held["members"]]
    app = make_app(view="sgr")
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app, len(groups))
        assert cell(grid, held["id"], "policy") == held["policy"]
        assert cell(grid, held["id"], "members") == str(len(names))
        await wait_until(pilot, lambda: all(name in cell(grid, held["id"], "servers")
                                            for name in names), what="members by name")
        grid.cursor_id = held["id"]
        await open_detail(pilot, app)
        await shown(pilot, app, *(each for pair in zip(held["members"], names, strict=True)
                                  for each in pair))


async def test_server_group_create_form_checks_the_rule_then_creates(sim: RunningSim) -> None:
    nova = sim.cloud.service("compute")
    app = make_app(view="server-groups")
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateServerGroupForm),
                         what="form")
        screen = form(app)
        set_field(screen, "name", "cache-spread")
        set_field(screen, "policy", "affinity")
        set_field(screen, "max_per_host", "2")
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "anti-affinity" in field_error(screen, "max_per_host"),
                         what="the rule refused for affinity")
        assert app.screen is screen and writes(sim, start) == []
        set_field(screen, "policy", "anti-affinity")
        await settle(pilot)
        await wait_until(pilot, lambda: "--rule max_server_per_host=2" in screen_text(app),
                         what="the command with the rule")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        made = next(g for g in nova.server_groups.values() if g["name"] == "cache-spread")
        assert made["policy"] == "anti-affinity"
        assert made["rules"] == {"max_server_per_host": 2}
        await wait_until(pilot, lambda: grid.get_row(made["id"]) is not None, what="new row")
        grid.cursor_id = made["id"]
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown(pilot, app, f"openstack server group delete {made['id']}")
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row(made["id"]) is None, what="row gone")
        assert made["id"] not in nova.server_groups


async def test_server_group_form_refuses_a_bad_name_and_read_only_refuses_the_form(
        sim: RunningSim) -> None:
    app = make_app(view="server-groups")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateServerGroupForm),
                         what="form")
        screen = form(app)
        set_field(screen, "name", " padded ")
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "space" in field_error(screen, "name"), what="error")
        assert writes(sim, start) == []
    app = make_app(view="server-groups", read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: any("Read-only" in n for n in notes(app)),
                         what="refusal")
        assert isinstance(app.screen, ResourceListScreen)


def test_pre_2_64_bodies_name_the_policy_in_a_list(sim: RunningSim) -> None:
    """Before compute 2.64 Nova takes ``policies: [P]`` and no rules: the body for an old cloud
    is accepted by simcloud speaking 2.63, and the group comes back with that policy."""
    spec = ServerGroupSpec(name="old-style", policy="soft-anti-affinity")
    assert server_group_body(spec, rules=False) == {
        "server_group": {"name": "old-style", "policies": ["soft-anti-affinity"]}}
    with CloudSession.connect("simcloud") as session:
        body, _ = session.request("POST", "compute", "/os-server-groups",
                                  json=server_group_body(spec, rules=False),
                                  microversion="2.63", description="create server group")
    assert body["server_group"]["policies"] == ["soft-anti-affinity"]
