"""Availability zones and host aggregates against the rig: its zones as Nova's detail lists
them; an aggregate made in the form (a name in use refused in Nova's words), the rig's one
compute host added from the picker and removed, metadata set, a delete refused while the host
is in it and done after (deleted at the end whatever happens). No zone on the aggregate: Nova
refuses to move a host that runs servers into another zone, and the rig's host does."""

from __future__ import annotations

from typing import Any

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, notes, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.likeness import call
from tests.helpers.ops import open_menu, press_and_confirm
from tests.real import rig
from tuicloud.screens.forms.create_aggregate import CreateAggregateForm
from tuicloud.screens.prompts import ChoicePrompt, TextPrompt

V = "compute 2.96"


def _aggregate(admin: Connection, name: str) -> dict[str, Any] | None:
    listed = call(admin, "compute", "GET", "/os-aggregates", version=V).json()["aggregates"]
    return next((a for a in listed if a["name"] == name), None)


async def test_zones_as_nova_lists_them(admin_sdk: Connection) -> None:
    zones = call(admin_sdk, "compute", "GET", "/os-availability-zone/detail",
                 version=V).json()["availabilityZoneInfo"]
    app = make_app(cloud="real-admin", view="zones")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, minimum=len(zones), timeout=rig.SLOW)
        assert set(grid.visible_ids()) == {z["zoneName"] for z in zones}
        for zone in zones:
            row = grid.get_row(zone["zoneName"]) or {}
            assert row["count"] == len(zone["hosts"] or {})
            assert str(getattr(row["state"], "plain", row["state"])) == (
                "available" if zone["zoneState"]["available"] else "unavailable")


async def _pick(pilot: Any, app: Any, wanted: str) -> None:
    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                     and bool(app.screen.choices), timeout=rig.SLOW, what="the picker")
    prompt = app.screen
    assert isinstance(prompt, ChoicePrompt)
    for _ in range(len(prompt.choices)):
        if prompt.current_value() == wanted:
            break
        await pilot.press("down")
    assert prompt.current_value() == wanted, prompt.choices
    await pilot.press("enter")


async def test_an_aggregate_made_filled_and_deleted(admin_sdk: Connection, prefix: str) -> None:
    name = prefix + "agg"
    host = next(s["host"] for s in call(admin_sdk, "compute", "GET", "/os-services",
                                        version=V).json()["services"]
                if s["binary"] == "nova-compute")
    taken = call(admin_sdk, "compute", "POST", "/os-aggregates", version=V,
                 json={"aggregate": {"name": prefix + "taken"}}).json()["aggregate"]
    app = make_app(cloud="real-admin", view="aggregates")
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            grid = await loaded(pilot, app, timeout=rig.SLOW)
            await pilot.press("c")
            await wait_until(pilot, lambda: isinstance(app.screen, CreateAggregateForm),
                             what="form")
            screen = form(app)
            set_field(screen, "name", taken["name"])
            await settle(pilot)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: f"Aggregate {taken['name']} already exists"
                             in field_error(screen, "name"), timeout=rig.SLOW,
                             what="Nova's refusal")
            set_field(screen, "name", name)
            await settle(pilot)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.screen is not screen, timeout=rig.SLOW,
                             what="created")
            made = rig.wait_for(lambda: _aggregate(admin_sdk, name), "made in Nova")
            ident = str(made["id"])
            await wait_until(pilot, lambda: grid.get_row(ident) is not None, timeout=rig.SLOW,
                             what="listed")
            grid.cursor_id = ident
            await open_menu(pilot, app)
            await pilot.press(*"add host", "enter")
            await _pick(pilot, app, host)
            rig.wait_for(lambda: (_aggregate(admin_sdk, name) or {}).get("hosts") == [host],
                         "the host added")
            await open_menu(pilot, app)
            await pilot.press(*"set metadata", "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
            await pilot.press(*"ssd=true", "enter")
            rig.wait_for(lambda: (_aggregate(admin_sdk, name) or {}).get("metadata")
                         == {"ssd": "true"}, "metadata set")
            await wait_until(pilot, lambda: (grid.get_row(ident) or {}).get("count") == 1,
                             timeout=rig.SLOW, what="the host shown")
            await pilot.press("ctrl+d")
            await press_and_confirm(pilot, app, ())
            await wait_until(pilot, lambda: any("Host aggregate is not empty" in n
                                                for n in notes(app)), timeout=rig.SLOW,
                             what="Nova's reason")
            await open_menu(pilot, app)
            await pilot.press(*"remove host", "enter")
            await _pick(pilot, app, host)
            await press_and_confirm(pilot, app, ())
            rig.wait_for(lambda: (_aggregate(admin_sdk, name) or {}).get("hosts") == [],
                         "the host removed")
            await wait_until(pilot, lambda: (grid.get_row(ident) or {}).get("count") == 0,
                             timeout=rig.SLOW, what="empty")
            await pilot.press("ctrl+d")
            await press_and_confirm(pilot, app, ())
            rig.wait_for(lambda: _aggregate(admin_sdk, name) is None, "deleted")
    finally:
        for leftover in (_aggregate(admin_sdk, name), taken):
            if leftover:
                for h in leftover.get("hosts") or []:
                    call(admin_sdk, "compute", "POST", f"/os-aggregates/{leftover['id']}/action",
                         version=V, json={"remove_host": {"host": h}})
                call(admin_sdk, "compute", "DELETE", f"/os-aggregates/{leftover['id']}",
                     version=V)
