"""The console log against real Nova, and `--read-only` checked where it matters: in the
services' own access logs (gunicorn lines in /opt/realcloud/log/<service>.log)."""

from __future__ import annotations

import re
from pathlib import Path

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, table, wait_until
from tests.real import rig
from tuicloud.screens.actions_menu import ActionsMenu
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.console_log import ConsoleLogScreen
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.resource_list import ResourceListScreen

LOGS = Path("/opt/realcloud/log")
SERVICES = ("nova-api", "cinder-api", "glance", "neutron-api", "keystone", "placement")
# gunicorn's access line: "METHOD PATH HTTP/1.1" STATUS LEN "REFERER" "USER-AGENT"
ACCESS = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+) \S+ '
                    r'"[^"]*" "(?P<agent>[^"]*)"')
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def offsets() -> dict[str, int]:
    return {name: (LOGS / f"{name}.log").stat().st_size for name in SERVICES}


def writes_since(start: dict[str, int]) -> list[tuple[str, str, str]]:
    """(service, method, path) of every write tuicloud sent since ``start``."""
    found = []
    for name, offset in start.items():
        with open(LOGS / f"{name}.log", "rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
        for line in ACCESS.finditer(text):
            if line["method"] in WRITES and line["agent"].startswith("tuicloud"):
                found.append((name, line["method"], line["path"]))
    return found


async def test_console_log_shows_novas_output(server: str, demo_sdk: Connection) -> None:
    """`l` on a server: the fake driver's three lines, the last one without a newline (a guest
    at `login: `) counted and searchable like the others."""
    expected = demo_sdk.compute.get_server_console_output(server)["output"]
    assert not expected.endswith("\n")
    app = make_app(cloud="real-demo")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: table(app).get_row(server) is not None, what="row")
        table(app).cursor_id = server
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ConsoleLogScreen)
                         and app.screen.log_view.line_count >= 2, timeout=rig.SLOW,
                         what="console lines")
        console = app.screen
        assert isinstance(console, ConsoleLogScreen)
        await wait_until(pilot, lambda: console.log_view.line_count == 3, timeout=rig.SLOW,
                         what="the last line counted")
        assert console.log_view.kept_lines() == expected.split("\n")
        assert console.log_view.search("LAST LINE") == 1


async def test_read_only_sends_no_write(server: str, demo_sdk: Connection) -> None:
    """Views, details, the console and every attempted action in `--read-only`: the APIs'
    access logs show no POST/PUT/PATCH/DELETE from tuicloud except token requests and the
    console reads (`POST /servers/{id}/action` with os-getConsoleOutput, which Nova does not
    record as an instance action, unlike every state-changing action)."""
    actions_before = {a.request_id for a in demo_sdk.compute.server_actions(server)}
    start = offsets()
    app = make_app(cloud="real-demo", read_only=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: table(app).get_row(server) is not None, what="row")
        table(app).cursor_id = server
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, timeout=rig.SLOW, what="detail")
        await pilot.press("escape")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ConsoleLogScreen)
                         and app.screen.log_view.line_count >= 2, timeout=rig.SLOW,
                         what="console")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="list")
        before = rig.mark(app)
        for key in ("x", "o", "b", "ctrl+d", "c"):
            table(app).cursor_id = server
            await pilot.press(key)
            await pilot.pause(0.2)
            assert not isinstance(app.screen, ConfirmScreen), key
            if not isinstance(app.screen, ResourceListScreen):
                await pilot.press("escape")
        menu = await rig.open_menu(pilot, app)
        listed = rig.options(menu)
        assert listed and all(not on and "read-only" in text for on, text in listed.values())
        await pilot.press("enter")
        assert isinstance(app.screen, ActionsMenu)
        await pilot.press("escape")
        await wait_until(pilot, lambda: sum("read-only" in n for n in
                                            rig.notes_since(app, before)) >= 3,
                         timeout=rig.SLOW, what="refusals said")
        for view in ("volumes", "images", "networks"):
            await pilot.press(":")
            await pilot.press(*view, "enter")
            await wait_until(pilot, lambda v=view: isinstance(app.screen, ResourceListScreen)
                             and app.screen.kind.name == v
                             and app.screen.freshness.state == "fresh", timeout=rig.SLOW,
                             what=view)
            if table(app).row_count:
                await pilot.press("enter")
                await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                                 and app.screen.raw is not None, timeout=rig.SLOW,
                                 what=f"{view} detail")
                await pilot.press("escape")
                await pilot.press("ctrl+d")
                await pilot.pause(0.2)
                assert not isinstance(app.screen, ConfirmScreen)
    sent = writes_since(start)
    console = [w for w in sent if w == ("nova-api", "POST", f"/v2.1/servers/{server}/action")]
    tokens = [w for w in sent if w[0] == "keystone" and w[2] == "/v3/auth/tokens"]
    assert console, "the console was read"
    assert sorted(set(sent) - set(console) - set(tokens)) == []
    # The only actions Nova recorded on the server are those from before: the POSTs were reads.
    assert {a.request_id for a in demo_sdk.compute.server_actions(server)} == actions_before
    assert demo_sdk.compute.get_server(server).status == "ACTIVE"
