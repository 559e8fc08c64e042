"""A container of 100,000 objects (issue 15): the first object row, keys while the listing is
read on, and what a re-poll costs, on simcloud (``--objects``: generated objects, no files).

tuicloud runs in a real pty at 160x50 on ``--view containers``; enter on the container is
timed until its first object is on screen (the CLI peer, `openstack object list`, reads the
whole listing: 100 pages of 1,000). Cursor keys are timed until the cursor line shows
another object (moved, or scrolled under it), page down likewise, pages read on as it goes.
The re-poll figures come from the cloud layer: the lazy poller's quiet poll against a full
list's.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from bench.terminal import PtyApp, cursor_row, rss_kb

OBJECTS = 100_000
CONTAINER = "many"  # simcloud's container of generated objects
FIRST = "event-000000.json"
PAGE_DOWN = "\x1b[6~"

Row = tuple[str, str, str, str]


def _cursor_text(app: PtyApp) -> str | None:
    line = cursor_row(app)
    return None if line is None else app.screen.display[line]


def _open_container(app: PtyApp) -> float:
    """From the containers view: filter to the container, enter; the time its first object
    row is on screen after enter."""
    app.wait_for_text(CONTAINER, timeout=60)
    app.settle(quiet=0.5, timeout=20)
    app.send(f"/{CONTAINER}\r")
    app.wait_for(lambda s: "filter: text" not in s, timeout=10)
    app.settle(quiet=0.3, timeout=10)
    sent = app.send("\r")
    return app.wait_for_text(FIRST, timeout=60) - sent


def first_rows(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Enter on the container → its first object row, once per fresh app."""
    times = []
    for _ in range(runs):
        app = PtyApp([*argv, "--view", "containers"], env=env)
        try:
            times.append(_open_container(app))
        finally:
            app.close()
    return times


def _timed(app: PtyApp, key: str, changed: Callable[[], bool]) -> float:
    sent = app.send(key)
    return app.wait_for(lambda _s: changed(), timeout=10) - sent


def keys_in_container(argv: list[str], env: dict[str, str], presses: int
                      ) -> tuple[list[float], list[float], int, str]:
    """j/k and page-down latencies in the open container, its RSS after, and the header."""
    app = PtyApp([*argv, "--view", "containers", "--refresh", "2"], env=env)
    moves: list[float] = []
    pages: list[float] = []
    try:
        _open_container(app)
        app.settle(quiet=1.0, timeout=30)
        for index in range(presses):
            shown = _cursor_text(app)
            moves.append(_timed(app, "j" if index % 2 == 0 else "k",
                                lambda shown=shown: _cursor_text(app) not in (None, shown)))
            shown = _cursor_text(app)
            pages.append(_timed(app, PAGE_DOWN, lambda shown=shown: _cursor_text(app)
                                not in (None, shown)))
            time.sleep(0.03 + (index % 5) * 0.02)  # spread presses over the poll cycle
        app.settle(quiet=1.0, timeout=30)
        rss = rss_kb(app.process.pid)
        header = app.screen.display[0].strip()
        return moves, pages, rss, header
    finally:
        app.close()


def cli_list(cli: Path, env: dict[str, str], runs: int) -> list[float]:
    """`openstack object list` of the whole container."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(cli), "--os-cloud", "simcloud", "object", "list", CONTAINER,
                        "-f", "value", "-c", "Name"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def repoll_costs(clouds: Path) -> tuple[tuple[int, int, float], tuple[int, int, float]]:
    """(requests, bytes, seconds) of a quiet lazy re-poll and of a full list's re-poll."""
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.kinds.objects import objects_in
    from tuicloud.cloud.poller import Poller
    from tuicloud.cloud.window_poller import WindowPoller

    session = CloudSession.connect("simcloud")
    kind = objects_in(CONTAINER, "")
    lazy = WindowPoller(session, kind)
    lazy.poll()
    quiet = lazy.poll()
    full = Poller(session, dataclasses.replace(kind, refresh="full"))
    full.poll()
    again = full.poll()
    return ((quiet.requests, quiet.bytes, quiet.elapsed),
            (again.requests, again.bytes, again.elapsed))


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def measure(tuicloud: Path, cli: Path, clouds: Path, env: dict[str, str],
            quick: bool) -> list[Row]:
    """The rows of `make bench` for a container of 100,000 objects (simcloud running)."""
    argv = [str(tuicloud), "--os-cloud", "simcloud"]
    rows: list[Row] = []
    ours = first_rows(argv, env, 2 if quick else 5)
    peer = cli_list(cli, env, 1 if quick else 3)
    rows.append((f"first object row, {OBJECTS:,} objects in a container",
                 f"{statistics.median(ours):.2f} s", "<= 0.5 s",
                 f"openstack object list: {statistics.median(peer):.2f} s"
                 f" ({statistics.median(peer) / statistics.median(ours):.0f}x)"))
    moves, pages, rss, header = keys_in_container(argv, env, 30 if quick else 90)
    rows.append((f"cursor key latency p50 / p99, {OBJECTS:,} objects",
                 f"{percentile(moves, 50) * 1000:.0f} / {percentile(moves, 99) * 1000:.0f} ms",
                 "p99 <= 50 ms", ""))
    view = header.partition("Objects")[2].partition("updated")[0].strip() or "?"
    rows.append(("page down p50 / p99, reading on as it goes",
                 f"{percentile(pages, 50) * 1000:.0f} / {percentile(pages, 99) * 1000:.0f} ms",
                 "", f"header after: Objects {view}"))
    rows.append((f"RSS in a container of {OBJECTS:,}", f"{rss / 1024:.0f} MB", "<= 120 MB", ""))
    (q_req, q_bytes, q_s), (f_req, f_bytes, f_s) = repoll_costs(clouds)
    rows.append((f"quiet objects re-poll, {OBJECTS:,} objects",
                 f"{q_bytes:,} B in {q_req} request(s), {q_s * 1000:.0f} ms", "<= 5 KB",
                 f"a full list each poll: {f_bytes / 1e6:.1f} MB in {f_req} requests, "
                 f"{f_s:.2f} s"))
    return rows
