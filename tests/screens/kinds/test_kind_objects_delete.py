"""Issue 15: ctrl+d on a container's objects deletes the marked ones (a large object with its
segments, a folder with what is under it) after a form that names how many and how big and
shows the command; what fails is named and enter tries it again; read-only refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openstack

from tests.helpers.app import list_screen, loaded, make_app, notes, wait_until
from tests.helpers.forms import form
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds.objects import objects_in
from tuicloud.cloud.large_objects import upload_large
from tuicloud.screens.forms.object_delete import DeleteObjectsForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim

MIB = 1 << 20


def _account(sim: RunningSim) -> Any:
    demo = sim.cloud.service("identity").project_by_name("demo")
    return sim.cloud.service("object-store").accounts[f"AUTH_{demo.id}"]


def _message(screen: Any) -> str:
    return str(screen.query_one("#form-message").render())


async def test_delete_marked_objects_with_a_failure_then_again(sim: RunningSim,
                                                               tmp_path: Path) -> None:
    conn = openstack.connect(cloud="simcloud")
    conn.object_store.create_container("files")
    for name in ("a.txt", "b.txt", "c.txt", "logs/1", "logs/2"):
        conn.object_store.create_object("files", name, data=name.encode() * 10)
    big = tmp_path / "big"
    big.write_bytes(b"b" * (2 * MIB + 1))
    with CloudSession.connect("simcloud") as session:
        upload_large(session, "files", "big.img", big, threshold=MIB)
    sim.cloud.faults.object_delete_failures.add("b.txt")
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app)
        screen = ResourceListScreen(objects_in("files", ""))
        app.push_screen(screen)
        await wait_until(pilot, lambda: app.screen is screen and bool(screen.query("ResourceTable"))
                         and screen.table.row_count == 5, what="objects")  # logs/ folded
        for name in ("b.txt", "big.img", "logs/"):
            screen.table.cursor_id = name
            await wait_until(pilot, lambda name=name: screen.table.cursor_id == name)
            await pilot.press("space")
        assert screen.table.marked == {"b.txt", "big.img", "logs/"}
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, DeleteObjectsForm),
                         what="delete form")
        delete = form(app)
        assert isinstance(delete, DeleteObjectsForm)
        described = delete.describe()
        assert described.startswith("2 objects (") and "every object under logs/" in described
        assert "1 large, with their segments" in described
        assert delete.command_text(delete.values()) == "swift delete --prefix logs/ files"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "failed: b.txt (503" in _message(delete),
                         what="the failure named")
        assert "3 deleted" in _message(delete)  # big.img, logs/1, logs/2
        objects = _account(sim).containers["files"].objects
        assert sorted(objects) == ["a.txt", "b.txt", "c.txt"]
        assert not _account(sim).containers["files_segments"].objects
        sim.cloud.faults.object_delete_failures.clear()
        await pilot.press("ctrl+s")  # only the failed one again
        await wait_until(pilot, lambda: app.screen is screen, what="form closed")
        assert sorted(objects) == ["a.txt", "c.txt"]
        assert any("Deleted 1 object from files" in n for n in notes(app))
        await wait_until(pilot, lambda: sorted(screen.table.visible_ids()) == ["a.txt", "c.txt"],
                         what="rows gone")
        assert not screen.table.marked


async def test_read_only_refuses_ctrl_d_on_objects(sim: RunningSim) -> None:
    conn = openstack.connect(cloud="simcloud")
    conn.object_store.create_container("kept")
    conn.object_store.create_object("kept", "x", data=b"x")
    app = make_app(view="containers", read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app)
        screen = ResourceListScreen(objects_in("kept", ""))
        app.push_screen(screen)
        await wait_until(pilot, lambda: app.screen is screen and bool(screen.query("ResourceTable"))
                         and screen.table.row_count == 1,
                         what="objects")
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: any("Read-only" in n for n in notes(app)),
                         what="refused")
        assert list_screen(app) is screen and "x" in _account(sim).containers["kept"].objects
