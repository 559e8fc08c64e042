"""Issue 15, object bytes in the cloud layer: an upload streamed from disk that never
overwrites without being asked, a download to FILE.part checked against the etag then renamed,
and --read-only refusing the upload before sending."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.helpers.ops import writes
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import ReadOnlyError
from tuicloud.cloud.object_transfer import (
    ObjectExists,
    download_object,
    object_create_command,
    upload_object,
)
from tuicloud.simcloud import RunningSim


def test_upload_then_download_round_trip(sim: RunningSim, tmp_path: Path) -> None:
    source = tmp_path / "blob.bin"
    data = os.urandom(3 << 20) + b"tail"
    source.write_bytes(data)
    name = "dir/ünï \x1b[2J.bin"
    with CloudSession.connect("simcloud") as session:
        etag = upload_object(session, "backups", name, source)
        assert etag == hashlib.md5(data).hexdigest()
        with pytest.raises(ObjectExists):
            upload_object(session, "backups", name, source)
        source.write_bytes(b"new")
        assert upload_object(session, "backups", name, source, overwrite=True) == \
            hashlib.md5(b"new").hexdigest()
        dest = tmp_path / "out.bin"
        assert download_object(session, "backups", name, dest) is True
        assert dest.read_bytes() == b"new" and not (tmp_path / "out.bin.part").exists()
        with pytest.raises(FileExistsError):
            download_object(session, "backups", name, dest)
    assert object_create_command("c", "o", "/tmp/f") == [
        "openstack", "object", "create", "--name", "o", "c", "/tmp/f"]


def test_read_only_refuses_an_upload(sim: RunningSim, tmp_path: Path) -> None:
    source = tmp_path / "f"
    source.write_bytes(b"x")
    start = len(sim.cloud.request_log)
    with CloudSession.connect("simcloud", read_only=True) as session:
        with pytest.raises(ReadOnlyError):
            upload_object(session, "backups", "f", source)
        download_object(session, "backups", "README.txt", tmp_path / "readme")  # reads work
    assert writes(sim, start) == []
