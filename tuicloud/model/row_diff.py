"""Worker-side diffing: the UI thread only ever receives the rows that actually changed.

A full resync of 10,000 servers returns 10,000 dicts, almost all unchanged; comparing them in
the poll's thread keeps the UI thread's work O(changes) and the keys responsive.

What it keeps per resource is small, as a list may hold 50,000: the raw dict packed
(:class:`~tuicloud.cloud.packed.Packed`, shared with a packing poller) and a fingerprint of the
row sent to the table, not the row itself (the table holds that).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tuicloud.cloud.packed import Packed

Raw = dict[str, Any]
RowData = dict[str, object]
Observer = Callable[[str, Mapping[str, Any] | None, Mapping[str, Any] | None], None]

_PLAIN = frozenset({str, int, float, bool, type(None)})


def row_print(row: Mapping[str, object]) -> int:
    """A fingerprint of a display row: equal rows print equal. Styled cells count by their
    text, style and spans; two different rows meet only by a 64-bit hash collision."""
    # The keys as one tuple and the values in a list: a (key, value) tuple per cell cost a
    # fifth more, 50,000 times in a long load.
    return hash((tuple(row), *[value if type(value) in _PLAIN else _cell_print(value)
                               for value in row.values()]))


def _cell_print(value: object) -> object:
    """What a styled cell is compared by. A rich Text (known by its shape: this layer does
    not import rich) by its plain text, style and spans, which hash cheaply: its repr spells
    out every attribute of its Style and cost more than the rest of a row's conversion."""
    plain = getattr(value, "plain", None)
    if isinstance(plain, str):
        try:
            print_ = (plain, getattr(value, "style", None), tuple(getattr(value, "spans", ())))
            hash(print_)
        except TypeError:
            return repr(value)
        return print_
    return repr(value)


class RowDiffer:
    """Remembers, for each id, the raw dict last seen (packed) and what the table was sent."""

    def __init__(self) -> None:
        self._packed: dict[str, Packed] = {}
        self._prints: dict[str, int] = {}
        # Resources read one by one (an action being followed) and when the read started:
        # a list poll that started before that read carries older data for them.
        self._read_at: dict[str, float] = {}
        self._convert: Callable[[Raw], RowData] | None = None  # the newest labels, for rows()
        # When rows were converted: (a diff's start, the ids it converted), oldest first. A
        # relabel for names that came at T converts again only the rows converted before T
        # (at 50,000 servers the project names arrive during the first load: its later pages
        # already show them).
        self._converted: list[tuple[float, list[str]]] = []
        self._converted_count = 0
        self._lock = threading.Lock()  # polls and relabels run in different workers

    def __len__(self) -> int:
        return len(self._prints)

    def diff(self, raws: Mapping[str, Raw], convert: Callable[[Raw], RowData], *,
             full: bool = False, removals: Iterable[str] = (),
             observe: Observer | None = None,
             as_of: float | None = None,
             packed: Mapping[str, Packed] | None = None) -> tuple[dict[str, RowData], set[str]]:
        """(changed rows, removed ids) for a poll; ``full`` means ``raws`` is the whole set.

        ``as_of`` (a list poll's ``time.monotonic()`` at its start) leaves alone the resources
        read singly after it (``read_singly``): the list's answer for them is older.

        ``observe(id, old raw or None, new raw or None)`` (optional) hears every added,
        changed and removed resource (the app's change log for the overview); an old raw is
        a :class:`Packed` mapping. ``packed`` (a packing poller's ``result.packed``) gives
        the raws already packed; an id there and not in ``raws`` is read back from it when it
        changed (a packing poller's full list comes that way).
        """
        changed: dict[str, RowData] = {}
        started = time.monotonic()
        converted: list[str] = []
        with self._lock:
            self._convert = convert
            newer = self._newer_than(as_of)
            items: list[tuple[str, Raw | None]] = list(raws.items())
            if packed:
                # A packing poller's full list holds the very objects its pages were diffed
                # with: those are passed over here (50,000 at once, at the end of a load).
                held = self._packed.get
                items.extend((ident, None) for ident, new in packed.items()
                             if held(ident) is not new and ident not in raws)
            for ident, raw in items:
                if ident in newer:
                    continue
                new = packed.get(ident) if packed is not None else None
                if new is None:
                    if raw is None:
                        continue
                    new = Packed(raw)
                old = self._packed.get(ident)
                if old is not None and (old is new or old.blob == new.blob):
                    if old is not new:
                        self._packed[ident] = new  # one object with the poller
                    continue
                if raw is None:
                    raw = new.raw()
                if observe is not None:
                    observe(ident, old, raw)
                row = convert(raw)
                converted.append(ident)
                self._packed[ident] = new
                fingerprint = row_print(row)
                if self._prints.get(ident) != fingerprint:
                    self._prints[ident] = fingerprint
                    changed[ident] = row
            gone = set(removals)
            if full:
                gone |= self._prints.keys() - raws.keys() - (packed or {}).keys()
            gone -= newer
            gone &= self._prints.keys()
            for ident in gone:
                self._prints.pop(ident, None)
                gone_raw = self._packed.pop(ident, None)
                if observe is not None:
                    observe(ident, gone_raw, None)
            self._note_converted(started, converted)
        return changed, gone

    def _note_converted(self, started: float, ids: list[str]) -> None:
        """Remember when ``ids`` were converted (lock held); bounded: past twice the rows
        held, the whole record collapses to its oldest time (a later relabel then converts
        every row again, as it did before this record was kept)."""
        if not ids:
            return
        self._converted.append((started, ids))
        self._converted_count += len(ids)
        if self._converted_count > 2 * len(self._packed) + 1000:
            oldest = self._converted[0][0]
            self._converted = [(oldest, list(self._packed))]
            self._converted_count = len(self._packed)

    def read_singly(self, ident: str, raw: Raw, convert: Callable[[Raw], RowData], *,
                    started: float, observe: Observer | None = None) -> RowData:
        """One resource read on its own (a GET started at ``started``): remembered as newer
        than any list poll that started before it. Returns its row."""
        self.diff({ident: raw}, convert, observe=observe)
        with self._lock:
            self._read_at[ident] = max(started, self._read_at.get(ident, started))
        return convert(raw)

    def read_gone(self, ident: str, convert: Callable[[Raw], RowData], *,
                  started: float, observe: Observer | None = None) -> None:
        """One resource found gone by a read that started at ``started`` (a 404): removed, and
        a list poll that started before that read cannot bring it back."""
        self.diff({}, convert, removals=[ident], observe=observe)
        with self._lock:
            self._read_at[ident] = max(started, self._read_at.get(ident, started))

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
            return list(self._prints)

    def rows(self, limit: int) -> list[RowData]:
        """The first ``limit`` rows sent to the table (in the order the cloud listed them),
        built again from the raws with the newest converter."""
        with self._lock:
            convert = self._convert
            packed = [self._packed[i] for i in list(self._prints)[:limit] if i in self._packed]
        if convert is None:
            return []
        return [convert(item.raw()) for item in packed]

    def raw(self, ident: str) -> Raw | None:
        """The raw dict last seen for an id (a copy)."""
        with self._lock:
            found = self._packed.get(ident)
        return found.raw() if found is not None else None

    def relabel(self, convert: Callable[[Raw], RowData], *,
                since: float | None = None) -> dict[str, RowData]:
        """Rebuild the rows (names or ages changed); returns only the rows that differ.
        ``since`` (a ``time.monotonic()``: when the names changed) rebuilds only the rows
        converted before then; None rebuilds every row."""
        started = time.monotonic()
        with self._lock:
            self._convert = convert
            if since is None:
                items = list(self._packed.items())
            else:
                fresh = {i for at, ids in self._converted if at >= since for i in ids}
                stale = dict.fromkeys(i for at, ids in self._converted if at < since
                                      for i in ids if i not in fresh)
                items = [(i, self._packed[i]) for i in stale if i in self._packed]
            self._note_converted(started, [ident for ident, _ in items])
        changed: dict[str, RowData] = {}
        for ident, packed in items:
            row = convert(packed.raw())
            fingerprint = row_print(row)
            with self._lock:
                # Skip rows a poll replaced meanwhile: their new row is already newer.
                if self._packed.get(ident) is packed and self._prints.get(ident) != fingerprint:
                    self._prints[ident] = fingerprint
                    changed[ident] = row
        return changed
