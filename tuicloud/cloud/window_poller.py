"""A list read lazily, as far as the user has looked: a Swift container's objects.

Swift has no ``changes-since``: a full poll of a container of 100,000 objects is 100 listing
requests of 1,000 names (the rig's page), and one before the first row is seconds of waiting
and ~15 MB of JSON. A :class:`WindowPoller` instead

- reads the first page (small, so rows show at once) and one more, then stops: the names
  loaded so far run up to a *horizon*;
- reads one page further from the horizon (``marker``) whenever the screen asks for more
  (:meth:`want_more`: the cursor near the end of what is loaded, or a filter that matches
  too few of it);
- on a re-poll asks the container with one HEAD: while its object count and bytes stay the
  same nothing is listed (one request of a few hundred bytes at any size); when they change,
  or every ``resync_every`` polls while what is loaded is short, it lists again up to the
  horizon only, so deletions and changes among the loaded rows show.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import Raw, ResourceKind
from tuicloud.cloud.poller import Poller, PollResult

if TYPE_CHECKING:  # the SDK is imported when the connection is made, not with the app
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.lookups import Lookups

__all__ = ["CHEAP_RELIST", "WindowPoller", "poller_for"]

log = logging.getLogger("tuicloud.cloud")

CHEAP_RELIST = 5000
"""Up to this many loaded rows a periodic re-list (five pages) catches what HEAD cannot: an
object replaced by one of the same size. Beyond it only a changed count or size re-lists."""


class WindowPoller(Poller):
    """A :class:`Poller` for a kind with ``refresh="window"`` (see the module's notes)."""

    def __init__(self, session: CloudSession, kind: ResourceKind, *,
                 all_projects: bool = False, resync_every: int = 12,
                 first_page_size: int = 50, lookups: Lookups | None = None,
                 window: int | None = None) -> None:
        super().__init__(session, kind, all_projects=all_projects, resync_every=resync_every,
                         first_page_size=first_page_size, lookups=lookups)
        self.window = window or kind.page_size or 1000
        self._horizon = ""  # the last name loaded ("" before the first poll)
        self._complete = False
        self._want = 0  # rows the screen would like loaded
        self._stamp: tuple[str, str] | None = None  # the container's count and bytes

    @property
    def has_more(self) -> bool:
        """True when the list goes on past what is loaded."""
        return self.polls > 0 and not self._complete

    @property
    def wants_more(self) -> bool:
        """True when the screen asked for rows not loaded yet."""
        return self.has_more and self._want > len(self._listed)

    def want_more(self) -> None:
        """Load one more page past the horizon at the next poll (asking twice before it runs
        still means one page)."""
        self._want = max(self._want, len(self._listed) + self.window)

    def poll(self, *, force_full: bool = False,
             on_page: Callable[[dict[str, Raw]], None] | None = None) -> PollResult:
        """The first rows, one more page when wanted, or the loaded range when it changed."""
        with self._lock:
            started = time.monotonic()
            result = PollResult()
            if self.polls == 0 or force_full:
                first = self.first_page_size if on_page is not None else None
                # The count first: a change while the pages are read shows at the next poll.
                stamp = self._head(result)
                self._relist(result, len(self._listed) or self.window, first, on_page, stamp)
            elif self.wants_more:
                self._extend(result)
            else:
                stamp = self._head(result)
                self._since_full += 1
                cheap = len(self._listed) <= CHEAP_RELIST
                if stamp != self._stamp or (cheap and self._since_full >= self.resync_every):
                    self._relist(result, len(self._listed), None, None, stamp)
            self.polls += 1
            result.elapsed = time.monotonic() - started
            result.finished_at = time.time()
            log.debug("poll %s: full=%s extended=%s upserts=%d removals=%d requests=%d "
                      "bytes=%d %.3fs", self.kind.name, result.full, result.extended,
                      len(result.upserts), len(result.removals), result.requests,
                      result.bytes, result.elapsed)
            return result

    def _pages(self, result: PollResult, marker: str, want: int, first: int | None,
               on_page: Callable[[dict[str, Raw]], None] | None,
               through: str = "") -> dict[str, Raw]:
        """Read from ``marker`` until ``want`` rows, or (``through`` given) up to that name
        and no further: a re-list brings no row the view has not loaded yet, or the end."""
        params = [*self._base_params(), *([("marker", marker)] if marker else [])]
        found: dict[str, Raw] = {}
        self._complete = True
        last = marker
        for page in self.session.iter_pages(self.kind.service_type,
                                            self.kind.list_path_for(self.session.user_id),
                                            self.kind.list_key, params,
                                            page_size=self.kind.page_size,
                                            first_page_size=first):
            result.requests += 1
            result.bytes += page.info.bytes
            rows = {}
            past = False
            for item in page.items:
                name = str(item.get("name") or "")
                if through and name > through:
                    past = True
                    break
                raw = self.kind.item(item)
                ident = self.kind.id_of(raw)
                if ident:
                    rows[ident] = raw
                last = name or last
            found.update(rows)
            if on_page is not None and rows:
                on_page(rows)
            if self.lookups is not None:
                self.lookups.first_page_arrived()
            if past or (page.has_more and not through and len(found) >= want) \
                    or (page.has_more and through and last >= through):
                self._complete = False
                break
        self._horizon = last
        return found

    def _relist(self, result: PollResult, want: int, first: int | None,
                on_page: Callable[[dict[str, Raw]], None] | None,
                stamp: tuple[str, str]) -> None:
        """List from the start: ``want`` rows, or up to the horizon (the whole loaded set)."""
        through = "" if self._complete or self.polls == 0 else self._horizon
        found = self._pages(result, "", want, first, on_page, through)
        known_before = self._known
        kept: dict[str, Raw] = {}
        for ident, raw in found.items():
            old = known_before.get(ident)  # an unchanged object keeps the dict already held
            kept[ident] = old if isinstance(old, dict) and old == raw else raw
        result.full = True
        result.upserts = kept
        result.removals = set(known_before) - set(kept)
        self._known = {ident: raw for ident, raw in kept.items()}
        self._listed = set(found)
        self._since_full = 0
        self._stamp = stamp

    def _extend(self, result: PollResult) -> None:
        """One more page past the horizon: rows added to the list, nothing changed in it."""
        found = self._pages(result, self._horizon, self._want - len(self._listed), None, None)
        known = dict(self._known)
        known.update(found)
        self._known = known
        self._listed = set(known)
        result.upserts = found
        result.extended = True

    def _head(self, result: PollResult) -> tuple[str, str]:
        """The container's object count and bytes, from one HEAD."""
        headers, info = self.session.head(self.kind.service_type,
                                          self.kind.list_path_for(self.session.user_id))
        result.requests += 1
        result.bytes += info.bytes
        return (headers.get("x-container-object-count", ""),
                headers.get("x-container-bytes-used", ""))


def poller_for(session: CloudSession, kind: ResourceKind, *, all_projects: bool = False,
               lookups: Lookups | None = None, packed: bool = False) -> Poller:
    """The poller that suits ``kind``: a window over a lazily read list, or the usual one
    (``packed``: holding compact bytes per resource, see cloud/packed.py)."""
    if kind.refresh == "window":
        return WindowPoller(session, kind, lookups=lookups)
    return Poller(session, kind, all_projects=all_projects, lookups=lookups, packed=packed)
