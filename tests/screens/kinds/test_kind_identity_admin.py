"""Issue 16, identity made from the keyboard (admin): a project and a user created with their
forms (Keystone's refusals next to the field), a password set twice and masked (never on screen,
in a command or in the log), and a role granted on a project by name."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import openstack
import pytest
from keystoneauth1 import exceptions as ks_exc

from tests.helpers.app import loaded, make_app, notes, screen_text, shown, table, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import cell, open_menu, run_with_choice
from tests.helpers.osc import osc_parser_for
from tuicloud.cloud.operations.identity_admin import (
    GrantSpec,
    ProjectSpec,
    UserSpec,
    grant_command,
    password_problem,
    project_command,
    user_command,
)
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.forms.create_group import CreateGroupForm
from tuicloud.screens.forms.create_project import CreateProjectForm
from tuicloud.screens.forms.create_user import CreateUserForm
from tuicloud.screens.forms.grant_role import GrantRoleForm
from tuicloud.screens.prompts import TextPrompt
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim

SECRET = "correct-horse-battery"


def _sign_in(sim: RunningSim, user: str, password: str, project: str) -> list[str]:
    """The role names a password sign-in gets (raises on a refused password)."""
    conn = openstack.connect(auth_url=sim.auth_url, username=user, password=password,
                             project_name=project, user_domain_name="Default",
                             project_domain_name="Default", region_name="RegionOne")
    try:
        return list(conn.session.auth.get_access(conn.session).role_names)
    finally:
        conn.close()


def _nothing_holds(text: str) -> None:
    """No file under the test's state, config and cache folders holds ``text``."""
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        for root, _dirs, files in os.walk(os.environ[var]):
            for name in files:
                assert text not in Path(root, name).read_text(errors="replace"), name


def test_password_rules() -> None:
    assert password_problem("", "", required=False) is None
    assert password_problem("", "", required=True) == "a password is required"
    assert password_problem("short", "short", required=True) == "at least 8 characters"
    assert password_problem(SECRET, SECRET + "x", required=True) == "the two passwords differ"
    assert password_problem(" " + SECRET, " " + SECRET, required=True) is not None
    assert password_problem(SECRET, SECRET, required=True) is None


async def test_a_project_created_and_a_duplicate_name_refused(sim: RunningSim) -> None:
    app = make_app(cloud="simcloud-admin", view="projects")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, len(sim.cloud.projects))
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateProjectForm), what="form")
        screen = form(app)
        set_field(screen, "name", "x" * 65)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "at most 64" in field_error(screen, "name"),
                         what="too long")
        set_field(screen, "name", "research")  # taken: Keystone's 409 next to the name
        await settle(pilot)
        before = len(sim.cloud.projects)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "same name" in field_error(screen, "name"),
                         what="conflict shown")
        assert len(sim.cloud.projects) == before
        set_field(screen, "name", "team-blue")
        set_field(screen, "description", "the blue team")
        await settle(pilot)
        await shown(pilot, app, "openstack project create --domain default "
                    "--description 'the blue team' team-blue")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        made = next(p for p in sim.cloud.projects.values() if p.name == "team-blue")
        assert made.description == "the blue team" and made.enabled
        await wait_until(pilot, lambda: made.id in table(app).visible_ids(), what="new row")


async def test_a_user_created_with_a_password_that_signs_in(sim: RunningSim) -> None:
    demo = next(p for p in sim.cloud.projects.values() if p.name == "demo")
    app = make_app(cloud="simcloud-admin", view="users")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, len(sim.cloud.users))
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateUserForm), what="form")
        screen = form(app)
        await wait_until(pilot, lambda: screen.choices_loaded, what="projects listed")
        set_field(screen, "name", "carol")
        set_field(screen, "email", "not-an-address")
        set_field(screen, "password", SECRET)
        set_field(screen, "password_again", SECRET + "!")
        await settle(pilot)
        before = len(sim.cloud.users)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "differ" in field_error(screen, "password_again"),
                         what="mismatch refused")
        assert "example.org" in field_error(screen, "email")
        assert len(sim.cloud.users) == before
        set_field(screen, "email", "carol@example.org")
        set_field(screen, "password_again", SECRET)
        set_field(screen, "project", demo.id)
        await settle(pilot)
        text = await shown(pilot, app, f"--email carol@example.org --project {demo.id} "
                           "--password-prompt carol")  # the command for the fields as set now
        assert SECRET not in text
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        carol = next(u for u in sim.cloud.users.values() if u.name == "carol")
        assert (carol.email, carol.default_project_id) == ("carol@example.org", demo.id)
        await wait_until(pilot, lambda: carol.id in table(app).visible_ids(), what="new row")
        assert not any(SECRET in n for n in notes(app))
    carol.roles[demo.id] = ["member"]  # a role to sign in with (granting is tested below)
    assert _sign_in(sim, "carol", SECRET, "demo") == ["member"]
    _nothing_holds(SECRET)


async def test_a_password_set_twice_masked_and_the_old_one_refused(sim: RunningSim) -> None:
    alice = next(u for u in sim.cloud.users.values() if u.name == "alice")
    demo = next(p for p in sim.cloud.projects.values() if p.name == "demo")
    alice.roles.setdefault(demo.id, ["member"])
    old = alice.password
    app = make_app(cloud="simcloud-admin", view="users")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, len(sim.cloud.users))
        grid.cursor_id = alice.id
        await open_menu(pilot, app)
        await pilot.press(*"set password", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        prompt: Any = app.screen
        assert all(field.password for field in prompt.secret_inputs())
        await pilot.press(*SECRET, "tab", *SECRET[:-1], "enter")
        await wait_until(pilot, lambda: "differ" in screen_text(app), what="mismatch said")
        assert isinstance(app.screen, TextPrompt) and alice.password == old
        assert "openstack user set --password-prompt" in screen_text(app)
        await pilot.press(SECRET[-1], "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert SECRET not in await shown(pilot, app, f"Set password user {alice.name}?",
                                         "openstack user set --password-prompt")
        await pilot.press("y")
        await wait_until(pilot, lambda: alice.password == SECRET, what="password changed")
        await wait_until(pilot, lambda: any("Set password" in n for n in notes(app)),
                         what="said")
        assert not any(SECRET in n for n in notes(app))
    assert _sign_in(sim, "alice", SECRET, "demo") == ["member"]
    with pytest.raises(ks_exc.Unauthorized):
        _sign_in(sim, "alice", old, "demo")
    _nothing_holds(SECRET)


async def test_a_role_granted_by_name(sim: RunningSim) -> None:
    bob = next(u for u in sim.cloud.users.values() if u.name == "bob")
    ops = next(p for p in sim.cloud.projects.values() if p.name == "ops")
    bob.roles.pop(ops.id, None)
    admin = openstack.connect(cloud="simcloud-admin")
    try:
        role_id = admin.identity.find_role("reader", ignore_missing=False).id
    finally:
        admin.close()
    app = make_app(cloud="simcloud-admin", view="role-assignments")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, GrantRoleForm), what="form")
        screen = form(app)
        await wait_until(pilot, lambda: screen.choices_loaded, what="pickers loaded")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: field_error(screen, "role") == "pick a role",
                         what="all three needed")
        set_field(screen, "project", ops.id)
        set_field(screen, "user", f"user:{bob.id}")
        set_field(screen, "role", role_id)
        await settle(pilot)
        await shown(pilot, app, f"openstack role add --project {ops.id} --user {bob.id} reader")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        assert bob.roles.get(ops.id) == ["reader"]
        path = f"projects/{ops.id}/users/{bob.id}/roles/{role_id}"
        await wait_until(pilot, lambda: path in table(app).visible_ids(), what="new row")


def test_the_commands_parse_with_the_openstack_cli() -> None:
    project = ProjectSpec("team-blue", description="the blue team", enabled=False)
    user = UserSpec("carol", email="carol@example.org", default_project_id="p1",
                    password=SECRET)
    grant = GrantSpec("p1", "u1", "r1", role_name="reader")
    for argv, expected in ((project_command(project), {"team-blue", "the blue team"}),
                           (user_command(user), {"carol", "carol@example.org", "p1"}),
                           (grant_command(grant), {"p1", "u1", "reader"})):
        parser, rest = osc_parser_for(argv)
        parsed = vars(parser.parse_args(rest))
        assert expected <= {str(v) for v in parsed.values()}, parsed
        assert SECRET not in " ".join(argv)
    assert vars(osc_parser_for(user_command(user))[0].parse_args(
        osc_parser_for(user_command(user))[1]))["password_prompt"]
    assert SECRET not in repr(user)


async def test_a_projects_quotas_shown_with_usage_and_one_changed(sim: RunningSim) -> None:
    demo = next(p for p in sim.cloud.projects.values() if p.name == "demo")
    nova = sim.cloud.service("compute")
    in_use = sum(1 for s in nova.servers.values() if s.project_id == demo.id)
    app = make_app(cloud="simcloud-admin", view="projects")
    async with app.run_test(size=(160, 60)) as pilot:
        grid = await loaded(pilot, app, len(sim.cloud.projects))
        grid.cursor_id = demo.id
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and "quotas" in app.screen.related, what="detail with quotas")
        detail: Any = app.screen
        rows = {q["quota"]: q for q in detail.related["quotas"]}
        assert rows["instances"]["used"] == in_use
        assert rows["instances"]["limit"] == nova.quota(demo.id)["instances"]
        assert {"volumes", "port"} <= set(rows)  # Cinder's and Neutron's too
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="back")
        await open_menu(pilot, app)
        await pilot.press(*"set quota", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        await pilot.press("ctrl+u", *"cores=lots", "enter")
        await wait_until(pilot, lambda: "quota=number" in screen_text(app), what="refused")
        await pilot.press("ctrl+u", *"wings=4", "enter")
        await wait_until(pilot, lambda: "no quota 'wings'" in screen_text(app),
                         what="unknown quota refused")
        await pilot.press("ctrl+u", *"cores=40")
        await wait_until(pilot, lambda: "openstack quota set --cores 40" in screen_text(app),
                         what="the command")
        await pilot.press("enter")
        # Nova refuses a limit below what the project uses, with its reason
        await wait_until(pilot, lambda: any("must be greater than or equal to already used"
                                            in n for n in notes(app)), what="Nova's refusal")
        assert nova.quota(demo.id)["cores"] != 40
        await open_menu(pilot, app)
        await pilot.press(*"set quota", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        await pilot.press("ctrl+u", *"cores=400", "enter")
        await wait_until(pilot, lambda: nova.quota(demo.id)["cores"] == 400, what="set")
        await open_menu(pilot, app)
        await pilot.press(*"set quota", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        await pilot.press("ctrl+u", *"port=77", "enter")
        neutron = sim.cloud.service("network")
        await wait_until(pilot, lambda: neutron.quotas.get(demo.id, {}).get("port") == 77,
                         what="Neutron's quota set")


async def test_a_group_made_a_user_added_a_role_granted_and_the_group_deleted(
        sim: RunningSim) -> None:
    bob = next(u for u in sim.cloud.users.values() if u.name == "bob")
    research = next(p for p in sim.cloud.projects.values() if p.name == "research")
    app = make_app(cloud="simcloud-admin", view="groups")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, len(sim.cloud.groups))
        assert {cell(grid, i, "name") for i in grid.visible_ids()} == {
            g.name for g in sim.cloud.groups.values()}
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateGroupForm), what="form")
        screen = form(app)
        set_field(screen, "name", "ops-team")  # taken: Keystone's 409 next to the name
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Duplicate" in field_error(screen, "name"),
                         what="conflict shown")
        set_field(screen, "name", "db-admins")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        group = next(g for g in sim.cloud.groups.values() if g.name == "db-admins")
        await wait_until(pilot, lambda: group.id in grid.visible_ids(), what="new row")
        grid.cursor_id = group.id
        await run_with_choice(pilot, app, "add user", bob.id)
        await wait_until(pilot, lambda: bob.id in group.members, what="bob added")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and "members" in app.screen.related, what="detail")
        detail: Any = app.screen
        assert [m["name"] for m in detail.related["members"]] == ["bob"]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="back")

        app.goto("role-assignments")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and app.screen.kind.name == "role-assignments", what="assignments")
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, GrantRoleForm), what="form")
        grant = form(app)
        await wait_until(pilot, lambda: grant.choices_loaded, what="pickers")
        admin = openstack.connect(cloud="simcloud-admin")
        try:
            reader = admin.identity.find_role("reader", ignore_missing=False).id
        finally:
            admin.close()
        set_field(grant, "project", research.id)
        set_field(grant, "user", f"group:{group.id}")
        set_field(grant, "role", reader)
        await settle(pilot)
        await shown(pilot, app, f"--group {group.id} reader")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: group.roles.get(research.id) == ["reader"],
                         what="granted to the group")
        path = f"projects/{research.id}/groups/{group.id}/roles/{reader}"
        await wait_until(pilot, lambda: path in table(app).visible_ids(), what="group's row")

        app.goto("groups")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and app.screen.kind.name == "groups", what="groups")
        grid = await loaded(pilot, app)
        grid.cursor_id = group.id
        await run_with_choice(pilot, app, "remove user", bob.id)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: not group.members, what="bob removed")
        await open_menu(pilot, app)
        await pilot.press(*"delete", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: group.id not in sim.cloud.groups, what="deleted")
        await wait_until(pilot, lambda: group.id not in grid.visible_ids(), what="row gone")
