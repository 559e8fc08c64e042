"""Start-up (issue 17): the first row from process start with and without the view cache, and
where the time goes, on simcloud with the rig's measured costs.

tuicloud runs in a real pty at 160x50 (``--view servers``) until the newest server's name is
on screen (its first row), then until the header says the rows are fresh. "No cache" starts
with an empty cache folder each time (the very first start, or ``cache = false``); "cached"
starts after a run that kept the view. The breakdown times each step on its own, in a fresh
interpreter each: the interpreter, ``import textual``, ``import tuicloud.app``, the SDK's
import (in the connection's worker now), authentication with the catalog, the first page of
servers and the whole list. Runs alternate between the two kinds of start, so both meet the
same load; the figures are medians.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.terminal import PtyApp, compile_as_installed

BIN = Path(sys.executable).parent
GOAL_CACHED = 0.35
"""The issue's goal for the first useful screen, whatever the cloud's size or latency."""

_BREAKDOWN = r"""
import json, sys, time
marks = {"start": time.perf_counter()}
import textual
marks["textual"] = time.perf_counter()
import tuicloud.app
marks["app"] = time.perf_counter()
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds.registry import kind_for
from tuicloud.cloud.poller import Poller
marks["sdk"] = time.perf_counter()
session = CloudSession.connect("simcloud")
marks["auth"] = time.perf_counter()
first = []
poller = Poller(session, kind_for("servers"))
poller.poll(on_page=lambda rows: first.append(time.perf_counter()) if not first else None)
marks["list"] = time.perf_counter()
marks["page"] = first[0] if first else marks["list"]
session.close()
print(json.dumps(marks))
"""


_TEXTUAL_PEER = r"""
import sys
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

class Peer(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Status", "Addresses", "Age")
        for number in range(50):
            table.add_row(sys.argv[1] if number == 0 else f"server-{number}", "ACTIVE",
                          f"private=10.0.0.{number}", "3d")

Peer().run()
"""
"""The peer of the cached start: a bare Textual app (header, a DataTable of 50 rows, footer)
until its first row is on screen. What Python and Textual alone cost before a first frame."""


def textual_peer(name: str) -> float:
    """The bare Textual app's first row from process start, in the same 160x50 pty."""
    app = PtyApp([sys.executable, "-c", _TEXTUAL_PEER, name[:20]], env=dict(os.environ))
    try:
        return app.wait_for_text(name[:20], timeout=60) - app.started
    finally:
        app.close()


def _env(clouds: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    for var, sub in (("XDG_STATE_HOME", "state"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_CACHE_HOME", "cache")):
        env[var] = str(home / sub)
    return env


def start(clouds: Path, home: Path, name: str) -> tuple[float, float, float]:
    """(first screen, first row, fresh rows) from process start, in seconds."""
    app = PtyApp([str(BIN / "tuicloud"), "--os-cloud", "simcloud", "--view", "servers"],
                 env=_env(clouds, home))
    try:
        painted = app.wait_for(lambda s: "simcloud" in s and "Name" in s, timeout=60)
        row = app.wait_for_text(name[:20], timeout=60)
        fresh = app.wait_for(lambda s: "updated " in s and name[:20] in s, timeout=60)
        return painted - app.started, row - app.started, fresh - app.started
    finally:
        app.close()


def interpreter() -> float:
    """`python -c pass`, start to exit."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def breakdown(clouds: Path, home: Path) -> dict[str, float]:
    """Each step's seconds, in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", _BREAKDOWN], env=_env(clouds, home),
                          check=True, capture_output=True, text=True)
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    order = ["start", "textual", "app", "sdk", "auth", "page", "list"]
    steps = {after: marks[after] - marks[before] for before, after in zip(order, order[1:],
                                                                            strict=False)}
    steps["list"] = marks["list"] - marks["auth"]  # the whole list, the first page included
    return steps


def measure(clouds: Path, name: str, runs: int, *, servers: int,
            detail: bool = True) -> list[tuple[str, str, str, str]]:
    """The bench rows (figure, value, goal, peer); ``detail``: the first screen, the fresh
    rows and the breakdown too."""
    cold: list[tuple[float, float, float]] = []
    warm: list[tuple[float, float, float]] = []
    steps: list[dict[str, float]] = []
    bare: list[float] = []
    peer: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tuicloud-startbench-") as folder:
        kept = Path(folder) / "kept"
        start(clouds, kept, name)  # keeps the view for the cached starts (and warms caches)
        for number in range(runs):
            empty = Path(folder) / f"empty-{number}"
            cold.append(start(clouds, empty, name))
            shutil.rmtree(empty, ignore_errors=True)
            warm.append(start(clouds, kept, name))
            peer.append(textual_peer(name))
            if detail:
                steps.append(breakdown(clouds, kept))
                bare.append(interpreter())

    def median(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} s"

    def ms(key: str) -> str:
        return f"{statistics.median([s[key] for s in steps]) * 1000:.0f}"

    cold_row, warm_row = [c[1] for c in cold], [w[1] for w in warm]
    rows = [(f"first server row from the view cache, {servers:,} servers", median(warm_row),
             f"<= {GOAL_CACHED} s", f"no cache: {median(cold_row)} "
             f"({statistics.median(cold_row) / statistics.median(warm_row):.1f}x); a bare "
             f"Textual app's first of 50 rows: {median(peer)} "
             f"({statistics.median(warm_row) / statistics.median(peer):.2f}x)")]
    if not detail:
        return rows
    return [
        *rows,
        ("first screen drawn, cached / no cache",
         f"{median([w[0] for w in warm])} / {median([c[0] for c in cold])}", "", ""),
        ("all rows fresh (header 'updated'), cached / no cache",
         f"{median([w[2] for w in warm])} / {median([c[2] for c in cold])}",
         "as fast as the API", ""),
        ("start-up (ms): interpreter, import textual, import tuicloud.app (no SDK), SDK "
         "import (worker), auth+catalog, first page, whole list",
         f"{statistics.median(bare) * 1000:.0f}, {ms('textual')}, {ms('app')}, {ms('sdk')}, "
         f"{ms('auth')}, {ms('page')}, {ms('list')}", "", ""),
    ]


def main() -> int:
    """`python -m bench.startup`: only these figures (1,000 servers, measured costs)."""
    compile_as_installed()
    from bench.__main__ import first_server_name, simcloud_process

    runs = 2 if os.environ.get("BENCH_QUICK") == "1" else 5
    with simcloud_process(1000, costs="measured") as (_url, clouds):
        rows = measure(clouds, first_server_name(clouds), runs, servers=1000)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
