"""The view cache on the rig (issue 17): the second start shows the first start's rows at once,
marked cached, and the rig's own answer replaces them in place (the cursor stays on its row).

The cached rows are on screen while the connection imports openstacksdk, authenticates and
lists (well over a second on the rig): the test waits for that state as for any other."""

from __future__ import annotations

from typing import Any

from openstack.connection import Connection
from textual.pilot import Pilot

from tests.helpers.app import list_screen, loaded, make_app, screen_text, shown, table, wait_until
from tuicloud.app import TuiCloudApp
from tuicloud.config.view_cache import ViewCache
from tuicloud.screens.actions_menu import ActionsMenu


def cached(app: TuiCloudApp) -> bool:
    screen = app.screen
    return getattr(getattr(screen, "feed", None), "cached_at", None) is not None


async def kept(pilot: Pilot[Any], app: TuiCloudApp, ident: str) -> None:
    cache = ViewCache()

    def written() -> bool:
        key = app.cache_key("servers", app.session)
        view = cache.load(key) if key is not None else None
        return view is not None and any(row["id"] == ident for row in view.rows)

    await wait_until(pilot, written, timeout=60, what="the servers kept")


async def test_the_second_start_shows_the_rigs_servers_from_the_cache(
        server: str, demo_sdk: Connection) -> None:
    app = make_app(cloud="real-demo")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, timeout=60)
        await kept(pilot, app, server)
        ids = set(table(app).visible_ids())
    assert server in ids

    app = make_app(cloud="real-demo")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: cached(app) and server in table(app).visible_ids(),
                         timeout=30, what="the cached rows")
        assert app.session is None or list_screen(app).freshness.updated_at is None
        await shown(pilot, app, "cached, from ", timeout=30)
        table(app).cursor_id = server
        await pilot.press("a")
        await wait_until(pilot, lambda: "waiting for fresh data" in screen_text(app)
                         or not cached(app), what="the actions refused")
        if isinstance(app.screen, ActionsMenu):  # fresh before the key (a very fast rig)
            await pilot.press("escape")
        await loaded(pilot, app, timeout=60)
        assert not cached(app)
        assert "cached, from" not in await shown(pilot, app, "Servers", "updated ")
        assert table(app).cursor_id == server
        assert set(table(app).visible_ids()) == {s.id for s in demo_sdk.compute.servers()}
