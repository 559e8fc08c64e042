"""Keystone v3: version discovery, password/token auth with project scope, catalog, projects."""

from __future__ import annotations

import time
from typing import Any

from tuicloud.simcloud import keystone_admin, keystone_groups
from tuicloud.simcloud.core import (
    ApiError,
    Project,
    Request,
    Response,
    Router,
    SimCloud,
    Token,
    User,
    isotime,
)

NAME = "identity"

DEMO_PASSWORD = "simcloud-demo-pass"
ADMIN_PASSWORD = "simcloud-admin-pass"

# (service type, service name, path under the base URL). Block storage is listed under both
# types the SDK and the CLI look for.
CATALOG = (
    ("identity", "keystone", "/identity"),
    ("compute", "nova", "/compute/v2.1"),
    ("image", "glance", "/image"),
    ("block-storage", "cinder", "/volume/v3"),
    ("volumev3", "cinderv3", "/volume/v3"),
    ("network", "neutron", "/networking"),
    ("placement", "placement", "/placement"),
    # Swift's endpoint names the project's account, as the rig's AUTH_%(project_id)s does.
    ("object-store", "swift", "/object-store/v1/AUTH_{project_id}"),
)


class Service:
    """Keystone's records live on the SimCloud itself (users, projects, tokens)."""

    def __init__(self, cloud: SimCloud) -> None:
        self.cloud = cloud
        self.admin_state = keystone_admin.IdentityState()

    def seed(self) -> None:
        """Projects demo/ops/research/admin; user demo (member of demo and ops), user admin."""
        cloud = self.cloud
        rng = cloud.rng
        for name, description in (("admin", "Cloud administration"),
                                  ("demo", "Demo project"),
                                  ("ops", "Operations"),
                                  ("research", "Research workloads")):
            pid = "%032x" % rng.getrandbits(128)
            cloud.projects[pid] = Project(id=pid, name=name, description=description)
        by_name = {p.name: p.id for p in cloud.projects.values()}
        demo = User(id="%032x" % rng.getrandbits(128), name="demo", password=DEMO_PASSWORD,
                    roles={by_name["demo"]: ["member", "reader"],
                           by_name["ops"]: ["member", "reader"]})
        admin = User(id="%032x" % rng.getrandbits(128), name="admin", password=ADMIN_PASSWORD,
                     roles={pid: ["admin", "member", "reader"] for pid in cloud.projects})
        cloud.users = {demo.id: demo, admin.id: admin}
        keystone_admin.seed(cloud)

    def project_by_name(self, name: str) -> Project:
        """A project by name (for seeding other services)."""
        for project in self.cloud.projects.values():
            if project.name == name:
                return project
        raise KeyError(name)

    def user_by_name(self, name: str) -> User:
        """A user by name."""
        for user in self.cloud.users.values():
            if user.name == name:
                return user
        raise KeyError(name)

    def register(self, router: Router) -> None:
        """Keystone's routes."""
        add = router.add
        add("GET", "/identity", versions, service=NAME, auth=False)
        add("GET", "/identity/v3", version, service=NAME, auth=False)
        add("POST", "/identity/v3/auth/tokens", issue_token, service=NAME, auth=False)
        add("GET", "/identity/v3/auth/tokens", show_token, service=NAME)
        add("HEAD", "/identity/v3/auth/tokens", show_token, service=NAME)
        add("DELETE", "/identity/v3/auth/tokens", revoke_token, service=NAME)
        add("GET", "/identity/v3/auth/catalog", show_catalog, service=NAME)
        add("GET", "/identity/v3/auth/projects", auth_projects, service=NAME)
        add("GET", "/identity/v3/users/{user_id}/projects", user_projects, service=NAME)
        add("GET", "/identity/v3/users/{user_id}", show_user, service=NAME)
        add("GET", "/identity/v3/projects", list_projects, service=NAME)
        add("GET", "/identity/v3/projects/{project_id}", show_project, service=NAME)
        add("GET", "/identity/v3/domains", list_domains, service=NAME)
        add("GET", "/identity/v3/domains/{domain_id}", show_domain, service=NAME)
        keystone_admin.register(router, NAME)
        keystone_groups.register(router, NAME)


def _version_doc(cloud: SimCloud) -> dict[str, Any]:
    return {
        "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": f"{cloud.base_url}/identity/v3/"}],
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.identity-v3+json"}],
    }


def versions(cloud: SimCloud, request: Request) -> Response:
    """GET /identity: the version list (300 Multiple Choices, as Keystone answers)."""
    return Response(300, {"versions": {"values": [_version_doc(cloud)]}})


def version(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3."""
    return Response(200, {"version": _version_doc(cloud)})


def catalog(cloud: SimCloud, project_id: str | None = None) -> list[dict[str, Any]]:
    """The service catalog: one public endpoint per service and region (the configured region,
    then ``extra_regions``, which serve the same data)."""
    regions = (cloud.config.region, *cloud.config.extra_regions)
    entries = []
    for index, (stype, name, path) in enumerate(CATALOG):
        if stype in cloud.faults.catalog_omit or (
                stype in ("block-storage", "volumev3")
                and {"block-storage", "volumev3"} & cloud.faults.catalog_omit):
            continue
        if "{project_id}" in path:
            if project_id is None:
                continue  # a system token has no account
            path = path.format(project_id=project_id)
        sid = "%032x" % (index + 1)
        entries.append({
            "id": sid, "type": stype, "name": name,
            "endpoints": [{"id": "%032x" % (index + 101 + 100 * number), "interface": interface,
                           "region": region, "region_id": region,
                           "url": cloud.base_url + path}
                          for number, region in enumerate(regions)
                          for interface in ("public",)],
        })
    return entries


def _token_body(cloud: SimCloud, token: Token) -> dict[str, Any]:
    user = cloud.users[token.user_id]
    body: dict[str, Any] = {
        "methods": token.methods,
        "user": {"id": user.id, "name": user.name, "password_expires_at": None,
                 "domain": {"id": "default", "name": "Default"}},
        "audit_ids": [token.id[-22:]],
        "issued_at": isotime(token.issued_at, micro=True),
        "expires_at": isotime(token.expires_at, micro=True),
    }
    if token.project_id:
        project = cloud.projects[token.project_id]
        body["project"] = {"id": project.id, "name": project.name,
                           "domain": {"id": "default", "name": "Default"}}
        body["roles"] = [{"id": "%032x" % int.from_bytes(r.encode()[:16], "big"), "name": r}
                         for r in token.roles]
        body["catalog"] = catalog(cloud, token.project_id)
        body["is_domain"] = False
    elif token.id in system_tokens(cloud):
        body["system"] = {"all": True}
        body["roles"] = [{"id": "%032x" % int.from_bytes(r.encode()[:16], "big"), "name": r}
                         for r in system_tokens(cloud)[token.id]]
        body["catalog"] = catalog(cloud)
    return body


# Roles on the system scope, by user name: the rig's admin holds admin (which implies manager,
# member and reader there); nobody else has any.
SYSTEM_ROLES = {"admin": ["admin", "manager", "member", "reader"]}


def system_tokens(cloud: SimCloud) -> dict[str, list[str]]:
    """Token id -> roles of the system-scoped tokens issued. Services see such a token as
    scoped to no project and holding no project role, so they grant it nothing."""
    tokens: dict[str, list[str]] = cloud.__dict__.setdefault("system_tokens", {})
    return tokens


def _find_user(cloud: SimCloud, spec: Any) -> User | None:
    if not isinstance(spec, dict):
        return None
    if "id" in spec:
        return cloud.users.get(str(spec["id"]))
    name = spec.get("name")
    domain = spec.get("domain") or {}
    domain_ok = (not isinstance(domain, dict) or domain.get("id", "default") == "default"
                 or domain.get("name") == "Default")
    for user in cloud.users.values():
        if user.name == name and domain_ok:
            return user
    return None


def _find_project(cloud: SimCloud, spec: Any) -> Project | None:
    if not isinstance(spec, dict):
        return None
    if "id" in spec:
        return cloud.projects.get(str(spec["id"]))
    for project in cloud.projects.values():
        if project.name == spec.get("name"):
            return project
    return None


def issue_token(cloud: SimCloud, request: Request) -> Response:
    """POST /identity/v3/auth/tokens: password or token method, optional project scope."""
    body = request.json_object("auth")
    identity = body.get("identity")
    if not isinstance(identity, dict) or not isinstance(identity.get("methods"), list):
        raise ApiError(400, "Expecting to find identity in auth - the server could not comply "
                            "with the request since it is either malformed or otherwise incorrect.")
    methods = [str(m) for m in identity["methods"]]
    user: User | None = None
    if "password" in methods:
        spec = (identity.get("password") or {}).get("user")
        user = _find_user(cloud, spec)
        if user is None or not isinstance(spec, dict) or spec.get("password") != user.password:
            raise ApiError(401, "The request you have made requires authentication.")
        if not user.enabled:
            raise ApiError(401, "The account is disabled for user: " + user.id + ".")
    elif "application_credential" in methods:
        holder, scoped_to, kept = keystone_admin.app_credential_auth(
            cloud, identity.get("application_credential"))
        issued = cloud.issue_token(holder, scoped_to, methods)
        issued.roles = kept  # the credential's roles, not all the user holds there
        return Response(201, {"token": _token_body(cloud, issued)},
                        {"X-Subject-Token": issued.id})
    elif "token" in methods:
        token_id = str((identity.get("token") or {}).get("id", ""))
        old = cloud.validate_token(token_id)
        if old is None:
            raise ApiError(404, f"Could not find token: {token_id[:8]}…")
        user = cloud.users[old.user_id]
    else:
        raise ApiError(401, "The request you have made requires authentication.")
    project_id = None
    scope = body.get("scope")
    if isinstance(scope, dict) and "project" in scope:
        project = _find_project(cloud, scope["project"])
        if project is None or project.id not in cloud.projects_of(user) \
                or not project.enabled:
            raise ApiError(401, "The request you have made requires authentication.")
        project_id = project.id
    elif isinstance(scope, dict) and scope.get("system") == {"all": True}:
        roles = SYSTEM_ROLES.get(user.name)
        if not roles:
            raise ApiError(401, "The request you have made requires authentication.")
        token = cloud.issue_token(user, None, methods)
        with cloud.lock:
            system_tokens(cloud)[token.id] = list(roles)
        return Response(201, {"token": _token_body(cloud, token)},
                        {"X-Subject-Token": token.id})
    elif isinstance(scope, dict) and scope:
        raise ApiError(401, "simcloud supports project and system scope only.")
    token = cloud.issue_token(user, project_id, methods)
    return Response(201, {"token": _token_body(cloud, token)},
                    {"X-Subject-Token": token.id})


def _subject(cloud: SimCloud, request: Request) -> Token:
    subject = cloud.validate_token(request.header("x-subject-token"))
    if subject is None:
        raise ApiError(404, "Could not find token.")
    return subject


def show_token(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3/auth/tokens: validate X-Subject-Token."""
    subject = _subject(cloud, request)
    return Response(200, {"token": _token_body(cloud, subject)},
                    {"X-Subject-Token": subject.id})


def revoke_token(cloud: SimCloud, request: Request) -> Response:
    """DELETE /identity/v3/auth/tokens."""
    subject = _subject(cloud, request)
    with cloud.lock:
        subject.expires_at = time.time()
    return Response(204)


def show_catalog(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3/auth/catalog."""
    assert request.token is not None
    return Response(200, {"catalog": catalog(cloud, request.token.project_id),
                          "links": {"self": f"{cloud.base_url}/identity/v3/auth/catalog"}})


def _projects_of(cloud: SimCloud, user_id: str) -> list[dict[str, Any]]:
    user = cloud.users[user_id]
    return [keystone_admin.project_doc(cloud, cloud.projects[pid])
            for pid in cloud.projects_of(user) if pid in cloud.projects]


def auth_projects(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3/auth/projects: the projects the token's user may scope to."""
    assert request.token is not None
    return Response(200, {"projects": _projects_of(cloud, request.token.user_id), "links": {}})


def user_projects(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3/users/{user_id}/projects."""
    assert request.token is not None
    user_id = request.params["user_id"]
    if user_id != request.token.user_id and not request.token.is_admin:
        raise ApiError(403, "You are not authorized to perform the requested action.")
    if user_id not in cloud.users:
        raise ApiError(404, f"Could not find user: {user_id}.")
    return Response(200, {"projects": _projects_of(cloud, user_id), "links": {}})


def show_user(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3/users/{user_id}."""
    assert request.token is not None
    user = cloud.users.get(request.params["user_id"])
    if user is None:
        raise ApiError(404, f"Could not find user: {request.params['user_id']}.")
    if user.id != request.token.user_id and not request.token.is_admin:
        raise ApiError(403, "You are not authorized to perform the requested action.")
    return Response(200, {"user": keystone_admin.user_doc(cloud, user)})


def list_projects(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3/projects: all for admins, else the user's own."""
    assert request.token is not None
    if request.token.is_admin:
        projects = [keystone_admin.project_doc(cloud, p) for p in cloud.projects.values()]
    else:
        projects = _projects_of(cloud, request.token.user_id)
    name = request.arg("name")
    if name is not None:
        projects = [p for p in projects if p["name"] == name]
    return Response(200, {"projects": projects, "links": {}})


def show_project(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3/projects/{project_id}."""
    assert request.token is not None
    project = cloud.projects.get(request.params["project_id"])
    if project is None:
        raise ApiError(404, f"Could not find project: {request.params['project_id']}.")
    if not request.token.is_admin \
            and project.id not in cloud.projects_of(cloud.users[request.token.user_id]):
        raise ApiError(403, "You are not authorized to perform the requested action.")
    return Response(200, {"project": keystone_admin.project_doc(cloud, project)})


DEFAULT_DOMAIN = {"id": "default", "name": "Default", "description": "The default domain",
                  "enabled": True, "tags": [], "options": {}}


def _domain_doc(cloud: SimCloud) -> dict[str, Any]:
    return {**DEFAULT_DOMAIN, "links": {"self": f"{cloud.base_url}/identity/v3/domains/default"}}


def show_domain(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3/domains/{id}: any token may read the default domain (as the rig)."""
    domain_id = request.params["domain_id"]
    if domain_id != "default":
        raise ApiError(404, f"Could not find domain: {domain_id}.")
    return Response(200, {"domain": _domain_doc(cloud)})


def list_domains(cloud: SimCloud, request: Request) -> Response:
    """GET /identity/v3/domains: admins (project or system) only."""
    token = request.token
    if token is None or not (token.is_admin or token.id in system_tokens(cloud)):
        raise ApiError(403, "You are not authorized to perform the requested action: "
                            "identity:list_domains.")
    return Response(200, {"domains": [_domain_doc(cloud)], "links": {
        "self": f"{cloud.base_url}/identity/v3/domains", "previous": None, "next": None}})
