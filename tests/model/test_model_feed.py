"""The model layer without Textual: the one retry policy, and a list's feed (poll, diff, epoch,
failures, freshness) against simcloud over HTTP with the real SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openstack
import pytest

from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds.registry import kind_for
from tuicloud.cloud.lookups import Lookups
from tuicloud.model.backoff import MAX_DELAY, retry_delay
from tuicloud.model.feed import Failure, ListFeed, Snapshot
from tuicloud.simcloud import RunningSim

SERVERS = kind_for("servers")


@pytest.mark.parametrize(("interval", "failures", "wait"), [
    (5.0, 0, 5.0),       # all well: the view's own interval
    (5.0, 1, 5.0),       # one failure: try again as usual (a blink)
    (5.0, 2, 10.0),      # then doubled per failure
    (5.0, 3, 20.0),
    (5.0, 9, MAX_DELAY),  # at most a minute
    (0.5, 1, 2.0),       # a fast view does not hammer a failing API
    (0.5, 3, 8.0),
    (300.0, 4, 300.0),   # a slow view never polls faster because it failed
])
def test_retry_delay(interval: float, failures: int, wait: float) -> None:
    assert retry_delay(interval, failures) == wait


@pytest.fixture
def session(sim: RunningSim) -> Iterator[CloudSession]:
    with CloudSession.connect("simcloud") as connected:
        yield connected


def convert(raw: dict[str, Any]) -> dict[str, object]:
    return SERVERS.row(raw, Lookups())


def poll(feed: ListFeed, session: CloudSession, **kwargs: Any) -> Snapshot | Failure:
    return feed.poll(session, all_projects=False, lookups=None, convert=convert, **kwargs)


def test_feed_polls_diffs_and_reports_what_changed(sim: RunningSim,
                                                   session: CloudSession) -> None:
    feed = ListFeed(SERVERS)
    seen: list[tuple[str, object, object]] = []
    first = poll(feed, session, observer=lambda i, old, new: seen.append((i, old, new)))
    assert isinstance(first, Snapshot)
    conn = openstack.connect(cloud="simcloud")
    listed = {s.id for s in conn.compute.servers()}
    assert set(first.rows) == listed and not first.removals
    assert seen == []  # the first poll's rows did not change in the cloud
    assert feed.finished(first, count=len(first.rows), visible=len(first.rows), paused=False)
    assert feed.fresh.state == "fresh" and feed.fresh.count == len(listed)
    gone = sorted(listed)[0]
    conn.compute.delete_server(gone)
    conn.compute.wait_for_delete(conn.compute.get_server(gone), wait=20)
    conn.close()
    second = poll(feed, session, observer=lambda i, old, new: seen.append((i, old, new)))
    assert isinstance(second, Snapshot)
    assert gone in second.removals
    assert any(ident == gone and new is None for ident, _old, new in seen)


def test_answers_from_before_a_reset_are_dropped(sim: RunningSim,
                                                 session: CloudSession) -> None:
    feed = ListFeed(SERVERS)
    old = poll(feed, session)
    assert isinstance(old, Snapshot)
    feed.reset()  # another cloud, project or region while the poll was out
    assert not feed.finished(old, count=0, visible=0, paused=False)
    assert feed.fresh.state == "connecting" and feed.poller is None
    assert not feed.failed(Failure("late", epoch=old.epoch), count=0, visible=0)
    assert feed.failures == 0


def test_failures_go_stale_back_off_and_recover(sim: RunningSim,
                                                session: CloudSession) -> None:
    feed = ListFeed(SERVERS)
    good = poll(feed, session)
    assert isinstance(good, Snapshot)
    feed.finished(good, count=len(good.rows), visible=len(good.rows), paused=False)
    updated = feed.fresh.updated_at
    sim.set_down(True)
    try:
        waits = []
        for _ in range(3):
            bad = poll(feed, session)
            assert isinstance(bad, Failure) and not bad.unavailable
            assert feed.failed(bad, count=len(good.rows), visible=len(good.rows))
            waits.append(feed.next_delay(5.0))
    finally:
        sim.set_down(False)
    assert waits == [5.0, 10.0, 20.0]
    assert feed.fresh.state == "stale" and feed.fresh.updated_at == updated
    since = feed.fresh.stale_since
    assert since is not None and feed.fresh.error
    back = poll(feed, session)
    assert isinstance(back, Snapshot)
    assert feed.finished(back, count=len(good.rows), visible=len(good.rows), paused=False)
    assert feed.fresh.state == "fresh" and feed.failures == 0
    assert feed.next_delay(5.0) == 5.0


def test_no_session_is_a_failure_not_an_exception() -> None:
    outcome = ListFeed(SERVERS).poll(None, all_projects=False, lookups=None, convert=convert)
    assert isinstance(outcome, Failure) and outcome.error == "not connected"


def test_a_followed_resource_reaches_the_view_cache(sim: RunningSim,
                                                    session: CloudSession) -> None:
    """A row an action's follow read (or found gone) counts as a change to keep: leaving the
    view writes it even when no list poll saw it change."""
    feed = ListFeed(SERVERS)
    written: list[list[dict[str, object]]] = []
    first = poll(feed, session, keep=written.append)
    assert isinstance(first, Snapshot) and len(written) == 1  # the first poll is kept
    feed.flush(written.append)
    assert len(written) == 1  # nothing changed since
    ident = sorted(first.rows)[0]
    renamed = {**session.get_json("compute", f"/servers/{ident}")[0]["server"],
               "name": "followed"}
    feed.read_singly(ident, renamed, convert, started=float("inf"))
    feed.flush(written.append)
    assert any(row["id"] == ident and row["name"] == "followed" for row in written[-1])
    feed.forget(ident, convert, started=float("inf"))
    feed.flush(written.append)
    assert len(written) == 3 and all(row["id"] != ident for row in written[-1])
