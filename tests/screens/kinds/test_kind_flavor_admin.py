"""Issue 16, flavors managed by an admin: created in a form checked field by field (a
non-numeric vCPU count refused before sending; Nova's 'already exists' at the name and a
refused extra spec at the specs, the flavor deleted again, nothing typed lost), access to a
private flavor granted and revoked by project name, deleted after confirmation; a member is
offered none of it."""

from __future__ import annotations

from typing import Any

from tests.helpers.app import loaded, make_app, notes, shown, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import open_menu, press_and_confirm, writes
from tuicloud.screens.forms.create_flavor import CreateFlavorForm
from tuicloud.screens.prompts import ChoicePrompt
from tuicloud.simcloud import RunningSim


def _specs(screen: Any, text: str) -> None:
    screen.rows()["extra_specs"].widget.text = text  # a TextArea: typed lines


def _flavors(sim: RunningSim) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = sim.cloud.service("compute").flavors
    return found


def _live(sim: RunningSim, name: str) -> dict[str, Any] | None:
    return next((f for f in _flavors(sim).values() if f["name"] == name and not f["deleted"]),
                None)


async def _pick(pilot: Any, app: Any, label: str) -> ChoicePrompt:
    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                     and bool(app.screen.choices), what="the picker")
    prompt = app.screen
    assert isinstance(prompt, ChoicePrompt)
    wanted = next(c.value for c in prompt.choices if c.label == label)
    for _ in range(len(prompt.choices)):
        if prompt.current_value() == wanted:
            break
        await pilot.press("down")
    assert prompt.current_value() == wanted
    return prompt


async def test_a_flavor_created_shared_and_deleted(sim: RunningSim) -> None:
    taken = next(f["name"] for f in _flavors(sim).values() if not f["deleted"])
    demo = str(sim.cloud.service("identity").project_by_name("demo").id)
    app = make_app(cloud="simcloud-admin", view="flavors")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateFlavorForm), what="form")
        screen = form(app)
        set_field(screen, "name", taken)
        set_field(screen, "vcpus", "two")
        set_field(screen, "ram", "2048")
        set_field(screen, "disk", "20")
        set_field(screen, "public", False)
        _specs(screen, "hw:cpu_policy=bogus\n")
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "whole number" in field_error(screen, "vcpus"),
                         what="vCPUs refused")
        assert writes(sim, start) == []
        set_field(screen, "vcpus", "2")
        await settle(pilot)
        await shown(pilot, app, "openstack flavor create --vcpus 2 --ram 2048 --disk 20 --private "
                    "--property hw:cpu_policy=bogus")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "already exists" in field_error(screen, "name"),
                         what="Nova's refusal at the name")
        set_field(screen, "name", "m9.pinned")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "is not one of" in field_error(screen, "extra_specs"),
                         what="the spec refused")
        assert _live(sim, "m9.pinned") is None  # deleted again
        assert screen.values()["ram"] == "2048" and app.screen is screen
        _specs(screen, "hw:cpu_policy=dedicated\nhw:mem_page_size=large")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not screen, what="created")
        made = _live(sim, "m9.pinned")
        assert made is not None and not made["is_public"]
        assert (made["vcpus"], made["ram"], made["disk"]) == (2, 2048, 20)
        assert made["extra_specs"] == {"hw:cpu_policy": "dedicated", "hw:mem_page_size": "large"}
        await wait_until(pilot, lambda: grid.get_row(made["id"]) is not None, what="listed")
        grid.cursor_id = made["id"]
        await open_menu(pilot, app)
        await pilot.press(*"grant", "enter")
        await _pick(pilot, app, "demo")
        await pilot.press("enter")
        access = sim.cloud.service("compute").flavor_access
        await wait_until(pilot, lambda: demo in access.get(made["id"], set()), what="granted")
        await open_menu(pilot, app)
        await pilot.press(*"revoke", "enter")
        prompt = await _pick(pilot, app, "demo")
        assert [c.label for c in prompt.choices] == ["demo"]
        await pilot.press("enter")
        await press_and_confirm(pilot, app, ())
        await wait_until(pilot, lambda: demo not in access.get(made["id"], set()),
                         what="revoked")
        await pilot.press("ctrl+d")
        await press_and_confirm(pilot, app, ())
        await wait_until(pilot, lambda: _live(sim, "m9.pinned") is None, what="deleted")
        await wait_until(pilot, lambda: grid.get_row(made["id"]) is None, what="gone")


async def test_a_member_is_offered_no_flavor_management(sim: RunningSim) -> None:
    app = make_app(view="flavors")
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        start = len(sim.cloud.request_log)
        await pilot.press("c")
        await pilot.press("ctrl+d")
        await pilot.press("a")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, CreateFlavorForm)
        text = await shown(pilot, app, "Flavors", "m1.tiny", "space Mark")  # list and footer
        assert "Delete" not in text and writes(sim, start) == []
        assert not any("Confirm" in type(s).__name__ for s in app.screen_stack)
        assert not notes(app) or all("flavor" not in n.lower() for n in notes(app))


def test_the_create_command_parses_with_the_openstack_cli() -> None:
    from tests.helpers.osc import osc_parser_for
    from tuicloud.cloud.operations.flavors import FlavorSpec, flavor_command

    spec = FlavorSpec("m9 pinned", vcpus=2, ram=2048, disk=20, ephemeral=5, swap=512,
                      public=False, extra_specs={"hw:cpu_policy": "dedicated"})
    parser, rest = osc_parser_for(flavor_command(spec))
    parsed = vars(parser.parse_args(rest))
    assert (parsed["name"], parsed["vcpus"], parsed["ram"], parsed["disk"], parsed["ephemeral"],
            parsed["swap"], parsed["public"], parsed["properties"]) == (
        "m9 pinned", 2, 2048, 20, 5, 512, False, {"hw:cpu_policy": "dedicated"})
