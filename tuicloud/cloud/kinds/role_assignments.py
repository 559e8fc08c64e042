"""Role assignments (Keystone, admin only): who has which role where, a user's own or a
group's, by name (``include_names``). The API gives an assignment no id: its grant's path
(``projects/P/users/U/roles/R``) is one, and is what revoking deletes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.kinds.base import Column, Raw, ResourceKind, Row, Sections, text, yes_no

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["ROLE_ASSIGNMENTS", "actor", "grant_path", "inherited", "scope"]

_SCOPES = (("project", "projects"), ("domain", "domains"))
_ACTORS = (("user", "users"), ("group", "groups"))


def _part(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def scope(raw: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """("project" | "domain" | "system" | "", that scope's document)."""
    where = _part(raw, "scope")
    for key, _plural in _SCOPES:
        if key in where:
            return key, _part(where, key)
    return ("system", _part(where, "system")) if "system" in where else ("", {})


def actor(raw: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """("user" | "group", its document)."""
    return ("group", _part(raw, "group")) if "group" in raw else ("user", _part(raw, "user"))


def inherited(raw: Mapping[str, Any]) -> bool:
    """Inherited to the projects under the scope (OS-INHERIT): revoked where it is set."""
    return "OS-INHERIT:inherited_to" in _part(raw, "scope")


def grant_path(raw: Mapping[str, Any]) -> str:
    """``projects/P/users/U/roles/R`` (``system/users/U/roles/R`` for the system scope): the
    assignment's id, and the URL that grants or revokes it."""
    where, target = scope(raw)
    who, person = actor(raw)
    role = text(_part(raw, "role").get("id"))
    plural = dict(_SCOPES).get(where)
    head = f"{plural}/{text(target.get('id'))}" if plural else "system"
    return f"{head}/{who}s/{text(person.get('id'))}/roles/{role}"


def _named(doc: Mapping[str, Any]) -> str:
    return text(doc.get("name")) or text(doc.get("id"))


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """An assignment's row, as `openstack role assignment list --names`."""
    who, person = actor(raw)
    where, target = scope(raw)
    return {
        "name": _named(person) if who == "user" else f"group {_named(person)}",
        "role": _named(_part(raw, "role")),
        "scope": f"{where} {_named(target)}".strip() if where != "system" else "system",
        "inherited": yes_no(inherited(raw)),
    }


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The assignment, with the ids behind each name."""
    who, person = actor(raw)
    where, target = scope(raw)
    role = _part(raw, "role")
    return [("Role assignment", [(k, v) for k, v in [
        ("Role", _named(role)), ("Role ID", text(role.get("id"))),
        (who.capitalize(), _named(person)), (f"{who.capitalize()} ID", text(person.get("id"))),
        ("Scope", where), (f"{where.capitalize()} name", _named(target)),
        (f"{where.capitalize()} ID", text(target.get("id"))),
        ("Inherited", yes_no(inherited(raw))),
        ("Through group", text(_part(raw, "links").get("membership"))),
    ] if v])]


ROLE_ASSIGNMENTS = ResourceKind(
    name="role-assignments",
    title="Role assignments",
    aliases=("assignments", "roles", "ra"),
    service_type="identity",
    list_path="/role_assignments",
    list_key="role_assignments",
    show_path="/role_assignments",
    show_key="role_assignments",
    show_from_list=True,
    paged=False,
    page_size=None,
    list_params=(("include_names", "true"),),
    columns=(
        Column("name", "Who", 22, 0),  # a user, or "group NAME"
        Column("role", "Role", 14, 0),
        Column("scope", "Scope", 26, 0),
        Column("inherited", "Inherited", 9, 2),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=lambda _value: None,
    status_key=None,
    id_from=grant_path,
    name_key=None,
    admin_only=True,
    create_form="grant_role",  # `c` grants a role: an assignment is what it creates
)
