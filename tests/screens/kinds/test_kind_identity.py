"""Issue 16, identity: projects and users enabled, disabled and deleted, role assignments by
name and revoked, each only for an admin; every user's own application credentials."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import openstack
import pytest
import yaml

from tests.helpers.app import loaded, make_app, notes, shown, table, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import cell, open_menu, press_and_confirm
from tuicloud.cloud.operations.app_credentials import parse_expiry
from tuicloud.screens.forms.create_app_credential import CreateAppCredentialForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def _by_name(grid: Any, name: str) -> str:
    return next(i for i in grid.visible_ids() if cell(grid, i, "name") == name)


async def test_a_project_disabled_enabled_and_deleted(sim: RunningSim) -> None:
    research = next(p for p in sim.cloud.projects.values() if p.name == "research")
    app = make_app(cloud="simcloud-admin", view="projects")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, len(sim.cloud.projects))
        grid.cursor_id = research.id
        assert cell(grid, research.id, "description") == "Research workloads"
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"disable", "enter"))
        await wait_until(pilot, lambda: not research.enabled, what="disabled in Keystone")
        await wait_until(pilot, lambda: cell(grid, research.id, "enabled") == "no",
                         what="the row says so")
        await open_menu(pilot, app)
        await pilot.press(*"enable", "enter")
        await wait_until(pilot, lambda: research.enabled, what="enabled again")
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"delete", "enter"))
        await wait_until(pilot, lambda: research.id not in sim.cloud.projects, what="deleted")
        await wait_until(pilot, lambda: research.id not in grid.visible_ids(), what="row gone")


async def test_users_with_their_default_project_and_a_user_deleted(sim: RunningSim) -> None:
    users = {u.name: u for u in sim.cloud.users.values()}
    app = make_app(cloud="simcloud-admin", view="users")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, len(users))
        assert cell(grid, users["bob"].id, "enabled") == "no"
        assert cell(grid, users["alice"].id, "email") == "alice@example.org"
        grid.cursor_id = users["bob"].id
        await open_menu(pilot, app)
        await pilot.press(*"enable", "enter")
        await wait_until(pilot, lambda: users["bob"].enabled, what="bob enabled")
        grid.cursor_id = users["alice"].id
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"delete", "enter"))
        await wait_until(pilot, lambda: users["alice"].id not in sim.cloud.users,
                         what="alice deleted")
        text = await shown(pilot, app, "Users", "Default project", "bob@example.org")
        assert "password" not in text.lower()


async def test_role_assignments_by_name_and_one_revoked(sim: RunningSim) -> None:
    users = {u.name: u for u in sim.cloud.users.values()}
    ops = next(p for p in sim.cloud.projects.values() if p.name == "ops")
    app = make_app(cloud="simcloud-admin", view="role-assignments")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        ident = next(i for i in grid.visible_ids() if cell(grid, i, "name") == "backup-bot")
        assert (cell(grid, ident, "role"), cell(grid, ident, "scope")) == ("reader",
                                                                            "project ops")
        assert ident.startswith(f"projects/{ops.id}/users/{users['backup-bot'].id}/roles/")
        grid.cursor_id = ident
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"revoke", "enter"))
        await wait_until(pilot, lambda: ops.id not in users["backup-bot"].roles, what="revoked")
        await wait_until(pilot, lambda: ident not in grid.visible_ids(), what="row gone")


async def test_a_member_has_own_credentials_and_no_identity_admin(sim: RunningSim) -> None:
    state = sim.cloud.service("identity").admin_state
    app = make_app(view="app-credentials")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, 1)
        ident = _by_name(grid, "ci-deploy")
        assert (cell(grid, ident, "project"), cell(grid, ident, "roles"),
                cell(grid, ident, "expires")) == ("demo", "member", "never")
        words = app.command_words()
        assert "app-credentials" in words
        assert not {"users", "projects", "role-assignments"} & set(words)
        app.goto("users")
        await wait_until(pilot, lambda: any("needs the admin role" in n for n in notes(app)),
                         what="refused")
        grid.cursor_id = ident
        await open_menu(pilot, app)
        await press_and_confirm(pilot, app, (*"delete", "enter"))
        await wait_until(pilot, lambda: ident not in state.app_credentials, what="deleted")
        await wait_until(pilot, lambda: ident not in grid.visible_ids(), what="row gone")


def test_expiry_in_the_words_people_use() -> None:
    now = datetime(2027, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert parse_expiry("30d", now) == ("2027-01-31T12:00:00", None)
    assert parse_expiry("12h", now) == ("2027-01-02T00:00:00", None)
    assert parse_expiry("never", now) == (None, None) == parse_expiry("", now)
    assert parse_expiry("2027-03-01", now) == ("2027-03-01T00:00:00", None)
    assert parse_expiry("2026-03-01", now)[1] == "that is in the past"
    assert parse_expiry("0d", now)[1] == "at least 1"
    assert "30d" in str(parse_expiry("soon", now)[1])


async def test_a_credential_made_saved_as_clouds_yaml_and_signing_in(
        sim: RunningSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = sim.cloud.service("identity").admin_state
    target = tmp_path / "backup.clouds.yaml"
    target_taken = tmp_path / "taken.yaml"
    target_taken.write_text("mine")
    app = make_app(view="app-credentials")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, 1)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateAppCredentialForm),
                         what="form")
        screen = form(app)
        set_field(screen, "name", "backup-job")
        set_field(screen, "expires", "yesterday")
        set_field(screen, "file", str(target_taken))
        await settle(pilot)
        before = len(state.app_credentials)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "never overwritten" in field_error(screen, "file"),
                         what="an existing file refused")
        assert "30d" in field_error(screen, "expires")
        assert len(state.app_credentials) == before and target_taken.read_text() == "mine"
        set_field(screen, "expires", "30d")
        set_field(screen, "file", str(target))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        entry = yaml.safe_load(target.read_text())["clouds"]["simcloud-backup-job"]
        secret = entry["auth"]["application_credential_secret"]
        made = state.app_credentials[entry["auth"]["application_credential_id"]]
        assert made["name"] == "backup-job" and made["expires_at"]
        assert [r["name"] for r in made["roles"]] == ["reader"]  # the safe default
        await wait_until(pilot, lambda: made["id"] in table(app).visible_ids(), what="new row")
        assert secret not in await shown(pilot, app, "Application credentials", "backup-job")
        assert any("clouds.yaml saved to" in n for n in notes(app))
    for root, _dirs, files in os.walk(os.environ["XDG_STATE_HOME"]):
        for name in files:
            assert secret not in Path(root, name).read_text(errors="replace"), name
    # The file signs in, as the note says to use it, with the credential's roles only.
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(target))
    conn = openstack.connect(cloud="simcloud-backup-job")
    try:
        token = conn.session.auth.get_access(conn.session)
        assert token.role_names == ["reader"]
        assert conn.current_project_id == made["project_id"]
    finally:
        conn.close()
