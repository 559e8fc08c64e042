"""Routers as a view (issue 14): gateway network by name and its addresses, interfaces in the
detail; created in a form with or without a gateway; gateway set and cleared, subnet
interfaces added and removed from pickers; delete refused, naming the subnets, while
interfaces remain; read-only refuses the form."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.app import loaded, make_app, notes, screen_text, shown, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import (
    cell,
    demo_id,
    open_detail,
    open_menu,
    press_and_confirm,
    run_with_choice,
    writes,
)
from tests.helpers.osc import osc_parser_for
from tuicloud.cloud.operations.routers import create_router_command
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_router import CreateRouterForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def _neutron(sim: RunningSim) -> Any:
    return sim.cloud.service("network")


async def test_routers_show_their_gateway_and_interfaces(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    demo = demo_id(sim)
    mine = [r for r in neutron.routers.values() if r["project_id"] == demo]
    router = next(r for r in mine if r["external_gateway_info"])
    addresses = [ip["ip_address"] for ip in router["external_gateway_info"]["external_fixed_ips"]]
    app = make_app(view="routers")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, len(mine))
        assert set(grid.visible_ids()) == {r["id"] for r in mine}
        await wait_until(pilot, lambda: cell(grid, router["id"], "gateway") == "public",
                         what="the gateway by name")
        assert cell(grid, router["id"], "gateway_ips") == ", ".join(addresses)
        grid.cursor_id = router["id"]
        await open_detail(pilot, app)
        subnets = [neutron.subnets[s]["name"] for s in neutron.router_subnets[router["id"]]]
        assert subnets
        await shown(pilot, app, *subnets, "External gateway", addresses[0])


async def test_create_wire_refuse_delete_unwire_delete(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    public = next(n for n in neutron.networks.values() if n["router:external"])
    lonely = next(s for s in neutron.subnets.values() if s["name"] == "demo-isolated-subnet")
    app = make_app(view="routers")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateRouterForm)
                         and bool(app.screen._networks), what="form")
        screen = form(app)
        set_field(screen, "name", "edge")
        set_field(screen, "gateway", public["id"])
        await settle(pilot)
        await wait_until(pilot, lambda: f"openstack router create --external-gateway "
                         f"{public['id']} edge" in screen_text(app), what="command")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        made = next(r for r in neutron.routers.values() if r["name"] == "edge")
        assert made["external_gateway_info"]["network_id"] == public["id"]
        await wait_until(pilot, lambda: grid.get_row(made["id"]) is not None, what="new row")
        grid.cursor_id = made["id"]
        await run_with_choice(pilot, app, "add subnet", lonely["id"])
        await wait_until(pilot, lambda: lonely["id"] in neutron.router_subnets[made["id"]],
                         what="interface added")
        # Delete is refused with the subnet named, and nothing is sent.
        start = len(sim.cloud.request_log)
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: any("still has 1 interface (subnet "
                                            "demo-isolated-subnet)" in n for n in notes(app)),
                         what="refusal")
        assert writes(sim, start) == [] and made["id"] in neutron.routers
        await run_with_choice(pilot, app, "remove subnet", lonely["id"])
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: not neutron.router_subnets[made["id"]],
                         what="interface removed")
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"clear", "enter"))
        await wait_until(pilot, lambda: not made["external_gateway_info"], what="gateway gone")
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: grid.get_row(made["id"]) is None, what="row gone")
        assert made["id"] not in neutron.routers


async def test_set_gateway_on_a_router_without_one_and_read_only(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    public = next(n for n in neutron.networks.values() if n["router:external"])
    import openstack

    conn = openstack.connect(cloud="simcloud")
    try:
        bare = conn.network.create_router(name="inside-only")
    finally:
        conn.close()
    app = make_app(view="routers")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: grid.get_row(bare.id) is not None, what="row")
        grid.cursor_id = bare.id
        menu = await open_menu(pilot, app)
        await pilot.press(*"clear", "enter")
        await wait_until(pilot, lambda: "no external gateway" in screen_text(app),
                         what="greyed")
        assert app.screen is menu
        await pilot.press("escape")
        await run_with_choice(pilot, app, "set external", public["id"])
        router = neutron.routers[bare.id]
        await wait_until(pilot, lambda: bool(router["external_gateway_info"]), what="gateway")
        assert router["external_gateway_info"]["network_id"] == public["id"]
    app = make_app(view="routers", read_only=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: any("Read-only" in n for n in notes(app)),
                         what="refusal")
        assert isinstance(app.screen, ResourceListScreen)


async def test_the_form_wants_a_tidy_name(sim: RunningSim) -> None:
    app = make_app(view="routers")
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateRouterForm)
                         and bool(app.screen._networks), what="form")
        screen = form(app)
        set_field(screen, "name", " edge ")
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "space" in field_error(screen, "name"), what="error")
        assert writes(sim, start) == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # osc_lib's own, on import
def test_the_create_command_parses_with_the_openstack_cli() -> None:
    parser, rest = osc_parser_for(create_router_command("edge", "NET1"))
    parsed = vars(parser.parse_args(rest))
    assert parsed["name"] == "edge" and parsed["external_gateways"] == ["NET1"]
