"""Issue 15, object storage views: :containers (:co) with counts, bytes and public/private
from the read ACL; enter opens a container's objects as a file manager (folders from the "/"
delimiter, enter goes in, backspace goes up, the path in the header); listings paged by marker;
an object's detail read with HEAD (never a download); hostile names shown inert."""

from __future__ import annotations

from typing import Any

import openstack
import pytest
import requests

from tests.helpers.app import list_screen, loaded, make_app, screen_text, shown, wait_until
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds.containers import CONTAINERS, access_of
from tuicloud.cloud.kinds.objects import objects_in
from tuicloud.cloud.kinds.registry import kind_for
from tuicloud.cloud.lookups import Lookups
from tuicloud.screens.detail import DetailScreen
from tuicloud.simcloud import RunningSim


def _fill(sim: RunningSim) -> openstack.connection.Connection:
    conn = openstack.connect(cloud="simcloud")
    store = conn.object_store
    store.create_container("photos")
    for name in ("2024/a.jpg", "2024/b.jpg", "2024/raw/c.raw", "readme.txt", "z.bin"):
        store.create_object("photos", name, data=name.encode() * 3)
    store.create_container("public-site")
    url = str(store.get_endpoint()).rstrip("/") + "/public-site"
    requests.post(url, headers={"X-Auth-Token": conn.session.get_token(),
                                "X-Container-Read": ".r:*,.rlistings"}, timeout=10)
    return conn


def test_public_or_private_from_the_read_acl() -> None:
    assert access_of(".r:*,.rlistings") == "public"
    assert access_of(".r:*") == "public"
    assert access_of("") == "private" and access_of(None) == "private"
    assert access_of("demo:demo") == "private"
    assert kind_for("co") is CONTAINERS and kind_for(":containers") is CONTAINERS


def test_listing_pages_by_marker_with_folders(sim: RunningSim) -> None:
    conn = _fill(sim)
    store = conn.object_store
    store.create_container("many")
    for index in range(1203):
        store.create_object("many", f"o{index:05d}", data=b"")
    with CloudSession.connect("simcloud") as session:
        pages = list(session.iter_pages("object-store", "/many", "",
                                        [("format", "json")], page_size=1000,
                                        first_page_size=50))
        assert [len(p.items) for p in pages] == [50, 1000, 153]
        assert pages[-1].items[-1]["name"] == "o01202"
        kind = objects_in("photos", "")
        top = [i["name"] for p in session.iter_pages("object-store", kind.list_path, "",
                                                     kind.list_params) for i in p.items]
        assert top == ["2024/", "readme.txt", "z.bin"]
        inner = objects_in("photos", "2024/")
        assert inner.opens is not None and inner.opens("2024/raw/") is not None
        assert inner.opens("2024/a.jpg") is None
        row = inner.to_row({"name": "2024/raw/", "subdir": "2024/raw/"}, Lookups())
        assert (row["name"], row["type"]) == ("raw/", "folder")


async def test_containers_view_and_a_walk_through_folders(sim: RunningSim) -> None:
    _fill(sim)
    app = make_app(view="containers")
    async with app.run_test(size=(140, 36)) as pilot:
        grid = await loaded(pilot, app, minimum=2)
        photos = grid.get_row("photos") or {}
        assert (photos["count"], photos["bytes"]) == (5, "147 B")
        assert str(getattr(photos["access"], "plain", photos["access"])) == "private"
        site = grid.get_row("public-site") or {}
        assert str(getattr(site["access"], "plain", site["access"])) == "public"
        grid.cursor_id = "photos"
        await pilot.press("enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "objects"
                         and list_screen(app).table.row_count == 3, what="objects")
        await shown(pilot, app, "Objects photos/")
        objects = list_screen(app).table
        assert objects.visible_ids()[0] == "2024/"  # folders first
        assert (objects.get_row("readme.txt") or {})["size"] == "30 B"
        objects.cursor_id = "2024/"
        await pilot.press("enter")
        await wait_until(pilot, lambda: list_screen(app).kind.title == "Objects photos/2024/"
                         and list_screen(app).table.row_count == 3, what="folder")
        inner = list_screen(app).table
        assert sorted(str((inner.get_row(i) or {})["name"]) for i in inner.visible_ids()) == [
            "a.jpg", "b.jpg", "raw/"]
        inner.cursor_id = "2024/a.jpg"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="object detail")
        await shown(pilot, app, "image/jpeg", "Etag")
        before = len(sim.cloud.request_log)
        assert not any(r.method == "GET" and r.path.endswith("/a.jpg")
                       for r in list(sim.cloud.request_log))  # HEAD, never a download
        await pilot.press("escape")
        await wait_until(pilot, lambda: list_screen(app).kind.title == "Objects photos/2024/",
                         what="back in the folder")
        await pilot.press("backspace")
        await wait_until(pilot, lambda: list_screen(app).kind.title == "Objects photos/",
                         what="up one folder")
        await pilot.press("backspace")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "containers",
                         what="back to the containers")
        await pilot.press("backspace")  # nowhere further up: nothing happens
        assert list_screen(app).kind.name == "containers"
        assert len(sim.cloud.request_log) >= before


async def test_hostile_container_and_object_names_are_inert(sim: RunningSim) -> None:
    conn = openstack.connect(cloud="simcloud")
    store = conn.object_store
    evil = "\x1b]0;owned\x07[bold]x[red]"
    store.create_container(evil)
    store.create_object(evil, "\x1b[2Jdir/\u202efile", data=b"x")
    app = make_app(view="containers")
    async with app.run_test(size=(120, 30)) as pilot:
        grid = await loaded(pilot, app)
        grid.cursor_id = evil
        await pilot.press("enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "objects"
                         and list_screen(app).table.row_count == 1, what="objects")
        text = await shown(pilot, app, "␛]0;owned␇[bold]x[red]")
        assert "\x1b" not in text


@pytest.mark.parametrize("raw", [{"name": "a", "count": "x", "bytes": None},
                                 {"name": None}, {}])
def test_odd_listing_entries_make_rows(raw: dict[str, Any]) -> None:
    CONTAINERS.row(raw, Lookups())
    objects_in("c", "").row(raw, Lookups())


async def test_the_header_has_the_account_totals_and_the_detail_every_key(
        sim: RunningSim) -> None:
    conn = _fill(sim)
    url = str(conn.object_store.get_endpoint()).rstrip("/") + "/photos"
    requests.post(url, timeout=10, headers={
        "X-Auth-Token": conn.session.get_token(), "X-Container-Meta-Quota-Bytes": "5000000",
        "X-Container-Write": "demo:demo", "X-Versions-Enabled": "true"})
    app = make_app(view="containers")
    async with app.run_test(size=(160, 36)) as pilot:
        await loaded(pilot, app, minimum=4)
        # demo's three seeded containers and the two made here: 5 containers, 7 + 5 objects
        await wait_until(pilot, lambda: "5 containers · 12 objects" in screen_text(app),
                         what="the account's totals in the header")
        app.push_screen(DetailScreen(list_screen(app).kind, "photos"))
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="container detail")
        await shown(pilot, app, "Quota (bytes)", "5.0 MB (5000000)", "Write ACL", "demo:demo",
                    "Versioning", "Storage policy", "quota-bytes")
