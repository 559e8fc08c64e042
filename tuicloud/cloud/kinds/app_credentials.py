"""Application credentials (Keystone): every user's own, for scripts and services that should
not hold a password. Keystone keeps them under the user; the secret is shown once, at
creation, and never listed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    parse_time,
    text,
    time_field,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["APP_CREDENTIALS"]


def _roles(raw: Raw) -> str:
    roles = raw.get("roles")
    if not isinstance(roles, list):
        return ""
    return ", ".join(text(r.get("name")) for r in roles if isinstance(r, dict))


def _expires(raw: Raw) -> str:
    return time_field(raw.get("expires_at")) if raw.get("expires_at") else "never"


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A credential's row, as `openstack application credential list`."""
    expires = raw.get("expires_at")
    return {
        "name": text(raw.get("name")),
        "project": lookups.project_name(raw.get("project_id")),
        "roles": _roles(raw),
        "expires": _expires(raw),
        "expires_ts": parse_time(expires) if expires else None,
        "unrestricted": yes_no(raw.get("unrestricted")),
        "description": text(raw.get("description")),
    }


def status_class(value: object) -> StatusClass | None:
    """An unrestricted credential can make more credentials: worth a second look."""
    return "warn" if value == "yes" else None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Everything Keystone keeps of the credential (the secret is not among it)."""
    rules = raw.get("access_rules")
    return [("Application credential", [(k, v) for k, v in [
        ("Name", text(raw.get("name"))),
        ("ID", text(raw.get("id"))),
        ("Project", lookups.project_name(raw.get("project_id"))),
        ("Roles", _roles(raw)),
        ("Expires", _expires(raw)),
        ("Unrestricted", yes_no(raw.get("unrestricted"))),
        ("Description", text(raw.get("description"))),
        ("Access rules", str(len(rules)) if isinstance(rules, list) and rules else ""),
    ] if v])]


APP_CREDENTIALS = ResourceKind(
    name="app-credentials",
    title="Application credentials",
    aliases=("appcreds", "application-credentials", "ac"),
    service_type="identity",
    list_path="/users/{user_id}/application_credentials",
    list_key="application_credentials",
    show_path="/users/{user_id}/application_credentials/{id}",
    show_key="application_credential",
    paged=False,
    page_size=None,
    columns=(
        Column("name", "Name", 20, 0),
        Column("project", "Project", 14, 1),
        Column("roles", "Roles", 20, 0),
        Column("expires", "Expires", 20, 1, sort_key="expires_ts"),
        Column("unrestricted", "Unrestricted", 12, 2),
        Column("description", "Description", 30, 3),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key="unrestricted",
    lookups=frozenset({"projects"}),
    create_form="create_app_credential",
)
