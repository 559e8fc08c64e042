"""The view cache in the app (issue 17): the last run's rows at once, marked cached, replaced
in place by the first complete poll; never another project's or cloud's; actions wait.

The second start of each test runs with simcloud refusing connections (``set_down``): the
cached rows are then all there is, for as long as the test needs, and serving again lets the
app's own connection retry bring the fresh rows.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openstack
import pytest
from textual.pilot import Pilot

from tests.helpers.app import (
    list_screen,
    loaded,
    make_app,
    notes,
    private_network,
    screen_text,
    shown,
    table,
    wait_until,
)
from tuicloud.app import TuiCloudApp
from tuicloud.config.settings import settings_path
from tuicloud.config.view_cache import ViewCache, view_cache_dir
from tuicloud.model.feed import Snapshot
from tuicloud.screens.actions_menu import ActionsMenu
from tuicloud.screens.forms.launch_server import LaunchServerForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim

WAITING = "waiting for fresh data"


async def kept(pilot: Pilot[Any], app: TuiCloudApp) -> set[str]:
    """Wait until the view's rows (every one the table shows) are in the view cache."""
    shown = set(table(app).visible_ids())
    cache = ViewCache()

    def written() -> bool:
        key = app.cache_key("servers", app.session)
        view = cache.load(key) if key is not None else None
        return view is not None and {str(r["id"]) for r in view.rows} == shown

    await wait_until(pilot, written, what="the view kept in the cache")
    return shown


async def first_run(sim: RunningSim, **options: Any) -> set[str]:
    """Start, list the servers, quit: the ids kept."""
    app = make_app(**options)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        return await kept(pilot, app)


async def not_connected(pilot: Pilot[Any], app: TuiCloudApp) -> None:
    """Wait for the app's first connection attempt to fail (simcloud is down)."""
    await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                     and "not connected" in screen_text(app), what="the connection refused")


@contextmanager
def down(sim: RunningSim) -> Iterator[None]:
    sim.set_down(True)
    try:
        yield
    finally:
        sim.set_down(False)


def cached(app: TuiCloudApp) -> bool:
    return list_screen(app).feed.cached_at is not None


async def test_cached_rows_at_once_then_replaced_in_place(sim: RunningSim) -> None:
    before = await first_run(sim)
    conn = openstack.connect(cloud="simcloud")
    try:
        ordered = sorted(before)
        gone, stays = ordered[0], ordered[1]
        conn.compute.delete_server(gone)
        conn.compute.wait_for_delete(conn.compute.get_server(gone), wait=30)
        image = min(conn.image.images(), key=lambda i: i.min_disk or 0)
        flavor = max(conn.compute.flavors(), key=lambda f: f.disk or 0)
        new = conn.compute.create_server(name="made-meanwhile", flavor_id=flavor.id,
                                         image_id=image.id, networks=private_network(conn))
    finally:
        conn.close()

    app = make_app()
    with down(sim):
        async with app.run_test(size=(160, 50)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                             and table(app).row_count > 0, what="the cached rows")
            grid = table(app)
            assert cached(app) and app.session is None
            assert set(grid.visible_ids()) == before  # the deleted one too: nobody knows yet
            await not_connected(pilot, app)
            assert "cached, from " in screen_text(app)
            assert set(grid.visible_ids()) == before  # a failed connection keeps them

            # cursor, filter and sort work on cached rows
            grid.cursor_id = stays
            name = str(grid.get_row(stays)["name"])  # type: ignore[index]
            await pilot.press("slash", *name, "enter")
            await wait_until(pilot, lambda: grid.visible_ids() == [stays], what="filtered")
            await pilot.press("escape")
            await wait_until(pilot, lambda: grid.visible_count == len(before), what="unfilter")
            await pilot.press("N")  # sort by name
            names = [str(grid.get_row(i)["name"]) for i in grid.visible_ids()]  # type: ignore[index]
            assert names in (sorted(names), sorted(names, reverse=True))
            grid.cursor_id = stays

            # actions wait for the cloud's own state
            for keys in (("a",), ("ctrl+d",), ("b",)):  # b: reboot
                count = notes(app).count("Cached rows: " + WAITING)
                await pilot.press(*keys)
                await wait_until(pilot, lambda count=count: notes(app).count(
                    "Cached rows: " + WAITING) > count, what=f"{keys} refused")
                assert isinstance(app.screen, ResourceListScreen), keys
            # a create form needs no row: asked for now, it opens when the cloud answers
            await pilot.press("c")
            await wait_until(pilot, lambda: "The form opens when the cloud answers"
                             in notes(app), what="the form promised")
            assert isinstance(app.screen, ResourceListScreen)

            # a first page of the first poll does not make cached rows go
            screen = list_screen(app)
            page = {stays: {**dict(grid.get_row(stays) or {}), "name": name}}
            screen.post_message(ResourceListScreen.PollFinished(Snapshot(
                page, set(), 0.0, 0, partial=True, epoch=screen.feed.epoch)))
            await pilot.pause(0.2)
            assert set(grid.visible_ids()) == before and cached(app)

            # serving again: the app's retry connects, the first poll replaces rows in place
            sim.set_down(False)
            await wait_until(pilot, lambda: screen.freshness.state == "fresh",
                             timeout=30, what="fresh rows")
            await wait_until(pilot, lambda: isinstance(app.screen, LaunchServerForm),
                             what="the form asked for while cached")
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is screen, what="back to the list")
            assert not cached(app)
            ids = set(grid.visible_ids())
            assert gone not in ids and new.id in ids and stays in ids
            assert grid.cursor_id == stays
            assert "cached, from" not in await shown(pilot, app, "Servers", "updated ")
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, ActionsMenu), what="menu")


async def test_a_cache_of_another_project_or_cloud_is_never_shown(
        sim: RunningSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await first_run(sim)
    assert len(list(view_cache_dir().iterdir())) == 1
    assert sim.clouds_yaml is not None
    edited = tmp_path / "edited.yaml"
    edited.write_text(sim.clouds_yaml.read_text().replace(
        "    region_name:", "    interface: public\n    region_name:", 1))
    assert edited.read_text() != sim.clouds_yaml.read_text()
    starts: list[tuple[dict[str, Any], Path]] = [
        ({"cloud": "simcloud-admin"}, sim.clouds_yaml),  # another cloud (and user)
        ({"project": "admin"}, sim.clouds_yaml),  # another project
        ({}, edited),  # the same names, but the cloud's entry was edited
    ]
    with down(sim):
        for options, clouds in starts:
            monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
            app = make_app(**options)
            async with app.run_test(size=(160, 50)) as pilot:
                await not_connected(pilot, app)
                assert table(app).row_count == 0 and not cached(app), options
                assert "cached" not in screen_text(app)
        # and the same start again does show them (the test above is not vacuous)
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sim.clouds_yaml))
        app = make_app()
        async with app.run_test(size=(160, 50)) as pilot:
            await not_connected(pilot, app)
            assert table(app).row_count > 0 and cached(app)


async def test_a_corrupt_cache_file_is_ignored_and_logged(
        sim: RunningSim, caplog: pytest.LogCaptureFixture) -> None:
    await first_run(sim)
    (path,) = view_cache_dir().iterdir()
    path.write_text('{"version": 1, "rows": [')
    with caplog.at_level(logging.WARNING, logger="tuicloud.cache"):
        app = make_app()
        with down(sim):
            async with app.run_test(size=(160, 50)) as pilot:
                await not_connected(pilot, app)
                assert table(app).row_count == 0 and not cached(app)
                sim.set_down(False)
                await loaded(pilot, app, timeout=30)  # and the app goes on as without a cache
                await kept(pilot, app)  # which writes a good file again
    assert "ignoring the cached view" in caplog.text
    os.chmod(path, 0o644)
    app = make_app()
    with down(sim):
        async with app.run_test(size=(160, 50)) as pilot:
            await not_connected(pilot, app)
            assert table(app).row_count == 0 and not cached(app)


@pytest.mark.parametrize(("setting", "problem"), [
    ("cache = false\n", None),
    ('cache = "off"\n', "cache: must be true or false; the view cache is off until fixed"),
])
async def test_the_cache_off_by_setting(sim: RunningSim, setting: str,
                                        problem: str | None) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(setting)
    app = make_app(refresh=0.3)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        polls = list_screen(app).poller
        assert polls is not None
        await wait_until(pilot, lambda: polls.polls >= 3, what="more polls")
        assert app.view_cache is None
        if problem is not None:
            assert any(problem in note for note in notes(app)), notes(app)
    assert not view_cache_dir().exists()
