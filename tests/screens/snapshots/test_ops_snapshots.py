"""SVG snapshots (80x24) of the actions menu and the confirmation dialog, on the frozen-clock
simcloud of tests/screens/snapshots/test_snapshots.py (same conventions; see its docstring)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.helpers.app import make_app, wait_until
from tests.helpers.snapshots import pin_poll_time, settle
from tuicloud.screens.actions_menu import ActionsMenu
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.simcloud import RunningSim


def test_actions_menu(frozen: RunningSim, snap_compare: Any) -> None:
    """`a` on the first server: the actions valid now, the others greyed with the reason."""
    app = make_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        pin_poll_time(app)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionsMenu)
                         and app.screen.raws is not None, what="menu")
        app.screen.query_one(Input).cursor_blink = False  # a steady cursor for the snapshot
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_confirm_dialog(frozen: RunningSim, snap_compare: Any) -> None:
    """`ctrl+d` on the first server: the name, the command, Cancel focused."""
    app = make_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        pin_poll_time(app)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
