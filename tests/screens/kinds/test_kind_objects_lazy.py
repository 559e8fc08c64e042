"""Issue 15: a container of many objects stays fluid. Its listing is read lazily: the first
small page shows at once, one more page follows, and further pages only as the cursor nears
the last row loaded or a filter matches too few; a quiet re-poll is one HEAD, whatever the
container holds; a change in the container re-lists only what is loaded."""

from __future__ import annotations

from typing import Any

import openstack

from tests.helpers.app import list_screen, loaded, make_app, wait_until
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds.objects import objects_in
from tuicloud.cloud.window_poller import WindowPoller, poller_for
from tuicloud.simcloud import RunningSim, SimConfig

MODULE_SIMCLOUD = SimConfig(servers=2, volumes=1, images=1, objects=5000, build_delay=0.3)
"""The demo account's "many" holds 5,000 generated objects (no files)."""


def _container(sim: RunningSim) -> Any:
    demo = sim.cloud.service("identity").project_by_name("demo")
    return sim.cloud.service("object-store").accounts[f"AUTH_{demo.id}"].containers["many"]


def _heads(sim: RunningSim) -> list[str]:
    return [r.query for r in list(sim.cloud.request_log)
            if r.method == "HEAD" and r.path.endswith("/many")]


def _listings(sim: RunningSim) -> list[str]:
    return [r.query for r in list(sim.cloud.request_log)
            if r.method == "GET" and r.path.endswith("/many")]


def test_the_poller_reads_as_far_as_asked_and_heads_when_quiet(sim: RunningSim) -> None:
    with CloudSession.connect("simcloud") as session:
        poller = poller_for(session, objects_in("many", ""))
        assert isinstance(poller, WindowPoller)
        pages: list[int] = []
        first = poller.poll(on_page=lambda rows: pages.append(len(rows)))
        assert pages == [50, 1000] and len(first.upserts) == 1050 and first.full
        assert poller.has_more and not poller.wants_more
        quiet = poller.poll()
        assert (quiet.requests, quiet.changed) == (1, False)  # a HEAD, no listing
        poller.want_more()
        poller.want_more()  # asked twice before the poll: still one page
        more = poller.poll()
        assert more.extended and not more.full and len(more.upserts) == 1000
        assert min(more.upserts) == "event-001050.json" and len(poller.known) == 2050
        # A change among the loaded rows and one past them: the loaded range is listed again.
        conn = openstack.connect(cloud="simcloud")
        conn.object_store.delete_object("event-000003.json", container="many")
        conn.object_store.create_object("many", "event-004999.json", data=b"changed")
        changed = poller.poll()
        assert changed.full and changed.removals == {"event-000003.json"}
        assert "event-004999.json" not in changed.upserts  # past the horizon: not read
        assert changed.requests == 1 + 3  # the HEAD and pages up to the horizon only
        while poller.has_more:
            poller.want_more()
            poller.poll()
        assert len(poller.known) == 4999 and not poller.wants_more


def test_a_periodic_relist_reads_no_further_than_the_view_loaded(sim: RunningSim) -> None:
    with CloudSession.connect("simcloud") as session:
        poller = WindowPoller(session, objects_in("many", ""), resync_every=1)
        assert len(poller.poll(on_page=lambda rows: None).upserts) == 1050
        again = poller.poll()
        assert again.full and set(again.upserts) == set(poller.known)
        assert len(again.upserts) == 1050 and not again.removals
        assert again.requests == 1 + 2  # the HEAD, then two pages of 1,000 cut at the horizon
        assert poller.has_more


async def test_scrolling_and_filtering_read_further_pages(sim: RunningSim) -> None:
    app = make_app(view="containers")
    async with app.run_test(size=(120, 30)) as pilot:
        grid = await loaded(pilot, app, minimum=3)
        grid.cursor_id = "many"
        before = len(_listings(sim))
        await pilot.press("enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "objects"
                         and list_screen(app).table.row_count == 1050, what="first pages")
        screen = list_screen(app)
        assert screen.freshness.more  # the header says there is more: "1,050+"
        assert len(_listings(sim)) - before == 2  # 50 then 1,000: never all 5,000
        await pilot.press("G")  # the last row loaded: the next page comes
        await wait_until(pilot, lambda: screen.table.row_count == 2050, what="next page")
        assert len(_listings(sim)) - before == 3
        # A filter that matches too few of what is loaded reads on until it fills a screen.
        await pilot.press("slash", *"event-0049")
        await wait_until(pilot, lambda: screen.table.visible_count == 100,
                         what="filter read on")
        await wait_until(pilot, lambda: not screen.freshness.more, what="end of the list")
        assert screen.table.row_count == len(_container(sim).objects)
        asked, heads = len(_listings(sim)), len(_heads(sim))
        await pilot.press("enter", "r")
        await wait_until(pilot, lambda: len(_heads(sim)) > heads, what="a quiet re-poll")
        await wait_until(pilot, lambda: not screen._polling, what="the poll's end")
        assert len(_listings(sim)) == asked  # quiet: a HEAD, no listing of 5,000
