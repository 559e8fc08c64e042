"""Networks (issue 14): a network and its first subnet made in one form (CIDR, gateway or
none, DHCP, DNS servers, pools), bad values refused at their field with nothing sent, the
network taken back when Neutron refuses its subnet; a subnet added; a network in use refused
in Neutron's words, an empty one deleted."""

from __future__ import annotations

from typing import Any

import openstack
import pytest

from tests.helpers.app import loaded, make_app, notes, screen_text, table, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import demo_id, open_menu, press_and_confirm, writes
from tests.helpers.osc import osc_parser_for
from tuicloud.cloud.operations.networks import SubnetSpec, network_commands
from tuicloud.screens.forms.create_network import CreateNetworkForm
from tuicloud.screens.prompts import TextPrompt
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def _neutron(sim: RunningSim) -> Any:
    return sim.cloud.service("network")


async def _open(pilot: Any, app: Any) -> CreateNetworkForm:
    await loaded(pilot, app)
    await pilot.press("c")
    await wait_until(pilot, lambda: isinstance(app.screen, CreateNetworkForm), what="form")
    screen = form(app)
    assert isinstance(screen, CreateNetworkForm)
    return screen


def _fill(screen: CreateNetworkForm, **fields: str) -> None:
    for name, value in fields.items():
        set_field(screen, name, value)


async def test_a_network_with_its_first_subnet(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    app = make_app(view="networks")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open(pilot, app)
        _fill(screen, name="app-net", cidr="10.0.1.0/24", gateway="none", dhcp="off",
              dns="9.9.9.9, 1.1.1.1", pools="10.0.1.10-10.0.1.20")
        await settle(pilot)
        await wait_until(pilot, lambda: "openstack network create app-net && openstack "
                         "subnet create --network app-net" in screen_text(app).replace(
                             "\n", ""), what="both commands")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        network = next(n for n in neutron.networks.values() if n["name"] == "app-net")
        subnet = neutron.subnets[network["subnets"][0]]
        assert (subnet["cidr"], subnet["gateway_ip"], subnet["enable_dhcp"]) == (
            "10.0.1.0/24", None, False)
        assert subnet["dns_nameservers"] == ["9.9.9.9", "1.1.1.1"]
        assert subnet["allocation_pools"] == [{"start": "10.0.1.10", "end": "10.0.1.20"}]
        assert subnet["name"] == "app-net-subnet"
        await wait_until(pilot, lambda: table(app).get_row(network["id"]) is not None,
                         what="its row")


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"cidr": "10.0.1.5/24"}, "cidr", "host bits set"),
    ({"cidr": "10.0.1.0/24", "gateway": "10.9.9.1"}, "gateway", "not in 10.0.1.0/24"),
    ({"cidr": "10.0.1.0/24", "gateway": "10.0.1.1", "pools": "10.0.1.1-10.0.1.9"}, "pools",
     "holds the gateway"),
    ({"cidr": "10.0.1.0/24", "pools": "10.0.1.9"}, "pools", "START-END"),
    ({"cidr": "2001:db8::/64", "dns": "nine"}, "dns", "not an address"),
])
async def test_bad_values_stay_at_their_field(sim: RunningSim, fields: dict[str, str],
                                              field: str, words: str) -> None:
    app = make_app(view="networks")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open(pilot, app)
        _fill(screen, name="bad-net", **fields)
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: words in field_error(screen, field), what=words)
        assert writes(sim, start) == []


async def test_a_refused_subnet_takes_its_network_back(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    demo = demo_id(sim)
    neutron.quotas.setdefault(demo, {})["subnet"] = neutron.usage(demo)["subnet"]
    app = make_app(view="networks")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open(pilot, app)
        _fill(screen, name="no-room", cidr="10.0.2.0/24")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Quota exceeded" in field_error(screen, "cidr"),
                         what="the subnet's 409 at the CIDR")
        assert app.screen is screen
        assert not any(n["name"] == "no-room" for n in neutron.networks.values())


async def test_add_a_subnet_and_delete_networks(sim: RunningSim) -> None:
    neutron = _neutron(sim)
    conn = openstack.connect(cloud="simcloud")
    try:
        empty = conn.network.create_network(name="empty-net")
    finally:
        conn.close()
    busy = next(n for n in neutron.networks.values() if n["name"] == "demo-net")
    app = make_app(view="networks")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: grid.get_row(empty.id) is not None, what="row")
        grid.cursor_id = empty.id
        await open_menu(pilot, app)
        await pilot.press(*"add a subnet", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        await pilot.press(*"10.0.7.0/24", "enter")  # simcloud has IPv4 only: the rig does v6
        await wait_until(pilot, lambda: bool(neutron.networks[empty.id]["subnets"]),
                         what="subnet added")
        subnet = neutron.subnets[neutron.networks[empty.id]["subnets"][0]]
        assert (subnet["ip_version"], subnet["cidr"]) == (4, "10.0.7.0/24")
        grid.cursor_id = busy["id"]
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: any("in use" in n or "ports" in n for n in notes(app)),
                         what="Neutron's refusal")
        assert busy["id"] in neutron.networks
        grid.cursor_id = empty.id
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: grid.get_row(empty.id) is None, what="row gone")
        assert empty.id not in neutron.networks


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # osc_lib's own, on import
def test_the_subnet_command_parses_with_the_openstack_cli() -> None:
    spec = SubnetSpec(cidr="10.0.1.0/24", gateway="none", dhcp=False, dns=("9.9.9.9",),
                      pools=(("10.0.1.10", "10.0.1.20"),))
    parser, rest = osc_parser_for(network_commands("app-net", spec)[1])
    parsed = vars(parser.parse_args(rest))
    assert (parsed["network"], parsed["subnet_range"], parsed["gateway"]) == (
        "app-net", "10.0.1.0/24", "none")
    assert parsed["dns_nameservers"] == ["9.9.9.9"] and parsed["dhcp"] is False
    assert parsed["allocation_pools"] == [{"start": "10.0.1.10", "end": "10.0.1.20"}]
