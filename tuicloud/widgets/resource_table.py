"""A resource table that stays fast at tens of thousands of rows.

`ResourceTable` is a Line-API `ScrollView` over a :class:`~tuicloud.widgets.row_store.RowStore`:
a poll that changes k rows costs O(k log n) on the UI thread and painting costs O(visible rows),
each row's `Strip` being cached by (row id, version, width, state). Line 0 of the viewport is the
column header; data rows start at line 1 and scroll beneath it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import FIFOCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from tuicloud.widgets.row_store import (
    Cell,
    Column,
    ColumnLike,
    Row,
    RowStore,
    SortKey,
    TickCompute,
)
from tuicloud.widgets.sanitize import sanitize_text
from tuicloud.widgets.table_layout import (
    GUTTER,
    SEPARATOR,
    column_pages,
    fit_str,
    fit_text,
    layout_columns,
)
from tuicloud.widgets.textual_compat import scrollbar_updater

__all__ = ["Column", "ColumnLike", "ResourceTable", "layout_columns"]

HIGHLIGHT_SECONDS = 2.0
SEARCH_KEEP_SECONDS = 30.0
"""The folded texts a filter searches are dropped this long (up to twice) after the last filter
change: kept while someone types, not for the life of a 50,000-row list."""
RETICK_AGAIN_SECONDS = 0.05
"""When more rows were due than one retick takes, the rest follow after this pause (keys
pressed meanwhile are handled in between)."""
MARK_GLYPH = "✓"


class ResourceTable(ScrollView, can_focus=True):
    """A keyed, sortable, filterable table of cloud resources (see module docstring)."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--marked",
        "resource-table--changed",
        # Status colours, looked up by the list screen; defined in tuicloud.tcss.
        "resource-table--status-ok",
        "resource-table--status-busy",
        "resource-table--status-warn",
        "resource-table--status-error",
        "resource-table--status-muted",
    }

    DEFAULT_CSS = """
    ResourceTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        &.-scrollbar-held { overflow-y: scroll; }
        & > .resource-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .resource-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .resource-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .resource-table--marked {
            background: $secondary 30%;
            text-style: bold;
        }
        & > .resource-table--changed {
            background: $warning 35%;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="resource_table.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="resource_table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="resource_table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False,
                id="resource_table.page_down"),
        Binding("home,g", "first", "First", show=False, id="resource_table.first"),
        Binding("end,G", "last", "Last", show=False, id="resource_table.last"),
        Binding("space", "toggle_mark", "Mark", id="resource_table.toggle_mark",
                tooltip="Mark or unmark the row under the cursor and move down"),
        Binding("v", "mark_range", "Mark range", show=False, id="resource_table.mark_range",
                tooltip="Mark every row from the last one marked to the cursor"),
        Binding("w", "next_columns", "More columns", show=False,
                id="resource_table.next_columns",
                tooltip="Show the columns that do not fit the terminal (again: the next ones)"),
        Binding("enter", "activate", "Open", id="resource_table.activate",
                tooltip="Open the row under the cursor"),
    ]

    class _TableMessage(Message):
        def __init__(self, table: ResourceTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> ResourceTable:
            """The table that sent the message."""
            return self.table

    class CursorMoved(_TableMessage):
        """The cursor moved to another row (`row_id` None when the table became empty)."""

        def __init__(self, table: ResourceTable, row_id: str | None) -> None:
            super().__init__(table)
            self.row_id = row_id

    class RowActivated(_TableMessage):
        """The user pressed enter (or double-clicked) on a row."""

        def __init__(self, table: ResourceTable, row_id: str) -> None:
            super().__init__(table)
            self.row_id = row_id

    class MarksChanged(_TableMessage):
        """The set of marked rows changed; read `table.marked`."""

    def __init__(
        self,
        columns: Sequence[ColumnLike] = (),
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create a table, optionally with its columns."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._store = RowStore()
        self._cursor_id: str | None = None
        self.marked: set[str] = set()
        """Ids of marked rows. After mutating it directly, call `refresh()`."""
        self._mark_anchor: str | None = None  # the row `v` marks from
        # A FIFO, not Textual's LRUCache: that one's links form a ring, and a cleared or dropped
        # cache leaves its lines as a reference cycle for the garbage collector to walk.
        self._line_cache: FIFOCache[tuple[object, ...], Strip] = FIFOCache(1024)
        self._header_cache: tuple[tuple[object, ...], Strip] | None = None
        self._columns_layout_cache: tuple[int, list[tuple[int, int]]] | None = None
        self._column_page = 0  # `w` shows the columns a narrow terminal has no room for
        self._highlight_until: dict[str, float] = {}
        self._highlight_timer: Timer | None = None
        self._retick_timer: Timer | None = None
        self._search_timer: Timer | None = None
        self._columns_generation = 0
        if columns:
            self.set_columns(columns)

    # -- public API ------------------------------------------------------------------------

    @property
    def columns(self) -> tuple[ColumnLike, ...]:
        """The column specs, as given to `set_columns`."""
        return self._store.columns

    @property
    def row_count(self) -> int:
        """Number of rows held, filtered or not."""
        return len(self._store.rows)

    @property
    def visible_count(self) -> int:
        """Number of rows passing the filter."""
        return len(self._store.view)

    @property
    def sort_column(self) -> str | None:
        """Key of the sort column (None = arrival order)."""
        return self._store.sort_column

    @property
    def sort_reverse(self) -> bool:
        """True when sorted descending."""
        return self._store.reverse

    @property
    def filter_text(self) -> str:
        """The current filter text."""
        return self._store.filter_text

    @property
    def cursor_id(self) -> str | None:
        """Id of the row under the cursor (None when no row is visible)."""
        return self._cursor_id

    @cursor_id.setter
    def cursor_id(self, row_id: str | None) -> None:
        index = self._store.index_of(row_id)
        if index is not None:
            self._move_to(index)

    @property
    def cursor_index(self) -> int | None:
        """Display index (0 = first data row) of the cursor row."""
        return self._store.index_of(self._cursor_id)

    def get_row(self, row_id: str) -> Mapping[str, object] | None:
        """The row mapping last given for `row_id`, or None."""
        row = self._store.rows.get(row_id)
        return row.data if row is not None else None

    def cell_text(self, row_id: str, column_key: str) -> str | None:
        """What a row shows in a column (before fitting to its width), or None."""
        row = self._store.rows.get(row_id)
        keys = [column.key for column in self._store.columns]
        if row is None or column_key not in keys:
            return None
        cell = row.cells[keys.index(column_key)]
        return cell if isinstance(cell, str) else cell.plain

    def visible_ids(self) -> list[str]:
        """Ids of the rows passing the filter, in display order (O(n))."""
        return self._store.ids()

    def set_columns(self, columns: Sequence[ColumnLike]) -> None:
        """Set the columns (rebuilds every row's cells: O(n))."""
        state = self._capture_cursor()
        self._store.set_columns(columns)
        self._columns_generation += 1
        self._columns_layout_cache = None
        self._after_change(state)

    def apply_diff(
        self,
        upserts: Mapping[str, Mapping[str, object]],
        removals: Iterable[str] = (),
        *,
        replace_all: bool = False,
        highlight: bool = True,
        at_end: bool = False,
    ) -> None:
        """Insert/update rows (id -> full row) and remove rows by id.

        Args:
            upserts: Full rows keyed by resource id; a row equal to the one held is ignored.
            removals: Ids to remove (unknown ids are ignored).
            replace_all: `upserts` is the whole set: every other id is removed.
            highlight: Flash changed cells and new rows. Never done on the first load.
            at_end: New rows go below the others in arrival order (the rest of a list, read
                after its first page), not on top as rows created since the load do.
        """
        state = self._capture_cursor()
        window = self._window_state()
        result = self._store.apply(
            upserts, removals, replace_all=replace_all, highlight=highlight, at_end=at_end
        )
        if not result.upserted and not result.removed:
            return  # a quiet poll costs no repaint
        now = time.monotonic()
        for row_id in result.removed:
            self._highlight_until.pop(row_id, None)
        for row_id in result.highlighted:
            self._highlight_until[row_id] = now + HIGHLIGHT_SECONDS
        if result.highlighted:
            self._schedule_highlight_expiry()
        lost_marks = self.marked.intersection(result.removed)
        if lost_marks:
            self.marked.difference_update(lost_marks)
            self.post_message(self.MarksChanged(self))
        self._after_change(state, window)

    def sort_by(self, column_key: str, *, reverse: bool | None = None) -> None:
        """Sort by a column; the same column again reverses the order."""
        store = self._store
        if reverse is None:
            reverse = not store.reverse if store.sort_column == column_key else False
        state = self._capture_cursor()
        store.set_sort(column_key, reverse)
        self._after_change(state)

    def set_ticking(self, column_key: str, compute: TickCompute | None) -> None:
        """Show ``compute``'s text in a column (an age) and keep it current: call `retick`
        now and then; each call costs work only for the rows whose text changed (O(n) now)."""
        state = self._capture_cursor()
        self._store.set_ticking(column_key, compute)
        self._after_change(state)

    def retick(self) -> None:
        """Update the ticking cells that now read differently (ages tick; nothing else moves)."""
        if self._retick_timer is not None:
            self._retick_timer.stop()
            self._retick_timer = None
        state = self._capture_cursor()
        changed, refiltered, more = self._store.retick()
        if more and self.is_attached:
            self._retick_timer = self.set_timer(RETICK_AGAIN_SECONDS, self.retick)
        if refiltered:
            self._after_change(state)
            return
        if not changed:
            return
        # Only the lines on screen whose age now reads differently (found from the window:
        # thousands of rows may cross a minute at once, a few dozen are shown).
        changed_ids = set(changed)
        store, top = self._store, round(self.scroll_y)
        for index in range(top, min(len(store.view), top + self._data_height)):
            if store.id_at(index) in changed_ids:
                self.refresh_line(index + 1)  # a virtual line: the titles are line 0

    def set_filter(self, text: str) -> None:
        """Filter rows (see `row_store.compile_filter` for the syntax); survives diffs."""
        state = self._capture_cursor()
        self._store.set_filter(text)
        self._after_change(state)
        self._keep_search()

    def prepare_filter(self) -> None:
        """A filter is about to be typed: make its first key as fast as the next ones, and
        keep the scrollbar, if shown, until :meth:`filter_closed`. A key that narrows the
        rows to less than a screenful (the filter an operator types most), or widens them
        again, would take it away or bring it back: two layouts of the screen, ~35 ms more
        at 50,000 rows on a slow machine, and every column shifted."""
        self._store.prepare_search()
        self._keep_search()
        self.set_class(self.show_vertical_scrollbar, "-scrollbar-held")

    def filter_closed(self) -> None:
        """The filter bar is closed: the scrollbar shows only when the rows need it again."""
        self.remove_class("-scrollbar-held")

    def _keep_search(self) -> None:
        if self._search_timer is not None:
            self._search_timer.reset()
        elif self.is_attached:
            self._search_timer = self.set_timer(SEARCH_KEEP_SECONDS, self._forget_search)

    def _forget_search(self) -> None:
        self._search_timer = None
        self._store.forget_search()

    def clear_marks(self) -> None:
        """Unmark every row."""
        if self.marked:
            self.marked.clear()
            self.refresh()
            self.post_message(self.MarksChanged(self))

    # -- cursor bookkeeping ----------------------------------------------------------------

    @property
    def _data_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _capture_cursor(self) -> tuple[str | None, SortKey | None, int | None]:
        """(cursor id, its sort key, its offset from the top of the data area if on screen)."""
        row = self._store.rows.get(self._cursor_id) if self._cursor_id is not None else None
        if row is None:
            return (self._cursor_id, None, None)
        index = self._store.index_of(row.id)
        offset = None
        if index is not None:
            offset = index - round(self.scroll_y)
            if not 0 <= offset < self._data_height:
                offset = None
        return (row.id, row.key, offset)

    def _window_state(self) -> tuple[int, list[tuple[object, ...]]]:
        """(scroll top, what each data line on screen shows): render_line's inputs."""
        store, top = self._store, round(self.scroll_y)
        cursor, marked = self._cursor_id, self.marked
        lines: list[tuple[object, ...]] = []
        for index in range(top, min(len(store.view), top + self._data_height)):
            row = store.rows[store.id_at(index)]
            lines.append((row.id, row.seq, row.version, row.changed, row.id == cursor,
                          row.id in marked))
        return top, lines

    def _refresh_window(self, before: tuple[int, list[tuple[object, ...]]]) -> None:
        """Repaint only the data lines that differ from ``before`` (same scroll position).

        A poll changing a few of 10,000 rows then rewrites a line or two on the terminal
        rather than the whole table (~11 KB at 160x50), which a terminal, more so over SSH,
        has to parse before it can show the next keypress.
        """
        top, old_lines = before
        after_top, new_lines = self._window_state()
        if after_top != top:
            self.refresh()
            return
        scroll_top = self.scroll_offset.y
        for position in range(max(len(old_lines), len(new_lines))):
            old = old_lines[position] if position < len(old_lines) else None
            new = new_lines[position] if position < len(new_lines) else None
            if old != new:
                self.refresh_line(scroll_top + position + 1)  # + 1: the titles' line

    def _after_change(self, state: tuple[str | None, SortKey | None, int | None],
                      window: tuple[int, list[tuple[object, ...]]] | None = None) -> None:
        """Keep the cursor on its row after a change; repaint (only ``window``'s changed
        lines when given and nothing scrolled)."""
        old_id, old_key, offset = state
        store = self._store
        index = store.index_of(old_id)
        if index is None and len(store.view):
            index = store.nearest_index(old_key) if old_key is not None else 0
        new_id = store.id_at(index) if index is not None else None
        self._cursor_id = new_id
        self._set_virtual_size(Size(self._natural_width(), len(store.view) + 1))
        if index is not None:
            if offset is not None:
                self.scroll_to(y=max(0, index - offset), animate=False, force=True)
            elif old_id != new_id:
                self._scroll_cursor_into_view(index)
        if new_id != old_id:
            self.post_message(self.CursorMoved(self, new_id))
        if window is None:
            self.refresh()
        else:
            self._refresh_window(window)

    def _set_virtual_size(self, size: Size) -> None:
        """Set the scrollable size: a new row count only updates the scrollbar, unless the
        scrollbar appears or goes, which changes the layout. Assigning the reactive lays out
        the whole screen, and the table's lines came in a frame after it: a filter over
        50,000 rows reached the terminal in three frames over ~85 ms (on a slow machine),
        its lines ~33 ms after the filter bar's. The caller repaints what changed. While the
        filter bar is open the scrollbar is held (:meth:`prepare_filter`): it neither comes
        nor goes."""
        old = self.virtual_size
        if size == old:
            return
        update_scrollbars = scrollbar_updater(self)
        height = self.container_size.height
        comes_or_goes = (self.styles.overflow_y == "auto"
                         and (size.height > height) != (old.height > height))
        if update_scrollbars is None or size.width != old.width or comes_or_goes:
            self.virtual_size = size
            return
        self.set_reactive(ResourceTable.virtual_size, size)
        update_scrollbars(size)

    def _natural_width(self) -> int:
        columns = self._store.columns
        return GUTTER + sum(c.width for c in columns) + SEPARATOR * max(0, len(columns) - 1)

    def _scroll_cursor_into_view(self, index: int) -> None:
        top = round(self.scroll_y)
        height = self._data_height
        if index < top:
            self.scroll_to(y=index, animate=False, force=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, force=True)

    def _move_to(self, index: int) -> None:
        count = len(self._store.view)
        if not count:
            return
        index = max(0, min(count - 1, index))
        new_id = self._store.id_at(index)
        if new_id != self._cursor_id:
            old_index = self._store.index_of(self._cursor_id)
            self._cursor_id = new_id
            self.post_message(self.CursorMoved(self, new_id))
            # Only the two cursor lines change (a scroll below repaints everything anyway).
            self._refresh_index(old_index)
            self._refresh_index(index)
        self._scroll_cursor_into_view(index)

    def _refresh_index(self, index: int | None) -> None:
        """Repaint the line of one data row if it is on screen."""
        top = round(self.scroll_y)
        if index is not None and top <= index < top + self._data_height:
            self.refresh_line(index + 1)  # a virtual line: the titles are line 0

    def _move_by(self, delta: int) -> None:
        index = self.cursor_index
        self._move_to(0 if index is None else index + delta)

    # -- actions and events ----------------------------------------------------------------

    def action_cursor_up(self) -> None:
        """Move the cursor up one row."""
        self._move_by(-1)

    def action_cursor_down(self) -> None:
        """Move the cursor down one row."""
        self._move_by(1)

    def action_page_up(self) -> None:
        """Move the cursor up one screen."""
        self._move_by(-self._data_height)

    def action_page_down(self) -> None:
        """Move the cursor down one screen."""
        self._move_by(self._data_height)

    def action_first(self) -> None:
        """Move the cursor to the first row."""
        self._move_to(0)

    def action_last(self) -> None:
        """Move the cursor to the last row."""
        self._move_to(len(self._store.view) - 1)

    def action_toggle_mark(self) -> None:
        """Toggle the mark on the cursor row, then move down."""
        row_id = self._cursor_id
        if row_id is None:
            return
        if row_id in self.marked:
            self.marked.discard(row_id)
        else:
            self.marked.add(row_id)
            self._mark_anchor = row_id
        self.post_message(self.MarksChanged(self))
        self.refresh()
        self._move_by(1)

    def action_mark_range(self) -> None:
        """Mark the rows (as shown now) from the last row marked with space to the cursor;
        with no such row still shown, from the top."""
        cursor = self._store.index_of(self._cursor_id)
        if cursor is None:
            return
        anchor = self._store.index_of(self._mark_anchor)
        start = 0 if anchor is None else anchor
        low, high = sorted((start, cursor))
        self.marked.update(self._store.id_at(i) for i in range(low, high + 1))
        self._mark_anchor = self._cursor_id
        self.post_message(self.MarksChanged(self))
        self.refresh()

    def action_next_columns(self) -> None:
        """`w`: the next page of columns (the name stays); back to the first after the last."""
        width = self.scrollable_content_region.width
        pages = column_pages(self._store.columns, width)
        if len(pages) == 1:
            self.notify("Every column fits already", timeout=3)
            return
        self._column_page = (self._column_page + 1) % len(pages)
        self._columns_layout_cache = None
        self._header_cache = None
        self._line_cache.clear()
        self.refresh()
        titles = ", ".join(self._store.columns[i].title for i in pages[self._column_page]
                           if self._store.columns[i].priority > 0)
        self.notify(f"Columns {self._column_page + 1}/{len(pages)}: {titles} (w: next)",
                    timeout=4)

    def action_activate(self) -> None:
        """Post `RowActivated` for the cursor row."""
        if self._cursor_id is not None:
            self.post_message(self.RowActivated(self, self._cursor_id))

    def on_click(self, event: events.Click) -> None:
        """Click a row to move the cursor (double-click opens it); click a title to sort."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.sort_by(column.key)
            return
        index = round(self.scroll_y) + offset.y - 1
        if index < len(self._store.view):
            self._move_to(index)
            if event.chain >= 2:
                self.action_activate()

    def _column_at(self, x: int) -> ColumnLike | None:
        position = GUTTER
        for column_index, width in self._layout(self.scrollable_content_region.width):
            if position <= x < position + width + SEPARATOR:
                return self._store.columns[column_index]
            position += width + SEPARATOR
        return None

    def notify_style_update(self) -> None:
        """Drop rendered lines when CSS (theme, focus, ...) changes."""
        super().notify_style_update()
        self._line_cache.clear()
        self._header_cache = None
        self.refresh()

    def on_mount(self) -> None:
        """Start fading highlights that arrived before the table was mounted."""
        super().on_mount()  # type: ignore[no-untyped-call]
        if self._highlight_until:
            self._schedule_highlight_expiry()

    # -- highlight expiry ------------------------------------------------------------------

    def _schedule_highlight_expiry(self) -> None:
        if self._highlight_timer is not None or not self.is_attached:
            return
        soonest = min(self._highlight_until.values())
        delay = max(0.05, soonest - time.monotonic())
        self._highlight_timer = self.set_timer(delay, self._expire_highlights)

    def _expire_highlights(self) -> None:
        self._highlight_timer = None
        now = time.monotonic() + 0.02
        expired = [rid for rid, until in self._highlight_until.items() if until <= now]
        for row_id in expired:
            del self._highlight_until[row_id]
            if self._store.clear_highlight(row_id):
                self._refresh_index(self._store.index_of(row_id))
        if self._highlight_until:
            self._schedule_highlight_expiry()

    # -- rendering -------------------------------------------------------------------------

    def _layout(self, width: int) -> list[tuple[int, int]]:
        cached = self._columns_layout_cache
        if cached is not None and cached[0] == width:
            return cached[1]
        layout = layout_columns(self._store.columns, width, self._column_page)
        self._columns_layout_cache = (width, layout)
        return layout

    def render_line(self, y: int) -> Strip:
        """Render line `y` of the viewport: 0 is the header, then data rows."""
        width = self.scrollable_content_region.width
        if y == 0:
            return self._render_header(width)
        store = self._store
        index = round(self.scroll_y) + y - 1
        if index >= len(store.view) or width <= 0:
            return Strip.blank(width, self.rich_style)
        row = store.rows[store.id_at(index)]
        is_cursor = row.id == self._cursor_id
        is_marked = row.id in self.marked
        # row.seq tells apart a row removed and re-added under the same id: its version
        # starts again at 0, and a cached line of the old row must not be shown.
        cache_key = (row.id, row.seq, row.version, width, is_cursor, is_marked, row.changed)
        strip = self._line_cache.get(cache_key)
        if strip is None:
            strip = self._render_row(row, width, is_cursor, is_marked)
            self._line_cache[cache_key] = strip
        return strip

    def _row_style(self, is_cursor: bool, is_marked: bool) -> Style:
        style = self.rich_style
        if is_marked:
            style += self.get_component_rich_style("resource-table--marked")
        if is_cursor:
            style += self.get_component_rich_style("resource-table--cursor")
        return style

    def _changed_style(self) -> Style:
        # Only the background (blended, hence the full style) and text attributes: the
        # cell's own colour (e.g. a red ERROR) must survive the flash.
        full = self.get_component_rich_style("resource-table--changed")
        partial = self.get_component_rich_style("resource-table--changed", partial=True)
        return partial.without_color + Style.from_color(bgcolor=full.bgcolor)

    def _render_row(self, row: Row, width: int, is_cursor: bool, is_marked: bool) -> Strip:
        base = self._row_style(is_cursor, is_marked)
        changed_style = self._changed_style() if row.changed else None
        columns = self._store.columns
        cells = row.cells
        line = Text(MARK_GLYPH if is_marked else " ", style=base, no_wrap=True, end="")
        line.append(" " * (GUTTER - 1))
        for position, (column_index, cell_width) in enumerate(self._layout(width)):
            if position:
                line.append(" " * SEPARATOR)
            column = columns[column_index]
            cell: Cell = cells[column_index]
            style = changed_style if column.key in row.changed else None
            if isinstance(cell, str):
                line.append(fit_str(cell, cell_width, column.numeric), style)
            else:
                start = len(line)
                line.append_text(fit_text(cell, cell_width, column.numeric))
                if style is not None:
                    line.stylize(style, start, len(line))
        return self._to_strip(line, width, base)

    def _to_strip(self, text: Text, width: int, base: Style) -> Strip:
        # Text.render leaves the base style off when there are no spans: apply it here.
        segments = Segment.apply_style(text.render(self.app.console), base)
        return Strip(segments).adjust_cell_length(width, base)

    def _render_header(self, width: int) -> Strip:
        store = self._store
        key = (width, self._columns_generation, store.sort_column, store.reverse)
        if self._header_cache is not None and self._header_cache[0] == key:
            return self._header_cache[1]
        style = self.get_component_rich_style("resource-table--header")
        parts = [" " * GUTTER]
        for position, (column_index, cell_width) in enumerate(self._layout(width)):
            if position:
                parts.append(" " * SEPARATOR)
            column = store.columns[column_index]
            title = sanitize_text(column.title)
            if column.key == store.sort_column and cell_width > 2:
                indicator = " ▼" if store.reverse else " ▲"
                title = fit_str(title, cell_width - 2, False).rstrip() + indicator
            parts.append(fit_str(title, cell_width, column.numeric))
        text = Text("".join(parts), style=style, no_wrap=True, end="")
        strip = self._to_strip(text, width, style)
        self._header_cache = (key, strip)
        return strip
