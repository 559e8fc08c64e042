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


class RowDiffer:
    """Remembers the raw dict and display row last sent to the table for each id."""

    def __init__(self) -> None:
        self._raws: dict[str, Raw] = {}
        self._rows: dict[str, RowData] = {}
        self._lock = threading.Lock()  # polls and relabels run in different workers

    def __len__(self) -> int:
        return len(self._rows)

    def diff(self, raws: Mapping[str, Raw], convert: Callable[[Raw], RowData], *,
             full: bool = False, removals: Iterable[str] = ()
             ) -> tuple[dict[str, RowData], set[str]]:
        """(changed rows, removed ids) for a poll; ``full`` means ``raws`` is the whole set."""
        changed: dict[str, RowData] = {}
        with self._lock:
            for ident, raw in raws.items():
                if self._raws.get(ident) == raw:
                    continue
                row = convert(raw)
                self._raws[ident] = raw
                if self._rows.get(ident) != row:
                    self._rows[ident] = row
                    changed[ident] = row
            gone = set(removals)
            if full:
                gone |= self._rows.keys() - raws.keys()
            gone &= self._rows.keys()
            for ident in gone:
                self._rows.pop(ident, None)
                self._raws.pop(ident, None)
        return changed, gone

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
