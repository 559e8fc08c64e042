"""Floating IPs against the rig's Neutron (L3 API, no dataplane): allocated in the form from
`public`, associated with a server's port from the picker (the server sits on a network routed
to `public`, as Neutron requires), disassociated and released; each step checked in Neutron's
own answer."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, screen_text, table, wait_until
from tests.helpers.forms import open_form, set_field
from tests.helpers.ops import open_menu
from tests.real import rig
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.allocate_floating_ip import AllocateFloatingIpForm
from tuicloud.screens.prompts import ChoicePrompt
from tuicloud.screens.resource_list import ResourceListScreen


def _ready(screen: object) -> bool:
    return isinstance(screen, AllocateFloatingIpForm) and bool(screen._networks)


async def test_allocate_associate_disassociate_release(
        prefix: str, demo_sdk: Connection, routed_server: tuple[str, str, str]) -> None:
    server, port, fixed = routed_server
    public = demo_sdk.network.find_network("public", ignore_missing=False)
    app = make_app(cloud="real-demo", view="floating-ips")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, 0, timeout=rig.SLOW)
        screen = await open_form(pilot, app, AllocateFloatingIpForm, ready=_ready, minimum=0)
        assert screen.values().get("network") == public.id  # the only external network
        set_field(screen, "description", prefix + "fip")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        made = rig.wait_for(lambda: next((a for a in demo_sdk.network.ips(
            project_id=demo_sdk.current_project_id) if a.description == prefix + "fip"),
            None), "in Neutron")
        assert made.floating_network_id == public.id and made.port_id is None
        grid = table(app)
        await wait_until(pilot, lambda: grid.get_row(made.id) is not None, timeout=rig.SLOW,
                         what="its row")
        grid.cursor_id = made.id
        await open_menu(pilot, app)
        await pilot.press(*"associate", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                         and bool(app.screen.choices), timeout=rig.SLOW, what="ports")
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        wanted = f"{port} {fixed}"
        assert wanted in [c.value for c in prompt.choices if not c.disabled]
        for _ in range(len(prompt.choices)):
            if prompt.current_value() == wanted:
                break
            await pilot.press("down")
        assert prompt.current_value() == wanted
        await pilot.press("enter")
        bound = rig.wait_for(lambda: (found := demo_sdk.network.get_ip(made.id)).port_id == port
                             and found, "associated in Neutron")
        assert bound.fixed_ip_address == fixed
        name = demo_sdk.compute.get_server(server).name

        async def server_shown() -> bool:
            await pilot.press("r")
            await pilot.pause(0.5)
            return name in str((grid.get_row(made.id) or {}).get("server"))

        for _ in range(40):
            if await server_shown():
                break
        assert name in str((grid.get_row(made.id) or {}).get("server"))
        await open_menu(pilot, app)
        await pilot.press(*"disassociate", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        rig.wait_for(lambda: demo_sdk.network.get_ip(made.id).port_id is None,
                     "disassociated in Neutron")
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        # Pushed is not yet drawn: on a slow machine the text came a frame later.
        await wait_until(pilot, lambda: made.floating_ip_address in screen_text(app),
                         what="the confirmation naming the address")
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row(made.id) is None, timeout=rig.SLOW,
                         what="row gone")
        assert demo_sdk.network.find_ip(made.id) is None


async def test_add_floating_ip_on_a_server_allocates_one_bound_to_its_port(
        prefix: str, demo_sdk: Connection, routed_server: tuple[str, str, str]) -> None:
    """The server action's "allocate a new address" choice: one POST, bound at once."""
    server, port, fixed = routed_server
    public = demo_sdk.network.find_network("public", ignore_missing=False)
    fresh = f"new {public.id} {port}"
    app = make_app(cloud="real-demo", view="servers")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await wait_until(pilot, lambda: grid.get_row(server) is not None, timeout=rig.SLOW,
                         what="the server's row")
        grid.cursor_id = server
        await open_menu(pilot, app)
        await pilot.press(*"associate floating", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                         and bool(app.screen.choices)
                         and app.screen.current_value() is not None, timeout=rig.SLOW,
                         what="addresses")
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert fresh in [c.value for c in prompt.choices if not c.disabled]
        for _ in range(len(prompt.choices)):
            if prompt.current_value() == fresh:
                break
            await pilot.press("down")
        assert prompt.current_value() == fresh
        await pilot.press("enter")
        bound = rig.wait_for(lambda: next((a for a in demo_sdk.network.ips(port_id=port)), None),
                             "an address bound to the server's port")
        assert bound.fixed_ip_address == fixed and bound.floating_network_id == public.id
        # Named for the sweep: an address made by the action has no description.
        demo_sdk.network.update_ip(bound, description=prefix + "fip")
