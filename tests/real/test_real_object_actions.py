"""Object actions against the rig's Swift 2.38.3: upload and download round trips with the
etag checked (a cancelled download resumed by range), a folder both ways, metadata and content
type replaced by one POST, server-side copy and move never over an existing object, a container
made public and private, and a temporary URL fetched with plain HTTP and no token."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, wait_until
from tests.helpers.forms import form, set_field, settle
from tests.real import rig
from tests.real.test_real_containers import delete_containers
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.objects import objects_in
from tuicloud.cloud.object_actions import ObjectCopy, copy_object, set_object_metadata
from tuicloud.cloud.object_transfer import (
    ObjectExists,
    download_many,
    download_object,
    plan_download,
    plan_upload,
    upload_many,
    upload_object,
)
from tuicloud.cloud.operations.containers import make_private, make_public
from tuicloud.cloud.temp_url import make_temp_url, set_temp_url_key, temp_url_setup
from tuicloud.cloud.transfer import Progress, TransferCancelled
from tuicloud.screens.forms.object_transfer import DownloadObjectForm, UploadObjectForm
from tuicloud.screens.resource_list import ResourceListScreen


@pytest.fixture
def bucket(prefix: str, demo_sdk: Connection) -> Iterator[str]:
    """An empty private container named with the test's prefix (and a second one)."""
    demo_sdk.object_store.create_container(prefix + "objs")
    demo_sdk.object_store.create_container(prefix + "other")
    try:
        yield prefix + "objs"
    finally:
        delete_containers(demo_sdk, prefix)


def test_round_trip_with_etag_resume_and_folders(bucket: str, tmp_path: Path) -> None:
    data = os.urandom(6 << 20)
    source = tmp_path / "blob.bin"
    source.write_bytes(data)
    with CloudSession.connect("real-demo") as session:
        assert upload_object(session, bucket, "dir/blob.bin", source) == \
            hashlib.md5(data).hexdigest()
        with pytest.raises(ObjectExists):  # the rig's own 412 for If-None-Match: *
            upload_object(session, bucket, "dir/blob.bin", source)
        cancel = threading.Event()

        def stop(progress: Progress) -> None:
            if progress.done >= 2 << 20:
                cancel.set()

        dest = tmp_path / "got.bin"
        with pytest.raises(TransferCancelled):
            download_object(session, bucket, "dir/blob.bin", dest, on_progress=stop,
                            cancel=cancel)
        kept = (tmp_path / "got.bin.part").stat().st_size
        assert 0 < kept < len(data) and not dest.exists()
        seen: list[Progress] = []
        assert download_object(session, bucket, "dir/blob.bin", dest, on_progress=seen.append)
        assert dest.read_bytes() == data and seen[-1].skipped == kept  # only the rest came

        tree = tmp_path / "tree"
        (tree / "sub").mkdir(parents=True)
        (tree / "a.txt").write_bytes(b"a")
        (tree / "sub" / "b.txt").write_bytes(b"bb")
        outcome = upload_many(session, bucket, plan_upload(tree, "dir/tree"))
        assert sorted(outcome.sent) == ["dir/tree/a.txt", "dir/tree/sub/b.txt"]
        again = upload_many(session, bucket, plan_upload(tree, "dir/tree"))
        assert again.sent == [] and len(again.existing) == 2
        plan = plan_download(session, bucket, "dir/tree/", tmp_path / "out")
        assert download_many(session, bucket, plan) == 2
    assert (tmp_path / "out" / "sub" / "b.txt").read_bytes() == b"bb"


def test_metadata_copy_move_and_access(bucket: str, prefix: str, demo_sdk: Connection) -> None:
    store = demo_sdk.object_store
    other = prefix + "other"
    store.create_object(bucket, "doc.txt", data=b"doc")
    store.create_object(bucket, "taken.txt", data=b"taken")
    store.set_object_metadata("doc.txt", bucket, color="red", shape="round")
    with CloudSession.connect("real-demo") as session:
        set_object_metadata(session, bucket, "doc.txt", {"color": "blue", "owner": "ops"},
                            "text/csv")
        head = store.get_object_metadata("doc.txt", bucket)
        assert head.metadata == {"color": "blue", "owner": "ops"}  # POST replaced them all
        assert head.content_type == "text/csv"
        with pytest.raises(ObjectExists):
            copy_object(session, ObjectCopy(bucket, "doc.txt", bucket, "taken.txt"))
        assert store.download_object("taken.txt", bucket) == b"taken"
        copy_object(session, ObjectCopy(bucket, "doc.txt", bucket, "taken.txt"),
                    overwrite=True)
        assert store.download_object("taken.txt", bucket) == b"doc"
        copy_object(session, ObjectCopy(bucket, "doc.txt", other, "moved.txt", move=True))
        assert store.download_object("moved.txt", other) == b"doc"
        assert store.get_object_metadata("moved.txt", other).metadata["owner"] == "ops"
        with pytest.raises(CloudError) as gone:
            session.head("object-store", f"/{bucket}/doc.txt")
        assert gone.value.status == 404

        url = f"{session.endpoint('object-store')}/{other}/moved.txt"
        assert requests.get(url, timeout=10).status_code == 401
        make_public(session, {"name": other}, None)
        rig.wait_for(lambda: requests.get(url, timeout=10).status_code == 200, "public")
        make_private(session, {"name": other}, None)
        rig.wait_for(lambda: requests.get(url, timeout=10).status_code == 401, "private")


def test_temp_url_works_with_plain_http(bucket: str, demo_sdk: Connection) -> None:
    body = os.urandom(3000)
    demo_sdk.object_store.create_object(bucket, "share/report.pdf", data=body)
    with CloudSession.connect("real-demo") as session:
        setup = temp_url_setup(session)
        assert setup.digest == "sha256"
        key = setup.key or set_temp_url_key(session)
        try:
            url = make_temp_url(temp_url_setup(session), bucket, "share/report.pdf", 3600)
            assert url.startswith("http://127.0.0.1:8080/v1/AUTH_")
            answer = requests.get(url, timeout=10)  # no token
            assert answer.status_code == 200 and answer.content == body
            sig = url.split("temp_url_sig=")[1].split("&")[0]
            assert requests.get(url.replace(sig, "0" * 64), timeout=10).status_code == 401
            expired = make_temp_url(setup, bucket, "share/report.pdf", 60, key=key,
                                    now=time.time() - 3600)
            assert requests.get(expired, timeout=10).status_code == 401
        finally:
            session.send_raw("POST", "object-store", "",
                             headers={"X-Remove-Account-Meta-Temp-URL-Key": "x"})[2].close()


async def test_upload_and_download_from_the_objects_view(bucket: str, tmp_path: Path,
                                                         demo_sdk: Connection) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(b"written from the form\n" * 1000)
    app = make_app(cloud="real-demo", view="containers")
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app, timeout=rig.SLOW)
        screen = ResourceListScreen(objects_in(bucket, ""))
        app.push_screen(screen)
        await wait_until(pilot, lambda: app.screen is screen, what="objects view")
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, UploadObjectForm), what="form")
        up = form(app)
        set_field(up, "source", str(source))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "notes.txt" in screen.table.visible_ids(),
                         timeout=rig.SLOW, what="the new row")
        screen.table.cursor_id = "notes.txt"
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DownloadObjectForm),
                         what="form")
        down = form(app)
        set_field(down, "path", str(tmp_path / "back.txt"))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, timeout=rig.SLOW,
                         what="downloaded")
    assert (tmp_path / "back.txt").read_bytes() == source.read_bytes()
    assert demo_sdk.object_store.get_object_metadata("notes.txt", bucket).etag == \
        hashlib.md5(source.read_bytes()).hexdigest()
