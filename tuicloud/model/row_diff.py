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
        self._lock = threading.Lock()  # polls and relabels run in different workers

    def __len__(self) -> int:
        return len(self._rows)

    def diff(self, raws: Mapping[str, Raw], convert: Callable[[Raw], RowData], *,
             full: bool = False, removals: Iterable[str] = (),
             observe: Observer | None = None) -> tuple[dict[str, RowData], set[str]]:
        """(changed rows, removed ids) for a poll; ``full`` means ``raws`` is the whole set.

        ``observe(id, old raw or None, new raw or None)`` (optional) hears every added,
        changed and removed resource (the app's change log for the overview).
        """
        changed: dict[str, RowData] = {}
        with self._lock:
            for ident, raw in raws.items():
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
            gone &= self._rows.keys()
            for ident in gone:
                self._rows.pop(ident, None)
                gone_raw = self._raws.pop(ident, None)
                if observe is not None:
                    observe(ident, gone_raw, None)
        return changed, gone

    def ids(self) -> list[str]:
        """Every id sent to the table."""
        with self._lock:
            return list(self._rows)

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
