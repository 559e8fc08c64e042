"""Benchmark the console log: bytes per poll on the wire, and UI time per poll at 100,000 lines.

Run: .venv/bin/python bench/bench_console.py   (headless; ~30 s on a small machine;
BENCH_QUICK=1 for fewer runs)

Wire figures come from the real SDK against an in-process simcloud: a quiet poll (a stopped
server, whose log does not grow), a poll with a few new lines, a burst longer than the window
(the tail asks again with larger windows), and for comparison the whole log fetched each poll
(what ``openstack console log show`` does). UI figures time a bare LogView holding 100,000 lines
(full, so every append also drops lines from the top): "call" is ``append_lines`` alone,
"settled" also waits until the app has repainted (``pilot.pause()``); the floor is a pause with
no work. Every figure is the median over the runs.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult  # noqa: E402

from tuicloud.cloud.connection import CloudSession  # noqa: E402
from tuicloud.cloud.console import ConsoleTail, fetch_console_output, overlaps  # noqa: E402
from tuicloud.simcloud import SimConfig, run_simcloud  # noqa: E402
from tuicloud.widgets.log_view import LogView  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
RUNS = 5 if QUICK else 15
KEPT = 100_000
SIZE = (160, 50)

Row = tuple[str, str, str]


def median(values: list[float]) -> float:
    """The median (0 for no values)."""
    return statistics.median(values) if values else 0.0


def servers_by_status(session: CloudSession) -> dict[str, list[dict[str, Any]]]:
    body, _ = session.get_json("compute", "/servers/detail", {"limit": 1000})
    found: dict[str, list[dict[str, Any]]] = {}
    for server in body["servers"]:
        found.setdefault(server["status"], []).append(server)
    return found


def wire_figures() -> list[Row]:
    """Bytes and requests per poll against simcloud, through the SDK."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tuicloud-bench-") as folder:
        clouds = Path(folder) / "clouds.yaml"
        config = SimConfig(servers=30, volumes=2, images=3, console_interval=0.1)
        with run_simcloud(config, clouds_yaml=clouds):
            os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
            with CloudSession.connect("simcloud") as session:
                by_status = servers_by_status(session)
                stopped = by_status["SHUTOFF"][0]["id"]
                active = next(s["id"] for s in by_status["ACTIVE"]
                              if s["name"] != "console-chaos")
                tail = ConsoleTail()
                tail.poll(session, stopped)
                quiet = [tail.poll(session, stopped) for _ in range(RUNS)]
                rows.append(("quiet poll (200-line window)",
                             f"{median([u.bytes for u in quiet]):,.0f} B",
                             f"{median([u.elapsed * 1000 for u in quiet]):.1f} ms"))
                tail = ConsoleTail()
                tail.poll(session, active)
                busy = []
                for _ in range(RUNS):
                    time.sleep(0.5)
                    busy.append(tail.poll(session, active))
                lines = median([len(u.new_lines) for u in busy])
                rows.append((f"poll with new lines (~{lines:.0f} lines)",
                             f"{median([u.bytes for u in busy]):,.0f} B",
                             f"{median([u.elapsed * 1000 for u in busy]):.1f} ms"))
                whole = []
                for _ in range(RUNS):
                    text, size = fetch_console_output(session, active, None)
                    whole.append((size, text.count("\n")))
                rows.append((f"whole log each poll ({median([w[1] for w in whole]):,.0f} "
                             "lines; the CLI's way)",
                             f"{median([w[0] for w in whole]):,.0f} B", "-"))
                path = f"/servers/{active}/metadata/simcloud:console-burst"
                bursts = []
                for _ in range(max(3, RUNS // 3)):
                    session.request("PUT", "compute", path,
                                    json={"meta": {"simcloud:console-burst": "1000"}})
                    session.request("DELETE", "compute", path)
                    bursts.append(tail.poll(session, active))
                rows.append(("poll after a 1,000-line burst",
                             f"{median([u.bytes for u in bursts]):,.0f} B",
                             f"{median([u.requests for u in bursts]):.0f} requests, "
                             f"{median([u.elapsed * 1000 for u in bursts]):.0f} ms"))
    shown = [f"[{i:12.6f}] line {i}" for i in range(10_000)]
    for size in (200, 10_000):
        window = shown[len(shown) - size + 5:] + ["new"] * 5
        took = []
        for _ in range(RUNS):
            start = time.perf_counter()
            overlaps(shown[-size:], window)
            took.append(time.perf_counter() - start)
        rows.append((f"overlap search, {size:,}-line window (worker thread)",
                     f"{median(took) * 1000:.2f} ms", "-"))
    return rows


class LogApp(App[None]):
    """A LogView filling the screen."""

    def compose(self) -> ComposeResult:
        yield LogView(max_lines=KEPT)


async def ui_figures() -> list[Row]:
    """UI-thread time per poll with 100,000 lines kept."""
    rows: list[Row] = []
    app = LogApp()
    counter = iter(range(10**9))

    def batch(count: int) -> list[str]:
        return [f"[{next(counter):12d}] systemd[1]: Started session-{count}.scope - Session of "
                "User ubuntu." for _ in range(count)]

    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        start = time.perf_counter()
        view.append_lines(batch(KEPT))
        filled = time.perf_counter() - start
        await pilot.pause()
        rows.append((f"fill: append {KEPT:,} lines at once", f"{filled * 1000:.0f} ms", "-"))

        async def measure(name: str, work: Callable[[], object]) -> None:
            calls, settled = [], []
            for _ in range(RUNS):
                await pilot.pause()
                start = time.perf_counter()
                work()
                called = time.perf_counter()
                await pilot.pause()
                done = time.perf_counter()
                calls.append(called - start)
                settled.append(done - start)
            rows.append((name, f"{median(calls) * 1000:.2f} ms call",
                         f"{median(settled) * 1000:.1f} ms settled"))

        await measure("floor: no work, one pause", lambda: None)
        for count in (0, 10, 200):
            await measure(f"append {count} lines (following, 100,000 kept)",
                          lambda count=count: view.append_lines(batch(count)))
        view.action_scroll_up()
        await pilot.pause()
        await measure("append 10 lines (not following)",
                      lambda: view.append_lines(batch(10)))
        view.wrap = True
        view.follow = True
        await pilot.pause()
        await measure("append 10 lines (wrapped, following)",
                      lambda: view.append_lines(batch(10)))
        view.wrap = False
        await pilot.pause()
        start = time.perf_counter()
        view.wrap = True
        rows.append(("wrap on: re-layout of 100,000 lines",
                     f"{(time.perf_counter() - start) * 1000:.0f} ms", "-"))
        view.wrap = False
        start = time.perf_counter()
        found = view.search("session-10.scope")
        rows.append((f"search 100,000 lines ({found:,} matches)",
                     f"{(time.perf_counter() - start) * 1000:.0f} ms", "-"))
    return rows


def main() -> int:
    """Print the figures as a table."""
    rows = wire_figures() + asyncio.run(ui_figures())
    width = max(len(r[0]) for r in rows)
    print(f"{'console log figure':<{width}}  {'value':>16}  detail")
    for name, value, detail in rows:
        print(f"{name:<{width}}  {value:>16}  {detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
