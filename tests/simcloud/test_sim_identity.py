"""simcloud's Keystone administration answers the SDK as Keystone does: users, projects,
roles, role assignments, grants and a user's own application credentials."""

from __future__ import annotations

import openstack
import pytest
from openstack import exceptions as os_exc

from tests.helpers import likeness
from tuicloud.simcloud import RunningSim


def test_users_and_projects_made_disabled_and_deleted(sim: RunningSim) -> None:
    admin = openstack.connect(cloud="simcloud-admin")
    names = {u.name: u for u in admin.identity.users()}
    assert {"admin", "demo", "alice", "bob"} <= set(names)
    assert names["bob"].is_enabled is False and names["alice"].email == "alice@example.org"
    project = admin.identity.create_project(name="tc-proj", description="made here")
    user = admin.identity.create_user(name="tc-user", password="pw-1", email="u@example.org",
                                      default_project_id=project.id)
    assert admin.identity.get_user(user.id).default_project_id == project.id
    with pytest.raises(os_exc.ConflictException, match="Duplicate entry"):
        admin.identity.create_user(name="tc-user", password="x")
    role = next(r for r in admin.identity.roles() if r.name == "member")
    admin.identity.assign_project_role_to_user(project, user, role)
    assigned = list(admin.identity.role_assignments(scope_project_id=project.id,
                                                    include_names=True))
    assert [(a.user["name"], a.role["name"]) for a in assigned] == [("tc-user", "member")]
    # The new user can sign in to the project, until the project or the user is disabled.
    as_user = openstack.connect(auth_url=admin.config.auth["auth_url"], username="tc-user",
                                password="pw-1", project_name="tc-proj",
                                user_domain_name="Default", project_domain_name="Default")
    assert as_user.current_project_id == project.id
    admin.identity.update_project(project, enabled=False)
    with pytest.raises(os_exc.SDKException):
        openstack.connect(auth_url=admin.config.auth["auth_url"], username="tc-user",
                          password="pw-1", project_name="tc-proj", user_domain_name="Default",
                          project_domain_name="Default").authorize()
    admin.identity.unassign_project_role_from_user(project, user, role)
    # The SDK answers False for Keystone's 404 here.
    assert not admin.identity.validate_user_has_project_role(project, user, role)
    assert not list(admin.identity.role_assignments(scope_project_id=project.id))
    admin.identity.delete_user(user)
    admin.identity.delete_project(project)
    assert "tc-user" not in {u.name for u in admin.identity.users()}
    assert "tc-proj" not in {p.name for p in admin.identity.projects()}


def test_a_member_is_refused_the_cloud_records(sim: RunningSim) -> None:
    demo = openstack.connect(cloud="simcloud")
    with pytest.raises(os_exc.ForbiddenException, match="identity:list_users"):
        list(demo.identity.users())
    with pytest.raises(os_exc.ForbiddenException, match="identity:list_role_assignments"):
        list(demo.identity.role_assignments())


def test_application_credentials_are_the_users_own(sim: RunningSim) -> None:
    demo = openstack.connect(cloud="simcloud")
    made = demo.identity.create_application_credential(
        demo.current_user_id, name="tc-cred", roles=[{"name": "reader"}],
        expires_at="2099-01-01T00:00:00")
    assert made.secret and [r["name"] for r in made.roles] == ["reader"]
    listed = list(demo.identity.application_credentials(demo.current_user_id))
    assert sorted(c.name for c in listed) == ["ci-deploy", "tc-cred"]
    assert not any(c.secret for c in listed)
    with pytest.raises(os_exc.ConflictException):
        demo.identity.create_application_credential(demo.current_user_id, name="tc-cred")
    with pytest.raises(os_exc.NotFoundException, match="Could not find role"):
        demo.identity.create_application_credential(demo.current_user_id, name="x",
                                                    roles=[{"name": "admin"}])
    admin = openstack.connect(cloud="simcloud-admin")
    with pytest.raises(os_exc.ForbiddenException):
        admin.identity.create_application_credential(demo.current_user_id, name="theirs")
    demo.identity.delete_application_credential(demo.current_user_id, made.id)
    assert [c.name for c in demo.identity.application_credentials(demo.current_user_id)] == [
        "ci-deploy"]



def test_groups_members_and_a_groups_role_as_keystone_answers(sim: RunningSim) -> None:
    admin = openstack.connect(cloud="simcloud-admin")
    try:
        likeness.check_keystone_groups(admin, "tc-")
    finally:
        admin.close()
