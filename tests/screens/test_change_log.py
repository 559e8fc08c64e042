"""The app-wide change log behind the overview's "Changes, last 30 min" (issue 13: a server
listed as created twice, once BUILD and once ERROR; a volume extend never showed; resources
created while the user was in another project were missed; everything was forgotten at
restart)."""

from __future__ import annotations

import json
import logging
import stat
import time
from typing import Any

import openstack
import pytest
from pytest import LogCaptureFixture

from tests.helpers.app import boot, list_screen, loaded, make_app, screen_text, table, wait_until
from tests.helpers.ops import open_menu
from tuicloud.app import TuiCloudApp
from tuicloud.cloud.changes import ChangeLog
from tuicloud.config.changes_file import changes_path
from tuicloud.simcloud import RunningSim


def _described(log: ChangeLog, scope: str = "s") -> list[tuple[str, str]]:
    return [(c.resource_id, c.describe()) for c in log.recent(scope, 0.0)]


def test_a_second_poller_meeting_a_new_resource_later_records_a_state_change() -> None:
    log = ChangeLog()
    log.observe("s", "servers", "x", None, {"name": "web", "status": "BUILD"}, at=1.0)
    # The overview's poller meets it for the first time, already in ERROR.
    log.observe("s", "servers", "x", None, {"name": "web", "status": "ERROR"}, at=2.0)
    log.observe("s", "servers", "x", None, {"name": "web", "status": "ERROR"}, at=3.0)
    described = [c.describe() for c in log.recent("s", 0.0)]
    assert described == ["BUILD → ERROR", "created"]


def test_created_again_after_a_delete_is_a_creation() -> None:
    log = ChangeLog()
    log.observe("s", "servers", "x", None, {"status": "ACTIVE"}, at=1.0)
    log.observe("s", "servers", "x", {"status": "ACTIVE"}, None, at=2.0)
    log.observe("s", "servers", "x", None, {"status": "BUILD"}, at=3.0)
    assert [c.describe() for c in log.recent("s", 0.0)] == ["created", "deleted", "created"]


async def test_an_extend_followed_by_the_list_reaches_the_change_log(sim: RunningSim) -> None:
    """The extend takes a moment; the follow loop's reads may fall on either side of it."""
    from textual.widgets import Input

    from tuicloud.screens.prompts import TextPrompt

    app = make_app(view="volumes")
    async with app.run_test(size=(140, 40)) as pilot:
        grid = await loaded(pilot, app)
        cinder = sim.cloud.service("volume")
        volume = next(v for v in cinder.volumes.values() if v["status"] == "available"
                      and grid.get_row(v["id"]))
        grid.cursor_id = volume["id"]
        await open_menu(pilot, app)
        await pilot.press(*"extend", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        app.screen.query_one("#prompt-input", Input).value = str(volume["size"] + 1)
        await pilot.press("enter")
        scope = ChangeLog.scope_of(app.session)
        await wait_until(pilot, lambda: any(
            c.resource_id == volume["id"] and c.describe() == "extending → available"
            for c in app.changes.recent(scope, 0.0)), what="extending → available")


def test_catching_up_finds_what_came_went_and_changed_since_the_last_look() -> None:
    log = ChangeLog()
    assert log.catch_up("s", "servers", {"a": {"status": "ACTIVE"}}) == []  # nothing to compare
    log.remember("s", "servers", {"a": {"status": "ACTIVE"}, "b": {"status": "ACTIVE"}},
                 at=1000.0)
    found = log.catch_up("s", "servers", {
        "a": {"status": "SHUTOFF"},
        "c": {"name": "new", "status": "BUILD", "created": "2001-09-09T01:46:50Z"}})
    assert sorted((c.resource_id, c.describe()) for c in found) == [
        ("a", "ACTIVE → SHUTOFF"), ("b", "deleted"), ("c", "created")]
    created = next(c for c in found if c.resource_id == "c")
    assert created.at == 1_000_000_010.0  # the cloud's own time, since it falls after the look
    # The same state again (the overview's first poll after the list's): nothing new.
    assert log.catch_up("s", "servers", {"a": {"status": "SHUTOFF"}, "c": {
        "name": "new", "status": "BUILD"}}) == []


def test_states_of_another_scope_or_all_projects_are_not_compared() -> None:
    log = ChangeLog()
    log.remember("s", "servers", {"a": {"status": "ACTIVE"}})
    assert log.catch_up("t", "servers", {"b": {"status": "ACTIVE"}}) == []
    assert log.catch_up("s", "servers", {"b": {"status": "ACTIVE"}}, all_projects=True) == []
    assert log.catch_up("s", "volumes", {"b": {"status": "available"}}) == []


def test_a_scope_left_behind_keeps_only_names_and_statuses() -> None:
    """A project left behind must not keep 10,000 raw server dicts alive."""
    log = ChangeLog()
    raws = {"a": {"name": "web", "status": "ACTIVE", "big": "x" * 10_000}}
    log.catch_up("s", "servers", raws)
    log.catch_up("t", "servers", {})  # a switch: the first poll of another project
    kept = log._states[("s", "servers", False)][1]
    assert kept == {"a": {"name": "web", "status": "ACTIVE"}}
    found = log.catch_up("s", "servers", {"a": {"name": "web", "status": "ERROR"}})
    assert [c.describe() for c in found] == ["ACTIVE → ERROR"]


def test_the_log_and_states_round_trip_through_json() -> None:
    log = ChangeLog()
    log.observe("s", "servers", "a", None, {"name": "web \x1b]0;x\x07", "status": "BUILD"},
                at=5.0)
    log.remember("s", "servers", {"a": {"name": "web", "status": "ACTIVE", "big": "x" * 999}})
    data = json.loads(json.dumps(log.to_json()))
    assert "big" not in json.dumps(data)  # names and statuses only
    again = ChangeLog()
    assert again.load_json(data) == 0
    assert [(c.name, c.describe(), c.at) for c in again.recent("s", 0.0)] == [
        ("web \x1b]0;x\x07", "created", 5.0)]
    found = again.catch_up("s", "servers", {"a": {"name": "web", "status": "SHUTOFF"}})
    assert [c.describe() for c in found] == ["ACTIVE → SHUTOFF"]


@pytest.mark.parametrize("data", [
    [], {"version": 99}, {"version": 1, "changes": "x"}, {"version": 1, "states": {}}, "garbage",
])
def test_a_file_not_from_this_version_is_refused(data: Any) -> None:
    with pytest.raises(ValueError):
        ChangeLog().load_json(data)


def test_entries_that_do_not_read_right_are_skipped_and_counted() -> None:
    good = [1.0, "s", "servers", "a", "web", "created", "", "BUILD"]
    data = {"version": 1, "changes": [good, [1.0, "s"], ["t", "s", "servers", "a", "", "created",
                                                        "", ""],
                                      [1.0, "s", "servers", "b", "", "exploded", "", ""]],
            "states": [{"scope": "s", "kind": "servers", "at": 9e12, "states": {"a": [1, 2]}},
                       "nonsense"]}
    log = ChangeLog()
    assert log.load_json(data) == 5
    assert _described(log) == [("a", "created")]


async def test_what_changed_in_another_project_meanwhile_is_found_on_return(
        sim: RunningSim) -> None:
    """Issue 13: resources created before a project round trip were missed."""
    app = make_app(view="servers")
    demo = openstack.connect(cloud="simcloud")
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            grid = await loaded(pilot, app)
            gone = next(i for i in grid.visible_ids())
            await wait_until(pilot, lambda: "ops" in app.switcher.projects, what="projects")
            await pilot.press("colon", *"project", "space", *"ops", "enter")
            await wait_until(pilot, lambda: app.session is not None
                             and app.session.project_name == "ops"
                             and table(app).row_count > 0, what="project ops")
            made = boot(demo, "made-while-away")
            demo.compute.delete_server(gone)
            demo.compute.wait_for_delete(demo.compute.get_server(gone), interval=0.1, wait=20)
            await pilot.press("colon", *"project", "space", *"demo", "enter")
            await wait_until(pilot, lambda: app.session is not None
                             and app.session.project_name == "demo"
                             and table(app).get_row(made.id) is not None, what="back in demo")
            scope = ChangeLog.scope_of(app.session)
            await wait_until(pilot, lambda: {(made.id, "created"), (gone, "deleted")}
                             <= set(_described(app.changes, scope)), what="the catch-up")
            app.goto("overview")
            await wait_until(pilot, lambda: "made-while-away  created" in screen_text(app),
                             what="the overview's changes")
    finally:
        demo.close()


async def _servers_loaded(app: TuiCloudApp) -> None:
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)


async def test_the_change_log_outlives_a_restart(sim: RunningSim) -> None:
    """Issue 13: the changes were forgotten at restart; so was what was there before."""
    nova = sim.cloud.service("compute")
    first = make_app(view="servers")
    async with first.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, first)
        stopped = next(i for i in grid.visible_ids()
                       if nova.servers[i].vm_state == "active")
        stopped_project = nova.servers[stopped].project_id
        demo = openstack.connect(cloud="simcloud")
        try:
            demo.compute.stop_server(stopped)
        finally:
            demo.close()
        scope = ChangeLog.scope_of(first.session)
        deadline = time.monotonic() + 20
        while (stopped, "ACTIVE → SHUTOFF") not in _described(first.changes, scope):
            assert time.monotonic() < deadline, "the stop never reached the change log"
            await pilot.press("r")
            await wait_until(pilot, lambda: not list_screen(first)._polling, what="a poll")
    path = changes_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    gone = next(i for i, s in nova.servers.items() if i != stopped and s.vm_state == "active"
                and s.project_id == stopped_project)
    demo = openstack.connect(cloud="simcloud")
    try:
        demo.compute.delete_server(gone)
        demo.compute.wait_for_delete(demo.compute.get_server(gone), interval=0.1, wait=20)
    finally:
        demo.close()
    second = make_app(view="overview")
    async with second.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: second.session is not None
                         and (gone, "deleted") in _described(second.changes, scope),
                         what="the deletion while the app was closed")
        assert (stopped, "ACTIVE → SHUTOFF") in _described(second.changes, scope)
        await wait_until(pilot, lambda: "ACTIVE → SHUTOFF" in screen_text(second)
                         and "deleted" in screen_text(second), what="both in the overview")


async def test_a_corrupt_change_log_is_reported_and_replaced(
        sim: RunningSim, caplog: LogCaptureFixture) -> None:
    path = changes_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="tuicloud.state")
    await _servers_loaded(make_app(view="servers"))
    assert any("ignoring the change log" in r.getMessage() for r in caplog.records)
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1

