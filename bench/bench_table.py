"""Benchmark ResourceTable against Textual's DataTable on the operations a poll performs.

Run: .venv/bin/python bench/bench_table.py   (headless; about 30 s on a small machine)

Each figure is the median of 5 runs. "call" is the Python call alone; "settled" also waits
until the app has processed the resulting messages/refresh (`pilot.pause()`), which is
where DataTable does part of its work, and includes the compositor repainting the screen;
the last two rows give the floor of that measure (a bare repaint, and no work at all).
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable

from tuicloud.widgets.resource_table import Column, ResourceTable

RUNS = 5
ROWS = 10_000
CHANGES = 100
SIZE = (160, 50)

COLUMNS = [
    Column("name", "Name", 24),
    Column("status", "Status", 9, priority=0),
    Column("task", "Task", 10, priority=3),
    Column("networks", "Networks", 24, priority=2),
    Column("flavor", "Flavor", 10, priority=1),
    Column("image", "Image", 14, priority=4),
    Column("ram", "RAM MB", 8, priority=2, numeric=True),
    Column("id", "ID", 36, priority=5),
]
STATUSES = ["ACTIVE", "SHUTOFF", "BUILD", "ERROR"]


def make_row(i: int, gen: int = 0) -> dict[str, object]:
    """A server-like row; `gen` changes the status/task so updates differ."""
    status = STATUSES[(i + gen) % len(STATUSES)]
    return {
        "id": str(uuid.UUID(int=i)),
        "name": f"web-{i:06d}.prod.example.org",
        "status": Text(status, style="green" if status == "ACTIVE" else "red"),
        "task": None if gen == 0 else "rebooting",
        "networks": f"private=10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
        "flavor": "m1.large",
        "image": "ubuntu-24.04",
        "ram": 8192 + gen,
    }


def make_rows(ids: range, gen: int = 0) -> dict[str, dict[str, object]]:
    return {str(uuid.UUID(int=i)): make_row(i, gen) for i in ids}


class BenchApp(App[None]):
    """An empty app to mount tables into."""

    def compose(self) -> ComposeResult:
        yield Vertical(id="host")


Result = dict[str, list[float]]


async def timed(results: Result, name: str, pilot: Pilot[None], op: Callable[[], Any]) -> None:
    start = time.perf_counter()
    outcome = op()
    if isinstance(outcome, Awaitable):
        await outcome
    called = time.perf_counter()
    await pilot.pause()
    settled = time.perf_counter()
    results.setdefault(f"{name} (call)", []).append(called - start)
    results.setdefault(f"{name} (settled)", []).append(settled - start)


def render_screen(widget: ResourceTable | DataTable[Any]) -> None:
    widget.notify_style_update()  # drops both widgets' line caches: a cold repaint
    for y in range(widget.scrollable_content_region.height):
        widget.render_line(y)


async def run_resource_table(pilot: Pilot[None], host: Widget, results: Result) -> None:
    rows = make_rows(range(ROWS))
    await host.remove_children()
    table = ResourceTable(COLUMNS)
    await host.mount(table)
    await pilot.pause()
    await timed(results, "add 10,000 rows", pilot, lambda: table.apply_diff(rows))
    table.cursor_id = str(uuid.UUID(int=ROWS // 2))
    await pilot.pause()
    updates = make_rows(range(0, ROWS, ROWS // CHANGES), gen=1)
    removals = [str(uuid.UUID(int=i)) for i in range(1, ROWS, ROWS // CHANGES)]
    adds = make_rows(range(ROWS, ROWS + CHANGES))
    await timed(results, "diff 100 upd+100 rm+100 add", pilot,
                lambda: table.apply_diff({**updates, **adds}, removals))
    cells = make_rows(range(2, ROWS, ROWS // CHANGES), gen=2)
    await timed(results, "update 100 cells", pilot, lambda: table.apply_diff(cells))
    gone = [str(uuid.UUID(int=i)) for i in range(3, ROWS, ROWS // CHANGES)]
    await timed(results, "remove 100 rows", pilot, lambda: table.apply_diff({}, gone))
    await timed(results, "full-screen render", pilot, lambda: render_screen(table))
    await timed(results, "sort by name", pilot, lambda: table.sort_by("name"))
    await timed(results, "filter 'web-0001'", pilot, lambda: table.set_filter("web-0001"))
    await timed(results, "repaint only: refresh()", pilot, table.refresh)
    await timed(results, "nothing (pause floor)", pilot, lambda: None)


async def run_data_table(pilot: Pilot[None], host: Widget, results: Result) -> None:
    keys = [c.key for c in COLUMNS]
    rows = [[row[k] for k in keys] for row in make_rows(range(ROWS)).values()]
    row_keys = list(make_rows(range(ROWS)))
    await host.remove_children()
    table: DataTable[Any] = DataTable()
    await host.mount(table)
    for column in COLUMNS:
        table.add_column(column.title, key=column.key, width=column.width)
    await pilot.pause()

    def add_rows() -> None:
        for key, row in zip(row_keys, rows, strict=True):
            table.add_row(*row, key=key)

    def update_cells() -> None:
        for i in range(2, ROWS, ROWS // CHANGES):
            table.update_cell(str(uuid.UUID(int=i)), "task", "rebooting")

    def remove_rows() -> None:
        for i in range(3, ROWS, ROWS // CHANGES):
            table.remove_row(str(uuid.UUID(int=i)))

    await timed(results, "add 10,000 rows", pilot, add_rows)
    await timed(results, "update 100 cells", pilot, update_cells)
    await timed(results, "remove 100 rows", pilot, remove_rows)
    await timed(results, "full-screen render", pilot, lambda: render_screen(table))
    await timed(results, "sort by name", pilot, lambda: table.sort("name"))
    await timed(results, "repaint only: refresh()", pilot, table.refresh)
    await timed(results, "nothing (pause floor)", pilot, lambda: None)


def report(ours: Result, peer: Result) -> None:
    print(f"{'operation (median of ' + str(RUNS) + ')':<40}{'ResourceTable':>15}"
          f"{'DataTable':>12}{'speed-up':>10}")
    print("-" * 77)
    for name, samples in ours.items():
        mine = statistics.median(samples)
        theirs = statistics.median(peer[name]) if name in peer else None
        ratio = f"{theirs / mine:9.1f}x" if theirs else f"{'—':>10}"
        peer_text = f"{theirs * 1000:9.1f} ms" if theirs is not None else f"{'—':>12}"
        print(f"{name:<40}{mine * 1000:12.1f} ms{peer_text}{ratio}")


async def main() -> None:
    ours: Result = {}
    peer: Result = {}
    app = BenchApp()
    async with app.run_test(size=SIZE) as pilot:
        started = time.perf_counter()
        host = app.query_one("#host")
        for _ in range(RUNS):
            await run_resource_table(pilot, host, ours)
        for _ in range(RUNS):
            await run_data_table(pilot, host, peer)
        elapsed = time.perf_counter() - started
    report(ours, peer)
    print(f"\n{ROWS:,} rows, {len(COLUMNS)} columns, terminal {SIZE[0]}x{SIZE[1]}; "
          f"total {elapsed:.1f} s")


if __name__ == "__main__":
    asyncio.run(main())
