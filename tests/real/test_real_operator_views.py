"""The operator's views against the rig's one compute host: the hypervisor's usage as placement
reports it (read here from placement directly), its compute service disabled with a reason,
forced down and back (restored whatever happens: the rig's other tests boot servers on it),
each change read back from Nova; and a member refused the views."""

from __future__ import annotations

from typing import Any

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, notes, wait_until
from tests.helpers.likeness import call
from tests.helpers.ops import cell, open_menu, press_and_confirm
from tests.real import rig
from tuicloud.cloud.kinds.hypervisors import capacity, usage_bar
from tuicloud.screens.prompts import ChoicePrompt, TextPrompt


def _compute_service(admin: Connection) -> dict[str, Any]:
    services = call(admin, "compute", "GET", "/os-services",
                    version="compute 2.96").json()["services"]
    return next(s for s in services if s["binary"] == "nova-compute")



async def test_hypervisor_usage_from_placement(admin_sdk: Connection) -> None:
    hypervisor = call(admin_sdk, "compute", "GET", "/os-hypervisors/detail",
                      version="compute 2.96").json()["hypervisors"][0]
    ident = hypervisor["id"]
    app = make_app(cloud="real-admin", view="hypervisors")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)

        def expected() -> str:
            inventory = call(admin_sdk, "placement", "GET",
                             f"/resource_providers/{ident}/inventories").json()["inventories"]
            used = call(admin_sdk, "placement", "GET",
                        f"/resource_providers/{ident}/usages").json()["usages"]
            return usage_bar(int(used.get("VCPU", 0)), capacity(inventory["VCPU"]))

        # Other tests' servers come and go: the row must match placement at some poll.
        await wait_until(pilot, lambda: (grid.get_row(ident) or {}).get("vcpus") == expected(),
                         timeout=rig.SLOW, what="vCPUs as placement counts them")
        assert cell(grid, ident, "state") == hypervisor["state"]
        assert (grid.get_row(ident) or {}).get("name") == hypervisor["hypervisor_hostname"]


async def test_compute_service_disabled_forced_down_and_back(admin_sdk: Connection) -> None:
    service = _compute_service(admin_sdk)
    ident = service["id"]
    app = make_app(cloud="real-admin", view="compute-services")
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            grid = await loaded(pilot, app, timeout=rig.SLOW)
            grid.cursor_id = ident
            await open_menu(pilot, app)
            await pilot.press(*"disable", "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="reason")
            await pilot.press(*["backspace"] * 20, *"tuicloud test", "enter")
            await press_and_confirm(pilot, app, ())
            rig.wait_for(lambda: _compute_service(admin_sdk)["status"] == "disabled",
                         "disabled in Nova")
            assert _compute_service(admin_sdk)["disabled_reason"] == "tuicloud test"
            await wait_until(pilot, lambda: (grid.get_row(ident) or {}).get("reason")
                             == "tuicloud test", timeout=rig.SLOW, what="the reason shown")
            await open_menu(pilot, app)
            await pilot.press(*"mark forced down", "enter")
            await press_and_confirm(pilot, app, ())
            rig.wait_for(lambda: _compute_service(admin_sdk)["forced_down"], "forced down")
            await wait_until(pilot, lambda: cell(grid, ident, "state") == "down (forced)",
                             timeout=rig.SLOW, what="the state shown")
            await open_menu(pilot, app)
            await pilot.press(*"clear forced down", "enter")
            rig.wait_for(lambda: not _compute_service(admin_sdk)["forced_down"], "up again")
            await open_menu(pilot, app)
            await pilot.press(*"enable", "enter")
            rig.wait_for(lambda: _compute_service(admin_sdk)["status"] == "enabled", "enabled")
    finally:
        call(admin_sdk, "compute", "PUT", f"/os-services/{ident}", version="compute 2.96",
             json={"status": "enabled", "forced_down": False})


async def test_a_member_is_refused_the_operator_views(demo_sdk: Connection) -> None:
    app = make_app(cloud="real-demo", view="servers")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, timeout=rig.SLOW,
                         what="connected")
        assert "hypervisors" not in app.command_words()
        app.goto("compute-services")
        await wait_until(pilot, lambda: any("needs the admin role" in n for n in notes(app)),
                         what="refused")


async def test_live_migration_with_one_host_fails_and_is_listed(
        admin_sdk: Connection, server: str) -> None:
    """The rig has one compute host: the scheduler finds no other, Nova rolls back (the server
    stays ACTIVE) and the migrations view shows the failed attempt."""
    before = {m["uuid"] for m in call(admin_sdk, "compute", "GET", "/os-migrations",
                                      version="compute 2.96").json()["migrations"]}
    app = make_app(cloud="real-admin", view="servers", all_projects=True)
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await wait_until(pilot, lambda: grid.get_row(server) is not None, timeout=rig.SLOW,
                         what="the server's row")
        grid.cursor_id = server
        await open_menu(pilot, app)
        await pilot.press(*"live-migrate", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                         and len(app.screen.choices) > 1, timeout=rig.SLOW, what="hosts")
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert [c.disabled for c in prompt.choices[1:]] == ["the server is here"]
        assert prompt.current_value() == "*"
        await pilot.press("enter")
        await press_and_confirm(pilot, app, ())

        def attempt() -> dict[str, Any] | None:
            found = call(admin_sdk, "compute", "GET", "/os-migrations",
                         version="compute 2.96", params={"instance_uuid": server}
                         ).json()["migrations"]
            return next((m for m in found if m["uuid"] not in before
                         and m["status"] in ("error", "failed")), None)

        failed = rig.wait_for(attempt, "the failed migration")
        rig.wait_for(lambda: admin_sdk.compute.get_server(server).status == "ACTIVE"
                     and not admin_sdk.compute.get_server(server).task_state, "back ACTIVE")
        app.goto("migrations")
        await wait_until(pilot, lambda: app.current_mode == "migrations"
                         and bool(app.screen.query("ResourceTable")), what="switched")
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await wait_until(pilot, lambda: grid.get_row(failed["uuid"]) is not None,
                         timeout=rig.SLOW, what="listed")
        assert cell(grid, failed["uuid"], "status") == failed["status"]
        assert (grid.get_row(failed["uuid"]) or {}).get("type") == "live-migration"
