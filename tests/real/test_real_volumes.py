"""Volumes through the app against real Cinder (fake driver) and Nova: the create form, attach,
detach, extend, snapshot and delete, each checked in Cinder's own answer."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers.app import list_screen, make_app, table, wait_until
from tests.helpers.forms import open_form, set_field
from tests.real import rig
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_volume import CreateVolumeForm
from tuicloud.screens.resource_list import ResourceListScreen


def _ready(screen: object) -> bool:
    return isinstance(screen, CreateVolumeForm) and screen.choices is not None


async def test_create_attach_detach_extend_delete(server: str, prefix: str,
                                                  demo_sdk: Connection) -> None:
    name = prefix + "data"
    app = make_app(cloud="real-demo", view="volumes")
    async with app.run_test(size=(160, 50)) as pilot:
        # The run's own project may hold no volume yet: an empty list is loaded too.
        screen = await open_form(pilot, app, CreateVolumeForm, ready=_ready, minimum=0)
        set_field(screen, "name", name)
        set_field(screen, "size", "1")
        await pilot.pause()
        before = rig.mark(app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        await rig.note_after(pilot, app, before, lambda n: n == f"{name}: available",
                             what="created")
        volume = rig.wait_for(lambda: demo_sdk.block_storage.find_volume(name), "in Cinder")
        assert volume.size == 1 and volume.status == "available"
        ident = volume.id

        before = await rig.run_op(pilot, app, ident, "volume.attach")
        await rig.choose(pilot, app, server)
        await rig.note_after(pilot, app, before, lambda n: n.startswith("Attach"),
                             what="attached")
        attached = rig.volume_status(demo_sdk, ident, "in-use")
        assert [a["server_id"] for a in attached.attachments] == [server]
        await wait_until(pilot, lambda: rig.status_of(app, ident) == "in-use",
                         timeout=rig.SLOW, what="row in-use")
        table(app).cursor_id = ident
        await pilot.press("ctrl+d")  # refused before asking: Cinder would answer 400
        await rig.note_after(pilot, app, before, lambda n: "detach it first" in n,
                             what="delete refused")
        assert not isinstance(app.screen, ConfirmScreen)

        before = await rig.run_op(pilot, app, ident, "volume.detach")
        if not isinstance(app.screen, ConfirmScreen):
            await rig.choose(pilot, app, server)
        if isinstance(app.screen, ConfirmScreen):
            await pilot.press("y")
        await rig.note_after(pilot, app, before, lambda n: n.startswith("Detach"),
                             what="detached")
        assert rig.volume_status(demo_sdk, ident, "available").attachments == []

        before = await rig.run_op(pilot, app, ident, "volume.extend")
        await rig.answer(pilot, app, "3")
        await rig.note_after(pilot, app, before, lambda n: n.startswith("Extend"),
                             what="extended")
        rig.wait_for(lambda: demo_sdk.block_storage.get_volume(ident).size == 3, "size 3")
        rig.volume_status(demo_sdk, ident, "available")

        table(app).cursor_id = ident
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: table(app).get_row(ident) is None, timeout=rig.SLOW,
                         what="row gone")
        rig.wait_for(lambda: demo_sdk.block_storage.find_volume(ident) is None, "gone")


async def test_snapshot_of_an_available_volume(prefix: str, demo_sdk: Connection) -> None:
    """Cinder >= 3.66 refuses a snapshot body with 'force' (even false)."""
    volume = demo_sdk.block_storage.create_volume(size=1, name=prefix + "snapme")
    rig.volume_status(demo_sdk, volume.id, "available")
    app = make_app(cloud="real-demo", view="volumes")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and list_screen(app).table.get_row(volume.id) is not None,
                         timeout=rig.SLOW, what="row")
        before = await rig.run_op(pilot, app, volume.id, "volume.snapshot")
        await rig.answer(pilot, app)  # the default name: <volume>-snap
        message = await rig.note_after(pilot, app, before,
                                       lambda n: "snap" in n.lower(), what="outcome")
        assert "failed" not in message, message
    snaps = rig.wait_for(lambda: [s for s in demo_sdk.block_storage.snapshots()
                                  if s.volume_id == volume.id], "snapshot in Cinder")
    assert snaps[0].name == prefix + "snapme-snap"
