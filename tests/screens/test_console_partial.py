"""A console log that does not end with a newline (a guest waiting at ``login: ``): its last,
incomplete line is counted and searchable like any other, may grow, and keeps the time it was
first seen (the rig's fake driver ends its log "...LAST LINE", simcloud at the login prompt)."""

from __future__ import annotations

import time as real_time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.helpers.app import make_app, wait_until
from tests.helpers.console import LogApp, open_server_console, rendered_lines
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud
from tuicloud.widgets import log_view as log_view_module
from tuicloud.widgets.log_view import LogView

T0 = 1_700_000_000.0  # three points an hour apart, so their HH:MM:SS stamps differ
T1 = T0 + 3_600
T2 = T0 + 7_200


def stamp(when: float) -> str:
    return real_time.strftime("%H:%M:%S", real_time.localtime(when))


class Clock:
    """The log view's ``time`` module with a wall clock the test sets."""

    def __init__(self) -> None:
        self.now = T0
        self.module = SimpleNamespace(time=lambda: self.now, strftime=real_time.strftime,
                                      localtime=real_time.localtime)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock()
    monkeypatch.setattr(log_view_module, "time", found.module)
    return found


async def test_the_partial_line_is_counted_searched_and_keeps_its_time(clock: Clock) -> None:
    app = LogApp()
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(LogView)
        view.timestamps = True
        view.append_lines(["Ubuntu 24.04.1 LTS web-1 ttyS0", ""], partial="web-1 login: ")
        await pilot.pause()
        assert view.line_count == 3
        assert view.search("login:") == 1 and view.current_match == view.store.end
        clock.now = T1  # a later poll: the same prompt, then the prompt growing
        view.append_lines([], partial="web-1 login: ")
        view.append_lines([], partial="web-1 login: ro")
        await pilot.pause()
        last = rendered_lines(view)[2]
        assert last.startswith(stamp(T0)) and "web-1 login: ro" in last, last
        assert view.line_count == 3 and view.match_count == 1
        clock.now = T2  # the line ends: it is a complete line now, from when it was first seen
        view.append_lines(["web-1 login: root", "Password: "])
        await pilot.pause()
        assert view.line_count == 4 and view._partial is None
        assert view.store.time(view.store.end - 2) == T0
        assert view.store.time(view.store.end - 1) == T2
        assert view.match_count == 1 and view.current_match == view.store.end - 2
        view.append_lines([], partial="Last login: never")
        assert view.match_count == 2 and view.line_count == 5  # a new partial matches too
        view.append_lines([], partial=None)
        assert view.match_count == 1 and view.line_count == 4


@pytest.fixture
def quiet_sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSim]:
    """A simcloud whose guests print their boot log and then wait at the login prompt."""
    clouds = tmp_path / "clouds.yaml"
    config = SimConfig(servers=30, volumes=1, images=2, build_delay=0.2, action_delay=0.2,
                       console_interval=3_600)
    with run_simcloud(config, clouds_yaml=clouds) as running:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        yield running


async def test_a_guest_at_the_login_prompt_is_counted_and_found(quiet_sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        _screen, view = await open_server_console(pilot, app, "db-primary")
        await wait_until(pilot, lambda: (view._partial or "").endswith("login: "),
                         timeout=60, what="the login prompt")
        assert view.line_count == len(view.kept_lines())
        await pilot.press("slash", *"login:", "enter")
        assert view.match_count == 1 and view.current_match == view.store.end
        await pilot.press("r")
        await wait_until(pilot, lambda: view.line_count == len(view.kept_lines()),
                         what="a quiet poll")
        assert view.match_count == 1
