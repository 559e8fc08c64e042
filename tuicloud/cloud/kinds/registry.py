"""The registry of resource kinds: ``:servers``, ``:vol``, ``:sg`` ... resolve here."""

from __future__ import annotations

from tuicloud.cloud.kinds.aggregates import AGGREGATES
from tuicloud.cloud.kinds.app_credentials import APP_CREDENTIALS
from tuicloud.cloud.kinds.base import ResourceKind
from tuicloud.cloud.kinds.compute_services import COMPUTE_SERVICES
from tuicloud.cloud.kinds.containers import CONTAINERS
from tuicloud.cloud.kinds.flavors import FLAVORS
from tuicloud.cloud.kinds.floating_ips import FLOATING_IPS
from tuicloud.cloud.kinds.groups import GROUPS
from tuicloud.cloud.kinds.hypervisors import HYPERVISORS
from tuicloud.cloud.kinds.identity import PROJECTS, USERS
from tuicloud.cloud.kinds.images import IMAGES
from tuicloud.cloud.kinds.keypairs import KEYPAIRS
from tuicloud.cloud.kinds.migrations import MIGRATIONS
from tuicloud.cloud.kinds.my_projects import MY_PROJECTS
from tuicloud.cloud.kinds.network_agents import NETWORK_AGENTS
from tuicloud.cloud.kinds.networks import NETWORKS
from tuicloud.cloud.kinds.ports import PORTS
from tuicloud.cloud.kinds.role_assignments import ROLE_ASSIGNMENTS
from tuicloud.cloud.kinds.routers import ROUTERS
from tuicloud.cloud.kinds.security_group_rules import SECURITY_GROUP_RULES
from tuicloud.cloud.kinds.security_groups import SECURITY_GROUPS
from tuicloud.cloud.kinds.server_groups import SERVER_GROUPS
from tuicloud.cloud.kinds.servers import SERVERS
from tuicloud.cloud.kinds.subnets import SUBNETS
from tuicloud.cloud.kinds.volume_services import VOLUME_SERVICES
from tuicloud.cloud.kinds.volume_snapshots import VOLUME_SNAPSHOTS
from tuicloud.cloud.kinds.volumes import VOLUMES
from tuicloud.cloud.kinds.zones import ZONES

__all__ = ["all_kinds", "kind_for", "register"]

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


def kind_for(name_or_alias: str) -> ResourceKind:
    """The kind for a name or alias ("servers", "srv", ":vol"); KeyError when unknown."""
    key = name_or_alias.strip().lstrip(":").lower()
    try:
        return _KINDS[_ALIASES[key]]
    except KeyError:
        known = ", ".join(_KINDS)
        raise KeyError(f"no resource kind {name_or_alias!r} (known: {known})") from None


def all_kinds() -> list[ResourceKind]:
    """Every registered kind, in menu order."""
    return list(_KINDS.values())


# New kinds go last: the order is the views' order (menus, completion), which users learn.
for _kind in (SERVERS, VOLUMES, IMAGES, FLAVORS, NETWORKS, KEYPAIRS, SECURITY_GROUPS,
              VOLUME_SNAPSHOTS, SERVER_GROUPS, FLOATING_IPS, ROUTERS, SUBNETS, PORTS,
              SECURITY_GROUP_RULES, HYPERVISORS, COMPUTE_SERVICES,
              MIGRATIONS, PROJECTS, USERS, ROLE_ASSIGNMENTS, APP_CREDENTIALS,
              CONTAINERS, VOLUME_SERVICES, NETWORK_AGENTS, ZONES, AGGREGATES, MY_PROJECTS,
              GROUPS):
    register(_kind)
