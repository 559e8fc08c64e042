"""Issue 16, the operator's views: hypervisors with their usage from placement (as the
scheduler sees it: used of (total - reserved) × ratio) and the servers on each; compute
services disabled with a reason, enabled, forced down and up, each seen on the hypervisor
too; a member sees none of it ("needs the admin role", no completion)."""

from __future__ import annotations

from typing import Any

import openstack

from tests.helpers.app import loaded, make_app, notes, screen_text, wait_until
from tests.helpers.forms import plain_text
from tests.helpers.ops import cell, open_menu, press_and_confirm, writes
from tuicloud.cloud.kinds.hypervisors import capacity, usage_bar
from tuicloud.screens.actions_menu import ActionsMenu
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.prompts import ChoicePrompt, TextPrompt
from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.nova_hosts import compute_service, servers_on
from tuicloud.simcloud.nova_model import HOST_ZONE
from tuicloud.simcloud.placement import INVENTORY


def _nova(sim: RunningSim) -> Any:
    return sim.cloud.service("compute")



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
        assert (cell(grid, ident, "state"), row["status"], row["servers"]) == (
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
        await press_and_confirm(pilot, app, ())
        await wait_until(pilot, lambda: record["status"] == "disabled", what="disabled")
        assert record["disabled_reason"] == "disk swap, ticket 4711"
        await wait_until(pilot, lambda: (grid.get_row(record["id"]) or {}).get("reason")
                         == "disk swap, ticket 4711", what="the reason in the row")
        await open_menu(pilot, app)
        await pilot.press(*"mark forced down", "enter")
        await press_and_confirm(pilot, app, ())
        await wait_until(pilot, lambda: record["forced_down"], what="forced down")
        await wait_until(pilot, lambda: cell(grid, record["id"], "state") == "down (forced)",
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


async def _pick_host(pilot: Any, app: Any, action: str, wanted: str) -> None:
    """Run a server action whose input is the host picker, choosing ``wanted``."""
    await open_menu(pilot, app)
    await pilot.press(*action, "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                     and len(app.screen.choices) > 1, what=f"{action} hosts")
    prompt = app.screen
    assert isinstance(prompt, ChoicePrompt)
    for _ in range(len(prompt.choices)):
        if prompt.current_value() == wanted:
            break
        await pilot.press("down")
    assert prompt.current_value() == wanted, prompt.choices
    await pilot.press("enter")
    await press_and_confirm(pilot, app, ())


async def test_servers_migrated_live_and_cold_and_the_migrations_listed(
        sim: RunningSim) -> None:
    nova = _nova(sim)
    server = next(s for s in nova.servers.values() if s.vm_state == "active" and s.host
                  and not s.locked and not s.hostile)
    zone_hosts = [h for h, z in HOST_ZONE.items() if z == HOST_ZONE[server.host]]
    target = next(h for h in zone_hosts if h != server.host)
    disabled = next(h for h in zone_hosts if h not in (server.host, target))
    compute_service(nova, disabled).update(status="disabled", disabled_reason="broken fan")
    before = len(nova.migrations)  # the seeded history
    app = make_app(cloud="simcloud-admin", view="servers", all_projects=True)
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: grid.get_row(server.id) is not None, what="its row")
        grid.cursor_id = server.id
        await open_menu(pilot, app)
        await pilot.press(*"live-migrate", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                         and len(app.screen.choices) > 1, what="hosts")
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        reasons = {c.value: c.disabled for c in prompt.choices}
        assert reasons[server.host] == "the server is here"
        assert reasons[disabled] == "disabled: broken fan" and reasons[target] is None
        await pilot.press("escape")
        await _pick_host(pilot, app, "live-migrate", target)
        await wait_until(pilot, lambda: server.host == target and server.task_state is None,
                         what="moved")
        # Fault injection: the next one fails, and the server stays where it was.
        sim.cloud.faults.failing_migrations.add(server.id)
        await wait_until(pilot, lambda: "migrating" not in str(
            (grid.get_row(server.id) or {}).get("status")), what="settled in the list")
        await _pick_host(pilot, app, "live-migrate", "*")
        # Rolled back during the copy: Nova says "failed" ("error" is the conductor's).
        await wait_until(pilot, lambda: nova.migrations[-1]["status"] == "failed",
                         what="the migration failed")
        assert server.host == target and server.vm_state == "active"
        sim.cloud.faults.failing_migrations.clear()
        await wait_until(pilot, lambda: server.task_state is None, what="settled")
        await wait_until(pilot, lambda: "migrating" not in str(
            (grid.get_row(server.id) or {}).get("status")), what="settled in the list")
        await _pick_host(pilot, app, "migrate (cold)", "*")
        await wait_until(pilot, lambda: server.vm_state == "resized", what="VERIFY_RESIZE")
        cold = nova.migrations[-1]
        assert (cold["migration_type"], cold["status"]) == ("migration", "finished")
        await wait_until(pilot, lambda: "VERIFY_RESIZE" in str(
            (grid.get_row(server.id) or {}).get("status")), what="shown")
        await open_menu(pilot, app)
        await pilot.press(*"confirm resize", "enter")
        await wait_until(pilot, lambda: cold["status"] == "confirmed", what="confirmed")
        app.goto("migrations")
        await wait_until(pilot, lambda: app.current_mode == "migrations"
                         and bool(app.screen.query("ResourceTable")), what="switched")
        grid = await loaded(pilot, app)
        mine = nova.migrations[before:]
        assert {m["instance_uuid"] for m in mine} == {server.id}
        await wait_until(pilot, lambda: all(grid.get_row(m["uuid"]) for m in mine),
                         what="its migrations listed")
        statuses = {cell(grid, m["uuid"], "status") for m in mine}
        assert statuses == {"completed", "failed", "confirmed"}
        assert (grid.get_row(mine[0]["uuid"]) or {}).get("route") == \
            f"{mine[0]['source_compute']} → {target}"


async def test_a_member_is_not_offered_admin_actions(sim: RunningSim) -> None:
    app = make_app(view="servers")
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        await open_menu(pilot, app)
        await pilot.press(*"migrate")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionsMenu)
                         and app.screen.raws is not None, what="menu filled")
        assert "Live-migrate" not in plain_text(app) and "Reset state" not in plain_text(app)


async def test_a_server_evacuated_from_a_dead_host_then_force_deleted(sim: RunningSim) -> None:
    nova = _nova(sim)
    server = next(s for s in nova.servers.values() if s.vm_state == "active" and s.host
                  and not s.locked and not s.hostile and not s.task_state)
    dead = str(server.host)
    app = make_app(cloud="simcloud-admin", view="servers", all_projects=True)
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: grid.get_row(server.id) is not None, what="its row")
        grid.cursor_id = server.id
        # Its host is up: evacuating is greyed, with why, and nothing is sent.
        await open_menu(pilot, app)
        await pilot.press(*"evacuate")
        await wait_until(pilot, lambda: "evacuate only from a down" in plain_text(app),
                         what="greyed with the reason")
        await pilot.press("escape")
        compute_service(nova, dead)["forced_down"] = True
        await _pick_host(pilot, app, "evacuate", "*")
        await wait_until(pilot, lambda: server.host != dead and server.task_state is None,
                         what="rebuilt elsewhere")
        assert server.vm_state == "stopped"  # from compute 2.95 it waits there, stopped
        evacuation = nova.migrations[-1]
        assert (evacuation["migration_type"], evacuation["status"],
                evacuation["source_compute"]) == ("evacuation", "done", dead)
        # Force delete: the confirmation names the server; then it is gone.
        await wait_until(pilot, lambda: "SHUTOFF" in cell(grid, server.id, "status"),
                         what="shown stopped")
        await open_menu(pilot, app)
        await pilot.press(*"force delete", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen) and confirm.names == [server.name]
        assert f"openstack server delete --force {server.id}" in (confirm.command or "")
        await pilot.press("y")
        await wait_until(pilot, lambda: server.id not in nova.servers
                         or nova.servers[server.id].deleted, what="force-deleted")
        await wait_until(pilot, lambda: grid.get_row(server.id) is None, what="its row gone")
