"""The two kinds added as declarations, against real Nova and Cinder: a server group made in
the create form (policy and rule as Nova stores them) and deleted, a volume snapshot deleted
from its list; each checked in the service's own answer."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, screen_text, table, wait_until
from tests.helpers.forms import open_form, set_field
from tests.real import rig
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_server_group import CreateServerGroupForm
from tuicloud.screens.resource_list import ResourceListScreen


def _ready(screen: object) -> bool:
    return isinstance(screen, CreateServerGroupForm) and screen._initial is not None


async def test_server_group_created_in_the_form_then_deleted(prefix: str,
                                                             demo_sdk: Connection) -> None:
    name = prefix + "spread"
    app = make_app(cloud="real-demo", view="server-groups")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_form(pilot, app, CreateServerGroupForm, ready=_ready, minimum=0)
        set_field(screen, "name", name)
        set_field(screen, "policy", "anti-affinity")
        set_field(screen, "max_per_host", "2")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        group = rig.wait_for(lambda: next((g for g in demo_sdk.compute.server_groups()
                                           if g.name == name), None), "in Nova")
        assert group.policy == "anti-affinity"
        assert group.rules == {"max_server_per_host": 2}
        grid = table(app)
        await wait_until(pilot, lambda: grid.get_row(group.id) is not None,
                         timeout=rig.SLOW, what="its row")
        grid.cursor_id = group.id
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row(group.id) is None, timeout=rig.SLOW,
                         what="row gone")
        assert all(g.id != group.id for g in demo_sdk.compute.server_groups())


async def test_snapshot_listed_with_its_volume_then_deleted(prefix: str,
                                                            demo_sdk: Connection) -> None:
    volume = demo_sdk.block_storage.create_volume(size=1, name=prefix + "vol")
    rig.volume_status(demo_sdk, volume.id, "available")
    snap = demo_sdk.block_storage.create_snapshot(volume_id=volume.id, name=prefix + "snap")
    rig.wait_for(lambda: demo_sdk.block_storage.get_snapshot(snap.id).status == "available",
                 "snapshot available")
    app = make_app(cloud="real-demo", view="snapshots")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: grid.get_row(snap.id) is not None, timeout=rig.SLOW,
                         what="its row")
        await wait_until(pilot, lambda: prefix + "vol" in screen_text(app), timeout=rig.SLOW,
                         what="the volume by name")
        grid.cursor_id = snap.id
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row(snap.id) is None, timeout=rig.SLOW,
                         what="row gone")
        rig.wait_for(lambda: demo_sdk.block_storage.find_snapshot(snap.id) is None,
                     "gone from Cinder")
