"""Frames leave no reference cycles for the garbage collector. Textual's `Strip` cached itself
in itself when the compositor divided a line at its only cut, and its LRUCache (the table's
line cache) left its lines in a ring when cleared (see textual_compat and ResourceTable):
each line drawn became a cycle of ~15 objects, and over 50,000 rows the young collections
they fed took 16-41 ms inside key presses."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.strip import Strip

from tests.helpers.app import loaded, make_app, wait_until
from tuicloud.simcloud import RunningSim, SimConfig

MODULE_SIMCLOUD = SimConfig(servers=60, volumes=1, images=2)


async def _cyclic_strips(pilot: Pilot[None], keys: Callable[[], Awaitable[None]]) -> Counter[str]:
    """The strips a collection finds unreachable after ``keys`` (each in a cycle, or held
    by one), by the text they draw."""
    await pilot.pause()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds is kept in gc.garbage
    try:
        await keys()
        await pilot.pause()
        gc.collect()
        return Counter(o.text.strip()[:30] for o in gc.garbage if isinstance(o, Strip))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


async def test_cursor_and_filter_keys_leave_no_line_in_a_cycle(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app)

        async def cursor() -> None:
            await pilot.press("j", "j", "k")

        async def open_filter() -> None:  # the table loses the focus: its lines restyled
            await pilot.press("slash")
            await wait_until(pilot, lambda: app.focused is not grid, what="the filter bar")

        async def filter_keys() -> None:
            await pilot.press("s", "e")
            await wait_until(pilot, lambda: grid.filter_text == "se", what="/se")
            await pilot.press("backspace", "backspace")
            await wait_until(pilot, lambda: grid.filter_text == "", what="the filter erased")

        assert await _cyclic_strips(pilot, cursor) == Counter()
        assert await _cyclic_strips(pilot, open_filter) == Counter()
        assert await _cyclic_strips(pilot, filter_keys) == Counter()
