"""The overview for operators (issue 16): for an admin, a "Cloud health" section with the
services down (each named), the busiest hosts, ERROR servers in every project and migrations
running, each line opening its view; a member's overview has none of it and asks nothing more."""

from __future__ import annotations

from typing import Any

from tests.helpers.app import make_app, wait_until
from tuicloud.app import TuiCloudApp
from tuicloud.screens.overview import OverviewLine, OverviewScreen
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.nova_hosts import compute_service, record_migration


def _lines(app: TuiCloudApp) -> dict[str, str]:
    return {line.spec.key: line.render().plain for line in app.screen.query(OverviewLine)}


async def test_an_admin_sees_the_clouds_health(sim: RunningSim) -> None:
    nova = sim.cloud.service("compute")
    hosts = sorted({s.host for s in nova.servers.values() if s.host})
    compute_service(nova, hosts[0])["forced_down"] = True  # reported down
    other = next(s for s in nova.servers.values() if s.host == hosts[-1])
    record_migration(nova, other, "live-migration", hosts[-1], None, "running")
    errors = [s for s in nova.servers.values() if s.vm_state == "error"]
    assert errors, "simcloud seeds a server in ERROR"
    app = make_app(cloud="simcloud-admin", view="overview")
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen)
                         and "op-busiest" in _lines(app)
                         and "op-migrations" in _lines(app), timeout=30, what="health shown")
        lines = _lines(app)
        assert "1 down" in lines["op-compute-services"]
        assert f"nova-compute on {hosts[0]}" in lines[
            f"op-compute-services-nova-compute on {hosts[0]}"]
        assert lines["op-errors"].split()[-1] == str(len(errors))
        assert lines["op-migrations"].split()[-1] == "1"
        assert any(key.startswith("op-host-") for key in lines)
        # enter on a service line opens that view, filtered on what is down
        target = next(line for line in app.screen.query(OverviewLine)
                      if line.spec.key == "op-compute-services")
        target.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and app.screen.kind.name == "compute-services", what="services view")
        screen: Any = app.screen
        assert screen.table.filter_text == "down"


async def test_a_members_overview_asks_nothing_of_the_operators_apis(sim: RunningSim) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen)
                         and app.screen.data is not None
                         and "servers" in app.screen.data.sources
                         and "volumes" in app.screen.data.sources, what="overview")
        assert not any(key.startswith("op-") for key in _lines(app))
    asked = {r.path for r in sim.cloud.request_log}
    assert not any("os-services" in p or "os-migrations" in p or "agents" in p
                   or "all_tenants" in p for p in asked), asked
