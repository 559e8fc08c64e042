"""Issue 16, identity: projects and users enabled, disabled and deleted, role assignments by
name and revoked, each only for an admin; every user's own application credentials."""

from __future__ import annotations

from typing import Any

from tests.apphelpers import loaded, screen_text, wait_until
from tests.test_kind_routers import _confirm
from tests.test_ops_app import make_app, notes, open_menu
from tuicloud.simcloud import RunningSim


def _cell(grid: Any, ident: str, key: str) -> str:
    value = (grid.get_row(ident) or {}).get(key)
    return str(getattr(value, "plain", value))


def _by_name(grid: Any, name: str) -> str:
    return next(i for i in grid.visible_ids() if _cell(grid, i, "name") == name)


async def test_a_project_disabled_enabled_and_deleted(sim: RunningSim) -> None:
    research = next(p for p in sim.cloud.projects.values() if p.name == "research")
    app = make_app(cloud="simcloud-admin", view="projects")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, len(sim.cloud.projects))
        grid.cursor_id = research.id
        assert _cell(grid, research.id, "description") == "Research workloads"
        await open_menu(pilot, app)
        await _confirm(pilot, app, (*"disable", "enter"))
        await wait_until(pilot, lambda: not research.enabled, what="disabled in Keystone")
        await wait_until(pilot, lambda: _cell(grid, research.id, "enabled") == "no",
                         what="the row says so")
        await open_menu(pilot, app)
        await pilot.press(*"enable", "enter")
        await wait_until(pilot, lambda: research.enabled, what="enabled again")
        await open_menu(pilot, app)
        await _confirm(pilot, app, (*"delete", "enter"))
        await wait_until(pilot, lambda: research.id not in sim.cloud.projects, what="deleted")
        await wait_until(pilot, lambda: research.id not in grid.visible_ids(), what="row gone")


async def test_users_with_their_default_project_and_a_user_deleted(sim: RunningSim) -> None:
    users = {u.name: u for u in sim.cloud.users.values()}
    app = make_app(cloud="simcloud-admin", view="users")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, len(users))
        await wait_until(pilot, lambda: _cell(grid, users["alice"].id, "project") == "research",
                         what="the default project by name")
        assert _cell(grid, users["bob"].id, "enabled") == "no"
        assert _cell(grid, users["alice"].id, "email") == "alice@example.org"
        grid.cursor_id = users["bob"].id
        await open_menu(pilot, app)
        await pilot.press(*"enable", "enter")
        await wait_until(pilot, lambda: users["bob"].enabled, what="bob enabled")
        grid.cursor_id = users["alice"].id
        await open_menu(pilot, app)
        await _confirm(pilot, app, (*"delete", "enter"))
        await wait_until(pilot, lambda: users["alice"].id not in sim.cloud.users,
                         what="alice deleted")
        assert "password" not in screen_text(app).lower()


async def test_role_assignments_by_name_and_one_revoked(sim: RunningSim) -> None:
    users = {u.name: u for u in sim.cloud.users.values()}
    ops = next(p for p in sim.cloud.projects.values() if p.name == "ops")
    app = make_app(cloud="simcloud-admin", view="role-assignments")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        ident = next(i for i in grid.visible_ids() if _cell(grid, i, "name") == "backup-bot")
        assert (_cell(grid, ident, "role"), _cell(grid, ident, "scope")) == ("reader",
                                                                            "project ops")
        assert ident.startswith(f"projects/{ops.id}/users/{users['backup-bot'].id}/roles/")
        grid.cursor_id = ident
        await open_menu(pilot, app)
        await _confirm(pilot, app, (*"revoke", "enter"))
        await wait_until(pilot, lambda: ops.id not in users["backup-bot"].roles, what="revoked")
        await wait_until(pilot, lambda: ident not in grid.visible_ids(), what="row gone")


async def test_a_member_has_own_credentials_and_no_identity_admin(sim: RunningSim) -> None:
    state = sim.cloud.service("identity").admin_state
    app = make_app(view="app-credentials")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, 1)
        ident = _by_name(grid, "ci-deploy")
        assert (_cell(grid, ident, "project"), _cell(grid, ident, "roles"),
                _cell(grid, ident, "expires")) == ("demo", "member", "never")
        words = app.command_words()
        assert "app-credentials" in words
        assert not {"users", "projects", "role-assignments"} & set(words)
        app.goto("users")
        await wait_until(pilot, lambda: any("needs the admin role" in n for n in notes(app)),
                         what="refused")
        grid.cursor_id = ident
        await open_menu(pilot, app)
        await _confirm(pilot, app, (*"delete", "enter"))
        await wait_until(pilot, lambda: ident not in state.app_credentials, what="deleted")
        await wait_until(pilot, lambda: ident not in grid.visible_ids(), what="row gone")
