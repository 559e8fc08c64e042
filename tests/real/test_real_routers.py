"""Routers against the rig's Neutron (L3 API, no dataplane): created in the form with a gateway
on `public`, a subnet interface added from the picker, delete refused while it is there (the
subnet named, nothing sent), the interface removed, the gateway cleared, then deleted; each
step read back from Neutron."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, table, wait_until
from tests.helpers.forms import open_form, set_field
from tests.helpers.ops import open_menu, press_and_confirm, run_with_choice
from tests.real import rig
from tuicloud.screens.forms.create_router import CreateRouterForm
from tuicloud.screens.resource_list import ResourceListScreen


def _ready(screen: object) -> bool:
    return isinstance(screen, CreateRouterForm) and bool(screen._networks)


async def test_router_made_wired_unwired_and_deleted(prefix: str,
                                                      demo_sdk: Connection) -> None:
    net = demo_sdk.network
    public = net.find_network("public", ignore_missing=False)
    network = net.create_network(name=prefix + "net")
    subnet = net.create_subnet(network_id=network.id, name=prefix + "subnet", ip_version=4,
                               cidr="10.78.0.0/24")
    name = prefix + "edge"
    app = make_app(cloud="real-demo", view="routers")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, 0, timeout=rig.SLOW)
        screen = await open_form(pilot, app, CreateRouterForm, ready=_ready, minimum=0)
        set_field(screen, "name", name)
        set_field(screen, "gateway", public.id)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        router = rig.wait_for(lambda: net.find_router(name), "in Neutron")
        assert router.external_gateway_info["network_id"] == public.id
        grid = table(app)
        await wait_until(pilot, lambda: grid.get_row(router.id) is not None, timeout=rig.SLOW,
                         what="its row")
        grid.cursor_id = router.id
        await run_with_choice(pilot, app, "add subnet", subnet.id)

        def interfaces() -> set[str]:
            return {str(ip["subnet_id"]) for port in net.ports(device_id=router.id)
                    if port.device_owner == "network:router_interface"
                    for ip in port.fixed_ips}

        rig.wait_for(lambda: subnet.id in interfaces(), "interface in Neutron")
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: any(f"(subnet {prefix}subnet): remove it first"
                                            in n for n in rig.notes(app)),
                         timeout=rig.SLOW, what="delete refused")
        assert net.find_router(router.id) is not None
        await run_with_choice(pilot, app, "remove subnet", subnet.id)
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen",
                         what="confirm")
        await pilot.press("y")
        rig.wait_for(lambda: not interfaces(), "interface gone from Neutron")
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"clear", "enter"))
        rig.wait_for(lambda: not net.get_router(router.id).external_gateway_info,
                     "gateway cleared in Neutron")
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: grid.get_row(router.id) is None, timeout=rig.SLOW,
                         what="row gone")
        assert net.find_router(router.id) is None
