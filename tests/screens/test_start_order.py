"""What the app asks a cloud at start, and in which order (issue 11).

The first page of the list goes first and the name lookups follow it; a lookup the servers view
already keeps whole is never listed; turning all projects on fetches the project names before
the all-projects list, so names show with its first rows. Requests are counted in simcloud.
"""

from __future__ import annotations

from typing import Any

import pytest

import tuicloud.app as app_module
from tests.helpers.app import list_screen, loaded, make_app, wait_until
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds import kind_for
from tuicloud.cloud.lookups import Lookups
from tuicloud.cloud.poller import Poller
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim

_LOOKUP_LISTS = ("/image/v2/images", "/networking/v2.0/networks", "/networking/v2.0/subnets",
                 "/identity/v3/projects", "/identity/v3/auth/projects", "/compute/v2.1/flavors")


def _is_lookup(entry: Any) -> bool:
    return entry.method == "GET" and (entry.path in _LOOKUP_LISTS or (
        entry.path == "/compute/v2.1/servers" and "limit=1000" in entry.query))


def _first_page_index(log: list[Any], all_tenants: bool) -> int:
    for index, entry in enumerate(log):
        if entry.path.endswith("/servers/detail") and "limit=50" in entry.query \
                and ("all_tenants=1" in entry.query) == all_tenants:
            return index
    raise AssertionError("no first page was asked for")


async def test_first_page_before_the_name_lookups(sim: RunningSim) -> None:
    app = make_app(cloud="simcloud")
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: any(_is_lookup(e) for e in sim.cloud.request_log),
                         what="the name lookups")
        log = list(sim.cloud.request_log)
        first = _first_page_index(log, all_tenants=False)
        lookups = [i for i, e in enumerate(log) if _is_lookup(e)]
        assert lookups and min(lookups) > first, [(e.path, e.query) for e in log]
        # A non-admin's servers view sees every server: the servers lookup is never listed.
        assert not any(e.path == "/compute/v2.1/servers" for e in log)


def test_a_servers_view_keeps_the_servers_lookup(sim: RunningSim) -> None:
    with CloudSession.connect("simcloud") as session:
        lookups = Lookups(recent=0.0)
        poller = Poller(session, kind_for("servers"), lookups=lookups)
        first = poller.poll(on_page=lambda _rows: None)
        mark = len(sim.cloud.request_log)
        lookups.refresh(session, ["images", "servers"])  # the app's minute
        again = list(sim.cloud.request_log)[mark:]
        assert any(e.path == "/image/v2/images" for e in again)
        assert not any(e.path == "/compute/v2.1/servers" for e in again)
        some = next(iter(first.upserts.values()))
        assert lookups.server_name(some["id"]) == some["name"]


async def test_all_projects_fetches_project_names_before_its_list(sim: RunningSim) -> None:
    app = make_app(cloud="simcloud-admin")
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None
                         and app.lookups.loaded_at("images") is not None, what="the start")
        mark = len(sim.cloud.request_log)
        await pilot.press("0")
        await loaded(pilot, app)
        log = list(sim.cloud.request_log)[mark:]
        first = _first_page_index(log, all_tenants=True)
        projects = [i for i, e in enumerate(log) if e.path == "/identity/v3/projects"]
        assert projects and projects[0] < first, [(e.path, e.query) for e in log]
        poller = list_screen(app).poller
        owners = {str(raw.get("tenant_id")) for raw in poller.known.values()}
        assert owners and all(app.lookups.get("projects", o) for o in owners)


async def test_all_projects_pressed_during_the_first_poll_lists_every_project(
        sim: RunningSim) -> None:
    """`0` while the first poll (one project's) is still out: polls never overlap, so the
    all-projects poll follows that one at once, not at the refresh timer a minute later, and
    the poller kept from then on lists all projects."""
    every = len(sim.cloud.service("compute").servers)
    sim.faults.latency = {"compute": 1.0}  # the first poll is still out when `0` comes
    try:
        app = make_app(cloud="simcloud-admin")
        async with app.run_test(size=(160, 30)) as pilot:
            await wait_until(pilot, lambda: app.session is not None
                             and isinstance(app.screen, ResourceListScreen)
                             and app.screen._polling, timeout=30, what="the first poll")
            assert list_screen(app).freshness.updated_at is None  # not back yet
            await pilot.press("0")
            sim.faults.latency = {}
            await wait_until(pilot, lambda: list_screen(app).table.row_count == every
                             and list_screen(app).freshness.state == "fresh",
                             what=f"all {every} servers")
            poller = list_screen(app).feed.poller
            assert poller is not None and poller.all_projects
            mark = len(sim.cloud.request_log)
            await pilot.press("r")
            await wait_until(pilot, lambda: any(
                e.path.endswith("/servers/detail") and "all_tenants=1" in e.query
                for e in list(sim.cloud.request_log)[mark:]), what="the next poll")
    finally:
        sim.faults.latency = {}


async def test_admin_start_asks_each_thing_once(sim: RunningSim) -> None:
    app = make_app(cloud="simcloud-admin")
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None
                         and any(_is_lookup(e) for e in sim.cloud.request_log),
                         what="the start's lookups")
        await wait_until(pilot, lambda: app.lookups.loaded_at("images") is not None,
                         what="the start's lookups done")
        # The switcher lists the projects in its own worker: on a loaded machine (CI) it came
        # after the images, so wait for it too before counting.
        await wait_until(pilot, lambda: any(e.path == "/identity/v3/auth/projects"
                                            for e in sim.cloud.request_log),
                         what="the switcher's project list")
        log = [e for e in sim.cloud.request_log if e.method == "GET"]
        assert sum(e.path == "/identity/v3/auth/projects" for e in log) == 1
        documents = [e.path for e in log if e.path.count("/") <= 2 and not e.query]
        assert len(documents) == len(set(documents)), documents  # no version document twice


async def test_the_preload_waits_for_the_first_load(sim: RunningSim,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The screens a first key may open are imported in the background, after the first
    view's first load (a quick cloud's long list is bound by our CPU), or after a wait."""
    states: list[str] = []
    monkeypatch.setattr(app_module, "PRELOAD_DELAY", 0.001)  # asked for before the first poll
    monkeypatch.setattr(app_module, "preload", lambda: states.append(
        list_screen(app).freshness.state))
    app = make_app(cloud="simcloud")
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: bool(states), what="the preload")
    assert states == ["fresh"]

    states.clear()
    monkeypatch.setattr(app_module, "PRELOAD_WAIT", 0.0)  # no waiting at all
    app = make_app(cloud="simcloud")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: bool(states), what="the preload")
        await loaded(pilot, app)
    assert states[0] in ("connecting", "loading")
