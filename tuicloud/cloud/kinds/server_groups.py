"""Server groups (Nova): the (anti-)affinity policy and its members, listed in full."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
    Jump,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    text,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["SERVER_GROUPS", "policy_of"]


def policy_of(raw: Raw) -> str:
    """The group's policy: ``policy`` from microversion 2.64, ``policies[0]`` before."""
    policy = raw.get("policy")
    if policy:
        return text(policy)
    policies = raw.get("policies")
    return text(policies[0]) if isinstance(policies, list) and policies else ""


def _members(raw: Raw) -> list[str]:
    members = raw.get("members")
    return [str(m) for m in members] if isinstance(members, list) else []


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A server group's display row, as `openstack server group list --long`."""
    members = _members(raw)
    return {
        "name": text(raw.get("name")),
        "policy": policy_of(raw),
        "members": len(members),
        "servers": ", ".join(lookups.server_name(m) for m in members[:4])
                   + (" …" if len(members) > 4 else ""),
        "project": lookups.project_name(raw.get("project_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """Server groups have no status."""
    return None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Grouped fields for a server group's detail view: every member by name and id."""
    rules = raw.get("rules")
    rule_pairs = [(str(k), text(v)) for k, v in sorted(rules.items())] \
        if isinstance(rules, dict) else []
    return [
        ("Server group", [(k, v) for k, v in [
            ("Name", text(raw.get("name"))),
            ("ID", text(raw.get("id"))),
            ("Policy", policy_of(raw)),
            ("Project", lookups.project_name(raw.get("project_id"))),
            ("User", text(raw.get("user_id"))),
        ] if v]),
        ("Rules", rule_pairs),
        ("Members", [(lookups.server_name(m), m) for m in _members(raw)]),
    ]


def jumps(raw: Raw, lookups: Lookups) -> list[Jump]:
    """Its member servers."""
    return [Jump("servers", m, f"server {lookups.server_name(m)}") for m in _members(raw)]


SERVER_GROUPS = ResourceKind(
    name="server-groups",
    title="Server groups",
    aliases=("sgr", "servergroups", "server-group", "server_groups"),
    service_type="compute",
    list_path="/os-server-groups",
    list_key="server_groups",
    show_path="/os-server-groups/{id}",
    show_key="server_group",
    columns=(
        Column("name", "Name", 24, 0),
        Column("policy", "Policy", 18, 0),
        Column("members", "Members", 7, 1, numeric=True),
        Column("servers", "Servers", 40, 2),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    jumps=jumps,
    status_class=status_class,
    status_key=None,
    page_size=None,
    all_projects_params=(("all_projects", "True"),),
    lookups=frozenset({"servers", "projects"}),
    create_form="create_server_group",
)
