"""Server group actions (Nova): create with a policy, delete.

Creating is a form (``screens/forms/create_server_group.py``); this module builds what it sends
and the ``openstack`` command it shows, for both body shapes Nova has had.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.operations.base import KindOperations, Operation, Raw, name_of, rid

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "POLICIES", "ServerGroupSpec", "create_server_group",
           "policies_offered", "server_group_body", "server_group_command",
           "validate_max_per_host"]

POLICIES = ("anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity")
"""Nova's policies; the soft ones need compute 2.15."""
RULES_MICROVERSION = "2.64"
"""From 2.64 a group has one ``policy`` and ``rules`` (``max_server_per_host``)."""


@dataclass(frozen=True)
class ServerGroupSpec:
    """What the form collected: ``max_per_host`` only for anti-affinity at 2.64+."""

    name: str
    policy: str
    max_per_host: int | None = None


def policies_offered(session: CloudSession) -> tuple[str, ...]:
    """The policies this cloud accepts (the soft ones from compute 2.15)."""
    return POLICIES if session.supports_microversion("compute", "2.15") else POLICIES[:2]


def validate_max_per_host(text: str, policy: str, *, rules: bool) -> tuple[int | None, str | None]:
    """The ``max_server_per_host`` rule from the form's text: (value, why not)."""
    text = text.strip()
    if not text:
        return None, None
    if policy != "anti-affinity":
        return None, "only an anti-affinity group takes a maximum per host"
    if not rules:
        return None, f"this cloud's compute API is older than {RULES_MICROVERSION} (no rules)"
    if not text.isdigit() or int(text) < 1:
        return None, "a whole number, at least 1"
    return int(text), None


def server_group_body(spec: ServerGroupSpec, *, rules: bool) -> dict[str, Any]:
    """The POST body: ``policy`` and ``rules`` from 2.64, a one-item ``policies`` before."""
    group: dict[str, Any] = {"name": spec.name}
    if rules:
        group["policy"] = spec.policy
        if spec.max_per_host is not None:
            group["rules"] = {"max_server_per_host": spec.max_per_host}
    else:
        group["policies"] = [spec.policy]
    return {"server_group": group}


def server_group_command(spec: ServerGroupSpec) -> list[str]:
    """``openstack server group create --policy P [--rule max_server_per_host=N] NAME``."""
    command = ["openstack", "server", "group", "create", "--policy", spec.policy]
    if spec.max_per_host is not None:
        command += ["--rule", f"max_server_per_host={spec.max_per_host}"]
    return [*command, spec.name]


def create_server_group(session: CloudSession, spec: ServerGroupSpec) -> str | None:
    """Create the group; returns its id (blocking; ReadOnlyError before sending)."""
    rules = session.supports_microversion("compute", RULES_MICROVERSION)
    body, _ = session.request("POST", "compute", "/os-server-groups",
                              json=server_group_body(spec, rules=rules),
                              description=f"create server group {spec.name}")
    group = body.get("server_group") if isinstance(body, dict) else None
    return str(group["id"]) if isinstance(group, dict) and group.get("id") else None


def _deletable(raw: Raw) -> str | None:
    return None  # Nova deletes a group with members too (the servers stay, ungrouped)


def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "compute", f"/os-server-groups/{rid(raw)}",
                    description=f"delete server group {name_of(raw)}")


OPERATIONS = KindOperations("server-groups", "server group", (
    Operation(
        "server_group.delete", "server-groups", "Delete", _deletable, _delete,
        lambda raw, _v: ["openstack", "server", "group", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("remove",)),
))
