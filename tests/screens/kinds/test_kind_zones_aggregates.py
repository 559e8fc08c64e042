"""Issue 16, availability zones and host aggregates: zones with their hosts, up or down, a
zone whose hosts are all disabled unavailable (Nova's own rule); aggregates created with a
zone (a name in use refused with Nova's words, nothing typed lost), a compute host added from
a picker and removed, metadata set (bad input refused before sending), and deleted, where
Nova's refusal of a non-empty one is shown; none of it for a member."""

from __future__ import annotations

from typing import Any

from tests.helpers.app import (
    list_screen,
    loaded,
    make_app,
    notes,
    screen_text,
    shown,
    wait_until,
)
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import open_menu, press_and_confirm, writes
from tuicloud.screens.forms.create_aggregate import CreateAggregateForm
from tuicloud.screens.prompts import ChoicePrompt, TextPrompt
from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.nova_hosts import compute_service
from tuicloud.simcloud.nova_model import HOSTS


def _plain(value: Any) -> str:
    return str(getattr(value, "plain", value))


def _aggregates(sim: RunningSim) -> dict[int, dict[str, Any]]:
    store: dict[int, dict[str, Any]] = sim.cloud.service("compute").__dict__["aggregates"]
    return store


async def test_zones_with_hosts_up_down_and_unavailable(sim: RunningSim) -> None:
    nova = sim.cloud.service("compute")
    for host in HOSTS["az-2"]:
        compute_service(nova, host).update(status="disabled", disabled_reason="rack move")
    compute_service(nova, HOSTS["nova"][0])["forced_down"] = True
    app = make_app(cloud="simcloud-admin", view="zones")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, minimum=3)
        styles = list_screen(app)._status_styles
        nova_row, az2 = grid.get_row("nova") or {}, grid.get_row("az-2") or {}
        assert (_plain(nova_row["state"]), nova_row["count"], nova_row["services"]) == (
            "available", len(HOSTS["nova"]), f"{len(HOSTS['nova']) - 1} up, 1 down")
        assert (_plain(az2["state"]), az2["count"]) == ("unavailable", 0)
        assert az2["state"].style == styles["error"]
        assert HOSTS["nova"][1] in str(nova_row["hosts"])
        grid.cursor_id = "nova"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "nova-compute down" in screen_text(app)
                         and HOSTS["nova"][0] in screen_text(app), what="the zone's services")


async def _choose(pilot: Any, app: Any, wanted: str) -> ChoicePrompt:
    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                     and bool(app.screen.choices), what="the picker")
    prompt = app.screen
    assert isinstance(prompt, ChoicePrompt)
    for _ in range(len(prompt.choices)):
        if prompt.current_value() == wanted:
            break
        await pilot.press("down")
    assert prompt.current_value() == wanted, prompt.choices
    return prompt


async def test_an_aggregate_made_filled_described_and_deleted(sim: RunningSim) -> None:
    app = make_app(cloud="simcloud-admin", view="aggregates")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        seeded = next(iter(_aggregates(sim).values()))
        assert (grid.get_row(str(seeded["id"])) or {}).get("zone") == "az-2"
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateAggregateForm),
                         what="form")
        screen = form(app)
        set_field(screen, "name", seeded["name"])
        set_field(screen, "zone", "fast:zone")
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "':'" in field_error(screen, "zone"), what="refused")
        assert writes(sim, start) == []
        set_field(screen, "zone", "fast")
        await settle(pilot)
        await shown(pilot, app, f"openstack aggregate create --zone fast {seeded['name']}")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "already exists" in field_error(screen, "name"),
                         what="Nova's refusal at the name")
        assert app.screen is screen and screen.values()["zone"] == "fast"
        set_field(screen, "name", "fast-hosts")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not screen, what="created")
        made = next(a for a in _aggregates(sim).values() if a["name"] == "fast-hosts")
        assert made["metadata"] == {"availability_zone": "fast"}
        ident = str(made["id"])
        await wait_until(pilot, lambda: grid.get_row(ident) is not None, what="listed")
        grid.cursor_id = ident
        # A host from the picker: the compute hosts, those already in it not pickable.
        made["hosts"].append(HOSTS["nova"][1])
        await pilot.press("r")
        await wait_until(pilot, lambda: (grid.get_row(ident) or {}).get("count") == 1,
                         what="one host")
        await open_menu(pilot, app)
        await pilot.press(*"add host", "enter")
        prompt = await _choose(pilot, app, HOSTS["nova"][0])
        reasons = {c.value: c.disabled for c in prompt.choices}
        assert reasons[HOSTS["nova"][1]] == "in this aggregate already"
        assert set(reasons) == {h for hosts in HOSTS.values() for h in hosts}
        await pilot.press("enter")
        await wait_until(pilot, lambda: HOSTS["nova"][0] in made["hosts"], what="added")
        await wait_until(pilot, lambda: (grid.get_row(ident) or {}).get("count") == 2,
                         what="shown")
        # Metadata: not key=value is refused in the prompt; then set.
        await open_menu(pilot, app)
        await pilot.press(*"set metadata", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        start = len(sim.cloud.request_log)
        await pilot.press(*"ssd", "enter")
        await wait_until(pilot, lambda: "key=value" in screen_text(app), what="refused")
        assert writes(sim, start) == []
        await pilot.press(*"=true", "enter")
        await wait_until(pilot, lambda: made["metadata"].get("ssd") == "true", what="set")
        await wait_until(pilot, lambda: (grid.get_row(ident) or {}).get("properties")
                         == "ssd=true", what="shown")
        # Delete while it has hosts: Nova's reason, the aggregate stays.
        await pilot.press("ctrl+d")
        await press_and_confirm(pilot, app, ())
        await wait_until(pilot, lambda: any("Host aggregate is not empty" in n
                                            for n in notes(app)), what="Nova's reason")
        assert made["id"] in _aggregates(sim)
        for host in list(made["hosts"]):
            await open_menu(pilot, app)
            await pilot.press(*"remove host", "enter")
            await _choose(pilot, app, host)
            await pilot.press("enter")
            await press_and_confirm(pilot, app, ())
            await wait_until(pilot, lambda h=host: h not in made["hosts"], what="removed")
        await wait_until(pilot, lambda: (grid.get_row(ident) or {}).get("count") == 0,
                         what="empty")
        await pilot.press("ctrl+d")
        await press_and_confirm(pilot, app, ())
        await wait_until(pilot, lambda: made["id"] not in _aggregates(sim), what="deleted")
        await wait_until(pilot, lambda: grid.get_row(ident) is None, what="gone from the list")


async def test_a_member_gets_neither_zones_nor_aggregates(sim: RunningSim) -> None:
    app = make_app(view="servers")
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        words = app.command_words()
        assert "zones" not in words and "aggregates" not in words
        app.goto("aggregates")
        await wait_until(pilot, lambda: any("needs the admin role" in n for n in notes(app)),
                         what="refused")


def test_the_create_command_parses_with_the_openstack_cli() -> None:
    from tests.helpers.osc import osc_parser_for
    from tuicloud.cloud.operations.aggregates import aggregate_command

    parser, rest = osc_parser_for(aggregate_command("fast hosts", "fast"))
    parsed = vars(parser.parse_args(rest))
    assert (parsed["name"], parsed["zone"]) == ("fast hosts", "fast")
