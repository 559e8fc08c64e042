"""Issue 13: a resource that appears while the list shows lands on top of the newest-first
list (not under a year-old one), and an age keeps growing while its resource stays the same."""

from __future__ import annotations

import time

import openstack

from tests.helpers.app import loaded, make_app, wait_until
from tuicloud.cloud.kinds.base import format_age_since
from tuicloud.screens.resource_list import age_changes_at
from tuicloud.simcloud import RunningSim
from tuicloud.widgets.row_store import Column, RowStore


def test_rows_new_after_the_load_go_on_top_in_arrival_order() -> None:
    store = RowStore()
    store.set_columns([Column("name", "Name")])
    store.apply({"b": {"name": "newest"}, "a": {"name": "older"}})  # the API's order
    store.apply({"c": {"name": "just made"}})
    store.apply({"d": {"name": "made after it"}})
    assert store.ids() == ["d", "c", "b", "a"]
    store.set_sort("name", False)
    assert store.ids() == ["c", "d", "b", "a"]  # a chosen sort still places them by value


def test_an_age_is_due_again_exactly_when_its_text_changes() -> None:
    """The table re-ticks a row only when `age_changes_at` says (issue 17): too late shows a
    stale age, too early costs work for nothing."""
    when = 1_700_000_000.0
    ages = [0.0, 0.4, 1.0, 59.2, 59.999, 60.0, 61.5, 3599.0, 3600.0, 7200.5, 47 * 3600 + 10,
            48 * 3600.0, 3 * 86400 + 5, 364 * 86400.0, 365 * 86400.0, 800 * 86400.0, -30.0]
    ages += [i * 977.3 for i in range(1, 400)]
    for age in ages:
        now = when + age
        text = format_age_since(when, now)
        due = age_changes_at(when, now)
        assert due > now, age
        assert format_age_since(when, due - 1e-3) == text, age
        assert format_age_since(when, due) != text, age


async def test_a_server_launched_while_the_list_shows_appears_on_top(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        grid = await loaded(pilot, app)
        first_seen = grid.visible_ids()
        conn = openstack.connect(cloud="simcloud")
        image = min(conn.image.images(), key=lambda i: i.min_disk or 0)
        flavor = max(conn.compute.flavors(), key=lambda f: f.disk or 0)
        network = next(n for n in conn.network.networks() if not n.is_router_external)
        server = conn.compute.create_server(name="fresh-one", image_id=image.id,
                                            flavor_id=flavor.id,
                                            networks=[{"uuid": network.id}])
        conn.close()
        app.screen.poll_now()  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: grid.get_row(server.id) is not None, what="its row")
        assert grid.visible_ids()[0] == server.id
        assert grid.visible_ids()[1:] == first_seen


async def test_an_age_ticks_while_the_server_does_not_change(sim: RunningSim) -> None:
    nova = sim.cloud.service("compute")
    with sim.cloud.lock:
        server = next(s for s in nova.servers.values() if s.status == "ACTIVE")
        server.created = time.time() - 50
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: grid.get_row(server.id) is not None, what="its row")

        def age() -> str | None:
            return grid.cell_text(server.id, "age")

        assert (age() or "").endswith("s"), age()
        updated = server.updated
        await wait_until(pilot, lambda: age() == "1m", what="the age to reach a minute")
        assert server.updated == updated  # no poll brought it: the server never changed
