"""Test helpers (console)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from tests.helpers.app import NotShownYet, loaded, wait_until
from tuicloud.screens.console_log import ConsoleLogScreen
from tuicloud.widgets.log_view import (
    LogView,
)


def open_console(app: Any) -> ConsoleLogScreen:
    screen = app.screen
    if not isinstance(screen, ConsoleLogScreen):
        raise NotShownYet(f"not the console log: {screen!r}")
    return screen


async def open_server_console(pilot: Any, app: Any, name: str) -> tuple[ConsoleLogScreen, LogView]:
    await loaded(pilot, app)
    await pilot.press("slash", *name, "enter")
    await pilot.press("l")
    await wait_until(pilot, lambda: isinstance(app.screen, ConsoleLogScreen), what="console")
    screen = open_console(app)
    view = screen.log_view
    await wait_until(pilot, lambda: view.line_count > 10, what="console lines")
    return screen, view


def rendered_lines(view: LogView) -> list[str]:
    return ["".join(segment.text for segment in view.render_line(y))
            for y in range(view.scrollable_content_region.height)]


class LogApp(App[None]):
    """Just a LogView."""

    def __init__(self, max_lines: int = 1000) -> None:
        super().__init__()
        self.max_lines = max_lines

    def compose(self) -> ComposeResult:
        yield LogView(max_lines=self.max_lines)
