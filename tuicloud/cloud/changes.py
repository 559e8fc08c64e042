"""A small, bounded, app-wide log of what changed recently: created, deleted, state changes.

Pollers report deltas (a list screen's RowDiffer, the overview's own pollers); this log keeps
the last few hundred as :class:`Change` records for the overview's "recent changes". Two
pollers may see the same change (the overview and the servers view): a change equal to the
last one recorded for that resource is dropped. Thread-safe: workers record, the UI reads.

A first poll shows no deltas, so what changed while nobody looked (in another project, or
while the app was closed) would be lost: each poll leaves the whole state it saw
(:meth:`ChangeLog.remember`), and a first poll of the same scope and kind compares against it
(:meth:`ChangeLog.catch_up`). The log and those states outlive the app as JSON
(:meth:`ChangeLog.to_json` / :meth:`ChangeLog.load_json`; the file is the app's business).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, cast

from tuicloud.cloud.kinds.base import parse_time

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["Change", "ChangeLog", "Event", "classify"]

Event = Literal["created", "deleted", "changed"]
_EVENTS: tuple[Event, ...] = ("created", "deleted", "changed")
_GONE = frozenset({"DELETED", "SOFT_DELETED", "deleted"})
_FORMAT = 1
KEEP_STATES = 24 * 3600.0  # a state older than a day is not worth a file write (nor a diff)
MAX_SAVED_STATE = 20_000  # resources per (scope, kind) written to the file; larger ones are not
StateKey = tuple[str, str, bool]  # scope, kind, all projects


@dataclass(frozen=True)
class Change:
    """One change of one resource, seen at ``at`` (epoch seconds)."""

    at: float
    scope: str  # which cloud/project/region it belongs to (see ChangeLog.scope_of)
    kind: str  # "servers", "volumes" ...
    resource_id: str
    name: str
    event: Event
    old: str = ""  # the status before (changed) or "" ...
    new: str = ""  # ... and after

    def describe(self) -> str:
        """"created", "deleted" or "ACTIVE → SHUTOFF"."""
        if self.event == "changed":
            return f"{self.old or '?'} → {self.new or '?'}"
        return self.event


def _status(raw: Mapping[str, Any] | None) -> str:
    return str(raw.get("status") or "") if raw else ""


def classify(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
             ) -> tuple[Event, str, str] | None:
    """What one raw-dict transition means, or None when nothing worth logging changed."""
    before, after = _status(old), _status(new)
    if new is None or after in _GONE:
        return ("deleted", before, after) if old is not None else None
    if old is None:
        return "created", "", after
    if before != after:
        return "changed", before, after
    return None


def _happened(raw: Mapping[str, Any], since: float, now: float) -> float:
    """When a change found on catching up happened: the resource's own time when it falls
    between the last look and now, else now (a deletion leaves no time behind)."""
    for key in ("updated", "updated_at", "created", "created_at"):
        stamp = parse_time(raw.get(key))
        if stamp is not None and since <= stamp <= now:
            return stamp
    return now


class ChangeLog:
    """The last ``size`` changes, newest last, and the last state seen of each list."""

    def __init__(self, size: int = 300) -> None:
        self._changes: deque[Change] = deque(maxlen=size)
        self._last: dict[tuple[str, str, str], tuple[Event, str]] = {}
        # The pollers' own dicts (each poll replaces its dict, never edits it): no copy here.
        self._states: dict[StateKey, tuple[float, Mapping[str, Mapping[str, Any]]]] = {}
        self._lock = threading.Lock()
        self.version = 0  # bumped on every record: readers redraw only when it moved

    @staticmethod
    def scope_of(session: CloudSession | None) -> str:
        """A session's scope key: cloud, project and region (all empty without one)."""
        return "/".join(str(getattr(session, attr, "") or "")
                        for attr in ("cloud_name", "project_id", "region"))

    def observe(self, scope: str, kind: str, resource_id: str,
                old: Mapping[str, Any] | None, new: Mapping[str, Any] | None,
                at: float | None = None) -> Change | None:
        """Record the transition ``old`` -> ``new`` of one resource if it means something."""
        found = classify(old, new)
        if found is None:
            return None
        event, before, after = found
        name = str((new or old or {}).get("name") or "")
        change = Change(at=time.time() if at is None else at, scope=scope, kind=kind,
                        resource_id=resource_id, name=name, event=event, old=before,
                        new=after)
        return change if self.record(change) else None

    def record(self, change: Change) -> bool:
        """Add a change unless it repeats the last one recorded for the same resource."""
        key = (change.scope, change.kind, change.resource_id)
        with self._lock:
            last = self._last.get(key)
            if last == (change.event, change.new):
                return False
            if change.event == "created" and last is not None and last[0] != "deleted":
                # A second poller (the overview after the list) meets it later: not created
                # again, but a state change when its status moved meanwhile.
                if last[1] == change.new:
                    return False
                change = replace(change, event="changed", old=last[1])
            self._last[key] = (change.event, change.new)
            if len(self._last) > 4 * (self._changes.maxlen or 300):
                self._last = {(c.scope, c.kind, c.resource_id): (c.event, c.new)
                              for c in self._changes}
            self._changes.append(change)
            self.version += 1
            return True

    def recent(self, scope: str, since: float, limit: int = 50) -> list[Change]:
        """The scope's changes at or after ``since``, newest first."""
        with self._lock:
            found = [c for c in reversed(self._changes) if c.scope == scope and c.at >= since]
        return found[:limit]

    # -- what was there when we last looked --------------------------------------------------
    def remember(self, scope: str, kind: str, states: Mapping[str, Mapping[str, Any]], *,
                 all_projects: bool = False, at: float | None = None) -> None:
        """The whole state a poll saw (raw dicts by id; the mapping is kept, not copied)."""
        with self._lock:
            self._states[(scope, kind, all_projects)] = (time.time() if at is None else at,
                                                         states)

    def catch_up(self, scope: str, kind: str, states: Mapping[str, Mapping[str, Any]], *,
                 all_projects: bool = False) -> list[Change]:
        """A first poll's state: record what changed since the state remembered for this
        scope and kind (nothing when there is none), then remember this one."""
        now = time.time()
        key = (scope, kind, all_projects)
        with self._lock:
            seen = self._states.get(key)
            self._states[key] = (now, states)
            self._compact_others(key)
        if seen is None:
            return []
        since, before = seen
        found: list[Change] = []
        for ident, raw in states.items():
            old = before.get(ident)
            if old is None or _status(old) != _status(raw):
                change = self.observe(scope, kind, ident, old, raw,
                                      at=_happened(raw, since, now))
                if change is not None:
                    found.append(change)
        for ident, old in before.items():
            if ident not in states:
                change = self.observe(scope, kind, ident, old, None, at=now)
                if change is not None:
                    found.append(change)
        return found

    def _compact_others(self, current: StateKey) -> None:
        """A first poll means a new session: the other scopes' states shrink to what a
        comparison reads, so a project left behind does not keep its raw dicts in memory."""
        for key, (at, raws) in list(self._states.items()):
            if key != current and not isinstance(raws, _Compact):
                self._states[key] = (at, _compact(raws))

    # -- the file ------------------------------------------------------------------------------
    def to_json(self, now: float | None = None) -> dict[str, Any]:
        """What the next start needs: the changes, and the states of the last day (names and
        statuses only; a list of more than MAX_SAVED_STATE is left out)."""
        now = time.time() if now is None else now
        with self._lock:
            changes = list(self._changes)
            states = dict(self._states)
        saved_states = []
        for (scope, kind, all_projects), (at, raws) in sorted(states.items()):
            if now - at > KEEP_STATES or len(raws) > MAX_SAVED_STATE:
                continue
            saved_states.append({
                "scope": scope, "kind": kind, "all_projects": all_projects, "at": at,
                "states": {ident: [str(raw.get("name") or "")[:255], _status(raw)]
                           for ident, raw in dict(raws).items()}})
        return {"version": _FORMAT,
                "changes": [[c.at, c.scope, c.kind, c.resource_id, c.name[:255], c.event,
                             c.old, c.new] for c in changes],
                "states": saved_states}

    def load_json(self, data: object, now: float | None = None) -> int:
        """Take back what :meth:`to_json` wrote (entries that do not read right are skipped);
        the number of entries skipped."""
        now = time.time() if now is None else now
        if not isinstance(data, dict) or data.get("version") != _FORMAT:
            raise ValueError("not a change log this version wrote")
        entries, states = data.get("changes", []), data.get("states", [])
        if not isinstance(entries, list) or not isinstance(states, list):
            raise ValueError("its changes and states are not lists")
        skipped = 0
        for entry in entries:
            change = _change_from(entry)
            if change is None:
                skipped += 1
            else:
                self.record(change)
        for entry in states:
            loaded = _states_from(entry)
            if loaded is None:
                skipped += 1
            elif now - loaded[1] <= KEEP_STATES:
                key, at, raws = loaded
                with self._lock:
                    if key not in self._states:  # a poll of this session already knows better
                        self._states[key] = (at, raws)
        return skipped


class _Compact(dict[str, dict[str, str]]):
    """States reduced to name and status (what a catch-up compares and the file keeps)."""


def _compact(raws: Mapping[str, Mapping[str, Any]]) -> _Compact:
    return _Compact({ident: {"name": str(raw.get("name") or ""), "status": _status(raw)}
                     for ident, raw in dict(raws).items()})


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _change_from(entry: object) -> Change | None:
    if not isinstance(entry, list) or len(entry) != 8:
        return None
    at = _number(entry[0])
    texts = [_text(value) for value in entry[1:]]
    if at is None or any(text is None for text in texts):
        return None
    scope, kind, ident, name, event, old, new = cast("list[str]", texts)
    if event not in _EVENTS or not ident:
        return None
    return Change(at=at, scope=scope, kind=kind, resource_id=ident, name=name,
                  event=event, old=old, new=new)


def _states_from(entry: object
                 ) -> tuple[StateKey, float, dict[str, dict[str, str]]] | None:
    if not isinstance(entry, dict):
        return None
    scope, kind, at = _text(entry.get("scope")), _text(entry.get("kind")), _number(entry.get("at"))
    states = entry.get("states")
    if scope is None or kind is None or at is None or not isinstance(states, dict):
        return None
    raws = _Compact()
    for ident, pair in states.items():
        if (not isinstance(ident, str) or not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(part, str) for part in pair)):
            return None
        raws[ident] = {"name": pair[0], "status": pair[1]}
    return (scope, kind, entry.get("all_projects") is True), at, raws
