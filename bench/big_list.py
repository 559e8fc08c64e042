"""50,000 servers (issue 17): the app in a real pty at 160x50, admin over all projects, on
simcloud in its fast mode. The rig's measured costs (simcloud/latency.py) would make Nova alone
spend 50,000 x 6.5 ms = 5.4 minutes on the list, which no client can shorten: these figures
measure the app (parsing, diffing, the table, memory), as the other UI figures do.

Each run starts tuicloud with its cache folder empty (no view cache) and times, from process
start, the first
server row on screen and the header saying the whole list is in ("updated ..."); then, once the
screen is quiet, reads the app's RSS, times cursor keys (j/k until the cursor line moves) and
the filter over every column: one character typed in the filter bar until the header's count
shows the filtered rows, and backspace until it shows all of them again (each a filter of every
row's every column). Figures are medians over the runs (the key figures pool every press).
A key is timed to when the frame showing it was read from the pty (what a terminal gets),
and, for comparison with earlier rounds, to when pyte had parsed it (see PtyApp.wait_for).

One untimed start goes first. The runs share the rest of the cache home, as an operator's
machine does: openstacksdk's auth plugins are found through stevedore's entry-point cache
(~/.cache/python-entrypoints), which any OpenStack tool writes once; a fresh cache home made
every run scan the installed packages' entry points again (~0.07 s here, 0.2 s on a slow day).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench.terminal import PtyApp, compile_as_installed, cpu_seconds, rss_kb

BIN = Path(sys.executable).parent
SERVERS = 50_000
GOALS = {"all": 3.0, "rss": 200, "cursor": 30, "filter": 100}
FILTER_CHARS = "qzjwxyk"
"""Typed one at a time into the filter bar: each matches some rows in some column, not all."""

_COUNT = re.compile(r"Servers ([\d,]+)(?:/([\d,]+))? ")


def newest_server_name(clouds: Path) -> str:
    """The name of the newest server over all projects: the first row the admin sees."""
    import openstack

    os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    conn = openstack.connect(cloud="simcloud-admin")
    body = conn.compute.get("/servers?limit=1&all_tenants=1").json()
    conn.close()
    return str(body["servers"][0]["name"])


def bare_list_seconds(clouds: Path) -> tuple[float, float]:
    """The peer: every page of the same list read by a bare client (requests and json, no
    SDK, one page after the other): what the cloud and the parsing alone cost. Returns (all,
    of which json.loads): the parse alone is a floor no Python client of this list goes under."""
    import json

    import openstack
    import requests

    os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    conn = openstack.connect(cloud="simcloud-admin")
    endpoint, token = conn.compute.get_endpoint(), conn.auth_token
    conn.close()
    headers = {"X-Auth-Token": token, "Accept": "application/json",
               "X-OpenStack-Nova-API-Version": "2.96"}
    parsing = 0.0
    started = time.monotonic()
    with requests.Session() as http:
        marker: str | None = None
        while True:
            params = {"all_tenants": "1", "limit": "1000", **({"marker": marker} if marker else {})}
            content = http.get(f"{endpoint}/servers/detail", params=params, headers=headers,
                               timeout=60).content
            parse_started = time.monotonic()
            servers = json.loads(content)["servers"]
            parsing += time.monotonic() - parse_started
            if len(servers) < 1000:
                return time.monotonic() - started, parsing
            marker = servers[-1]["id"]


def _header_count(app: PtyApp) -> tuple[int, int] | None:
    """(visible, total) from the header line, None before it shows a count."""
    found = _COUNT.search(app.screen.display[0])
    if found is None:
        return None
    visible = int(found.group(1).replace(",", ""))
    total = int(found.group(2).replace(",", "")) if found.group(2) else visible
    return visible, total


def _cursor_row(app: PtyApp, column: int = 4) -> int | None:
    """The screen line drawn with the table cursor's background (None if not found)."""
    buffer = app.screen.buffer
    backgrounds = [buffer[y][column].bg for y in range(app.lines)]
    counts: dict[str, int] = {}
    for bg in backgrounds[2:-1]:
        counts[bg] = counts.get(bg, 0) + 1
    unique = [y for y in range(2, app.lines - 1) if counts[backgrounds[y]] == 1]
    return unique[0] if len(unique) == 1 else None


def run_once(env: dict[str, str], name: str, presses: int) -> dict[str, object]:
    """One start: first row, all rows, RSS, cursor and filter latencies (seconds, KiB)."""
    app = PtyApp([str(BIN / "tuicloud"), "--os-cloud", "simcloud-admin", "--all-projects",
                  "--view", "servers"], env=env)
    try:
        row = app.wait_for_text(name[:20], timeout=120)
        listed = app.wait_for(lambda s: "updated " in s.splitlines()[0], timeout=120)
        cpu = cpu_seconds(app.process.pid)
        app.settle(quiet=1.0, timeout=60)
        rss = rss_kb(app.process.pid)
        moves: list[float] = []
        parsed: list[float] = []  # the same, to pyte's parsed screen (PtyApp.wait_for)
        for index in range(presses):
            before = _cursor_row(app)
            if before is None:
                app.settle(quiet=0.2, timeout=5)
                continue
            sent = app.send("j" if index % 2 == 0 else "k")
            seen = app.wait_for(lambda _s, before=before: _cursor_row(app) not in (None, before),
                                timeout=10)
            moves.append(seen - sent)
            parsed.append(app.matched_at - sent)
            time.sleep(0.03 + (index % 5) * 0.02)
        filters: list[float] = []
        parsed_filters: list[float] = []
        app.send("/")
        app.wait_for_text("filter: text, regex", timeout=10)
        for char in FILTER_CHARS:
            sent = app.send(char)
            seen = app.wait_for(lambda _s: (count := _header_count(app)) is not None
                                and count[0] != count[1], timeout=20)
            filters.append(seen - sent)
            parsed_filters.append(app.matched_at - sent)
            time.sleep(0.1)
            sent = app.send("\x7f")
            seen = app.wait_for(lambda _s: _header_count(app) == (SERVERS, SERVERS), timeout=20)
            filters.append(seen - sent)
            parsed_filters.append(app.matched_at - sent)
            time.sleep(0.1)
        return {"row": row - app.started, "listed": listed - app.started, "cpu": cpu, "rss": rss,
                "moves": moves, "filters": filters, "parsed": parsed,
                "parsed_filters": parsed_filters}
    finally:
        app.close()


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def measure(runs: int, presses: int) -> list[tuple[str, str, str, str]]:
    """The bench rows (figure, value, goal, peer) for 50,000 servers."""
    from bench.__main__ import _env, simcloud_process

    results = []
    bare: list[float] = []
    parse: list[float] = []
    with simcloud_process(SERVERS) as (_url, clouds):
        name = newest_server_name(clouds)
        env = _env(clouds)
        cache_home = Path(env["XDG_CACHE_HOME"])
        for run in range(-1, runs):  # -1: the untimed start (see the module's docstring)
            shutil.rmtree(cache_home / "tuicloud", ignore_errors=True)
            result = run_once(env, name, presses if run >= 0 else 0)
            if run >= 0:
                results.append(result)
                whole, parsing = bare_list_seconds(clouds)
                bare.append(whole)
                parse.append(parsing)
    moves = [m for r in results for m in r["moves"]]  # type: ignore[attr-defined]
    filters = [f for r in results for f in r["filters"]]  # type: ignore[attr-defined]
    parsed = [m for r in results for m in r["parsed"]]  # type: ignore[attr-defined]
    parsed_filters = [f for r in results for f in r["parsed_filters"]]  # type: ignore[attr-defined]

    def median(key: str) -> float:
        return statistics.median(float(r[key]) for r in results)  # type: ignore[arg-type]

    load = os.getloadavg()[0]
    where = f"{SERVERS:,} servers, admin, all projects"
    return [
        (f"first row / all rows listed, {where} (fast simcloud)",
         f"{median('row'):.2f} / {median('listed'):.2f} s", f"all <= {GOALS['all']:.0f} s",
         f"{runs} run(s), load {load:.1f}"),
        ("  the app's CPU time up to then (start-up included)", f"{median('cpu'):.2f} s", "",
         ""),
        ("  the same pages read by a bare client (requests + json, no start-up, no SDK)",
         f"{statistics.median(bare):.2f} s", "",
         f"peer: the cloud's and parsing's share; json.loads alone"
         f" {statistics.median(parse):.2f} s"),
        (f"RSS after load, {where}", f"{median('rss') / 1024:.0f} MB",
         f"<= {GOALS['rss']} MB", ""),
        ("cursor key p50 / p99, same (key sent -> the frame's bytes read)",
         f"{percentile(moves, 50) * 1000:.0f} / {percentile(moves, 99) * 1000:.0f} ms",
         f"p99 <= {GOALS['cursor']} ms",
         f"{len(moves)} presses; to pyte's parsed screen {percentile(parsed, 50) * 1000:.0f}"
         f" / {percentile(parsed, 99) * 1000:.0f} ms"),
        ("filter over every column p50 / max (a key typed or erased), same",
         f"{percentile(filters, 50) * 1000:.0f} / {max(filters) * 1000:.0f} ms",
         f"<= {GOALS['filter']} ms",
         f"{len(filters)} filters; to pyte's parsed screen"
         f" {percentile(parsed_filters, 50) * 1000:.0f} / {max(parsed_filters) * 1000:.0f} ms"),
    ]


def main() -> int:
    """`python -m bench.big_list`: only these figures."""
    compile_as_installed()
    quick = os.environ.get("BENCH_QUICK") == "1"
    runs = int(os.environ.get("BENCH_BIG_RUNS", "1" if quick else "3"))
    rows = measure(runs, 20 if quick else 60)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
