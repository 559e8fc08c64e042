"""Keystone's projects and users (admin only): who and what the cloud holds, enabled or not,
with each user's default project by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    text,
    time_field,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["PROJECTS", "USERS"]


def enabled_class(value: object) -> StatusClass | None:
    """A disabled project or user is known and wanted, but worth seeing."""
    if value == "yes":
        return "ok"
    return "warn" if value == "no" else None


def _parent(raw: Raw, lookups: Lookups) -> str:
    """A top-level project's parent is its domain: only a project parent says something."""
    parent = raw.get("parent_id")
    if not parent or parent == raw.get("domain_id"):
        return ""
    return lookups.project_name(parent)


def project_row(raw: Raw, lookups: Lookups) -> Row:
    """A project's row, as `openstack project list --long`."""
    return {
        "name": text(raw.get("name")),
        "enabled": yes_no(raw.get("enabled")),
        "domain": text(raw.get("domain_id")),
        "parent": _parent(raw, lookups),
        "description": text(raw.get("description")),
    }


def project_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Everything Keystone says about the project."""
    tags = raw.get("tags")
    return [("Project", [(k, v) for k, v in [
        ("Name", text(raw.get("name"))),
        ("ID", text(raw.get("id"))),
        ("Enabled", yes_no(raw.get("enabled"))),
        ("Domain", text(raw.get("domain_id"))),
        ("Parent", _parent(raw, lookups)),
        ("Description", text(raw.get("description"))),
        ("Tags", ", ".join(text(t) for t in tags) if isinstance(tags, list) else ""),
    ] if v])]


def user_row(raw: Raw, lookups: Lookups) -> Row:
    """A user's row, as `openstack user list --long`."""
    project = raw.get("default_project_id")
    return {
        "name": text(raw.get("name")),
        "enabled": yes_no(raw.get("enabled")),
        "domain": text(raw.get("domain_id")),
        "email": text(raw.get("email")),
        "project": lookups.project_name(project) if project else "",
        "description": text(raw.get("description")),
    }


def user_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Everything Keystone says about the user (it never shows a password)."""
    row = {key: text(value) for key, value in user_row(raw, lookups).items()}
    return [("User", [(k, v) for k, v in [
        ("Name", row["name"]),
        ("ID", text(raw.get("id"))),
        ("Enabled", row["enabled"]),
        ("Domain", row["domain"]),
        ("Email", row["email"]),
        ("Default project", row["project"]),
        ("Description", row["description"]),
        ("Password expires", time_field(raw.get("password_expires_at"))),
    ] if v])]


PROJECTS = ResourceKind(
    name="projects",
    title="Projects",
    aliases=("project", "proj", "tenants"),
    service_type="identity",
    list_path="/projects",
    list_key="projects",
    show_path="/projects/{id}",
    show_key="project",
    paged=False,
    page_size=None,
    columns=(
        Column("name", "Name", 24, 0),
        Column("enabled", "Enabled", 7, 0),
        Column("domain", "Domain", 10, 2),
        Column("parent", "Parent", 16, 2),
        Column("description", "Description", 36, 1),
    ),
    to_row=project_row,
    detail_sections=project_sections,
    status_class=enabled_class,
    status_key="enabled",
    lookups=frozenset({"projects"}),
    admin_only=True,
    create_form="create_project",
)

USERS = ResourceKind(
    name="users",
    title="Users",
    aliases=("user", "usr"),
    service_type="identity",
    list_path="/users",
    list_key="users",
    show_path="/users/{id}",
    show_key="user",
    paged=False,
    page_size=None,
    columns=(
        Column("name", "Name", 20, 0),
        Column("enabled", "Enabled", 7, 0),
        Column("email", "Email", 24, 1),
        Column("project", "Default project", 16, 1),
        Column("domain", "Domain", 10, 2),
        Column("description", "Description", 30, 3),
    ),
    to_row=user_row,
    detail_sections=user_sections,
    status_class=enabled_class,
    status_key="enabled",
    lookups=frozenset({"projects"}),
    admin_only=True,
    create_form="create_user",
)
