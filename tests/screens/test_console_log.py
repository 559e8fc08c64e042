"""Console log (issue 5): the tail algorithm, then the real SDK against simcloud, then the UI.

The overlap algorithm is tested on synthetic logs (a ``fetch`` over a list of lines: no SDK
involved); everything else talks to simcloud over HTTP with the unmodified SDK.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from tests.helpers.app import loaded, make_app, screen_text, shown, wait_until
from tests.helpers.console import LogApp, open_server_console, rendered_lines
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.console import (
    ConsoleTail,
    TailUpdate,
    fetch_console_output,
    overlaps,
    remote_console,
    split_output,
)
from tuicloud.cloud.errors import ReadOnlyError
from tuicloud.screens.console_log import ConsoleLogScreen
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud
from tuicloud.widgets.log_store import LineStore
from tuicloud.widgets.log_view import (
    GAP_TEXT,
    MAX_LINE_CELLS,
    RESET_TEXT,
    LogView,
    clean_line,
)

# -- the algorithm, on synthetic logs --------------------------------------------------------


class SyntheticLog:
    """A console log in memory; ``fetch(n)`` answers like Nova's ``length``."""

    def __init__(self, lines: list[str] | None = None) -> None:
        self.lines = list(lines or [])
        self.requests: list[int] = []

    def fetch(self, n: int) -> tuple[str, int]:
        self.requests.append(n)
        window = self.lines[-n:] if n else []
        text = "".join(line + "\n" for line in window)
        return text, len(text)


def follow(tail: ConsoleTail, log: SyntheticLog, shown: list[str]) -> TailUpdate:
    update = tail.advance(log.fetch)
    shown.extend(update.new_lines)
    return update


def test_overlaps_lists_every_alignment_longest_first() -> None:
    assert overlaps(["a", "b", "c"], ["b", "c", "d"]) == [2]
    assert overlaps(["x", "a", "a", "a"], ["a", "a", "a", "b"]) == [3, 2, 1]
    assert overlaps(["b", "c"], ["a", "b", "c", "d"]) == [3]  # the window reaches back past
    assert overlaps(["a", "b"], ["c"]) == []
    assert overlaps([], ["a"]) == []


def test_split_output_keeps_the_incomplete_last_line_apart() -> None:
    assert split_output("a\r\nb\n") == (["a", "b"], None)
    assert split_output("a\nlogin: ") == (["a"], "login: ")
    assert split_output("") == ([], None)
    assert split_output("a\rb\n") == (["a\rb"], None)  # a lone CR is data


def test_normal_growth_loses_and_doubles_nothing() -> None:
    log = SyntheticLog([f"boot {i}" for i in range(50)])
    tail = ConsoleTail(length=20)
    shown: list[str] = []
    first = follow(tail, log, shown)
    assert first.first and first.earlier and len(shown) == 20
    for step in range(1, 40):
        log.lines.extend(f"line {step}.{j}" for j in range(step % 7))
        update = follow(tail, log, shown)
        assert not update.gap and not update.reset
        assert update.requests == 1
    assert shown == log.lines[30:]


def test_repeated_identical_lines_need_a_run_not_one_line() -> None:
    # Blank lines and runs of one message, some longer than the window, between distinct lines.
    log = SyntheticLog([f"boot {i}" for i in range(30)])
    tail = ConsoleTail(length=10)
    shown: list[str] = []
    follow(tail, log, shown)
    steps = (["", "", "a", ""], ["spam"] * 5 + ["after 1"], [""] * 3, ["x", "", "", "y"],
             ["spam"] * 25 + ["after 2"], [""], ["", "z"], ["spam"] * 8, ["end"])
    for extra in steps:
        log.lines.extend(extra)
        update = follow(tail, log, shown)
        assert not update.reset and not update.gap, (extra, update)
    assert shown == log.lines[20:]


def test_an_unanchored_periodic_run_is_marked_never_doubled() -> None:
    # The view holds nothing but "spam": how many more arrived cannot be known.
    log = SyntheticLog(["start"] + ["spam"] * 30)
    tail = ConsoleTail(length=10, max_length=40)
    shown: list[str] = []
    follow(tail, log, shown)
    log.lines.extend(["spam"] * 5 + ["after"])
    update = follow(tail, log, shown)
    assert update.gap and update.new_lines == ["after"]
    log.lines.append("next")
    update = follow(tail, log, shown)
    assert not update.gap and update.new_lines == ["next"]


def test_a_small_periodic_log_seen_from_its_start_is_exact() -> None:
    log = SyntheticLog(["x"] * 3)
    tail = ConsoleTail(length=10)
    shown: list[str] = []
    follow(tail, log, shown)
    log.lines.extend(["x"] * 4)
    update = follow(tail, log, shown)
    assert not update.gap and shown == log.lines


def test_a_burst_longer_than_the_window_asks_for_more_and_loses_nothing() -> None:
    log = SyntheticLog([f"l{i}" for i in range(30)])
    tail = ConsoleTail(length=20, max_length=1000)
    shown: list[str] = []
    follow(tail, log, shown)
    log.lines.extend(f"burst {i}" for i in range(300))
    log.requests.clear()
    update = follow(tail, log, shown)
    assert not update.gap and not update.reset
    assert log.requests == [20, 40, 80, 160, 320]
    assert shown == log.lines[10:]
    # ... and the next poll starts small again.
    log.requests.clear()
    follow(tail, log, shown)
    assert log.requests == [20]


def test_a_burst_beyond_the_cap_is_marked_as_a_gap() -> None:
    log = SyntheticLog([f"l{i}" for i in range(30)])
    tail = ConsoleTail(length=10, max_length=40)
    shown: list[str] = []
    follow(tail, log, shown)
    log.lines.extend(f"burst {i}" for i in range(100))
    update = follow(tail, log, shown)
    assert update.gap and not update.reset
    assert update.new_lines == log.lines[-40:]
    log.lines.append("next")
    assert follow(tail, log, shown).new_lines == ["next"]


def test_a_reset_log_is_marked() -> None:
    boot = [f"[0.{i:06d}] boot line {i}" for i in range(12)]
    log = SyntheticLog(boot + [f"run {i}" for i in range(40)])
    tail = ConsoleTail(length=20)
    shown: list[str] = []
    follow(tail, log, shown)
    log.lines = boot[:8]  # rebooted: the same kernel banner again, a shorter log
    update = follow(tail, log, shown)
    assert update.reset and update.new_lines == boot[:8]
    log.lines = boot + ["run 0"]
    update = follow(tail, log, shown)
    assert not update.reset and update.new_lines == boot[8:] + ["run 0"]


def test_an_incomplete_line_is_provisional_until_it_ends() -> None:
    log = SyntheticLog([f"l{i}" for i in range(5)])
    tail = ConsoleTail(length=10)

    def fetch(n: int) -> tuple[str, int]:
        text, size = log.fetch(n)
        return text + prompt, size + len(prompt)

    prompt = "web-1 login: "
    update = tail.advance(fetch)
    assert update.new_lines == log.lines and update.partial == "web-1 login: "
    prompt = ""
    log.lines.append("web-1 login: root")
    update = tail.advance(fetch)
    assert update.new_lines == ["web-1 login: root"] and update.partial is None


def test_the_pace_is_fast_while_lines_arrive_and_slows_when_idle() -> None:
    log = SyntheticLog(["a", "b", "c"])
    tail = ConsoleTail(length=10, min_interval=1.0, max_interval=10.0)
    tail.advance(log.fetch)
    assert tail.next_interval() == 1.0
    intervals = []
    for _ in range(10):
        tail.advance(log.fetch)
        intervals.append(tail.next_interval())
    assert intervals == sorted(intervals) and intervals[0] > 1.0 and intervals[-1] == 10.0
    log.lines.append("d")
    tail.advance(log.fetch)
    assert tail.next_interval() == 1.0


# Unique (timestamped) lines between runs of blank and repeated lines. With only two repeated
# lines, an alignment on three different lines holds a unique one, so it cannot be spurious.
_CHUNK = st.one_of(
    st.integers(0, 60).map(lambda n: ("unique", n)),
    st.tuples(st.sampled_from(["", "spam"]), st.integers(1, 40)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CHUNK, max_size=4), min_size=1, max_size=25),
       st.integers(0, 30))
def test_property_every_update_is_exact_or_marked(steps: list[list[tuple[str, int]]],
                                                   start: int) -> None:
    """Unmarked updates are exactly the new lines; marked ones never invent a line."""
    counter = iter(range(10**9))

    def make(chunks: list[tuple[str, int]]) -> list[str]:
        out: list[str] = []
        for kind, count in chunks:
            if kind == "unique":
                out.extend(f"[{next(counter):8d}] message" for _ in range(count))
            else:
                out.extend([kind] * count)
        return out

    log = SyntheticLog([f"boot {i}" for i in range(start)])
    tail = ConsoleTail(length=20, max_length=160)
    follow(tail, log, [])
    for chunks in steps:
        before = len(log.lines)
        log.lines.extend(make(chunks))
        update = tail.advance(log.fetch)
        assert not update.reset
        new = update.new_lines
        assert log.lines[len(log.lines) - len(new):] == new or not new
        if not update.gap:
            assert new == log.lines[before:], (before, len(log.lines), update)


# -- against simcloud, with the real SDK ------------------------------------------------------


@pytest.fixture
def console_sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSim]:
    """A simcloud whose consoles print a line every 20 ms."""
    clouds = tmp_path / "clouds.yaml"
    config = SimConfig(servers=30, volumes=2, images=3, build_delay=0.2, action_delay=0.2,
                       console_interval=0.02)
    with run_simcloud(config, clouds_yaml=clouds) as running:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        yield running


@pytest.fixture
def session(console_sim: RunningSim) -> Iterator[CloudSession]:
    with CloudSession.connect("simcloud") as connected:
        yield connected


def active_server(session: CloudSession, name: str | None = None) -> dict[str, Any]:
    body, _ = session.get_json("compute", "/servers/detail", {"limit": 100})
    for server in body["servers"]:
        if server["status"] == "ACTIVE" and (name is None or server["name"] == name) and (
                name is not None or server["name"] != "console-chaos"):
            return dict(server)
    raise AssertionError(f"no active server {name or ''}")


def full_log(session: CloudSession, server_id: str) -> list[str]:
    text, _ = fetch_console_output(session, server_id, None)
    return split_output(text)[0]


def assert_contiguous(shown: list[str], full: list[str]) -> None:
    """``shown`` is a run of ``full`` (lines are unique: they carry timestamps)."""
    start = full.index(shown[0])
    assert full[start:start + len(shown)] == shown


def test_polls_deliver_every_line_once_in_order(session: CloudSession) -> None:
    server = active_server(session)
    tail = ConsoleTail(length=20)
    shown: list[str] = []
    expanded = 0
    for pause in (0.05, 0.1, 0.0, 0.6, 0.05, 1.0, 0.2, 0.0, 0.3, 0.05) * 2:
        update = tail.poll(session, server["id"])
        assert not update.gap and not update.reset
        shown.extend(update.new_lines)
        expanded += update.requests > 1
        time.sleep(pause)
    assert expanded, "a pause longer than the window should have needed a larger fetch"
    full = full_log(session, server["id"])
    assert len(shown) > 100
    assert_contiguous(shown, full)
    assert len(set(shown[-100:])) == 100  # nothing doubled


def test_a_reboot_is_marked_as_a_reset(console_sim: RunningSim, session: CloudSession) -> None:
    server = active_server(session)
    tail = ConsoleTail(length=200)
    tail.poll(session, server["id"])
    session.request("POST", "compute", f"/servers/{server['id']}/action",
                    json={"reboot": {"type": "SOFT"}})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        update = tail.poll(session, server["id"])
        if update.reset:
            break
        assert not update.gap
        time.sleep(0.1)
    else:
        raise AssertionError("the reboot was not noticed")
    assert update.new_lines[0].startswith("[    0.000000] Linux version")
    shown = list(update.new_lines)
    time.sleep(0.2)
    shown.extend(tail.poll(session, server["id"]).new_lines)
    assert shown == full_log(session, server["id"])[:len(shown)]


def test_a_metadata_burst_longer_than_the_window_loses_nothing(session: CloudSession) -> None:
    server = active_server(session)
    tail = ConsoleTail(length=50, min_interval=0.1)
    shown = list(tail.poll(session, server["id"]).new_lines)
    session.request("PUT", "compute", f"/servers/{server['id']}/metadata/simcloud:console-burst",
                    json={"meta": {"simcloud:console-burst": "700"}})
    update = tail.poll(session, server["id"])
    assert not update.gap and not update.reset
    assert update.requests > 1 and len(update.new_lines) >= 700
    shown.extend(update.new_lines)
    assert_contiguous(shown, full_log(session, server["id"]))


def test_read_only_reads_the_log_but_refuses_a_console_url(console_sim: RunningSim) -> None:
    with CloudSession.connect("simcloud", read_only=True) as session:
        server = active_server(session)
        update = ConsoleTail().poll(session, server["id"])
        assert update.new_lines and update.bytes > 0
        with pytest.raises(ReadOnlyError):
            remote_console(session, server["id"])


def test_remote_console_url(session: CloudSession) -> None:
    server = active_server(session)
    console = remote_console(session, server["id"])
    assert (console.protocol, console.type) == ("vnc", "novnc")
    assert console.url.startswith("http://127.0.0.1:") and "token" in console.url


# -- the screen (Pilot) -------------------------------------------------------------------------

_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but LF and ESC's own check, C1
_SGR_OR_MOVE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
OSC52_PAYLOAD = "Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA=="


async def test_hostile_console_never_reaches_the_terminal(console_sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen, view = await open_server_console(pilot, app, "console-chaos")
        await shown(pilot, app, "Console console-chaos")
        # Every kept line, rendered, is inert: walk the whole log a screen at a time.
        view.follow = False
        seen_markup = seen_long = False
        for top in range(0, view.virtual_size.height, view.scrollable_content_region.height):
            view.scroll_to(y=top, animate=False)
            await pilot.pause()
            for y in range(view.scrollable_content_region.height):
                for segment in view.render_line(y):
                    assert "\x1b" not in segment.text and not _FORBIDDEN.search(segment.text)
                    assert OSC52_PAYLOAD not in segment.text
            texts = rendered_lines(view)
            seen_markup = seen_markup or any("[bold red]console-chaos[/]" in t for t in texts)
            seen_long = seen_long or any(t.startswith("LONG:0123456789abcdef") for t in texts)
        assert seen_markup and seen_long
        # The 100,000-character line is cut for display, not for keeping.
        longest = max(view.kept_lines(), key=len)
        assert len(longest) >= 100_000 and view.virtual_size.width < 4_100
        # What the app writes for a full repaint: only its own SGR / cursor sequences.
        view.action_scroll_end()
        await pilot.pause()
        update = app.screen._compositor.render_update(full=True)
        output = update.render_segments(app.console)
        assert OSC52_PAYLOAD not in output and "\x1b]" not in output
        assert not re.search("[\x80-\x9f\x07]", output)
        assert not _FORBIDDEN.search(_SGR_OR_MOVE.sub("", output).replace("\n", ""))
        # Markup from the log is shown literally (find it, so it is on screen).
        await pilot.press("slash", *"[bold red]", "enter")
        assert view.match_count >= 1
        await shown(pilot, app, "[bold red]console-chaos[/]")


async def test_follow_search_and_save(console_sim: RunningSim, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen, view = await open_server_console(pilot, app, "db-primary")
        assert view.follow
        count = view.line_count
        await pilot.press("r")
        await wait_until(pilot, lambda: view.line_count > count, what="more lines")
        assert view.scroll_y == view.max_scroll_y  # following: the newest line is in view
        # Scrolling up stops following; new lines no longer move the view.
        await pilot.press("up", "up")
        await wait_until(pilot, lambda: not view.follow, what="follow off")
        where = view.scroll_y
        count = view.line_count
        await pilot.press("r")
        await wait_until(pilot, lambda: view.line_count > count, what="more lines")
        assert view.scroll_y == where
        await shown(pilot, app, "PAUSED")
        await pilot.press("f")
        assert view.follow and view.scroll_y == view.max_scroll_y
        # Search, next, previous.
        await pilot.press("slash", *"sshd", "enter")
        assert view.match_count >= 2 and view.current_match is not None
        assert not view.follow
        first = view.current_match
        await pilot.press("n")
        second = view.current_match
        assert second != first
        await pilot.press("N")
        assert view.current_match == first
        await wait_until(pilot, lambda: f"1/{view.match_count}" in screen_text(app)
                         or "/sshd" in screen_text(app), what="the search in the status line")
        # ctrl+s: every kept line into a 0600 file.
        target = tmp_path / "out" / "console.log"
        await pilot.press("ctrl+s")
        prompt = screen.query_one("#log-prompt")
        prompt.value = str(target)  # type: ignore[attr-defined]
        kept = view.kept_lines()
        await pilot.press("enter")
        await wait_until(pilot, target.exists, what="saved file")
        await pilot.pause(0.2)
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        saved = target.read_text(encoding="utf-8").split("\n")[:-1]
        assert saved[:len(kept)] == kept
        # Saving again to the same path does not overwrite it.
        await pilot.press("ctrl+s")
        prompt.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("already exists" in note.message
                                            for note in app._notifications), what="error")
        await pilot.press("escape")
        assert app.screen is not screen


async def test_wrap_timestamps_and_bounded_memory(console_sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        await pilot.press("slash", *"console-chaos", "enter")
        # Open the screen directly to keep only 300 lines.
        grid = app.screen.query_one("#table")
        row_id = grid.cursor_id  # type: ignore[attr-defined]
        screen = ConsoleLogScreen(row_id, "console-chaos", max_lines=300)
        await app.push_screen(screen)
        view = screen.log_view
        await wait_until(pilot, lambda: view.line_count > 10, what="console lines")
        for _ in range(3):
            await pilot.press("r")
            await pilot.pause(0.3)
        assert len(view.store) <= 300
        await pilot.press("w")
        assert view.wrap and view.virtual_size.height > view.line_count  # long lines wrap
        width = view.scrollable_content_region.width
        for text in rendered_lines(view):
            assert len(text) == width
        view.follow = False
        view.scroll_to(y=0, animate=False)
        await pilot.pause()
        await pilot.press("t")
        assert re.match(r"\d\d:\d\d:\d\d ", rendered_lines(view)[0])
        await pilot.press("w", "t")
        assert not view.wrap and view.virtual_size.height == view.line_count


async def test_l_is_offered_only_for_servers(console_sim: RunningSim) -> None:
    app = make_app(view="volumes")
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, app)
        assert "Console log" not in await shown(pilot, app, "Volumes", "^d Delete")
        await pilot.press("l")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ConsoleLogScreen)
        await pilot.press("colon", *"servers", "enter")
        await loaded(pilot, app)
        await shown(pilot, app, "Console log")


async def test_markers_and_console_url(console_sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        screen, view = await open_server_console(pilot, app, "db-primary")
        assert "older lines not fetched" in view.kept_lines()[0]
        conn = openstack.connect(cloud="simcloud")
        try:
            conn.compute.reboot_server(screen.server_id, "SOFT")
        finally:
            conn.close()
        await wait_until(pilot, lambda: any(RESET_TEXT in line for line in view.kept_lines()),
                         timeout=15, what="reset marker")
        assert GAP_TEXT not in view.kept_lines()
        await pilot.press("u")
        await wait_until(pilot, lambda: screen.console_url is not None, what="console URL")
        await shown(pilot, app, "vnc_auto.html")
        await pilot.press("Y")
        assert app.clipboard == screen.console_url


# -- the widget alone ---------------------------------------------------------------------------


def rows_of_view(view: LogView) -> list[str]:
    """Every display row of the whole log (scrolling through it)."""
    rows: list[str] = []
    height = view.scrollable_content_region.height
    for top in range(0, view.virtual_size.height, height):
        view.scroll_to(y=top, animate=False)
        skip = top - round(view.scroll_y)  # the last page is clamped to the end
        rows.extend(rendered_lines(view)[skip:skip + view.virtual_size.height - top])
    return rows


async def test_wrapped_rows_give_back_each_line() -> None:
    lines = ["short", "x" * 250, "数据库" * 50, "", "tab\there", "é" * 81, "y" * 9000]
    app = LogApp()
    async with app.run_test(size=(80, 12)) as pilot:
        view = app.query_one(LogView)
        view.append_lines(lines)
        view.wrap = True
        await pilot.pause()
        width = view.scrollable_content_region.width
        rows = rows_of_view(view)
        assert len(rows) == view.virtual_size.height
        expected = [clean_line(line) for line in lines]
        expected[-1] = "y" * MAX_LINE_CELLS + " … [5,000 more characters]"
        rebuilt: list[str] = []
        for line in expected:
            taken = ""
            while len(taken) < len(line) or not taken and not line:
                row = rows.pop(0)
                assert cell_len(row) == width
                taken += row.rstrip(" ") if len(line) - len(taken) < width else row
                if not line:
                    break
            rebuilt.append(taken.rstrip(" ") if line.rstrip(" ") == line else taken)
        assert rebuilt == expected and not rows
        # Timestamps indent the continuation rows; unwrapped, one row per line again.
        view.timestamps = True
        await pilot.pause()
        assert view.virtual_size.height > len(lines)
        view.wrap = view.timestamps = False
        await pilot.pause()
        assert view.virtual_size.height == len(lines)


@pytest.mark.parametrize("wrap", [False, True])
async def test_dropping_old_lines_keeps_the_reading_position(wrap: bool) -> None:
    app = LogApp(max_lines=100)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(LogView)
        view.wrap = wrap
        view.append_lines(f"line {i} " + "w" * (i % 3) * 40 for i in range(100))
        await pilot.pause()
        view.scroll_to(y=40, animate=False)
        await pilot.pause()
        assert not view.follow
        top = rendered_lines(view)[0]
        view.append_lines(f"new {i}" for i in range(30))
        await pilot.pause()
        assert view.line_count == 100 and view.store.first == 30
        assert rendered_lines(view)[0] == top
        view.action_follow()
        await pilot.pause()
        assert rendered_lines(view)[-1].startswith("new 29")


def console_requests(sim: RunningSim, server_id: str) -> int:
    return sum(1 for r in list(sim.cloud.request_log)
               if r.method == "POST" and r.path.endswith(f"/servers/{server_id}/action"))


async def push_console(pilot: Any, app: Any, name: str, **kwargs: Any) -> ConsoleLogScreen:
    await loaded(pilot, app)
    await pilot.press("slash", *name, "enter")
    row_id = app.screen.query_one("#table").cursor_id
    screen = ConsoleLogScreen(row_id, name, **kwargs)
    await app.push_screen(screen)
    return screen


async def test_polls_pause_while_covered_and_stop_when_closed(console_sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        tail = ConsoleTail(length=50, min_interval=0.1, max_interval=0.2)
        screen = await push_console(pilot, app, "db-primary", tail=tail)
        server_id = screen.server_id
        await wait_until(pilot, lambda: console_requests(console_sim, server_id) >= 4,
                         what="a few polls")
        await pilot.press("question_mark")  # help covers the console: polling pauses
        await pilot.pause(0.3)
        before = console_requests(console_sim, server_id)
        await pilot.pause(0.8)
        assert console_requests(console_sim, server_id) == before
        await pilot.press("escape")  # back: polling resumes
        await wait_until(pilot, lambda: console_requests(console_sim, server_id) > before + 2,
                         what="polls again")
        await pilot.press("escape")  # close the console
        await pilot.pause(0.3)
        before = console_requests(console_sim, server_id)
        await pilot.pause(0.8)
        assert console_requests(console_sim, server_id) == before


async def test_errors_mark_the_header_stale_and_back_off(console_sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        tail = ConsoleTail(min_interval=0.1, max_interval=0.2)
        screen = await push_console(pilot, app, "gpu-trainer-01", tail=tail)  # ERROR: 409
        await wait_until(pilot, lambda: screen.freshness.state == "stale", what="stale header")
        assert "409" in screen._fresh.error
        await shown(pilot, app, "stale since")
        first = console_requests(console_sim, screen.server_id)
        await pilot.pause(1.5)
        # Backing off: at most one more try in 1.5 s although the tail would poll every 0.1 s.
        assert console_requests(console_sim, screen.server_id) <= first + 1


def test_line_store_drops_the_oldest_and_finds_by_number() -> None:
    store = LineStore(max_lines=5)
    assert store.append([f"line {i}" for i in range(4)], 0.0) == 0
    assert store.append(["Error here", "error there", "fine"], 1.0) == 2
    assert (store.first, store.end, len(store)) == (2, 7, 5)
    assert store.texts() == ["line 2", "line 3", "Error here", "error there", "fine"]
    assert store.find("error") == [4, 5]  # no capital: ignores case
    assert store.find("Error") == [4]  # a capital: exact
    assert store.find("nothing") == []
    for i in range(3000):  # compaction keeps numbers right
        store.append([f"n{i}"], 2.0)
    assert store.first == 3002 and store.text(3006) == "n2999"


async def test_a_repeated_marker_is_shown_once() -> None:
    app = LogApp()
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(LogView)
        view.append_lines(["a"])
        for _ in range(3):  # e.g. a periodic log that stays ambiguous, poll after poll
            view.append_lines([], marker=GAP_TEXT)
        view.append_lines(["b"], marker=GAP_TEXT)
        view.append_lines(["c"], marker=GAP_TEXT)
        await pilot.pause()
        assert view.kept_lines() == ["a", GAP_TEXT, "b", GAP_TEXT, "c"]
