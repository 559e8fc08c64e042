"""Security group actions (Neutron): add a rule (a preset, or typed as the detail shows rules:
"tcp 22 from 0.0.0.0/0"), delete a rule, create (a form) and delete a group.

A server's groups are changed from the server (``operations/servers.py``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.operations.base import (
    Choice,
    KindOperations,
    Needs,
    Operation,
    Raw,
    always_available,
    name_of,
    require,
    rid,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "PRESETS", "RULE_OPERATIONS", "create_group_command",
           "create_security_group", "parse_rule", "rule_command"]

PROTOCOLS = ("tcp", "udp", "icmp", "any")
PRESETS = (
    ("tcp 22 from 0.0.0.0/0", "SSH from anywhere"),
    ("tcp 80 from 0.0.0.0/0", "HTTP from anywhere"),
    ("tcp 443 from 0.0.0.0/0", "HTTPS from anywhere"),
    ("icmp from 0.0.0.0/0", "ICMP (ping) from anywhere"),
    ("any from group {self}", "all traffic from members of this group"),
)
RULE_HELP = "e.g. tcp 22 from 0.0.0.0/0 · tcp 8000-8080 from 10.0.0.0/8 · icmp from any · " \
            "any from group web · egress udp 53 to 10.0.0.2/32"


@dataclass(frozen=True)
class RuleSpec:
    """A parsed rule: what Neutron's body needs and what the CLI says."""

    direction: str
    protocol: str | None
    low: int | None
    high: int | None
    remote_cidr: str | None
    remote_group: str | None
    ethertype: str


def parse_rule(text: str, group_id: str = "") -> tuple[RuleSpec | None, str | None]:
    """``[ingress|egress] PROTO [PORT|LOW-HIGH] [from|to] (CIDR | any | group NAME)``:
    (the rule, why not). ``group {self}`` is this group."""
    words = text.replace("{self}", group_id).split()
    direction = "ingress"
    if words and words[0] in ("ingress", "egress"):
        direction = words.pop(0)
    if not words or words[0] not in PROTOCOLS and not words[0].isdigit():
        return None, f"start with a protocol: {', '.join(PROTOCOLS)} or a number"
    protocol = words.pop(0)
    low = high = None
    if words and words[0][0].isdigit():
        if protocol not in ("tcp", "udp"):
            return None, "only tcp and udp take ports"
        first, _, last = words.pop(0).partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            return None, "ports are a number or LOW-HIGH"
        low, high = int(first), int(last or first)
        if not (1 <= low <= high <= 65535):
            return None, "ports run from 1 to 65535, low before high"
    cidr = group = None
    if words and words[0] in ("from", "to"):
        words.pop(0)
    if words and words[0] == "group":
        if len(words) != 2:
            return None, "group takes one name or id"
        group = words[1]
        words = []
    elif words:
        if len(words) != 1:
            return None, f"unexpected {' '.join(words[1:])!r}"
        if words[0] != "any":
            try:
                cidr = str(ipaddress.ip_network(words[0], strict=False))
            except ValueError:
                return None, f"{words[0]!r} is not an address or network"
    ethertype = "IPv6" if cidr and ":" in cidr else "IPv4"
    return RuleSpec(direction, None if protocol == "any" else protocol, low, high, cidr, group,
                    ethertype), None


def rule_command(spec: RuleSpec, group: str) -> list[str]:
    """``openstack security group rule create …`` for the rule."""
    command = ["openstack", "security", "group", "rule", "create", f"--{spec.direction}",
               "--ethertype", spec.ethertype, "--protocol", spec.protocol or "any"]
    if spec.low is not None:
        command += ["--dst-port", f"{spec.low}:{spec.high}" if spec.high != spec.low
                    else str(spec.low)]
    if spec.remote_group:
        command += ["--remote-group", spec.remote_group]
    elif spec.remote_cidr:
        command += ["--remote-ip", spec.remote_cidr]
    return [*command, group]


def _rule_body(spec: RuleSpec, group_id: str, session: CloudSession) -> dict[str, Any]:
    rule: dict[str, Any] = {"security_group_id": group_id, "direction": spec.direction,
                            "ethertype": spec.ethertype}
    if spec.protocol is not None:
        rule["protocol"] = spec.protocol
    if spec.low is not None:
        rule["port_range_min"], rule["port_range_max"] = spec.low, spec.high
    if spec.remote_cidr:
        rule["remote_ip_prefix"] = spec.remote_cidr
    if spec.remote_group:
        rule["remote_group_id"] = _group_id(session, spec.remote_group)
    return {"security_group_rule": rule}


def _group_id(session: CloudSession, name_or_id: str) -> str:
    from tuicloud.cloud.errors import CloudError

    params = {"project_id": session.project_id} if session.project_id else {}
    body, _ = session.get_json("network", "/security-groups", params)
    groups = [g for g in body.get("security_groups", []) if isinstance(g, dict)]
    for group in groups:
        if group.get("id") == name_or_id:
            return name_or_id
    named = [g for g in groups if g.get("name") == name_or_id]
    if len(named) != 1:
        raise CloudError(f"{'no' if not named else 'more than one'} security group "
                         f"{name_or_id!r} in this project", status=400, service="network")
    return str(named[0]["id"])


def _add_rule(session: CloudSession, raw: Raw, value: str | None) -> None:
    session.refuse_if_read_only(f"add a rule to security group {name_of(raw)}")
    spec, why = parse_rule(require(value, "a rule"), rid(raw))
    if spec is None:
        raise ValueError(why)
    session.request("POST", "network", "/security-group-rules",
                    json=_rule_body(spec, rid(raw), session),
                    description=f"add a rule to security group {name_of(raw)}")


def _add_rule_cli(raw: Raw, value: str | None) -> list[str]:
    spec, _ = parse_rule(value or "", rid(raw))
    if spec is None:
        return ["openstack", "security", "group", "rule", "create", "…", rid(raw)]
    return rule_command(spec, rid(raw))


def _validate_rule(raw: Raw, text: str) -> str | None:
    return parse_rule(text, rid(raw))[1]


def _presets(session: CloudSession, raw: Raw) -> list[Choice]:
    return [Choice(rule, f"{label}  ({rule.replace('{self}', name_of(raw))})")
            for rule, label in PRESETS]


def _rules_of(session: CloudSession, raw: Raw) -> list[Choice]:
    from tuicloud.cloud.kinds.security_groups import rule_pair

    rules = raw.get("security_group_rules") or []
    return [Choice(str(r["id"]), "  ".join(rule_pair(r)))
            for r in rules if isinstance(r, dict) and r.get("id")]


def _delete_rule(session: CloudSession, raw: Raw, value: str | None) -> None:
    rule = require(value, "a rule")
    session.request("DELETE", "network", f"/security-group-rules/{rule}",
                    description=f"delete a rule of security group {name_of(raw)}")


def _has_rules(raw: Raw) -> str | None:
    return None if raw.get("security_group_rules") else "the group has no rules"


def _deletable(raw: Raw) -> str | None:
    return "the project's default group cannot be deleted" if raw.get("name") == "default" \
        else None


def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "network", f"/security-groups/{rid(raw)}",
                    description=f"delete security group {name_of(raw)}")


def create_group_command(name: str, description: str) -> list[str]:
    """``openstack security group create [--description D] NAME``."""
    extra = ["--description", description] if description else []
    return ["openstack", "security", "group", "create", *extra, name]


def create_security_group(session: CloudSession, name: str, description: str) -> str | None:
    """Create it (blocking; ReadOnlyError before sending): its id."""
    body, _ = session.request("POST", "network", "/security-groups", json={
        "security_group": {"name": name, "description": description}},
        description=f"create security group {name}")
    made = body.get("security_group") if isinstance(body, dict) else None
    return str(made["id"]) if isinstance(made, dict) and made.get("id") else None



OPERATIONS = KindOperations("security-groups", "security group", (
    Operation(
        "security_group.add_preset", "security-groups", "Add a preset rule…", always_available,
        _add_rule, _add_rule_cli,
        needs=Needs("Rule", "<rule>", choices=_presets),
        keywords=("ssh", "http", "https", "icmp", "ping", "allow"), single=True),
    Operation(
        "security_group.add_rule", "security-groups", "Add a custom rule…", always_available,
        _add_rule, _add_rule_cli,
        needs=Needs(f"Rule ({RULE_HELP})", "<rule>", validate=_validate_rule,
                    default=lambda raw: "tcp 22 from 0.0.0.0/0"),
        keywords=("allow", "port", "custom"), single=True),
    Operation(
        "security_group.delete_rule", "security-groups", "Delete a rule…", _has_rules,
        _delete_rule,
        lambda raw, v: ["openstack", "security", "group", "rule", "delete", str(v)],
        needs=Needs("Rule to delete", "<rule-id>", choices=_rules_of),
        destructive=True, keywords=("remove", "revoke"), single=True),
    Operation(
        "security_group.delete", "security-groups", "Delete", _deletable, _delete,
        lambda raw, _v: ["openstack", "security", "group", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("remove",)),
))


# -- the rules view: rules as rows, so marks delete several at once ------------------------------
def _delete_listed_rule(session: CloudSession, raw: Raw, _value: str | None) -> None:
    from tuicloud.cloud.kinds.security_groups import describe_rule

    session.request("DELETE", "network", f"/security-group-rules/{rid(raw)}",
                    description=f"delete rule {describe_rule(raw)}")


RULE_OPERATIONS = KindOperations("security-group-rules", "rule of group", (
    Operation(
        "security_group_rule.delete", "security-group-rules", "Delete", always_available,
        _delete_listed_rule,
        lambda raw, _v: ["openstack", "security", "group", "rule", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("remove", "revoke")),
))
