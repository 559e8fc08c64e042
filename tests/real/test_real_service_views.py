"""Cinder's services and Neutron's agents against the rig: its scheduler and fake backend
listed as Cinder lists them, up; its ML2 has no agents, so the agents view is an empty list
that loaded cleanly (fresh, no error); a member is refused both views."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers.app import list_screen, loaded, make_app, notes, shown, wait_until
from tests.helpers.likeness import call
from tests.real import rig
from tuicloud.cloud.kinds.volume_services import service_id


async def test_block_storage_services_as_cinder_lists_them(admin_sdk: Connection) -> None:
    services = call(admin_sdk, "block-storage", "GET", "/os-services",
                    version="volume 3.71").json()["services"]
    app = make_app(cloud="real-admin", view="volume-services")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, minimum=len(services), timeout=rig.SLOW)
        assert set(grid.visible_ids()) == {service_id(s) for s in services}
        for service in services:
            row = grid.get_row(service_id(service)) or {}
            assert (row["binary"], row["status"], str(getattr(row["state"], "plain", ""))) == (
                service["binary"], service["status"], service["state"])
        styles = list_screen(app)._status_styles
        up = next(s for s in services if s["state"] == "up")
        assert (grid.get_row(service_id(up)) or {})["state"].style == styles["ok"]


async def test_network_agents_empty_on_ml2_without_agents(admin_sdk: Connection) -> None:
    agents = call(admin_sdk, "network", "GET", "/v2.0/agents").json()["agents"]
    app = make_app(cloud="real-admin", view="network-agents")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, minimum=len(agents), timeout=rig.SLOW)
        assert grid.row_count == len(agents)
        await shown(pilot, app, "Network agents", timeout=rig.SLOW)
        assert not any("error" in n.lower() or "failed" in n.lower() for n in notes(app))


async def test_a_member_is_refused_the_service_views(demo_sdk: Connection) -> None:
    app = make_app(cloud="real-demo", view="servers")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, timeout=rig.SLOW,
                         what="connected")
        assert "volume-services" not in app.command_words()
        app.goto("volume-services")
        await wait_until(pilot, lambda: any("needs the admin role" in n for n in notes(app)),
                         what="refused")
