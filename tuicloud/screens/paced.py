"""Screens whose frames follow a key at once, at most 60 a second.

Textual's screen repaints on a paced timer (`Screen._update_timer`, 60 ticks a second) that
sleeps between ticks and is resumed when something needs painting. Its loop steps on a grid
from the timer's start: after a tick that came late (the screen was idle, the header's
one-second refresh resumed it), the next grid point is already past, and it skips to the one
after: the next frame cannot come sooner than one to two periods after the last. A key
pressed just after such a frame (an age tick, the header's clock) waited 17-33 ms for its
own: at 50,000 servers those were most of the cursor's slow presses (key handled to frame
written: 20-32 ms, against 4 ms otherwise).

:class:`PacedTimer` keeps the same cap on the frame rate but measures it from the last tick:
a frame comes as soon as it is asked for when the last one is a period old, else a period
after it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import EventTargetGone, Timer

ResultT = TypeVar("ResultT")


class PacedTimer(Timer):
    """A repeating timer that ticks when resumed, no sooner than one interval after its last
    tick (Textual's steps on a fixed grid, see the module's docstring)."""

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
