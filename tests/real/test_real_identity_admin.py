"""Identity made from the keyboard against the rig's Keystone (issue 16): a project and a user
created with the forms, the user's password set from the actions (masked, twice) and signing
in, and a role granted by name; each read back from Keystone, then removed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openstack
import pytest
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc
from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, screen_text, table, wait_until
from tests.helpers.forms import form, set_field, settle
from tests.helpers.ops import open_menu
from tests.real import rig
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.forms.create_project import CreateProjectForm
from tuicloud.screens.forms.create_user import CreateUserForm
from tuicloud.screens.forms.grant_role import GrantRoleForm
from tuicloud.screens.prompts import TextPrompt
from tuicloud.screens.resource_list import ResourceListScreen


@pytest.fixture
def made(admin_sdk: Connection, prefix: str) -> Iterator[dict[str, Any]]:
    """What the test makes, deleted afterwards whatever happened."""
    found: dict[str, Any] = {}
    yield found
    identity = admin_sdk.identity
    for name in (prefix + "fu",):
        user = identity.find_user(name, domain_id="default")
        if user is not None:
            try:
                identity.delete_user(user)
            except os_exc.SDKException:
                rig.log.exception("identity clean-up")
    project = identity.find_project(prefix + "fp", domain_id="default")
    if project is not None:
        try:
            identity.delete_project(project)
        except os_exc.SDKException:
            rig.log.exception("identity clean-up")


def _sign_in(auth_url: str, user: str, password: str, project: str) -> list[str]:
    conn = openstack.connect(auth_url=auth_url, username=user, password=password,
                             project_name=project, user_domain_name="Default",
                             project_domain_name="Default", region_name="RegionOne")
    try:
        return sorted(conn.session.auth.get_access(conn.session).role_names)
    finally:
        conn.close()


async def _create(pilot: Any, app: Any, form_class: type, values: dict[str, str]) -> None:
    await pilot.press("c")
    await wait_until(pilot, lambda: isinstance(app.screen, form_class), timeout=rig.SLOW,
                     what="form")
    screen = form(app)
    await wait_until(pilot, lambda: screen.choices_loaded, timeout=rig.SLOW, what="form loaded")
    for name, value in values.items():
        set_field(screen, name, value)
    await settle(pilot)
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                     timeout=rig.SLOW, what="form closed")


async def test_project_user_password_and_role_from_the_keyboard(
        admin_sdk: Connection, prefix: str, made: dict[str, Any]) -> None:
    identity = admin_sdk.identity
    secret = prefix + "Pw-9-long"
    auth_url = str(admin_sdk.session.auth.auth_url)
    app = make_app(cloud="real-admin", view="projects")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, timeout=rig.SLOW)
        await _create(pilot, app, CreateProjectForm,
                      {"name": prefix + "fp", "description": "made by tuicloud"})
        project = identity.find_project(prefix + "fp", domain_id="default",
                                        ignore_missing=False)
        assert project.description == "made by tuicloud"
        await wait_until(pilot, lambda: project.id in table(app).visible_ids(),
                         timeout=rig.SLOW, what="project row")

        app.goto("users")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and app.screen.kind.name == "users", what="users view")
        await loaded(pilot, app, timeout=rig.SLOW)
        await _create(pilot, app, CreateUserForm,
                      {"name": prefix + "fu", "email": "fu@example.org", "project": project.id})
        user = identity.find_user(prefix + "fu", domain_id="default", ignore_missing=False)
        assert (user.email, user.default_project_id) == ("fu@example.org", project.id)
        grid = table(app)
        await wait_until(pilot, lambda: user.id in grid.visible_ids(), timeout=rig.SLOW,
                         what="user row")
        grid.cursor_id = user.id
        await open_menu(pilot, app)
        await pilot.press(*"set password", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        await pilot.press(*secret, "enter", *secret, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await wait_until(pilot, lambda: user.name in screen_text(app),
                         what="the confirmation drawn")  # a blank screen would hide nothing
        assert secret not in screen_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="back")

        app.goto("role-assignments")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and app.screen.kind.name == "role-assignments", what="assignments")
        await loaded(pilot, app, timeout=rig.SLOW)
        member = identity.find_role("member", ignore_missing=False)
        await _create(pilot, app, GrantRoleForm,
                      {"project": project.id, "user": f"user:{user.id}", "role": member.id})
        path = f"projects/{project.id}/users/{user.id}/roles/{member.id}"
        await wait_until(pilot, lambda: path in table(app).visible_ids(), timeout=rig.SLOW,
                         what="assignment row")
    # Keystone took the password the prompt was given, and the role the form granted.
    roles = _sign_in(auth_url, prefix + "fu", secret, prefix + "fp")
    assert "member" in roles, roles
    with pytest.raises(ks_exc.Unauthorized):
        _sign_in(auth_url, prefix + "fu", secret + "x", prefix + "fp")


async def test_a_projects_quotas_read_and_one_set(admin_sdk: Connection, prefix: str,
                                                  made: dict[str, Any]) -> None:
    identity = admin_sdk.identity
    project = identity.create_project(name=prefix + "fp", domain_id="default")
    app = make_app(cloud="real-admin", view="projects")
    try:
        async with app.run_test(size=(160, 60)) as pilot:
            grid = await loaded(pilot, app, timeout=rig.SLOW)
            await wait_until(pilot, lambda: project.id in grid.visible_ids(), timeout=rig.SLOW,
                             what="project row")
            grid.cursor_id = project.id
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                             and "quotas" in app.screen.related, timeout=rig.SLOW,
                             what="quotas")
            detail: Any = app.screen
            rows = {q["quota"]: q for q in detail.related["quotas"]}
            nova = admin_sdk.compute.get_quota_set(project.id)
            assert rows["cores"]["limit"] == nova.cores and rows["cores"]["used"] == 0
            assert {"volumes", "port"} <= set(rows), sorted(rows)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                             what="back")
            await open_menu(pilot, app)
            await pilot.press(*"set quota", "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
            await pilot.press("ctrl+u", *"cores=7", "enter")
            await wait_until(pilot, lambda: admin_sdk.compute.get_quota_set(project.id).cores
                             == 7, timeout=rig.SLOW, what="Nova's quota set")
    finally:
        admin_sdk.compute.revert_quota_set(project.id)
