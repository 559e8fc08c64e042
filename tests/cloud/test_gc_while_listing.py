"""The garbage collector's young generation is larger only while a list is paged in."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds import kind_for
from tuicloud.cloud.poller import Poller
from tuicloud.gc_tuning import LOAD_YOUNG_THRESHOLD, long_load
from tuicloud.simcloud import RunningSim


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    """A known starting point, restored afterwards (other tests see CPython's own)."""
    found = gc.get_threshold()
    gc.set_threshold(1234, 11, 12)
    try:
        yield gc.get_threshold()
    finally:
        gc.set_threshold(*found)


def test_a_load_raises_the_young_threshold_and_restores_what_it_found(
        thresholds: tuple[int, int, int]) -> None:
    with long_load():
        assert gc.get_threshold() == (LOAD_YOUNG_THRESHOLD, 11, 12)
        with long_load():  # nested: the inner end leaves the outer load's setting
            pass
        assert gc.get_threshold()[0] == LOAD_YOUNG_THRESHOLD
    assert gc.get_threshold() == thresholds


def test_concurrent_loads_restore_once_the_last_ends(thresholds: tuple[int, int, int]) -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def second() -> None:
        first_in.wait(10)
        with long_load():
            second_in.set()
            first_out.wait(10)
            assert gc.get_threshold()[0] == LOAD_YOUNG_THRESHOLD

    worker = threading.Thread(target=second)
    worker.start()
    with long_load():
        first_in.set()
        assert second_in.wait(10)
    first_out.set()  # the first load ended while the second still runs
    worker.join(10)
    assert gc.get_threshold() == thresholds


def test_a_failing_load_restores_the_thresholds(thresholds: tuple[int, int, int]) -> None:
    with pytest.raises(RuntimeError), long_load():
        raise RuntimeError("the cloud went away")
    assert gc.get_threshold() == thresholds


def test_a_full_list_pages_in_under_the_load_setting(
        sim: RunningSim, monkeypatch: pytest.MonkeyPatch,
        thresholds: tuple[int, int, int]) -> None:
    assert sim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sim.clouds_yaml))
    monkeypatch.delenv("OS_CLOUD", raising=False)
    seen: list[int] = []

    def on_page(_rows: dict[str, Any]) -> None:
        seen.append(gc.get_threshold()[0])

    with CloudSession.connect("simcloud-admin") as session:
        poller = Poller(session, kind_for("servers"), all_projects=True, packed=True)
        assert poller.poll(on_page=on_page).full
    assert seen and set(seen) == {LOAD_YOUNG_THRESHOLD}
    assert gc.get_threshold() == thresholds
