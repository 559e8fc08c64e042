"""Flavor management against the rig: a private flavor made in the form (a refused extra spec
shown at its field and the flavor deleted again), access granted to this run's project by
name and revoked, deleted; each change read back from Nova. Deleted at the end whatever
happens."""

from __future__ import annotations

from typing import Any

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.likeness import call
from tests.helpers.ops import open_menu, press_and_confirm
from tests.real import rig
from tuicloud.screens.forms.create_flavor import CreateFlavorForm
from tuicloud.screens.prompts import ChoicePrompt

V = "compute 2.96"


def _flavor(admin: Connection, name: str) -> dict[str, Any] | None:
    listed = call(admin, "compute", "GET", "/flavors/detail", version=V,
                  params={"is_public": "None"}).json()["flavors"]
    return next((f for f in listed if f["name"] == name), None)


def _access(admin: Connection, ident: str) -> set[str]:
    body = call(admin, "compute", "GET", f"/flavors/{ident}/os-flavor-access", version=V).json()
    return {a["tenant_id"] for a in body["flavor_access"]}


async def _pick(pilot: Any, app: Any, label: str) -> None:
    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                     and bool(app.screen.choices), timeout=rig.SLOW, what="the picker")
    prompt = app.screen
    assert isinstance(prompt, ChoicePrompt)
    wanted = next(c.value for c in prompt.choices if c.label == label)
    for _ in range(len(prompt.choices)):
        if prompt.current_value() == wanted:
            break
        await pilot.press("down")
    await pilot.press("enter")


async def test_a_private_flavor_made_shared_and_deleted(admin_sdk: Connection,
                                                        demo_sdk: Connection,
                                                        prefix: str) -> None:
    name = prefix + "flavor"
    project_id = str(demo_sdk.current_project_id)  # this run's own project
    project = admin_sdk.identity.get_project(project_id).name
    app = make_app(cloud="real-admin", view="flavors")
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            grid = await loaded(pilot, app, timeout=rig.SLOW)
            await pilot.press("c")
            await wait_until(pilot, lambda: isinstance(app.screen, CreateFlavorForm),
                             what="form")
            screen = form(app)
            set_field(screen, "name", name)
            set_field(screen, "vcpus", "1")
            set_field(screen, "ram", "128")
            set_field(screen, "public", False)
            screen.rows()["extra_specs"].widget.text = "hw:cpu_policy=bogus"  # type: ignore
            await settle(pilot)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: "is not one of" in field_error(screen,
                                                                          "extra_specs"),
                             timeout=rig.SLOW, what="Nova's refusal of the spec")
            assert _flavor(admin_sdk, name) is None
            screen.rows()["extra_specs"].widget.text = "hw:cpu_policy=shared"  # type: ignore
            await settle(pilot)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.screen is not screen, timeout=rig.SLOW,
                             what="created")
            made = rig.wait_for(lambda: _flavor(admin_sdk, name), "made in Nova")
            assert (made["vcpus"], made["ram"], made["os-flavor-access:is_public"],
                    made["extra_specs"]) == (1, 128, False, {"hw:cpu_policy": "shared"})
            await wait_until(pilot, lambda: grid.get_row(made["id"]) is not None,
                             timeout=rig.SLOW, what="listed")
            grid.cursor_id = made["id"]
            await open_menu(pilot, app)
            await pilot.press(*"grant", "enter")
            await _pick(pilot, app, project)
            rig.wait_for(lambda: project_id in _access(admin_sdk, made["id"]), "granted")
            await open_menu(pilot, app)
            await pilot.press(*"revoke", "enter")
            await _pick(pilot, app, project)
            await press_and_confirm(pilot, app, ())
            rig.wait_for(lambda: project_id not in _access(admin_sdk, made["id"]), "revoked")
            await pilot.press("ctrl+d")
            await press_and_confirm(pilot, app, ())
            rig.wait_for(lambda: _flavor(admin_sdk, name) is None, "deleted")
    finally:
        leftover = _flavor(admin_sdk, name)
        if leftover:
            call(admin_sdk, "compute", "DELETE", f"/flavors/{leftover['id']}", version=V)
