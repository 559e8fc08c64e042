"""Issue 16, the operator's views: hypervisors with their usage from placement (as the
scheduler sees it: used of (total - reserved) × ratio) and the servers on each; compute
services disabled with a reason, enabled, forced down and up, each seen on the hypervisor
too; a member sees none of it ("needs the admin role", no completion)."""

from __future__ import annotations

from typing import Any

import openstack

from tests.apphelpers import loaded, screen_text, wait_until
from tests.formhelpers import plain_text
from tests.test_kind_routers import _confirm
from tests.test_ops_app import make_app, notes, open_menu, writes
from tuicloud.cloud.kinds.hypervisors import capacity, usage_bar
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.prompts import TextPrompt
from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.nova_hosts import compute_service, servers_on
from tuicloud.simcloud.placement import INVENTORY


def _nova(sim: RunningSim) -> Any:
    return sim.cloud.service("compute")


def _cell(grid: Any, ident: str, key: str) -> str:
    """A cell's text (the status column holds a styled Text)."""
    value = (grid.get_row(ident) or {}).get(key)
    return str(getattr(value, "plain", value))


def test_capacity_is_what_the_scheduler_may_place() -> None:
    assert capacity({"total": 64, "reserved": 0, "allocation_ratio": 4.0}) == 256
    assert capacity({"total": 1024, "reserved": 512, "allocation_ratio": 1.5}) == 768
    assert usage_bar(30, 120) == "▇▇░░░░░░  25% 30/120"
    assert usage_bar(2048, 262144, 1024).endswith(" 2/256")
    assert usage_bar(0, 0) == "░░░░░░░░   0% 0/0"


async def test_hypervisors_show_placement_usage_and_their_servers(sim: RunningSim) -> None:
    nova = _nova(sim)
    host = next(s.host for s in nova.servers.values() if s.host)
    placed = servers_on(nova, host)
    vcpus = sum(int(nova.flavors[s.flavor_id]["vcpus"]) for s in placed)
    app = make_app(cloud="simcloud-admin", view="hypervisors")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        ident = next(i for i in grid.visible_ids()
                     if str((grid.get_row(i) or {}).get("name")).startswith(host + "."))
        row = grid.get_row(ident) or {}
        assert row["vcpus"] == usage_bar(vcpus, capacity(INVENTORY["VCPU"]))
        assert (_cell(grid, ident, "state"), row["status"], row["servers"]) == (
            "up", "enabled", len(placed))
        grid.cursor_id = ident
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail")
        await wait_until(pilot, lambda: "Usage (placement: used of capacity)" in plain_text(app)
                         and placed[0].id in plain_text(app), what="usage and servers shown")


async def test_a_compute_service_disabled_forced_down_and_back(sim: RunningSim) -> None:
    nova = _nova(sim)
    host = next(s.host for s in nova.servers.values() if s.host)
    record = compute_service(nova, host)
    app = make_app(cloud="simcloud-admin", view="compute-services")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        grid.cursor_id = record["id"]
        await open_menu(pilot, app)
        await pilot.press(*"disable", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="reason")
        start = len(sim.cloud.request_log)
        await pilot.press(*["backspace"] * 20, "enter")  # no reason: refused in the prompt
        await wait_until(pilot, lambda: "say why" in screen_text(app), what="refused")
        assert writes(sim, start) == []
        await pilot.press(*"disk swap, ticket 4711", "enter")
        await _confirm(pilot, app, ())
        await wait_until(pilot, lambda: record["status"] == "disabled", what="disabled")
        assert record["disabled_reason"] == "disk swap, ticket 4711"
        await wait_until(pilot, lambda: (grid.get_row(record["id"]) or {}).get("reason")
                         == "disk swap, ticket 4711", what="the reason in the row")
        await open_menu(pilot, app)
        await pilot.press(*"mark forced down", "enter")
        await _confirm(pilot, app, ())
        await wait_until(pilot, lambda: record["forced_down"], what="forced down")
        await wait_until(pilot, lambda: _cell(grid, record["id"], "state") == "down (forced)",
                         what="the row says so")
        admin = openstack.connect(cloud="simcloud-admin")
        try:
            hypervisor = next(h for h in admin.compute.get(
                "/os-hypervisors/detail", microversion="2.88").json()["hypervisors"]
                if h["service"]["host"] == host)
        finally:
            admin.close()
        assert (hypervisor["state"], hypervisor["status"]) == ("down", "disabled")
        await open_menu(pilot, app)
        await pilot.press(*"clear forced down", "enter")
        await wait_until(pilot, lambda: not record["forced_down"], what="up again")
        await open_menu(pilot, app)
        await pilot.press(*"enable", "enter")
        await wait_until(pilot, lambda: record["status"] == "enabled", what="enabled")
        assert record["disabled_reason"] is None
        # Nova changes only nova-compute: the others' actions say why, nothing is sent.
        conductor = next(i for i in grid.visible_ids()
                         if (grid.get_row(i) or {}).get("binary") == "nova-conductor")
        grid.cursor_id = conductor
        await open_menu(pilot, app)
        await pilot.press(*"disable")
        await wait_until(pilot, lambda: "Nova changes only nova-compute services"
                         in screen_text(app), what="the reason in the menu")


async def test_a_member_sees_no_operator_view(sim: RunningSim) -> None:
    app = make_app(view="servers")
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        words = app.command_words()
        assert "servers" in words and "hypervisors" not in words
        assert "compute-services" not in words
        app.goto("hypervisors")
        await wait_until(pilot, lambda: any("needs the admin role" in n for n in notes(app)),
                         what="refused")
        assert app.current_mode == "servers"
    # Opened at start (before the roles are known): the view says so and never polls.
    app = make_app(view="hypervisors")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: "needs the admin role" in screen_text(app),
                         what="said in the view")
        assert not any("os-hypervisors" in r.path for r in sim.cloud.request_log)
