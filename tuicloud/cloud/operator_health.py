"""The overview's part for operators (admin only): which services are down, the busiest
hypervisors, servers in ERROR across every project, and migrations in progress.

What one refresh costs: five small GETs (compute and block-storage services, network agents,
``servers/detail?all_tenants&status=ERROR`` capped at ``ERROR_LIMIT``, ``os-migrations``),
each only when the catalog offers the service; the hypervisors' usage (the hypervisor list,
then two placement GETs per host) only every ``USAGE_EVERY`` refreshes, since it grows with
the cloud and moves slowly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.base import Raw, ResourceKind
from tuicloud.cloud.kinds.compute_services import COMPUTE_SERVICES
from tuicloud.cloud.kinds.hypervisors import HYPERVISORS, USAGE_KEY, add_placement_usage
from tuicloud.cloud.kinds.migrations import IN_PROGRESS, MIGRATIONS
from tuicloud.cloud.kinds.network_agents import NETWORK_AGENTS
from tuicloud.cloud.kinds.volume_services import VOLUME_SERVICES

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["ERROR_LIMIT", "HostLoad", "OperatorHealth", "ServiceHealth", "USAGE_EVERY",
           "gather_health"]

ERROR_LIMIT = 50
"""ERROR servers read at most (the count says "50+" beyond): the overview names a few."""
USAGE_EVERY = 4
BUSIEST = 3


@dataclass(frozen=True)
class ServiceHealth:
    """One service view's up/down: ``down`` names each (binary on host, and why if disabled)."""

    view: str
    title: str
    up: int
    down: tuple[str, ...]
    disabled: int


@dataclass(frozen=True)
class HostLoad:
    """A hypervisor's fullness: the fullest of vCPUs and RAM, as the scheduler counts them."""

    host: str
    vcpus: float | None
    ram: float | None

    @property
    def fullest(self) -> float:
        """The larger fraction (0 when placement knows nothing of it)."""
        return max(self.vcpus or 0.0, self.ram or 0.0)


@dataclass
class OperatorHealth:
    """What the operators' section shows; a source that failed keeps its last value."""

    services: dict[str, ServiceHealth] = field(default_factory=dict)
    busiest: list[HostLoad] | None = None
    error_servers: list[tuple[str, str, str]] | None = None  # (id, name, project id)
    migrations: list[tuple[str, str, str]] | None = None  # (server, status, from → to)
    errors: dict[str, str] = field(default_factory=dict)  # source -> why it failed


def _list(session: CloudSession, kind: ResourceKind,
          params: list[tuple[str, str]] | None = None) -> list[Raw]:
    body, _ = session.get_json(kind.service_type, kind.list_path_for(session.user_id), params)
    items = body.get(kind.list_key) if isinstance(body, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]


def _service_health(kind: ResourceKind, items: list[Raw],
                    state: Callable[[Raw], bool | None]) -> ServiceHealth:
    """Up and down among the enabled ones (a disabled service is down on purpose)."""
    up, down, disabled = 0, [], 0
    for raw in items:
        enabled = raw.get("status", "enabled") == "enabled" and raw.get("admin_state_up",
                                                                         True) is not False
        if not enabled:
            disabled += 1
            continue
        alive = state(raw)
        if alive is False:
            what = raw.get("binary") or raw.get("agent_type") or "service"
            down.append(f"{what} on {raw.get('host')}")
        elif alive:
            up += 1
    return ServiceHealth(kind.name, kind.title, up, tuple(sorted(down)), disabled)


def _host_load(raw: Raw) -> HostLoad:
    found = raw.get(USAGE_KEY)
    usage: dict[str, tuple[int, int]] = found if isinstance(found, dict) else {}

    def fraction(name: str) -> float | None:
        used, total = usage.get(name, (0, 0))
        return used / total if total else None

    return HostLoad(str(raw.get("hypervisor_hostname") or raw.get("id")), fraction("VCPU"),
                    fraction("MEMORY_MB"))


def _route(raw: Raw) -> str:
    source = raw.get("source_compute") or "?"
    target = raw.get("dest_compute") or "scheduler's choice"
    return f"{source} → {target}"


def gather_health(session: CloudSession, previous: OperatorHealth | None,
                  refresh: int) -> tuple[OperatorHealth, int]:
    """One refresh (blocking): (the health, requests sent). Needs the admin role; a source
    whose service the catalog lacks is left out, one that fails keeps its previous value."""
    health = OperatorHealth(
        services=dict(previous.services) if previous else {},
        busiest=previous.busiest if previous else None,
        error_servers=previous.error_servers if previous else None,
        migrations=previous.migrations if previous else None)
    sent = 0

    def step(source: str, service: str, run: Callable[[], Any]) -> None:
        nonlocal sent
        if not session.has_service(service):
            health.services.pop(source, None)
            return
        try:
            run()
        except CloudError as error:
            health.errors[source] = error.short
        sent += 1

    def services(kind: ResourceKind, state: Callable[[Raw], bool | None]) -> None:
        health.services[kind.name] = _service_health(kind, _list(session, kind), state)

    step(COMPUTE_SERVICES.name, "compute",
         lambda: services(COMPUTE_SERVICES, lambda r: r.get("state") == "up"))
    step(VOLUME_SERVICES.name, "block-storage",
         lambda: services(VOLUME_SERVICES, lambda r: r.get("state") == "up"))
    step(NETWORK_AGENTS.name, "network",
         lambda: services(NETWORK_AGENTS, lambda r: None if r.get("alive") is None
                          else bool(r.get("alive"))))

    def errors() -> None:
        body, _ = session.get_json("compute", "/servers/detail", [
            ("all_tenants", "1"), ("status", "ERROR"), ("limit", str(ERROR_LIMIT))])
        found = body.get("servers") if isinstance(body, dict) else None
        health.error_servers = [(str(s.get("id")), str(s.get("name") or s.get("id")),
                                 str(s.get("tenant_id") or ""))
                                for s in found or [] if isinstance(s, dict)]

    step("errors", "compute", errors)

    def migrations() -> None:
        health.migrations = [
            (str(m.get("instance_uuid") or ""), str(m.get("status")), _route(m))
            for m in _list(session, MIGRATIONS) if str(m.get("status")) in IN_PROGRESS]

    step(MIGRATIONS.name, "compute", migrations)

    def busiest() -> None:
        nonlocal sent
        hosts = _list(session, HYPERVISORS)
        add_placement_usage(session, hosts)
        sent += 2 * len(hosts)
        loads = sorted((_host_load(h) for h in hosts), key=lambda h: (-h.fullest, h.host))
        health.busiest = loads[:BUSIEST]

    if refresh % USAGE_EVERY == 0 or health.busiest is None:
        step(HYPERVISORS.name, "compute", busiest)
    return health, sent
