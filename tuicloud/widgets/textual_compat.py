"""Every private Textual API tuicloud uses, and the one patch it makes to Textual (`Strip`'s
self-caching, below); nothing else.

pyproject.toml holds Textual to the release these were checked on;
tests/widgets/test_textual_compat.py checks each one against the installed Textual, so an
upgrade that drops or changes one fails there, in one place, rather than somewhere in a screen.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from rich.style import Style
from textual.app import App
from textual.geometry import Size
from textual.screen import UPDATE_PERIOD, Screen
from textual.strip import Strip
from textual.timer import EventTargetGone, Timer
from textual.widget import Widget

ResultT = TypeVar("ResultT")


def screen_stacks(app: App[Any]) -> dict[str, list[Screen[Any]]]:
    """Every mode's screen stack by mode name, the live lists (not copies): Textual offers only
    the current mode's stack publicly, and a cloud switch must reach the views not shown."""
    return app._screen_stacks


def scrollbar_updater(widget: Widget) -> Callable[[Size], None] | None:
    """Textual's hook that updates only the scrollbars for a new virtual size (assigning
    ``virtual_size`` repaints every line); None if this Textual has none."""
    update: Callable[[Size], None] | None = getattr(widget, "_scroll_update", None)
    return update


def styled_with_current_css(app: App[Any], screen: Screen[Any]) -> Screen[Any]:
    """``screen``, marked as styled with the app's current stylesheet.

    A mode's new screen counts as out of date (Textual starts its CSS count at -1), so the
    first switch to it re-parses every stylesheet twice with unchanged variables: 20 ms before
    the first view's first frame. A screen not mounted yet takes its styles from the
    stylesheet when it mounts; a theme change after this still bumps the app's count.
    """
    screen._css_update_count = app._css_update_count
    return screen


def start_in_mode(app: App[Any], mode: str) -> None:
    """Start ``app`` (not running yet) in ``mode`` instead of Textual's blank default screen.

    Textual makes the current mode's screen when the app composes; a first view shown by
    ``switch_mode`` from ``on_mount`` was resumed twice (styles, layout) after the blank
    screen was laid out. ``mode`` must be added (``add_mode``) before the app runs.
    """
    if app.is_running or app._current_mode != app.DEFAULT_MODE:
        raise RuntimeError("the app has already chosen its first mode")
    app._screen_stacks = {mode: []}
    app._current_mode = mode


# -- frames paced from the last one: a key's frame at once, at most 60 a second -------------
# Textual's screen repaints on a paced timer (`Screen._update_timer`, 60 ticks a second) that
# sleeps between ticks and is resumed when something needs painting. Its loop steps on a grid
# from the timer's start: after a tick that came late (the screen was idle, the header's
# one-second refresh resumed it), the next grid point is already past, and it skips to the one
# after: the next frame cannot come sooner than one to two periods after the last. A key
# pressed just after such a frame (an age tick, the header's clock) waited 17-33 ms for its
# own: at 50,000 servers those were most of the cursor's slow presses (key handled to frame
# written: 20-32 ms, against 4 ms otherwise).
#
# :class:`PacedTimer` keeps the same cap on the frame rate but measures it from the last tick:
# a frame comes as soon as it is asked for when the last one is a period old, else a period
# after it.


class PacedTimer(Timer):
    """A repeating timer that ticks when resumed, no sooner than one interval after its last
    tick (Textual's steps on a fixed grid: see the comment above)."""

    clock: Callable[[], float] = staticmethod(time.monotonic)
    sleep: Callable[[float], Awaitable[None]] = staticmethod(asyncio.sleep)

    async def _run(self) -> None:
        interval = self._interval
        last_tick = -math.inf
        count = 0
        while self._repeat is None or count <= self._repeat:
            wait = last_tick + interval - self.clock()
            if wait > 0:
                await self.sleep(wait)
            await self._active.wait()  # paused until something needs it
            last_tick = self.clock()
            count += 1
            try:
                await self._tick(next_timer=last_tick, count=count)
            except EventTargetGone:
                break


class PacedScreen(Screen[ResultT]):
    """A screen repainted by a :class:`PacedTimer`: a key's frame comes at once unless the
    last frame is less than a 60th of a second old."""

    _paced_timer: PacedTimer | None = None

    @property
    def _update_timer(self) -> Timer:
        if self._paced_timer is None:
            # As Screen's own, started paused (`Screen._on_idle` resumes it).
            timer = PacedTimer(self, UPDATE_PERIOD, name="screen_update",
                               callback=self._on_timer_update, pause=True)
            timer._start()
            self._timers.add(timer)
            self._paced_timer = timer
        return self._paced_timer


# -- lines drawn without reference cycles ---------------------------------------------------
# Textual's `Strip` caches what it derives in the strip itself. Two of its methods can derive
# the strip itself, and cache it in itself anyway: `divide` at a line's only cut (the
# compositor divides every line it draws by the widgets on it) returns ``[self]``, and
# `crop_extend` over the whole strip returns ``self``. Each such line becomes a reference cycle
# of about 15 objects (the strip, its six caches, their dicts) that only the garbage collector
# frees. At 160x50 over 50,000 servers, the frames of a few filter keys fed a young collection
# that then took 16-41 ms inside the next key's handling.
#
# :func:`install_strip_patch` makes those two cases return the strip without caching it (what
# the cache would have returned, at no cost). The rest of `Strip` is Textual's.

_textual_divide: Callable[[Strip, Iterable[int]], Sequence[Strip]] = Strip.divide
_textual_crop_extend: Callable[[Strip, int, int, Style | None], Strip] = Strip.crop_extend


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cuts = [cut for cut in cuts if cut <= self.cell_length]  # as Textual's, which it calls
    if cuts == [self.cell_length]:
        return [self]
    return _textual_divide(self, cuts)


def _crop_extend(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    if start == 0 and end == self.cell_length:
        return self
    return _textual_crop_extend(self, start, end, style)


def install_strip_patch() -> None:
    """Patch `Strip` (once; idempotent)."""
    Strip.divide = _divide  # type: ignore[method-assign]
    Strip.crop_extend = _crop_extend  # type: ignore[method-assign]
