"""Helpers for driving TuiCloudApp with Textual's Pilot, shared by the screen tests."""

from __future__ import annotations

import asyncio
import re
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from openstack.connection import Connection
from textual.css.query import NoMatches
from textual.pilot import Pilot

from tests.helpers.table import BIDI, CONTROLS
from tuicloud.app import TuiCloudApp
from tuicloud.cli import Options
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.widgets.resource_table import ResourceTable

_NOTES: weakref.WeakKeyDictionary[TuiCloudApp, list[str]] = weakref.WeakKeyDictionary()


def make_app(**overrides: Any) -> TuiCloudApp:
    """An app on the `simcloud` cloud with a long refresh (tests poll with `r`), that keeps
    every notification: a toast is shown later than the change that caused it (a message
    away) and expires, so a test on a loaded machine reads ``notes(app)`` instead."""
    values: dict[str, Any] = dict(cloud="simcloud", region=None, read_only=False,
                                  all_projects=False, refresh=60.0, demo=False,
                                  demo_servers=0, view="servers")
    values.update(overrides)
    app = TuiCloudApp(Options(**values))
    seen = _NOTES[app] = []
    shown = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(str(message))
        shown(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return app


def notes(app: TuiCloudApp) -> list[str]:
    """Every notification so far, in order."""
    return list(_NOTES[app])


class NotShownYet(AssertionError):
    """The screen a helper reads is not the current one (yet): a wait goes on waiting."""


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0,
                     what: str = "condition") -> None:
    """Let the app run until ``condition()`` holds. A widget not found yet, or another screen
    than the one read, counts as "not yet": a pushed screen is current before it is composed,
    and a popped one stays current until its key is handled (on a loaded machine, a while)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (NoMatches, NotShownYet) as error:
            last = error
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}"
                         + (f" (last: {last!r})" if last is not None else ""))


def screen_text(app: TuiCloudApp) -> str:
    """What the terminal shows, as text (from the SVG screenshot; its stylesheet, whose class
    names carry a hash such as ``terminal-4013235687``, left out)."""
    import html

    svg = re.sub(r"<style.*?</style>", "", app.export_screenshot(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def shown(pilot: Pilot[Any], app: TuiCloudApp, *needles: str,
                timeout: float = 15.0) -> str:
    """Let the app run until every needle is on screen; what the screen shows then.

    A pushed screen is ``app.screen`` before it is composed and painted: text read right after
    a wait on a screen's type or state may still be blank, so wait for the text itself.
    """
    deadline = time.monotonic() + timeout
    while True:
        text = screen_text(app)
        missing = [needle for needle in needles if needle not in text]
        if not missing:
            return text
        if time.monotonic() >= deadline:
            lines = "\n".join(line.rstrip() for line in text.splitlines() if line.strip())
            raise AssertionError(f"not on screen after {timeout:g} s: {missing!r}\n"
                                 f"--- the screen ---\n{lines}")
        await pilot.pause(0.05)


def list_screen(app: TuiCloudApp) -> ResourceListScreen:
    """The current screen, which must be a list screen."""
    screen = app.screen
    if not isinstance(screen, ResourceListScreen):
        raise NotShownYet(f"not a list screen: {screen!r}")
    return screen


def table(app: TuiCloudApp) -> ResourceTable:
    """The current list screen's table."""
    return list_screen(app).table


async def loaded(pilot: Pilot[Any], app: TuiCloudApp, minimum: int = 1,
                 timeout: float = 15.0) -> ResourceTable:
    """Wait for the current list screen's first complete poll (at least ``minimum`` rows)."""
    await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                     and bool(app.screen.query(ResourceTable))  # a new screen mounts first
                     and table(app).row_count >= minimum
                     and list_screen(app).freshness.state == "fresh", timeout=timeout,
                     what="first rows")
    return table(app)


def private_network(conn: Any) -> list[dict[str, str]]:
    """``networks`` for a boot on simcloud's shared "private" network: the demo project sees
    more than one, and Nova (like the rig's) never guesses between them (409)."""
    found = conn.network.find_network("private", ignore_missing=False)
    return [{"uuid": str(found.id)}]


def notifications(app: TuiCloudApp) -> list[tuple[str, str]]:
    """(severity, message) of every notification the app raised (wraps app.notify)."""
    raised: list[tuple[str, str]] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        raised.append((str(kwargs.get("severity", "information")), str(message)))
        original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return raised


def our_busy_threads() -> list[str]:
    """Threads (other than this one) running tuicloud's code, simcloud's own excepted."""
    busy = []
    frames = sys._current_frames()
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or -1)
        if thread is threading.current_thread() or frame is None:
            continue
        stack = []
        while frame is not None:
            stack.append(frame.f_code.co_filename)
            frame = frame.f_back
        ours = [f for f in stack if "/tuicloud/" in f and "/simcloud/" not in f]
        if ours:  # the name and where in tuicloud it is, for the failure message
            busy.append(f"{thread.name} in {ours[0].rsplit('/tuicloud/', 1)[-1]}")
    return busy


async def assert_nothing_left_running(app: TuiCloudApp, within: float = 5.0) -> None:
    """After the app exited: no worker registered, no thread still in tuicloud's code.

    A request in flight when the app left may finish (each has a timeout); nothing may keep
    going past ``within`` seconds.
    """
    assert len(app.workers) == 0, list(app.workers)
    deadline = time.monotonic() + within
    while our_busy_threads() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not our_busy_threads(), our_busy_threads()


async def wait_exit(app: TuiCloudApp, timeout: float = 15.0) -> None:
    """Wait for the app to exit by itself (Pilot cannot pause an app that is leaving)."""
    deadline = time.monotonic() + timeout
    while app.return_code is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert app.return_code is not None, "the app did not exit"


def boot(conn: Connection, name: str, **extra: Any) -> Any:
    image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
    network = conn.network.find_network("private", ignore_missing=False)
    return conn.compute.create_server(name=name, image_id=image.id, flavor_id="1",
                                      networks=[{"uuid": network.id}], **extra)


def capture_notifications(app: TuiCloudApp) -> list[str]:
    """Every notification's title and message, as one string each."""
    seen: list[str] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(f"{kwargs.get('title', '')}: {message}")
        original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


async def command(pilot: Pilot[Any], text: str) -> None:
    """Type a `:` command on the list view's command line."""
    keys = ["space" if char == " " else char for char in text]
    await pilot.press("colon", *keys, "enter")


def connected_to(app: TuiCloudApp, cloud: str, project: str | None = None,
                 region: str | None = None) -> bool:
    session = app.session
    return (session is not None and session.cloud_name == cloud
            and (project is None or session.project_name == project)
            and (region is None or session.region == region))




def boot_on(conn: Connection, network_id: str | None = None, port_id: str | None = None,
            **extra: Any) -> Any:
    image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
    nic = {"port": port_id} if port_id else {"uuid": network_id}
    made = conn.compute.create_server(name="why-me", image_id=image.id, flavor_id="1",
                                      networks=[nic], **extra)
    return conn.compute.wait_for_server(made, status="ACTIVE", interval=0.1, wait=30)


def network_named(conn: Connection, name: str) -> Any:
    return conn.network.find_network(name, ignore_missing=False)


def assert_terminal_safe(app: Any) -> str:
    """What the screen shows: no escape reached it; every screen line inert."""
    text = screen_text(app)
    for bad in ("\x1b", "\x00", "\x07", "\x9b", "\x9d", "\u202e"):
        assert bad not in text
    screen = app.screen
    for y in range(screen.size.height):
        for segment in screen._compositor.render_strips()[y]:
            assert not any(ord(c) in CONTROLS or ord(c) in BIDI for c in segment.text)
    return text
