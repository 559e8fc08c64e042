"""Identity administration that makes things (Keystone, admin): a project, a user (with a
first password), a new password for a user, and a role granted on a project.

The forms (``screens/forms/create_project.py``, ``create_user.py``, ``grant_role.py``) and the
"Set password…" action call these; this module builds what they send and the ``openstack``
command they show. A password goes only into the request body: never into a description (the
log's "mutate:" line), a command (``--password-prompt`` stands for it) or an error message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.create import validate_name

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["DEFAULT_DOMAIN", "GrantSpec", "ProjectSpec", "UserSpec", "create_project",
           "create_user", "grant_command", "grant_role", "named_choices", "password_problem",
           "project_command", "set_password", "set_password_command", "user_command",
           "validate_email", "validate_project_name"]

DEFAULT_DOMAIN = "default"
MAX_PROJECT_NAME = 64  # Keystone's project name column
MIN_PASSWORD = 8
"""Keystone itself takes any non-empty password unless the cloud sets a rule; eight characters
is the least an operator would hand out, and the cloud's own rule still applies after."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ProjectSpec:
    """A new project in a domain."""

    name: str
    domain_id: str = DEFAULT_DOMAIN
    description: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class UserSpec:
    """A new user; ``password`` empty means none (the user cannot sign in with one yet)."""

    name: str
    domain_id: str = DEFAULT_DOMAIN
    email: str = ""
    description: str = ""
    default_project_id: str | None = None
    password: str = ""
    enabled: bool = True

    def __repr__(self) -> str:  # never the password, even in a traceback's locals
        return (f"UserSpec(name={self.name!r}, domain_id={self.domain_id!r}, "
                f"default_project_id={self.default_project_id!r}, "
                f"password={'***' if self.password else ''!r})")


@dataclass(frozen=True)
class GrantSpec:
    """A role for a user or a group (``actor``) on a project (names kept for the command and
    the message)."""

    project_id: str
    actor_id: str
    role_id: str
    project_name: str = ""
    actor_name: str = ""
    role_name: str = ""
    actor: str = "user"  # or "group"

    @property
    def path(self) -> str:
        """``projects/P/users/U/roles/R``: the grant's URL, and the assignment's id."""
        return f"projects/{self.project_id}/{self.actor}s/{self.actor_id}/roles/{self.role_id}"


def validate_project_name(name: str) -> str | None:
    """Keystone's rule for a project name (at most 64 characters), or None."""
    problem = validate_name(name)
    if problem:
        return problem
    if len(name) > MAX_PROJECT_NAME:
        return f"the name is too long (at most {MAX_PROJECT_NAME} characters)"
    return None


def validate_email(email: str) -> str | None:
    """An address that looks like one, or empty."""
    if email and not _EMAIL.match(email):
        return "an address like name@example.org"
    return None


def password_problem(password: str, again: str, *, required: bool) -> str | None:
    """Why this password (typed twice) cannot be used, or None. Never repeats the text."""
    if not password:
        return "a password is required" if required else None
    if len(password) < MIN_PASSWORD:
        return f"at least {MIN_PASSWORD} characters"
    if password != password.strip():
        return "no space at the start or the end"
    if password != again:
        return "the two passwords differ"
    return None


def project_command(spec: ProjectSpec) -> list[str]:
    """``openstack project create --domain D [--description T] [--disable] NAME``."""
    command = ["openstack", "project", "create", "--domain", spec.domain_id]
    if spec.description:
        command += ["--description", spec.description]
    if not spec.enabled:
        command.append("--disable")
    return [*command, spec.name]


def user_command(spec: UserSpec) -> list[str]:
    """``openstack user create --domain D [--email E] [--project P] [--password-prompt] NAME``
    (the password is typed at the prompt, never on the command line)."""
    command = ["openstack", "user", "create", "--domain", spec.domain_id]
    if spec.email:
        command += ["--email", spec.email]
    if spec.description:
        command += ["--description", spec.description]
    if spec.default_project_id:
        command += ["--project", spec.default_project_id]
    if spec.password:
        command.append("--password-prompt")
    if not spec.enabled:
        command.append("--disable")
    return [*command, spec.name]


def set_password_command(user_id: str) -> list[str]:
    """``openstack user set --password-prompt USER``."""
    return ["openstack", "user", "set", "--password-prompt", user_id]


def grant_command(spec: GrantSpec) -> list[str]:
    """``openstack role add --project P --user U ROLE`` (``--group G`` for a group; by id:
    names may repeat across domains)."""
    return ["openstack", "role", "add", "--project", spec.project_id, f"--{spec.actor}",
            spec.actor_id, spec.role_name or spec.role_id]


def create_project(session: CloudSession, spec: ProjectSpec) -> str | None:
    """Create the project; returns its id (blocking; ReadOnlyError before sending)."""
    project: dict[str, Any] = {"name": spec.name, "domain_id": spec.domain_id,
                               "enabled": spec.enabled}
    if spec.description:
        project["description"] = spec.description
    body, _ = session.request("POST", "identity", "/projects", json={"project": project},
                              description=f"create project {spec.name}")
    made = body.get("project") if isinstance(body, dict) else None
    return str(made["id"]) if isinstance(made, dict) and made.get("id") else None


def create_user(session: CloudSession, spec: UserSpec) -> str | None:
    """Create the user; returns its id (blocking; ReadOnlyError before sending)."""
    user: dict[str, Any] = {"name": spec.name, "domain_id": spec.domain_id,
                            "enabled": spec.enabled}
    if spec.email:
        user["email"] = spec.email
    if spec.description:
        user["description"] = spec.description
    if spec.default_project_id:
        user["default_project_id"] = spec.default_project_id
    if spec.password:
        user["password"] = spec.password
    body, _ = session.request("POST", "identity", "/users", json={"user": user},
                              description=f"create user {spec.name}")
    made = body.get("user") if isinstance(body, dict) else None
    return str(made["id"]) if isinstance(made, dict) and made.get("id") else None


def set_password(session: CloudSession, user_id: str, user_name: str, password: str) -> None:
    """An admin sets a user's password (``PATCH /v3/users/{id}``; no old password needed)."""
    session.request("PATCH", "identity", f"/users/{user_id}",
                    json={"user": {"password": password}},
                    description=f"set the password of user {user_name}")


def grant_role(session: CloudSession, spec: GrantSpec) -> None:
    """``PUT /v3/projects/{p}/users/{u}/roles/{r}`` (``groups/{g}`` for a group; idempotent
    in Keystone)."""
    session.request("PUT", "identity", "/" + spec.path,
                    description=f"grant role {spec.role_name or spec.role_id} to "
                                f"{spec.actor} {spec.actor_name or spec.actor_id} on "
                                f"{spec.project_name or spec.project_id}")


def named_choices(session: CloudSession, collection: str,
                  params: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(name, id) of every project, user or role (``collection``), by name: what a form's
    pickers offer. Keystone lists them whole (it does not page)."""
    body, _ = session.get_json("identity", f"/{collection}", list((params or {}).items()))
    items = body.get(collection) if isinstance(body, dict) else None
    found = [(str(item.get("name") or item["id"]), str(item["id"]))
             for item in items or [] if isinstance(item, dict) and item.get("id")]
    return sorted(found, key=lambda pair: (pair[0].lower(), pair[1]))
