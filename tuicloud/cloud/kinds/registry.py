"""The registry of resource kinds: ``:servers``, ``:vol``, ``:sg`` ... resolve here."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuicloud.cloud.kinds.base import ResourceKind

__all__ = ["all_kinds", "kind_for", "kind_names", "register"]

# Every kind, in the views' order (menus, completion), which users learn: new kinds go last.
# name -> (module, attribute): a kind's module is imported when the kind is first asked for by
# its name (the first view imports its own, not all 28); an alias, or every kind, imports all.
_DECLARED: dict[str, tuple[str, str]] = {
    "servers": ("servers", "SERVERS"),
    "volumes": ("volumes", "VOLUMES"),
    "images": ("images", "IMAGES"),
    "flavors": ("flavors", "FLAVORS"),
    "networks": ("networks", "NETWORKS"),
    "keypairs": ("keypairs", "KEYPAIRS"),
    "security-groups": ("security_groups", "SECURITY_GROUPS"),
    "snapshots": ("volume_snapshots", "VOLUME_SNAPSHOTS"),
    "server-groups": ("server_groups", "SERVER_GROUPS"),
    "floating-ips": ("floating_ips", "FLOATING_IPS"),
    "routers": ("routers", "ROUTERS"),
    "subnets": ("subnets", "SUBNETS"),
    "ports": ("ports", "PORTS"),
    "security-group-rules": ("security_group_rules", "SECURITY_GROUP_RULES"),
    "hypervisors": ("hypervisors", "HYPERVISORS"),
    "compute-services": ("compute_services", "COMPUTE_SERVICES"),
    "migrations": ("migrations", "MIGRATIONS"),
    "projects": ("identity", "PROJECTS"),
    "users": ("identity", "USERS"),
    "role-assignments": ("role_assignments", "ROLE_ASSIGNMENTS"),
    "app-credentials": ("app_credentials", "APP_CREDENTIALS"),
    "containers": ("containers", "CONTAINERS"),
    "volume-services": ("volume_services", "VOLUME_SERVICES"),
    "network-agents": ("network_agents", "NETWORK_AGENTS"),
    "zones": ("zones", "ZONES"),
    "aggregates": ("aggregates", "AGGREGATES"),
    "my-projects": ("my_projects", "MY_PROJECTS"),
    "groups": ("groups", "GROUPS"),
}
_KINDS: dict[str, ResourceKind] = {}
_ALIASES: dict[str, str] = {}


def register(kind: ResourceKind) -> None:
    """Add a kind; its name and aliases must not clash with an existing kind's."""
    names = (kind.name, *kind.aliases)
    for name in names:
        owner = _ALIASES.get(name.lower())
        if owner is not None and owner != kind.name:
            raise ValueError(f"{name!r} already names the {owner} kind")
    _KINDS[kind.name] = kind
    for name in names:
        _ALIASES[name.lower()] = kind.name


def _declared(name: str) -> ResourceKind:
    """The kind declared under ``name``, its module imported (and the kind registered) once."""
    kind = _KINDS.get(name)
    if kind is None:
        module, attribute = _DECLARED[name]
        kind = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
        assert kind.name == name, (name, module)
        register(kind)
    return kind


def kind_for(name_or_alias: str) -> ResourceKind:
    """The kind for a name or alias ("servers", "srv", ":vol"); KeyError when unknown."""
    key = name_or_alias.strip().lstrip(":").lower()
    if key in _DECLARED:
        return _declared(key)
    all_kinds()  # an alias: every kind's aliases are needed
    try:
        return _KINDS[_ALIASES[key]]
    except KeyError:
        known = ", ".join(_DECLARED)
        raise KeyError(f"no resource kind {name_or_alias!r} (known: {known})") from None


def kind_names() -> list[str]:
    """Every kind's name, in menu order (no kind's module imported)."""
    return list(_DECLARED)


def all_kinds() -> list[ResourceKind]:
    """Every kind, in menu order."""
    return [_declared(name) for name in _DECLARED]
