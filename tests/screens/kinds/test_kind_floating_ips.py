"""Floating IPs as a view (issue 14): each address with its fixed IP, server by name and
network; allocated from the only external network in a form; associated with a server's port
from a picker; disassociated and released after confirmation; read-only refuses the form."""

from __future__ import annotations

from typing import Any

import openstack
import pytest

from tests.helpers.app import loaded, make_app, notes, screen_text, shown, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import cell, demo_id, open_detail, open_menu, writes
from tests.helpers.osc import osc_parser_for
from tuicloud.cloud.operations.floating_ips import allocate_command
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.allocate_floating_ip import AllocateFloatingIpForm
from tuicloud.screens.prompts import ChoicePrompt
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def _neutron(sim: RunningSim) -> Any:
    return sim.cloud.service("network")


def _mine(sim: RunningSim) -> list[dict[str, Any]]:
    demo = demo_id(sim)
    return [f for f in _neutron(sim).floating_ips.values() if f["project_id"] == demo]


async def test_each_address_shows_its_server_by_name_and_its_detail(sim: RunningSim) -> None:
    nova = sim.cloud.service("compute")
    neutron = _neutron(sim)
    mine = _mine(sim)
    bound = next(f for f in mine if f["port_id"])
    server = nova.servers[neutron.ports[bound["port_id"]].device_id]
    app = make_app(view="fip")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, len(mine))
        assert set(grid.visible_ids()) == {f["id"] for f in mine}  # none of other projects
        assert cell(grid, bound["id"], "name") == bound["floating_ip_address"]
        assert cell(grid, bound["id"], "fixed_ip") == bound["fixed_ip_address"]
        assert cell(grid, bound["id"], "status") == bound["status"]
        await wait_until(pilot, lambda: cell(grid, bound["id"], "server") == server.name
                         and cell(grid, bound["id"], "network") == "public", what="names")
        grid.cursor_id = bound["id"]
        await open_detail(pilot, app)
        await shown(pilot, app, "Bound to", server.name, bound["port_id"])


async def test_allocate_associate_disassociate_release(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    app = make_app(view="floating-ips")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, AllocateFloatingIpForm),
                         what="form")
        screen = form(app)
        public = next(n for n in neutron.networks.values() if n["router:external"])
        # The only external network is chosen already; the command shows it.
        await wait_until(pilot, lambda: screen.values().get("network") == public["id"],
                         what="the only external network chosen")
        set_field(screen, "description", "front door")
        await settle(pilot)
        await wait_until(pilot, lambda: "openstack floating ip create --description "
                         f"'front door' {public['id']}" in screen_text(app), what="command")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        made = next(f for f in neutron.floating_ips.values()
                    if f["description"] == "front door")
        assert made["floating_network_id"] == public["id"] and made["port_id"] is None
        await wait_until(pilot, lambda: grid.get_row(made["id"]) is not None, what="new row")
        # Associate: a picker of the project's server ports and fixed IPs.
        grid.cursor_id = made["id"]
        await open_menu(pilot, app)
        await pilot.press(*"associate", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                         and bool(app.screen.choices), what="ports")
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        usable = [c for c in prompt.choices if not c.disabled]
        assert usable and all(c.value.count(" ") == 1 for c in prompt.choices)
        taken = [c for c in prompt.choices if c.disabled]
        assert all(c.disabled and c.disabled.startswith("has ") for c in taken)
        # One Neutron can reach from `public` (a subnet without a router gets a 404).
        wanted = next(c.value for c in usable if neutron.router_for(
            neutron.ports[c.value.split(" ")[0]], made["floating_network_id"]))
        port, address = wanted.split(" ")
        await wait_until(pilot, lambda: prompt.current_value() is not None, what="highlight")
        for _ in range(len(prompt.choices)):
            if prompt.current_value() == wanted:
                break
            await pilot.press("down")
        assert prompt.current_value() == wanted
        await pilot.press("enter")
        await wait_until(pilot, lambda: made["port_id"] == port, what="associated in Neutron")
        assert made["fixed_ip_address"] == address
        server = sim.cloud.service("compute").servers[neutron.ports[port].device_id]
        await pilot.press("r")
        await wait_until(pilot, lambda: cell(grid, made["id"], "server") == server.name,
                         what="the server in the row")
        # Disassociate asks first.
        await open_menu(pilot, app)
        await pilot.press(*"disassociate", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.command == f"openstack floating ip unset --port {made['id']}"
        await pilot.press("y")
        await wait_until(pilot, lambda: made["port_id"] is None, what="disassociated")
        # Release (ctrl+d) asks, then the address is gone from Neutron and the list.
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown(pilot, app, made["floating_ip_address"])
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row(made["id"]) is None, what="row gone")
        assert made["id"] not in neutron.floating_ips


async def test_disassociate_is_greyed_on_a_free_address_and_read_only_refuses_the_form(
        sim: RunningSim) -> None:
    free = next(f for f in _mine(sim) if not f["port_id"])
    app = make_app(view="floating-ips")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        grid.cursor_id = free["id"]
        menu = await open_menu(pilot, app)
        start = len(sim.cloud.request_log)
        await pilot.press(*"disassociate", "enter")
        await wait_until(pilot, lambda: "not associated" in screen_text(app), what="reason")
        assert app.screen is menu and writes(sim, start) == []
    app = make_app(view="floating-ips", read_only=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: any("Read-only" in n for n in notes(app)),
                         what="refusal")
        assert isinstance(app.screen, ResourceListScreen)


async def test_the_form_refuses_a_description_neutron_would_refuse(sim: RunningSim) -> None:
    app = make_app(view="floating-ips")
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, AllocateFloatingIpForm)
                         and bool(form(app).values().get("network")), what="form loaded")
        screen = form(app)
        set_field(screen, "description", "x" * 256)
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "255" in field_error(screen, "description"),
                         what="refused")
        assert writes(sim, start) == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # osc_lib's own, on import
def test_the_allocate_command_parses_with_the_openstack_cli() -> None:
    parser, rest = osc_parser_for(allocate_command("NET1", "front door"))
    parsed = vars(parser.parse_args(rest))
    assert parsed["network"] == "NET1" and parsed["description"] == "front door"


def test_the_sdk_sees_what_the_form_sends(sim: RunningSim) -> None:
    """The body the form sends is one the SDK's own floating IP resource reads back."""
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.operations.floating_ips import allocate_floating_ip, external_networks

    with CloudSession.connect("simcloud") as session:
        network = external_networks(session)[0]
        ident, address = allocate_floating_ip(session, str(network["id"]), "via session")
    conn = openstack.connect(cloud="simcloud")
    try:
        found = conn.network.get_ip(ident)
    finally:
        conn.close()
    assert (found.floating_ip_address, found.description) == (address, "via session")


def _routed_server(sim: RunningSim, conn: Any) -> tuple[Any, str]:
    """A demo server whose first port Neutron can reach from `public` and that has no floating
    IP: (the server, that port's id)."""
    neutron = _neutron(sim)
    public = next(n for n in neutron.networks.values() if n["router:external"])
    demo = demo_id(sim)
    for server in sim.cloud.service("compute").servers.values():
        if server.project_id != demo or server.vm_state != "active":
            continue
        ports = list(conn.network.ports(device_id=server.id))
        if ports and neutron.router_for(neutron.ports[ports[0].id], public["id"]) \
                and not any(neutron.fips_by_port.get(p.id) for p in ports):
            return server, str(ports[0].id)
    raise AssertionError("no routed server without a floating IP")


async def _add_floating_ip_picker(pilot: Any, app: Any, server_id: str) -> ChoicePrompt:
    from tests.helpers.app import table

    table(app).cursor_id = server_id
    await open_menu(pilot, app)
    await pilot.press(*"associate floating", "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                     and bool(app.screen.choices)
                     and app.screen.current_value() is not None, what="addresses")
    prompt = app.screen
    assert isinstance(prompt, ChoicePrompt)
    return prompt


async def test_add_floating_ip_offers_a_free_address_first_else_allocates_one(
        sim: RunningSim) -> None:
    """Issue 14: "Add floating IP" on a server offers a free address first, and allocates one
    when none is free (one request: the address is created bound to the server's port)."""
    neutron = _neutron(sim)
    public = next(n for n in neutron.networks.values() if n["router:external"])
    conn = openstack.connect(cloud="simcloud")
    try:
        server, port = _routed_server(sim, conn)
        spare = conn.network.create_ip(floating_network_id=public["id"], description="spare")
        app = make_app(view="servers")
        async with app.run_test(size=(160, 40)) as pilot:
            await loaded(pilot, app)
            prompt = await _add_floating_ip_picker(pilot, app, server.id)
            values = [c.value for c in prompt.choices]
            fresh = f"new {public['id']} {port}"
            assert fresh in values
            first_free = values[0]
            assert not first_free.startswith("new ") and prompt.current_value() == first_free
            assert values.index(fresh) < len([c for c in prompt.choices if not c.disabled])
            await pilot.press("escape")
            # No free address left: the highlighted choice allocates one.
            for address in list(conn.network.ips(project_id=demo_id(sim))):
                if not address.port_id:
                    conn.network.delete_ip(address)
            prompt = await _add_floating_ip_picker(pilot, app, server.id)
            assert prompt.current_value() == fresh
            assert prompt.command_for(fresh) == \
                f"openstack floating ip create --port {port} {public['id']}"
            before = set(neutron.floating_ips)
            await pilot.press("enter")
            await wait_until(pilot, lambda: any(f["port_id"] == port for i, f in
                                                neutron.floating_ips.items() if i not in before),
                             what="allocated and bound")
        assert spare.id not in neutron.floating_ips
    finally:
        conn.close()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # osc_lib's own, on import
def test_the_allocate_and_bind_command_parses_with_the_openstack_cli() -> None:
    from tuicloud.cloud.operations import find

    argv = find("server.add_floating_ip").cli({"id": "S1"}, "new NET1 PORT1")
    parser, rest = osc_parser_for(argv)
    parsed = vars(parser.parse_args(rest))
    assert (parsed["network"], parsed["port"]) == ("NET1", "PORT1")
