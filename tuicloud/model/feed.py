"""A list's refresh loop, below the screens: the poller for the current session, the row differ,
the epoch that drops answers from before a switch, the failures in a row and the freshness.

The feed runs no thread and no timer: the list screen calls :meth:`ListFeed.poll` from its worker
thread and posts what comes back (a :class:`Snapshot` or a :class:`Failure`, never an exception)
to itself; on the UI thread it hands that back to :meth:`ListFeed.finished` /
:meth:`ListFeed.failed`, which say whether it still counts, and asks :meth:`ListFeed.next_delay`
when to poll again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuicloud.config.view_cache import MAX_ROWS
from tuicloud.memory import release_free_memory
from tuicloud.model.backoff import retry_delay
from tuicloud.model.freshness import Freshness, stale_after
from tuicloud.model.row_diff import Observer, RowDiffer

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.kinds.base import ResourceKind
    from tuicloud.cloud.lookups import Lookups
    from tuicloud.cloud.poller import Poller
    from tuicloud.cloud.window_poller import WindowPoller

log = logging.getLogger(__name__)

__all__ = ["Failure", "ListFeed", "Snapshot"]

Raw = dict[str, Any]
RowData = dict[str, object]
Converter = Callable[[Raw], RowData]
# The states (raw or packed by id), whether it was the first poll, all projects:
StatesSeen = Callable[[Mapping[str, Mapping[str, Any]], bool, bool], None]
Keeper = Callable[[list[RowData]], None]  # writes a view's rows to the view cache
KEEP_EVERY = 30.0
"""Seconds between two writes of a view's rows to the view cache while they change (the first
complete poll of a session is always kept)."""


@dataclass
class Snapshot:
    """A finished poll as the table's changes: rows converted (in the worker) and removals."""

    rows: dict[str, RowData]
    removals: set[str]
    elapsed: float
    bytes: int
    partial: bool = False  # a first page shown while the rest loads
    extended: bool = False  # rows read further down a lazily read list (not cloud changes)
    more: bool = False  # the list goes on past these rows (read as the user scrolls)
    summary: str | None = None  # the kind's header line (an account's totals)
    epoch: int = 0  # the feed's epoch when the poll started (older ones are dropped)


@dataclass
class Failure:
    """A failed poll: one line for the header; ``unavailable`` when the service is missing
    from the catalog (retrying cannot help)."""

    error: str
    unavailable: bool = False
    epoch: int = 0


@dataclass
class ListFeed:
    """One list's refresh state. ``poll`` runs in a worker thread; the rest on the UI thread."""

    kind: ResourceKind
    epoch: int = 0
    poller: Poller | None = None
    differ: RowDiffer = field(default_factory=RowDiffer)
    failures: int = 0
    fresh: Freshness = field(default_factory=lambda: Freshness("connecting"))
    cached_at: float | None = None
    """When the rows shown from the view cache were kept; None once a complete poll came
    (or when none are shown). Actions wait for that poll."""
    _kept_at: float | None = None  # time.monotonic() of the last write to the view cache
    _unkept: bool = False  # rows changed since then
    _relabelled: bool = False  # names came after the last write: keep at the next poll
    _forgotten: int = 0  # forget_poller() calls: a poll begun before one keeps no poller
    _polled_at_forgotten: int = 0  # _forgotten when the last poll began

    def reset(self) -> None:
        """Another cloud, project or region: forget everything; answers in flight are dropped."""
        self.epoch += 1
        self.poller = None
        self.failures = 0
        self.differ = RowDiffer()
        self.fresh = Freshness("connecting")
        self.cached_at = None
        self._kept_at = None
        self._unkept = False
        self._relabelled = False

    def forget_poller(self) -> None:
        """A new session (or all projects toggled): the next poll starts a new poller."""
        self.poller = None
        self._forgotten += 1

    # -- the worker's side ------------------------------------------------------------------
    def poll(self, session: CloudSession | None, *, all_projects: bool,
             lookups: Lookups | None, convert: Converter, observer: Observer | None = None,
             states_seen: StatesSeen | None = None,
             on_partial: Callable[[Snapshot], None] | None = None,
             keep: Keeper | None = None) -> Snapshot | Failure:
        """Poll once (blocking): the changed rows, or why not. ``observer`` sees each row that
        came, changed or went in the cloud (not on the first poll: those rows did not change);
        ``states_seen`` gets the whole state after each poll, and whether it was the first
        (the change log catches up on what changed while nobody looked); ``on_partial`` gets
        the first page of a first poll; ``keep`` gets the rows to write to the view cache after
        a first poll, then at most every KEEP_EVERY seconds while they change."""
        # The pollers and the errors are imported by the first poll, in its worker: the view
        # cache's rows are painted without them (33 KB of source, about 8 ms at start).
        from tuicloud.cloud.errors import CloudError, NotConnectedError, ServiceUnavailableError
        from tuicloud.cloud.window_poller import poller_for

        epoch = self.epoch
        forgotten = self._polled_at_forgotten = self._forgotten
        try:
            if session is None:
                raise NotConnectedError()
            if self.kind.admin_only and not session.is_admin:
                # Not a fault to retry: this user's role will not change under the view.
                return Failure(f"{self.kind.title}: needs the admin role", unavailable=True,
                               epoch=epoch)
            poller = self.poller
            if poller is None or poller.session is not session:
                # Packed: a list of 50,000 keeps compact bytes, not parsed dicts (cloud/packed.py).
                poller = self.poller = poller_for(session, self.kind,
                                                  all_projects=all_projects, lookups=lookups,
                                                  packed=True)
                if self._forgotten != forgotten:  # made for the view before a toggle: not kept
                    self.poller = None
            first = poller.polls == 0
            differ = self.differ

            started = time.monotonic()

            def on_page(raws: dict[str, Raw]) -> None:
                # Progressive first paint: each page shows while the rest loads (converted
                # while its parsed dicts are at hand: the packing poller lets them go).
                if first and on_partial is not None:
                    packs = poller.page_packed
                    rows, _ = differ.diff(raws, convert, as_of=started,
                                          packed={k: packs[k] for k in raws if k in packs})
                    on_partial(Snapshot(rows, set(), 0.0, 0, partial=True, epoch=epoch))

            result = poller.poll(on_page=on_page)
            if states_seen is not None:
                states_seen(poller.states, first, poller.all_projects)
            observe = None if first or result.extended else observer
            rows, removed = differ.diff(result.upserts, convert, full=result.full,
                                        removals=result.removals, observe=observe,
                                        as_of=started, packed=result.packed)
            if result.full and len(result.packed or result.upserts) > 1000:
                release_free_memory()
            if keep is not None:
                self._keep(keep, differ, first=first, changed=bool(rows or removed))
            return Snapshot(rows, removed, result.elapsed, result.bytes, epoch=epoch,
                            extended=result.extended, more=self.more_available,
                            summary=result.summary)
        except ServiceUnavailableError as error:
            return Failure(str(error), unavailable=True, epoch=epoch)
        except CloudError as error:
            return Failure(error.short, epoch=epoch)
        except Exception as error:  # noqa: BLE001 - a poll must never kill the app
            # A bug (a row builder, the poller), not the cloud: the header shows one line,
            # the log the whole trace.
            log.exception("polling %s failed", self.kind.name)
            return Failure(f"{error.__class__.__name__}: {error}", epoch=epoch)

    def _keep(self, keep: Keeper, differ: RowDiffer, *, first: bool, changed: bool) -> None:
        """Write the rows to the view cache when it is time (a failure there is only logged:
        the cache is a nicety)."""
        now = time.monotonic()
        self._unkept = self._unkept or changed
        due = (self._kept_at is None or first or self._relabelled
               or (self._unkept and now - self._kept_at >= KEEP_EVERY))
        if not due:
            return
        self._kept_at, self._unkept, self._relabelled = now, False, False
        try:
            keep(differ.rows(MAX_ROWS))
        except Exception:  # noqa: BLE001 - never fail a poll for the cache
            log.exception("keeping the %s view in the cache failed", self.kind.name)

    def read_singly(self, ident: str, raw: Raw, convert: Converter, *, started: float,
                    observe: Observer | None = None) -> RowData:
        """One resource read on its own (an action being followed): its row, newer than any
        list poll that started before the read; the view cache keeps it at the next write."""
        row = self.differ.read_singly(ident, raw, convert, started=started, observe=observe)
        self._unkept = True
        return row

    def forget(self, ident: str, convert: Converter, *, started: float) -> None:
        """A resource found gone by a read started at ``started`` (an action's follow read a
        404): a list poll already in flight cannot bring it back."""
        self.differ.read_gone(ident, convert, started=started)
        self._unkept = True

    def flush(self, keep: Keeper) -> None:
        """Write rows changed since the last write now (the view is left, the app quits)."""
        if self._kept_at is None or not (self._unkept or self._relabelled):
            return
        self._kept_at, self._unkept, self._relabelled = time.monotonic(), False, False
        try:
            keep(self.differ.rows(MAX_ROWS))
        except Exception:  # noqa: BLE001 - the cache is a nicety
            log.exception("keeping the %s view in the cache failed", self.kind.name)

    @property
    def more_available(self) -> bool:
        """True when the list is read lazily and goes on past the rows loaded."""
        window = self._window()
        return window is not None and window.has_more

    @property
    def wants_more(self) -> bool:
        """True when more rows were asked for and the next poll reads them."""
        window = self._window()
        return window is not None and window.wants_more

    def ask_more(self) -> bool:
        """Read one more page at the next poll (a lazily read list only); True when asked."""
        window = self._window()
        if window is not None and window.has_more:
            window.want_more()
            return True
        return False

    def _window(self) -> WindowPoller | None:
        """The poller when it reads lazily (by windows), else None (none yet: not imported)."""
        if self.poller is None:
            return None
        from tuicloud.cloud.window_poller import WindowPoller

        return self.poller if isinstance(self.poller, WindowPoller) else None

    def relabel(self, convert: Converter, *,
                since: float | None = None) -> tuple[int, dict[str, RowData]]:
        """The rows rebuilt (the name lookups changed at ``since``, a ``time.monotonic()``:
        rows converted after it have the names already): (the epoch it belongs to, the rows
        that now read differently)."""
        epoch = self.epoch
        rows = self.differ.relabel(convert, since=since)
        if rows:
            # The first poll was kept before the names were known (they load after it).
            self._relabelled = True
        return epoch, rows

    # -- the UI thread's side ---------------------------------------------------------------
    def polled_as_before(self) -> bool:
        """True when the last poll began before :meth:`forget_poller` (all projects toggled
        while it was out): it asked as the view was, and the next one should start at once."""
        return self._polled_at_forgotten != self._forgotten

    def current(self, epoch: int) -> bool:
        """True when an answer from ``epoch`` is about what the view shows now."""
        return epoch == self.epoch

    def finished(self, snapshot: Snapshot, *, count: int, visible: int,
                 paused: bool) -> bool:
        """A complete poll arrived: True (and the feed is fresh) unless it is from before a
        switch. Partial snapshots only count as loading."""
        if not self.current(snapshot.epoch):
            return False
        if snapshot.partial:
            self.fresh = Freshness("loading", count=count, visible=visible,
                                   cached_at=self.cached_at)
            return True
        self.failures = 0
        self.cached_at = None
        self.fresh = Freshness("paused" if paused else "fresh", updated_at=time.time(),
                               elapsed_ms=snapshot.elapsed * 1000, count=count,
                               visible=visible, more=snapshot.more)
        return True

    def failed(self, failure: Failure, *, count: int, visible: int) -> bool:
        """A poll failed: True (and the feed is stale, or unavailable) unless it is from
        before a switch."""
        if not self.current(failure.epoch):
            return False
        if failure.unavailable:
            self.fresh = Freshness("unavailable", error=failure.error)
            return True
        self.failures += 1
        self.fresh = stale_after(self.fresh, failure.error, count=count, visible=visible)
        return True

    def next_delay(self, interval: float) -> float:
        """When to poll again (see :func:`tuicloud.model.backoff.retry_delay`)."""
        return retry_delay(interval, self.failures)
