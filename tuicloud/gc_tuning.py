"""Garbage-collector settings for a UI that holds tens of thousands of long-lived rows.

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

YOUNG_THRESHOLD = 20_000
"""Allocations between young collections (CPython's default: 700). At 50,000 each young
collection took 25-40 ms; at 20,000 about 6 ms."""


def tune_gc() -> None:
    """Apply the thresholds (once, at start-up; the later generations keep their defaults)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
