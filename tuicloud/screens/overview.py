"""`:overview`, the landing view: "is my cloud OK, and how close am I to my quotas?"

Quota bars, servers and volumes by status, what is in ERROR (with Nova's fault message) and
what changed recently, for the current cloud and project. Every line is focusable; enter (or a
click) opens the list it summarises, filtered (``ERROR 3`` -> the servers view filtered on
ERROR). Refreshed in a worker every ``refresh_for("overview")`` seconds (15 unless settings
or --refresh say otherwise) while visible; a failed source keeps its last numbers and the
header turns stale, naming what failed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from tuicloud.model.backoff import retry_delay
from tuicloud.model.freshness import Freshness
from tuicloud.screens.host import ConsoleHost, console_host
from tuicloud.widgets.key_footer import KeyFooter
from tuicloud.widgets.sanitize import sanitize_text
from tuicloud.widgets.status_header import StatusHeader
from tuicloud.widgets.textual_compat import PacedScreen

log = logging.getLogger("tuicloud.screens.overview")

if TYPE_CHECKING:
    from tuicloud.cloud.changes import Change
    from tuicloud.cloud.operator_health import OperatorHealth
    from tuicloud.cloud.overview import Overview, OverviewData, Quota

__all__ = ["OVERVIEW_REFRESH", "RECENT_MINUTES", "OverviewLine", "OverviewScreen",
           "format_quota"]

OVERVIEW_REFRESH = 15.0
"""Seconds between refreshes when neither --refresh nor the settings file name one."""
RECENT_MINUTES = 30
LABEL_WIDTH = 14
BAR_MAX = 40  # wider bars read no better
NUMBERS_WIDTH = 14  # "1,308/1,388 GB"
_SOURCE_LABELS = {"compute": "compute", "block-storage": "block storage",
                  "network": "network", "servers": "servers", "volumes": "volumes",
                  "object-store": "object storage"}


def _amount(value: int, unit: str) -> str:
    if unit == "B":  # object storage: bytes in people's units
        from tuicloud.cloud.kinds.base import format_bytes

        return format_bytes(value)
    if unit == "MB":  # RAM: Nova counts MiB; people think in GB
        gib = value / 1024
        return f"{gib:.1f}" if gib < 10 and value % 1024 else f"{gib:,.0f}"
    return f"{value:,}"


def format_quota(quota: Quota) -> str:
    """"29/50", "234/314 GB", "3 (unlimited)"."""
    unit = " GB" if quota.unit in ("MB", "GB") else ""
    if quota.unlimited:
        return f"{_amount(quota.used, quota.unit)}{unit} (unlimited)"
    return f"{_amount(quota.used, quota.unit)}/{_amount(quota.limit, quota.unit)}{unit}"


def fill_class(fraction: float | None) -> str:
    """Colour class for a quota bar: ok below 70 %, warn below 90 %, error from 90 %."""
    if fraction is None:
        return "muted"
    if fraction >= 0.9:
        return "error"
    if fraction >= 0.7:
        return "warn"
    return "ok"


Part = tuple[str, str]  # (text, style: a component name "ok"/"error"/… or a Rich style)
_COMPONENT_STYLES = frozenset({"ok", "warn", "error", "muted", "busy", "bar-empty"})


@dataclass(frozen=True)
class LineSpec:
    """One overview line: a title, a quota bar or a jump target. Text parts are sanitised
    when the spec is built."""

    key: str
    parts: tuple[Part, ...] = ()
    quota: Quota | None = None
    view: str | None = None  # where enter jumps (None: a title, not focusable)
    filter: str = ""


def _spec(key: str, *parts: Part, view: str | None = None, filter_text: str = "") -> LineSpec:
    return LineSpec(key, tuple(parts), view=view, filter=filter_text)


class OverviewColumn(VerticalScroll, inherit_bindings=False):
    """A scrolling column whose arrow keys are left to the screen (they move the focus)."""


class OverviewLine(Widget):
    """A line of the overview; focusable when it leads somewhere."""

    DEFAULT_CSS = """
    OverviewLine { height: 1; width: 1fr; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        f"overview-line--{name}" for name in _COMPONENT_STYLES}

    class Jump(Message):
        """Open ``view`` filtered by ``filter``."""

        def __init__(self, view: str, filter_text: str) -> None:
            super().__init__()
            self.view = view
            self.filter_text = filter_text

    def __init__(self, spec: LineSpec) -> None:
        super().__init__(classes="-title" if spec.view is None else "-item")
        self.spec = spec
        self.can_focus = spec.view is not None

    def update(self, spec: LineSpec) -> None:
        """Show another spec (the same line or a new one at this place)."""
        if spec != self.spec:
            self.spec = spec
            self.can_focus = spec.view is not None
            self.set_class(spec.view is None, "-title")
            self.set_class(spec.view is not None, "-item")
            self.refresh()

    def _style(self, name: str) -> Any:
        if name in _COMPONENT_STYLES:
            return self.get_component_rich_style(f"overview-line--{name}")
        return name

    def render(self) -> Text:
        """The bar, or the line's parts."""
        quota = self.spec.quota
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        if quota is None:
            for text, style in self.spec.parts:
                line.append(text, self._style(style) if style else "")
            return line
        numbers = format_quota(quota)
        width = max(20, self.size.width)
        # The numbers get a column of their own, so every bar has the same length and the
        # bars can be compared by eye (a longer "1,308/1,388 GB" shortened its bar).
        numbers_width = max(NUMBERS_WIDTH, len(numbers))
        bar_width = min(BAR_MAX, max(4, width - LABEL_WIDTH - numbers_width - 3))
        fraction = quota.fraction
        line.append(f" {quota.label:<{LABEL_WIDTH - 1}}")
        css = fill_class(fraction)
        if fraction is None:
            line.append("·" * bar_width, self._style("muted"))
        else:
            filled = min(bar_width, round(bar_width * min(1.0, fraction)))
            if fraction > 0 and filled == 0:
                filled = 1
            line.append("█" * filled, self._style(css))
            line.append("░" * (bar_width - filled), self._style("bar-empty"))
        line.append(f" {numbers:>{numbers_width}}", self._style(css) if css != "ok" else "")
        return line

    def jump(self) -> None:
        """Open the list this line summarises."""
        if self.spec.view is not None:
            self.post_message(self.Jump(self.spec.view, self.spec.filter))

    def on_click(self, event: events.Click) -> None:
        """A click jumps like enter."""
        if self.spec.view is not None:
            self.focus()
            self.jump()


class OverviewScreen(PacedScreen[None]):
    """The overview of the current cloud and project (see module docstring)."""

    HELP_TITLE = "Overview"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh_now", "Refresh", id="overview.refresh"),
        Binding("p", "toggle_pause", "Pause", id="overview.pause"),
        Binding("down,j,tab", "next_line", "Next", show=False, id="overview.next"),
        Binding("up,k,shift+tab", "previous_line", "Previous", show=False,
                id="overview.previous"),
        Binding("right", "other_column", "Other column", show=False, id="overview.right"),
        Binding("left", "other_column", "Other column", show=False, id="overview.left"),
        Binding("enter", "open", "Open", id="overview.open"),
    ]

    class Gathered(Message):
        """A refresh finished (possibly with failed sources)."""

        def __init__(self, overview: Overview, data: OverviewData,
                     partial: bool = False) -> None:
            super().__init__()
            self.overview = overview
            self.data = data
            self.partial = partial  # a first refresh, part way: show what there is

    class GatherFailed(Message):
        """The refresh could not run at all."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self) -> None:
        super().__init__(name="overview")
        self.overview: Overview | None = None
        self.data: OverviewData | None = None
        self.paused = False
        self._active = False
        self._busy = False
        self._timer: Timer | None = None
        self._failures = 0
        self._fresh = Freshness("connecting")
        self._changes_seen = -1

    @property
    def freshness(self) -> Freshness:
        """How fresh what the screen shows is ("loading", "fresh", "stale" …)."""
        return self._fresh

    @property
    def tui(self) -> ConsoleHost:
        """The app, as the screens may use it (never the concrete class)."""
        return console_host(self)

    def compose(self) -> ComposeResult:
        """Header, two columns (quotas | statuses, errors, changes), footer."""
        yield StatusHeader()
        with Horizontal(id="overview-columns"):
            yield OverviewColumn(id="overview-left", can_focus=False)
            yield OverviewColumn(id="overview-right", can_focus=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Title and identity; the columns fill on the first refresh."""
        header = self.query_one(StatusHeader)
        header.view_title = "Overview"
        header.identity = self.tui.identity
        self._show(None)
        self.set_interval(5.0, self._redraw_changes)
        self.set_interval(0.5, self._check_session)

    def _check_session(self) -> None:
        """Another cloud, project or region: refresh now, not at the next interval."""
        session = self.tui.session
        if (self._active and not self._busy and session is not None
                and self.overview is not None and self.overview.session is not session):
            self.refresh_now()

    # -- visibility and polling ---------------------------------------------------------------
    def on_screen_resume(self) -> None:
        """Refresh when shown."""
        self._active = True
        self.query_one(StatusHeader).identity = self.tui.identity
        self.refresh_now()

    def on_screen_suspend(self) -> None:
        """No refresh while hidden."""
        self._active = False
        self._stop_timer()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def interval(self) -> float:
        """Seconds between refreshes: --refresh, else the settings file's ``refresh.overview``,
        else 15 s (not the lists' shorter default: one refresh costs six requests)."""
        app = self.tui
        if app.options.refresh is None and "overview" not in app.settings.refresh:
            return max(OVERVIEW_REFRESH, app.refresh_for("overview"))
        return app.refresh_for("overview")

    def refresh_now(self) -> None:
        """Refresh at once unless a refresh is running; wait for the connection if needed."""
        if not self._active or self._busy:
            return
        self._stop_timer()
        session = self.tui.session
        if session is None:
            self._timer = self.set_timer(0.25, self.refresh_now)
            return
        if self.overview is None or self.overview.session is not session:
            from tuicloud.cloud.overview import Overview

            self.overview = Overview(session, self.tui.changes)
            self.data = None
            self._show(None)  # nothing of the previous cloud or project stays
            self._fresh = Freshness("loading")
            self.query_one(StatusHeader).freshness = self._fresh
        self._busy = True
        self._gather_worker(self.overview)

    def _schedule_next(self) -> None:
        if not self._active or self.paused:
            return
        self._timer = self.set_timer(retry_delay(self.interval(), self._failures),
                                     self.refresh_now)

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def _gather_worker(self, overview: Overview) -> None:
        first = overview.data.sources == {}

        def progress(partial: OverviewData) -> None:
            if first:  # later refreshes already show everything
                self.post_message(self.Gathered(overview, partial, partial=True))

        try:
            data = overview.gather(progress)
        except Exception as error:  # noqa: BLE001 - a refresh must never kill the app
            log.exception("overview: gathering failed")
            self.post_message(self.GatherFailed(f"{error.__class__.__name__}: {error}"))
            return
        self.post_message(self.Gathered(overview, data))

    @on(Gathered)
    def _gathered(self, message: Gathered) -> None:
        if message.partial:
            if message.overview is self.overview and self.data is None:
                self._show(message.data)
            return
        self._busy = False
        if message.overview is not self.overview:
            self.refresh_now()  # the session changed meanwhile
            return
        data = message.data
        self.data = data
        failures = data.failures
        if failures:
            self._failures += 1
            error = "; ".join(f"{_SOURCE_LABELS.get(k, k)}: {v}" for k, v in failures.items())
            self._set_stale(error)
        else:
            self._failures = 0
            self._set_fresh(Freshness("paused" if self.paused else "fresh",
                                      updated_at=time.time(), elapsed_ms=data.elapsed * 1000))
        self._show(data)
        self._schedule_next()

    @on(GatherFailed)
    def _gather_failed(self, message: GatherFailed) -> None:
        self._busy = False
        self._failures += 1
        self._set_stale(message.error)
        self._schedule_next()

    def _set_stale(self, error: str) -> None:
        previous = self._fresh
        since = previous.stale_since if previous.state == "stale" else time.time()
        self._set_fresh(Freshness("stale", updated_at=previous.updated_at,
                                  elapsed_ms=previous.elapsed_ms, stale_since=since,
                                  error=error))

    def _set_fresh(self, fresh: Freshness) -> None:
        self._fresh = fresh
        self.set_class(fresh.state == "stale", "-stale")
        self.query_one(StatusHeader).freshness = fresh

    # -- drawing ------------------------------------------------------------------------------
    def _redraw_changes(self) -> None:
        """Changes recorded by the list views show up (and old ones age out) between polls."""
        if self._active and self.tui.changes.version != self._changes_seen:
            self._show(self.data)

    def _show(self, data: OverviewData | None) -> None:
        with self.app.batch_update():
            lines = self._sync(self.query_one("#overview-left", OverviewColumn),
                               self._left_lines(data))
            lines += self._sync(self.query_one("#overview-right", OverviewColumn),
                                self._right_lines(data))
        if data is not None and self.focused is None and self._active:
            first = next((line for line in lines if line.can_focus), None)
            if first is not None:
                self._focus(first)

    def _focus(self, line: OverviewLine) -> None:
        if line.is_mounted:
            line.focus()
        else:
            self.call_after_refresh(line.focus)  # mounted just now

    def _sync(self, column: OverviewColumn, specs: list[LineSpec]) -> list[OverviewLine]:
        """Show ``specs`` in the column, reusing its lines in place (a rebuild would drop the
        focus); the focus stays on the line with the same key. Returns the lines shown."""
        old = list(column.query_children(OverviewLine))
        focused = self.focused
        focused_key: str | None = None
        index = 0
        if isinstance(focused, OverviewLine) and focused in old:
            focused_key, index = focused.spec.key, old.index(focused)
        kept = old[:len(specs)]
        for line, spec in zip(kept, specs, strict=False):
            line.update(spec)
        added = [OverviewLine(spec) for spec in specs[len(kept):]]
        if added:
            column.mount_all(added)
        for line in old[len(specs):]:
            line.remove()
        lines = kept + added
        if focused_key is not None:
            target = next((n for n in lines if n.spec.key == focused_key), None)
            if target is None:  # gone: the line now at its place, or the last one
                target = next((n for n in lines[index:] if n.can_focus), None) or next(
                    (n for n in reversed(lines) if n.can_focus), None)
            if target is not None and target is not focused:
                self._focus(target)
        return lines

    def _left_lines(self, data: OverviewData | None) -> list[LineSpec]:
        specs = [_spec("quotas-title", (" Quotas", "bold"))]
        if data is None:
            specs.append(_spec("quotas-wait", (" …", "")))
            return specs
        quotas = data.all_quotas()
        for quota in quotas:
            specs.append(LineSpec(f"quota-{quota.key}", quota=quota, view=quota.view))
        for source in ("compute", "block-storage", "network"):
            state = data.sources.get(source)
            if state is None:
                continue
            label = _SOURCE_LABELS[source]
            if state.state == "absent":
                specs.append(_spec(f"absent-{source}", (f" {label}: not offered", "dim")))
            elif state.state == "failed" and not data.quotas.get(source):
                specs.append(_spec(f"failed-{source}",
                                   (f" {label}: {sanitize_text(state.error)}", "error")))
        if len(specs) == 1:
            specs.append(_spec("quotas-none", (" no quota information", "dim")))
        if data.operator is not None:
            specs.append(_spec("gap-operator"))
            specs += operator_lines(data.operator)
        return specs

    def _counts(self, kind_name: str, title: str, counts: dict[str, int] | None,
                data: OverviewData) -> list[LineSpec]:
        from tuicloud.cloud.kinds.registry import kind_for

        state = data.sources.get(kind_name)
        if counts is None:
            note = "not offered" if state is not None and state.state == "absent" else (
                sanitize_text(state.error) if state is not None and state.error else "…")
            return [_spec(f"{kind_name}-title", (f" {title}: {note}", "dim"))]
        total = sum(counts.values())
        specs = [_spec(f"{kind_name}-total", (f" {title} {total:,}", "bold"), view=kind_name)]
        kind = kind_for(kind_name)
        for status, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            shown = sanitize_text(status, max_len=24)
            specs.append(_spec(f"{kind_name}-status-{status}",
                               (f"   {shown:<{LABEL_WIDTH + 4}}", kind.status_class(status) or ""),
                               (f"{count:>7,}", ""), view=kind_name, filter_text=status))
        return specs

    def _right_lines(self, data: OverviewData | None) -> list[LineSpec]:
        if data is None:
            return [_spec("right-wait", (" …", ""))]
        specs = self._counts("servers", "Servers", data.server_counts, data)
        specs.append(_spec("gap-1"))
        specs += self._counts("volumes", "Volumes", data.volume_counts, data)
        specs.append(_spec("gap-2"))
        specs += self._object_store_lines(data)
        specs.append(_spec("errors-title", (f" In ERROR {len(data.problems)}", "bold")))
        if not data.problems:
            specs.append(_spec("errors-none", ("   nothing", "dim")))
        for problem in data.problems[:50]:
            name = sanitize_text(problem.name, max_len=40)
            why = sanitize_text(problem.message or f"{problem.kind[:-1]} {problem.status}",
                                max_len=300)
            specs.append(_spec(f"problem-{problem.kind}-{problem.resource_id}",
                               (f"   {name}", "error"), (f"  {why}", ""),
                               view=problem.kind, filter_text=problem.name))
        specs.append(_spec("gap-3"))
        specs += self._change_lines()
        return specs

    def _object_store_lines(self, data: OverviewData) -> list[LineSpec]:
        """The account's containers, objects and bytes; nothing when the cloud has no object
        storage (a failed read shows why, under the title)."""
        totals = data.object_store
        state = data.sources.get("object-store")
        if totals is None and state is None:
            return []
        specs = [_spec("object-store-title", (" Object storage", "bold"), view="containers")]
        if totals is None:
            note = sanitize_text(state.error) if state is not None and state.error else "…"
            specs.append(_spec("object-store-note", (f"   {note}", "dim")))
        else:
            size = _amount(totals.bytes, "B")
            if totals.quota_bytes is not None:
                size += f" of {_amount(totals.quota_bytes, 'B')}"
            for key, label, value in (("containers", "containers", f"{totals.containers:,}"),
                                      ("objects", "objects", f"{totals.objects:,}"),
                                      ("bytes", "bytes", size)):
                specs.append(_spec(f"object-store-{key}", (f"   {label:<{LABEL_WIDTH + 4}}", ""),
                                   (f"{value:>7}", ""), view="containers"))
        specs.append(_spec("gap-os"))
        return specs

    def _change_lines(self) -> list[LineSpec]:
        changes = self.tui.changes
        specs = [_spec("changes-title", (f" Changes, last {RECENT_MINUTES} min", "bold"))]
        session = self.tui.session
        if session is None:
            return specs
        from tuicloud.cloud.changes import ChangeLog

        self._changes_seen = changes.version
        recent: list[Change] = changes.recent(ChangeLog.scope_of(session),
                                              time.time() - RECENT_MINUTES * 60, limit=30)
        if not recent:
            specs.append(_spec("changes-none", ("   none seen", "dim")))
        for change in recent:
            css = "error" if change.new.upper() == "ERROR" else (
                "muted" if change.event == "deleted" else "ok")
            name = sanitize_text(change.name or change.resource_id[:8], max_len=40)
            specs.append(_spec(
                f"change-{change.kind}-{change.resource_id}-{change.at}-{change.new}",
                (f"   {time.strftime('%H:%M', time.localtime(change.at))} ", "dim"),
                (f"{change.kind[:-1]:<7} ", ""), (name, ""),
                (f"  {sanitize_text(change.describe())}", css),
                view=change.kind, filter_text="" if change.event == "deleted" else change.name))
        return specs

    # -- keys ---------------------------------------------------------------------------------
    @on(OverviewLine.Jump)
    def _jump(self, message: OverviewLine.Jump) -> None:
        self.tui.show_filtered(message.view, message.filter_text)

    def action_open(self) -> None:
        """enter: open what the focused line summarises."""
        focused = self.focused
        if isinstance(focused, OverviewLine):
            focused.jump()

    def action_next_line(self) -> None:
        """down/j: the next line that leads somewhere."""
        self.focus_next(OverviewLine)

    def action_previous_line(self) -> None:
        """up/k: the previous one."""
        self.focus_previous(OverviewLine)

    def action_refresh_now(self) -> None:
        """`r`: refresh at once."""
        self.refresh_now()

    def action_toggle_pause(self) -> None:
        """`p`: pause or resume the live refresh."""
        self.paused = not self.paused
        if self.paused:
            self._stop_timer()
            self._set_fresh(Freshness("paused", updated_at=self._fresh.updated_at,
                                      elapsed_ms=self._fresh.elapsed_ms))
            self.notify("Live refresh paused (p resumes)")
        else:
            self.notify("Live refresh resumed")
            self.refresh_now()

    def action_other_column(self) -> None:
        """left/right: the first line of the other column."""
        focused = self.focused
        left = self.query_one("#overview-left", OverviewColumn)
        in_left = focused is not None and left in focused.ancestors
        other = self.query_one("#overview-right" if in_left else "#overview-left",
                               OverviewColumn)
        for line in other.query_children(OverviewLine):
            if line.can_focus:
                line.focus()
                return


_SERVICE_TITLES = {"compute-services": "Compute", "volume-services": "Block storage",
                   "network-agents": "Network agents"}


def _percent(fraction: float | None) -> str:
    return "  — " if fraction is None else f"{fraction * 100:>3.0f}%"


def operator_lines(health: OperatorHealth) -> list[LineSpec]:
    """The cloud's own health, for admins: services down (each named), the busiest hosts,
    ERROR servers in every project, migrations running; each line opens its view."""
    from tuicloud.cloud.operator_health import ERROR_LIMIT

    specs = [_spec("operator-title", (" Cloud health (admin)", "bold"))]
    for view, service in sorted(health.services.items()):
        state = (f"{service.up} up · {len(service.down)} down" if service.down
                 else f"{service.up} up")
        if service.disabled:
            state += f" · {service.disabled} disabled"
        title = _SERVICE_TITLES.get(view, service.title)
        specs.append(_spec(f"op-{view}", (f" {title:<{LABEL_WIDTH + 2}} ", ""),
                           (state, "error" if service.down else "ok"),
                           view=view, filter_text="down" if service.down else ""))
        for name in service.down[:10]:
            specs.append(_spec(f"op-{view}-{name}", (f"   {sanitize_text(name, max_len=60)}",
                                                     "error"), view=view, filter_text="down"))
    for source, why in sorted(health.errors.items()):
        specs.append(_spec(f"op-failed-{source}",
                           (f" {source}: {sanitize_text(why, max_len=200)}", "error")))
    if health.busiest:
        specs.append(_spec("op-busiest", (" Busiest hosts", "bold"), view="hypervisors"))
        for load in health.busiest:
            # The short name: a domain suffix would push the figures off an 80-column screen.
            host = sanitize_text(load.host.split(".")[0], max_len=LABEL_WIDTH)
            specs.append(_spec(f"op-host-{load.host}", (f"   {host:<{LABEL_WIDTH}} ", ""),
                               (f"vCPU {_percent(load.vcpus)} RAM {_percent(load.ram)}",
                                fill_class(load.fullest)),
                               view="hypervisors", filter_text=load.host))
    if health.error_servers is not None:
        count = len(health.error_servers)
        shown = f"{count}+" if count >= ERROR_LIMIT else str(count)
        specs.append(_spec("op-errors", (" ERROR servers, all projects ", "bold"),
                           (shown, "error" if count else "ok")))
        for ident, name, _project in health.error_servers[:5]:
            specs.append(_spec(f"op-error-{ident}",
                               (f"   {sanitize_text(name, max_len=40)}", "error")))
    if health.migrations is not None:
        specs.append(_spec("op-migrations", (" Migrations in progress ", "bold"),
                           (str(len(health.migrations)), ""), view="migrations"))
        for server, status, route in health.migrations[:10]:
            specs.append(_spec(f"op-mig-{server}",
                               (f"   {server[:8]} {sanitize_text(status, max_len=16)}", ""),
                               (f"  {sanitize_text(route, max_len=60)}", "dim"),
                               view="migrations", filter_text=server))
    return specs
