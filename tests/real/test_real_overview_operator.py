"""The overview's "Cloud health" against the rig, as its admin: the services' up and down counts
and the ERROR servers of every project agree with what the APIs say (read by the SDK)."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers.app import make_app, wait_until
from tests.real import rig
from tuicloud.cloud.operator_health import OperatorHealth
from tuicloud.screens.overview import OverviewScreen


def _health(app: object) -> OperatorHealth | None:
    screen = getattr(app, "screen", None)
    data = screen.data if isinstance(screen, OverviewScreen) else None
    return data.operator if data is not None else None


async def test_the_clouds_health_agrees_with_the_apis(admin_sdk: Connection) -> None:
    app = make_app(cloud="real-admin", view="overview")
    async with app.run_test(size=(160, 60)) as pilot:
        await wait_until(pilot, lambda: (h := _health(app)) is not None
                         and h.busiest is not None and h.migrations is not None,
                         timeout=rig.SLOW, what="the cloud's health")
        health = _health(app)
        assert health is not None and not health.errors, health and health.errors
    services = [s for s in admin_sdk.compute.services() if s.status == "enabled"]
    compute = health.services["compute-services"]
    assert compute.up == sum(1 for s in services if s.state == "up")
    assert len(compute.down) == sum(1 for s in services if s.state == "down")
    volume = health.services["volume-services"]
    assert volume.up == sum(1 for s in admin_sdk.block_storage.services()
                            if s.status == "enabled" and s.state == "up")
    in_error = list(admin_sdk.compute.servers(all_projects=True, status="ERROR"))
    assert health.error_servers is not None
    assert {i for i, _, _ in health.error_servers} == {s.id for s in in_error}
    assert health.busiest, "the rig has at least one hypervisor"
