"""One test per private Textual API in tuicloud/widgets/textual_compat.py: each checks the
behaviour tuicloud relies on against the installed Textual, so an upgrade that drops or changes
one fails here by name."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from tuicloud.widgets.textual_compat import (
    PacedScreen,
    PacedTimer,
    _textual_crop_extend,
    _textual_divide,
    install_strip_patch,
    screen_stacks,
    scrollbar_updater,
    start_in_mode,
    styled_with_current_css,
)


class _Named(Screen[None]):
    def __init__(self, label: str) -> None:
        super().__init__(name=label)

    def compose(self) -> ComposeResult:
        yield Static(self.name or "")


class _TwoModes(App[None]):
    MODES = {"one": lambda: _Named("one"), "two": lambda: _Named("two")}

    def on_mount(self) -> None:
        self.switch_mode("one")


async def test_screen_stacks_are_every_mode_s_live_stack() -> None:
    app = _TwoModes()
    async with app.run_test() as pilot:
        await app.push_screen(_Named("one-detail"))
        await app.switch_mode("two")
        await pilot.pause()
        stacks = screen_stacks(app)
        assert isinstance(stacks, dict)
        assert [s.name for s in stacks["one"]] == ["one", "one-detail"]
        assert [s.name for s in stacks["two"]] == ["two"]
        assert stacks[app.current_mode] == app.screen_stack
        # app.py closes a hidden view's screens by popping its stack: the list must be
        # Textual's own, so the view shows its list screen when it comes back.
        stacks["one"].pop().remove()
        await app.switch_mode("one")
        await pilot.pause()
        assert app.screen.name == "one"
        assert [s.name for s in screen_stacks(app)["one"]] == ["one"]


class _Scrolling(ScrollView):
    DEFAULT_CSS = "_Scrolling { height: 10; }"


class _ScrollApp(App[None]):
    def compose(self) -> ComposeResult:
        yield _Scrolling()


async def test_scrollbar_updater_resizes_the_scrollbar_alone() -> None:
    app = _ScrollApp()
    async with app.run_test(size=(40, 20)) as pilot:
        view = app.query_one(_Scrolling)
        view.virtual_size = Size(20, 100)
        await pilot.pause()
        update: Any = scrollbar_updater(view)
        assert update is not None, "Textual no longer has Widget._scroll_update"
        assert list(inspect.signature(update).parameters) == ["virtual_size"]
        # What ResourceTable does for a new row count: set the reactive without its
        # watchers, then let the hook update the scrollbar.
        view.set_reactive(_Scrolling.virtual_size, Size(20, 500))
        update(Size(20, 500))
        assert view.vertical_scrollbar.window_virtual_size == 500
        view.scroll_to(y=450, animate=False, force=True)
        await pilot.pause()
        assert view.scroll_y == 450  # beyond the old 100 rows: the new size holds


class _Styled(Screen[None]):
    DEFAULT_CSS = "_Styled Static { color: $primary; }"

    def compose(self) -> ComposeResult:
        yield Static("styled")


class _StyledModes(App[None]):
    def on_mount(self) -> None:
        self.add_mode("plain", _Styled)
        self.add_mode("marked", lambda: styled_with_current_css(self, _Styled()))
        self.add_mode("later", lambda: styled_with_current_css(self, _Styled()))


async def test_a_screen_styled_with_current_css_is_shown_without_reparsing() -> None:
    """A first switch to a mode re-parses every stylesheet twice (a new screen's CSS count is
    -1); a screen marked current is shown with the same styles and no re-parse, and a theme
    changed after the mark still reaches it."""
    app = _StyledModes()
    async with app.run_test() as pilot:
        reparsed: list[int] = []
        reparse = app.stylesheet.reparse

        def counting() -> None:
            reparsed.append(1)
            reparse()

        app.stylesheet.reparse = counting  # type: ignore[method-assign]
        await app.switch_mode("plain")
        await pilot.pause()
        assert reparsed, "Textual no longer re-parses on a first switch to a mode"
        plain = app.screen.query_one(Static).styles.color
        reparsed.clear()
        await app.switch_mode("marked")
        await pilot.pause()
        assert reparsed == []
        assert app.screen.query_one(Static).styles.color == plain
        app.theme = "nord"
        await pilot.pause()
        reparsed.clear()
        await app.switch_mode("later")
        await pilot.pause()
        themed = app.screen.query_one(Static).styles.color
        assert themed != plain
        await app.switch_mode("plain")
        await pilot.pause()
        assert app.screen.query_one(Static).styles.color == themed


class _StartsInMode(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.resumed: list[str] = []
        self.add_mode("one", lambda: _Resumes("one"))
        self.add_mode("two", lambda: _Resumes("two"))
        start_in_mode(self, "one")


class _Resumes(_Named):
    def on_screen_resume(self) -> None:
        app = self.app
        assert isinstance(app, _StartsInMode)
        app.resumed.append(self.name or "")


async def test_start_in_mode_makes_the_mode_s_screen_the_first_one() -> None:
    """No blank default screen first, and the first screen resumed once (a switch_mode from
    on_mount resumes it twice); the other modes switch as before."""
    app = _StartsInMode()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.current_mode == "one" and app.screen.name == "one"
        assert list(screen_stacks(app)) == ["one"]
        assert app.resumed == ["one"]
        await app.switch_mode("two")
        await app.switch_mode("one")
        await pilot.pause()
        assert app.screen.name == "one" and app.resumed[-1] == "one" and "two" in app.resumed
        with pytest.raises(RuntimeError):
            start_in_mode(app, "two")


def test_the_strip_patch_draws_what_textual_s_strip_draws() -> None:
    install_strip_patch()

    def strip() -> Strip:
        return Strip([Segment("abc", Style(bold=True)), Segment("defgh")], 8)

    # Textual's own derive the strip itself in the two cases the patch leaves uncached.
    whole = strip()
    assert _textual_divide(whole, [8])[0] is whole
    assert _textual_crop_extend(whole, 0, 8, None) is whole
    for cuts in ([8], [3, 8], [2, 5, 8], [8, 12], [4], [3]):
        ours, theirs = strip().divide(cuts), _textual_divide(strip(), cuts)
        assert [(s.text, s.cell_length) for s in ours] == [(s.text, s.cell_length)
                                                          for s in theirs], cuts
    for start, end in ((0, 8), (0, 10), (2, 8), (1, 4), (0, 5)):
        ours_one = strip().crop_extend(start, end, None)
        theirs_one = _textual_crop_extend(strip(), start, end, None)
        assert (ours_one.text, ours_one.cell_length) == (theirs_one.text,
                                                         theirs_one.cell_length)
    whole = strip()
    assert whole.divide([8])[0] is whole and whole.crop_extend(0, 8, None) is whole
    assert not whole._divide_cache and not whole._crop_extend_cache  # no cycle through them


class _PacedApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(_PacedNamed())


class _PacedNamed(PacedScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("paced")


async def test_a_paced_screen_is_repainted_by_its_paced_timer() -> None:
    app = _PacedApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, _PacedNamed)
        timer = screen._update_timer
        assert isinstance(timer, PacedTimer) and timer in screen._timers
        assert timer._callback == screen._on_timer_update  # Textual's repaint, paced
        painted: list[bool] = []

        def counted() -> None:
            painted.append(True)
            screen._on_timer_update()

        timer._callback = counted
        screen.query_one(Static).update("painted again")
        await pilot.pause()
        assert painted  # the update went through the paced timer's tick


def test_only_the_compat_module_names_textual_s_private_apis() -> None:
    package = Path(__file__).resolve().parents[2] / "tuicloud"
    compat = package / "widgets" / "textual_compat.py"
    private = ("_screen_stacks", "_scroll_update", "_css_update_count", "_current_mode",
               "_update_timer", "_on_timer_update", "_divide_cache", "_crop_extend_cache")
    users = sorted(str(path.relative_to(package)) for path in package.rglob("*.py")
                   if path != compat and any(name in path.read_text(encoding="utf-8")
                                             for name in private))
    assert users == []
