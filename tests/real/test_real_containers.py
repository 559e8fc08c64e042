"""Object storage against the rig's Swift 2.38.3: the containers view with the counts the
account reports (they lag up to ~10 s behind: the container-updater), public/private from
the read ACL, a container's objects as folders, backspace up, and an object's detail by HEAD
(a listing longer than the rig's page of 1,000: test_real_large_objects.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openstack.connection import Connection

from tests.helpers.app import list_screen, loaded, make_app, screen_text, shown, wait_until
from tests.helpers.forms import form, set_field, settle
from tests.real import rig
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.forms.create_container import CreateContainerForm


def delete_containers(conn: Connection, prefix: str) -> None:
    """Every container named with ``prefix``, its objects first (Swift refuses otherwise)."""
    store = conn.object_store
    for container in list(store.containers(prefix=prefix)):
        for obj in list(store.objects(container.name)):
            try:
                store.delete_object(obj.name, container=container.name)
            except Exception:  # noqa: BLE001 - a 404 is done already
                rig.log.info("object %s already gone", obj.name)
        store.delete_container(container.name)


@pytest.fixture
def containers(prefix: str, demo_sdk: Connection) -> Iterator[str]:
    """A private container with folders and a public one, named with the test's prefix."""
    store = demo_sdk.object_store
    store.create_container(prefix + "files")
    for name in ("2024/a.jpg", "2024/b.jpg", "2024/raw/c.raw", "readme.txt"):
        store.create_object(prefix + "files", name, data=name.encode() * 2)
    store.create_container(prefix + "site")
    store.set_container_metadata(prefix + "site", read_ACL=".r:*,.rlistings")
    try:
        yield prefix
    finally:
        delete_containers(demo_sdk, prefix)


def _cell(row: Any, key: str) -> str:
    value = (row or {}).get(key)
    return str(getattr(value, "plain", value))


async def _refresh_until(pilot: Any, app: Any, check: Callable[[], bool], what: str) -> None:
    """Press `r` until ``check`` holds: the account's counts catch up within ~10 s."""
    async def settled() -> bool:
        await pilot.press("r")
        try:
            await wait_until(pilot, check, timeout=3, what=what)
        except AssertionError:
            return False
        return True
    for _ in range(int(rig.SLOW / 3) + 1):
        if await settled():
            return
    raise AssertionError(f"timed out waiting for {what}")


async def test_containers_and_a_walk_through_folders(containers: str) -> None:
    files, site = containers + "files", containers + "site"
    app = make_app(cloud="real-demo", view="containers")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await _refresh_until(pilot, app, lambda: _cell(grid.get_row(files), "count") == "4",
                             "the account's object count")
        assert _cell(grid.get_row(files), "access") == "private"
        assert _cell(grid.get_row(site), "access") == "public"
        grid.cursor_id = files
        await pilot.press("enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "objects"
                         and list_screen(app).table.row_count == 2, timeout=rig.SLOW,
                         what="the container's top level")
        objects = list_screen(app).table
        assert objects.visible_ids() == ["2024/", "readme.txt"]
        assert _cell(objects.get_row("readme.txt"), "size") == "20 B"
        objects.cursor_id = "2024/"
        await pilot.press("enter")
        await wait_until(pilot, lambda: list_screen(app).kind.title.endswith("/2024/")
                         and list_screen(app).table.row_count == 3, timeout=rig.SLOW,
                         what="the folder")
        inner = list_screen(app).table
        inner.cursor_id = "2024/a.jpg"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, timeout=rig.SLOW, what="detail")
        text = await shown(pilot, app, "image/jpeg", timeout=rig.SLOW)
        assert "x-trans-id" in text.lower()
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DetailScreen), what="back")
        await pilot.press("backspace")
        await wait_until(pilot, lambda: list_screen(app).kind.title == f"Objects {files}/",
                         what="up")
        await pilot.press("backspace")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "containers",
                         what="the containers")


async def test_create_public_and_delete_a_non_empty_container(containers: str,
                                                              demo_sdk: Connection) -> None:
    files, new = containers + "files", containers + "new"
    store = demo_sdk.object_store
    app = make_app(cloud="real-demo", view="containers")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateContainerForm),
                         what="form")
        screen = form(app)
        set_field(screen, "name", new)
        set_field(screen, "access", "public")
        await settle(pilot)
        await wait_until(pilot, lambda: f"openstack container create --public {new}"
                         in screen_text(app), what="the command")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: grid.get_row(new) is not None, timeout=rig.SLOW,
                         what="the new container's row")
        assert store.get_container_metadata(new).read_ACL == ".r:*,.rlistings"
        grid.cursor_id = files
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen),
                         timeout=rig.SLOW, what="confirm")
        await shown(pilot, app, f"{files} and its 4 objects (88 B)",
                    f"openstack container delete --recursive {files}", timeout=rig.SLOW)
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row(files) is None, timeout=rig.SLOW,
                         what="row gone")
    assert files not in {c.name for c in store.containers(prefix=containers)}
