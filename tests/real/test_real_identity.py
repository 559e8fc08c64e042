"""Identity against the rig's Keystone, as its admin: a project, a user and a role assignment
made here (by the SDK) are shown by name, disabled, revoked and deleted from the app, each
read back from Keystone; the demo user is refused the admin views."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest
import yaml
from openstack import exceptions as os_exc
from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, notes, shown, table, wait_until
from tests.helpers.forms import form, set_field, settle
from tests.helpers.ops import cell, open_menu, press_and_confirm
from tests.real import rig
from tuicloud.screens.forms.create_app_credential import CreateAppCredentialForm
from tuicloud.screens.resource_list import ResourceListScreen


@pytest.fixture
def people(admin_sdk: Connection, prefix: str) -> Iterator[dict[str, Any]]:
    """A project, a user in it (email, default project) holding the reader role there."""
    identity = admin_sdk.identity
    project = identity.create_project(name=prefix + "idp", domain_id="default",
                                      description="tuicloud identity test")
    user = identity.create_user(name=prefix + "idu", domain_id="default",
                                password=prefix + "pw-not-secret", email="idu@example.org",
                                default_project_id=project.id)
    reader = identity.find_role("reader", ignore_missing=False)
    identity.assign_project_role_to_user(project, user, reader)
    try:
        yield {"project": project, "user": user, "reader": reader}
    finally:
        for step in (lambda: identity.delete_user(user, ignore_missing=True),
                     lambda: identity.delete_project(project, ignore_missing=True)):
            try:
                step()
            except os_exc.SDKException:
                rig.log.exception("identity clean-up")


async def test_a_user_shown_disabled_and_deleted(people: dict[str, Any],
                                                 admin_sdk: Connection) -> None:
    user = people["user"]
    app = make_app(cloud="real-admin", view="users")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await wait_until(pilot, lambda: user.id in grid.visible_ids(), timeout=rig.SLOW,
                         what="the user listed")
        assert cell(grid, user.id, "email") == "idu@example.org"
        grid.cursor_id = user.id
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"disable", "enter"))
        await wait_until(pilot, lambda: admin_sdk.identity.get_user(user.id).is_enabled
                         is False, timeout=rig.SLOW, what="disabled in Keystone")
        await wait_until(pilot, lambda: cell(grid, user.id, "enabled") == "no",
                         timeout=rig.SLOW, what="the row says so")
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"delete", "enter"))
        await wait_until(pilot, lambda: admin_sdk.identity.find_user(user.id) is None,
                         timeout=rig.SLOW, what="deleted in Keystone")
        await wait_until(pilot, lambda: user.id not in grid.visible_ids(), timeout=rig.SLOW,
                         what="row gone")


async def test_a_role_assignment_by_name_revoked(people: dict[str, Any],
                                                 admin_sdk: Connection) -> None:
    user, project, reader = people["user"], people["project"], people["reader"]
    ident = f"projects/{project.id}/users/{user.id}/roles/{reader.id}"
    app = make_app(cloud="real-admin", view="role-assignments")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await wait_until(pilot, lambda: ident in grid.visible_ids(), timeout=rig.SLOW,
                         what="the assignment listed")
        assert (cell(grid, ident, "name"), cell(grid, ident, "role"),
                cell(grid, ident, "scope")) == (user.name, "reader", f"project {project.name}")
        grid.cursor_id = ident
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"revoke", "enter"))
        await wait_until(pilot, lambda: not list(admin_sdk.identity.role_assignments(
            scope_project_id=project.id, user_id=user.id)), timeout=rig.SLOW, what="revoked")
        await wait_until(pilot, lambda: ident not in grid.visible_ids(), timeout=rig.SLOW,
                         what="row gone")


async def test_a_project_disabled_and_deleted(people: dict[str, Any],
                                              admin_sdk: Connection) -> None:
    project = people["project"]
    app = make_app(cloud="real-admin", view="projects")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await wait_until(pilot, lambda: project.id in grid.visible_ids(), timeout=rig.SLOW,
                         what="the project listed")
        assert cell(grid, project.id, "description") == "tuicloud identity test"
        grid.cursor_id = project.id
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"disable", "enter"))
        await wait_until(pilot, lambda: admin_sdk.identity.get_project(project.id).is_enabled
                         is False, timeout=rig.SLOW, what="disabled in Keystone")
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"delete", "enter"))
        await wait_until(pilot, lambda: admin_sdk.identity.find_project(project.id) is None,
                         timeout=rig.SLOW, what="deleted in Keystone")


async def test_the_demo_user_is_refused_identity_administration() -> None:
    app = make_app(cloud="real-demo", view="flavors")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, timeout=rig.SLOW)
        words = app.command_words()
        assert "app-credentials" in words and "users" not in words
        app.goto("role-assignments")
        await wait_until(pilot, lambda: any("needs the admin role" in n for n in notes(app)),
                         timeout=rig.SLOW, what="refused")


async def test_an_application_credential_made_and_signing_in(
        prefix: str, demo_sdk: Connection, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Made from the form, saved as a clouds.yaml entry, which the real Keystone accepts."""
    target = tmp_path / "cred.clouds.yaml"
    name = prefix + "cred"
    app = make_app(cloud="real-demo", view="app-credentials")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, 0, timeout=rig.SLOW)  # the run's user may have none yet
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateAppCredentialForm),
                         what="form")
        screen = form(app)
        set_field(screen, "name", name)
        set_field(screen, "expires", "1d")
        set_field(screen, "file", str(target))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        assert target.exists(), notes(app)
        entry = yaml.safe_load(target.read_text())["clouds"][f"real-demo-{name}"]
        ident = entry["auth"]["application_credential_id"]
        await wait_until(pilot, lambda: ident in table(app).visible_ids(), timeout=rig.SLOW,
                         what="new row")
        text = await shown(pilot, app, "Application credentials", name, timeout=rig.SLOW)
        assert entry["auth"]["application_credential_secret"] not in text
    made = demo_sdk.identity.get_application_credential(demo_sdk.current_user_id, ident)
    assert [r["name"] for r in made.roles] == ["reader"] and made.expires_at
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(target))
    conn = openstack.connect(cloud=f"real-demo-{name}")
    try:
        assert conn.session.auth.get_access(conn.session).role_names == ["reader"]
        assert conn.current_project_id == demo_sdk.current_project_id
    finally:
        conn.close()
