"""The overview's numbers against what the rig's APIs report, a project switch without a role,
and deletions made outside the app showing at the next poll."""

from __future__ import annotations

import time
from typing import Any

import pytest
from openstack.connection import Connection

from tests.helpers.app import list_screen, loaded, make_app, table, wait_until
from tests.real import rig
from tuicloud.screens.overview import OverviewScreen


def api_numbers(sdk: Connection) -> dict[str, Any]:
    """What Nova's and Cinder's /limits, Neutron's quota details and the lists say."""
    project = sdk.current_project_id
    nova = sdk.compute.get("/limits").json()["limits"]["absolute"]
    cinder = sdk.block_storage.get("/limits").json()["limits"]["absolute"]
    neutron = sdk.network.get(f"/quotas/{project}/details").json()["quota"]
    servers: dict[str, int] = {}
    for server in sdk.compute.servers():
        servers[server.status] = servers.get(server.status, 0) + 1
    volumes: dict[str, int] = {}
    for volume in sdk.block_storage.volumes():
        volumes[volume.status] = volumes.get(volume.status, 0) + 1
    return {
        "instances": (nova["totalInstancesUsed"], nova["maxTotalInstances"]),
        "cores": (nova["totalCoresUsed"], nova["maxTotalCores"]),
        "ram": (nova["totalRAMUsed"], nova["maxTotalRAMSize"]),
        "volumes": (cinder["totalVolumesUsed"], cinder["maxTotalVolumes"]),
        "gigabytes": (cinder["totalGigabytesUsed"], cinder["maxTotalVolumeGigabytes"]),
        "snapshots": (cinder["totalSnapshotsUsed"], cinder["maxTotalSnapshots"]),
        "network": (neutron["network"]["used"], neutron["network"]["limit"]),
        "port": (neutron["port"]["used"], neutron["port"]["limit"]),
        "security_group": (neutron["security_group"]["used"],
                           neutron["security_group"]["limit"]),
        "servers": servers, "volume_counts": volumes,
    }


def app_numbers(screen: OverviewScreen) -> dict[str, Any]:
    data = screen.data
    assert data is not None
    found: dict[str, Any] = {q.key: (q.used, q.limit) for q in data.all_quotas()}
    found["servers"] = dict(data.server_counts or {})
    found["volume_counts"] = dict(data.volume_counts or {})
    return found


async def test_overview_numbers_match_the_apis(server: str, demo_sdk: Connection) -> None:
    """The rig is shared: numbers are compared until both sides agree on one reading."""
    app = make_app(cloud="real-demo", view="overview", refresh=2.0)
    expected: dict[str, Any] = {}
    read_at = 0.0

    def agree() -> bool:
        nonlocal expected, read_at
        screen = app.screen
        if not (isinstance(screen, OverviewScreen) and screen.data is not None
                and screen.freshness.state == "fresh"):
            return False
        if time.monotonic() - read_at > 3:
            expected, read_at = api_numbers(demo_sdk), time.monotonic()
        shown = app_numbers(screen)
        return all(shown.get(key) == value for key, value in expected.items())

    async with app.run_test(size=(160, 50)) as pilot:
        try:
            await wait_until(pilot, agree, timeout=rig.SLOW, what="overview = APIs")
        except AssertionError:
            screen = app.screen
            shown = app_numbers(screen) if isinstance(screen, OverviewScreen) else {}
            raise AssertionError(f"app {shown} != API {expected}") from None
        assert expected["servers"].get("ACTIVE", 0) >= 1
        assert expected["instances"][0] >= 1


async def test_project_without_a_role_says_so() -> None:
    """demo has no role on project admin: Keystone's 401 must not read as a bad password."""
    app = make_app(cloud="real-demo", view="servers")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, minimum=0)
        assert app.session is not None
        project = app.session.project_name
        before = rig.mark(app)
        await pilot.press(":", *"project admin", "enter")
        message = await rig.note_after(pilot, app, before, lambda n: "admin" in n,
                                       what="refusal")
        assert "no role on project admin" in message, message
        assert "password" not in message
        assert app.session.project_name == project  # still where it was


@pytest.mark.parametrize("view", ["volumes", "images"])
async def test_deleted_outside_the_app_goes_at_the_next_poll(view: str, prefix: str,
                                                             demo_sdk: Connection) -> None:
    """Real Cinder and Glance drop a deleted item from their lists at once; the row must go
    within a few polls, not at the next full resync (~a minute)."""
    if view == "volumes":
        made = demo_sdk.block_storage.create_volume(size=1, name=prefix + "doomed")
        rig.volume_status(demo_sdk, made.id, "available")
    else:
        made = demo_sdk.image.create_image(name=prefix + "doomed", disk_format="raw",
                                           container_format="bare", data=b"\0" * 1024)
    app = make_app(cloud="real-demo", view=view, refresh=2.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: table(app).get_row(made.id) is not None,
                         timeout=rig.SLOW, what="row")
        if view == "volumes":
            demo_sdk.block_storage.delete_volume(made.id)
            rig.wait_for(lambda: demo_sdk.block_storage.find_volume(made.id) is None, "gone")
        else:
            demo_sdk.image.delete_image(made.id)
        gone_at = time.monotonic()
        # Five 2 s polls; a resync-only design needs ~50 s here.
        await wait_until(pilot, lambda: table(app).get_row(made.id) is None, timeout=20.0,
                         what="row gone within a few polls")
        assert list_screen(app).freshness.state == "fresh"
        assert time.monotonic() - gone_at < 20.0
