"""What the app asks a cloud at start, and in which order (issue 11).

The first page of the list goes first and the name lookups follow it; a lookup the servers view
already keeps whole is never listed; turning all projects on fetches the project names before
the all-projects list, so names show with its first rows. Requests are counted in simcloud.
"""

from __future__ import annotations

from typing import Any

from tests.apphelpers import list_screen, loaded, make_app, wait_until
from tuicloud.simcloud import RunningSim

_LOOKUP_LISTS = ("/image/v2/images", "/networking/v2.0/networks", "/networking/v2.0/subnets",
                 "/identity/v3/projects", "/identity/v3/auth/projects", "/compute/v2.1/flavors")


def _is_lookup(entry: Any) -> bool:
    return entry.method == "GET" and (entry.path in _LOOKUP_LISTS or (
        entry.path == "/compute/v2.1/servers" and "limit=1000" in entry.query))


def _first_page_index(log: list[Any], all_tenants: bool) -> int:
    for index, entry in enumerate(log):
        if entry.path.endswith("/servers/detail") and "limit=50" in entry.query \
                and ("all_tenants=1" in entry.query) == all_tenants:
            return index
    raise AssertionError("no first page was asked for")


async def test_first_page_before_the_name_lookups(sim: RunningSim) -> None:
    app = make_app(cloud="simcloud")
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: any(_is_lookup(e) for e in sim.cloud.request_log),
                         what="the name lookups")
        log = list(sim.cloud.request_log)
        first = _first_page_index(log, all_tenants=False)
        lookups = [i for i, e in enumerate(log) if _is_lookup(e)]
        assert lookups and min(lookups) > first, [(e.path, e.query) for e in log]
        # A non-admin's servers view sees every server: the servers lookup is never listed.
        assert not any(e.path == "/compute/v2.1/servers" for e in log)
        await app.workers.wait_for_complete()
        mark = len(sim.cloud.request_log)
        app._refresh_lookups()  # the minute's refresh
        await app.workers.wait_for_complete()
        again = list(sim.cloud.request_log)[mark:]
        assert not any(e.path == "/compute/v2.1/servers" for e in again)


async def test_all_projects_fetches_project_names_before_its_list(sim: RunningSim) -> None:
    app = make_app(cloud="simcloud-admin")
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None
                         and app.lookups.first_page_seen, what="the first page")
        await app.workers.wait_for_complete()
        mark = len(sim.cloud.request_log)
        await pilot.press("0")
        await loaded(pilot, app)
        log = list(sim.cloud.request_log)[mark:]
        first = _first_page_index(log, all_tenants=True)
        projects = [i for i, e in enumerate(log) if e.path == "/identity/v3/projects"]
        assert projects and projects[0] < first, [(e.path, e.query) for e in log]
        poller = list_screen(app).poller
        owners = {str(raw.get("tenant_id")) for raw in poller.known.values()}
        assert owners and all(app.lookups.get("projects", o) for o in owners)
