"""A key typed in the filter bar reaches the terminal with the rows it filters: the frame that
draws the bar's new text also draws the filtered table and its count, not a frame later."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual._compositor import ChopsUpdate, CompositorUpdate
from textual.widgets import Input

from tests.helpers.app import list_screen, loaded, make_app, wait_until
from tuicloud.simcloud import RunningSim, SimConfig

MODULE_SIMCLOUD = SimConfig(servers=40, volumes=2, images=2, build_delay=0.1)


async def test_the_frame_with_the_typed_key_shows_the_rows_it_filters(
        sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    frames: list[tuple[set[int], str]] = []  # (the screen lines drawn, their text)
    display = app._display

    def record(screen: Any, renderable: Any) -> None:
        if isinstance(renderable, CompositorUpdate):
            ys = ({y for y, _, _ in renderable.spans} if isinstance(renderable, ChopsUpdate)
                  else set(range(screen.size.height)))
            text = Text.from_ansi(renderable.render_segments(app.console)).plain
            frames.append((ys, text))
        display(screen, renderable)

    monkeypatch.setattr(app, "_display", record)
    async with app.run_test(size=(120, 30)) as pilot:
        grid = await loaded(pilot, app)
        screen = list_screen(app)
        bar = screen.query_one("#filter", Input)
        await pilot.press("slash", "s")
        await wait_until(pilot, lambda: grid.filter_text == "s", what="/s")
        # A second key, which needs no layout: its frame is the one to look at.
        await pilot.pause()
        frames.clear()
        await pilot.press("h")
        await wait_until(pilot, lambda: grid.filter_text == "sh", what="/sh")
        await pilot.pause()
        shown, total = grid.visible_count, grid.row_count
        assert 0 < shown < total
        bar_line = bar.region.y
        first = next(text for ys, text in frames if bar_line in ys and "sh" in text)
        assert f"Servers {shown}/{total}" in first, first
