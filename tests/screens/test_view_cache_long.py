"""A cached list longer than a screen: the first frame gets a screenful, the rest follows in
the cloud's order (below, not above as new servers go), and the header counts them all."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.app import list_screen, loaded, make_app, screen_text, table, wait_until
from tests.screens.test_view_cache_app import cached, down, kept
from tuicloud.config.view_cache import ViewCache
from tuicloud.screens.resource_list import FIRST_PAINT_ROWS, ResourceListScreen
from tuicloud.simcloud import RunningSim, SimConfig

TEST_SIMCLOUD = SimConfig(servers=FIRST_PAINT_ROWS * 3, volumes=2, images=4, build_delay=0.1)


async def test_a_long_cached_list_paints_a_screenful_then_the_rest(
        sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> None:
    options: dict[str, Any] = {"cloud": "simcloud-admin", "all_projects": True}
    first = make_app(**options)
    async with first.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, first, minimum=FIRST_PAINT_ROWS * 2)
        await kept(pilot, first)
        key = first.cache_key("servers", first.session)
    assert key is not None
    view = ViewCache().load(key)
    assert view is not None and len(view.rows) > FIRST_PAINT_ROWS
    order = [str(row["id"]) for row in view.rows]

    app = make_app(**options)
    counts: list[tuple[int, int | None]] = []  # rows and header count before the rest came
    paint_rest = ResourceListScreen._paint_cached_rest

    def record(screen: ResourceListScreen, *args: Any) -> None:
        counts.append((screen.table.row_count, screen.freshness.count))
        paint_rest(screen, *args)

    # Recorded as the rest is painted: polling for the first frame's state could miss it.
    monkeypatch.setattr(ResourceListScreen, "_paint_cached_rest", record)
    with down(sim):
        async with app.run_test(size=(160, 50)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                             and table(app).row_count > 0, what="the cached rows")
            screen = list_screen(app)
            await wait_until(pilot, lambda: table(app).row_count == len(order),
                             what="the rest of the cached rows")
            assert cached(app)
            assert table(app).visible_ids() == order  # the rest below, in the kept order
            await wait_until(pilot, lambda: "not connected" in screen_text(app),
                             what="the connection refused")
            # cached rows keep their count in the header when the cloud cannot be reached
            assert screen.freshness.count == len(order)
            assert f"Servers {len(order)} " in screen_text(app)
    shown_first, counted_first = counts[0]
    assert shown_first == FIRST_PAINT_ROWS  # a screenful in the first frame
    assert counted_first == len(order)  # yet the header counts every cached row
