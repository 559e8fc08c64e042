"""Pilot tests of the browser against simcloud over HTTP: views, keys, filter, sort, detail."""

from __future__ import annotations

import asyncio
import re

import openstack
import pytest

from tests.helpers.app import (
    list_screen,
    loaded,
    make_app,
    private_network,
    shown,
    table,
    wait_until,
)
from tuicloud.model.freshness import describe_freshness
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim
from tuicloud.widgets.status_header import StatusHeader


def demo_server_ids(sim: RunningSim) -> set[str]:
    conn = openstack.connect(cloud="simcloud")
    try:
        return {s["id"] for s in conn.compute.get("/servers?limit=1000").json()["servers"]}
    finally:
        conn.close()


async def test_servers_view_lists_the_projects_servers(sim: RunningSim) -> None:
    expected = demo_server_ids(sim)
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app)
        assert set(grid.visible_ids()) == expected
        header = list_screen(app).query_one(StatusHeader)
        assert header.identity is not None
        assert (header.identity.cloud, header.identity.project, header.identity.user) == (
            "simcloud", "demo", "demo")
        assert describe_freshness(header.freshness).startswith("updated ")
        # Names of flavors come from lookups, not per-row requests.
        flavors = {str(grid.get_row(i).get("flavor")) for i in expected}  # type: ignore[union-attr]
        assert flavors & {"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"}


async def test_command_line_switches_views_and_hidden_views_do_not_poll(sim: RunningSim) -> None:
    app = make_app(refresh=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("colon", *"vol", "enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "volumes"
                         and table(app).row_count > 0, what="volumes")
        seen_before = len(sim.cloud.request_log)
        await pilot.pause(2.0)
        paths = [r.path for r in list(sim.cloud.request_log)[seen_before:]]
        assert any("/volumes" in p for p in paths)
        assert not any("/servers" in p for p in paths), "a hidden view kept polling"
        await pilot.press("colon", *"img", "enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "images"
                         and table(app).row_count > 0, what="images")
        await pilot.press("colon", *"nosuchview", "enter")
        await pilot.pause(0.2)
        assert list_screen(app).kind.name == "images"


@pytest.mark.parametrize("view", ["flavors", "networks", "keypairs", "secgroups"])
async def test_read_only_views_list_rows(sim: RunningSim, view: str) -> None:
    app = make_app(view=view)
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        assert grid.row_count >= 1


async def test_filter_sort_and_cursor_survive_refresh(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app)
        await pilot.press("slash", *"web")
        await pilot.press("enter")
        names = [str(grid.get_row(i)["name"]) for i in grid.visible_ids()]  # type: ignore[index]
        assert names and all("web" in n.lower() for n in names)
        # Sort by name (shift+N), then reverse.
        await pilot.press("N")
        names = [str(grid.get_row(i)["name"]) for i in grid.visible_ids()]  # type: ignore[index]
        assert names == sorted(names, key=str.lower)
        await pilot.press("N")
        names = [str(grid.get_row(i)["name"]) for i in grid.visible_ids()]  # type: ignore[index]
        assert names == sorted(names, key=str.lower, reverse=True)
        await pilot.press("down")
        cursor = grid.cursor_id
        await pilot.press("space")
        assert cursor in grid.marked
        await pilot.press("r")
        await pilot.pause(0.5)
        await wait_until(pilot, lambda: not list_screen(app)._polling, what="refresh")
        assert grid.filter_text == "web"
        assert all("web" in str(grid.get_row(i)["name"]).lower()  # type: ignore[index]
                   for i in grid.visible_ids())
        assert cursor in grid.marked
        # Inverse filter.
        await pilot.press("slash", "ctrl+u", *"!web", "enter")
        assert all("web" not in str(grid.get_row(i)["name"]).lower()  # type: ignore[index]
                   for i in grid.visible_ids())


async def test_cursor_stays_on_its_server_while_it_changes_and_others_come_and_go(
        sim: RunningSim) -> None:
    conn = openstack.connect(cloud="simcloud")
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app)
        ids = grid.visible_ids()
        target = ids[5]
        while grid.cursor_id != target:
            await pilot.press("down")
        status_before = str(grid.get_row(target)["status"])  # type: ignore[index]
        # Change the target's state, delete a server above it, create new ones.
        action = "os-stop" if "ACTIVE" in status_before else "os-start"
        if "ACTIVE" in status_before or "SHUTOFF" in status_before:
            conn.compute.post(f"/servers/{target}/action", json={action: None})
        conn.compute.delete(f"/servers/{ids[1]}")
        flavors = conn.compute.get("/flavors/detail").json()["flavors"]
        flavor = max(flavors, key=lambda f: f["disk"])["id"]
        images = conn.image.get("/images").json()["images"]
        image = min((i for i in images if i["status"] == "active"),
                    key=lambda i: i["min_disk"])["id"]
        conn.compute.post("/servers", json={"server": {
            "name": "newcomer", "flavorRef": flavor, "imageRef": image, "min_count": 2,
            "networks": private_network(conn)}})
        for _ in range(3):
            await pilot.press("r")
            await pilot.pause(0.6)
            await wait_until(pilot, lambda: not list_screen(app)._polling, what="refresh")
        await wait_until(pilot, lambda: ids[1] not in set(grid.visible_ids()), what="deletion")
        await wait_until(pilot, lambda: sum("newcomer" in str(grid.get_row(i)["name"])  # type: ignore[index]
                                            for i in grid.visible_ids()) == 2, what="creations")
        assert grid.cursor_id == target
    conn.close()


async def test_detail_view_and_raw_json(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        target = grid.cursor_id
        name = str(grid.get_row(target)["name"])  # type: ignore[arg-type,index]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail")
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        body = str(screen.query_one("#detail-body").render())
        assert screen.raw is not None and screen.raw["id"] == target
        assert "Ports" in screen.related or "ports" in {k.lower() for k in screen.related}
        await pilot.press("y")
        body = str(screen.query_one("#detail-body").render())
        assert f'"id": "{target}"' in body and name[:10] in body
        rendered = screen.query_one("#detail-body").render()
        assert getattr(rendered, "spans", None)  # coloured by the JSON highlighter
        await pilot.press("escape")
        assert isinstance(app.screen, ResourceListScreen)
        assert table(app).cursor_id == target


async def test_down_cloud_marks_view_stale_and_recovers(sim: RunningSim) -> None:
    """Connections refused for ~3 s (a real outage would be longer; the backoff caps at 60 s):
    the view goes stale with the last good rows, a detail says why it is empty, nothing
    crashes, and the view is fresh again on its own once the cloud answers."""
    app = make_app(refresh=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        rows = table(app).row_count
        sim.set_down(True)
        try:
            await wait_until(pilot, lambda: list_screen(app).freshness.state == "stale",
                             what="stale")
            header = list_screen(app).query_one(StatusHeader)
            assert re.fullmatch(r"stale since \d\d:\d\d:\d\d: unreachable",
                                describe_freshness(header.freshness))
            assert table(app).row_count == rows, "the last good rows must stay"
            assert table(app).has_class("-stale")
            await pilot.press("enter")  # a detail while the cloud is away
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                             and app.screen.query_one(StatusHeader).freshness.state == "stale",
                             what="detail error")
            await shown(pilot, app, "connection refused")
            await pilot.press("escape")
            await pilot.pause(1.0)
            assert list_screen(app).freshness.state == "stale"
            assert "Traceback" not in await shown(pilot, app, "Power", "stale since")
        finally:
            sim.set_down(False)
        await wait_until(pilot, lambda: list_screen(app).freshness.state == "fresh",
                         timeout=30, what="recovery")  # no key pressed: the backoff retries
        assert not table(app).has_class("-stale") and table(app).row_count == rows


async def test_pause_stops_polling_and_help_lists_keys(sim: RunningSim) -> None:
    app = make_app(refresh=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("p")
        await pilot.pause(0.3)
        seen = len(sim.cloud.request_log)
        await pilot.pause(1.5)
        assert not [r for r in list(sim.cloud.request_log)[seen:] if "/servers" in r.path]
        await pilot.press("question_mark")
        text = await shown(pilot, app, "Help: Servers", "sort by Name")
        assert "Filter" in text and "sort by Name" in text
        await pilot.press("escape")
        await pilot.press("p")
        await wait_until(pilot, lambda: list_screen(app).freshness.state == "fresh", what="resume")


async def test_all_projects_toggle_needs_admin(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        own = grid.row_count
        await pilot.press("0")
        await pilot.pause(0.3)
        assert not app.all_projects and grid.row_count == own
    admin = make_app(cloud="simcloud-admin", all_projects=True)
    async with admin.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, admin)
        assert grid.row_count > own
        assert "project" in [c.key for c in grid.columns]
        await asyncio.sleep(0)


async def test_filter_finds_every_column_beyond_one_page(tmp_path, monkeypatch) -> None:
    """Above 1,000 servers `/` still filters what the table shows, on every column (an IP, a
    flavor), locally: no name filter goes to Nova, so a row it would not match is not lost."""
    from tuicloud.simcloud import SimConfig, run_simcloud

    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=1500, build_delay=0.1), clouds_yaml=clouds) as sim:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        app = make_app()
        async with app.run_test(size=(160, 40)) as pilot:
            grid = await loaded(pilot, app, minimum=1001)
            total = grid.row_count
            rows = {i: grid.get_row(i) or {} for i in grid.visible_ids()}

            def cell(ident: str, key: str) -> str:
                value = rows[ident].get(key)
                return str(getattr(value, "plain", value) or "")

            target = next(i for i in reversed(grid.visible_ids()) if cell(i, "addresses"))
            address = cell(target, "addresses").split(",")[0].split("=")[-1].strip()
            seen = len(sim.cloud.request_log)
            await pilot.press("slash", *address, "enter")
            await wait_until(pilot, lambda: target in grid.visible_ids(), what="the IP's row")
            assert app.screen.focused is grid  # enter hands the keys back to the table
            assert all(address in cell(i, "addresses") for i in grid.visible_ids())
            flavor = cell(target, "flavor")
            expected = {i for i in rows if flavor.casefold() in " ".join(
                cell(i, c.key) for c in grid.columns).casefold()}
            await pilot.press("slash", "ctrl+u", *flavor, "enter")
            await wait_until(pilot, lambda: set(grid.visible_ids()) == expected,
                             what="every row of that flavor")
            await shown(pilot, app, f"{len(expected):,}/{total:,}")  # one form of the count
            assert not any("name=" in r.query for r in list(sim.cloud.request_log)[seen:])
            await pilot.press("slash", "ctrl+u", "enter")
            await wait_until(pilot, lambda: len(grid.visible_ids()) == total, what="all again")


async def test_keys_typed_ahead_reach_the_command_and_filter_bars(sim: RunningSim) -> None:
    """`:vol⏎` or `/web⏎` arriving in one burst (typed fast, pasted, one SSH packet) reach
    the table before `:` or `/` has focused its bar: none of the keys after it may be lost."""
    from textual import events

    def burst(text: str) -> None:
        names = {":": "colon", "/": "slash", "\r": "enter"}
        for char in text:
            app.post_message(events.Key(names.get(char, char), char))

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        burst(":vol\r")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "volumes", what=":vol")
        burst(":srv\r")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "servers", what=":srv")
        burst("/web\r")
        # The filter text arrives key by key; the final enter hands focus back to the table.
        await wait_until(pilot, lambda: table(app).filter_text == "web" and table(app).has_focus,
                         what="/web then enter")


async def test_g_and_G_move_the_cursor_and_sort_letters_stay_put(sim: RunningSim) -> None:
    """`G` is the last row and `g` the first (as the README says), never a sort; a column's
    sort letter is the same with or without the project column (`0`)."""
    app = make_app(cloud="simcloud-admin", all_projects=True)
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        before = grid.sort_column, grid.sort_reverse
        await pilot.press("G")
        await wait_until(pilot, lambda: grid.cursor_index == grid.visible_count - 1,
                         what="cursor on the last row")
        assert (grid.sort_column, grid.sort_reverse) == before
        await pilot.press("g")
        await wait_until(pilot, lambda: grid.cursor_index == 0, what="cursor on the first row")
        await pilot.press("P")
        await wait_until(pilot, lambda: grid.sort_column == "power", what="sorted by power")
        await pilot.press("R")
        await wait_until(pilot, lambda: grid.sort_column == "project", what="R is project")
        await pilot.press("0")  # the admin's own project: no project column
        await wait_until(pilot, lambda: "project" not in [c.key for c in table(app).columns],
                         what="no project column")
        await loaded(pilot, app, minimum=0)
        await pilot.press("N")
        await wait_until(pilot, lambda: table(app).sort_column == "name", what="by name")
        await pilot.press("P")
        await wait_until(pilot, lambda: table(app).sort_column == "power", what="P: power")
