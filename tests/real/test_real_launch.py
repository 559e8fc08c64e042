"""The launch form against real Nova and Neutron: a server on a network of the project."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openstack.connection import Connection

from tests.helpers.app import list_screen, make_app, wait_until
from tests.helpers.forms import form, set_field
from tests.real import rig
from tuicloud.screens.forms.launch_server import LaunchServerForm
from tuicloud.screens.resource_list import ResourceListScreen


@pytest.fixture
def network(prefix: str, demo_sdk: Connection) -> Iterator[str]:
    net = demo_sdk.network.create_network(name=prefix + "net")
    demo_sdk.network.create_subnet(network_id=net.id, name=prefix + "sub", ip_version=4,
                                   cidr="10.99.0.0/24")
    yield net.id


def _ready(screen: object) -> bool:
    return isinstance(screen, LaunchServerForm) and screen.choices is not None


async def test_launch_on_a_network(network: str, prefix: str, demo_sdk: Connection) -> None:
    name = prefix + "web"
    image = demo_sdk.image.find_image("fake-image", ignore_missing=False)
    flavor = demo_sdk.compute.find_flavor("m1.tiny", ignore_missing=False)
    app = make_app(cloud="real-demo", view="servers")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and list_screen(app).freshness.state == "fresh", timeout=rig.SLOW,
                         what="list (the run's project may have no server yet)")
        await pilot.press("c")
        await wait_until(pilot, lambda: _ready(app.screen), timeout=rig.SLOW, what="form")
        await pilot.pause(0.1)
        screen = form(app)
        assert isinstance(screen, LaunchServerForm) and screen.choices is not None
        assert network in [n["id"] for n in screen.choices.networks]
        set_field(screen, "name", name)
        set_field(screen, "image", image.id)
        set_field(screen, "flavor", flavor.id)
        set_field(screen, "networks", [network])
        await pilot.pause(0.2)
        command = str(screen.query_one("#form-command").render())
        assert "openstack server create" in command and name in command
        before = rig.mark(app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        made = rig.wait_for(lambda: demo_sdk.compute.find_server(name), "in Nova")
        await rig.note_after(pilot, app, before, lambda n: n == f"{name}: ACTIVE",
                             what="followed to ACTIVE")
        server = rig.server_status(demo_sdk, made.id, "ACTIVE")
        await wait_until(pilot, lambda: rig.status_of(app, made.id) == "ACTIVE",
                         timeout=rig.SLOW, what="row ACTIVE")
    assert server.flavor.original_name == "m1.tiny" and server.image.id == image.id
    assert list(server.addresses) == [prefix + "net"]
    assert server.addresses[prefix + "net"][0]["addr"].startswith("10.99.0.")
