"""Helpers for driving TuiCloudApp with Textual's Pilot (shared by test_app and test_snapshots)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tuicloud.app import TuiCloudApp
from tuicloud.cli import Options
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.widgets.resource_table import ResourceTable

__all__ = ["make_app", "wait_until", "screen_text", "list_screen", "table", "loaded"]


def make_app(**overrides: Any) -> TuiCloudApp:
    """An app on the `simcloud` cloud with a long refresh (tests poll with `r`)."""
    values: dict[str, Any] = dict(cloud="simcloud", region=None, read_only=False,
                                  all_projects=False, refresh=60.0, demo=False,
                                  demo_servers=0, view="servers")
    values.update(overrides)
    return TuiCloudApp(Options(**values))


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0,
                     what: str = "condition") -> None:
    """Let the app run until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def screen_text(app: TuiCloudApp) -> str:
    """What the terminal shows, as text (from the SVG screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def list_screen(app: TuiCloudApp) -> ResourceListScreen:
    """The current screen, which must be a list screen."""
    screen = app.screen
    assert isinstance(screen, ResourceListScreen), screen
    return screen


def table(app: TuiCloudApp) -> ResourceTable:
    """The current list screen's table."""
    return list_screen(app).table


async def loaded(pilot: Pilot[Any], app: TuiCloudApp, minimum: int = 1,
                 timeout: float = 15.0) -> ResourceTable:
    """Wait for the current list screen's first complete poll (at least ``minimum`` rows)."""
    await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                     and table(app).row_count >= minimum
                     and list_screen(app).freshness.state == "fresh", timeout=timeout,
                     what="first rows")
    return table(app)


def private_network(conn: Any) -> list[dict[str, str]]:
    """``networks`` for a boot on simcloud's shared "private" network: the demo project sees
    more than one, and Nova (like the rig's) never guesses between them (409)."""
    found = conn.network.find_network("private", ignore_missing=False)
    return [{"uuid": str(found.id)}]
