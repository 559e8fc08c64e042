"""Keystone's groups (admin only): a role granted to a group is held by each of its members,
which is how operators give a team access without a grant per person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import Column, Raw, ResourceKind, Row, Sections, text

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["GROUPS"]


def to_row(raw: Raw, _lookups: Lookups) -> Row:
    """A group's row, as `openstack group list --long`."""
    return {"name": text(raw.get("name")), "domain": text(raw.get("domain_id")),
            "description": text(raw.get("description"))}


def detail_sections(raw: Raw, _lookups: Lookups) -> Sections:
    """The group (its members are listed under it)."""
    return [("Group", [(k, v) for k, v in [
        ("Name", text(raw.get("name"))), ("ID", text(raw.get("id"))),
        ("Domain", text(raw.get("domain_id"))), ("Description", text(raw.get("description"))),
    ] if v])]


GROUPS = ResourceKind(
    name="groups",
    title="Groups",
    aliases=("group", "grp"),
    service_type="identity",
    list_path="/groups",
    list_key="groups",
    show_path="/groups/{id}",
    show_key="group",
    paged=False,
    page_size=None,
    columns=(
        Column("name", "Name", 24, 0),
        Column("domain", "Domain", 10, 2),
        Column("description", "Description", 40, 1),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=lambda _value: None,
    status_key=None,
    admin_only=True,
    create_form="create_group",
)
