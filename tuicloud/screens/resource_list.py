"""The one generic list screen: a live-refreshing table of any resource kind."""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import string
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.timer import Timer
from textual.widgets import Input

from tuicloud.cloud.kinds.base import format_age_since
from tuicloud.gc_tuning import collect_if_due
from tuicloud.memory import release_free_memory
from tuicloud.model.feed import Failure, ListFeed, Snapshot
from tuicloud.model.freshness import Freshness
from tuicloud.screens.host import ConsoleHost, console_host, lookups_of
from tuicloud.screens.object_actions import OBJECT_BINDINGS
from tuicloud.screens.operations import OPERATION_BINDINGS, ListOperations
from tuicloud.widgets.key_footer import KeyFooter
from tuicloud.widgets.resource_table import ResourceTable
from tuicloud.widgets.row_store import TickCompute
from tuicloud.widgets.sanitize import sanitize_text
from tuicloud.widgets.status_header import StatusHeader
from tuicloud.widgets.steady_input import SteadyInput
from tuicloud.widgets.textual_compat import PacedScreen

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.kinds.base import ResourceKind
    from tuicloud.cloud.poller import Poller
    from tuicloud.model.feed import Keeper, StatesSeen

log = logging.getLogger(__name__)

STATUS_CLASSES = ("ok", "busy", "warn", "error", "muted")


NAVIGATION_LETTERS = frozenset({"g"})
"""Letters whose shift form moves the cursor (`G`: the last row), never a sort."""
MORE_LOOKAHEAD = 200
"""A lazily read list (a container's objects) reads its next page when the cursor comes this
close to the last row loaded: a page of 1,000 arrives long before the cursor gets there."""
FILTER_FILL = 100
"""A filter over a lazily read list reads further pages until it matches this many rows."""
FIRST_PAINT_ROWS = 100
"""Cached rows painted in the first frame (or the terminal's height, if taller): the others
follow a frame later."""
AGE_TICK_SECONDS = 2.0
"""How often ages are looked at: only the rows whose age text is due to change cost work (see
`RowStore.retick`)."""


def sort_letters(kind: ResourceKind) -> dict[str, str]:
    """letter -> column key for shift+letter sorting: each column's first free letter of its
    title, from every column the kind has (the project column included), so a letter never
    changes when columns are hidden, chosen in settings or added by `0`."""
    letters: dict[str, str] = {}
    columns = [*kind.columns]
    if kind.all_projects_column is not None:
        columns.append(kind.all_projects_column)
    for column in columns:
        for char in column.title.lower() + string.ascii_lowercase:
            if char.isalpha() and char not in letters and char not in NAVIGATION_LETTERS:
                letters[char] = column.key
                break
    return letters


_AGE_STEPS = ((60.0, 1.0), (3600.0, 60.0), (48 * 3600.0, 3600.0), (365 * 86400.0, 86400.0),
              (math.inf, 365 * 86400.0))
"""(below this many seconds, the age text's unit), as `format_age_since` writes it."""


COLLECT_AFTER_LOAD = 0.1
"""Seconds from a complete poll to the full collection a big load asked for (gc_tuning)."""


def age_changes_at(when: float, now: float) -> float:
    """When the age `format_age_since(when, now)` shows next reads differently."""
    seconds = max(0.0, now - when)
    for limit, step in _AGE_STEPS:
        if seconds < limit:
            return when + (seconds // step + 1) * step
    return math.inf  # pragma: no cover - the last limit is infinite


def _age_cell(data: Mapping[str, object], now: float, *, source: str) -> tuple[str, float]:
    when = data.get(source)
    text = format_age_since(when, now)
    if not text:
        return text, math.inf
    return text, age_changes_at(when, now)  # type: ignore[arg-type]  # a number: it has a text


class ResourceListScreen(PacedScreen[None]):
    """Lists one resource kind; polls on its own timer only while it is the visible screen."""

    # The table, never the hidden filter bar (focusable before the stylesheet hides it).
    AUTO_FOCUS = "ResourceTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="list.filter"),
        Binding("colon", "command_line", "Command", id="list.command"),
        Binding("r", "refresh_now", "Refresh", id="list.refresh"),
        Binding("p", "toggle_pause", "Pause", id="list.pause"),
        Binding("0", "toggle_all_projects", "All projects", id="list.all_projects"),
        Binding("l", "console_log", "Console log", id="list.console_log"),
        Binding("s", "ssh", "SSH", id="list.ssh"),
        Binding("ctrl+w", "why", "Why no SSH?", id="list.why",
                tooltip="Check each link from here to the server, with fixes"),
        Binding("c", "create", "Create", id="list.create"),
        Binding("ctrl+s", "save_image", "Save image", id="list.save_image"),
        Binding("y", "copy", "Copy", id="list.copy", show=False,
                tooltip="Copy the row's id, name or JSON to the clipboard"),
        *OPERATION_BINDINGS,  # a, ctrl+d and the direct action keys (screens/operations.py)
        *OBJECT_BINDINGS,  # d, u, e, m, t on a container's objects (screens/object_actions.py)
        Binding("backspace", "go_up", "Up", id="list.go_up"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="list.clear_filter"),
    ]

    class PollFinished(Message):
        """A poll came back with rows."""

        def __init__(self, outcome: Snapshot) -> None:
            super().__init__()
            self.outcome = outcome

    class PollFailed(Message):
        """A poll failed; the view goes stale."""

        def __init__(self, failure: Failure) -> None:
            super().__init__()
            self.failure = failure

    def __init__(self, kind: ResourceKind) -> None:
        super().__init__(name=kind.name)
        self.kind = kind
        self.paused = False
        self._active = False
        self._polling = False
        self._relabel_pending = False
        self._relabel_since: float | None = None  # the oldest names change not yet applied
        self._timer: Timer | None = None
        self._status_styles: dict[str, Style] = {}
        self._sort_letters: dict[str, str] = {}
        self._age_computes: dict[str, TickCompute] = {}
        self.feed = ListFeed(kind)  # poller, diff, epoch, failures, freshness (model layer)
        self.operations = ListOperations(self)
        self._create_pending = False  # `c` pressed before the cloud answered
        # Rows painted from the view cache that no poll has confirmed yet, and their key.
        self._cached_ids: set[str] = set()
        self._cached_key: Mapping[str, object] | None = None

    @property
    def poller(self) -> Poller | None:
        """The feed's poller (None until the first poll of this session)."""
        return self.feed.poller

    @property
    def freshness(self) -> Freshness:
        """How fresh the rows are ("loading", "fresh", "stale" …)."""
        return self.feed.fresh

    @property
    def tui(self) -> ConsoleHost:
        """The app, as the screens may use it (never the concrete class)."""
        return console_host(self)

    def compose(self) -> ComposeResult:
        """Header, filter bar (hidden until `/`), table, footer."""
        yield StatusHeader()
        yield SteadyInput(placeholder="filter: text, regex, or !text to invert", id="filter")
        # Its suggester is set when `:` opens it (command_words imports every kind: 20 ms).
        yield SteadyInput(placeholder=":servers  :volumes  :images  :flavors  :networks  …",
                    id="command")
        yield ResourceTable(id="table")
        yield KeyFooter()

    @property
    def table(self) -> ResourceTable:
        """The table widget."""
        return self.query_one(ResourceTable)

    def on_mount(self) -> None:
        """Lay out the kind's columns and take the status colours from the stylesheet."""
        self._apply_columns()
        for name in STATUS_CLASSES:
            self._status_styles[name] = self.table.get_component_rich_style(
                f"resource-table--status-{name}")
        header = self.query_one(StatusHeader)
        header.view_title = sanitize_text(self.kind.title, max_len=120)  # may hold a name
        header.identity = self.tui.identity
        # Now, not deferred: a deferred focus() would run after keys typed ahead (`:srv`) and
        # pull focus back from the command bar they opened.
        if self.focused is None:
            self.set_focus(self.table)
        # An age ("40s", "3d") grows while the resource stays the same: no poll brings it.
        self.set_interval(AGE_TICK_SECONDS, self._tick_ages)

    def _tick_ages(self) -> None:
        if self._active:
            self.table.retick()

    def _apply_columns(self) -> None:
        columns = list(self.kind.columns)
        chosen = self.tui.settings.columns_for(self.kind.name)  # the settings file's [columns]
        if chosen:
            by_key = {column.key: column for column in columns}
            columns = [by_key[key] for key in chosen if key in by_key]
        if self.tui.all_projects and self.kind.all_projects_column is not None:
            columns.insert(1, self.kind.all_projects_column)
        self.table.set_columns(columns)
        for column in self.kind.columns:
            if column.age_of is not None:
                compute = self._age_computes.get(column.key)
                if compute is None:  # one per column: the same one again costs nothing
                    compute = self._age_computes[column.key] = functools.partial(
                        _age_cell, source=column.age_of)
                self.table.set_ticking(column.key, compute)
        shown = {column.key for column in columns}
        self._sort_letters = {letter: key for letter, key in sort_letters(self.kind).items()
                              if key in shown}

    # -- visibility: only the visible view polls --------------------------------------------
    def on_screen_resume(self) -> None:
        """Start polling when this screen becomes visible (the rows kept from the last time
        shown first, while the first poll runs)."""
        self._active = True
        self.query_one(StatusHeader).identity = self.tui.identity
        self.paint_cached()
        if self.tui.session is not None:
            self.poll_now()

    def on_screen_suspend(self) -> None:
        """Stop polling while hidden (and keep what changed since the last write)."""
        self._active = False
        self._create_pending = False  # a form asked for here must not pop up elsewhere later
        self.run_worker(self.flush_cache, thread=True, group="keep", exit_on_error=False)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def connected(self) -> None:
        """The app connected (or switched project): start over with a new poller."""
        self.feed.forget_poller()
        self.query_one(StatusHeader).identity = self.tui.identity
        self._apply_columns()
        if self._cached_key is not None and self._cached_key != self._view_key():
            # Painted for the cloud/project guessed at start; the connection went elsewhere.
            self._drop_cached()
        if self._active:
            self.paint_cached()
            self.poll_now()

    # -- the view cache: rows kept from the last time, shown until the first poll ------------
    def _view_key(self) -> Mapping[str, object] | None:
        return self.tui.cache_key(self.kind.name, self.tui.session)

    def paint_cached(self) -> None:
        """Show the rows kept in the view cache for this view, marked cached, when nothing
        fresher is shown yet; the first complete poll replaces them in place."""
        cache = self.tui.view_cache
        if (cache is None or self.kind.nested or self.feed.cached_at is not None
                or self.feed.fresh.updated_at is not None or len(self.feed.differ)
                or self.table.row_count):
            return
        key = self._view_key()
        cached = cache.load(key) if key is not None else None
        if cached is None or key is None:
            return
        style = self._status_styler()
        rows = {str(row["id"]): style(dict(row)) for row in cached.rows}
        self._cached_ids = set(rows)
        self._cached_key = key
        self.feed.cached_at = cached.saved_at
        # A screenful first, the rest after that frame: filling the table's 1,000 rows took
        # ~9 ms of the ~0.3 s to the first row. Sorted or filtered, the first screenful may
        # come from anywhere in the rows: then all at once.
        first = max(FIRST_PAINT_ROWS, self.app.size.height)
        if len(rows) <= first or self.table.sort_column or self.table.filter_text:
            self.table.apply_diff(rows, highlight=False)
            self._update_counts()
            return
        ids = list(rows)
        self.table.apply_diff({i: rows[i] for i in ids[:first]}, highlight=False)
        self._set_fresh(dataclasses.replace(self.freshness, count=len(rows), visible=len(rows)))
        rest = {i: rows[i] for i in ids[first:]}
        self.call_after_refresh(self._paint_cached_rest, rest, cached.saved_at)

    def _paint_cached_rest(self, rest: dict[str, Mapping[str, object]], saved_at: float) -> None:
        """The cached rows below the first screenful, unless fresh rows came meanwhile."""
        if self.feed.cached_at != saved_at or len(self.feed.differ):
            return
        self.table.apply_diff(rest, highlight=False, at_end=True)
        self._update_counts()

    def _drop_cached(self) -> None:
        if self._cached_ids:
            self.table.apply_diff({}, self._cached_ids - set(self.feed.differ.ids()),
                                  highlight=False)
        self._cached_ids = set()
        self._cached_key = None
        self.feed.cached_at = None

    def flush_cache(self) -> None:
        """Write this view's rows to the view cache if they changed since the last write
        (blocking: from a worker, or as the app quits)."""
        keep = self._cache_keeper(self.tui.session)
        if keep is not None:
            self.feed.flush(keep)

    def waiting_for_fresh(self) -> bool:
        """True (and the user told) while the rows are the cache's: an action needs the
        cloud's current state, not the last run's."""
        if self.feed.cached_at is None:
            return False
        self.notify("Cached rows: waiting for fresh data", severity="warning", timeout=3)
        return True

    def _cache_keeper(self, session: CloudSession | None) -> Keeper | None:
        """Writes this view's rows to the view cache (in the poll's worker), or None."""
        cache = self.tui.view_cache
        key = self.tui.cache_key(self.kind.name, session) if cache is not None else None
        if cache is None or key is None or self.kind.nested:
            return None
        fields = {"id"}
        for column in self.kind.columns_for(True):
            fields.add(column.key)
            if column.sort_key:
                fields.add(column.sort_key.lstrip("-"))
            if column.age_of:
                fields.add(column.age_of)
        if self.kind.status_key:
            fields.add(self.kind.status_key)

        def keep(rows: list[dict[str, object]]) -> None:
            cache.save(key, rows, fields)

        return keep

    def reset(self) -> None:
        """Another cloud, project or region: drop every row; the filter and sort stay."""
        self.feed.reset()
        self._cached_ids = set()
        self._cached_key = None
        self._polling = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.table.apply_diff({}, replace_all=True, highlight=False)
        self._set_fresh(Freshness("connecting"))

    # -- polling ------------------------------------------------------------------------------
    def poll_now(self) -> None:
        """Poll unless a poll is running (polls never overlap)."""
        if self._polling or self.tui.session is None:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._polling = True
        if self.freshness.updated_at is None and self.freshness.state != "stale":
            shown = self.feed.cached_at is not None  # cached rows: their count stays
            self._set_fresh(Freshness("loading", count=self.table.row_count if shown else None,
                                      visible=self.table.visible_count if shown else None))
        self._poll_worker()

    def _schedule_next(self) -> None:
        if not self._active or self.paused:
            return
        self._timer = self.set_timer(self.feed.next_delay(self.tui.refresh_for(self.kind.name)),
                                     self.poll_now)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll_worker(self) -> None:
        observer = self.change_observer()  # read from the app now: it may be gone after the poll
        session = self.tui.session
        outcome = self.feed.poll(
            session, all_projects=self.tui.all_projects, lookups=self.tui.lookups,
            convert=self._row_converter(), observer=observer,
            states_seen=self._states_keeper(), on_partial=self._post_partial,
            keep=self._cache_keeper(session))
        if isinstance(outcome, Snapshot):
            self.post_message(self.PollFinished(outcome))
        else:
            self.post_message(self.PollFailed(outcome))

    def _post_partial(self, snapshot: Snapshot) -> None:
        self.post_message(self.PollFinished(snapshot))

    def change_observer(self) -> Callable[[str, Any, Any], None]:
        """Feeds the app's change log (the overview's "recent changes") from this list's diffs."""
        from tuicloud.cloud.changes import ChangeLog

        changes = self.tui.changes
        scope, kind = ChangeLog.scope_of(self.tui.session), self.kind.name

        def observe(ident: str, old: Any, new: Any) -> None:
            changes.observe(scope, kind, ident, old, new)

        return observe

    def _states_keeper(self) -> StatesSeen:
        """Leaves each poll's whole state with the change log; a first poll catches up on what
        changed since the last look (another project, or before the app started)."""
        from tuicloud.cloud.changes import ChangeLog

        changes = self.tui.changes
        scope, kind = ChangeLog.scope_of(self.tui.session), self.kind.name

        def seen(states: Mapping[str, Any], first: bool, all_projects: bool) -> None:
            if first:
                changes.catch_up(scope, kind, states, all_projects=all_projects)
            else:
                changes.remember(scope, kind, states, all_projects=all_projects)

        return seen

    def apply_filter(self, text: str) -> None:
        """Show the list filtered by ``text``, as if typed after `/` (the overview's jumps)."""
        bar = self.query_one("#filter", Input)
        bar.value = text  # its Changed event also sends the filter to Nova when that pays
        bar.set_class(bool(text), "-visible")
        self.table.set_filter(text)
        self._update_counts()
        self.set_focus(self.table)

    def relabel(self) -> None:
        """Rebuild rows from the poller's data after the name lookups changed."""
        if self.poller is None:
            return
        # Rows converted from now on have the new names: only older ones are rebuilt (the
        # oldest change not yet rebuilt, should a second change come before the first is).
        now = time.monotonic()
        self._relabel_since = min(now, self._relabel_since or now)
        if self._polling:
            self._relabel_pending = True  # after this poll: its rows may predate the names
        else:
            self._relabel_worker(self._relabel_since)

    @work(thread=True, exclusive=True, group="relabel", exit_on_error=False)
    def _relabel_worker(self, since: float | None = None) -> None:
        """Rebuild the rows converted before ``since`` (None: every row)."""
        if self._relabel_since == since:
            # Taken: a change racing this reads None and rebuilds every row, never too few.
            self._relabel_since = None
        epoch, rows = self.feed.relabel(self._row_converter(), since=since)
        if rows:
            self.app.call_from_thread(self._apply_relabel, rows, epoch)
            if len(rows) > 1000:
                release_free_memory()

    def _apply_relabel(self, rows: dict[str, dict[str, object]], epoch: int) -> None:
        if self.feed.current(epoch):  # not rows of the cloud/project before a switch
            self.apply_rows(rows)

    def apply_rows(self, rows: dict[str, dict[str, object]]) -> None:
        """Rows a worker rebuilt (no highlight); nothing once the app took the screen down."""
        tables = self.query(ResourceTable)
        if tables:
            tables.first().apply_diff(rows, highlight=False)

    def _row_converter(self) -> Callable[[dict[str, Any]], dict[str, object]]:
        """Raw API dict → display row, status coloured from the stylesheet (thread-safe)."""
        kind = self.kind
        lookups = lookups_of(self.tui)
        style = self._status_styler()

        def convert(raw: dict[str, Any]) -> dict[str, object]:
            return style(kind.row(raw, lookups))

        return convert

    def _status_styler(self) -> Callable[[dict[str, object]], dict[str, object]]:
        """A display row with its status coloured from the stylesheet (thread-safe)."""
        kind = self.kind
        status_key = kind.status_key or "status"
        styles = self._status_styles

        shared: dict[str, Text] = {}  # one Text per status, not one per row (50,000 rows)

        def style(row: dict[str, object]) -> dict[str, object]:
            status = row.get(status_key)
            if isinstance(status, str):
                styled = shared.get(status)
                if styled is None:
                    css = kind.status_class(status)
                    if not css:
                        return row
                    styled = Text(status, style=styles.get(css, ""))
                    if len(shared) < 1024:
                        shared[status] = styled
                row[status_key] = styled
            return row

        return style

    @on(PollFinished)
    def _poll_finished(self, message: PollFinished) -> None:
        outcome = message.outcome
        if not self.feed.current(outcome.epoch):
            return  # a poll of the cloud/project/region before a switch
        table = self.table
        first_load = self.freshness.updated_at is None
        removals = outcome.removals
        if outcome.partial:  # the pages of a first load, in the order they come
            self._cached_ids -= outcome.rows.keys()
            table.apply_diff(outcome.rows, highlight=False, at_end=True)
        else:
            if self._cached_ids:
                # The whole answer: cached rows it does not hold are gone (a page never says).
                removals = removals | (self._cached_ids - set(self.feed.differ.ids()))
                self._cached_ids = set()
                self._cached_key = None
            with self.app.batch_update():
                # The worker already diffed against the table: rows and removals are the changes
                # (rows read further down a lazy list are not: no highlight, at the end, as
                # the rest of a first load after its first page).
                table.apply_diff(outcome.rows, removals,
                                 highlight=not first_load and not outcome.extended,
                                 at_end=first_load or outcome.extended)
        self.feed.finished(outcome, count=table.row_count, visible=table.visible_count,
                           paused=self.paused)
        if outcome.summary is not None:
            self.query_one(StatusHeader).summary = outcome.summary
        self._set_fresh(self.feed.fresh)
        if outcome.partial:
            return
        self._polling = False
        # After a big load, once its rows are on the terminal: Textual's writer thread puts
        # them there and needs the interpreter lock a collection holds (~0.1 s at 50,000).
        self.set_timer(COLLECT_AFTER_LOAD, collect_if_due)
        self._open_pending_create()
        if self._relabel_pending:
            self._relabel_pending = False
            self._relabel_worker(self._relabel_since)
        self._want_more_rows()
        if self.feed.wants_more or self._polled_as_before():  # at once, the timer after it
            self.poll_now()
            return
        self._schedule_next()

    def _polled_as_before(self) -> bool:
        """True when the poll that ended began before the view changed (all projects toggled
        while it was out): polls never overlap, so the next one starts at once, not at the
        refresh timer (a minute, perhaps)."""
        return self._active and self.feed.polled_as_before()

    def _want_more_rows(self) -> None:
        """A lazily read list reads on when the cursor nears its last loaded row or a filter
        matches too few rows; the poll that reads it starts now (or after the one running)."""
        if not self.feed.more_available or self.paused:
            return
        if self._polling and self.freshness.updated_at is None:
            # A first load is still bringing its pages (its first 50 rows would read as the
            # end): its end looks again, with the cursor where it is then.
            return
        table = self.table
        near_end = table.visible_count - (table.cursor_index or 0) <= MORE_LOOKAHEAD
        thin_filter = bool(table.filter_text) and table.visible_count < FILTER_FILL
        if (near_end or thin_filter) and self.feed.ask_more() and not self._polling:
            self.poll_now()

    @on(ResourceTable.CursorMoved)
    def _cursor_moved(self, _event: ResourceTable.CursorMoved) -> None:
        self._want_more_rows()

    @on(PollFailed)
    def _poll_failed(self, message: PollFailed) -> None:
        failure = message.failure
        if not self.feed.failed(failure, count=self.table.row_count,
                                visible=self.table.visible_count):
            return  # a poll of the cloud/project/region before a switch
        self._polling = False
        self._set_fresh(self.feed.fresh)
        if self._polled_as_before():
            self.poll_now()
            return
        if failure.unavailable:
            return
        self.table.set_class(True, "-stale")
        self._schedule_next()

    def show_freshness(self, fresh: Freshness) -> None:
        """Show how fresh the rows are (the app: "not connected …"); cached rows keep their
        count in the header."""
        if self.feed.cached_at is not None and fresh.count is None and self.table.row_count:
            fresh = replace(fresh, count=self.table.row_count,
                            visible=self.table.visible_count)
        self._set_fresh(fresh)

    def _set_fresh(self, fresh: Freshness) -> None:
        """Show ``fresh`` (the feed's own after a poll) in the header and the table; while the
        rows are the view cache's, it says so."""
        if fresh.cached_at != self.feed.cached_at:
            fresh = replace(fresh, cached_at=self.feed.cached_at)
        self.feed.fresh = fresh
        if fresh.state != "stale":
            self.table.set_class(False, "-stale")
        self.query_one(StatusHeader).freshness = fresh

    # -- keys ---------------------------------------------------------------------------------
    def action_refresh_now(self) -> None:
        """`r`: poll at once."""
        self.poll_now()

    def action_toggle_pause(self) -> None:
        """`p`: pause or resume live refresh."""
        self.paused = not self.paused
        if self.paused:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            self._set_fresh(dataclasses.replace(self.freshness, state="paused"))
            self.notify("Live refresh paused (p resumes)")
        else:
            self.notify("Live refresh resumed")
            self.poll_now()

    def action_toggle_all_projects(self) -> None:
        """`0`: admins list every project's resources (like k9s's all namespaces)."""
        self.tui.toggle_all_projects()

    def action_console_log(self) -> None:
        """`l`: follow the console log of the server under the cursor."""
        from tuicloud.screens.console_log import ConsoleLogScreen

        row_id = self.table.cursor_id
        if not self.kind.can("console") or row_id is None:
            return
        row = self.table.get_row(row_id) or {}
        name = row.get("name")
        self.app.push_screen(ConsoleLogScreen(row_id, str(name) if name else row_id,
                                              max_lines=self.tui.settings.console_log_lines))

    def action_ssh(self) -> None:
        """`s`: suspend the TUI, ssh to the server under the cursor, come back when it exits."""
        from tuicloud.screens.ssh import start_ssh

        row_id = self.table.cursor_id
        if not self.kind.can("ssh") or row_id is None or self.waiting_for_fresh():
            return
        raw = self.feed.differ.raw(row_id)
        if raw is not None:
            start_ssh(self, raw)

    def action_why(self, port: int = 22) -> None:
        """`ctrl+w`: why SSH (or TCP ``port``) from here would not reach the server."""
        from tuicloud.screens.why import WhyScreen

        row_id = self.table.cursor_id
        if not self.kind.can("reach") or row_id is None:
            return
        name = (self.table.get_row(row_id) or {}).get("name")
        self.app.push_screen(WhyScreen(row_id, str(name) if name else row_id, port))

    def action_create(self) -> None:
        """`c`: the create form of this kind. A form needs no row, only the cloud: pressed on
        cached rows or while connecting, it opens when the cloud's first answer is in."""
        from tuicloud.screens.forms import open_create_form

        if self.kind.create_form is None:
            return
        if self.feed.cached_at is not None or (self.tui.session is None and self._active):
            self._create_pending = True
            self.notify("The form opens when the cloud answers", timeout=3)
            return
        open_create_form(self)

    def _open_pending_create(self) -> None:
        """Fresh rows are in: the form asked for before them opens now (once)."""
        if self._create_pending and self.app.screen is self:
            self._create_pending = False
            self.action_create()

    def action_save_image(self) -> None:
        """`ctrl+s`: download the image under the cursor to a file."""
        from tuicloud.screens.forms import open_save_image

        if self.kind.can("download") and not self.waiting_for_fresh():
            open_save_image(self)

    # -- actions (screens/operations.py) ------------------------------------------------------
    def action_actions_menu(self) -> None:
        """`a`: the actions menu for the cursor row or the marked rows."""
        if self.kind.name == "objects":
            from tuicloud.screens.object_actions import open_object_menu

            open_object_menu(self)
            return
        self.operations.open_menu()

    def action_object_action(self, action: str) -> None:
        """d, u, e, m, t on a container's objects (screens/object_actions.py)."""
        from tuicloud.screens.object_actions import open_object_action

        open_object_action(self, action)

    def action_delete(self) -> None:
        """`ctrl+d`: delete the cursor row or the marked rows (after confirmation)."""
        if self.kind.name == "objects":  # a form with progress (screens/object_actions.py)
            from tuicloud.screens.object_actions import open_object_delete

            open_object_delete(self)
            return
        self.operations.delete()

    def action_operation(self, op_id: str) -> None:
        """A direct action key (see the actions menu)."""
        self.operations.direct(op_id)

    def after_form(self, result: object) -> None:
        """A form opened here closed: after a create or edit, refresh (the new rows appear)
        and follow what it made until it settles."""
        from tuicloud.screens.forms.base import Created

        if not isinstance(result, Created):
            return
        self.poll_now()
        if result.ids:
            self.follow(list(result.ids), result.transitional)

    def follow(self, ids: list[str], transitional: str | None = None) -> None:
        """Show ``transitional`` in these rows' status at once, then fast-poll them until they
        settle and notify how it ended (see ``ListOperations.follow``)."""
        self.operations.follow(ids, transitional)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys for what the kind cannot do are off (the footer hides them)."""
        if action == "object_action" or (action in ("actions_menu", "delete")
                                         and self.kind.name == "objects"):
            return self.kind.name == "objects"
        ours = self.operations.check_action(action, parameters)
        if ours is not None:
            return ours
        if action == "console_log":
            return self.kind.can("console")
        if action == "ssh":
            return self.kind.can("ssh")
        if action == "why":
            return self.kind.can("reach")
        if action == "create":
            if self.kind.create_admin_only:
                session = self.tui.session
                return self.kind.create_form is not None and bool(session and session.is_admin)
            return self.kind.create_form is not None
        if action == "save_image":
            return self.kind.can("download")
        if action == "go_up":
            return self.kind.nested
        return True

    def action_filter(self) -> None:
        """`/`: show the filter bar."""
        bar = self.query_one("#filter", Input)
        bar.add_class("-visible")
        self.set_focus(bar)  # at once: keys typed right after `/` must reach the bar
        self.table.prepare_filter()  # 50,000 rows: ~15 ms now rather than on the first key

    def action_command_line(self) -> None:
        """`:`: the command line, focused at once so a fast `:vol⏎` is not lost."""
        bar = self.query_one("#command", Input)
        bar.value = ""
        # The words grow once connected (`:cloud NAME`, `:project NAME` …).
        bar.suggester = SuggestFromList(self.tui.command_words(), case_sensitive=False)
        bar.add_class("-visible")
        self.set_focus(bar)

    @on(Input.Submitted, "#command")
    def _command_submitted(self, event: Input.Submitted) -> None:
        event.input.remove_class("-visible")
        self.set_focus(self.table)
        self.tui.run_command(event.value)

    def action_copy(self) -> None:
        """`y`: the copy menu for the cursor row."""
        from tuicloud.screens.copy_menu import CopyMenu

        row_id = self.table.cursor_id
        raw = self.feed.differ.raw(row_id) if row_id else None
        if raw is not None:
            self.app.push_screen(CopyMenu(raw))

    def action_clear_filter(self) -> None:
        """`esc`: close the command bar, else clear the filter, else clear the marks."""
        command = self.query_one("#command", Input)
        if command.has_class("-visible"):
            command.remove_class("-visible")
            self.set_focus(self.table)
            return
        bar = self.query_one("#filter", Input)
        if bar.value or bar.has_class("-visible"):
            bar.value = ""
            bar.remove_class("-visible")
            self.table.set_filter("")
            self.table.filter_closed()
            self._update_counts()
            self.set_focus(self.table)
            return
        if self.table.marked:
            self.table.clear_marks()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value)
        self._update_counts()
        # The whole screen in the frame that draws the bar's new text: the table's own repaint
        # reaches the screen through its message queue, after that frame, and its filtered
        # lines followed a frame later (~30 ms at 50,000 rows on a slow machine).
        self.refresh()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.remove_class("-visible")
            self.table.filter_closed()
        self.set_focus(self.table)

    def _update_counts(self) -> None:
        fresh = self.freshness
        self._set_fresh(dataclasses.replace(fresh, count=self.table.row_count,
                                            visible=self.table.visible_count))
        self._want_more_rows()

    def on_key(self, event: events.Key) -> None:
        """Shift+letter sorts by the column whose letter it is (again reverses)."""
        char = event.character
        if (char and len(char) == 1 and char.isupper() and char.isalpha()
                and isinstance(self.focused, ResourceTable)):
            column = self._sort_letters.get(char.lower())
            if column:
                self.table.sort_by(column)
                event.stop()

    @on(ResourceTable.RowActivated)
    def _open_detail(self, event: ResourceTable.RowActivated) -> None:
        from tuicloud.screens.detail import DetailScreen

        inner = self.kind.opens(event.row_id) if self.kind.opens is not None else None
        if inner is not None:  # a container's objects, a folder: a list of its own
            self.app.push_screen(ResourceListScreen(inner))
            return
        raw = self.feed.differ.raw(event.row_id) if self.kind.enter_command else None
        command = self.kind.enter_command(raw) if self.kind.enter_command and raw else None
        if command is not None:  # one's own project: switch to it
            self.tui.run_command(command)
            return
        self.app.push_screen(DetailScreen(self.kind, event.row_id))

    def action_go_up(self) -> None:
        """Backspace in a folder or a container: back to the list it was opened from."""
        if self.kind.nested and self.app.screen is self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def sort_help(self) -> list[tuple[str, str]]:
        """(key, column title) pairs for the help screen."""
        titles = {c.key: c.title for c in self.table.columns}
        return [(f"shift+{letter}", titles.get(key, key))
                for letter, key in self._sort_letters.items()]
