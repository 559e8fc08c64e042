"""The full collection a big load calls for comes once its rows are on screen."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from tests.helpers.app import loaded, make_app, wait_until
from tuicloud import gc_tuning
from tuicloud.simcloud import RunningSim


async def test_a_big_first_load_is_collected_once_drawn(sim: RunningSim,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_tuning, "BIG_LOAD_ITEMS", 1)  # every list is big
    gc_tuning.collect_if_due()  # nothing left over from other tests
    full: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    app = make_app()
    gc.callbacks.append(note)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await loaded(pilot, app)
            await wait_until(pilot, lambda: bool(full), what="the full collection")
            assert not gc_tuning.collect_if_due()  # it was done, and only once
    finally:
        gc.callbacks.remove(note)
