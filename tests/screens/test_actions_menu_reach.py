"""Issue 13: the actions menu's greyed entries are reachable and say why; its state is read
again while it stays open; marked rows always ask, however many the action can run on."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.helpers.app import loaded, make_app, notes, shown, table, wait_until
from tests.helpers.ops import open_menu, pick, writes
from tuicloud.app import TuiCloudApp
from tuicloud.screens.actions_menu import ActionsMenu
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.simcloud import RunningSim


async def menu_on_an_active_server(pilot: Pilot[Any], app: TuiCloudApp,
                                   sim: RunningSim) -> tuple[ActionsMenu, Any]:
    """The actions menu of an ACTIVE server, where Start cannot run."""
    await loaded(pilot, app)
    server = pick(sim, "active")[0]
    table(app).cursor_id = server.id
    menu = await open_menu(pilot, app)
    assert "server.start" in menu.unavailable
    return menu, server


async def test_a_greyed_entry_is_reachable_and_says_why(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        menu, _server = await menu_on_an_active_server(pilot, app, sim)
        listed = menu.query_one("#actions-list")
        for _ in range(listed.option_count):  # down through every entry, greyed ones too
            if menu.highlighted_id() == "server.start":
                break
            await pilot.press("down")
        assert menu.highlighted_id() == "server.start"
        await shown(pilot, app, "not now: server is ACTIVE")
        start = len(sim.cloud.request_log)
        await pilot.press("enter")
        await wait_until(pilot, lambda: any(n.startswith("Start: server is ACTIVE")
                                            for n in notes(app)), what="the reason")
        assert isinstance(app.screen, ActionsMenu) and writes(sim, start) == []


async def test_the_menu_reads_the_state_again_while_open(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        menu, server = await menu_on_an_active_server(pilot, app, sim)
        nova = sim.cloud.service("compute")
        with sim.cloud.lock:  # stopped from elsewhere while the menu is open
            server.vm_state = "stopped"
            nova.touch(server)
        await wait_until(pilot, lambda: "server.start" not in menu.unavailable,
                         what="Start offered after a re-read")


async def test_marked_rows_ask_even_when_one_is_eligible(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        stopped, running = pick(sim, "stopped")[0], pick(sim, "active")[0]
        grid.marked.update({stopped.id, running.id})
        grid.refresh()
        start = len(sim.cloud.request_log)
        await pilot.press("o")  # start: only the stopped one can
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert writes(sim, start) == []
        await shown(pilot, app, stopped.name)
