"""Garbage-collector (and GIL) settings for a UI that holds tens of thousands of long-lived
rows while worker threads read and convert lists.

With CPython's default thresholds (700, 10, 10), `make bench` at 10,000 servers (1% changing
every 2 s, keys pressed) ran a full collection every ~2.5 s, each holding the GIL for 80-160 ms
to walk the ~250,000 tracked objects (mostly the rows and their JSON): those pauses were the
cursor key's p99. Textual's rendering churns through short-lived containers (strips with their
caches, virtual nodes for component styles); with a 700-object young generation many of them
outlive two young collections, and every such promotion counts towards the next full one. A
larger young generation lets them die young instead: a young collection then finds the cycles
in ~6 ms about once a second, and full collections become rare.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

YOUNG_THRESHOLD = 20_000
"""Allocations between young collections (CPython's default: 700). At 50,000 each young
collection took 25-40 ms; at 20,000 about 6 ms."""


SWITCH_INTERVAL = 0.001
"""Seconds a thread runs before another one waiting for the GIL gets it (CPython: 0.005). A
worker converting a page holds it in long stretches; the thread reading the next page (its
socket reads give the GIL up and wait to get it back) and the UI then waited up to 5 ms a
turn. 50,000 servers listed 0.2 s sooner with 1 ms (4.72 against 4.95 s and 4.03 against
4.24 s, medians of 8 and 6 alternating runs); key latency at 10,000 servers with churn did not
change (p99 31-38 ms against 34-43 ms over 180-270 presses)."""


def tune_gc() -> None:
    """Apply the thresholds (once, at start-up; the later generations keep their defaults),
    and the GIL's switch interval."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    sys.setswitchinterval(SWITCH_INTERVAL)


LOAD_YOUNG_THRESHOLD = 200_000
"""Allocations between young collections while a long list is read. A page of 1,000 servers
parses into ~30,000 containers that live until the page is converted: with 20,000, one or two
young collections per page walked the live page and pushed it into the older generations,
whose collections then walked it again. At 50,000 servers that was 0.56 s of the load's
collections (133 young, 12 middle, 1 full)."""

BIG_LOAD_ITEMS = 10_000
"""Loads that brought this many items call for one full collection once their rows are shown
(:func:`collect_if_due`). The rows, promoted in a few large batches, would otherwise wait in
the middle generation for one collection to walk them all: 133 ms at 50,000 servers, some
seconds later, under a key press. Collected right after the list is drawn, the next full
collection waits until the heap has grown by another quarter."""


FREEZE_FOR = 30.0
"""Seconds from a load's start during which its pages freeze what is alive (see
:meth:`Load.page_kept`). A slow cloud's load runs for minutes while the CPU idles: its
collections cost nothing worth saving, and the cycles a running UI leaves would wait."""


@dataclass
class Load:
    """What a load brought: its caller sets ``items``."""

    items: int = 0
    started: float = field(default_factory=time.monotonic)

    def page_kept(self, count: int) -> None:
        """A page of ``count`` items is kept. Once the load has brought BIG_LOAD_ITEMS, what
        is alive is frozen (`gc.freeze`, O(1)): the rows kept so far are then walked by no
        collection until the last load ends, and the young count starts again. At 50,000
        servers two young collections of ~200,000 kept rows each had cost ~0.1 s in the
        load. The last load to end unfreezes them into the oldest generation, and asks for
        the full collection of a big load (see BIG_LOAD_ITEMS), which finds the cycles the
        frozen stretch left."""
        global _frozen
        self.items += count
        if self.items >= BIG_LOAD_ITEMS and time.monotonic() - self.started < FREEZE_FOR:
            with _lock:
                if _loads:
                    gc.freeze()
                    _frozen = True


_lock = threading.Lock()
_loads = 0
_items = 0
_saved: tuple[int, int, int] | None = None
_collect_due = False
_frozen = False


@contextmanager
def long_load() -> Iterator[Load]:
    """Fewer young collections while a list is paged in (nested and concurrent loads share
    one setting; the last to finish restores the thresholds found before the first, and
    marks a full collection due if the loads brought BIG_LOAD_ITEMS items)."""
    global _loads, _items, _saved, _collect_due, _frozen
    load = Load()
    with _lock:
        _loads += 1
        if _loads == 1:
            _saved = gc.get_threshold()
            _items = 0
            gc.set_threshold(LOAD_YOUNG_THRESHOLD, _saved[1], _saved[2])
    try:
        yield load
    finally:
        with _lock:
            _loads -= 1
            _items += load.items
            if _loads == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
                _collect_due = _collect_due or _items >= BIG_LOAD_ITEMS or _frozen
                if _frozen:
                    gc.unfreeze()
                    _frozen = False


def collect_if_due() -> bool:
    """The full collection a big load called for, if any and no load is running (call it once
    the rows are on screen); True when it collected."""
    global _collect_due
    with _lock:
        due = _collect_due and _loads == 0
        _collect_due = _collect_due and not due
    if due:
        gc.collect()
    return due
