"""The keyed, sorted, filtered row store behind the resource table widget.

Pure Python (no Textual) so it can be tested and benchmarked on its own.

The store keeps every row in a dict keyed by resource id and the rows that pass the filter in
`view`, a list of sort keys kept in ascending order. A diff touching k rows costs
O(k log n) comparisons plus list memmoves (or one O(n) rebuild when k is a large share of n);
nothing is ever re-rendered here.
"""

from __future__ import annotations

import math
import re
import time
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from heapq import heapify, heappop, heappush
from typing import Protocol

from rich.text import Text

from tuicloud.widgets.sanitize import safe_text, sanitize_text

__all__ = ["CELL_MAX_CHARS", "ColumnLike", "Column", "Row", "RowData", "RowStore", "TickCompute",
           "compile_filter"]

CELL_MAX_CHARS = 512
"""Longer cell values are cut: no column is this wide and it bounds filter and render cost."""

SortKey = tuple[int, int, object, int, str]
"""(group, kind, value, sequence, row id); see `RowStore._key`."""

TickCompute = Callable[[Mapping[str, object], float], tuple[str, float]]
"""A ticking column's cell from a row's data at a time: (text, when that text next changes;
`math.inf` for never). An age ("40s", "3d") grows while its resource stays the same."""

TICK_BATCH = 5_000
"""At most this many rows are re-ticked per call: 50,000 rows whose age crosses the same
minute at once would otherwise hold the UI thread ~50 ms."""

SHARED_VALUES_PER_KEY = 1024
"""A row key whose string values are this varied is not deduplicated (see `RowStore._pack`)."""

_REGEX_METACHARS = re.compile(r"[.^$*+?{}\[\]\\|()]")


class ColumnLike(Protocol):
    """What the table needs to know about a column; the cloud layer defines concrete specs."""

    @property
    def key(self) -> str:
        """Key into the row mapping."""

    @property
    def title(self) -> str:
        """Header text."""

    @property
    def width(self) -> int:
        """Preferred width in cells; wider content is truncated with "…"."""

    @property
    def priority(self) -> int:
        """0 = always shown; higher numbers are dropped first when the terminal is narrow."""

    @property
    def numeric(self) -> bool:
        """Right-justify and sort numerically."""


@dataclass(frozen=True, slots=True)
class Column:
    """A plain column spec satisfying :class:`ColumnLike`."""

    key: str
    title: str
    width: int = 12
    priority: int = 0
    numeric: bool = False


Cell = str | Text
"""A sanitised cell: plain `str`, or a `Text` when the caller supplied styling."""

_MISSING = object()
_TICKING = -1
"""A cell position in `_Shape.cells`: the column shows a ticking text, not the row's value."""
_ABSENT = -2
"""A cell position in `_Shape.cells`: the rows of that shape have no such key."""


class RowData(Mapping[str, object]):
    """A row's values, read-only, in a tuple aligned to keys every row of the same shape
    shares: at 50,000 servers a dict of 13 keys per row cost 464 bytes, this 190."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: tuple[object, ...]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: str) -> object:
        return self._values[self._index[key]]

    def get(self, key: str, default: object = None) -> object:
        """The value of ``key``, ``default`` when absent (faster than Mapping's)."""
        index = self._index.get(key)
        return default if index is None else self._values[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowData) and other._index is self._index:
            return self._values == other._values
        if not isinstance(other, Mapping) or len(other) != len(self._values):
            return False if isinstance(other, Mapping) else NotImplemented
        values = self._values
        return all(other.get(key, _MISSING) == values[i] for key, i in self._index.items())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RowData({dict(self)!r})"


_NO_DATA = RowData({}, ())
UNCHANGED: frozenset[str] = frozenset()
"""Every row without highlighted cells shares this one: CPython 3.11 makes a new 216-byte empty
frozenset per call (11 MB at 50,000 rows)."""


@dataclass(slots=True, eq=False)
class Row:
    """One resource as the table holds it."""

    id: str
    data: RowData
    haystack: str
    """The cells' plain texts joined by newlines (a cell never holds one): what filters search
    (literals casefold it as they go: a second, folded copy cost 9 MB at 50,000 servers for
    3 ms a filter) and, with `styled`, the cells themselves."""
    seq: int
    styled: tuple[tuple[int, Text], ...] = ()
    """(column index, cell) of the styled cells; shared by the rows styled alike (a status)."""
    key: SortKey = (0, 0, 0, 0, "")
    version: int = 0
    visible: bool = True
    due: float = math.inf
    """When a ticking cell of this row next reads differently (see `RowStore.set_ticking`)."""
    changed: frozenset[str] = UNCHANGED

    @property
    def cells(self) -> tuple[Cell, ...]:
        """The sanitised cells, one per column (built on demand: only rows on screen need
        them; a tuple of them per row cost 6 MB at 50,000 rows)."""
        cells: list[Cell] = list(self.haystack.split("\n"))
        for index, cell in self.styled:
            cells[index] = cell
        return tuple(cells)


@dataclass(slots=True)
class DiffResult:
    """What `RowStore.apply` did, for the widget to react to."""

    removed: list[str] = field(default_factory=list)
    highlighted: list[str] = field(default_factory=list)
    upserted: int = 0
    """Rows added or actually changed (equal rows are skipped)."""


def to_cell(value: object) -> Cell:
    """Turn a row value into a sanitised cell."""
    if isinstance(value, str):
        return sanitize_text(value, max_len=CELL_MAX_CHARS)
    if value is None:
        return ""
    if isinstance(value, Text):
        return safe_text(value, max_len=CELL_MAX_CHARS)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return sanitize_text(str(value), max_len=CELL_MAX_CHARS)


def compile_filter(text: str) -> Callable[[Row], bool] | None:
    """Compile the filter bar's text into a row predicate (`None` = no filter).

    Rules, in order: a leading "!" inverts the result. "re:" then forces a regex (an invalid
    one falls back to a literal). Otherwise, text containing regex metacharacters that
    compiles is used as a regex *and* as a literal (a row matching either passes, so
    "[bold]" or "web.1" also find themselves literally); any other text is a literal.
    Literals match case-insensitively as substrings. Regexes are case-insensitive and see
    the cells joined by newlines with MULTILINE on, so "^" and "$" anchor at cell
    boundaries and "." never spans two cells.
    """
    invert = text.startswith("!")
    if invert:
        text = text[1:]
    forced = text.startswith("re:")
    if forced:
        text = text[3:]
    if not text:
        return None
    pattern: re.Pattern[str] | None = None
    if forced or _REGEX_METACHARS.search(text):
        try:
            pattern = re.compile(text, re.IGNORECASE | re.MULTILINE)
        except re.error:
            forced = False
    needle = text.casefold()
    match: Callable[[Row], bool]
    if pattern is None:
        def match(row: Row) -> bool:
            return needle in row.haystack.casefold()
    elif forced:
        search = pattern.search

        def match(row: Row) -> bool:
            return search(row.haystack) is not None
    else:
        search = pattern.search

        def match(row: Row) -> bool:
            haystack = row.haystack
            return needle in haystack.casefold() or search(haystack) is not None
    if invert:
        return lambda row: not match(row)
    return match


def _literal(text: str) -> tuple[str, bool] | None:
    """(casefolded needle, inverted) when `compile_filter` makes ``text`` a plain
    case-insensitive substring test, else None."""
    invert = text.startswith("!")
    body = text[1:] if invert else text
    if not body or body.startswith("re:") or _REGEX_METACHARS.search(body):
        return None
    return body.casefold(), invert


def _key_of(row: Row) -> SortKey:
    return row.key


def _patched(keys: list[SortKey], drop: list[SortKey], add: list[SortKey]) -> list[SortKey]:
    """``keys`` (ascending) without ``drop`` and with ``add``, still ascending."""
    work = len(drop) + len(add)
    if work == 0:
        return keys
    if not drop and (not keys or min(add) > keys[-1]):
        # Rows after every other (a first load's later pages, in arrival order): no pass
        # over the rows held (a sort's run check: ~18 ms per list over 50,000 servers).
        add.sort()
        keys.extend(add)
        return keys
    # One O(n) pass beats k bisect+memmove steps once k is a real share of n.
    if work > 64 and work * 32 > len(keys):
        if drop:
            dropped = set(drop)
            keys = [key for key in keys if key not in dropped]
        keys.extend(add)
        keys.sort()
        return keys
    for key in drop:
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            del keys[i]
    for key in add:
        insort(keys, key)
    return keys


def _sort_value(value: object, numeric: bool) -> tuple[int, object] | None:
    """(kind, value): numbers (kind 0) before strings (kind 1); None means "no value"."""
    if value is None:
        return None
    if isinstance(value, Text):
        value = value.plain
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        return (0, value)
    text = str(value)
    if numeric:
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if not math.isnan(number):
                return (0, number)
    if not text:
        return None
    return (1, text.casefold())


@dataclass(slots=True, eq=False)
class _Shape:
    """What the rows with one tuple of keys share: their index, and where `RowStore._pack` and
    `RowStore._fill` find what they read, so a row costs no lookup by key."""

    index: Mapping[str, int]
    id_at: int | None
    shared: tuple[tuple[int, str, dict[str, str]], ...]
    """(position, key, memo) of the keys whose equal strings rows share."""
    cells: tuple[int, ...]
    """Each column's position in the values, or `_TICKING` or `_ABSENT`."""
    plans: int
    """`RowStore._plans` when made: an older shape is made again."""


class RowStore:
    """Rows keyed by id, plus the filtered view in sort order."""

    def __init__(self) -> None:
        self.columns: tuple[ColumnLike, ...] = ()
        self.rows: dict[str, Row] = {}
        self.view: list[SortKey] = []
        """Keys of rows passing the filter, ascending; displayed reversed when `reverse`."""
        self.order: list[SortKey] = []
        """Keys of every row, ascending: a new filter walks it instead of sorting."""
        self.sort_column: str | None = None
        self.reverse = False
        self.filter_text = ""
        self._matcher: Callable[[Row], bool] | None = None
        self._text_cells: dict[tuple[str, object], Cell] = {}
        self._seq = 0
        self._newest_seq = 0  # counts down: in arrival order a row new after the load goes on top
        self._column_keys: tuple[str, ...] = ()
        self._sort_numeric = False
        self._sort_field: str | None = None  # the row key sorted by (a column's sort_key)
        self._sort_inverted = False  # a "-key" sort_key: its numbers sort the other way
        self._tickers: dict[str, TickCompute] = {}
        self._styled_memo: dict[tuple[tuple[int, int], ...], tuple[tuple[int, Text], ...]] = {}
        self._shapes: dict[tuple[str, ...], _Shape] = {}
        self._shape_of: dict[int, _Shape] = {}  # by id(index): the shape a RowData came from
        self._shared_values: dict[str, dict[str, str] | None] = {}  # None: too many values
        self._plans = 0  # bumped when what `_Shape` plans from changes: they are made again
        self._search: tuple[list[Row], list[str]] | None = None  # see _search_texts
        self._ticking: tuple[tuple[int, TickCompute], ...] = ()  # (cell index, compute) shown
        self._due: list[tuple[float, int, str]] = []  # heap of (due, seq, row id); may be stale
        self.clock: Callable[[], float] = time.time
        self.loaded = False
        """True once a diff has brought rows: later new rows are highlighted."""

    # -- building rows ---------------------------------------------------------------------

    def _key(self, row: Row) -> SortKey:
        field = self._sort_field
        if field is None:
            return (0, 0, 0, row.seq, row.id)
        sort_value = _sort_value(row.data.get(field), self._sort_numeric)
        if sort_value is not None and self._sort_inverted and sort_value[0] == 0:
            sort_value = (0, -sort_value[1])  # type: ignore[operator]
        # None always sorts last; the view is displayed reversed for a descending sort,
        # so the "missing" group flips sides to stay at the bottom.
        if sort_value is None:
            return (0 if self.reverse else 1, 0, 0, row.seq, row.id)
        return (1 if self.reverse else 0, sort_value[0], sort_value[1], row.seq, row.id)

    def _pack(self, row_id: str, data: Mapping[str, object]) -> RowData:
        """``data`` as a `RowData` (keys shared with the rows of the same shape)."""
        if isinstance(data, RowData):
            return data
        keys = tuple(data)
        shape = self._shapes.get(keys)
        if shape is None or shape.plans != self._plans:
            shape = self._shape(keys, None if shape is None else shape.index)
        values = list(data.values())
        at = shape.id_at
        if at is not None and values[at] == row_id:
            values[at] = row_id  # one string for the id, not two equal ones
        # Values parsed from JSON are new strings in every row, even where thousands of rows
        # say the same ("nova", "ACTIVE", "3d"): keep one of each, for the keys that have few.
        for at, key, memo in shape.shared:
            value = values[at]
            if type(value) is not str:
                continue
            shared = memo.get(value)
            if shared is not None:
                values[at] = shared
            elif len(memo) < SHARED_VALUES_PER_KEY:
                memo[value] = value
            elif self._shared_values.get(key) is memo:
                self._shared_values[key] = None  # a key of many values (names): no gain
                self._plans += 1
        return RowData(shape.index, tuple(values))

    def _shape(self, keys: tuple[str, ...], index: Mapping[str, int] | None) -> _Shape:
        """The shape of rows with ``keys`` (and ``index``, when they have one), planned for
        the memos and columns of now."""
        if len(self._shapes) > 64 or len(self._shape_of) > 128:
            self._shapes.clear()  # rows of ever new shapes: do not keep them all
            self._shape_of.clear()
        if index is None:
            index = {key: i for i, key in enumerate(keys)}
        memos = self._shared_values
        shared = []
        for at, key in enumerate(keys):
            if key not in memos:
                memos[key] = {}
            memo = memos[key]
            if memo is not None:
                shared.append((at, key, memo))
        ticking = {column for column, _ in self._ticking}
        cells = tuple(_TICKING if column in ticking else index.get(key, _ABSENT)
                      for column, key in enumerate(self._column_keys))
        shape = self._shapes[keys] = self._shape_of[id(index)] = _Shape(
            index, index.get("id"), tuple(shared), cells, self._plans)
        return shape

    def _fill(self, row: Row, data: RowData) -> None:
        keys_at = data._index
        shape = self._shape_of.get(id(keys_at))
        if shape is None or shape.index is not keys_at or shape.plans != self._plans:
            shape = self._shape(tuple(keys_at), keys_at)
        plains: list[str] = []
        styled: list[tuple[int, Text]] = []
        values = data._values
        for at in shape.cells:
            if at == _TICKING:
                plains.append("")  # its text comes below
                continue
            value = None if at == _ABSENT else values[at]
            # Inline fast path for the common case: a clean, short str.
            if type(value) is str and value.isprintable() and len(value) <= CELL_MAX_CHARS:
                plains.append(value)
                continue
            if type(value) is Text and not value.spans:
                # A styled status: one shared cell per text and style (cells are never
                # changed in place; rendering copies them), not one Text per row.
                memo = (value.plain, value.style)
                cell = self._text_cells.get(memo)
                if cell is None:
                    if len(self._text_cells) > 4096:
                        self._text_cells.clear()
                    cell = self._text_cells[memo] = to_cell(value)
            else:
                cell = to_cell(value)
            if isinstance(cell, str):
                plains.append(cell)
            else:
                styled.append((len(plains), cell))
                plains.append(cell.plain)
        if self._ticking:
            due = math.inf
            now = self.clock()
            for index, compute in self._ticking:
                text, changes_at = compute(data, now)
                plains[index] = text
                due = min(due, changes_at)
            self._schedule(row, due, now)
        row.data = data
        row.styled = self._shared_styled(styled) if styled else ()
        row.haystack = "\n".join(plains)
        row.key = self._key(row)
        row.visible = self._matcher is None or self._matcher(row)

    # -- queries ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.view)

    def id_at(self, index: int) -> str:
        """Row id at a display index (0 = top)."""
        view = self.view
        return view[len(view) - 1 - index if self.reverse else index][4]

    def index_of(self, row_id: str | None) -> int | None:
        """Display index of a row id, or None when absent or filtered out."""
        row = self.rows.get(row_id) if row_id is not None else None
        if row is None or not row.visible:
            return None
        view = self.view
        i = bisect_left(view, row.key)
        if i >= len(view) or view[i] != row.key:
            return None
        return len(view) - 1 - i if self.reverse else i

    def nearest_index(self, key: SortKey) -> int:
        """Display index of the row nearest to where `key` would sit (view must be non-empty)."""
        n = len(self.view)
        try:
            pos = bisect_left(self.view, key)
        except TypeError:
            return 0
        index = n - pos if self.reverse else pos
        return max(0, min(n - 1, index))

    def ids(self) -> list[str]:
        """All visible ids in display order (O(n))."""
        ids = [key[4] for key in self.view]
        if self.reverse:
            ids.reverse()
        return ids

    # -- mutations -------------------------------------------------------------------------

    def set_columns(self, columns: Sequence[ColumnLike]) -> None:
        """Replace the column specs and rebuild every row's cells."""
        self.columns = tuple(columns)
        self._column_keys = tuple(c.key for c in self.columns)
        if self.sort_column not in self._column_keys:
            self.sort_column, self.reverse = None, False
        self._sort_numeric = self._is_numeric(self.sort_column)
        self._rebuild(refill=True)

    def set_ticking(self, column: str, compute: TickCompute | None) -> None:
        """Show ``compute``'s text in ``column`` (None: the row's own value again) and keep it
        current with `retick`; O(n) once, then each row costs work only when its text changes."""
        if self._tickers.get(column) is compute:
            return
        if compute is None:
            self._tickers.pop(column, None)
        else:
            self._tickers[column] = compute
        self._rebuild(refill=True)

    def _styled(self, cells: Sequence[Cell]) -> tuple[tuple[int, Text], ...]:
        """The styled cells as `Row.styled`: one tuple for every row styled alike."""
        styled = [(index, cell) for index, cell in enumerate(cells) if isinstance(cell, Text)]
        return self._shared_styled(styled) if styled else ()

    def _shared_styled(self, styled: list[tuple[int, Text]]) -> tuple[tuple[int, Text], ...]:
        # By identity: a status's cell is one shared Text (see _fill), and the tuple kept
        # here holds it, so its id is not reused while the entry lives.
        memo = tuple((index, id(cell)) for index, cell in styled)
        shared = self._styled_memo.get(memo)
        if shared is None:
            if len(self._styled_memo) > 4096:
                self._styled_memo.clear()
            shared = self._styled_memo[memo] = tuple(styled)
        return shared

    def _schedule(self, row: Row, due: float, now: float) -> None:
        if due <= now:  # a compute must name a later time; never spin on one row
            due = math.nextafter(now, math.inf)
        row.due = due
        if due != math.inf:
            heappush(self._due, (due, row.seq, row.id))

    def set_sort(self, column: str | None, reverse: bool) -> None:
        """Sort by `column` (None = arrival order), descending when `reverse`."""
        self.sort_column, self.reverse = column, reverse
        self._sort_numeric = self._is_numeric(column)
        for row in self.rows.values():
            row.key = self._key(row)
        self._rebuild()

    def set_filter(self, text: str) -> None:
        """Apply filter text (see :func:`compile_filter`): O(n) matches, never a sort (the
        kept order is walked). A literal, the common case, searches folded texts kept from
        the last filter until a row changes (`forget_search` drops them)."""
        self.filter_text = text
        self._matcher = matcher = compile_filter(text)
        rows = self.rows
        if matcher is None:
            for row in rows.values():
                row.visible = True
            self.view = self.order.copy()
            return
        view: list[SortKey] = []
        keep = view.append
        literal = _literal(text)
        if literal is not None:
            needle, invert = literal
            in_order, folded = self._search_texts()
            for key, row, haystack in zip(self.order, in_order, folded, strict=True):
                if (needle in haystack) is not invert:
                    row.visible = True
                    keep(key)
                else:
                    row.visible = False
        else:
            for key in self.order:
                row = rows[key[4]]
                if matcher(row):
                    row.visible = True
                    keep(key)
                else:
                    row.visible = False
        self.view = view

    def _search_texts(self) -> tuple[list[Row], list[str]]:
        """The rows in `order` and their casefolded texts (built again after any change)."""
        if self._search is None:
            rows = self.rows
            in_order = [rows[key[4]] for key in self.order]
            self._search = (in_order, [row.haystack.casefold() for row in in_order])
        return self._search

    def prepare_search(self) -> None:
        """Fold the texts a literal filter searches now (the filter bar opened), not on the
        first key typed."""
        self._search_texts()

    def forget_search(self) -> None:
        """Drop the folded texts kept for filtering (9 MB at 50,000 rows) until the next one."""
        self._search = None

    def _is_numeric(self, column: str | None) -> bool:
        # A column may name a hidden row key to sort by ("Age" shows "3d" but sorts by the
        # creation timestamp); such keys hold numbers. "-created_ts" sorts them the other way:
        # ascending age is the newest first.
        self._sort_field = column
        self._sort_inverted = False
        for c in self.columns:
            if c.key == column:
                hidden = getattr(c, "sort_key", None)
                if hidden:
                    self._sort_inverted = hidden.startswith("-")
                    self._sort_field = hidden.removeprefix("-")
                    return True
                return c.numeric
        return False

    def _rebuild(self, refill: bool = False) -> None:
        self._search = None
        if refill:
            keys = self._column_keys
            self._ticking = tuple((keys.index(column), compute)
                                  for column, compute in self._tickers.items() if column in keys)
            self._plans += 1  # the shapes' cells follow the columns and the ticking ones
            self._due = []
            for row in self.rows.values():
                self._fill(row, row.data)
                row.version += 1
        ordered = sorted(self.rows.values(), key=_key_of)
        self.order = [row.key for row in ordered]
        self.view = [row.key for row in ordered if row.visible]

    def apply(
        self,
        upserts: Mapping[str, Mapping[str, object]],
        removals: Iterable[str] = (),
        *,
        replace_all: bool = False,
        highlight: bool = True,
        at_end: bool = False,
    ) -> DiffResult:
        """Apply a diff; see `ResourceTable.apply_diff`."""
        result = DiffResult()
        rows = self.rows
        highlight = highlight and self.loaded
        drop: list[SortKey] = []
        add: list[SortKey] = []
        order_drop: list[SortKey] = []  # the same for `order`, visible or not
        order_add: list[SortKey] = []
        gone = set(removals)
        if replace_all:
            gone.update(row_id for row_id in rows if row_id not in upserts)
        for row_id in gone:
            row = rows.pop(row_id, None)
            if row is not None:
                result.removed.append(row_id)
                order_drop.append(row.key)
                if row.visible:
                    drop.append(row.key)
        column_keys = self._column_keys
        # The APIs list newest first, so resources that appear after the first load (just
        # created) go above every row, in the order they came, not below a year-old one.
        top: int | None = None
        if self.loaded and not at_end:
            top = self._newest_seq - sum(1 for row_id in upserts if row_id not in rows) - 1
            self._newest_seq = top + 1
        for row_id, new_data in upserts.items():
            row = rows.get(row_id)
            if row is None:
                if top is not None:
                    top += 1
                    seq = top
                else:
                    self._seq += 1
                    seq = self._seq
                row = Row(row_id, _NO_DATA, "", seq)
                self._fill(row, self._pack(row_id, new_data))
                rows[row_id] = row
                result.upserted += 1
                order_add.append(row.key)
                if row.visible:
                    add.append(row.key)
                if highlight:
                    row.changed = frozenset(column_keys)
                    result.highlighted.append(row_id)
                continue
            old_data = row.data
            packed = self._pack(row_id, new_data)
            if packed == old_data:
                continue
            old_key, old_visible = row.key, row.visible
            result.upserted += 1
            self._fill(row, packed)
            row.version += 1
            if highlight:
                changed = frozenset(
                    k for k in column_keys if new_data.get(k) != old_data.get(k)
                )
                if changed:
                    row.changed = changed | row.changed
                    result.highlighted.append(row_id)
            if old_key != row.key:
                order_drop.append(old_key)
                order_add.append(row.key)
            if old_key != row.key or old_visible != row.visible:
                if old_visible:
                    drop.append(old_key)
                if row.visible:
                    add.append(row.key)
        if result.upserted or result.removed:
            self._search = None  # texts or order changed
        self.view = _patched(self.view, drop, add)
        self.order = _patched(self.order, order_drop, order_add)
        if rows:
            self.loaded = True
        return result


    def retick(self, now: float | None = None, limit: int = TICK_BATCH
               ) -> tuple[list[str], bool, bool]:
        """Recompute the ticking cells (see `set_ticking`) of the rows whose text is due to
        change by ``now``, at most ``limit`` of them: (the visible rows whose cell changed,
        whether the filter now shows other rows, whether more rows are due)."""
        now = self.clock() if now is None else now
        changed: list[str] = []
        drop: list[SortKey] = []
        add: list[SortKey] = []
        heap, rows, ticking = self._due, self.rows, self._ticking
        done = 0
        while heap and heap[0][0] <= now and done < limit:
            due, _, row_id = heappop(heap)
            row = rows.get(row_id)
            if row is None or row.due != due:
                continue  # removed, or filled again since (a newer entry is queued)
            done += 1
            cells = list(row.cells)
            next_due = math.inf
            for index, compute in ticking:
                text, changes_at = compute(row.data, now)
                cells[index] = text
                next_due = min(next_due, changes_at)
            self._schedule(row, next_due, now)
            haystack = "\n".join(c if isinstance(c, str) else c.plain for c in cells)
            styled = self._styled(cells)
            if haystack == row.haystack and styled == row.styled:
                continue
            row.haystack, row.styled = haystack, styled
            if self._search is not None:  # its place in `order` is the same: fold it there
                at = bisect_left(self.order, row.key)
                self._search[1][at] = haystack.casefold()
            row.version += 1
            was_visible = row.visible
            row.visible = self._matcher is None or self._matcher(row)
            if was_visible != row.visible:
                (add if row.visible else drop).append(row.key)
            elif row.visible:
                changed.append(row.id)
        if len(heap) > 2 * len(rows) + 1024:  # rows filled again leave stale entries behind
            self._due = [(row.due, row.seq, row.id) for row in rows.values()
                         if row.due != math.inf]
            heapify(self._due)
        self.view = _patched(self.view, drop, add)  # `order` holds keys: they did not change
        more = bool(self._due) and self._due[0][0] <= now
        return changed, bool(drop or add), more

    def clear_highlight(self, row_id: str) -> bool:
        """Drop a row's changed-cell highlight; True if the row exists and is visible."""
        row = self.rows.get(row_id)
        if row is None:
            return False
        row.changed = UNCHANGED
        return row.visible
