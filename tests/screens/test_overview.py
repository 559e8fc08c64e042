"""Pilot tests of the overview against simcloud over HTTP: the landing view, numbers and bars,
ERROR with its fault, recent changes, jumps to filtered lists, stale marking."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import openstack
import pytest
from openstack.connection import Connection
from textual.pilot import Pilot

from tests.helpers.app import (
    boot,
    loaded,
    make_app,
    table,
    wait_until,
)
from tests.helpers.app import shown as on_screen
from tuicloud.app import TuiCloudApp
from tuicloud.cli import parse_options
from tuicloud.screens.overview import OverviewLine, OverviewScreen
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim
from tuicloud.widgets.status_header import StatusHeader


@pytest.fixture
def demo(sim: RunningSim) -> Iterator[Connection]:
    connection = openstack.connect(cloud="simcloud")
    yield connection
    connection.close()


def overview(app: TuiCloudApp) -> OverviewScreen:
    screen = app.screen
    assert isinstance(screen, OverviewScreen), screen
    return screen


def line(app: TuiCloudApp, key: str) -> OverviewLine | None:
    for found in app.screen.query(OverviewLine):
        if found.spec.key == key:
            return found
    return None


def line_text(app: TuiCloudApp, key: str) -> str:
    found = line(app, key)
    assert found is not None, key
    return found.render().plain


async def shown(pilot: Pilot[Any], app: TuiCloudApp) -> OverviewScreen:
    """The overview has its first data."""
    await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen)
                     and app.screen.data is not None
                     and app.screen.freshness.state == "fresh", what="overview data")
    await pilot.pause()
    return overview(app)


async def refresh_until(pilot: Pilot[Any], app: TuiCloudApp, condition: Any,
                        what: str, timeout: float = 20.0) -> None:
    """Press r until ``condition()`` holds (the test's refresh interval is a minute)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.press("r")
        await wait_until(pilot, lambda: not overview(app)._busy, what="refresh")
        await pilot.pause(0.1)


def test_overview_is_the_default_view() -> None:
    assert parse_options([]).view == ""  # no --view: settings, state, else the overview
    assert parse_options(["--view", "overview"]).view == "overview"


async def test_app_lands_on_the_overview(sim: RunningSim) -> None:
    app = make_app(view="")
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, app)
        assert app.current_mode == "overview"
        assert app.screen.query_one(StatusHeader).view_title == "Overview"


async def test_quota_bars_and_counts_match_simcloud(sim: RunningSim, demo: Connection) -> None:
    admin = openstack.connect(cloud="simcloud-admin")
    try:
        limits = demo.compute.get("/limits").json()["limits"]["absolute"]
        used = limits["totalInstancesUsed"]
        admin.compute.put(f"/os-quota-sets/{demo.current_project_id}",
                          json={"quota_set": {"instances": used, "cores": -1}})
    finally:
        admin.close()
    app = make_app(view="overview")
    async with app.run_test(size=(160, 50)) as pilot:
        await shown(pilot, app)
        instances = line_text(app, "quota-instances")
        assert f"{used}/{used}" in instances and "█" in instances and "░" not in instances
        assert "(unlimited)" in line_text(app, "quota-cores")
        ram_gb = limits["totalRAMUsed"] / 1024
        assert f"{ram_gb:,.0f}/" in line_text(app, "quota-ram")
        assert line_text(app, "quota-ram").endswith(" GB")
        # Every status count on screen is what Nova lists.
        servers = demo.compute.get("/servers/detail?limit=1000").json()["servers"]
        data = overview(app).data
        assert data is not None and data.server_counts is not None
        assert sum(data.server_counts.values()) == len(servers)
        total = line_text(app, "servers-total")
        assert f"Servers {len(servers)}" in total
        for status, count in data.server_counts.items():
            assert line_text(app, f"servers-status-{status}").split() == [status, str(count)]
        await on_screen(pilot, app, "Volumes", "Floating IPs", "Sec. groups")


async def test_error_servers_are_listed_with_their_fault(sim: RunningSim,
                                                        demo: Connection) -> None:
    doomed = boot(demo, "doomed-db", metadata={"simcloud:fail": "1"})
    app = make_app(view="overview")
    async with app.run_test(size=(160, 50)) as pilot:
        await shown(pilot, app)
        key = f"problem-servers-{doomed.id}"
        await refresh_until(pilot, app, lambda: line(app, key) is not None, "the ERROR line")
        text = line_text(app, key)
        assert "doomed-db" in text and "500: No valid host was found" in text
        await on_screen(pilot, app, "doomed-db")


async def test_recent_changes_show_creates_and_deletes(sim: RunningSim,
                                                       demo: Connection) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(160, 50)) as pilot:
        await shown(pilot, app)
        assert line(app, "changes-none") is not None
        server = boot(demo, "fresh-one")

        def changes() -> list[str]:
            return [found.render().plain for found in app.screen.query(OverviewLine)
                    if found.spec.key.startswith(f"change-servers-{server.id}")]

        await refresh_until(pilot, app, lambda: any("fresh-one  created" in c
                                                    for c in changes()), "created")
        demo.compute.wait_for_server(server, status="ACTIVE", interval=0.1, wait=20)
        demo.compute.delete_server(server)
        demo.compute.wait_for_delete(server, interval=0.1, wait=20)
        await refresh_until(pilot, app, lambda: any("fresh-one  deleted" in c
                                                    for c in changes()), "deleted")
        await on_screen(pilot, app, "fresh-one")


async def test_changes_seen_by_a_list_view_reach_the_overview(sim: RunningSim,
                                                             demo: Connection) -> None:
    app = make_app(view="servers")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        server = boot(demo, "seen-by-list")
        deadline = time.monotonic() + 20
        while table(app).get_row(server.id) is None:
            assert time.monotonic() < deadline
            await pilot.press("r")
            await pilot.pause(0.2)
        scope_changes = app.changes.recent(app.changes.scope_of(app.session), 0)
        assert ("seen-by-list", "created") in [(c.name, c.event) for c in scope_changes]
        app.goto("overview")
        await shown(pilot, app)
        assert any(found.spec.key.startswith(f"change-servers-{server.id}")
                   for found in app.screen.query(OverviewLine))


async def test_items_jump_to_the_filtered_list(sim: RunningSim, demo: Connection) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(160, 50)) as pilot:
        await shown(pilot, app)
        data = overview(app).data
        assert data is not None and data.server_counts is not None
        errors = data.server_counts.get("ERROR", 0)
        assert errors, "simcloud seeds a server in ERROR"
        target = line(app, "servers-status-ERROR")
        assert target is not None
        target.focus()
        await pilot.press("enter")
        grid = await loaded(pilot, app)
        assert app.current_mode == "servers"
        assert grid.filter_text == "ERROR"
        await wait_until(pilot, lambda: grid.visible_count == errors, what="filtered rows")
        assert all("ERROR" in str((grid.get_row(i) or {}).get("status"))
                   for i in grid.visible_ids())

        app.goto("overview")
        await shown(pilot, app)
        volumes = line(app, "quota-volumes")
        assert volumes is not None
        volumes.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.current_mode == "volumes", what="volumes view")
        assert isinstance(app.screen, ResourceListScreen)

        # The keys move between lines, and the other column.
        app.goto("overview")
        await shown(pilot, app)
        first = line(app, "quota-instances")
        assert first is not None
        first.focus()
        await pilot.press("down")
        assert app.focused is line(app, "quota-cores")
        await pilot.press("right")
        assert app.focused is line(app, "servers-total")


async def test_goes_stale_keeping_its_numbers_when_the_cloud_is_down(sim: RunningSim) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot, app)
        before = line_text(app, "quota-instances")
        sim.set_down(True)
        try:
            await pilot.press("r")
            await wait_until(pilot, lambda: screen.freshness.state == "stale", what="stale")
            header = screen.query_one(StatusHeader)
            assert header.freshness.state == "stale"
            assert "compute" in header.freshness.error
            assert screen.has_class("-stale")
            assert line_text(app, "quota-instances") == before  # the last numbers stay
            await on_screen(pilot, app, "stale since")
        finally:
            sim.set_down(False)
        await refresh_until(pilot, app, lambda: screen.freshness.state == "fresh", "fresh again")
        assert not screen.has_class("-stale")


async def test_a_service_the_cloud_does_not_offer(sim: RunningSim) -> None:
    sim.faults.catalog_omit = {"block-storage", "volumev3"}
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot, app)
        assert line_text(app, "absent-block-storage").strip() == "block storage: not offered"
        assert line_text(app, "volumes-title").strip() == "Volumes: not offered"
        assert line(app, "quota-volumes") is None and line(app, "quota-instances") is not None
        assert screen.freshness.state == "fresh"  # missing is not broken


async def test_command_line_opens_the_overview(sim: RunningSim) -> None:
    app = make_app(view="servers")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("colon", *"overview", "enter")
        await shown(pilot, app)
        await pilot.press("colon", *"srv", "enter")
        await loaded(pilot, app)
        assert app.current_mode == "servers"


async def test_the_overview_is_in_the_command_palette(sim: RunningSim) -> None:
    app = make_app(view="servers")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"show the overview")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await shown(pilot, app)


async def test_the_focus_stays_on_its_line_when_lines_come_and_go(sim: RunningSim,
                                                                 demo: Connection) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, app)
        status = next(found for found in app.screen.query(OverviewLine)
                      if found.spec.key == "volumes-total")
        status.focus()
        doomed = boot(demo, "doomed-focus", metadata={"simcloud:fail": "1"})
        await refresh_until(pilot, app, lambda: line(app, f"problem-servers-{doomed.id}")
                            is not None, "the new lines")
        focused = app.focused
        assert isinstance(focused, OverviewLine) and focused.spec.key == "volumes-total"


async def test_quota_bars_have_one_length_at_80_columns(sim: RunningSim) -> None:
    """Issue 13: longer numbers ("1,308/1,388 GB") shortened their bar, so bars could not
    be compared by eye."""
    app = make_app(view="overview")
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, app)
        lengths = {}
        for line in app.screen.query(OverviewLine):
            if line.spec.quota is not None and line.spec.quota.fraction is not None:
                text = line.render().plain
                lengths[text] = text.count("█") + text.count("░")
        assert len(lengths) >= 5 and len(set(lengths.values())) == 1, lengths
