"""Security groups (Neutron): listed in full, rules summarised."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
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
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["SECURITY_GROUPS", "describe_rule"]


def describe_rule(rule: Raw) -> str:
    """One rule as "ingress tcp 22 from 0.0.0.0/0"."""
    protocol = text(rule.get("protocol")) or "any"
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low is None and high is None:
        ports = ""
    elif low == high or high is None:
        ports = str(low)
    else:
        ports = f"{low}-{high}"
    if rule.get("remote_ip_prefix"):
        remote = str(rule["remote_ip_prefix"])
    elif rule.get("remote_group_id"):
        remote = f"group {str(rule['remote_group_id'])[:8]}"
    else:
        remote = "any"
    direction = text(rule.get("direction")) or "ingress"
    where = "from" if direction == "ingress" else "to"
    ether = text(rule.get("ethertype"))
    parts = [direction, ether, protocol, ports, where, remote]
    return " ".join(p for p in parts if p)


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A security group's display row."""
    rules = [r for r in raw.get("security_group_rules") or [] if isinstance(r, dict)]
    ingress = sum(1 for r in rules if r.get("direction") == "ingress")
    created = raw.get("created_at")
    return {
        "id": text(raw.get("id")),
        "name": text(raw.get("name")),
        "description": text(raw.get("description")),
        "rules": len(rules),
        "ingress": ingress,
        "stateful": yes_no(raw.get("stateful", True)),
        "age": format_age(created),
        "created_ts": parse_time(created),
        "project": lookups.project_name(raw.get("project_id") or raw.get("tenant_id")),
    }


def status_class(value: object) -> StatusClass | None:
    """Security groups have no status."""
    return None



def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Grouped fields for a security group's detail view, one line per rule."""
    rules = [r for r in raw.get("security_group_rules") or [] if isinstance(r, dict)]
    return [
        ("Security group", [(k, v) for k, v in [
            ("Name", text(raw.get("name"))),
            ("ID", text(raw.get("id"))),
            ("Description", text(raw.get("description"))),
            ("Stateful", yes_no(raw.get("stateful", True))),
            ("Project", lookups.project_name(raw.get("project_id"))),
            ("Created", time_field(raw.get("created_at"))),
            ("Updated", time_field(raw.get("updated_at"))),
        ] if v]),
        ("Rules", [rule_pair(r) for r in sorted(rules, key=_rule_order)]),
    ]


def _rule_order(rule: Raw) -> tuple[str, str, str, int]:
    low = rule.get("port_range_min")
    return (text(rule.get("direction")), text(rule.get("ethertype")),
            text(rule.get("protocol")), low if isinstance(low, int) else -1)


def rule_pair(rule: Raw) -> tuple[str, str]:
    """One rule as a detail line: ("ingress IPv4", "tcp 22 from 0.0.0.0/0 · description"), in
    the words of `openstack security group rule list`. Every rule shows, described or not."""
    direction = text(rule.get("direction")) or "ingress"
    label = " ".join(p for p in (direction, text(rule.get("ethertype"))) if p)
    words = describe_rule(rule).split(" ")[len(label.split(" ")):]
    description = text(rule.get("description"))
    return label, " ".join(words) + (f" · {description}" if description else "")


SECURITY_GROUPS = ResourceKind(
    name="security-groups",
    title="Security groups",
    aliases=("sg", "secgroups", "security_groups", "securitygroups", "security-group"),
    service_type="network",
    list_path="/security-groups",
    list_key="security_groups",
    show_path="/security-groups/{id}",
    show_key="security_group",
    columns=(
        Column("name", "Name", 20, 0),
        Column("description", "Description", 30, 2),
        Column("rules", "Rules", 5, 1, numeric=True),
        Column("stateful", "Stateful", 8, 4),
        Column("age", "Age", 5, 3, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key=None,
    page_size=None,
    in_project=owned_by,
    lookups=frozenset({"projects"}),
    create_form="create_security_group",
)
