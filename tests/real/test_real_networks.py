"""Networks against the rig's Neutron: one made with its first subnet in the form (no gateway,
DHCP off, DNS, a pool), an IPv6 subnet added to it, a subnet deleted from the subnets view,
then the network deleted; each read back from Neutron."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, table, wait_until
from tests.helpers.forms import open_form, set_field
from tests.helpers.ops import open_menu, press_and_confirm
from tests.real import rig
from tuicloud.screens.forms.create_network import CreateNetworkForm
from tuicloud.screens.prompts import TextPrompt
from tuicloud.screens.resource_list import ResourceListScreen


async def test_network_made_with_subnets_then_deleted(prefix: str,
                                                      demo_sdk: Connection) -> None:
    net = demo_sdk.network
    name = prefix + "app"
    app = make_app(cloud="real-demo", view="networks")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, timeout=rig.SLOW)
        screen = await open_form(pilot, app, CreateNetworkForm)
        for field, value in {"name": name, "cidr": "10.82.0.0/24", "gateway": "none",
                             "dhcp": "off", "dns": "9.9.9.9",
                             "pools": "10.82.0.10-10.82.0.20"}.items():
            set_field(screen, field, value)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        network = rig.wait_for(lambda: net.find_network(name), "in Neutron")
        subnet = net.get_subnet(network.subnet_ids[0])
        assert (subnet.cidr, subnet.gateway_ip, subnet.is_dhcp_enabled) == (
            "10.82.0.0/24", None, False)
        assert subnet.dns_nameservers == ["9.9.9.9"]
        assert subnet.allocation_pools == [{"start": "10.82.0.10", "end": "10.82.0.20"}]
        grid = table(app)
        await wait_until(pilot, lambda: grid.get_row(network.id) is not None,
                         timeout=rig.SLOW, what="its row")
        grid.cursor_id = network.id
        await open_menu(pilot, app)
        await pilot.press(*"add a subnet", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        await pilot.press(*"2001:db8:82::/64", "enter")
        six = rig.wait_for(lambda: next((s for s in net.subnets(network_id=network.id)
                                         if s.ip_version == 6), None), "the IPv6 subnet")
        assert six.cidr == "2001:db8:82::/64"
    app = make_app(cloud="real-demo", view="subnets")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await wait_until(pilot, lambda: grid.get_row(six.id) is not None, timeout=rig.SLOW,
                         what="the IPv6 subnet's row")
        grid.cursor_id = six.id
        await press_and_confirm(pilot, app, ("ctrl+d",))
        rig.wait_for(lambda: net.find_subnet(six.id) is None, "subnet gone")
    app = make_app(cloud="real-demo", view="networks")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        grid.cursor_id = network.id
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: grid.get_row(network.id) is None, timeout=rig.SLOW,
                         what="row gone")
        assert net.find_network(network.id) is None
