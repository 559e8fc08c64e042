"""`make bench`: tuicloud's figures against simcloud running as a separate process.

Prints one table: figure, value (median over runs, p99 where stated), goal, and the peer's
figure (`openstack server list` on the same simcloud, in the same run) where one compares.
Set BENCH_QUICK=1 for fewer runs.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import api_load, big_list, rig, startup
from bench import objects as bench_objects
from bench.terminal import PtyApp, compile_as_installed, cursor_row, rss_kb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUICK = os.environ.get("BENCH_QUICK") == "1"


@contextmanager
def simcloud_process(servers: int, churn: float = 0.0, churn_interval: float = 5.0,
                     costs: str = "fast", objects: int = 0) -> Iterator[tuple[str, Path]]:
    """Run `tuicloud-sim` in its own process; yields (auth URL, clouds.yaml path).

    ``costs="measured"`` answers as slowly as the rig's services (simcloud/latency.py): what
    users wait for. The UI figures (keys, memory) keep the fast mode: they measure the app.
    """
    with tempfile.TemporaryDirectory(prefix="tuicloud-bench-") as folder:
        clouds = Path(folder) / "clouds.yaml"
        argv = [str(BIN / "tuicloud-sim"), "--port", "0", "--servers", str(servers),
                "--volumes", "50", "--images", "20", "--clouds-yaml", str(clouds),
                "--costs", costs]
        if objects:
            argv += ["--objects", str(objects)]
        if churn:
            argv += ["--churn", str(churn), "--churn-interval", str(churn_interval)]
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True)
        try:
            assert process.stdout is not None
            auth_url = process.stdout.readline().strip()
            if not auth_url:
                raise RuntimeError("tuicloud-sim did not start")
            yield auth_url, clouds
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def _env(clouds: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    env["XDG_STATE_HOME"] = str(clouds.parent / "state")
    env["XDG_CONFIG_HOME"] = str(clouds.parent / "config")
    env["XDG_CACHE_HOME"] = str(clouds.parent / "cache")
    return env


def first_server_name(clouds: Path) -> str:
    """The name the app shows in its first row (newest server first, as Nova sorts)."""
    import openstack

    os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    conn = openstack.connect(cloud="simcloud")
    body = conn.compute.get("/servers?limit=1").json()
    conn.close()
    return str(body["servers"][0]["name"])


def time_to_first_row(clouds: Path, name: str, runs: int) -> list[float]:
    """Process start → the first server row on screen, in a real pty at 160x50."""
    times = []
    for run in range(runs):
        # --view servers: the app now opens on the overview by default. An empty view cache
        # each time: these are the starts that wait for the cloud (bench/startup.py: both).
        env = _env(clouds)
        env["XDG_CACHE_HOME"] = str(clouds.parent / f"cache-cold-{run}")
        app = PtyApp([str(BIN / "tuicloud"), "--os-cloud", "simcloud", "--view", "servers"],
                     env=env)
        try:
            seen = app.wait_for_text(name[:20], timeout=60)
            times.append(seen - app.started)
        finally:
            app.close()
    return times


def time_cli_list(clouds: Path, runs: int) -> list[float]:
    """`openstack server list` against the same simcloud."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(BIN / "openstack"), "--os-cloud", "simcloud", "server", "list",
                        "-f", "value", "-c", "ID"], env=_env(clouds), check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def key_latency_and_rss(clouds: Path, name: str, presses: int
                        ) -> tuple[list[float], list[float], list[float], int]:
    """Keypress → changed screen while the view refreshes; and the app's RSS after loading.

    Cursor keys (j/k, the commonest keys) are timed until the cursor line moves on screen;
    the filter bar (`/`, then enter) until its placeholder appears or goes, which re-lays out
    the whole screen. Each to when the frame's bytes were read; the cursor keys also to pyte's
    parsed screen (see PtyApp.wait_for).
    """
    app = PtyApp([str(BIN / "tuicloud"), "--os-cloud", "simcloud", "--view", "servers",
                  "--refresh", "2"], env=_env(clouds))
    moves: list[float] = []
    parsed: list[float] = []
    filters: list[float] = []
    try:
        app.wait_for_text(name[:20], timeout=60)
        app.settle(quiet=1.0, timeout=30)
        rss = rss_kb(app.process.pid)
        for index in range(presses):
            before = cursor_row(app)
            if before is not None:
                key = "j" if index % 2 == 0 else "k"
                sent = app.send(key)
                seen = app.wait_for(
                    lambda _s, before=before: cursor_row(app) not in (None, before),
                                    timeout=10)
                moves.append(seen - sent)
                parsed.append(app.matched_at - sent)
            if index % 3 == 0:
                sent = app.send("/")
                seen = app.wait_for_text("filter: text, regex", timeout=10)
                filters.append(seen - sent)
                sent = app.send("\r")
                seen = app.wait_for(lambda s: "filter: text, regex" not in s, timeout=10)
                filters.append(seen - sent)
            time.sleep(0.05 + (index % 7) * 0.03)  # spread presses over the poll cycle
        return moves, parsed, filters, rss
    finally:
        app.close()


def quiet_poll_bytes(clouds: Path) -> tuple[int, int]:
    """Bytes of a quiet incremental servers poll through tuicloud's cloud layer (and requests)."""
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.kinds.registry import kind_for
    from tuicloud.cloud.poller import Poller

    time.sleep(4.0)  # let simcloud's seeded BUILD servers finish, so nothing is changing
    session = CloudSession.connect("simcloud")
    kind = kind_for("servers")
    assert kind is not None
    poller = Poller(session, kind)
    poller.poll()
    time.sleep(3.0)  # past the poller's 2 s overlap window
    result = poller.poll()
    return result.bytes, result.requests


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def main() -> int:
    """Run every benchmark and print the table."""
    compile_as_installed()
    rows: list[tuple[str, str, str, str]] = []
    runs = 2 if QUICK else 5
    for servers, goal in ((1000, 0.8), (10000, 1.5)):
        with simcloud_process(servers, costs="measured") as (_url, clouds):
            name = first_server_name(clouds)
            ours = time_to_first_row(clouds, name, runs)
            cli_runs = 1 if servers >= 10000 or QUICK else 3
            peer = time_cli_list(clouds, cli_runs)
            rows.append((f"first server row, no cache, {servers:,} servers (measured costs)",
                         f"{statistics.median(ours):.2f} s", f"<= {goal} s",
                         f"openstack server list: {statistics.median(peer):.2f} s"
                         f" ({statistics.median(peer) / statistics.median(ours):.0f}x)"))
            rows.extend(startup.measure(clouds, name, runs, servers=servers,
                                        detail=servers == 1000))
    with simcloud_process(10000, churn=0.01, churn_interval=2.0) as (_url, clouds):
        name = first_server_name(clouds)
        moves, parsed, filters, rss = key_latency_and_rss(clouds, name, 30 if QUICK else 90)
        rows.append(("cursor key latency p50 / p99, refreshing 10,000 (1%/poll)",
                     f"{percentile(moves, 50) * 1000:.0f} / {percentile(moves, 99) * 1000:.0f} ms",
                     "p99 <= 50 ms",
                     f"to pyte's parsed screen {percentile(parsed, 50) * 1000:.0f} / "
                     f"{percentile(parsed, 99) * 1000:.0f} ms"))
        rows.append(("filter bar open/close p50 / p99, same",
                     f"{percentile(filters, 50) * 1000:.0f} / "
                     f"{percentile(filters, 99) * 1000:.0f} ms", "", ""))
        rows.append(("RSS at 10,000 servers", f"{rss / 1024:.0f} MB", "<= 120 MB", ""))
    # 50,000 servers, admin over all projects: one run in quick mode (about 40 s).
    rows.extend(big_list.measure(1 if QUICK else 3, 20 if QUICK else 60))
    with simcloud_process(10000) as (_url, clouds):
        size, requests = quiet_poll_bytes(clouds)
        rows.append(("quiet servers poll, 10,000 servers",
                     f"{size:,} B in {requests} request(s)", "<= 5 KB", ""))
    with simcloud_process(10, objects=bench_objects.OBJECTS) as (_url, clouds):
        rows.extend(bench_objects.measure(BIN / "tuicloud", BIN / "openstack", clouds,
                                          _env(clouds), QUICK))
    load = api_load.measure(10_000)
    rows.append(("API time per minute, 10,000 servers, steady state (model)",
                 f"{load.minute_seconds:.2f} s in {load.requests} requests; deletion shown "
                 f"{load.deletion_polls} poll after", "<= 1 s, next poll",
                 f"one full list: {load.start_seconds:.1f} s (a resync every 12 polls: "
                 f"{load.start_seconds:.0f} s/min)"))
    rows.extend(rig.measure(BIN / "tuicloud", 3 if QUICK else 5))
    widths = [max(len(r[i]) for r in rows + [("figure", "value", "goal", "peer")])
              for i in range(4)]
    header = ("figure", "value", "goal", "peer")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(json.dumps({r[0]: r[1] for r in rows}), file=sys.stderr)
    if os.environ.get("BENCH_SKIP_PARTS") != "1":
        import asyncio

        from bench import bench_console, bench_table

        print("\n# The table widget against Textual's DataTable (headless)")
        asyncio.run(bench_table.main())
        print("\n# Console log")
        bench_console.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
