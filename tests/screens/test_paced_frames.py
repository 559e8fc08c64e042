"""A key's frame comes at once unless the last frame is less than a 60th of a second old
(PacedTimer, in widgets/textual_compat.py): Textual's own screen timer, resumed just after a
frame that came late, waited one to two periods."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpers.app import list_screen, loaded, make_app
from tuicloud.simcloud import RunningSim, SimConfig
from tuicloud.widgets.textual_compat import PacedTimer

MODULE_SIMCLOUD = SimConfig(servers=5, volumes=1, images=1)
PERIOD = 1 / 60


class _Target:
    """What the timer holds a weak reference to (a screen, in the app)."""


class _ClockedTimer(PacedTimer):
    """A PacedTimer on a clock the test moves (a sleep ends when the clock passes its end);
    each tick pauses it, as a screen's does."""

    def __init__(self, target: _Target) -> None:
        super().__init__(target, PERIOD, pause=True)
        self.now = 1000.0
        self.wakes_at: float | None = None  # the end of the sleep under way
        self.moved = asyncio.Event()
        self.ticks: list[float] = []
        self.ticked = asyncio.Event()
        self.clock = lambda: self.now  # type: ignore[method-assign]
        self.sleep = self._sleep  # type: ignore[method-assign]

    async def _sleep(self, seconds: float) -> None:
        self.wakes_at = self.now + seconds
        while self.now < self.wakes_at:
            await self.moved.wait()
            self.moved.clear()
        self.wakes_at = None

    def move_to(self, now: float) -> None:
        self.now = now
        self.moved.set()

    async def _tick(self, *, next_timer: float, count: int) -> None:
        self.pause()  # Screen._on_timer_update's first step
        self.ticks.append(self.now)
        self.ticked.set()

    async def frame_asked(self) -> float:
        """Resume the timer (something needs painting); its tick's time, once it ticked."""
        self.ticked.clear()
        self.resume()
        await asyncio.wait_for(self.ticked.wait(), timeout=10)
        return self.ticks[-1]


async def _settle() -> None:
    """Let the timer's task run until it waits (on its sleep or on being resumed)."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_frame_comes_at_once_unless_the_last_is_younger_than_a_period() -> None:
    timer = _ClockedTimer(target := _Target())
    timer._start()
    try:
        assert await timer.frame_asked() == 1000.0  # the first frame: no wait
        timer.move_to(1000.5)  # idle for half a second
        await _settle()
        assert timer.wakes_at is None  # waiting to be resumed, not sleeping
        # A frame asked for after the idle stretch (the header's clock) comes at once; the
        # next one no sooner than a period after it, not on a grid from the timer's start.
        assert await timer.frame_asked() == 1000.5
        await _settle()
        assert timer.wakes_at == pytest.approx(1000.5 + PERIOD)
        timer.move_to(1000.502)  # a key 2 ms later
        timer.ticked.clear()
        timer.resume()
        await _settle()
        assert timer.ticks[-1] == 1000.5  # not yet
        timer.move_to(1000.5 + PERIOD)
        await asyncio.wait_for(timer.ticked.wait(), timeout=10)
        assert timer.ticks[-1] == pytest.approx(1000.5 + PERIOD)
        timer.move_to(1001.0)  # long after the last frame: at once again
        await _settle()
        assert await timer.frame_asked() == 1001.0
    finally:
        timer.stop()
        del target


async def test_the_list_screen_is_painted_by_the_paced_timer(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, app)  # painted through it
        assert isinstance(list_screen(app)._update_timer, PacedTimer)
