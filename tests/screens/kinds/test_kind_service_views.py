"""Issue 16, the other services at a glance: Cinder's services and Neutron's agents, up or down
in the compute services' words and colours (a stopped one in the error style), for admins
only; a member is refused both and is not offered them."""

from __future__ import annotations

from typing import Any

from tests.helpers.app import list_screen, loaded, make_app, notes, screen_text, wait_until
from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.cinder_services import service_records
from tuicloud.simcloud.neutron_agents import agent_records
from tuicloud.simcloud.nova_model import HOST_ZONE


def _cell(grid: Any, ident: str, key: str) -> Any:
    return (grid.get_row(ident) or {}).get(key)


def _plain(value: Any) -> str:
    return str(getattr(value, "plain", value))


async def test_block_storage_services_up_and_down(sim: RunningSim) -> None:
    records = service_records(sim.cloud)
    backend = next(r for r in records if r["binary"] == "cinder-volume")
    backend.update(down=True, status="disabled", disabled_reason="array firmware")
    app = make_app(cloud="simcloud-admin", view="volume-services")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, minimum=2)
        down = f"{backend['host']}/cinder-volume"
        up = next(i for i in grid.visible_ids() if i != down)
        assert (_plain(_cell(grid, down, "state")), _cell(grid, down, "status"),
                _cell(grid, down, "reason")) == ("down", "disabled", "array firmware")
        assert _plain(_cell(grid, up, "state")) == "up"
        styles = list_screen(app)._status_styles
        assert _cell(grid, down, "state").style == styles["error"]
        assert _cell(grid, up, "state").style == styles["ok"]
        # It reports again: the next poll says so.
        backend["down"] = False
        await pilot.press("r")
        await wait_until(pilot, lambda: _plain(_cell(grid, down, "state")) == "up",
                         what="up again")
        grid.cursor_id = down
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Backend state" in screen_text(app)
                         and "array firmware" in screen_text(app), what="the detail")


async def test_network_agents_alive_and_dead(sim: RunningSim) -> None:
    records = agent_records(sim.cloud)
    dead = next(r for r in records if r["agent_type"] == "L3 agent")
    dead["dead"] = True
    off = next(r for r in records if r["agent_type"] == "Open vSwitch agent")
    off["admin_state_up"] = False
    app = make_app(cloud="simcloud-admin", view="network-agents")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, minimum=len(records))
        assert len(grid.visible_ids()) == 3 + len(HOST_ZONE)
        styles = list_screen(app)._status_styles
        assert (_plain(_cell(grid, dead["id"], "state")), _cell(grid, dead["id"], "host")) == (
            "down", "network-01")
        assert _cell(grid, dead["id"], "state").style == styles["error"]
        assert (_plain(_cell(grid, off["id"], "state")), _cell(grid, off["id"], "status")) == (
            "up", "disabled")
        grid.cursor_id = dead["id"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: "neutron-l3-agent" in screen_text(app)
                         and "Last heartbeat" in screen_text(app), what="the detail")


async def test_a_member_is_refused_both_views(sim: RunningSim) -> None:
    app = make_app(view="servers")
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        words = app.command_words()
        assert "volume-services" not in words and "network-agents" not in words
        app.goto("network-agents")
        await wait_until(pilot, lambda: any("needs the admin role" in n for n in notes(app)),
                         what="refused")
        assert app.current_mode == "servers"
    assert not any(r.path.endswith("/agents") for r in sim.cloud.request_log)
