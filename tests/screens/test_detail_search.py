"""`/` in a detail searches the raw JSON: matches highlighted as typed, the view scrolled to
the current one, `n`/`N` move round the ends, esc clears then goes back; the footer names what
`y` shows next (issue 13: raw JSON had no search, and its footer still offered "Raw JSON")."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.helpers.app import loaded, make_app, wait_until
from tuicloud.app import TuiCloudApp
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim
from tuicloud.widgets.key_footer import KeyFooter
from tuicloud.widgets.text_search import find_matches, wrapped_row


def test_matches_ignore_case_and_keep_offsets() -> None:
    assert find_matches("Web web WEB", "web") == [(0, 3), (4, 7), (8, 11)]
    assert find_matches("aaaa", "aa") == [(0, 2), (2, 4)]
    assert find_matches("anything", "") == []
    text = "Straße STRASSE straße"  # casefold would change lengths: offsets must still hold
    assert [text[a:b] for a, b in find_matches(text, "straße")] == ["Straße", "straße"]


@pytest.mark.parametrize("width", [12, 20, 33, 80])
def test_the_row_of_an_offset_is_where_rich_wraps_it(width: int) -> None:
    words = [f"w{n:03d}" for n in range(60)]
    lines = [" ".join(words[:25]), "x" * 70 + words[25], "", "  " + " ".join(words[26:])]
    plain = "\n".join(lines)
    console = Console(width=200)
    shown = [line.plain for line in Text(plain).wrap(console, width)]
    for word in words:
        row = wrapped_row(plain, plain.index(word), width, console)
        # The word starts on that row (a folded one may end on the next).
        assert word in shown[row] or any(shown[row].endswith(word[:k])
                                         for k in range(1, len(word))), (word, row, shown)


async def _detail(pilot: Pilot[Any], app: TuiCloudApp) -> DetailScreen:
    await loaded(pilot, app)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                     and app.screen.raw is not None, what="detail")
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    return screen


def _styles_at(body: Static, start: int, end: int) -> list[str]:
    """The styles of the spans laid exactly over [start, end) in what the body shows."""
    shown = body.render()
    return [str(span.style) for span in getattr(shown, "spans", [])
            if span.start == start and span.end == end]


def _footer(screen: DetailScreen) -> str:
    return screen.query_one(KeyFooter).render().plain


def _title(screen: DetailScreen) -> str:
    from tuicloud.widgets.status_header import StatusHeader

    return screen.query_one(StatusHeader).view_title


async def test_search_scrolls_to_each_match_and_n_goes_round(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _detail(pilot, app)
        assert "Raw JSON" in _footer(screen)
        # "user_id" sorts near the end of a server's JSON: far below a 24-line screen.
        await pilot.press("slash", *"user_id")
        await wait_until(pilot, lambda: screen.search_text == "user_id", what="typed")
        assert screen.show_raw
        assert len(screen.matches) == 1
        assert _title(screen).endswith("/user_id 1 of 1")
        scroll = screen.query_one("#detail-scroll")
        body = screen.query_one("#detail-body", Static)
        row = wrapped_row(screen._raw_plain, screen.matches[0][0], body.content_region.width,
                          app.console)
        await wait_until(pilot, lambda: scroll.scroll_y > 0, what="scrolled")
        assert scroll.scroll_y <= row < scroll.scroll_y + scroll.size.height
        start, end = screen.matches[0]
        assert str(body.render())[start:end] == "user_id"
        assert _styles_at(body, start, end)  # highlighted
        # A word with many matches: enter keeps them, n and N go round the ends.
        bar = screen.query_one("#detail-search", Input)
        await pilot.press(*["backspace"] * 7, *"id")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not bar.has_class("-visible"), what="bar closed")
        count = len(screen.matches)
        assert count > 2 and screen.match_index == 0
        footer = _footer(screen)
        assert "Fields" in footer and "Raw JSON" not in footer and "n Next" in footer
        first, second = screen.matches[:2]
        before = (_styles_at(body, *first), _styles_at(body, *second))
        await pilot.press("n")
        assert screen.match_index == 1 and _title(screen).endswith(f"/id 2 of {count}")
        # The current match's look moved from the first to the second.
        assert (_styles_at(body, *second), _styles_at(body, *first)) == before
        assert before[0] != before[1]
        await pilot.press("N", "N")
        assert screen.match_index == count - 1
        await pilot.press("n")
        assert screen.match_index == 0
        # esc: clears the search first, then goes back.
        await pilot.press("escape")
        assert isinstance(app.screen, DetailScreen) and not screen.matches
        assert "/id" not in _title(screen)
        await pilot.press("escape")
        assert isinstance(app.screen, ResourceListScreen)


async def test_nothing_found_says_so_and_y_back_to_fields(sim: RunningSim) -> None:
    app = make_app()
    said: list[str] = []
    shown = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(message)
        shown(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _detail(pilot, app)
        await pilot.press("slash", *"no-such-text", "enter")
        await wait_until(pilot, lambda: "Not found: no-such-text" in said, what="not found")
        assert _title(screen).endswith("/no-such-text not found")
        assert screen.check_action("next_match", (1,)) is False
        await pilot.press("y")
        assert not screen.show_raw and "Raw JSON" in _footer(screen)
        assert "/no-such-text" not in _title(screen)
