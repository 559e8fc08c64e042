"""Keystone's groups: the groups themselves, their members, and roles granted to a group on a
project (its members hold them: tokens and ``/auth/projects`` count them), with the rig's
Keystone answers and error texts."""

from __future__ import annotations

from typing import Any

from tuicloud.simcloud import keystone_admin as admin
from tuicloud.simcloud.core import ApiError, Group, Request, Response, Router, SimCloud

__all__ = ["group_doc", "register"]


def register(router: Router, service: str) -> None:
    """The group routes, under /identity/v3."""
    for method, path, handler in (
            ("GET", "/groups", _list_groups), ("POST", "/groups", _create_group),
            ("GET", "/groups/{group_id}", _show_group),
            ("PATCH", "/groups/{group_id}", _update_group),
            ("DELETE", "/groups/{group_id}", _delete_group),
            ("GET", "/groups/{group_id}/users", _members),
            ("PUT", "/groups/{group_id}/users/{user_id}", _add_member),
            ("HEAD", "/groups/{group_id}/users/{user_id}", _check_member),
            ("DELETE", "/groups/{group_id}/users/{user_id}", _remove_member),
            ("GET", "/users/{user_id}/groups", _groups_of_user),
            ("PUT", "/projects/{project_id}/groups/{group_id}/roles/{role_id}", _grant),
            ("HEAD", "/projects/{project_id}/groups/{group_id}/roles/{role_id}", _check_grant),
            ("DELETE", "/projects/{project_id}/groups/{group_id}/roles/{role_id}", _revoke)):
        router.add(method, "/identity/v3" + path, handler, service=service)


def group_doc(cloud: SimCloud, group: Group) -> dict[str, Any]:
    """A group as Keystone shows it."""
    return {"id": group.id, "name": group.name, "domain_id": group.domain_id,
            "description": group.description,
            "links": {"self": f"{cloud.base_url}/identity/v3/groups/{group.id}"}}


def _group(cloud: SimCloud, group_id: str) -> Group:
    group = cloud.groups.get(group_id)
    if group is None:
        raise ApiError(404, f"Could not find group: {group_id}.")
    return group


def _unique(cloud: SimCloud, name: str, ident: str | None) -> None:
    if any(g.name == name and g.id != ident for g in cloud.groups.values()):
        raise ApiError(409, "Conflict occurred attempting to store group - Duplicate entry "
                            f"found with name {name} at domain ID default.")


def _list_groups(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "list_groups")
    groups = [group_doc(cloud, g) for g in cloud.groups.values()]
    for key in ("name", "domain_id"):
        wanted = request.arg(key)
        if wanted is not None:
            groups = [g for g in groups if g[key] == wanted]
    return admin.listing(cloud, "groups", groups, "groups")


def _create_group(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "create_group")
    spec = admin.body_of(request, "group")
    name = admin.valid_name(spec.get("name"), "group")
    with cloud.lock:
        _unique(cloud, name, None)
        group = Group(id=admin.new_id(cloud), name=name,
                      description=str(spec.get("description") or ""))
        cloud.groups[group.id] = group
    return Response(201, {"group": group_doc(cloud, group)})


def _show_group(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "get_group")
    return Response(200, {"group": group_doc(cloud, _group(cloud,
                                                           request.params["group_id"]))})


def _update_group(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "update_group")
    group = _group(cloud, request.params["group_id"])
    spec = admin.body_of(request, "group")
    with cloud.lock:
        if "name" in spec:
            name = admin.valid_name(spec["name"], "group")
            _unique(cloud, name, group.id)
            group.name = name
        if "description" in spec:
            group.description = str(spec["description"] or "")
    return Response(200, {"group": group_doc(cloud, group)})


def _delete_group(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "delete_group")
    group = _group(cloud, request.params["group_id"])
    with cloud.lock:
        del cloud.groups[group.id]  # its memberships and grants go with it, as in Keystone
    return Response(204)


def _members(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "list_users_in_group")
    group = _group(cloud, request.params["group_id"])
    users = [admin.user_doc(cloud, cloud.users[u]) for u in sorted(group.members)
             if u in cloud.users]
    return admin.listing(cloud, "users", users, f"groups/{group.id}/users")


def _membership(cloud: SimCloud, request: Request) -> tuple[Group, str]:
    group = _group(cloud, request.params["group_id"])
    return group, admin.user_by_id(cloud, request.params["user_id"]).id


def _not_member(group: Group, user_id: str) -> ApiError:
    return ApiError(404, f"User '{user_id}' not found in group '{group.id}'")


def _add_member(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "add_user_to_group")
    group, user_id = _membership(cloud, request)
    with cloud.lock:
        group.members.add(user_id)
    return Response(204)


def _check_member(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "check_user_in_group")
    group, user_id = _membership(cloud, request)
    if user_id not in group.members:
        raise _not_member(group, user_id)
    return Response(204)


def _remove_member(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "remove_user_from_group")
    group, user_id = _membership(cloud, request)
    with cloud.lock:
        if user_id not in group.members:
            raise _not_member(group, user_id)
        group.members.discard(user_id)
    return Response(204)


def _groups_of_user(cloud: SimCloud, request: Request) -> Response:
    user = admin.user_by_id(cloud, request.params["user_id"])
    token = request.authed
    if token.user_id != user.id and not token.is_admin:
        raise ApiError(403, "You are not authorized to perform the requested action: "
                            "identity:list_groups_for_user.")
    groups = [group_doc(cloud, g) for g in cloud.groups.values() if user.id in g.members]
    return admin.listing(cloud, "groups", groups, f"users/{user.id}/groups")


def _grant_parts(cloud: SimCloud, request: Request) -> tuple[str, Group, str]:
    project = admin.project_by_id(cloud, request.params["project_id"])
    group = _group(cloud, request.params["group_id"])
    return project.id, group, admin.role_name(cloud, request.params["role_id"])


def _missing_grant(request: Request) -> ApiError:
    p = request.params
    return ApiError(404, f"Could not find role assignment with role: {p['role_id']}, user or "
                         f"group: {p['group_id']}, project, domain, or system: "
                         f"{p['project_id']}.")


def _grant(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "create_grant")
    project_id, group, role = _grant_parts(cloud, request)
    with cloud.lock:
        held = group.roles.setdefault(project_id, [])
        if role not in held:
            held.append(role)
    return Response(204)


def _check_grant(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "check_grant")
    project_id, group, role = _grant_parts(cloud, request)
    if role not in group.roles.get(project_id, []):
        raise _missing_grant(request)
    return Response(204)


def _revoke(cloud: SimCloud, request: Request) -> Response:
    admin.require_admin_role(request, "revoke_grant")
    project_id, group, role = _grant_parts(cloud, request)
    with cloud.lock:
        held = group.roles.get(project_id, [])
        if role not in held:
            raise _missing_grant(request)
        held.remove(role)
        if not held:
            del group.roles[project_id]
    return Response(204)
