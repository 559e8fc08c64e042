"""A small, bounded, app-wide log of what changed recently: created, deleted, state changes.

Pollers report deltas (a list screen's RowDiffer, the overview's own pollers); this log keeps
the last few hundred as :class:`Change` records for the overview's "recent changes". Two
pollers may see the same change (the overview and the servers view): a change equal to the
last one recorded for that resource is dropped. Thread-safe: workers record, the UI reads.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

__all__ = ["Change", "ChangeLog", "Event", "classify"]

Event = Literal["created", "deleted", "changed"]
_GONE = frozenset({"DELETED", "SOFT_DELETED", "deleted"})


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


class ChangeLog:
    """The last ``size`` changes, newest last."""

    def __init__(self, size: int = 300) -> None:
        self._changes: deque[Change] = deque(maxlen=size)
        self._last: dict[tuple[str, str, str], tuple[Event, str]] = {}
        self._lock = threading.Lock()
        self.version = 0  # bumped on every record: readers redraw only when it moved

    @staticmethod
    def scope_of(session: Any) -> str:
        """A session's scope key: cloud, project and region."""
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
