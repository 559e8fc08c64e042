"""The garbage collector while a list is paged in: a larger young generation, what a big
load kept frozen until it ends, and one full collection once a big load's rows are drawn."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tuicloud import gc_tuning
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds import kind_for
from tuicloud.cloud.poller import Poller
from tuicloud.gc_tuning import LOAD_YOUNG_THRESHOLD, collect_if_due, long_load
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


@pytest.fixture
def full_collections() -> Iterator[list[int]]:
    """The full collections that start while the test runs (their number, one each)."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


def test_big_loads_call_for_one_full_collection(thresholds: tuple[int, int, int],
                                                full_collections: list[int],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_tuning, "BIG_LOAD_ITEMS", 100)
    collect_if_due()  # nothing left over from other tests
    full_collections.clear()
    with long_load() as outer:
        with long_load() as inner:
            inner.items = 60
        outer.items = 40  # together: a big load
        assert not collect_if_due()  # not while a load runs
    assert not full_collections  # the load itself never collects: the table draws first
    assert collect_if_due() and len(full_collections) == 1
    assert not collect_if_due()  # once
    with long_load() as small:
        small.items = 99
    assert not collect_if_due() and len(full_collections) == 1


def test_a_full_list_pages_in_under_the_load_setting(
        sim: RunningSim, monkeypatch: pytest.MonkeyPatch,
        thresholds: tuple[int, int, int]) -> None:
    assert sim.clouds_yaml is not None
    monkeypatch.setattr(gc_tuning, "BIG_LOAD_ITEMS", 1)  # every list is big
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sim.clouds_yaml))
    monkeypatch.delenv("OS_CLOUD", raising=False)
    seen: list[int] = []
    frozen: list[int] = []

    def on_page(_rows: dict[str, Any]) -> None:
        seen.append(gc.get_threshold()[0])
        frozen.append(gc.get_freeze_count())

    with CloudSession.connect("simcloud-admin") as session:
        poller = Poller(session, kind_for("servers"), all_projects=True, packed=True,
                        first_page_size=3)  # two pages at least
        assert poller.poll(on_page=on_page).full
    assert seen and set(seen) == {LOAD_YOUNG_THRESHOLD}
    assert len(frozen) >= 2 and frozen[0] == 0 and all(frozen[1:])  # from the first page kept
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0
    assert collect_if_due()  # the items it brought were counted


def _collected(thing: object) -> bool:
    """True when a collection of some generation would walk ``thing`` (it is not frozen)."""
    return any(found is thing for found in gc.get_objects())


def test_a_big_load_keeps_what_it_holds_frozen_until_the_last_load_ends(
        thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_tuning, "BIG_LOAD_ITEMS", 100)
    collect_if_due()
    with long_load() as outer:
        outer.page_kept(60)
        assert gc.get_freeze_count() == 0  # not big yet
        with long_load() as inner:
            inner.page_kept(100)
            assert gc.get_freeze_count() > 0
            kept = [[n] for n in range(1000)]  # rows the load keeps
            assert _collected(kept[-1])
            inner.page_kept(100)
            assert not _collected(kept[-1])  # frozen: no collection walks it
        assert gc.get_freeze_count() > 0  # the outer load still runs
        outer.page_kept(60)
    assert gc.get_freeze_count() == 0
    assert _collected(kept[-1])
    assert collect_if_due()  # the cycles a frozen stretch left are collected once drawn


def test_a_load_past_its_freezing_time_or_failing_leaves_nothing_frozen(
        thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_tuning, "BIG_LOAD_ITEMS", 100)
    monkeypatch.setattr(gc_tuning, "FREEZE_FOR", 0.0)
    with long_load() as slow:
        slow.page_kept(500)
        assert gc.get_freeze_count() == 0  # a slow cloud's load: the CPU idles anyway
    monkeypatch.setattr(gc_tuning, "FREEZE_FOR", 30.0)
    with pytest.raises(RuntimeError), long_load() as failing:
        failing.page_kept(500)
        assert gc.get_freeze_count() > 0
        raise RuntimeError("the cloud went away")
    assert gc.get_freeze_count() == 0
    assert collect_if_due()


def test_start_up_tunes_the_collector_and_the_gil(thresholds: tuple[int, int, int]) -> None:
    interval = sys.getswitchinterval()
    try:
        gc_tuning.tune_gc()
        assert gc.get_threshold() == (gc_tuning.YOUNG_THRESHOLD, 11, 12)
        assert sys.getswitchinterval() == pytest.approx(gc_tuning.SWITCH_INTERVAL)
    finally:
        sys.setswitchinterval(interval)
