"""The overview's data: quota usage, servers and volumes by status, what is in ERROR, and
what changed recently, for the session's cloud and project. Call :meth:`Overview.gather`
from a worker; it blocks.

What one refresh costs (measured in tests/cloud/test_overview_cloud.py):

- quotas: three small GETs whatever the size of the project: Nova ``/limits``, Cinder
  ``/limits`` and Neutron ``/quotas/{project}/details`` (each only when the catalog offers
  the service);
- servers and volumes by status: the list pollers' incremental queries (``changes-since`` /
  ``updated_at``), one or two requests of a few hundred bytes when nothing changed. Nova and
  Cinder have no count-by-status call, so the counts come from a trimmed copy of each list
  (id, name, status, fault) kept in step by those deltas; a full list is paid once, then every
  ``RESYNC_EVERY`` refreshes to catch deletions the filters miss. Asking ``?status=X`` per
  status would cost one paged list per status on every refresh instead.
- ERROR servers and their ``fault`` come with the same list (Nova includes ``fault`` for
  servers in ERROR), so they cost nothing more.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tuicloud.cloud.account_totals import AccountTotals, account_totals
from tuicloud.cloud.changes import ChangeLog
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError, ServiceUnavailableError
from tuicloud.cloud.kinds.base import Raw, ResourceKind, parse_time
from tuicloud.cloud.kinds.servers import SERVERS
from tuicloud.cloud.kinds.volumes import VOLUMES
from tuicloud.cloud.operator_health import OperatorHealth, gather_health
from tuicloud.cloud.poller import Poller

__all__ = ["Overview", "OverviewData", "Problem", "Quota", "RESYNC_EVERY", "SourceState"]

RESYNC_EVERY = 40
"""Refreshes between two full lists (at 15 s: one every 10 minutes)."""

# Only what the overview shows: 10,000 servers then cost a few MB, not the list view's 45.
_SERVER_FIELDS = frozenset({"id", "name", "status", "fault", "updated", "tenant_id"})
_VOLUME_FIELDS = frozenset({"id", "name", "status", "updated_at", "created_at",
                            "os-vol-tenant-attr:tenant_id"})
OVERVIEW_SERVERS = dataclasses.replace(SERVERS, list_fields=_SERVER_FIELDS)
OVERVIEW_VOLUMES = dataclasses.replace(VOLUMES, list_fields=_VOLUME_FIELDS)

SOURCES = ("compute", "block-storage", "network", "servers", "volumes", "object-store")


@dataclass(frozen=True)
class Quota:
    """One quota: ``used`` of ``limit`` (``limit`` < 0: unlimited)."""

    key: str  # "instances", "cores", "ram", "volumes", "gigabytes" ...
    label: str
    used: int
    limit: int
    view: str  # the list it summarises ("servers", "volumes", "networks" ...)
    unit: str = ""  # "MB", "GB" or ""

    @property
    def unlimited(self) -> bool:
        """True for a limit of -1."""
        return self.limit < 0

    @property
    def fraction(self) -> float | None:
        """used / limit (0 … 1+), None when unlimited."""
        if self.unlimited:
            return None
        if self.limit == 0:
            return 1.0 if self.used > 0 else 0.0
        return self.used / self.limit


@dataclass(frozen=True)
class Problem:
    """A resource in ERROR and why."""

    kind: str  # "servers" or "volumes"
    resource_id: str
    name: str
    status: str
    message: str


@dataclass(frozen=True)
class SourceState:
    """How the last refresh of one source went: ``ok``, ``absent`` (not offered), ``failed``."""

    state: str
    error: str = ""
    updated_at: float | None = None


@dataclass
class OverviewData:
    """Everything the overview shows. Sections of a failed source keep their last values."""

    quotas: dict[str, list[Quota]] = field(default_factory=dict)  # source -> quotas
    # kind name -> status -> how many; a kind is absent while its service is
    status_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    operator: OperatorHealth | None = None  # admins only: the cloud's own health
    sources: dict[str, SourceState] = field(default_factory=dict)
    object_store: AccountTotals | None = None  # None: no object storage in the catalog
    requests: int = 0
    elapsed: float = 0.0

    @property
    def server_counts(self) -> dict[str, int] | None:
        return self.status_counts.get("servers")

    @property
    def volume_counts(self) -> dict[str, int] | None:
        return self.status_counts.get("volumes")

    @property
    def failures(self) -> dict[str, str]:
        """source -> error, for the sources whose last refresh failed."""
        return {k: s.error for k, s in self.sources.items() if s.state == "failed"}

    def all_quotas(self) -> list[Quota]:
        """The quotas in display order."""
        return [q for source in ("compute", "block-storage", "network", "object-store")
                for q in self.quotas.get(source, [])]


def _int(value: object, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


def compute_quotas(body: Any, *, with_network: bool) -> list[Quota]:
    """Quotas from Nova's ``GET /limits`` (floating IPs and security groups only from
    microversions before 2.36, and only when Neutron is absent: Neutron's are the real ones)."""
    absolute = (body or {}).get("limits", {}).get("absolute", {}) if isinstance(body, dict) \
        else {}
    if not isinstance(absolute, dict):
        return []
    found = []
    for key, label, used, limit, unit in (
            ("instances", "Instances", "totalInstancesUsed", "maxTotalInstances", ""),
            ("cores", "Cores", "totalCoresUsed", "maxTotalCores", ""),
            ("ram", "RAM", "totalRAMUsed", "maxTotalRAMSize", "MB")):
        if limit in absolute:
            found.append(Quota(key, label, _int(absolute.get(used)), _int(absolute[limit], -1),
                               "servers", unit))
    if not with_network:
        for key, label, used, limit, view in (
                ("floating_ips", "Floating IPs", "totalFloatingIpsUsed", "maxTotalFloatingIps",
                 "networks"),
                ("security_groups", "Sec. groups", "totalSecurityGroupsUsed",
                 "maxSecurityGroups", "secgroups")):
            if limit in absolute:
                found.append(Quota(key, label, _int(absolute.get(used)),
                                   _int(absolute[limit], -1), view))
    return found


def volume_quotas(body: Any) -> list[Quota]:
    """Quotas from Cinder's ``GET /limits``."""
    absolute = (body or {}).get("limits", {}).get("absolute", {}) if isinstance(body, dict) \
        else {}
    if not isinstance(absolute, dict):
        return []
    return [Quota(key, label, _int(absolute.get(used)), _int(absolute[limit], -1), "volumes",
                  unit)
            for key, label, used, limit, unit in (
                ("volumes", "Volumes", "totalVolumesUsed", "maxTotalVolumes", ""),
                ("gigabytes", "Gigabytes", "totalGigabytesUsed", "maxTotalVolumeGigabytes",
                 "GB"),
                ("snapshots", "Snapshots", "totalSnapshotsUsed", "maxTotalSnapshots", ""))
            if limit in absolute]


def network_quotas(body: Any) -> list[Quota]:
    """Quotas from Neutron's ``GET /v2.0/quotas/{project_id}/details``."""
    quota = body.get("quota") if isinstance(body, dict) else None
    if not isinstance(quota, dict):
        return []
    found = []
    for key, label, view in (("floatingip", "Floating IPs", "networks"),
                             ("security_group", "Sec. groups", "secgroups"),
                             ("network", "Networks", "networks"),
                             ("port", "Ports", "networks")):
        item = quota.get(key)
        if isinstance(item, dict) and "limit" in item:
            found.append(Quota(key, label, _int(item.get("used")), _int(item["limit"], -1),
                               view))
    return found


def _fault(raw: Mapping[str, Any]) -> str:
    fault = raw.get("fault")
    if not isinstance(fault, dict):
        return ""
    message = str(fault.get("message") or "")
    code = fault.get("code")
    return f"{code}: {message}" if code and message else message or str(code or "")


class Overview:
    """Gathers :class:`OverviewData` for one session; keeps pollers between refreshes.

    ``changes`` (optional) receives the servers' and volumes' created/deleted/status changes
    seen between two refreshes. Refreshes are serialised by a lock.
    """

    def __init__(self, session: CloudSession, changes: ChangeLog | None = None) -> None:
        self.session = session
        self.changes = changes
        self.scope = ChangeLog.scope_of(session)
        self.data = OverviewData()
        self._pollers: dict[str, Poller] = {}
        self._refreshes = 0
        self._lock = threading.Lock()

    def gather(self, progress: Callable[[OverviewData], None] | None = None) -> OverviewData:
        """Refresh every source (blocking); failed sources keep their previous values.

        ``progress`` (optional) gets a copy of the data after each source, so a first look
        at a big project shows its quotas while the server list is still coming.
        """
        with self._lock:
            started = time.monotonic()
            old = self.data
            data = OverviewData(quotas=dict(old.quotas), status_counts=dict(old.status_counts),
                                sources=dict(old.sources), operator=old.operator,
                                object_store=old.object_store)
            problems: dict[str, list[Problem]] = {}
            for p in old.problems:
                problems.setdefault(p.kind, []).append(p)
            network = self.session.has_service("network")
            steps: list[tuple[str, Callable[[OverviewData], None]]] = [
                ("compute", lambda d: self._limits(d, "compute", "/limits",
                                                   lambda b: compute_quotas(
                                                       b, with_network=network))),
                ("block-storage", lambda d: self._limits(d, "block-storage", "/limits",
                                                         volume_quotas)),
                ("network", lambda d: self._limits(
                    d, "network", f"/quotas/{self.session.project_id}/details",
                    network_quotas)),
                ("servers", lambda d: self._statuses(d, OVERVIEW_SERVERS, problems)),
                ("volumes", lambda d: self._statuses(d, OVERVIEW_VOLUMES, problems)),
            ]
            if self.session.is_admin:
                steps.append(("operator", self._operator))
            if self.session.has_service("object-store"):  # absent: no section at all
                steps.append(("object-store", self._object_store))
            else:
                data.object_store = None
                data.sources.pop("object-store", None)
                data.quotas.pop("object-store", None)
            for index, (source, step) in enumerate(steps):
                if progress is not None and index:
                    progress(dataclasses.replace(
                        data, quotas=dict(data.quotas), sources=dict(data.sources),
                        status_counts=dict(data.status_counts),
                        problems=problems.get("servers", []) + problems.get("volumes", [])))
                try:
                    step(data)
                    data.sources[source] = SourceState("ok", updated_at=time.time())
                except ServiceUnavailableError as error:
                    data.sources[source] = SourceState("absent", error.message)
                    data.quotas.pop(source, None)
                    problems.pop(source, None)
                    data.status_counts.pop(source, None)
                except CloudError as error:
                    previous = old.sources.get(source)
                    data.sources[source] = SourceState(
                        "failed", error.short,
                        previous.updated_at if previous is not None else None)
            data.problems = problems.get("servers", []) + problems.get("volumes", [])
            data.elapsed = time.monotonic() - started
            self.data = data
            return data

    def _operator(self, data: OverviewData) -> None:
        data.operator, sent = gather_health(self.session, data.operator, self._refreshes)
        data.requests += sent
        self._refreshes += 1

    def _limits(self, data: OverviewData, service: str, path: str,
                parse: Callable[[Any], list[Quota]]) -> None:
        if not self.session.has_service(service):
            raise ServiceUnavailableError("not offered", service=service)
        body, _info = self.session.get_json(service, path)
        data.requests += 1
        data.quotas[service] = parse(body)

    def _object_store(self, data: OverviewData) -> None:
        """The account's totals (one HEAD), and a quota bar when a byte quota is set."""
        totals = account_totals(self.session)
        data.requests += 1
        data.object_store = totals
        if totals.quota_bytes is not None:
            data.quotas["object-store"] = [Quota("object-bytes", "Object storage",
                                                 totals.bytes, totals.quota_bytes,
                                                 "containers", unit="B")]
        else:
            data.quotas.pop("object-store", None)

    def _statuses(self, data: OverviewData, kind: ResourceKind,
                  problems: dict[str, list[Problem]]) -> None:
        if not self.session.has_service(kind.service_type):
            raise ServiceUnavailableError("not offered", service=kind.service_type)
        poller = self._pollers.get(kind.name)
        if poller is None:
            poller = Poller(self.session, kind, resync_every=RESYNC_EVERY)
            self._pollers[kind.name] = poller
        first = poller.polls == 0
        before = {} if first else poller.known
        result = poller.poll()
        data.requests += result.requests
        if self.changes is not None and first:
            self.changes.catch_up(self.scope, kind.name, poller.states)
        elif self.changes is not None:
            self.changes.remember(self.scope, kind.name, poller.states)
            now = time.time()
            for ident, raw in result.upserts.items():
                self.changes.observe(self.scope, kind.name, ident, before.get(ident), raw,
                                     at=_when(raw, now))
            for ident in result.removals:
                self.changes.observe(self.scope, kind.name, ident, before.get(ident), None,
                                     at=now)
        known = poller.known
        counts = Counter(str(raw.get("status") or "UNKNOWN") for raw in known.values())
        found = []
        for ident, state in known.items():
            status = str(state.get("status") or "")
            if status.upper() == "ERROR" or status.startswith("error"):
                found.append(Problem(kind.name, ident, str(state.get("name") or ident), status,
                                     _fault(state)))
        found.sort(key=lambda p: (p.name.lower(), p.resource_id))
        problems[kind.name] = found
        data.status_counts[kind.name] = dict(counts)


def _when(raw: Raw, now: float) -> float:
    """When a change happened: the resource's own update time if sane, else now."""
    stamp = parse_time(raw.get("updated") or raw.get("updated_at"))
    if stamp is None or stamp > now or now - stamp > 3600:
        return now
    return stamp
