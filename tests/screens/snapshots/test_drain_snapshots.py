"""SVG snapshots of a host's drain once it has settled (80x24 and 160x50), on the frozen-clock
simcloud of tests/screens/snapshots/test_snapshots.py (same conventions; see its docstring).
Each size drains a host of its own zone, so neither depends on the other having run."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.helpers.app import make_app, table, wait_until
from tests.helpers.ops import open_menu, press_and_confirm
from tests.helpers.snapshots import pin_poll_time, settle
from tuicloud.cloud import drain as plan
from tuicloud.screens.drain import DrainScreen
from tuicloud.screens.prompts import TextPrompt
from tuicloud.simcloud import RunningSim


@pytest.mark.parametrize(("size", "host"), [((80, 24), "compute-01"),
                                            ((160, 50), "compute-06")])
def test_drain_screen(frozen: RunningSim, snap_compare: Any, monkeypatch: pytest.MonkeyPatch,
                      size: tuple[int, int], host: str) -> None:
    """The drain of a host, settled: each server's outcome, those that cannot move with
    Nova's reason, the summary."""
    monkeypatch.setattr(plan, "POLL_SECONDS", 0.2)
    app = make_app(view="hypervisors", cloud="simcloud-admin")

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        grid = table(app)
        pin_poll_time(app)
        grid.cursor_id = next(i for i in grid.visible_ids()
                              if str((grid.get_row(i) or {}).get("name")).startswith(host + "."))
        await open_menu(pilot, app)
        await pilot.press(*"drain", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="reason")
        await pilot.press(*["backspace"] * 20, *"new RAM")
        await press_and_confirm(pilot, app, ("enter",))
        await wait_until(pilot, lambda: isinstance(app.screen, DrainScreen)
                         and app.screen.drain is not None and app.screen.drain.loaded
                         and app.screen.drain.service_disabled
                         and app.screen.drain.settled(), timeout=60, what="settled")
        screen = app.screen
        assert isinstance(screen, DrainScreen) and screen.drain is not None
        waiting = [r.id for r in screen.drain.snapshot() if r.state in plan.DECIDE]
        if waiting:  # the cursor on the first that waits: its reason in full, its keys
            grid = screen.query_one("#drain-table", DataTable)
            grid.move_cursor(row=grid.get_row_index(waiting[0]))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
