"""The filter and command bars do not lay the screen out again at each key typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tests.helpers.layouts import record_layouts
from tuicloud.widgets.steady_input import WIDTH_STEP, SteadyInput


class BarApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SteadyInput(placeholder="filter")


@asynccontextmanager
async def focused_bar() -> AsyncIterator[tuple[Pilot[None], SteadyInput]]:
    """A running BarApp and its bar, focused."""
    app = BarApp()
    async with app.run_test(size=(40, 5)) as pilot:
        bar = app.query_one(SteadyInput)
        bar.focus()
        yield pilot, bar


async def test_typing_lays_out_once_per_step_and_long_text_still_scrolls(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with focused_bar() as (pilot, bar):
        await pilot.press(*"abc")
        layouts = record_layouts(bar, monkeypatch)
        await pilot.press(*"defgh")
        assert not layouts  # Textual's Input: one layout of the whole screen per key
        assert bar.virtual_size.width == WIDTH_STEP

        await pilot.press(*("x" * 70))  # past one step, and past the bar's 40 columns
        await pilot.pause()
        assert len(layouts) == 1 and bar.virtual_size.width == 2 * WIDTH_STEP
        assert bar.value == "abcdefgh" + "x" * 70
        shown = bar.render_line(0).text
        assert "abc" not in shown and shown.rstrip().endswith("x")  # scrolled to the cursor


async def test_the_first_key_typed_in_an_empty_bar_lays_nothing_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with focused_bar() as (pilot, bar):
        await pilot.pause()
        layouts = record_layouts(bar, monkeypatch)
        await pilot.press("a")
        await pilot.pause()
        assert bar.value == "a"
        assert not layouts  # its virtual size was taken when it mounted
        await pilot.press("backspace")
        await pilot.pause()
        assert bar.value == "" and not layouts
