"""Issue 13: a resource that appears while the list shows lands on top of the newest-first
list (not under a year-old one), and an age keeps growing while its resource stays the same."""

from __future__ import annotations

import time

import openstack

from tests.helpers.app import loaded, make_app, wait_until
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
