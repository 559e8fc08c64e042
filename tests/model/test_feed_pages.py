"""A first load's pages reach the table as they come, but not faster than the table can take
them: the first page at once, then what came meanwhile; every row exactly once, in the
cloud's order, the pages not yet shown in the last answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds.registry import kind_for
from tuicloud.cloud.lookups import Lookups
from tuicloud.model import feed as feed_module
from tuicloud.model.feed import ListFeed, Snapshot
from tuicloud.simcloud import RunningSim, SimConfig

TEST_SIMCLOUD = SimConfig(servers=260, volumes=2, images=4, build_delay=0.1)
SERVERS = kind_for("servers")


@pytest.fixture
def admin(sim: RunningSim) -> Iterator[CloudSession]:
    with CloudSession.connect("simcloud-admin") as connected:
        yield connected


def first_load(session: CloudSession) -> tuple[list[Snapshot], Snapshot, list[str]]:
    """(the partial snapshots, the final one, the ids in the cloud's order)."""
    partials: list[Snapshot] = []
    found = ListFeed(SERVERS).poll(session, all_projects=True, lookups=None,
                                   convert=lambda raw: SERVERS.row(raw, Lookups()),
                                   on_partial=partials.append)
    assert isinstance(found, Snapshot) and not found.partial
    listed: list[str] = []
    for page in session.iter_pages("compute", "/servers/detail", "servers",
                                   [("all_tenants", "1")], page_size=1000):
        listed.extend(str(item["id"]) for item in page.items)
    return partials, found, listed


def shown_in_order(partials: list[Snapshot], final: Snapshot) -> list[str]:
    shown: list[str] = []
    for snapshot in [*partials, final]:
        shown.extend(snapshot.rows)
    return shown


def test_pages_that_come_fast_are_shown_together(admin: CloudSession,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_module, "PARTIAL_EVERY", 60.0)  # every later page "came fast"
    partials, final, listed = first_load(admin)
    assert len(listed) == 260
    assert len(partials) == 1 and len(partials[0].rows) == 50  # the first page, at once
    assert shown_in_order(partials, final) == listed  # the others with the last answer


def test_pages_that_come_slowly_are_each_shown(admin: CloudSession,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_module, "PARTIAL_EVERY", 0.0)
    partials, final, listed = first_load(admin)
    assert [len(p.rows) for p in partials] == [50, 210]  # the first page, then the rest
    assert shown_in_order(partials, final) == listed and not final.rows
