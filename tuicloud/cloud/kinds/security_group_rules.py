"""Security group rules (Neutron) as a list of their own: every rule with its group's name,
in the words of `openstack security group rule list --long`, so several can be marked and
deleted at once (a group's detail shows its rules, but a detail has no marks)."""

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
    format_age,
    owned_by,
    parse_time,
    text,
    time_field,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["SECURITY_GROUP_RULES", "port_range"]


def port_range(rule: Raw) -> str:
    """"22", "8000-8080", or "" for every port (the CLI's "Port Range")."""
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low is None and high is None:
        return ""
    if low == high or high is None:
        return str(low)
    return f"{low}-{high}"


def _remote(rule: Raw, lookups: Lookups) -> str:
    if rule.get("remote_ip_prefix"):
        return str(rule["remote_ip_prefix"])
    if rule.get("remote_group_id"):
        return f"group {lookups.name('security_groups', rule['remote_group_id'])}"
    if rule.get("remote_address_group_id"):
        return f"address group {str(rule['remote_address_group_id'])[:8]}"
    return "any"


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A rule's display row: its group by name, then what it lets through."""
    created = raw.get("created_at")
    return {
        # Rules have no name: the group they belong to is what people call them by.
        "name": lookups.name("security_groups", raw.get("security_group_id")),
        "direction": text(raw.get("direction")),
        "ethertype": text(raw.get("ethertype")),
        "protocol": text(raw.get("protocol")) or "any",
        "ports": port_range(raw),
        "remote": _remote(raw, lookups),
        "description": text(raw.get("description")),
        "age": format_age(created),
        "created_ts": parse_time(created),
        "project": lookups.project_name(raw.get("project_id") or raw.get("tenant_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """Rules have no status."""
    return None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The rule and the group it belongs to."""
    group = raw.get("security_group_id")
    return [
        ("Rule", [(k, v) for k, v in [
            ("ID", text(raw.get("id"))),
            ("Security group", f"{lookups.name('security_groups', group)} ({text(group)})"
             if group else ""),
            ("Direction", text(raw.get("direction"))),
            ("Ethertype", text(raw.get("ethertype"))),
            ("Protocol", text(raw.get("protocol")) or "any"),
            ("Port range", port_range(raw) or "any"),
            ("Remote", _remote(raw, lookups)),
            ("Remote group ID", text(raw.get("remote_group_id"))),
            ("Description", text(raw.get("description"))),
            ("Project", lookups.project_name(raw.get("project_id"))),
            ("Created", time_field(raw.get("created_at"))),
            ("Updated", time_field(raw.get("updated_at"))),
        ] if v]),
    ]


def jumps(raw: Raw, lookups: Lookups) -> list[Jump]:
    """The group it belongs to, and the remote group it lets in."""
    found: list[Jump] = []
    for key, word in (("security_group_id", "group"), ("remote_group_id", "remote group")):
        ident = raw.get(key)
        if ident:
            found.append(Jump("security-groups", str(ident),
                              f"{word} {lookups.name('security_groups', ident)}"))
    return found


SECURITY_GROUP_RULES = ResourceKind(
    name="security-group-rules",
    title="Security group rules",
    aliases=("rules", "rule", "sgrules", "security-group-rule", "security_group_rules"),
    service_type="network",
    list_path="/security-group-rules",
    list_key="security_group_rules",
    show_path="/security-group-rules/{id}",
    show_key="security_group_rule",
    columns=(
        Column("name", "Group", 16, 0),
        Column("direction", "Direction", 9, 0),
        Column("ethertype", "Ether", 5, 2),
        Column("protocol", "Protocol", 8, 0),
        Column("ports", "Ports", 11, 0),
        Column("remote", "Remote", 18, 1),
        Column("description", "Description", 24, 3),
        Column("age", "Age", 5, 4, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    jumps=jumps,
    status_class=status_class,
    status_key=None,
    page_size=None,
    in_project=owned_by,
    lookups=frozenset({"security_groups", "projects"}),
    name_key=None,
)
