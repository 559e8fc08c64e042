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


async def test_a_filter_down_to_one_row_keeps_the_scrollbar_until_the_bar_closes(
        sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """Narrowing a long list to one row is the filter typed most: with the bar open the
    scrollbar stays, so that key's frame shows the row and its count and the columns do not
    shift (that no layout comes is checked on the table alone, in test_table_repaint).
    Closing the bar, by `esc` or an empty `enter`, gives the scrollbar back to the rows."""
    app = make_app()
    frames: list[str] = []
    display = app._display

    def record(screen: Any, renderable: Any) -> None:
        if isinstance(renderable, CompositorUpdate):
            frames.append(Text.from_ansi(renderable.render_segments(app.console)).plain)
        display(screen, renderable)

    monkeypatch.setattr(app, "_display", record)
    async with app.run_test(size=(120, 30)) as pilot:
        grid = await loaded(pilot, app)
        total = grid.row_count
        assert grid.show_vertical_scrollbar  # more rows than the screen has lines
        width = grid.scrollable_content_region.width
        name = grid.cell_text(grid.visible_ids()[-1], "name") or ""
        await pilot.press("slash")
        await pilot.pause()
        frames.clear()
        await pilot.press(*name)
        await wait_until(pilot, lambda: grid.filter_text == name, what=f"/{name}")
        await pilot.pause()
        assert grid.visible_count == 1
        assert grid.show_vertical_scrollbar
        assert grid.scrollable_content_region.width == width
        assert any(f"Servers 1/{total}" in text and name in text for text in frames)

        await pilot.press("escape")  # clears the filter and closes the bar
        await wait_until(pilot, lambda: grid.visible_count == total, what="the filter cleared")
        assert not grid.has_class("-scrollbar-held")
        assert grid.show_vertical_scrollbar  # all rows: needed without the bar too

        await pilot.press("slash")
        await wait_until(pilot, lambda: grid.has_class("-scrollbar-held"), what="/ again")
        await pilot.press("enter")  # an empty filter submitted closes the bar too
        await wait_until(pilot, lambda: not grid.has_class("-scrollbar-held"),
                         what="the bar closed by enter")
