"""The full collection a big load calls for comes once its rows are on screen."""

from __future__ import annotations

import pytest

from tests.helpers.app import loaded, make_app, table, wait_until
from tuicloud import gc_tuning
from tuicloud.screens import resource_list
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


async def test_a_big_first_load_is_collected_once_drawn(sim: RunningSim,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_tuning, "BIG_LOAD_ITEMS", 1)  # every list is big
    gc_tuning.collect_if_due()  # nothing left over from other tests
    app = make_app()
    drawn_before: list[bool] = []  # per collection the screen ran: were the rows on screen?

    def collect() -> bool:
        done = gc_tuning.collect_if_due()
        if done:
            screen = app.screen
            drawn_before.append(isinstance(screen, ResourceListScreen)
                                and table(app).row_count > 0)
        return done

    # The screen's own reference (other loads, the name lookups, may ask for more later).
    monkeypatch.setattr(resource_list, "collect_if_due", collect)
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: bool(drawn_before), what="the full collection")
        assert drawn_before[0], "collected before the rows were on screen"
