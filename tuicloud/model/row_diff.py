"""Worker-side diffing: the UI thread only ever receives the rows that actually changed.

A full resync of 10,000 servers returns 10,000 dicts, almost all unchanged; comparing them in
the poll's thread keeps the UI thread's work O(changes) and the keys responsive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Raw = dict[str, Any]
RowData = dict[str, object]
Observer = Callable[[str, Raw | None, Raw | None], None]


class RowDiffer:
    """Remembers the raw dict and display row last sent to the table for each id."""

    def __init__(self) -> None:
        self._raws: dict[str, Raw] = {}
        self._rows: dict[str, RowData] = {}
        # Resources read one by one (an action being followed) and when the read started:
        # a list poll that started before that read carries older data for them.
        self._read_at: dict[str, float] = {}
        self._lock = threading.Lock()  # polls and relabels run in different workers

    def __len__(self) -> int:
        return len(self._rows)

    def diff(self, raws: Mapping[str, Raw], convert: Callable[[Raw], RowData], *,
             full: bool = False, removals: Iterable[str] = (),
             observe: Observer | None = None,
             as_of: float | None = None) -> tuple[dict[str, RowData], set[str]]:
        """(changed rows, removed ids) for a poll; ``full`` means ``raws`` is the whole set.

        ``as_of`` (a list poll's ``time.monotonic()`` at its start) leaves alone the resources
        read singly after it (``read_singly``): the list's answer for them is older.

        ``observe(id, old raw or None, new raw or None)`` (optional) hears every added,
        changed and removed resource (the app's change log for the overview).
        """
        changed: dict[str, RowData] = {}
        with self._lock:
            newer = self._newer_than(as_of)
            for ident, raw in raws.items():
                if ident in newer:
                    continue
                old = self._raws.get(ident)
                if old == raw:
                    continue
                if observe is not None:
                    observe(ident, old, raw)
                row = convert(raw)
                self._raws[ident] = raw
                if self._rows.get(ident) != row:
                    self._rows[ident] = row
                    changed[ident] = row
            gone = set(removals)
            if full:
                gone |= self._rows.keys() - raws.keys()
            gone -= newer
            gone &= self._rows.keys()
            for ident in gone:
                self._rows.pop(ident, None)
                gone_raw = self._raws.pop(ident, None)
                if observe is not None:
                    observe(ident, gone_raw, None)
        return changed, gone

    def read_singly(self, ident: str, raw: Raw, convert: Callable[[Raw], RowData], *,
                    started: float, observe: Observer | None = None) -> RowData:
        """One resource read on its own (a GET started at ``started``): remembered as newer
        than any list poll that started before it. Returns its row."""
        self.diff({ident: raw}, convert, observe=observe)
        with self._lock:
            self._read_at[ident] = max(started, self._read_at.get(ident, started))
            return self._rows.get(ident) or convert(raw)

    def _newer_than(self, as_of: float | None) -> set[str]:
        """Ids read singly after ``as_of``; older single reads are forgotten (lock held)."""
        if as_of is None or not self._read_at:
            return set()
        for ident in [i for i, at in self._read_at.items() if at <= as_of]:
            del self._read_at[ident]
        return set(self._read_at)

    def ids(self) -> list[str]:
        """Every id sent to the table."""
        with self._lock:
            return list(self._rows)

    def rows(self, limit: int) -> list[RowData]:
        """The first ``limit`` rows sent to the table (in the order the cloud listed them)."""
        with self._lock:
            found: list[RowData] = []
            for row in self._rows.values():
                if len(found) >= limit:
                    break
                found.append(dict(row))
            return found

    def raw(self, ident: str) -> Raw | None:
        """The raw dict last seen for an id."""
        with self._lock:
            return self._raws.get(ident)

    def relabel(self, convert: Callable[[Raw], RowData]) -> dict[str, RowData]:
        """Rebuild every row (names or ages changed); returns only the rows that differ."""
        with self._lock:
            items = list(self._raws.items())
        changed: dict[str, RowData] = {}
        for ident, raw in items:
            row = convert(raw)
            with self._lock:
                # Skip rows a poll replaced meanwhile: their new row is already newer.
                if self._raws.get(ident) is raw and self._rows.get(ident) != row:
                    self._rows[ident] = row
                    changed[ident] = row
        return changed
