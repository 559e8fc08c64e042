"""Deletions made outside the app show at the next poll, at a bounded cost (issue 11).

Cinder and Glance remove a deleted volume or image at once and their lists never return it, so
an ``updated_at`` poll cannot see it; simcloud removes them at once too. Each test deletes with
another session (as the CLI would) and counts the requests simcloud served.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds import kind_for
from tuicloud.cloud.poller import Poller
from tuicloud.simcloud import RunningSim

SLOW = 60.0  # simcloud settles in well under a second; a busy 2-core machine may take longer


def _connect(sim: RunningSim, cloud: str, monkeypatch: pytest.MonkeyPatch) -> CloudSession:
    assert sim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sim.clouds_yaml))
    monkeypatch.delenv("OS_CLOUD", raising=False)
    return CloudSession.connect(cloud)


def _wait_for(predicate: Callable[[], bool], timeout: float = SLOW) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def _sent_since(sim: RunningSim, mark: int) -> list[Any]:
    return list(sim.cloud.request_log)[mark:]


@pytest.fixture
def app_side(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudSession]:
    with _connect(sim, "simcloud", monkeypatch) as session:
        yield session


@pytest.fixture
def outside(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudSession]:
    """Another client of the same project: deletions it makes are 'outside the app'."""
    with _connect(sim, "simcloud", monkeypatch) as session:
        yield session


def _new_volume(session: CloudSession, name: str) -> str:
    body, _ = session.request("POST", "block-storage", "/volumes",
                              json={"volume": {"size": 1, "name": name}},
                              description=f"create volume {name}")
    ident = str(body["volume"]["id"])
    _wait_for(lambda: session.get_json("block-storage", f"/volumes/{ident}")[0]["volume"]
              ["status"] == "available")
    return ident


def _gone(session: CloudSession, service: str, path: str) -> bool:
    try:
        session.get_json(service, path)
    except CloudError as error:
        return error.status == 404
    return False


def test_volume_deleted_outside_vanishes_at_the_next_poll(
        sim: RunningSim, app_side: CloudSession, outside: CloudSession) -> None:
    ident = _new_volume(outside, "doomed")
    poller = Poller(app_side, kind_for("volumes"), resync_every=1000)
    assert ident in poller.poll().upserts
    mark = len(sim.cloud.request_log)
    quiet = poller.poll()
    assert not quiet.full and not quiet.removals
    # A quiet poll: updated_at, created_at and the count; never a full list.
    queries = [r.query for r in _sent_since(sim, mark)]
    assert quiet.requests == 3, queries
    assert sum("with_count=true" in q and "limit=1" in q for q in queries) == 1
    outside.request("DELETE", "block-storage", f"/volumes/{ident}", description="delete doomed")
    _wait_for(lambda: _gone(outside, "block-storage", f"/volumes/{ident}"))
    mark = len(sim.cloud.request_log)
    seen = poller.poll()
    assert ident in seen.removals
    assert ident not in poller.known_ids
    assert seen.requests <= 4  # the three of a quiet poll and one full list of one page
    assert len(_sent_since(sim, mark)) == seen.requests
    assert not poller.poll().full  # and back to quiet polls


def test_volume_created_and_another_deleted_in_one_interval(
        sim: RunningSim, app_side: CloudSession, outside: CloudSession) -> None:
    doomed = _new_volume(outside, "doomed")
    poller = Poller(app_side, kind_for("volumes"), resync_every=1000)
    poller.poll()
    fresh = _new_volume(outside, "fresh")
    outside.request("DELETE", "block-storage", f"/volumes/{doomed}", description="delete doomed")
    _wait_for(lambda: _gone(outside, "block-storage", f"/volumes/{doomed}"))
    seen = poller.poll()
    assert doomed in seen.removals or (seen.full and doomed not in seen.upserts)
    assert fresh in seen.upserts
    assert doomed not in poller.known_ids and fresh in poller.known_ids


def test_image_deleted_outside_vanishes_at_the_next_poll(
        sim: RunningSim, app_side: CloudSession, outside: CloudSession) -> None:
    body, _ = outside.request("POST", "image", "/images", json={
        "name": "doomed-image", "disk_format": "raw", "container_format": "bare"},
        description="create image doomed-image")
    ident = str(body["id"])
    poller = Poller(app_side, kind_for("images"), resync_every=1000)
    assert ident in poller.poll().upserts
    mark = len(sim.cloud.request_log)
    quiet = poller.poll()
    assert quiet.requests == 1 and not quiet.removals  # one page: the whole (short) list
    assert len(_sent_since(sim, mark)) == 1
    outside.request("DELETE", "image", f"/images/{ident}", description="delete doomed-image")
    seen = poller.poll()
    assert ident in seen.removals
    assert ident not in poller.known_ids


def test_many_images_poll_by_updated_at(sim: RunningSim, app_side: CloudSession) -> None:
    poller = Poller(app_side, kind_for("images"), resync_every=1000, cheap_full_list=1)
    first = poller.poll()
    assert first.full and len(first.upserts) > 1
    mark = len(sim.cloud.request_log)
    assert not poller.poll().full
    assert all("updated_at=gte" in r.query for r in _sent_since(sim, mark))


def test_servers_never_resync_yet_deletions_show(
        sim: RunningSim, app_side: CloudSession, outside: CloudSession) -> None:
    poller = Poller(app_side, kind_for("servers"), resync_every=2)
    first = poller.poll()
    assert first.full
    victim = next(iter(first.upserts))
    for _ in range(4):
        assert not poller.poll().full  # changes-since reports deletions: no resync needed
    outside.request("DELETE", "compute", f"/servers/{victim}", description="delete victim")
    _wait_for(lambda: _gone(outside, "compute", f"/servers/{victim}"))
    removed: set[str] = set()

    def seen() -> bool:
        result = poller.poll()
        assert not result.full
        removed.update(result.removals)
        return victim in removed

    _wait_for(seen)
    assert victim not in poller.known_ids
