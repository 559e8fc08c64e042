"""Cached id -> name maps (flavors, images, networks, servers, projects, security groups ...)
for display.

Rows show "m1.small" rather than a flavor id and "web-1" rather than a server id. Each map is
filled by one paginated list request (never one request per row) in :meth:`Lookups.refresh`, or
for free from data another view already fetched (:meth:`Lookups.feed`). An unknown id shows as
its first 8 characters.

Reads may happen from any thread while a worker refreshes: each map is replaced whole, under a
lock, and readers only ever do a single ``dict.get`` on the current map.

What it costs a real cloud (issue 11): at start the lookups wait for the first page of the
list (``after_first_page``), so they do not compete with it on the API's workers; a table that
a poller keeps whole (the servers view feeds every server it sees, deletions included) is not
listed again, which at 10,000 servers saves ~10 s of Nova's time a minute; a table listed in
the last few seconds, or being listed by another thread, is not listed twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.kinds.base import ResourceKind

__all__ = ["LOOKUP_TABLES", "LookupRefresh", "Lookups", "tables_for"]

log = logging.getLogger("tuicloud.cloud")

LOOKUP_TABLES = ("flavors", "images", "networks", "servers", "projects", "subnets", "volumes",
                 "security_groups")
"""Every map :class:`Lookups` keeps."""

RECENT = 5.0
"""Seconds a freshly listed table is not listed again (two callers at start, say)."""

KEPT_WHOLE_FOR = 180.0
"""Seconds a table a poller keeps whole stays trusted without a poll confirming it."""


@dataclass
class LookupRefresh:
    """What one :meth:`Lookups.refresh` cost, and which tables failed."""

    requests: int = 0
    bytes: int = 0
    elapsed: float = 0.0
    errors: dict[str, CloudError] = field(default_factory=dict)


def tables_for(kind: ResourceKind, session: CloudSession, *, all_projects: bool) -> set[str]:
    """The lookup tables a kind's rows need in this session (refresh these before showing it).

    A table the kind's items embed from some microversion is not needed once the session speaks
    it (servers embed the flavor's name from compute 2.47); project names only matter in the
    all-projects view.
    """
    tables = set(kind.lookups)
    for table, microversion in kind.lookups_embedded_from:
        if session.supports_microversion(kind.service_type, microversion):
            tables.discard(table)
    if not all_projects:
        tables.discard("projects")
    return tables


def _source(table: str, session: CloudSession) -> tuple[str, str, str, list[tuple[str, str]],
                                                         int | None]:
    """(service, path, key, params, page size) of the list that fills a table."""
    if table == "flavors":
        # An admin also sees private flavors ("None" is Nova's spelling of "no filter").
        params = [("is_public", "None")] if session.is_admin else []
        return "compute", "/flavors", "flavors", params, 1000
    if table == "images":
        return "image", "/images", "images", [], 1000
    if table == "networks":
        return "network", "/networks", "networks", [("fields", "id"), ("fields", "name")], None
    if table == "subnets":
        return ("network", "/subnets", "subnets",
                [("fields", "id"), ("fields", "name"), ("fields", "cidr")], None)
    if table == "security_groups":
        return ("network", "/security-groups", "security_groups",
                [("fields", "id"), ("fields", "name")], None)
    if table == "servers":
        params = [("all_tenants", "1")] if session.is_admin else []
        return "compute", "/servers", "servers", params, 1000
    if table == "volumes":
        params = [("all_tenants", "1")] if session.is_admin else []
        return "block-storage", "/volumes", "volumes", params, 1000
    if table == "projects":
        path = "/projects" if session.is_admin else "/auth/projects"
        return "identity", path, "projects", [], None
    raise ValueError(f"unknown lookup table {table!r}")


class Lookups:
    """id -> name maps for the tables in :data:`LOOKUP_TABLES`."""

    def __init__(self, *, recent: float = RECENT) -> None:
        self.recent = recent
        self._maps: dict[str, dict[str, str]] = {table: {} for table in LOOKUP_TABLES}
        self._loaded: dict[str, float] = {}
        self._kept_whole: dict[str, float] = {}
        self._inflight: set[str] = set()
        self._first_page = threading.Event()
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------
    def name(self, table: str, ident: object) -> str:
        """The name for an id; its first 8 characters when unknown (or when nameless)."""
        if not ident:
            return ""
        key = str(ident)
        found = self._maps.get(table, {}).get(key)
        return found if found else key[:8]

    def get(self, table: str, ident: object) -> str | None:
        """The name for an id, or None when unknown."""
        if not ident:
            return None
        return self._maps.get(table, {}).get(str(ident))

    def has(self, table: str, ident: object) -> bool:
        """True when the id is known."""
        return bool(ident) and str(ident) in self._maps.get(table, {})

    def missing(self, table: str, ids: Iterable[object]) -> set[str]:
        """The ids that are not in the table."""
        current = self._maps.get(table, {})
        return {str(i) for i in ids if i and str(i) not in current}

    def loaded_at(self, table: str) -> float | None:
        """When the table was last filled by :meth:`refresh` (monotonic seconds), or None."""
        return self._loaded.get(table)

    def flavor_name(self, ident: object) -> str:
        """A flavor's name."""
        return self.name("flavors", ident)

    def image_name(self, ident: object) -> str:
        """An image's name."""
        return self.name("images", ident)

    def network_name(self, ident: object) -> str:
        """A network's name."""
        return self.name("networks", ident)

    def server_name(self, ident: object) -> str:
        """A server's name."""
        return self.name("servers", ident)

    def project_name(self, ident: object) -> str:
        """A project's name."""
        return self.name("projects", ident)

    # -- writing ---------------------------------------------------------------------------
    def set_names(self, table: str, names: Mapping[str, str], *, replace: bool = False) -> None:
        """Add (or with ``replace``, replace the table with) id -> name entries."""
        fresh = {str(k): str(v) for k, v in names.items()}
        with self._lock:
            held = self._maps.get(table, {})
            if not replace and all(held.get(k) == v for k, v in fresh.items()):
                return  # nothing new: copying a table of 50,000 servers each poll was ~5 ms
            current = {} if replace else dict(held)
            current.update(fresh)
            self._maps[table] = current

    def know_own_project(self, session: CloudSession) -> None:
        """The session's own project by name at once: its token says it, no list needed (a
        user without a role to list projects would otherwise see an id for good)."""
        if session.project_id and session.project_name:
            self.set_names("projects", {session.project_id: session.project_name})

    def feed(self, table: str, items: Iterable[Mapping[str, Any]], *,
             id_key: str = "id", name_key: str = "name") -> None:
        """Learn names from raw dicts another view already fetched (no request)."""
        names = {str(item[id_key]): str(item.get(name_key) or "")
                 for item in items if item.get(id_key)}
        if names:
            self.set_names(table, names)

    def keep_whole(self, table: str, names: Mapping[str, str] | None = None) -> None:
        """A poller holds every item of ``table``: replace it with ``names`` (None: the poller
        only confirms that the table is still whole), and skip it in :meth:`refresh`."""
        if names is not None:
            self.set_names(table, names, replace=True)
        with self._lock:
            self._kept_whole[table] = time.monotonic()

    @property
    def first_page_seen(self) -> bool:
        """True once a list's first page has arrived (the start is over)."""
        return self._first_page.is_set()

    def first_page_arrived(self) -> None:
        """A list's first page is on screen: lookups held back for it may go now."""
        self._first_page.set()

    def forget(self, table: str, ids: Iterable[str]) -> None:
        """Drop ids (deleted resources)."""
        with self._lock:
            held = self._maps.get(table, {})
            gone = [ident for ident in ids if ident in held]
            if not gone:
                return  # the table is the same: no copy of it (see `set_names`)
            current = dict(held)
            for ident in gone:
                current.pop(ident, None)
            self._maps[table] = current

    def _claim(self, tables: Iterable[str]) -> list[str]:
        """The tables worth listing now (marked in flight): not kept whole by a poller, not
        listed in the last :data:`RECENT` seconds, not being listed by another thread."""
        now = time.monotonic()
        claimed: list[str] = []
        with self._lock:
            for table in tables:
                if table in self._inflight or table in claimed:
                    continue
                if now - self._kept_whole.get(table, -KEPT_WHOLE_FOR) < KEPT_WHOLE_FOR:
                    continue
                if table in self._loaded and now - self._loaded[table] < self.recent:
                    continue
                claimed.append(table)
            self._inflight.update(claimed)
        return claimed

    def refresh(self, session: CloudSession,
                kinds: Iterable[str] = ("flavors", "images", "networks", "projects"),
                *, after_first_page: float | None = None) -> LookupRefresh:
        """Fill each named table with one paginated list (blocking).

        A table whose service is missing or fails keeps its old entries; its error is reported
        in the result rather than raised, so one broken service does not blank the others.
        ``after_first_page`` (seconds) first waits, at most that long, for a list's first page
        (:meth:`first_page_arrived`): the rows matter more than their names.
        """
        if after_first_page is not None:
            self._first_page.wait(after_first_page)
        result = LookupRefresh()
        started = time.monotonic()
        claimed = self._claim(kinds)
        try:
            self._fill(session, claimed, result)
        finally:
            with self._lock:
                self._inflight.difference_update(claimed)
        result.elapsed = time.monotonic() - started
        return result

    def _fill(self, session: CloudSession, tables: list[str], result: LookupRefresh) -> None:
        for table in tables:
            try:
                service, path, key, params, page_size = _source(table, session)
                names: dict[str, str] = {}
                for page in session.iter_pages(service, path, key, params,
                                               page_size=page_size):
                    result.requests += 1
                    result.bytes += page.info.bytes
                    for item in page.items:
                        ident = item.get("id")
                        if ident:
                            label = item.get("name") or ""
                            if table == "subnets" and item.get("cidr"):
                                label = f"{label} ({item['cidr']})" if label else item["cidr"]
                            names[str(ident)] = str(label)
            except CloudError as error:
                log.info("lookup table %s not refreshed: %s", table, error)
                result.errors[table] = error
                continue
            self.set_names(table, names, replace=True)
            self._loaded[table] = time.monotonic()
