"""Keystone's administration API: users, projects, roles, role assignments (with grants and
revocations) and every user's own application credentials, with Keystone's policies (admin
for the cloud's records, the owner for application credentials) and its error texts."""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from tuicloud.simcloud.core import (
    ApiError,
    Group,
    Project,
    Request,
    Response,
    Router,
    SimCloud,
    User,
)

ROLE_NAMES = ("admin", "manager", "member", "reader", "service")
SECRET_BYTES = 48  # Keystone's generated secrets are 86 characters of urlsafe base64


@dataclass
class IdentityState:
    """What Keystone keeps beyond users and projects (which live on the SimCloud)."""

    roles: dict[str, str] = field(default_factory=dict)  # id -> name
    app_credentials: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> record
    # Its own generator: the other services' seeded names stay what they were before it.
    rng: random.Random = field(default_factory=lambda: random.Random(4242))


def _state(cloud: SimCloud) -> IdentityState:
    state: IdentityState = cloud.service("identity").admin_state
    return state


def new_id(cloud: SimCloud) -> str:
    return "%032x" % _state(cloud).rng.getrandbits(128)


def seed(cloud: SimCloud) -> None:
    """Keystone's bootstrap roles, with stable ids; a disabled user, a user with an email, and
    a group with a role on a project."""
    state = _state(cloud)
    state.roles = {hashlib.md5(name.encode()).hexdigest(): name  # noqa: S324 - an id, not a hash
                   for name in ROLE_NAMES}
    by_name = {p.name: p.id for p in cloud.projects.values()}
    for name, email, enabled, roles in (
            ("alice", "alice@example.org", True, {by_name["research"]: ["member"]}),
            ("backup-bot", "", True, {by_name["ops"]: ["reader"]}),
            ("bob", "bob@example.org", False, {by_name["demo"]: ["member"]})):
        user = User(id=new_id(cloud), name=name, password=secrets.token_urlsafe(16),
                    roles=roles, enabled=enabled, email=email,
                    default_project_id=next(iter(roles)))
        cloud.users[user.id] = user
    demo = next(u for u in cloud.users.values() if u.name == "demo")
    ident = new_id(cloud)
    state.app_credentials[ident] = {
        "id": ident, "name": "ci-deploy", "description": "the deploy pipeline",
        "project_id": by_name["demo"], "expires_at": None, "unrestricted": False,
        "access_rules": [], "user_id": demo.id,
        "roles": [{"id": i, "name": n, "domain_id": None} for i, n in state.roles.items()
                  if n == "member"],
        "secret_hash": hashlib.sha256(secrets.token_bytes(16)).hexdigest()}
    # A group holding a role: its member alice gets it on ops without a grant of her own.
    alice = next(u for u in cloud.users.values() if u.name == "alice")
    team = Group(id=new_id(cloud), name="ops-team", description="on-call operators",
                 members={alice.id}, roles={by_name["ops"]: ["member"]})
    cloud.groups[team.id] = team


def register(router: Router, service: str) -> None:
    """The administration routes, under /identity/v3."""
    for method, path, handler in (
            ("GET", "/users", _list_users), ("POST", "/users", _create_user),
            ("PATCH", "/users/{user_id}", _update_user),
            ("DELETE", "/users/{user_id}", _delete_user),
            ("POST", "/users/{user_id}/password", _change_password),
            ("POST", "/projects", _create_project),
            ("PATCH", "/projects/{project_id}", _update_project),
            ("DELETE", "/projects/{project_id}", _delete_project),
            ("GET", "/roles", _list_roles), ("GET", "/role_assignments", _list_assignments),
            ("PUT", "/projects/{project_id}/users/{user_id}/roles/{role_id}", _grant),
            ("HEAD", "/projects/{project_id}/users/{user_id}/roles/{role_id}", _check_grant),
            ("DELETE", "/projects/{project_id}/users/{user_id}/roles/{role_id}", _revoke),
            ("GET", "/users/{user_id}/application_credentials", _list_app_credentials),
            ("POST", "/users/{user_id}/application_credentials", _create_app_credential),
            ("GET", "/users/{user_id}/application_credentials/{credential_id}",
             _show_app_credential),
            ("DELETE", "/users/{user_id}/application_credentials/{credential_id}",
             _delete_app_credential)):
        router.add(method, "/identity/v3" + path, handler, service=service)


# -- documents ----------------------------------------------------------------------------------
def user_doc(cloud: SimCloud, user: User) -> dict[str, Any]:
    """A user as Keystone shows it (never the password)."""
    doc: dict[str, Any] = {
        "id": user.id, "name": user.name, "domain_id": user.domain_id, "enabled": user.enabled,
        "password_expires_at": None, "options": {},
        "links": {"self": f"{cloud.base_url}/identity/v3/users/{user.id}"}}
    if user.email:
        doc["email"] = user.email
    if user.description:
        doc["description"] = user.description
    if user.default_project_id:
        doc["default_project_id"] = user.default_project_id
    return doc


def project_doc(cloud: SimCloud, project: Project) -> dict[str, Any]:
    """A project as Keystone shows it."""
    return {"id": project.id, "name": project.name, "domain_id": project.domain_id,
            "description": project.description, "enabled": project.enabled, "is_domain": False,
            "parent_id": project.domain_id, "tags": [], "options": {},
            "links": {"self": f"{cloud.base_url}/identity/v3/projects/{project.id}"}}


def listing(cloud: SimCloud, key: str, items: list[dict[str, Any]], path: str) -> Response:
    return Response(200, {key: items, "links": {
        "self": f"{cloud.base_url}/identity/v3/{path}", "previous": None, "next": None}})


# -- policy and lookups -------------------------------------------------------------------------
def require_admin_role(request: Request, action: str) -> None:
    if request.token is None or not request.token.is_admin:
        raise ApiError(403, "You are not authorized to perform the requested action: "
                            f"identity:{action}.")


def user_by_id(cloud: SimCloud, user_id: str) -> User:
    user = cloud.users.get(user_id)
    if user is None:
        raise ApiError(404, f"Could not find user: {user_id}.")
    return user


def project_by_id(cloud: SimCloud, project_id: str) -> Project:
    project = cloud.projects.get(project_id)
    if project is None:
        raise ApiError(404, f"Could not find project: {project_id}.")
    return project


def role_name(cloud: SimCloud, role_id: str) -> str:
    name = _state(cloud).roles.get(role_id)
    if name is None:
        raise ApiError(404, f"Could not find role: {role_id}.")
    return name


def body_of(request: Request, key: str) -> dict[str, Any]:
    body = request.json()
    inner = body.get(key) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        raise ApiError(400, f"Invalid input for field '{key}': it is a required property")
    return inner


def valid_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise ApiError(400, f"Invalid input for field 'name': {what} names are 1-255 characters")
    return value


def _flag(value: Any, field_name: str) -> bool:
    if not isinstance(value, bool):
        raise ApiError(400, f"Invalid input for field '{field_name}': {value!r} is not of type "
                            "'boolean'")
    return value


# -- users --------------------------------------------------------------------------------------
def _list_users(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "list_users")
    users = [user_doc(cloud, u) for u in cloud.users.values()]
    for key in ("name", "domain_id"):
        wanted = request.arg(key)
        if wanted is not None:
            users = [u for u in users if u[key] == wanted]
    return listing(cloud, "users", users, "users")


def _apply_user(cloud: SimCloud, user: User, spec: dict[str, Any]) -> None:
    if "name" in spec:
        name = valid_name(spec["name"], "user")
        if any(u.name == name and u.id != user.id for u in cloud.users.values()):
            raise ApiError(409, "Conflict occurred attempting to store user - Duplicate entry "
                                f"found with name {name} at domain ID default.")
        user.name = name
    if "enabled" in spec:
        user.enabled = _flag(spec["enabled"], "enabled")
    if "email" in spec:
        user.email = str(spec["email"] or "")
    if "description" in spec:
        user.description = str(spec["description"] or "")
    if "default_project_id" in spec:
        project_id = spec["default_project_id"]
        if project_id is not None:
            project_by_id(cloud, str(project_id))
        user.default_project_id = project_id
    if "password" in spec:
        user.password = str(spec["password"])


def _create_user(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "create_user")
    spec = body_of(request, "user")
    valid_name(spec.get("name"), "user")
    user = User(id=new_id(cloud), name="", password=secrets.token_urlsafe(16))
    with cloud.lock:
        _apply_user(cloud, user, spec)
        cloud.users[user.id] = user
    return Response(201, {"user": user_doc(cloud, user)})


def _update_user(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "update_user")
    user = user_by_id(cloud, request.params["user_id"])
    spec = body_of(request, "user")
    with cloud.lock:
        _apply_user(cloud, user, spec)
    return Response(200, {"user": user_doc(cloud, user)})


def _delete_user(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "delete_user")
    user = user_by_id(cloud, request.params["user_id"])
    with cloud.lock:
        del cloud.users[user.id]
        for group in cloud.groups.values():
            group.members.discard(user.id)
        for ident, record in list(_state(cloud).app_credentials.items()):
            if record["user_id"] == user.id:
                del _state(cloud).app_credentials[ident]
    return Response(204)


def _change_password(cloud: SimCloud, request: Request) -> Response:
    """A user changes their own password, giving the old one (Keystone's self-service)."""
    assert request.token is not None
    user = user_by_id(cloud, request.params["user_id"])
    if user.id != request.token.user_id:
        raise ApiError(403, "You are not authorized to perform the requested action: "
                            "identity:change_password.")
    spec = body_of(request, "user")
    if spec.get("original_password") != user.password:
        raise ApiError(401, "The request you have made requires authentication.")
    user.password = str(spec.get("password") or "")
    return Response(204)


# -- projects -----------------------------------------------------------------------------------
def _create_project(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "create_project")
    spec = body_of(request, "project")
    name = valid_name(spec.get("name"), "project")
    with cloud.lock:
        if any(p.name == name for p in cloud.projects.values()):
            raise ApiError(409, "Conflict occurred attempting to store project - it is not "
                                "permitted to have two projects with the same name in the same "
                                f"domain : {name}.")
        project = Project(id=new_id(cloud), name=name,
                          description=str(spec.get("description") or ""),
                          enabled=_flag(spec.get("enabled", True), "enabled"))
        cloud.projects[project.id] = project
    return Response(201, {"project": project_doc(cloud, project)})


def _update_project(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "update_project")
    project = project_by_id(cloud, request.params["project_id"])
    spec = body_of(request, "project")
    with cloud.lock:
        if "enabled" in spec:
            project.enabled = _flag(spec["enabled"], "enabled")
        if "description" in spec:
            project.description = str(spec["description"] or "")
        if "name" in spec:
            project.name = valid_name(spec["name"], "project")
    return Response(200, {"project": project_doc(cloud, project)})


def _delete_project(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "delete_project")
    project = project_by_id(cloud, request.params["project_id"])
    with cloud.lock:
        del cloud.projects[project.id]
        for user in cloud.users.values():
            user.roles.pop(project.id, None)
            if user.default_project_id == project.id:
                user.default_project_id = None
        for group in cloud.groups.values():
            group.roles.pop(project.id, None)
    return Response(204)


# -- roles and assignments ----------------------------------------------------------------------
def _list_roles(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "list_roles")
    roles = [{"id": ident, "name": name, "domain_id": None, "description": None, "options": {},
              "links": {"self": f"{cloud.base_url}/identity/v3/roles/{ident}"}}
             for ident, name in sorted(_state(cloud).roles.items(), key=lambda kv: kv[1])]
    return listing(cloud, "roles", roles, "roles")


def _assignment(cloud: SimCloud, actor_kind: str, actor_doc: dict[str, Any], project: Project,
                role_id: str, names: bool, via: str | None = None) -> dict[str, Any]:
    """One assignment of ``actor_kind`` ("user" or "group"); ``via``: the group an effective
    user assignment comes from (Keystone links the membership then)."""
    role: dict[str, Any] = {"id": role_id}
    actor: dict[str, Any] = {"id": actor_doc["id"]}
    scope: dict[str, Any] = {"id": project.id}
    if names:
        domain = {"id": "default", "name": "Default"}
        role["name"] = _state(cloud).roles[role_id]
        actor.update(name=actor_doc["name"], domain=domain)
        scope.update(name=project.name, domain=domain)
    base = f"{cloud.base_url}/identity/v3"
    grantee = f"groups/{via}" if via else f"{actor_kind}s/{actor_doc['id']}"
    links = {"assignment": f"{base}/projects/{project.id}/{grantee}/roles/{role_id}"}
    if via:
        links["membership"] = f"{base}/groups/{via}/users/{actor_doc['id']}"
    return {"role": role, actor_kind: actor, "scope": {"project": scope}, "links": links}


def _list_assignments(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "list_role_assignments")
    names = request.arg("include_names") not in (None, "0", "false", "False")
    effective = request.arg("effective") is not None
    by_name = {name: ident for ident, name in _state(cloud).roles.items()}
    wanted_project = request.arg("scope.project.id")
    wanted_user = request.arg("user.id")
    wanted_group = request.arg("group.id")
    wanted_role = request.arg("role.id")
    found = []

    def add(kind: str, doc: dict[str, Any], grants: dict[str, list[str]],
            via: str | None = None) -> None:
        for project_id, role_names in grants.items():
            project = cloud.projects.get(project_id)
            if project is None or (wanted_project and project_id != wanted_project):
                continue
            for role_name in role_names:
                role_id = by_name.get(role_name)
                if role_id and (not wanted_role or role_id == wanted_role):
                    found.append(_assignment(cloud, kind, doc, project, role_id, names, via))

    with cloud.lock:
        if not wanted_group:
            for user in cloud.users.values():
                if not wanted_user or user.id == wanted_user:
                    add("user", {"id": user.id, "name": user.name}, user.roles)
        for group in cloud.groups.values():
            if wanted_group and group.id != wanted_group:
                continue
            if not effective:
                if not wanted_user:
                    add("group", {"id": group.id, "name": group.name}, group.roles)
                continue
            # effective: a group's roles are its members' (Keystone expands them)
            for member in sorted(group.members):
                held = cloud.users.get(member)
                if held is not None and (not wanted_user or held.id == wanted_user):
                    add("user", {"id": held.id, "name": held.name}, group.roles, group.id)
    return listing(cloud, "role_assignments", found, "role_assignments")


def _grant_parts(cloud: SimCloud, request: Request) -> tuple[Project, User, str]:
    project = project_by_id(cloud, request.params["project_id"])
    user = user_by_id(cloud, request.params["user_id"])
    return project, user, role_name(cloud, request.params["role_id"])


def _grant(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "create_grant")
    project, user, role = _grant_parts(cloud, request)
    with cloud.lock:
        held = user.roles.setdefault(project.id, [])
        if role not in held:
            held.append(role)
    return Response(204)


def _missing_grant(request: Request) -> ApiError:
    p = request.params
    return ApiError(404, f"Could not find role assignment with role: {p['role_id']}, user or "
                         f"group: {p['user_id']}, project, domain, or system: {p['project_id']}.")


def _check_grant(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "check_grant")
    project, user, role = _grant_parts(cloud, request)
    if role not in user.roles.get(project.id, []):
        raise _missing_grant(request)
    return Response(204)


def _revoke(cloud: SimCloud, request: Request) -> Response:
    require_admin_role(request, "revoke_grant")
    project, user, role = _grant_parts(cloud, request)
    with cloud.lock:
        held = user.roles.get(project.id, [])
        if role not in held:
            raise _missing_grant(request)
        held.remove(role)
        if not held:
            del user.roles[project.id]
    return Response(204)


# -- application credentials --------------------------------------------------------------------
def _owner(cloud: SimCloud, request: Request, action: str) -> User:
    """Application credentials are the user's own (an admin may read and delete others')."""
    assert request.token is not None
    user = user_by_id(cloud, request.params["user_id"])
    if user.id != request.token.user_id and (not request.token.is_admin
                                             or action == "create_application_credential"):
        raise ApiError(403, "You are not authorized to perform the requested action: "
                            f"identity:{action}.")
    return user


def _public(cloud: SimCloud, record: dict[str, Any]) -> dict[str, Any]:
    """What Keystone shows of a credential: never its secret (only its hash is kept)."""
    shown = {k: v for k, v in record.items() if k not in ("secret_hash", "user_id")}
    shown["links"] = {"self": f"{cloud.base_url}/identity/v3/users/{record['user_id']}"
                              f"/application_credentials/{record['id']}"}
    return shown


def _list_app_credentials(cloud: SimCloud, request: Request) -> Response:
    user = _owner(cloud, request, "list_application_credentials")
    found = [_public(cloud, r) for r in _state(cloud).app_credentials.values()
             if r["user_id"] == user.id]
    name = request.arg("name")
    if name is not None:
        found = [r for r in found if r["name"] == name]
    return listing(cloud, "application_credentials", found,
                    f"users/{user.id}/application_credentials")


def _expiry(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    try:
        when = time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError as exc:
        raise ApiError(400, f"Invalid input for field 'expires_at': {text!r} is not a "
                            "'date-time'") from exc
    if time.mktime(when) - time.timezone < time.time():
        raise ApiError(400, "The expiration date is in the past.")
    return text[:19] + ".000000"


def _create_app_credential(cloud: SimCloud, request: Request) -> Response:
    assert request.token is not None
    user = _owner(cloud, request, "create_application_credential")
    spec = body_of(request, "application_credential")
    name = valid_name(spec.get("name"), "application credential")
    token_roles = list(request.token.roles)
    asked = spec.get("roles")
    by_id = _state(cloud).roles
    roles = []
    for role in asked if isinstance(asked, list) and asked else [{"name": r} for r in
                                                                  token_roles]:
        role_name = by_id.get(str(role.get("id"))) if isinstance(role, dict) and "id" in role \
            else str(role.get("name")) if isinstance(role, dict) else None
        if role_name not in token_roles:
            raise ApiError(404, f"Could not find role: {role_name}.")
        role_id = next(i for i, n in by_id.items() if n == role_name)
        roles.append({"id": role_id, "name": role_name, "domain_id": None})
    with cloud.lock:
        if any(r["name"] == name and r["user_id"] == user.id
               for r in _state(cloud).app_credentials.values()):
            raise ApiError(409, "Conflict occurred attempting to store application_credential "
                                "- Duplicate entry.")
        ident = new_id(cloud)
        record = {
            "id": ident, "name": name, "description": spec.get("description"),
            "project_id": request.token.project_id, "roles": roles,
            "expires_at": _expiry(spec.get("expires_at")),
            "unrestricted": bool(spec.get("unrestricted", False)), "access_rules": [],
            "user_id": user.id}
        _state(cloud).app_credentials[ident] = record
    secret = str(spec.get("secret") or secrets.token_urlsafe(SECRET_BYTES))
    record["secret_hash"] = hashlib.sha256(secret.encode()).hexdigest()
    return Response(201, {"application_credential": {**_public(cloud, record), "secret": secret}})


def app_credential_auth(cloud: SimCloud, spec: Any) -> tuple[User, str, list[str]]:
    """(user, project id, roles) for an ``application_credential`` sign-in, or 401."""
    refused = ApiError(401, "The request you have made requires authentication.")
    if not isinstance(spec, dict) or not isinstance(spec.get("secret"), str):
        raise refused
    records = _state(cloud).app_credentials.values()
    record = next((r for r in records if r["id"] == spec.get("id")), None)
    if record is None:
        owner: dict[str, Any] = spec["user"] if isinstance(spec.get("user"), dict) else {}
        record = next((r for r in records if r["name"] == spec.get("name") and (
            r["user_id"] == owner.get("id") or cloud.users.get(r["user_id"]) is not None
            and cloud.users[r["user_id"]].name == owner.get("name"))), None)
    user = cloud.users.get(record["user_id"]) if record else None
    if record is None or user is None or not user.enabled \
            or hashlib.sha256(spec["secret"].encode()).hexdigest() != record["secret_hash"]:
        raise refused
    expires = record.get("expires_at")
    if expires and time.mktime(time.strptime(expires[:19], "%Y-%m-%dT%H:%M:%S")) \
            - time.timezone < time.time():
        raise refused
    return user, str(record["project_id"]), [str(r["name"]) for r in record["roles"]]


def _credential(cloud: SimCloud, request: Request, user: User) -> dict[str, Any]:
    record = _state(cloud).app_credentials.get(request.params["credential_id"])
    if record is None or record["user_id"] != user.id:
        raise ApiError(404, "Could not find Application Credential: "
                            f"{request.params['credential_id']}.")
    return record


def _show_app_credential(cloud: SimCloud, request: Request) -> Response:
    user = _owner(cloud, request, "get_application_credential")
    record = _credential(cloud, request, user)
    return Response(200, {"application_credential": _public(cloud, record)})


def _delete_app_credential(cloud: SimCloud, request: Request) -> Response:
    user = _owner(cloud, request, "delete_application_credential")
    record = _credential(cloud, request, user)
    with cloud.lock:
        _state(cloud).app_credentials.pop(record["id"], None)
    return Response(204)
