"""A log viewer that follows a growing log: Line API, bounded memory, safe for hostile text.

:class:`LogView` is a ``ScrollView`` over a bounded store of lines (the oldest are dropped from
the top). Only visible lines are rendered, each line's strips cached in an LRU cache keyed by the
line's absolute number, so appending to a 100,000-line log repaints a screenful, not the log.
Every line passes through :func:`~tuicloud.widgets.sanitize.sanitize_text` when it arrives (no
escape sequence or control character reaches the terminal; markup is never parsed) and is cut to
``MAX_LINE_CELLS`` cells for display. Follow mode keeps the newest line in view until the user
scrolls up; ``f`` or ``End`` resumes it.

:class:`~tuicloud.widgets.log_panel.LogPanel` adds the prompt for search (``/``) and saving
(``ctrl+s``); :mod:`~tuicloud.widgets.log_store` holds the data side.
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Iterable
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import FIFOCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuicloud.widgets.log_store import (
    DEFAULT_MAX_LINES,
    GAP_TEXT,
    MAX_LINE_CELLS,
    RESET_TEXT,
    STAMP_CELLS,
    LineStore,
    clean_line,
    cut_line,
    row_count,
    smart_needle,
    wrap_offsets,
)
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["GAP_TEXT", "MAX_LINE_CELLS", "RESET_TEXT", "LogView", "clean_line"]


class LogView(ScrollView, can_focus=True):
    """A scrollable, searchable, followable view of a bounded log (see module docstring)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--match", "log-view--match-current", "log-view--marker",
        "log-view--timestamp", "log-view--partial",
    }
    DEFAULT_CSS = """
    LogView { height: 1fr; overflow-x: auto; overflow-y: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "follow", "Follow", id="log.follow",
                tooltip="Follow new lines (scrolling up stops following)"),
        Binding("n", "next_match", "Next", id="log.next_match", tooltip="Next search match"),
        Binding("N", "previous_match", "Prev", id="log.previous_match",
                tooltip="Previous search match"),
        Binding("w", "toggle_wrap", "Wrap", id="log.wrap", tooltip="Wrap long lines"),
        Binding("t", "toggle_timestamps", "Times", id="log.timestamps",
                tooltip="Show when each line arrived"),
        Binding("k", "scroll_up", "Up", show=False, id="log.up"),
        Binding("j", "scroll_down", "Down", show=False, id="log.down"),
        Binding("g", "scroll_home", "Top", show=False, id="log.top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="log.bottom"),
    ]

    follow: reactive[bool] = reactive(True)
    """Keep the newest line in view; any upward scroll turns it off."""
    wrap: reactive[bool] = reactive(False)
    """Wrap long lines (off: scroll sideways)."""
    timestamps: reactive[bool] = reactive(False)
    """Prefix each line with the time it arrived."""

    class StateChanged(Message):
        """Follow, wrap, search or the line count changed (read them from ``log_view``)."""

        def __init__(self, log_view: LogView) -> None:
            super().__init__()
            self.log_view = log_view

        @property
        def control(self) -> LogView:
            """The view that changed."""
            return self.log_view

    def __init__(self, *, max_lines: int = DEFAULT_MAX_LINES, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        """Create an empty view keeping at most ``max_lines`` lines."""
        super().__init__(name=name, id=id, classes=classes)
        self.store = LineStore(max_lines)
        self._partial: str | None = None
        self._partial_since: float | None = None  # when the partial line was first seen
        # A FIFO: Textual's LRUCache leaves its lines in a reference cycle when cleared.
        self._cache: FIFOCache[tuple[object, ...], list[Strip]] = FIFOCache(2048)
        self._stamps: dict[int, str] = {}
        self._max_cells = 0
        self._auto_scroll = False
        self._pattern: re.Pattern[str] | None = None
        self.search_term = ""
        self._matches: list[int] = []
        self._current: int | None = None
        self._search_gen = 0
        # wrap mode: _cum[i] = display rows of lines _cum_base .. _cum_base+i-1
        self._cum: list[int] = [0]
        self._cum_base = 0
        self._cum_width = 0
        self._wrapped = False  # what the geometry reflects (`wrap` may be newer)

    # -- public API -----------------------------------------------------------------------
    @property
    def line_count(self) -> int:
        """Lines kept, markers and the incomplete last line (a ``login:`` prompt) included."""
        return len(self.store) + (self._partial is not None)

    @property
    def match_count(self) -> int:
        """Lines matching the search."""
        return len(self._matches)

    @property
    def match_position(self) -> int | None:
        """1-based position of the current match among the matches, or None."""
        if self._current is None:
            return None
        index = bisect.bisect_left(self._matches, self._current)
        return index + 1 if index < len(self._matches) else None

    @property
    def current_match(self) -> int | None:
        """Absolute number of the line holding the current match."""
        return self._current

    def kept_lines(self) -> list[str]:
        """Every kept line (sanitized, uncut), plus the incomplete last line if any."""
        lines = self.store.texts()
        return lines + [self._partial] if self._partial is not None else lines

    def append_lines(self, lines: Iterable[str], *, marker: str | None = None,
                     partial: str | None = None) -> None:
        """Append lines (after a ``marker`` line, if given) and set the incomplete last line.

        ``partial`` replaces the previous partial line (None: there is none). A partial line
        keeps the time it was first seen while it grows, and passes it on to the complete
        line it becomes.
        """
        now = time.time()
        clean = [clean_line(line) for line in lines]
        new_partial = clean_line(partial) if partial is not None else None
        store = self.store
        if marker is not None:
            marker = clean_line(marker)
            if store.end - 1 in store.markers and store.text(store.end - 1) == marker:
                marker = None  # the same marker again with nothing in between: one is enough
        if not clean and marker is None and new_partial == self._partial:
            return  # a quiet poll costs no repaint
        start = store.end
        dropped = 0
        anchor = None if self.follow else self._locate(round(self.scroll_y))
        old_partial, since = self._partial, self._partial_since
        if marker is not None:
            dropped += store.append([marker], now, marker=True)
        elif (old_partial is not None and since is not None and clean
              and clean[0].startswith(old_partial)):
            dropped += store.append(clean[:1], since)  # the prompt ended: it arrived back then
            clean = clean[1:]
        dropped += store.append(clean, now)
        grows = (old_partial is not None and new_partial is not None and marker is None
                 and store.end == start and new_partial.startswith(old_partial))
        self._partial = new_partial
        self._partial_since = None if new_partial is None else since if grows else now
        numbers = range(max(start, store.first), store.end)
        self._note_widths(map(store.text, numbers))
        if new_partial is not None:
            self._note_widths([new_partial])
        if self._pattern is not None:
            needle, fold = smart_needle(self.search_term)
            while self._matches and self._matches[-1] >= start:
                self._matches.pop()  # the old partial line's match: it is re-checked below
            self._matches.extend(n for n in numbers if needle in (
                store.text(n).lower() if fold else store.text(n)))
            if self._partial_matches(needle, fold):
                self._matches.append(store.end)
            if dropped:
                self._prune_matches()
        if self._wrapped:
            self._extend_cum(numbers)
        self._update_virtual_size()
        if self.follow:
            self._scroll_programmatically(self.max_scroll_y)
        elif dropped and anchor is not None:
            # Keep the lines the user is reading in place while older ones fall off the top.
            number, sub = anchor
            row = self._row_of(number) + sub if number >= store.first else 0
            self._scroll_programmatically(row)
        self.refresh()
        self.post_message(self.StateChanged(self))

    def clear(self) -> None:
        """Forget every line."""
        self.store = LineStore(self.store.max_lines)
        self._partial = None
        self._partial_since = None
        self._cache.clear()
        self._max_cells = 0
        self._matches = []
        self._current = None
        self._rebuild_cum()
        self._update_virtual_size()
        self.refresh()
        self.post_message(self.StateChanged(self))

    def search(self, term: str) -> int:
        """Highlight ``term`` (case-insensitive unless it has capitals) and go to the match
        nearest the view; returns the number of matching lines."""
        self.search_term = term
        self._search_gen += 1
        self._cache.clear()
        self._current = None
        if not term:
            self._pattern = None
            self._matches = []
        else:
            flags = 0 if any(c.isupper() for c in term) else re.IGNORECASE
            self._pattern = re.compile(re.escape(term), flags)
            self._matches = self.store.find(term)
            if self._partial_matches(*smart_needle(term)):
                self._matches.append(self.store.end)
            if self._matches:
                top = self._line_at_row(round(self.scroll_y))
                index = bisect.bisect_left(self._matches, top if top is not None else 0)
                if index >= len(self._matches):
                    index = len(self._matches) - 1
                self._go_to_match(self._matches[index])
        self.refresh()
        self.refresh_bindings()
        self.post_message(self.StateChanged(self))
        return len(self._matches)

    def _partial_matches(self, needle: str, fold: bool) -> bool:
        partial = self._partial
        if partial is None or not needle:
            return False
        return needle in (partial.lower() if fold else partial)

    # -- actions -------------------------------------------------------------------------
    def action_follow(self) -> None:
        """`f`: follow new lines again."""
        self.follow = True
        self._scroll_programmatically(self.max_scroll_y)

    def action_scroll_end(self) -> None:
        """`End`/`G`: go to the newest line and follow."""
        self.action_follow()

    def action_next_match(self) -> None:
        """`n`: the next line matching the search (wraps around)."""
        self._step_match(1)

    def action_previous_match(self) -> None:
        """`N`: the previous matching line (wraps around)."""
        self._step_match(-1)

    def action_toggle_wrap(self) -> None:
        """`w`: wrap long lines, or scroll sideways."""
        self.wrap = not self.wrap

    def action_toggle_timestamps(self) -> None:
        """`t`: show or hide arrival times."""
        self.timestamps = not self.timestamps

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`n` / `N` only while there is a search, `f` only while not following (the footer
        hides keys that do nothing)."""
        if action in ("next_match", "previous_match"):
            return bool(self.search_term)
        if action == "follow":
            return not self.follow
        return True

    # -- reactive watchers ---------------------------------------------------------------
    def watch_follow(self, follow: bool) -> None:
        """Jump to the end when following starts."""
        if follow:
            self._scroll_programmatically(self.max_scroll_y)
        self.refresh_bindings()
        self.post_message(self.StateChanged(self))

    def watch_wrap(self) -> None:
        """Re-lay the log out, keeping the top line in place."""
        self._relayout()

    def watch_timestamps(self) -> None:
        """Re-lay the log out (the prefix changes widths)."""
        self._relayout()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Any upward scroll by the user stops following."""
        super().watch_scroll_y(old_value, new_value)
        if (not self._auto_scroll and self.follow and new_value < old_value
                and new_value < self.max_scroll_y - 0.5):
            self.follow = False

    def on_resize(self, event: events.Resize) -> None:
        """Wrapped rows depend on the width; the end must stay in view while following."""
        if not self._check_wrap_width() and self.follow:
            self._scroll_programmatically(self.max_scroll_y)

    def watch_show_vertical_scrollbar(self) -> None:
        """A scrollbar coming or going changes the width wrapped rows must fit."""
        if self._wrapped:
            self.call_after_refresh(self._check_wrap_width)

    def _check_wrap_width(self) -> bool:
        if self.wrap != self._wrapped or (self._wrapped
                                          and self._content_width() != self._cum_width):
            self._relayout()
            return True
        return False

    def notify_style_update(self) -> None:
        """Drop rendered lines when CSS (theme, focus ...) changes."""
        super().notify_style_update()
        self._cache.clear()
        self.refresh()

    # -- geometry ------------------------------------------------------------------------
    def _prefix_cells(self) -> int:
        return STAMP_CELLS if self.timestamps else 0

    def _content_width(self) -> int:
        return max(1, self.scrollable_content_region.width - self._prefix_cells())

    def _note_widths(self, texts: Iterable[str]) -> None:
        widest = self._max_cells
        for text in texts:
            cells = len(text) if text.isascii() else cell_len(text[:MAX_LINE_CELLS * 2])
            if cells > widest:
                widest = cell_len(cut_line(text)) if cells > MAX_LINE_CELLS else cells
        self._max_cells = widest

    def _rebuild_cum(self) -> None:
        self._cum = [0]
        self._cum_base = self.store.first
        self._cum_width = self._content_width()
        self._extend_cum(range(self.store.first, self.store.end))

    def _extend_cum(self, numbers: range) -> None:
        if self._cum_base + len(self._cum) - 1 != numbers.start:
            self._rebuild_cum()  # out of step (e.g. cleared): start over
            return
        width = self._cum_width
        cum = self._cum
        total = cum[-1]
        store = self.store
        for number in numbers:
            total += row_count(cut_line(store.text(number)), width)
            cum.append(total)
        skip = self.store.first - self._cum_base
        if skip > max(1024, len(cum) // 2):
            base = cum[skip]
            self._cum = [value - base for value in cum[skip:]]
            self._cum_base = self.store.first

    def _rows_before(self, number: int) -> int:
        return self._cum[number - self._cum_base]

    def _partial_rows(self) -> int:
        if self._partial is None:
            return 0
        return row_count(cut_line(self._partial), self._cum_width) if self._wrapped else 1

    def _total_rows(self) -> int:
        if not self._wrapped:
            return len(self.store) + (self._partial is not None)
        return self._cum[-1] - self._rows_before(self.store.first) + self._partial_rows()

    def _update_virtual_size(self) -> None:
        if self._wrapped:
            width = self.scrollable_content_region.width
        else:
            width = self._max_cells + self._prefix_cells()
        self.virtual_size = Size(width, self._total_rows())

    def _locate(self, row: int) -> tuple[int, int] | None:
        """Display row -> (absolute line number, row within the line); None past the end."""
        store = self.store
        if row < 0:
            return None
        if not self._wrapped:
            number = store.first + row
            return (number, 0) if number <= store.end - (self._partial is None) else None
        target = row + self._rows_before(store.first)
        cum = self._cum
        if target >= cum[-1]:
            sub = target - cum[-1]
            return (store.end, sub) if sub < self._partial_rows() else None
        index = bisect.bisect_right(cum, target) - 1
        return self._cum_base + index, target - cum[index]

    def _line_at_row(self, row: int) -> int | None:
        found = self._locate(row)
        return found[0] if found is not None else None

    def _row_of(self, number: int) -> int:
        if not self._wrapped:
            return number - self.store.first
        return self._rows_before(number) - self._rows_before(self.store.first)

    def _relayout(self) -> None:
        if not self.is_mounted:
            return
        top = self._line_at_row(round(self.scroll_y))  # in the layout being left
        self._cache.clear()
        self._wrapped = self.wrap
        if self._wrapped:
            self._rebuild_cum()
        self._update_virtual_size()
        if self.follow:
            self._scroll_programmatically(self.max_scroll_y)
        elif top is not None:
            self._scroll_programmatically(self._row_of(min(top, self.store.end)))
        self.refresh()
        self.post_message(self.StateChanged(self))

    def _scroll_programmatically(self, y: float) -> None:
        self._auto_scroll = True
        try:
            self.scroll_to(y=y, animate=False, force=True)
        finally:
            self._auto_scroll = False

    # -- search --------------------------------------------------------------------------
    def _prune_matches(self) -> None:
        index = bisect.bisect_left(self._matches, self.store.first)
        if index:
            del self._matches[:index]
        if self._current is not None and self._current < self.store.first:
            self._current = None

    def _step_match(self, step: int) -> None:
        if not self._matches:
            if self.search_term:
                self.notify(f"No line matches {sanitize_text(self.search_term)!r}",
                            severity="warning", markup=False)
            return
        if self._current is None:
            top = self._line_at_row(round(self.scroll_y)) or self.store.first
            index = bisect.bisect_left(self._matches, top)
            index = index if step > 0 else index - 1
        else:
            index = bisect.bisect_left(self._matches, self._current) + step
        self._go_to_match(self._matches[index % len(self._matches)])
        self.post_message(self.StateChanged(self))

    def _go_to_match(self, number: int) -> None:
        self._current = number
        self.follow = False
        row = self._row_of(number)
        top = round(self.scroll_y)
        height = self.scrollable_content_region.height
        if not top <= row < top + height:
            self._scroll_programmatically(max(0, row - height // 3))
        self.refresh()

    # -- rendering -----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        """Render viewport line ``y``: only visible lines are ever rendered."""
        width = self.scrollable_content_region.width
        found = self._locate(round(self.scroll_y) + y)
        if found is None or width <= 0:
            return Strip.blank(width, self.rich_style)
        number, sub = found
        strips = self._strips(number)
        if sub >= len(strips):
            return Strip.blank(width, self.rich_style)
        strip = strips[sub]
        if self._wrapped:
            return strip
        x = round(self.scroll_x)
        return strip.crop_extend(x, x + width, self.rich_style)

    def _strips(self, number: int) -> list[Strip]:
        store = self.store
        partial = number >= store.end
        text = (self._partial or "") if partial else store.text(number)
        marker = number in store.markers
        current = number == self._current
        width = self._cum_width if self._wrapped else 0
        key = (number, text if partial else None, width, self.timestamps, self._search_gen,
               current)
        strips = self._cache.get(key)
        if strips is None:
            when = (self._partial_since or time.time()) if partial else store.time(number)
            strips = self._render_strips(text, marker, partial, current, when, width)
            self._cache[key] = strips
        return strips

    def _render_strips(self, text: str, marker: bool, partial: bool, current: bool,
                       when: float, wrap_width: int) -> list[Strip]:
        style = self.get_component_rich_style
        base = self.rich_style
        line_style = (style("log-view--marker") if marker
                      else style("log-view--partial") if partial else Style())
        shown = cut_line(text)
        line = Text(shown, style=line_style, no_wrap=True, end="")
        if self._pattern is not None and not marker:
            match_style = style("log-view--match-current" if current else "log-view--match")
            for found in self._pattern.finditer(shown):
                line.stylize(match_style, found.start(), found.end())
        prefix: Text | None = None
        if self.timestamps:
            second = int(when)
            stamp = self._stamps.get(second)
            if stamp is None:
                if len(self._stamps) > 4096:
                    self._stamps.clear()
                stamp = self._stamps[second] = time.strftime("%H:%M:%S ",
                                                             time.localtime(second))
            prefix = Text(stamp, style=style("log-view--timestamp"), end="")
        if not wrap_width:
            return [self._to_strip(prefix + line if prefix is not None else line, base)]
        rows = line.divide(wrap_offsets(shown, wrap_width)) if shown else [line]
        blank = Text(" " * STAMP_CELLS, end="") if prefix is not None else None
        full = wrap_width + self._prefix_cells()
        strips: list[Strip] = []
        for index, row in enumerate(rows):
            lead = prefix if index == 0 else blank
            strip = self._to_strip(lead + row if lead is not None else row, base)
            strips.append(strip.adjust_cell_length(full, base))
        return strips

    def _to_strip(self, text: Text, base: Style) -> Strip:
        return Strip(Segment.apply_style(text.render(self.app.console), base))
