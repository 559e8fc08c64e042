"""Issue 15, object actions in the objects view: download an object or a pseudo-folder (with
progress, cancel keeping FILE.part, resume by range, no silent overwrite), upload a file or a
folder (no silent overwrite of an object), checked on simcloud."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import openstack
import pytest
import requests
from textual.widgets import Input

from tests.helpers.app import list_screen, loaded, make_app, notes, screen_text, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import open_menu, writes
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError, ReadOnlyError
from tuicloud.cloud.kinds.objects import objects_in
from tuicloud.cloud.object_actions import ObjectCopy, copy_object, parse_meta, set_object_metadata
from tuicloud.cloud.object_transfer import (
    download_object,
    plan_download,
    plan_upload,
    upload_many,
    upload_object,
)
from tuicloud.cloud.temp_url import (
    make_temp_url,
    parse_expiry,
    set_temp_url_key,
    temp_url_setup,
)
from tuicloud.cloud.transfer import Progress, TransferCancelled
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.base import AskScreen
from tuicloud.screens.forms.object_edit import CopyObjectForm, EditObjectForm
from tuicloud.screens.forms.object_tempurl import TempUrlForm
from tuicloud.screens.forms.object_transfer import DownloadObjectForm, UploadObjectForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def _store(data: dict[str, bytes], container: str = "files") -> None:
    conn = openstack.connect(cloud="simcloud")
    conn.object_store.create_container(container)
    for name, body in data.items():
        conn.object_store.create_object(container, name, data=body)


def _account(sim: RunningSim) -> Any:
    demo = sim.cloud.service("identity").project_by_name("demo")
    return sim.cloud.service("object-store").accounts[f"AUTH_{demo.id}"]


async def _objects_view(pilot: Any, app: Any, container: str, prefix: str = "",
                        minimum: int = 1) -> ResourceListScreen:
    await loaded(pilot, app)
    screen = ResourceListScreen(objects_in(container, prefix))
    app.push_screen(screen)
    await wait_until(pilot, lambda: app.screen is screen and bool(screen.query("ResourceTable"))
                     and screen.table.row_count >= minimum, what="objects")
    return screen


async def _cursor_to(pilot: Any, screen: ResourceListScreen, ident: str) -> None:
    await wait_until(pilot, lambda: ident in screen.table.visible_ids(), what=ident)
    screen.table.cursor_id = ident
    await wait_until(pilot, lambda: screen.table.cursor_id == ident, what=f"cursor on {ident}")


# -- cloud layer ------------------------------------------------------------------------------
def test_a_cancelled_download_keeps_the_part_and_resumes_by_range(sim: RunningSim,
                                                                   tmp_path: Path) -> None:
    data = os.urandom(5 << 20)
    _store({"big.bin": data})
    dest = tmp_path / "big.bin"
    cancel = threading.Event()

    def stop_after_a_bit(progress: Progress) -> None:
        if progress.done >= 2 << 20:
            cancel.set()

    with CloudSession.connect("simcloud") as session:
        with pytest.raises(TransferCancelled):
            download_object(session, "files", "big.bin", dest, on_progress=stop_after_a_bit,
                            cancel=cancel)
        part = tmp_path / "big.bin.part"
        kept = part.stat().st_size
        assert not dest.exists() and 0 < kept < len(data)
        start = len(sim.cloud.request_log)
        seen: list[Progress] = []
        assert download_object(session, "files", "big.bin", dest, on_progress=seen.append)
        assert dest.read_bytes() == data and not part.exists()
        gets = [r for r in list(sim.cloud.request_log)[start:] if r.method == "GET"]
        assert [r.status for r in gets] == [206]
        assert gets[0].bytes_out < len(data) - kept + 4096  # only the rest came
        assert seen[-1].skipped == kept and seen[-1].done == len(data)

        # A part left by another version: the md5 check fails, the part goes.
        part.write_bytes(b"x" * 1000)
        dest.unlink()
        with pytest.raises(CloudError, match="checksum mismatch"):
            download_object(session, "files", "big.bin", dest)
        assert not part.exists() and not dest.exists()


def test_plans_refuse_names_outside_the_folder_and_missing_paths(sim: RunningSim,
                                                                 tmp_path: Path) -> None:
    _store({"d/a": b"1", "d/sub/b": b"22", "d/": b""})
    evil = tmp_path / "evil"
    evil.write_bytes(b"x")
    with CloudSession.connect("simcloud") as session:
        # Sent quoted, so no HTTP library folds the dots away: Swift keeps the name as is.
        upload_object(session, "files", "d/../../evil", evil)
        assert [p.name for p in plan_download(session, "files", "d/sub/", tmp_path / "o")] \
            == ["d/sub/b"]
        with pytest.raises(CloudError, match="outside"):
            plan_download(session, "files", "d/", tmp_path / "out")
        with pytest.raises(CloudError, match="no objects"):
            plan_download(session, "files", "nothing/", tmp_path / "out")
    with pytest.raises(FileNotFoundError):
        plan_upload(tmp_path / "missing", "x")
    (tmp_path / "up" / "sub").mkdir(parents=True)
    (tmp_path / "up" / "one").write_bytes(b"1")
    (tmp_path / "up" / "sub" / "two").write_bytes(b"22")
    os.symlink("/etc/passwd", tmp_path / "up" / "link")
    assert [(p.name, p.size) for p in plan_upload(tmp_path / "up", "pre/up")] == [
        ("pre/up/one", 1), ("pre/up/sub/two", 2)]


def test_read_only_refuses_a_folder_upload_before_sending(sim: RunningSim,
                                                          tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    start = len(sim.cloud.request_log)
    with CloudSession.connect("simcloud", read_only=True) as session:
        with pytest.raises(ReadOnlyError):
            upload_many(session, "backups", plan_upload(tmp_path, "dir"))
    assert writes(sim, start) == []


# -- download from the objects view -----------------------------------------------------------
async def test_download_an_object_asking_before_overwriting(sim: RunningSim,
                                                            tmp_path: Path) -> None:
    _store({"notes.txt": b"hello", "other": b"o"})
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _objects_view(pilot, app, "files", minimum=2)
        await _cursor_to(pilot, screen, "notes.txt")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DownloadObjectForm),
                         what="download form")
        dl = form(app)
        assert str(dl.values()["path"]) == str(Path.cwd() / "notes.txt")
        # Bad input: a missing folder, a directory where a file goes, an unwritable place.
        set_field(dl, "path", str(tmp_path / "nope" / "x.txt"))
        await settle(pilot)
        assert "no such directory" in field_error(dl, "path")
        set_field(dl, "path", str(tmp_path))
        await settle(pilot)
        assert "directory" in field_error(dl, "path")
        set_field(dl, "path", "/proc/notes.txt")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "cannot write" in field_error(dl, "path"),
                         what="unwritable refused")
        target = tmp_path / "notes.txt"
        target.write_bytes(b"mine")
        set_field(dl, "path", str(target))
        await settle(pilot)
        assert f"openstack object save --file {target} files notes.txt" in \
            str(dl.command_text(dl.values()))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, AskScreen), what="overwrite?")
        await pilot.press("n")
        await wait_until(pilot, lambda: "Not downloaded" in str(
            dl.query_one("#form-message").render()), what="refused")
        assert target.read_bytes() == b"mine"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, AskScreen), what="overwrite?")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is screen, what="form closed")
        assert target.read_bytes() == b"hello"
        assert any("checked against the etag" in n for n in notes(app))


async def test_download_a_folder_keeps_relative_paths(sim: RunningSim, tmp_path: Path) -> None:
    _store({"logs/a.log": b"a" * 10, "logs/2026/b.log": b"b" * 20, "top.txt": b"t"})
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _objects_view(pilot, app, "files", minimum=2)
        await _cursor_to(pilot, screen, "logs/")
        await pilot.press("a")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ObjectMenu", what="menu")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DownloadObjectForm),
                         what="download form")
        dl = form(app)
        set_field(dl, "path", str(tmp_path / "got"))
        await settle(pilot)
        assert "swift download --prefix logs/ --remove-prefix" in str(
            dl.command_text(dl.values()))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="form closed")
    assert (tmp_path / "got" / "a.log").read_bytes() == b"a" * 10
    assert (tmp_path / "got" / "2026" / "b.log").read_bytes() == b"b" * 20
    assert not (tmp_path / "got" / "top.txt").exists()


async def test_escape_cancels_a_download_and_keeps_the_part(sim: RunningSim,
                                                            tmp_path: Path) -> None:
    data = os.urandom(8 << 20)
    _store({"big.bin": data})
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _objects_view(pilot, app, "files")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DownloadObjectForm),
                         what="download form")
        dl = form(app)
        set_field(dl, "path", str(tmp_path / "big.bin"))
        await settle(pilot)
        # Slow the progress down so escape lands mid-transfer (eight 1 MiB chunks).
        gate = threading.Event()
        original = dl.reporter

        def slow_reporter() -> Any:
            inner = original()

            def report(progress: Progress) -> None:
                inner(progress)
                gate.set()
                threading.Event().wait(0.05)

            return report

        dl.reporter = slow_reporter  # type: ignore[method-assign]
        await pilot.press("ctrl+s")
        await wait_until(pilot, gate.is_set, what="bytes moving")
        await pilot.press("escape")
        await wait_until(pilot, lambda: "kept to resume" in str(
            dl.query_one("#form-message").render()), what="cancelled")
        assert not (tmp_path / "big.bin").exists()
        assert (tmp_path / "big.bin.part").exists()
        assert app.screen is dl and screen is not None


# -- upload from the objects view -------------------------------------------------------------
async def test_upload_a_file_then_a_folder_asking_before_overwriting(sim: RunningSim,
                                                                     tmp_path: Path) -> None:
    _store({"docs/keep.txt": b"old"})
    source = tmp_path / "report.pdf"
    source.write_bytes(os.urandom(3 << 20))
    tree = tmp_path / "site"
    (tree / "css").mkdir(parents=True)
    (tree / "index.html").write_bytes(b"<p>")
    (tree / "css" / "a.css").write_bytes(b"p{}")
    (tree / "keep.txt").write_bytes(b"new")
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _objects_view(pilot, app, "files", "docs/")
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, UploadObjectForm),
                         what="upload form")
        up = form(app)
        # Bad input: nothing there, then a path that does not exist.
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "required" in field_error(up, "source"), what="empty")
        set_field(up, "source", str(tmp_path / "missing.bin"))
        await settle(pilot)
        assert "no such file" in field_error(up, "source")
        assert writes(sim, start) == []
        set_field(up, "source", str(source))
        await settle(pilot)
        assert up.values()["name"] == "docs/report.pdf"
        assert f"openstack object create --name docs/report.pdf files {source}" == \
            up.command_text(up.values())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="uploaded")
        await wait_until(pilot, lambda: "docs/report.pdf" in screen.table.visible_ids(),
                         what="new row")
        conn = openstack.connect(cloud="simcloud")
        assert conn.object_store.get_object_metadata("docs/report.pdf", "files").etag == \
            hashlib.md5(source.read_bytes()).hexdigest()

        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, UploadObjectForm),
                         what="upload form")
        up = form(app)
        set_field(up, "source", str(tree))
        await settle(pilot)
        assert up.values()["name"] == "docs/site"
        set_field(up, "name", "docs/")
        await settle(pilot)
        assert "swift upload --object-name docs files" in str(up.command_text(up.values()))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, AskScreen), what="overwrite?")
        assert "docs/keep.txt" in str(app.screen.question)
        await pilot.press("n")
        await wait_until(pilot, lambda: "Not overwritten" in str(
            up.query_one("#form-message").render()), what="kept")
        assert conn.object_store.download_object("docs/keep.txt", "files") == b"old"
        assert conn.object_store.download_object("docs/css/a.css", "files") == b"p{}"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, AskScreen), what="overwrite?")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is screen, what="uploaded")
        assert conn.object_store.download_object("docs/keep.txt", "files") == b"new"


# -- metadata, copy and move, public and private ----------------------------------------------
def test_metadata_lines_as_swift_takes_them() -> None:
    assert parse_meta("Color: red\nsize=XL\n\n") == ({"Color": "red", "size": "XL"}, None)
    assert "key: value" in str(parse_meta("nothing here")[1])
    assert "letters" in str(parse_meta("bad key: x")[1])
    assert "twice" in str(parse_meta("a: 1\nA: 2")[1])
    assert "256" in str(parse_meta("a: " + "x" * 300)[1])
    assert "control" in str(parse_meta("a: \x1b[2J")[1])


async def test_edit_metadata_and_content_type(sim: RunningSim) -> None:
    _store({"data.bin": b"123"})
    conn = openstack.connect(cloud="simcloud")
    conn.object_store.set_object_metadata("data.bin", "files", color="red", shape="round")
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _objects_view(pilot, app, "files")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EditObjectForm), what="form")
        edit = form(app)
        await wait_until(pilot, lambda: edit.values()["content_type"] != "", what="loaded")
        assert edit.values()["meta"] == "color: red\nshape: round\n"
        edit.rows()["meta"].widget.text = "color: blue\nbad line"  # type: ignore[attr-defined]
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "key: value" in field_error(edit, "meta"),
                         what="refused")
        assert writes(sim, start) == []
        edit.rows()["meta"].widget.text = "color: blue\nowner: ops"  # type: ignore[attr-defined]
        await settle(pilot)
        assert edit.command_text(edit.values()) == (
            "openstack object set --property color=blue --property owner=ops files data.bin")
        set_field(edit, "content_type", "text/csv")
        await settle(pilot)
        assert edit.command_text(edit.values()) == (
            "swift post --header Content-Type:text/csv --meta color:blue --meta owner:ops "
            "files data.bin")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="saved")
    head = conn.object_store.get_object_metadata("data.bin", "files")
    assert head.metadata == {"color": "blue", "owner": "ops"}  # shape is gone: POST replaces
    assert head.content_type == "text/csv"


async def test_copy_then_move_never_over_an_existing_object(sim: RunningSim) -> None:
    _store({"a.txt": b"A", "b.txt": b"B"})
    _store({}, container="other")
    conn = openstack.connect(cloud="simcloud")
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _objects_view(pilot, app, "files", minimum=2)
        await _cursor_to(pilot, screen, "a.txt")
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, CopyObjectForm), what="form")
        copy = form(app)
        await pilot.press("ctrl+s")  # the defaults name the object itself
        await wait_until(pilot, lambda: "itself" in field_error(copy, "name"), what="refused")
        set_field(copy, "name", "b.txt")
        await settle(pilot)
        assert copy.command_text(copy.values()) == \
            "swift copy --destination /files/b.txt files a.txt"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, AskScreen), what="overwrite?")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is copy, what="back")
        assert conn.object_store.download_object("b.txt", "files") == b"B"
        set_field(copy, "container", "other")
        set_field(copy, "name", "moved.txt")
        set_field(copy, "mode", "move")
        await settle(pilot)
        assert copy.command_text(copy.values()) == (
            "swift copy --destination /other/moved.txt files a.txt"
            " && openstack object delete files a.txt")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="moved")
        await wait_until(pilot, lambda: "a.txt" not in screen.table.visible_ids(),
                         what="source gone from the list")
    assert conn.object_store.download_object("moved.txt", "other") == b"A"
    # As the rig's copy middleware: If-None-Match goes to the source's GET, so 304, no copy.
    url = conn.object_store.get_endpoint().rstrip("/")
    answer = requests.put(f"{url}/files/b.txt", timeout=10, headers={
        "X-Auth-Token": conn.session.get_token(), "X-Copy-From": "/other/moved.txt",
        "If-None-Match": "*", "Content-Length": "0"})
    assert answer.status_code == 304
    assert conn.object_store.download_object("b.txt", "files") == b"B"
    with CloudSession.connect("simcloud", read_only=True) as session:
        start = len(sim.cloud.request_log)
        with pytest.raises(ReadOnlyError):
            copy_object(session, ObjectCopy("other", "moved.txt", "files", "x"))
        with pytest.raises(ReadOnlyError):
            set_object_metadata(session, "other", "moved.txt", {})
        assert writes(sim, start) == []


async def test_make_a_container_public_then_private(sim: RunningSim) -> None:
    _store({"index.html": b"<p>"}, container="site")
    url = openstack.connect(cloud="simcloud").object_store.get_endpoint().rstrip("/")
    assert requests.get(f"{url}/site/index.html", timeout=10).status_code == 401
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot, app)
        await _cursor_to(pilot, list_screen(app), "site")
        menu = await open_menu(pilot, app)
        await wait_until(pilot, lambda: "swift post" in screen_text(app), what="menu")
        menu.query_one("#actions-filter", Input).value = "public"
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert any("swift post --read-acl '.r:*,.rlistings' site" in line
                   for line in str(app.screen.command).splitlines())  # type: ignore[attr-defined]
        await pilot.press("y")
        await wait_until(pilot, lambda: requests.get(f"{url}/site/index.html", timeout=10)
                         .status_code == 200, what="public")
        await wait_until(pilot, lambda: list_screen(app).table.cell_text("site", "access")
                         == "public", what="row says public")
        await open_menu(pilot, app)
        app.screen.query_one("#actions-filter", Input).value = "private"
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: requests.get(f"{url}/site/index.html", timeout=10)
                         .status_code == 401, what="private again")
        assert screen is not None


# -- temporary URLs -----------------------------------------------------------------------------
async def test_temp_url_sets_a_key_after_asking_and_copies_a_working_url(
        sim: RunningSim, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="tuicloud")  # the app's own log, all of it
    body = os.urandom(2000)
    _store({"share/report.pdf": body})
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _objects_view(pilot, app, "files", "share/")
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TempUrlForm), what="form")
        share = form(app)
        set_field(share, "expiry", "7d")
        await settle(pilot)
        command = str(share.command_text(share.values()))
        assert command.startswith("swift tempurl --digest sha256 GET 604800 /v1/AUTH_")
        assert command.endswith('/files/share/report.pdf "$TEMP_URL_KEY"')
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, AskScreen), what="set a key?")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is screen, what="copied")
        url = app.clipboard
        assert "temp_url_sig=" in url and "X-Auth-Token" not in url
        assert any("Copied a temporary URL" in n for n in notes(app))
        assert not any("temp_url_sig" in n for n in notes(app))
    key = _account(sim).meta["temp-url-key"]
    sig = url.split("temp_url_sig=")[1].split("&")[0]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("tuicloud"))
    assert "set the account's temporary URL key" in logged
    assert sig not in logged and key not in logged
    answer = requests.get(url, timeout=10)  # no token
    assert answer.status_code == 200 and answer.content == body
    assert requests.head(url, timeout=10).status_code == 200
    assert requests.get(url.replace(sig, "0" * 64), timeout=10).status_code == 401
    assert requests.get(url.replace("report.pdf", "other.pdf"), timeout=10).status_code == 401


def test_temp_urls_expire_and_read_only_sets_no_key(sim: RunningSim) -> None:
    _store({"o": b"data"})
    with CloudSession.connect("simcloud", read_only=True) as session:
        setup = temp_url_setup(session)
        assert setup.key is None and setup.digest == "sha256"
        assert "s3cret" not in repr(dataclasses.replace(setup, key="s3cret"))
        start = len(sim.cloud.request_log)
        with pytest.raises(ReadOnlyError):
            set_temp_url_key(session)
        assert writes(sim, start) == []
    with CloudSession.connect("simcloud") as session:
        key = set_temp_url_key(session)
        setup = temp_url_setup(session)
        assert setup.key == key
    expired = make_temp_url(setup, "files", "o", 60, now=time.time() - 3600)
    assert requests.get(expired, timeout=10).status_code == 401
    sha1 = make_temp_url(dataclasses.replace(setup, digest="sha1"), "files", "o", 60)
    assert len(sha1.split("temp_url_sig=")[1].split("&")[0]) == 40
    assert requests.get(sha1, timeout=10).content == b"data"
    with CloudSession.connect("simcloud", read_only=True) as session:
        # With a key there, read-only sessions sign as well: signing changes nothing.
        url = make_temp_url(temp_url_setup(session), "files", "o", 60)
    assert requests.get(url, timeout=10).status_code == 200
    assert parse_expiry("1h") == 3600 and parse_expiry("7d") == 604800
    assert parse_expiry("0") is None and parse_expiry("soon") is None
