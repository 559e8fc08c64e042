"""The app-wide change log behind the overview's "Changes, last 30 min" (issue 13: a server
listed as created twice, once BUILD and once ERROR; a volume extend never showed)."""

from __future__ import annotations

from tests.apphelpers import loaded, wait_until
from tests.test_ops_app import make_app, open_menu
from tuicloud.cloud.changes import ChangeLog
from tuicloud.simcloud import RunningSim


def test_a_second_poller_meeting_a_new_resource_later_records_a_state_change() -> None:
    log = ChangeLog()
    log.observe("s", "servers", "x", None, {"name": "web", "status": "BUILD"}, at=1.0)
    # The overview's poller meets it for the first time, already in ERROR.
    log.observe("s", "servers", "x", None, {"name": "web", "status": "ERROR"}, at=2.0)
    log.observe("s", "servers", "x", None, {"name": "web", "status": "ERROR"}, at=3.0)
    described = [c.describe() for c in log.recent("s", 0.0)]
    assert described == ["BUILD → ERROR", "created"]


def test_created_again_after_a_delete_is_a_creation() -> None:
    log = ChangeLog()
    log.observe("s", "servers", "x", None, {"status": "ACTIVE"}, at=1.0)
    log.observe("s", "servers", "x", {"status": "ACTIVE"}, None, at=2.0)
    log.observe("s", "servers", "x", None, {"status": "BUILD"}, at=3.0)
    assert [c.describe() for c in log.recent("s", 0.0)] == ["created", "deleted", "created"]


async def test_an_extend_followed_by_the_list_reaches_the_change_log(sim: RunningSim) -> None:
    """The extend takes a moment; the follow loop's reads may fall on either side of it."""
    from textual.widgets import Input

    from tuicloud.screens.prompts import TextPrompt

    app = make_app(view="volumes")
    async with app.run_test(size=(140, 40)) as pilot:
        grid = await loaded(pilot, app)
        cinder = sim.cloud.service("volume")
        volume = next(v for v in cinder.volumes.values() if v["status"] == "available"
                      and grid.get_row(v["id"]))
        grid.cursor_id = volume["id"]
        await open_menu(pilot, app)
        await pilot.press(*"extend", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        app.screen.query_one("#prompt-input", Input).value = str(volume["size"] + 1)
        await pilot.press("enter")
        scope = ChangeLog.scope_of(app.session)
        await wait_until(pilot, lambda: any(
            c.resource_id == volume["id"] and c.describe() == "extending → available"
            for c in app.changes.recent(scope, 0.0)), what="extending → available")
