"""Server operations through the app's keys and actions menu against real Nova (fake virt
driver): each one is checked in the app (row, notification) and in Nova's own answer."""

from __future__ import annotations

from openstack.connection import Connection
from textual.pilot import Pilot

from tests.helpers.app import loaded, make_app, table, wait_until
from tests.real import rig
from tuicloud.app import TuiCloudApp
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.prompts import ChoicePrompt


async def _step(pilot: Pilot[object], app: TuiCloudApp, sdk: Connection, ident: str,
                op_id: str, label: str, final: str) -> None:
    """Run one operation; the app says `<label> <name>: <final>` and Nova agrees."""
    before = await rig.run_op(pilot, app, ident, op_id)
    message = await rig.note_after(pilot, app, before, lambda n: n.startswith(label + " ")
                                   and (":" in n), what=f"{label} outcome")
    assert message.endswith(": " + final), message
    assert rig.server_status(sdk, ident, final).status == final
    await wait_until(pilot, lambda: rig.status_of(app, ident) == final, timeout=rig.SLOW,
                     what=f"row {final}")


async def test_power_keys_stop_start_reboot(server: str, demo_sdk: Connection) -> None:
    """`x` (confirmed), `o`, `b` (confirmed): Nova ends SHUTOFF, ACTIVE, ACTIVE."""
    app = make_app(cloud="real-demo")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: table(app).get_row(server) is not None, what="row")
        for key, label, final, asks in (("x", "Stop", "SHUTOFF", True),
                                        ("o", "Start", "ACTIVE", False),
                                        ("b", "Reboot (soft)", "ACTIVE", True)):
            table(app).cursor_id = server
            before = rig.mark(app)
            await pilot.press(key)
            if asks:
                await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen),
                                 timeout=rig.SLOW, what="confirm")
                await pilot.press("y")
            message = await rig.note_after(pilot, app, before,
                                           lambda n, lb=label: n.startswith(lb + " "),
                                           what=f"{label} outcome")
            assert message.endswith(": " + final), message
            assert rig.server_status(demo_sdk, server, final).status == final


async def test_pause_suspend_rescue_shelve_and_back(server: str, demo_sdk: Connection) -> None:
    app = make_app(cloud="real-demo")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: table(app).get_row(server) is not None, what="row")
        rig.server_status(demo_sdk, server, "ACTIVE")
        for op_id, label, final in (
                ("server.pause", "Pause", "PAUSED"), ("server.unpause", "Unpause", "ACTIVE"),
                ("server.suspend", "Suspend", "SUSPENDED"),
                ("server.resume", "Resume", "ACTIVE"),
                ("server.rescue", "Rescue", "RESCUE"), ("server.unrescue", "Unrescue", "ACTIVE")):
            await _step(pilot, app, demo_sdk, server, op_id, label, final)
        before = await rig.run_op(pilot, app, server, "server.shelve")
        message = await rig.note_after(pilot, app, before, lambda n: n.startswith("Shelve "),
                                       what="shelve outcome")
        assert message.endswith(("SHELVED", "SHELVED_OFFLOADED")), message
        rig.server_status(demo_sdk, server, "SHELVED_OFFLOADED")
        await wait_until(pilot, lambda: rig.status_of(app, server) == "SHELVED_OFFLOADED",
                         timeout=rig.SLOW, what="row shelved")
        await _step(pilot, app, demo_sdk, server, "server.unshelve", "Unshelve", "ACTIVE")


async def test_lock_refuses_delete_until_unlocked(server: str, demo_sdk: Connection) -> None:
    app = make_app(cloud="real-demo")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: table(app).get_row(server) is not None, what="row")
        before = await rig.run_op(pilot, app, server, "server.lock")
        await rig.note_after(pilot, app, before, lambda n: n.startswith("Lock "), what="locked")
        rig.wait_for(lambda: demo_sdk.compute.get_server(server).is_locked, "Nova locked")
        menu = await rig.open_menu(pilot, app)
        listed = rig.options(menu)
        assert not listed["server.delete"][0]
        assert "server is locked: unlock it first" in listed["server.delete"][1]
        await pilot.press("escape")
        before = await rig.run_op(pilot, app, server, "server.unlock")
        await rig.note_after(pilot, app, before, lambda n: n.startswith("Unlock "),
                             what="unlocked")
        rig.wait_for(lambda: not demo_sdk.compute.get_server(server).is_locked, "Nova unlocked")


async def _resize(pilot: Pilot[object], app: TuiCloudApp, sdk: Connection, ident: str) -> str:
    """Resize to the first flavor offered; the flavor's name once Nova is at VERIFY_RESIZE."""
    before = await rig.run_op(pilot, app, ident, "server.resize")
    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                     and bool(app.screen.choices), timeout=rig.SLOW, what="flavors")
    prompt = app.screen
    assert isinstance(prompt, ChoicePrompt)
    await pilot.pause()
    chosen = prompt.current_value()
    assert chosen
    await pilot.press("enter")
    await rig.note_after(pilot, app, before, lambda n: n.startswith("Resize"), what="resized")
    rig.server_status(sdk, ident, "VERIFY_RESIZE")
    await wait_until(pilot, lambda: rig.status_of(app, ident) == "VERIFY_RESIZE",
                     timeout=rig.SLOW, what="row VERIFY_RESIZE")
    return str(sdk.compute.find_flavor(chosen, ignore_missing=False).name)


async def test_resize_then_revert(server: str, demo_sdk: Connection) -> None:
    original = demo_sdk.compute.get_server(server).flavor.name
    app = make_app(cloud="real-demo")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: table(app).get_row(server) is not None, what="row")
        rig.server_status(demo_sdk, server, "ACTIVE")
        await _resize(pilot, app, demo_sdk, server)
        await _step(pilot, app, demo_sdk, server, "server.resize_revert", "Revert resize",
                    "ACTIVE")
    assert demo_sdk.compute.get_server(server).flavor.name == original


async def test_resize_then_confirm_reports_active(server: str, demo_sdk: Connection) -> None:
    """The confirm is reported once Nova has left VERIFY_RESIZE (it answers 204 and keeps
    VERIFY_RESIZE for seconds)."""
    app = make_app(cloud="real-demo")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: table(app).get_row(server) is not None, what="row")
        rig.server_status(demo_sdk, server, "ACTIVE")
        chosen = await _resize(pilot, app, demo_sdk, server)
        try:
            before = await rig.run_op(pilot, app, server, "server.resize_confirm")
            message = await rig.note_after(pilot, app, before,
                                           lambda n: n.startswith("Confirm resize "),
                                           what="confirm outcome")
            assert message.endswith(": ACTIVE"), message
        finally:  # leave the module's server ACTIVE for the next test, whatever happened
            rig.server_status(demo_sdk, server, "ACTIVE")
    assert demo_sdk.compute.get_server(server).flavor.name == chosen
