"""`:servers all` (or `:allclouds`): the servers of every cloud in clouds.yaml in one table.

Each cloud has its own read-only session, poller and worker thread, so a slow cloud, a cloud
that is down or one that refuses the password never holds the others up: every cloud is
fresh or stale on its own, with its reason on a status line above the table, and the rows of
a stale cloud say so in their Cloud cell. Row ids are ``<cloud>/<server id>`` so two clouds
(even two copies of one cloud) never collide. Browse only: filter with `/`, refresh with `r`,
enter shows a server's detail (fetched with its own cloud's session).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from tuicloud.cloud.kinds.base import Column
from tuicloud.cloud.kinds.servers import SERVERS
from tuicloud.model.backoff import retry_delay
from tuicloud.model.freshness import Freshness, describe_freshness, stale_after
from tuicloud.model.row_diff import RowDiffer
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.host import ConsoleHost, connected, console_host
from tuicloud.widgets.key_footer import KeyFooter
from tuicloud.widgets.resource_table import ResourceTable
from tuicloud.widgets.sanitize import sanitize_text
from tuicloud.widgets.status_header import Identity, StatusHeader
from tuicloud.widgets.steady_input import SteadyInput
from tuicloud.widgets.textual_compat import PacedScreen

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.lookups import Lookups
    from tuicloud.cloud.poller import Poller

log = logging.getLogger("tuicloud.screens.all_clouds")

__all__ = ["AllCloudsScreen", "CloudFeed", "CloudStatusLines"]

CLOUD_COLUMN = Column("cloud", "Cloud", 14, 0)
STATUS_CLASSES = ("ok", "busy", "warn", "error", "muted")


@dataclass
class CloudFeed:
    """One cloud's part of the table. ``session``, ``poller`` and ``lookups`` are used by its
    worker thread only; the rest belongs to the UI thread."""

    name: str
    differ: RowDiffer = field(default_factory=RowDiffer)
    session: CloudSession | None = None
    poller: Poller | None = None
    lookups: Lookups | None = None
    fresh: Freshness = field(default_factory=lambda: Freshness("connecting"))
    polling: bool = False
    failures: int = 0
    fatal: bool = False  # wrong password, bad config: no automatic retry (r retries)
    stale_rows: bool = False  # the rows' Cloud cells say "stale"
    timer: Timer | None = None
    count: int = 0


class CloudStatusLines(Widget):
    """One line per cloud: how fresh it is, or why it is not."""

    DEFAULT_CSS = """
    CloudStatusLines { height: auto; max-height: 8; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cloud-status--ok", "cloud-status--stale", "cloud-status--name"}

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.feeds: list[CloudFeed] = []

    def on_mount(self) -> None:
        """Keep "updated N s ago" true."""
        self.set_interval(1.0, self.refresh)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        """One line per cloud."""
        return max(1, len(self.feeds))

    def render(self) -> Text:
        """`✓ name  N servers · updated 3 s ago` / `✗ name  stale since …: why`."""
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        style = self.get_component_rich_style
        for index, feed in enumerate(self.feeds):
            if index:
                text.append("\n")
            bad = feed.fresh.state in ("stale", "unavailable", "failed")
            text.append(" ✗ " if bad else " ✓ ",
                        style("cloud-status--stale" if bad else "cloud-status--ok"))
            text.append(sanitize_text(feed.name, max_len=40), style("cloud-status--name"))
            if feed.fresh.state == "failed":
                text.append(f"  {sanitize_text(feed.fresh.error, max_len=300)}",
                            style("cloud-status--stale"))
                continue
            detail = describe_freshness(feed.fresh)
            count = f"  {feed.count:,} servers" if feed.fresh.updated_at is not None else ""
            text.append(count)
            if detail:
                text.append(f" · {sanitize_text(detail, max_len=300)}",
                            style("cloud-status--stale") if bad else "")
        return text


class PinnedHeader(StatusHeader):
    """A header that keeps its own identity when the app updates every header."""

    def __init__(self, pinned: Identity) -> None:
        super().__init__()
        self.pinned = pinned

    def validate_identity(self, value: Identity | None) -> Identity | None:
        """Always the pinned identity."""
        return self.pinned


class CloudDetailScreen(DetailScreen):
    """A server's detail from one of the clouds (its own session, not the app's)."""

    def __init__(self, feed: CloudFeed, resource_id: str) -> None:
        super().__init__(SERVERS, resource_id)
        self.feed = feed

    def compose(self) -> ComposeResult:
        """The detail view, its header naming the server's cloud."""
        session = self.feed.session
        yield PinnedHeader(Identity(
            cloud=self.feed.name, project=(session.project_name if session else None) or "",
            region=(session.region if session else None) or "",
            user=(session.user_name if session else None) or "", read_only=True))
        for widget in super().compose():
            if not isinstance(widget, StatusHeader):
                yield widget

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _fetch(self) -> None:
        from tuicloud.cloud.detail import fetch_detail
        from tuicloud.cloud.errors import CloudError

        try:
            raw, related = fetch_detail(connected(self.feed.session), self.kind,
                                        self.resource_id)
            self.post_message(self.Loaded(raw, related))
        except CloudError as error:
            self.post_message(self.Failed(str(error)))
        except Exception as error:  # noqa: BLE001 - never crash the app on a detail fetch
            log.exception("all clouds: detail of %s %s failed", self.kind.name, self.resource_id)
            self.post_message(self.Failed(f"{error.__class__.__name__}: {error}"))


class AllCloudsScreen(PacedScreen[None]):
    """Servers of several clouds at once (see module docstring)."""

    HELP_TITLE = "Servers, all clouds"

    AUTO_FOCUS = "ResourceTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="all.filter"),
        Binding("r", "refresh_now", "Refresh", id="all.refresh"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="all.clear_filter"),
    ]

    class FeedPolled(Message):
        """One cloud's poll came back."""

        def __init__(self, feed: CloudFeed, rows: dict[str, dict[str, object]],
                     removals: set[str], elapsed: float, count: int, relabel: bool) -> None:
            super().__init__()
            self.feed = feed
            self.rows = rows
            self.removals = removals
            self.elapsed = elapsed
            self.count = count
            self.relabel = relabel

    class FeedFailed(Message):
        """One cloud's poll (or connection) failed."""

        def __init__(self, feed: CloudFeed, error: str, fatal: bool,
                     rows: dict[str, dict[str, object]]) -> None:
            super().__init__()
            self.feed = feed
            self.error = error
            self.fatal = fatal
            self.rows = rows  # the cloud's rows re-labelled "stale"

    def __init__(self) -> None:
        super().__init__(name="all")
        self.feeds: dict[str, CloudFeed] = {}
        self._active = False
        self._chosen: list[str] | None = None
        self._styles: dict[str, Style] = {}
        self._ready = False

    @property
    def tui(self) -> ConsoleHost:
        """The app, as the screens may use it (never the concrete class)."""
        return console_host(self)

    def compose(self) -> ComposeResult:
        """Header, per-cloud status lines, filter bar, table, footer."""
        yield StatusHeader()
        yield CloudStatusLines(id="cloud-status")
        yield SteadyInput(placeholder="filter: text, regex, or !text to invert", id="filter")
        yield ResourceTable(id="table")
        yield KeyFooter()

    @property
    def table(self) -> ResourceTable:
        """The table."""
        return self.query_one(ResourceTable)

    def on_mount(self) -> None:
        """Columns: Cloud, then the servers view's."""
        self.table.set_columns([CLOUD_COLUMN, *SERVERS.columns])
        for name in STATUS_CLASSES:
            self._styles[name] = self.table.get_component_rich_style(
                f"resource-table--status-{name}")
        header = self.query_one(StatusHeader)
        header.view_title = "Servers, all clouds"
        header.identity = self.tui.identity
        if self.focused is None:
            self.set_focus(self.table)
        self._ready = True
        self.choose(self._chosen or [])

    # -- which clouds ---------------------------------------------------------------------------
    def choose(self, names: list[str]) -> None:
        """Show these clouds (empty: every cloud in clouds.yaml)."""
        from tuicloud.cloud.config import cloud_names
        from tuicloud.cloud.errors import CloudError

        try:
            known = cloud_names()
        except CloudError as error:
            self.notify(f"Cannot read clouds.yaml: {error}", severity="error")
            known = []
        wanted = [n.strip() for n in names if n.strip()] or [n for n in known if n != "envvars"]
        unknown = [n for n in wanted if n not in known]
        if unknown:
            self.notify(f"Not in clouds.yaml: {', '.join(unknown)}", severity="warning")
        wanted = [n for n in dict.fromkeys(wanted) if n in known]
        self._chosen = wanted
        if not self._ready:
            return  # on_mount will do it
        for name in [n for n in self.feeds if n not in wanted]:
            feed = self.feeds.pop(name)
            self._stop(feed)
            self.table.apply_diff({}, feed.differ.ids())
            self._close_later(feed)
        for name in wanted:
            if name not in self.feeds:
                self.feeds[name] = CloudFeed(name)
        self.feeds = {name: self.feeds[name] for name in wanted}
        self._status_changed()
        if self._active:
            for feed in self.feeds.values():
                self._poll(feed)

    # -- visibility -----------------------------------------------------------------------------
    def on_screen_resume(self) -> None:
        """Poll every cloud when shown."""
        self._active = True
        self.query_one(StatusHeader).identity = self.tui.identity
        for feed in self.feeds.values():
            if not feed.fatal:
                self._poll(feed)

    def on_screen_suspend(self) -> None:
        """No polling while hidden."""
        self._active = False
        for feed in self.feeds.values():
            self._stop(feed)

    def on_unmount(self) -> None:
        """Close every session."""
        for feed in self.feeds.values():
            self._stop(feed)
            self._close_later(feed)

    def _stop(self, feed: CloudFeed) -> None:
        if feed.timer is not None:
            feed.timer.stop()
            feed.timer = None

    def _close_later(self, feed: CloudFeed) -> None:
        session = feed.session
        if session is not None:
            self.run_worker(session.close, thread=True, group="all-close", exit_on_error=False)

    # -- polling --------------------------------------------------------------------------------
    def _poll(self, feed: CloudFeed) -> None:
        if feed.polling or self.feeds.get(feed.name) is not feed:
            return
        self._stop(feed)
        feed.polling = True
        convert = self._converter(feed.name, stale=False)
        stale_convert = self._converter(feed.name, stale=True)
        self.run_worker(lambda: self._poll_worker(feed, convert, stale_convert), thread=True,
                        group=f"all-{feed.name}", exit_on_error=False)

    def _poll_worker(self, feed: CloudFeed,
                     convert: Callable[[dict[str, Any]], dict[str, object]],
                     stale_convert: Callable[[dict[str, Any]], dict[str, object]]) -> None:
        from tuicloud.cloud.connection import CloudSession
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.lookups import Lookups, tables_for
        from tuicloud.cloud.poller import Poller

        try:
            if feed.session is None:
                # Browse only: the session refuses anything but reads.
                session = CloudSession.connect(feed.name, None, read_only=True)
                lookups = Lookups()
                lookups.know_own_project(session)
                lookups.refresh(session, sorted(tables_for(SERVERS, session,
                                                           all_projects=False)))
                feed.session, feed.lookups = session, lookups
                feed.poller = Poller(session, SERVERS, lookups=lookups)
            assert feed.poller is not None  # made with the session
            result = feed.poller.poll()
            prefix = f"{feed.name}/"
            upserts = {prefix + k: v for k, v in result.upserts.items()}
            removals = {prefix + k for k in result.removals}
            rows, removed = feed.differ.diff(upserts, convert, full=result.full,
                                             removals=removals)
            self.post_message(self.FeedPolled(feed, rows, removed, result.elapsed,
                                              len(feed.differ), feed.stale_rows))
        except CloudError as error:
            fatal = not error.retryable and feed.session is None
            self.post_message(self.FeedFailed(feed, str(error) if fatal else error.short,
                                              fatal, feed.differ.relabel(stale_convert)))
        except Exception as error:  # noqa: BLE001 - one cloud must never kill the view
            log.exception("all clouds: polling cloud %s failed", feed.name)
            self.post_message(self.FeedFailed(feed, f"{error.__class__.__name__}: {error}",
                                              False, feed.differ.relabel(stale_convert)))

    def _converter(self, cloud: str, *, stale: bool
                   ) -> Callable[[dict[str, Any]], dict[str, object]]:
        """Raw server -> row with its Cloud cell (thread-safe: styles are looked up now)."""
        styles = self._styles
        lookups_of = self.feeds.get(cloud)
        cell = Text(f"{cloud} (stale)", style=styles.get("warn", "")) if stale else cloud

        def convert(raw: dict[str, Any]) -> dict[str, object]:
            from tuicloud.cloud.lookups import Lookups

            lookups = lookups_of.lookups if lookups_of is not None else None
            row = SERVERS.row(raw, lookups if lookups is not None else Lookups())
            status = row.get("status")
            if isinstance(status, str):
                css = SERVERS.status_class(status)
                if css:
                    row["status"] = Text(status, style=styles.get(css, ""))
            row["cloud"] = cell
            return row

        return convert

    @on(FeedPolled)
    def _feed_polled(self, message: FeedPolled) -> None:
        feed = message.feed
        feed.polling = False
        if self.feeds.get(feed.name) is not feed:
            return  # no longer shown
        first = feed.fresh.updated_at is None
        self.table.apply_diff(message.rows, message.removals, highlight=not first)
        feed.failures = 0
        feed.fatal = False
        feed.count = message.count
        feed.fresh = Freshness("fresh", updated_at=time.time(),
                               elapsed_ms=message.elapsed * 1000, count=message.count)
        if message.relabel:  # back from stale: the Cloud cells lose their mark
            feed.stale_rows = False
            self.run_worker(lambda: self._unmark(feed), thread=True,
                            group=f"all-unmark-{feed.name}", exit_on_error=False)
        self._status_changed()
        self._schedule(feed)

    def _unmark(self, feed: CloudFeed) -> None:
        rows = feed.differ.relabel(self._converter(feed.name, stale=False))
        if rows:
            self.app.call_from_thread(self._apply_rows, rows)

    def _apply_rows(self, rows: dict[str, dict[str, object]]) -> None:
        tables = self.query(ResourceTable)  # none once the app took the screen down
        if tables:
            tables.first().apply_diff(rows, highlight=False)

    @on(FeedFailed)
    def _feed_failed(self, message: FeedFailed) -> None:
        feed = message.feed
        feed.polling = False
        if self.feeds.get(feed.name) is not feed:
            return
        feed.failures += 1
        feed.fatal = message.fatal
        if message.fatal:
            feed.fresh = Freshness("failed", error=message.error)
        else:
            feed.fresh = stale_after(feed.fresh, message.error, count=feed.fresh.count)
        if message.rows:
            feed.stale_rows = True
            self.table.apply_diff(message.rows, highlight=False)
        self._status_changed()
        if not message.fatal:
            self._schedule(feed)

    def _schedule(self, feed: CloudFeed) -> None:
        if not self._active:
            return
        delay = retry_delay(self.tui.refresh_for("all"), feed.failures)
        feed.timer = self.set_timer(delay, lambda: self._poll(feed))

    def _status_changed(self) -> None:
        lines = self.query_one(CloudStatusLines)
        lines.feeds = list(self.feeds.values())
        lines.refresh(layout=True)
        bad = [f.name for f in self.feeds.values()
               if f.fresh.state in ("stale", "failed")]
        table = self.table
        if bad:
            since = min((f.fresh.stale_since or time.time()) for f in self.feeds.values()
                        if f.fresh.state in ("stale", "failed"))
            fresh = Freshness("stale", stale_since=since, count=table.row_count,
                              visible=table.visible_count,
                              error=f"{len(bad)} of {len(self.feeds)} clouds: {', '.join(bad)}")
        else:
            done = [f.fresh.updated_at for f in self.feeds.values()
                    if f.fresh.updated_at is not None]
            fresh = Freshness("fresh" if done else "loading",
                              updated_at=min(done) if done else None,
                              count=table.row_count, visible=table.visible_count)
        self.query_one(StatusHeader).freshness = fresh

    # -- keys -----------------------------------------------------------------------------------
    def action_refresh_now(self) -> None:
        """`r`: poll every cloud now (also retries a cloud that refused to connect)."""
        for feed in self.feeds.values():
            self._poll(feed)

    def action_filter(self) -> None:
        """`/`: the filter bar."""
        bar = self.query_one("#filter", Input)
        bar.add_class("-visible")
        self.set_focus(bar)
        self.table.prepare_filter()

    def action_clear_filter(self) -> None:
        """`esc`: clear the filter."""
        bar = self.query_one("#filter", Input)
        bar.value = ""
        bar.remove_class("-visible")
        self.table.set_filter("")
        self.table.filter_closed()
        self.set_focus(self.table)
        self._status_changed()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value)
        self._status_changed()

    @on(ResourceTable.RowActivated)
    def _open_detail(self, event: ResourceTable.RowActivated) -> None:
        cloud, _, server_id = event.row_id.partition("/")
        feed = self.feeds.get(cloud)
        if feed is not None and feed.session is not None and server_id:
            self.app.push_screen(CloudDetailScreen(feed, server_id))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.remove_class("-visible")
            self.table.filter_closed()
        self.set_focus(self.table)
