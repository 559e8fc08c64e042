"""Issue 15, large objects: a file above the threshold goes to Swift as a static large object,
its segments in <container>_segments named as the swift client names them, each retried, then
the manifest; progress runs across the segments; the download checks every segment's md5
against the manifest (a corrupted segment removes the part); the detail lists the segments;
an existing object is refused before any segment is sent; a cancelled upload leaves no
segments; --read-only refuses it before anything is sent."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.helpers.memory import PeakRss, generate
from tests.helpers.ops import writes
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.detail import fetch_raw
from tuicloud.cloud.errors import CloudError, ReadOnlyError
from tuicloud.cloud.kinds.objects import objects_in
from tuicloud.cloud.large_objects import segment_size_for, upload_large
from tuicloud.cloud.lookups import Lookups
from tuicloud.cloud.object_transfer import (
    ObjectExists,
    Planned,
    download_object,
    upload_command,
    upload_many,
)
from tuicloud.cloud.transfer import Progress, TransferCancelled
from tuicloud.simcloud import RunningSim

MIB = 1 << 20


def _account(sim: RunningSim) -> object:
    demo = sim.cloud.service("identity").project_by_name("demo")
    return sim.cloud.service("object-store").accounts[f"AUTH_{demo.id}"]


def _segments(sim: RunningSim) -> list[str]:
    container = _account(sim).containers.get("backups_segments")  # type: ignore[attr-defined]
    return list(container.names) if container is not None else []


def test_a_file_above_the_threshold_goes_in_segments_and_comes_back_checked(
        sim: RunningSim, tmp_path: Path) -> None:
    source = tmp_path / "disk.img"
    data = os.urandom(3 * MIB + 12345)
    source.write_bytes(data)
    seen: list[Progress] = []
    sim.cloud.faults.object_put_failures["/00000001"] = 1  # the second segment, once
    with CloudSession.connect("simcloud") as session:
        outcome = upload_many(session, "backups", [Planned("images/disk.img", source,
                                                           len(data))],
                              large_threshold=MIB,
                              on_progress=lambda p: seen.append(Progress(p.total, p.done)))
        assert outcome.sent == ["images/disk.img"]
        names = _segments(sim)
        mtime = f"{source.stat().st_mtime:f}"
        assert names == [f"images/disk.img/slo/{mtime}/{len(data)}/{MIB}/{i:08d}"
                         for i in range(4)]
        segment_puts = [r for r in list(sim.cloud.request_log)
                        if r.method == "PUT" and unquote(r.path).endswith("/00000001")]
        assert len(segment_puts) == 2  # the 503, then the retry
        assert seen[-1].done == seen[-1].total == len(data)
        assert all(p.total == len(data) for p in seen)
        head, _info = session.head("object-store", "/backups/images/disk.img")
        assert head["x-static-large-object"].lower() == "true"
        listed, _info = session.get_json("object-store", "/backups",
                                         [("format", "json"), ("prefix", "images/")])
        [entry] = listed
        assert entry["bytes"] == len(data) and entry.get("slo_etag")
        row = objects_in("backups", "images/").to_row(entry, Lookups())
        assert str(row["type"]).startswith("SLO · ") and row["size"] == "3.2 MB"  # the total
        raw = fetch_raw(session, objects_in("backups", ""), "images/disk.img")
        assert [s["bytes"] for s in raw["segments"]] == [MIB, MIB, MIB, 12345]
        assert raw["segments"][0]["hash"] == hashlib.md5(data[:MIB]).hexdigest()
        sections = dict(objects_in("backups", "").detail_sections(raw, Lookups()))
        assert len(sections["Segments (4)"]) == 4
        dest = tmp_path / "back.img"
        assert download_object(session, "backups", "images/disk.img", dest) is True
        assert dest.read_bytes() == data
        # A segment whose bytes are not what the manifest says: the part is removed.
        third = _account(sim).containers["backups_segments"].objects[names[2]]  # type: ignore[attr-defined]
        with open(third.path, "r+b") as handle:
            handle.write(b"rot")
        broken = tmp_path / "broken.img"
        with pytest.raises(CloudError, match="segment 3"):
            download_object(session, "backups", "images/disk.img", broken)
        assert not broken.exists() and not (tmp_path / "broken.img.part").exists()


def test_an_existing_object_is_refused_before_any_segment(sim: RunningSim,
                                                         tmp_path: Path) -> None:
    source = tmp_path / "big"
    source.write_bytes(os.urandom(2 * MIB + 1))
    with CloudSession.connect("simcloud") as session:
        with pytest.raises(ObjectExists):
            upload_large(session, "backups", "README.txt", source, threshold=MIB)
        assert _segments(sim) == []
        cancel = threading.Event()

        def stop_in_second(progress: Progress) -> None:
            if progress.done > MIB + 10:
                cancel.set()

        with pytest.raises(TransferCancelled):
            upload_large(session, "backups", "big", source, threshold=MIB,
                         on_progress=stop_in_second, cancel=cancel)
        assert _segments(sim) == []  # the first segment, sent, was deleted again
        assert "big" not in _account(sim).containers["backups"].objects  # type: ignore[attr-defined]


def test_read_only_refuses_a_large_upload_before_sending(sim: RunningSim,
                                                        tmp_path: Path) -> None:
    source = tmp_path / "big"
    source.write_bytes(b"x" * (MIB + 1))
    start = len(sim.cloud.request_log)
    with CloudSession.connect("simcloud", read_only=True) as session:
        with pytest.raises(ReadOnlyError):
            upload_many(session, "backups", [Planned("big", source, MIB + 1)],
                        large_threshold=MIB)
    assert writes(sim, start) == []


def test_segment_sizes_and_the_command_shown() -> None:
    assert segment_size_for(5 * MIB, MIB) == MIB
    assert segment_size_for(2000 * MIB, MIB) == 2 * MIB  # never more than 1,000 segments
    assert upload_command("c", "o", "/f", folder=False, segment_size=MIB) == [
        "swift", "upload", "--use-slo", "--segment-size", str(MIB), "--object-name", "o",
        "c", "/f"]


def test_200_mb_as_segments_and_back_with_memory_flat(sim: RunningSim, tmp_path: Path) -> None:
    """Both ways stream, a segment at a time: the process's resident set (sampled every
    10 ms; simcloud shares the process) grows far less than the file's 200 MB."""
    size = 200 * MIB
    source = tmp_path / "big.bin"
    wanted = generate(source, size)
    with PeakRss() as memory, CloudSession.connect("simcloud") as session:
        upload_large(session, "backups", "big.bin", source, threshold=16 * MIB)
        dest = tmp_path / "back.bin"
        assert download_object(session, "backups", "big.bin", dest) is True
    assert len(_segments(sim)) == 13  # 12 of 16 MiB and the 8 MiB rest
    back = hashlib.sha256()
    with open(dest, "rb") as handle:
        while chunk := handle.read(MIB):
            back.update(chunk)
    assert back.hexdigest() == wanted
    assert memory.peak - memory.start < 50 * MIB, f"grew {(memory.peak - memory.start) >> 20} MiB"
