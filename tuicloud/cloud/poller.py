"""Incremental refresh of one resource list: what changed since the last poll.

A :class:`Poller` belongs to one (session, kind, all_projects) view. Its first poll lists
everything; later polls ask only for what changed, using the server's own clock:

- servers: ``changes-since=<Date of the previous poll's first response - 2 s>``; Nova includes
  deleted servers (status DELETED), which become removals, so servers never need a periodic
  full resync (one costs a real Nova ~6.5 ms per server: ~65 s of API time at 10,000);
- volumes: ``updated_at=gte:...`` (plus ``created_at=gte:...``, as Cinder leaves a new
  volume's ``updated_at`` empty) when the block-storage endpoint speaks microversion 3.60,
  otherwise a full list every time. Cinder's lists never return a deleted volume, so each
  poll also asks for the count (``GET /volumes?limit=1&with_count=true``, one row and a
  number); a count that differs from the ids held means something went away: a full list now;
- images: a full list each poll while the set fits in ``CHEAP_FULL_LIST`` rows (Glance lists
  ~0.4 ms per image, so 250 images cost about what three quiet polls do, and a deletion shows
  at the next poll); beyond that Glance's ``updated_at=gte:...`` with a full resync every
  ``resync_every`` polls, as Glance offers no count;
- a Swift container's objects: read lazily, as far as the user looks (window_poller.py);
- everything else: a full list each poll (they are short).

Volumes and images seen "deleting" (or passed to :meth:`Poller.watch_deletion`) are checked
until they 404. A quiet servers poll costs one request of a few hundred bytes at any scale.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.base import GONE, Raw, ResourceKind
from tuicloud.cloud.lookups import Lookups
from tuicloud.cloud.packed import Packed
from tuicloud.gc_tuning import Load, long_load

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OVERLAP", "PollResult", "Poller"]

log = logging.getLogger("tuicloud.cloud")

OVERLAP = timedelta(seconds=2)
"""How far each incremental cursor reaches back before the previous poll (Date has 1 s
resolution, and a change committed while the previous poll ran must not fall in a gap)."""

_DELETED_SERVER_STATES = frozenset({"DELETED", "SOFT_DELETED"})
_MAX_DELETE_CHECKS = 20

CHEAP_FULL_LIST = 250
"""Up to this many images a full list each poll is cheaper than a late deletion (see above)."""

COUNT_MICROVERSION = "3.45"
"""Cinder's first microversion with ``with_count`` on its lists."""


@dataclass
class PollResult:
    """What one poll found.

    ``full`` True means ``upserts`` is the whole set: the table replaces all its rows (and
    ``removals`` lists the ids that disappeared, for convenience). Otherwise apply ``upserts``
    (id -> raw dict) and ``removals``. ``bytes``/``requests``/``elapsed`` measure the poll;
    ``finished_at`` is the local wall-clock time it ended; ``server_time`` the server's Date.
    A packing poller (``Poller(packed=True)``) also gives ``packed``: each upsert as it keeps
    it, for a differ to keep the same object instead of packing it again; on its full polls
    ``packed`` is the whole set and ``upserts`` is empty (the parsed dicts were let go page
    by page).
    """

    upserts: dict[str, Raw] = field(default_factory=dict)
    packed: dict[str, Packed] = field(default_factory=dict)
    removals: set[str] = field(default_factory=set)
    full: bool = False
    bytes: int = 0
    requests: int = 0
    elapsed: float = 0.0
    finished_at: float = 0.0
    server_time: datetime | None = None
    summary: str | None = None
    """The kind's header line (``ResourceKind.summary``), None when it has none or failed."""
    extended: bool = False
    """Rows read further down a lazily read list (WindowPoller): new to the view, not to the
    cloud, so no change log and no highlight."""

    @property
    def changed(self) -> bool:
        """True when there is anything to apply."""
        return self.full or bool(self.upserts) or bool(self.removals)


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Draft:
    """An incremental poll's next state: the poller's own dict and set until the poll changes
    them, then copies, so readers in other threads always see a whole state. Copying both up
    front cost a quiet poll of 50,000 servers ~10 ms of the interpreter lock every refresh,
    under the user's keys, for a poll that changed nothing."""

    def __init__(self, known: dict[str, Raw | Packed], listed: set[str]) -> None:
        self.known, self.listed = known, listed
        self._own_known = self._own_listed = False

    def put(self, ident: str, held: Raw | Packed) -> None:
        if not self._own_known:
            self.known, self._own_known = dict(self.known), True
        self.known[ident] = held

    def drop(self, ident: str) -> bool:
        """Forget ``ident``; True if it was held."""
        if ident not in self.known:
            return False
        if not self._own_known:
            self.known, self._own_known = dict(self.known), True
        del self.known[ident]
        return True

    def list(self, ident: str) -> None:
        if ident not in self.listed:
            if not self._own_listed:
                self.listed, self._own_listed = set(self.listed), True
            self.listed.add(ident)

    def unlist(self, ident: str) -> None:
        if ident in self.listed:
            if not self._own_listed:
                self.listed, self._own_listed = set(self.listed), True
            self.listed.discard(ident)


class Poller:
    """Keeps one resource list in step with the cloud; call :meth:`poll` from a worker.

    ``all_projects`` takes effect only for an admin and a kind that supports it (check
    ``poller.all_projects``). ``lookups`` (optional) learns server names from server polls for
    free, so the volumes view can name attachments without another request. Polls are
    serialised by a lock; ``known``/``known_ids`` may be read from any thread.

    ``packed`` keeps each resource as a :class:`~tuicloud.cloud.packed.Packed` (compact JSON
    bytes, name and status at hand) instead of its parsed dict: what a list of 50,000 servers
    needs to compare the next poll with, in a third of the memory. ``known`` and ``states``
    then map ids to those; results still carry the parsed dicts.
    """

    def __init__(self, session: CloudSession, kind: ResourceKind, *,
                 all_projects: bool = False, resync_every: int = 12,
                 first_page_size: int = 50, lookups: Lookups | None = None,
                 cheap_full_list: int = CHEAP_FULL_LIST, packed: bool = False) -> None:
        self.session = session
        self.kind = kind
        self.all_projects = all_projects and session.is_admin and kind.supports_all_projects
        self.resync_every = max(1, resync_every)
        self.first_page_size = first_page_size
        self.lookups = lookups
        self.cheap_full_list = cheap_full_list
        self.packed = packed
        self.page_packed: dict[str, Packed] = {}
        """While ``on_page`` runs on a packing poller: that page's items packed (a differ
        keeps the same objects)."""
        self.polls = 0
        self._since_full = 0
        self._known: dict[str, Raw | Packed] = {}
        self._cursor: datetime | None = None
        self._watch_deleted: set[str] = set()
        # Every id the unfiltered list returns (before ``_keep``): what Cinder's count counts.
        self._listed: set[str] = set()
        self._lock = threading.Lock()

    # -- state -----------------------------------------------------------------------------
    @property
    def known_ids(self) -> set[str]:
        """Ids of every resource the last polls reported (a copy)."""
        return set(self._known)

    @property
    def known(self) -> dict[str, Raw | Packed]:
        """The current raw dicts (or packed ones) by id (a shallow copy)."""
        return dict(self._known)

    @property
    def states(self) -> Mapping[str, Raw | Packed]:
        """The current raw dicts by id, read-only and without a copy: each poll replaces the
        dict instead of editing it, so this one stays as the poll that made it left it."""
        return MappingProxyType(self._known)

    @property
    def strategy(self) -> str:
        """The refresh strategy in effect: "changes-since", "updated_at" or "full"."""
        if self.kind.refresh == "updated_at" and self.kind.service_type == "block-storage" \
                and not self.session.supports_microversion("block-storage", "3.60"):
            return "full"
        if self.kind.refresh == "updated_at" and self.kind.service_type == "image" \
                and self._cursor is not None and len(self._listed) <= self.cheap_full_list:
            return "full"
        return self.kind.refresh

    def _counts_deletions(self) -> bool:
        """True when each poll can learn of deletions by count (Cinder's ``with_count``)."""
        return (self.kind.service_type == "block-storage"
                and self.session.supports_microversion("block-storage", COUNT_MICROVERSION))

    def _resync_due(self) -> bool:
        """A periodic full list, only where no poll can see deletions (big image sets)."""
        if self.kind.refresh == "changes-since" or self._counts_deletions():
            return False
        return self._since_full + 1 >= self.resync_every

    def reset(self) -> None:
        """Forget everything: the next poll is a full list."""
        with self._lock:
            self._known = {}
            self._cursor = None
            self._since_full = 0

    def watch_deletion(self, ids: set[str] | list[str]) -> None:
        """Check these ids on the next polls and report them removed once they are gone.

        For kinds whose incremental filter cannot see deletions (volumes, images): call it
        after a delete action so the row goes away before the next resync.
        """
        self._watch_deleted.update(ids)

    # -- polling ---------------------------------------------------------------------------
    def poll(self, *, force_full: bool = False,
             on_page: Callable[[dict[str, Raw]], None] | None = None) -> PollResult:
        """Fetch what changed (blocking); raises CloudError and keeps the old state on failure.

        On a full poll ``on_page`` (if given) is called from this thread with each page's
        rows as they arrive, the first page small (``first_page_size``), so a table can show
        rows at once; the returned result still holds the whole set.
        """
        with self._lock:
            started = time.monotonic()
            result = PollResult()
            full = (force_full or self._cursor is None or self.strategy == "full"
                    or self._resync_due())
            if full:
                self._names_first()
                self._poll_full(result, on_page)
            else:
                draft = _Draft(self._known, self._listed)
                self._poll_changes(result, draft)
                self._check_deletions(result, draft)
                if self._counts_deletions() and self._count(result) != len(draft.listed):
                    # Something went away (or arrived between the two requests): the full
                    # list settles which; it replaces this poll's partial result.
                    self._poll_full(result, None)
                else:
                    self._known = draft.known
                    self._listed = draft.listed
            self.polls += 1
            self._summarise(result)
            result.elapsed = time.monotonic() - started
            result.finished_at = time.time()
            log.debug("poll %s%s: full=%s upserts=%d removals=%d requests=%d bytes=%d %.3fs",
                      self.kind.name, " (all projects)" if self.all_projects else "",
                      result.full, len(result.upserts), len(result.removals), result.requests,
                      result.bytes, result.elapsed)
            return result

    def _summarise(self, result: PollResult) -> None:
        """The kind's header line, if it has one; a failure only leaves it out."""
        if self.kind.summary is None:
            return
        try:
            result.summary = self.kind.summary(self.session)
            result.requests += 1
        except CloudError as exc:
            log.info("%s: header line not read: %s", self.kind.name, exc)

    def _base_params(self) -> list[tuple[str, str]]:
        params = list(self.kind.list_params)
        if self.session.is_admin:
            params.extend(self.kind.admin_list_params)
        if self.all_projects:
            params.extend(self.kind.all_projects_params)
        return params

    def _keep(self, raw: Raw) -> bool:
        check = self.kind.in_project
        if check is None or self.all_projects or not self.session.is_admin:
            return True
        return check(raw, self.session.project_id or "")

    def _list(self, result: PollResult, params: list[tuple[str, str]], *,
              first_page_size: int | None = None,
              on_page: Callable[[dict[str, Raw]], None] | None = None,
              packs: dict[str, Packed] | None = None,
              kept: set[str] | None = None) -> dict[str, Raw]:
        """Every item of the list by id. With ``packs`` (a packing poller's full list) each
        page is packed there as it arrives (the ids that pass ``_keep`` go to ``kept``) and
        its parsed dicts are let go: 50,000 of them never live at once."""
        with long_load() as load:  # young collections would walk each live page (gc_tuning)
            found = self._each_page(result, params, first_page_size=first_page_size,
                                    on_page=on_page, packs=packs, kept=kept, load=load)
            load.items = len(found) + len(packs or ())
            return found

    def _each_page(self, result: PollResult, params: list[tuple[str, str]], *,
                   first_page_size: int | None,
                   on_page: Callable[[dict[str, Raw]], None] | None,
                   packs: dict[str, Packed] | None, kept: set[str] | None,
                   load: Load) -> dict[str, Raw]:
        kind = self.kind
        found: dict[str, Raw] = {}
        for page in self.session.iter_pages(kind.service_type,
                                            kind.list_path_for(self.session.user_id),
                                            kind.list_key,
                                            params, page_size=kind.page_size,
                                            first_page_size=first_page_size,
                                            prefetch=True):
            result.requests += 1
            result.bytes += page.info.bytes
            if result.server_time is None:
                result.server_time = page.info.server_date
            rows: dict[str, Raw] = {}
            for item in page.items:
                raw = kind.item(item)
                ident = kind.id_of(raw)
                if ident:
                    rows[ident] = raw
            if kind.enrich is not None and rows:
                kind.enrich(self.session, list(rows.values()))
                rows = {k: v for k, v in rows.items() if not v.get(GONE)}
            if packs is None:
                found.update(rows)
            else:
                self.page_packed = {k: Packed(v) for k, v in rows.items()}
                packs.update(self.page_packed)
                if kept is not None:
                    kept.update(k for k, v in rows.items() if self._keep(v))
            if on_page is not None and rows:
                on_page({k: v for k, v in rows.items() if self._keep(v)})
            self.page_packed = {}
            load.page_kept(len(page.items))
            if self.lookups is not None:
                self.lookups.first_page_arrived()
        return found

    def _names_first(self) -> None:
        """All projects just turned on: fetch the project names before the list, so the
        Project column shows names with the first rows, not id prefixes for a minute. At
        start the first page goes first (the start's own lookups follow it)."""
        if self.lookups is None or not self.all_projects or not self.lookups.first_page_seen \
                or "projects" not in self.kind.lookups \
                or self.lookups.loaded_at("projects") is not None:
            return
        failed = self.lookups.refresh(self.session, ["projects"]).errors
        if failed:  # names are a nicety: the list goes on with id prefixes
            log.info("project names not fetched before the list: %s", failed["projects"])

    def _advance_cursor(self, result: PollResult, started_wall: datetime) -> None:
        server_time = result.server_time or started_wall
        self._cursor = server_time - OVERLAP

    def _poll_full(self, result: PollResult,
                   on_page: Callable[[dict[str, Raw]], None] | None) -> None:
        started_wall = datetime.now(timezone.utc)
        params = self._base_params()
        first = self.first_page_size if on_page is not None and self.kind.paged else None
        if (self.lookups is not None and self.kind.names_table is not None
                and self._covers_names_table()):
            # This list fills the table: no lookup list beside it.
            self.lookups.keep_whole(self.kind.names_table)
        if self.packed:
            self._poll_full_packed(result, on_page, params, first)
        else:
            self._poll_full_raw(result, on_page, params, first)
        self._since_full = 0
        self._watch_deleted.clear()
        self._advance_cursor(result, started_wall)

    def _poll_full_packed(self, result: PollResult,
                          on_page: Callable[[dict[str, Raw]], None] | None,
                          params: list[tuple[str, str]], first: int | None) -> None:
        """The full list packed page by page: ``result.packed`` is the whole set (an
        unchanged resource keeps the object already held), ``result.upserts`` stays empty."""
        packs: dict[str, Packed] = {}
        kept_ids: set[str] = set()
        self._list(result, params, first_page_size=first, on_page=on_page, packs=packs,
                   kept=kept_ids)
        known_before = self._known
        held: dict[str, Raw | Packed] = {}
        kept: dict[str, Packed] = {}
        for ident, new in packs.items():
            if ident in kept_ids:
                old = known_before.get(ident)
                if isinstance(old, Packed) and old == new:
                    new = old
                kept[ident] = held[ident] = new
        result.full = True
        result.upserts = {}
        result.packed = kept
        self._listed = set(packs)
        result.removals = set(self._known) - set(kept)
        self._known = held
        self._feed_lookups(packs.values(), result.removals, whole=True)

    def _poll_full_raw(self, result: PollResult,
                       on_page: Callable[[dict[str, Raw]], None] | None,
                       params: list[tuple[str, str]], first: int | None) -> None:
        found = self._list(result, params, first_page_size=first, on_page=on_page)
        # An unchanged resource keeps the dict already held: a resync of 10,000 servers then
        # leaves ~60,000 fresh JSON containers to refcounting instead of keeping them, so they
        # never reach the garbage collector's oldest generation, whose full passes stall keys.
        known_before = self._known
        kept: dict[str, Raw] = {}
        for ident, raw in found.items():
            if self._keep(raw):
                old = known_before.get(ident)
                kept[ident] = old if isinstance(old, dict) and old == raw else raw
        result.full = True
        result.upserts = kept
        self._listed = set(found)
        result.removals = set(self._known) - set(kept)
        self._known = dict(kept)
        self._feed_lookups(found.values(), result.removals, whole=True)

    def _hold(self, raw: Raw, ident: str, result: PollResult) -> Raw | Packed:
        """What this poller keeps of a raw dict (itself, or packed: see the class)."""
        if not self.packed:
            return raw
        packed = result.packed[ident] = Packed(raw)
        return packed

    def _count(self, result: PollResult) -> int:
        """How many items the unfiltered list holds now, by Cinder's ``with_count``."""
        kind = self.kind
        params = [*self._base_params(), ("limit", "1"), ("with_count", "true")]
        # The short list: one id, one count.
        path = kind.list_path_for(self.session.user_id).removesuffix("/detail")
        body, info = self.session.get_json(kind.service_type, path, params)
        result.requests += 1
        result.bytes += info.bytes
        count = body.get("count") if isinstance(body, dict) else None
        return int(count) if isinstance(count, int) else -1

    def _poll_changes(self, result: PollResult, draft: _Draft) -> None:
        started_wall = datetime.now(timezone.utc)
        assert self._cursor is not None
        params = self._base_params()
        since = _iso(self._cursor)
        if self.kind.refresh == "changes-since":
            found = self._list(result, [*params, ("changes-since", since)])
        else:
            found = self._list(result, [*params, ("updated_at", f"gte:{since}")])
            if self.kind.poll_created_at:
                created = self._list(result, [*params, ("created_at", f"gte:{since}")])
                found.update({k: v for k, v in created.items() if k not in found})
        for ident, raw in found.items():
            gone = (self.kind.refresh == "changes-since"
                    and str(raw.get("status", "")).upper() in _DELETED_SERVER_STATES)
            if gone:
                draft.unlist(ident)
            else:
                draft.list(ident)
            if gone or not self._keep(raw):
                if draft.drop(ident):
                    result.removals.add(ident)
                continue
            new = self._hold(raw, ident, result)
            if draft.known.get(ident) == new:
                result.packed.pop(ident, None)
                continue  # reported again only because of the cursor's overlap
            result.upserts[ident] = raw
            draft.put(ident, new)
        self._since_full += 1
        self._advance_cursor(result, started_wall)
        self._feed_lookups(result.upserts.values(), result.removals, whole=False)

    def _check_deletions(self, result: PollResult, draft: _Draft) -> None:
        """Show each watched (and each "deleting") id; a 404 means it is gone."""
        kind = self.kind
        if kind.refresh != "updated_at":
            return
        pending = set(self._watch_deleted)
        pending.update(i for i, raw in draft.known.items()
                       if str(raw.get("status", "")).lower() in ("deleting", "pending_delete"))
        for ident in sorted(pending)[:_MAX_DELETE_CHECKS]:
            if ident in result.upserts:
                continue
            try:
                body, info = self.session.get_json(
                    kind.service_type, kind.show_path_for(ident, self.session.user_id))
            except CloudError as error:
                if error.status != 404:
                    raise
                result.requests += 1
                self._watch_deleted.discard(ident)
                draft.unlist(ident)
                if draft.drop(ident):
                    result.removals.add(ident)
                continue
            result.requests += 1
            result.bytes += info.bytes
            raw = body.get(kind.show_key, body) if kind.show_key else body
            if isinstance(raw, dict) and str(raw.get("status", "")).lower() == "deleted":
                self._watch_deleted.discard(ident)
                draft.unlist(ident)
                if draft.drop(ident):
                    result.removals.add(ident)

    def _covers_names_table(self) -> bool:
        """True when this list sees every item its names table's lookup would list (all
        projects, or a non-admin's own)."""
        return (self.lookups is not None and self.kind.names_table is not None
                and (self.all_projects or not self.session.is_admin))

    def _feed_lookups(self, raws: Any, removed: set[str], *, whole: bool) -> None:
        """Names for free (server names from the servers list); a poller that sees every item
        the lookup would list keeps the table whole, so it is never listed."""
        table = self.kind.names_table
        if self.lookups is None or table is None:
            return
        if not self._covers_names_table():
            self.lookups.feed(table, raws)
            return
        if whole:
            # A packed resource holds its id and name as attributes: 50,000 Packed.get calls
            # were ~0.1 s at the end of a long load.
            pairs = ((r.id, r.name) if type(r) is Packed else (r.get("id"), r.get("name"))
                     for r in raws)
            self.lookups.keep_whole(table, {str(ident): str(name or "")
                                            for ident, name in pairs if ident})
            return
        self.lookups.feed(table, raws)
        self.lookups.forget("servers", removed)
        self.lookups.keep_whole("servers")
