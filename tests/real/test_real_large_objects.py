"""Large objects and big listings against the rig's Swift 2.38.3 (pages of 1,000): a file
above a small threshold goes up as a static large object (segments in <container>_segments,
named as the swift client names them), is listed with its total size, shows its segments in
the detail and comes back checked segment by segment; a container of 1,100 objects is read
lazily (50, then 1,000, then the rest when asked), a quiet re-poll is one HEAD, and a list
follows the markers past the rig's page."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openstack.connection import Connection

from tests.real.test_real_containers import delete_containers
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.detail import fetch_raw
from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.objects import objects_in
from tuicloud.cloud.lookups import Lookups
from tuicloud.cloud.object_transfer import Planned, download_object, upload_many
from tuicloud.cloud.window_poller import WindowPoller

MIB = 1 << 20


@pytest.fixture
def bucket(prefix: str, demo_sdk: Connection) -> Iterator[str]:
    """An empty container named with the test's prefix (its _segments go with it)."""
    demo_sdk.object_store.create_container(prefix + "big")
    try:
        yield prefix + "big"
    finally:
        delete_containers(demo_sdk, prefix)


def test_a_static_large_object_up_listed_detailed_and_down(bucket: str,
                                                          tmp_path: Path) -> None:
    data = os.urandom(3 * MIB + 777)
    source = tmp_path / "disk.img"
    source.write_bytes(data)
    with CloudSession.connect("real-demo") as session:
        outcome = upload_many(session, bucket, [Planned("img/disk.img", source, len(data))],
                              large_threshold=MIB)
        assert outcome.sent == ["img/disk.img"]
        listed, _info = session.get_json("object-store", f"/{bucket}_segments",
                                         [("format", "json")])
        mtime = f"{source.stat().st_mtime:f}"
        assert [e["name"] for e in listed] == [
            f"img/disk.img/slo/{mtime}/{len(data)}/{MIB}/{i:08d}" for i in range(4)]
        head, _info = session.head("object-store", f"/{bucket}/img/disk.img")
        assert head["x-static-large-object"].lower() == "true"
        entries, _info = session.get_json("object-store", f"/{bucket}",
                                          [("format", "json"), ("prefix", "img/")])
        [entry] = entries
        assert entry["bytes"] == len(data) and entry.get("slo_etag")  # the rig's listing
        row = objects_in(bucket, "img/").to_row(entry, Lookups())
        assert str(row["type"]).startswith("SLO · ")
        raw = fetch_raw(session, objects_in(bucket, ""), "img/disk.img")
        assert [s["bytes"] for s in raw["segments"]] == [MIB, MIB, MIB, 777]
        dest = tmp_path / "back.img"
        assert download_object(session, bucket, "img/disk.img", dest) is True
        assert dest.read_bytes() == data


def test_a_big_container_read_lazily_then_bulk_deleted_with_its_large_object(
        bucket: str, tmp_path: Path, demo_sdk: Connection) -> None:
    """One container of 1,100 objects for all three (Swift on the rig writes each to disk:
    making them twice cost a minute of CI, and 1,003 made one by one two more): read lazily,
    listed page by page past the rig's page, then 1,050 of them bulk-deleted, then the
    container emptied with its large object's segments."""
    from tuicloud.cloud.bulk_delete import bulk_delete_limit, delete_objects
    from tuicloud.cloud.operations.containers import delete_container

    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for index in range(1100):
            tar.addfile(tarfile.TarInfo(f"o{index:05d}"), io.BytesIO(b""))
    source = tmp_path / "big"
    source.write_bytes(os.urandom(2 * MIB + 3))
    with CloudSession.connect("real-demo") as session:
        _h, _i, resp = session.send_raw("PUT", "object-store", f"/{bucket}",
                                        params=[("extract-archive", "tar")],
                                        headers={"Accept": "application/json"},
                                        data=archive.getvalue())
        assert resp.json()["Number Files Created"] == 1100
        poller = WindowPoller(session, objects_in(bucket, ""))
        pages: list[int] = []
        first = poller.poll(on_page=lambda rows: pages.append(len(rows)))
        assert pages == [50, 1000] and len(first.upserts) == 1050 and poller.has_more
        quiet = poller.poll()
        assert quiet.requests == 1 and not quiet.changed  # one HEAD
        poller.want_more()
        rest = poller.poll()
        assert rest.extended and len(rest.upserts) == 50 and not poller.has_more
        assert min(rest.upserts) == "o01050"
        # The session's own paging follows Swift's markers past the rig's page of 1,000.
        pages = [len(page.items) for page in session.iter_pages(
            "object-store", f"/{bucket}", "", [("format", "json")], page_size=1000,
            first_page_size=50)]
        assert pages == [50, 1000, 50]
        with pytest.raises(CloudError) as refused:
            session.get_json("object-store", f"/{bucket}", [("format", "json"), ("limit", 5000)])
        assert refused.value.status == 412  # past the rig's page of 1,000: refused, as simcloud

        upload_many(session, bucket, [Planned("big.img", source, 2 * MIB + 3)],
                    large_threshold=MIB)
        assert bulk_delete_limit(session) == 1000  # the rig's /info lists bulk_delete
        names = [f"o{index:05d}" for index in range(1050)] + ["not-there"]
        outcome = delete_objects(session, bucket, names)
        assert outcome.deleted == 1051 and not outcome.failed
        left, _info = session.get_json("object-store", f"/{bucket}", [("format", "json")])
        assert [e["name"] for e in left][:2] == ["big.img", "o01050"] and len(left) == 51
        delete_container(session, {"name": bucket, "count": 51}, None)
        containers = [c.name for c in demo_sdk.object_store.containers(prefix=bucket)]
        assert bucket not in containers
        segments, _info = session.get_json("object-store", f"/{bucket}_segments",
                                           [("format", "json")])
        assert segments == []  # the large object went with its segments


def test_account_totals_and_the_overview_section(bucket: str) -> None:
    from tuicloud.cloud.account_totals import account_totals
    from tuicloud.cloud.overview import Overview

    with CloudSession.connect("real-demo") as session:
        totals = account_totals(session)
        # The rig's account counts come from its container updater (every 10 s): the run's
        # container is there, or about to be.
        assert totals.containers >= 0 and totals.objects >= 0 and totals.bytes >= 0
        assert totals.quota_bytes is None  # no quota set on the rig's accounts
        assert totals.describe().count(" · ") == 2
        data = Overview(session).gather()
        assert data.object_store is not None and data.sources["object-store"].state == "ok"
        assert "object-store" not in data.quotas
