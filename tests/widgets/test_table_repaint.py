"""ResourceTable repaints only the lines a cursor step, a small poll or a fading highlight
changed, and what it paints still matches its rows (no stale line is left on screen)."""

from __future__ import annotations

import pytest
from textual.geometry import Region

from tests.helpers.layouts import record_layouts
from tests.helpers.table import TableApp, screen_lines, server, servers
from tuicloud.widgets import resource_table
from tuicloud.widgets.resource_table import ResourceTable


def painted_lines(table: ResourceTable) -> list[str]:
    """The lines as the compositor gets them: through the widget's cache of rendered lines,
    which only the refreshed regions invalidate."""
    size = table.scrollable_content_region.size  # without the scrollbar's columns
    return [strip.text for strip in table.render_lines(Region(0, 0, size.width, size.height))]


class RefreshSpy:
    """Records the regions of every `refresh` call (() for a whole-widget repaint)."""

    def __init__(self, table: ResourceTable, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[Region, ...]] = []
        original = table.refresh

        def spy(*regions: Region, **options: bool) -> ResourceTable:
            self.calls.append(regions)
            return original(*regions, **options)

        monkeypatch.setattr(table, "refresh", spy)

    def lines(self) -> set[int]:
        """The content lines refreshed; fails on a whole-widget or multi-line refresh."""
        assert self.calls, "nothing was repainted"
        assert all(len(regions) == 1 and regions[0].height == 1 for regions in self.calls), \
            self.calls
        found = {regions[0].y for regions in self.calls}
        self.calls.clear()
        return found


async def test_small_changes_repaint_only_their_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource_table, "HIGHLIGHT_SECONDS", 0.2)
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(1000)))
        # Sorted by name: a row new after the load would otherwise arrive on top (newest
        # first) and shift every line; here it sorts below the screen.
        table.sort_by("name")
        table.focus()
        await pilot.pause()
        spy = RefreshSpy(table, monkeypatch)

        await pilot.press("j")  # the cursor goes from data line 1 to 2 (line 0: titles)
        assert spy.lines() == {1, 2}
        await pilot.press("k")
        assert spy.lines() == {1, 2}

        # A poll: one row on screen changes, one far below it changes, one is added below.
        table.apply_diff({"id-00004": server(4, status="SHUTOFF"),
                          "id-00900": server(900, status="ERROR"),
                          "id-05000": server(5000)})
        assert spy.lines() == {5}
        await pilot.pause()
        assert painted_lines(table) == screen_lines(table)
        assert "SHUTOFF" in painted_lines(table)[5]

        # Its highlight fades: that line again, and only it.
        await pilot.pause(0.5)
        assert spy.lines() == {5}
        await pilot.pause()
        assert painted_lines(table) == screen_lines(table)

        # A row removed above the bottom shifts the lines under it: those are repainted.
        table.apply_diff({}, removals=["id-00010"])
        assert spy.lines() == set(range(11, 24))  # 23 data lines under the titles
        await pilot.pause()
        assert painted_lines(table) == screen_lines(table)
        assert "server-00011" in painted_lines(table)[11]

        # Scrolling repaints everything, and a quiet poll nothing.
        spy.calls.clear()
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert painted_lines(table) == screen_lines(table)
        spy.calls.clear()
        table.apply_diff({"id-00004": server(4, status="SHUTOFF")})
        assert spy.calls == []


async def test_a_filter_lays_the_screen_out_only_when_the_scrollbar_comes_or_goes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A new row count updates the scrollbar, not the layout: laying the whole screen out
    for each key typed in the filter bar put the filtered lines a frame late."""
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(1000)))
        await pilot.pause()
        layouts = record_layouts(table, monkeypatch)
        table.set_filter("server-001")  # server-00100 to server-00199: still a scrollbar
        await pilot.pause()
        assert not layouts
        assert table.show_vertical_scrollbar
        assert table.vertical_scrollbar.window_virtual_size == 101  # the titles' line too
        assert painted_lines(table) == screen_lines(table)
        assert "server-001" in painted_lines(table)[1]

        table.set_filter("server-0012")  # ten rows: the scrollbar goes
        await pilot.pause()
        assert layouts and not table.show_vertical_scrollbar
        assert painted_lines(table) == screen_lines(table)
        assert sum("server-0012" in line for line in painted_lines(table)) == 10


async def test_an_open_filter_bar_holds_the_scrollbar(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the filter bar is open, a filter down to less than a screenful and back lays
    nothing out and shifts no column: the scrollbar shown when the bar opened stays. Once
    the bar closes it shows only when the rows need it."""
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(1000)))
        await pilot.pause()
        width = table.scrollable_content_region.width
        table.prepare_filter()  # what `/` does
        await pilot.pause()
        layouts = record_layouts(table, monkeypatch)
        for needle, rows in (("server-0012", 10), ("server-001", 100), ("server-0012", 10),
                             ("", 1000), ("server-00123", 1)):
            table.set_filter(needle)
            await pilot.pause()
            assert not layouts, needle
            assert table.show_vertical_scrollbar, needle
            assert table.scrollable_content_region.width == width
            assert table.vertical_scrollbar.window_virtual_size == rows + 1
            assert painted_lines(table) == screen_lines(table)
            assert sum(bool(line.strip()) for line in painted_lines(table)) == min(rows, 23) + 1

        table.filter_closed()  # one row left: the scrollbar goes with the bar
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        assert table.scrollable_content_region.width > width
        assert painted_lines(table) == screen_lines(table)

        table.set_filter("")
        table.prepare_filter()
        table.filter_closed()  # all rows: the scrollbar is needed, bar or no bar
        await pilot.pause()
        assert table.show_vertical_scrollbar
