"""Every user's own projects and roles (``:my-projects``): the projects Keystone lets the token's
user scope to (``GET /v3/auth/projects``), the one in use marked, with the user's roles.

Roles: the token says them for the project in use. For the others Keystone answers only an
admin's question (``GET /v3/role_assignments`` is a reader-of-the-system-or-domain policy), so
a member sees "switch to see" there; enter switches to the project (``:project NAME``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    text,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.lookups import Lookups

__all__ = ["MY_PROJECTS"]

log = logging.getLogger(__name__)

ROLES = "_tuicloud_roles"  # set on each item by the enricher: the user's roles there
CURRENT = "_tuicloud_current"
UNKNOWN = "switch to see"


def add_roles(session: CloudSession, items: list[Raw]) -> None:
    """The user's roles on each project: the token's for the one in use; an admin's effective
    assignments (with names) for the others; else unknown (Keystone would refuse: 403)."""
    from tuicloud.cloud.errors import CloudError

    by_project: dict[str, list[str]] = {}
    if session.is_admin:
        try:
            body, _ = session.get_json("identity", "/role_assignments", [
                ("user.id", str(session.user_id)), ("effective", ""),
                ("include_names", "true")])
            for grant in body.get("role_assignments", []) if isinstance(body, dict) else []:
                project = ((grant.get("scope") or {}).get("project") or {}).get("id")
                role = (grant.get("role") or {}).get("name")
                if project and role:
                    by_project.setdefault(str(project), []).append(str(role))
        except CloudError as error:  # names stay a nicety: the list goes on without them
            log.info("own role assignments not listed: %s", error)
    for item in items:
        ident = str(item.get("id"))
        item[CURRENT] = ident == session.project_id
        if item[CURRENT]:
            item[ROLES] = sorted(session.roles)
        elif ident in by_project:
            item[ROLES] = sorted(set(by_project[ident]))
        else:
            item[ROLES] = None


def _roles(raw: Raw) -> str:
    roles = raw.get(ROLES)
    return ", ".join(text(r) for r in roles) if isinstance(roles, list) else UNKNOWN


def my_project_row(raw: Raw, _lookups: Lookups) -> Row:
    """A project of mine: in use or not, my roles there."""
    return {
        "name": text(raw.get("name")),
        "current": "● in use" if raw.get(CURRENT) else "",
        "roles": _roles(raw),
        "enabled": yes_no(raw.get("enabled")),
        "domain": text(raw.get("domain_id")),
        "description": text(raw.get("description")),
    }


def my_project_sections(raw: Raw, lookups: Lookups) -> Sections:
    """What Keystone says about it, and my roles there."""
    row = my_project_row(raw, lookups)
    return [("Project", [(k, str(v)) for k, v in [
        ("Name", row["name"]),
        ("ID", text(raw.get("id"))),
        ("In use", "yes" if raw.get(CURRENT) else "no (enter switches to it)"),
        ("My roles", row["roles"]),
        ("Enabled", row["enabled"]),
        ("Domain", row["domain"]),
        ("Description", row["description"]),
    ] if v])]


def _switch_to(raw: Mapping[str, Any]) -> str | None:
    """Enter: switch to the project (nothing to do for the one in use)."""
    return None if raw.get(CURRENT) or not raw.get("name") else f"project {raw['name']}"


MY_PROJECTS = ResourceKind(
    name="my-projects",
    title="My projects",
    aliases=("myprojects", "mine", "me"),
    service_type="identity",
    list_path="/auth/projects",
    list_key="projects",
    show_path="/auth/projects",
    show_key="projects",
    paged=False,
    page_size=None,
    show_from_list=True,  # a member may not read another project by id
    columns=(
        Column("name", "Name", 24, 0),
        Column("current", "", 8, 0),
        Column("roles", "My roles", 24, 0),
        Column("enabled", "Enabled", 7, 2),
        Column("domain", "Domain", 10, 2),
        Column("description", "Description", 30, 1),
    ),
    to_row=my_project_row,
    detail_sections=my_project_sections,
    status_class=lambda _value: None,
    status_key=None,
    enrich=add_roles,
    enter_command=_switch_to,
)
