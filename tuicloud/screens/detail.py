"""Detail view of one resource: grouped fields, related resources, and the raw JSON with `y`."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.highlighter import JSONHighlighter
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tuicloud.model.freshness import Freshness
from tuicloud.screens.host import ConsoleHost, connected, console_host, lookups_of
from tuicloud.widgets.key_footer import KeyFooter
from tuicloud.widgets.sanitize import safe_text, sanitize_text
from tuicloud.widgets.status_header import StatusHeader

log = logging.getLogger("tuicloud.screens.detail")

if TYPE_CHECKING:
    from tuicloud.cloud.kinds.base import Jump, ResourceKind
    from tuicloud.screens.resource_list import ResourceListScreen

MAX_VALUE = 600  # wrapped: a 10,000-character value must not push the rest off the screen


class DetailScreen(Screen[None]):
    """Fetches one resource in a worker and shows it; `y` toggles the raw JSON."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="detail.back"),
        Binding("y", "toggle_raw", "Raw JSON", id="detail.raw"),
        Binding("r", "reload", "Reload", id="detail.reload"),
        # What the list offers on this resource, from here too (the list below acts).
        Binding("a", "on_list('actions_menu')", "Actions", id="detail.actions"),
        Binding("ctrl+d", "on_list('delete')", "Delete", id="detail.delete"),
        Binding("l", "on_list('console_log')", "Console log", id="detail.console_log"),
        Binding("s", "on_list('ssh')", "SSH", id="detail.ssh"),
        Binding("J", "related", "Related", id="detail.related",
                tooltip="Open what this resource points at (a volume's server …)"),
    ]

    class Loaded(Message):
        """The resource (and its related resources) arrived."""

        def __init__(self, raw: dict[str, Any], related: dict[str, list[dict[str, Any]]]) -> None:
            super().__init__()
            self.raw = raw
            self.related = related

    class Failed(Message):
        """Fetching the resource failed."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, kind: ResourceKind, resource_id: str) -> None:
        super().__init__()
        self.kind = kind
        self.resource_id = resource_id
        self.raw: dict[str, Any] | None = None
        self.related: dict[str, list[dict[str, Any]]] = {}
        self.show_raw = False

    @property
    def tui(self) -> ConsoleHost:
        """The app, as the screens may use it (never the concrete class)."""
        return console_host(self)

    def compose(self) -> ComposeResult:
        """Header, scrollable body, footer."""
        yield StatusHeader()
        with VerticalScroll(id="detail-scroll"):
            yield Static(Text("loading…"), id="detail-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Start the fetch."""
        header = self.query_one(StatusHeader)
        header.identity = self.tui.identity
        header.view_title = f"{self._singular()} {sanitize_text(self.resource_id, max_len=40)}"
        header.freshness = Freshness("loading")
        self.query_one("#detail-scroll").focus()
        self._fetch()

    def _list_below(self) -> ResourceListScreen | None:
        from tuicloud.screens.resource_list import ResourceListScreen

        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 and stack[-1] is self else None
        if isinstance(below, ResourceListScreen) and below.kind.name == self.kind.name:
            return below
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The list's keys only where the list would offer them for this kind."""
        if action == "on_list":
            below = self._list_below()
            return below is not None and below.check_action(str(parameters[0]), ()) is True
        return True

    def action_on_list(self, action: str) -> None:
        """Back to the list with this resource under the cursor, and run the list's action
        there (the menu, the confirmation, the console and ssh all live in the list)."""
        below = self._list_below()
        if below is None:
            return
        if below.table.marked:  # the list would act on the marked rows, not on this one
            self.notify("Rows are marked in the list: clear them (esc) or act from the list",
                        severity="warning")
            return
        below.table.cursor_id = self.resource_id
        if below.table.cursor_id != self.resource_id:
            self.notify("This resource is not in the list as filtered: clear the filter",
                        severity="warning")
            return
        self.app.pop_screen()
        self.app.call_later(below.run_action, action)

    def related_jumps(self) -> list[Jump]:
        """What this resource points at, once it is loaded."""
        if self.raw is None or self.kind.jumps is None:
            return []
        return self.kind.jumps(self.raw, lookups_of(self.tui))

    def action_related(self) -> None:
        """`J` (jump): a related resource in its own view (one: at once; several: pick)."""
        from tuicloud.screens.related_menu import RelatedMenu

        jumps = self.related_jumps()
        if not jumps:
            self.notify("Nothing related to open here", timeout=3)
        elif len(jumps) == 1:
            self.open_jump(jumps[0])
        else:
            self.app.push_screen(RelatedMenu(jumps), self._picked)

    def _picked(self, jump: Jump | None) -> None:
        if jump is not None:
            self.open_jump(jump)

    def open_jump(self, jump: Jump) -> None:
        """That resource's detail, on top of its kind's list (`esc` there, `-` back here)."""
        from tuicloud.cloud.kinds.registry import kind_for

        kind = kind_for(jump.kind)
        mounted = self.app.switch_mode(kind.name)
        app = self.app

        async def show() -> None:
            await mounted  # a view opened for the first time composes first
            app.push_screen(DetailScreen(kind, jump.ident))

        app.call_later(show)

    def _singular(self) -> str:
        title = self.kind.title
        return title[:-1] if title.endswith("s") else title

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _fetch(self) -> None:
        from tuicloud.cloud.detail import fetch_detail
        from tuicloud.cloud.errors import CloudError

        try:
            raw, related = fetch_detail(connected(self.tui.session), self.kind, self.resource_id)
            self.post_message(self.Loaded(raw, related))
        except CloudError as error:
            self.post_message(self.Failed(str(error)))
        except Exception as error:  # noqa: BLE001 - never crash the app on a detail fetch
            log.exception("detail of %s %s failed", self.kind.name, self.resource_id)
            self.post_message(self.Failed(f"{error.__class__.__name__}: {error}"))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        import time

        self.raw, self.related = message.raw, message.related
        header = self.query_one(StatusHeader)
        name = message.raw.get("name")
        if isinstance(name, str) and name:
            header.view_title = f"{self._singular()} {sanitize_text(name, max_len=40)}"
        header.freshness = Freshness("fresh", updated_at=time.time())
        self._render_body()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        import time

        self.query_one(StatusHeader).freshness = Freshness(
            "stale", stale_since=time.time(), error=message.error)
        if self.raw is None:
            self.query_one("#detail-body", Static).update(safe_text(message.error))

    def _render_body(self) -> None:
        if self.raw is None:
            return
        body = self.query_one("#detail-body", Static)
        if self.show_raw:
            text = json.dumps(self.raw, indent=2, sort_keys=True, ensure_ascii=False)
            # Coloured by Rich's JSON highlighter over the sanitised text (never parsed as
            # markup): keys, strings, numbers and null read apart.
            body.update(JSONHighlighter()(Text(sanitize_text(text, keep_newlines=True))))
            return
        parts: list[Any] = []
        for title, fields in self.kind.detail_sections(self.raw, lookups_of(self.tui)):
            parts.append(_section(title, fields))
        for title, items in self.related.items():
            parts.append(_related(title, items))
        body.update(Group(*parts))

    def action_toggle_raw(self) -> None:
        """`y`: raw JSON ⇄ grouped fields."""
        self.show_raw = not self.show_raw
        self._render_body()

    def action_reload(self) -> None:
        """`r`: fetch again."""
        self._fetch()


def _section(title: str, fields: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None,
                  padding=(0, 1), title_style="bold")
    table.add_column("field", style="bold", no_wrap=True, width=22)
    table.add_column("value", overflow="fold")
    for name, value in fields:
        if value in ("", None) and len(fields) > 1:
            continue  # empty fields only push the useful ones off a 24-line screen
        table.add_row(safe_text(name), _wrapping(str(value), MAX_VALUE))
    return table


def _wrapping(value: str, max_len: int) -> Text:
    """A value that wraps at the edge (a fault message, an id, a MAC keeps its end); one cut
    at ``max_len`` ends with "…"."""
    text = safe_text(value, max_len=max_len)
    text.no_wrap = False
    text.overflow = "fold"
    return text


def _title(key: str) -> str:
    """A related list's title as a label: "volume_attachments" reads "Volume attachments"."""
    return key.replace("_", " ").capitalize()


def _related(title: str, items: list[dict[str, Any]]) -> Table:
    table = Table(title=_title(title), title_justify="left", box=None, expand=True,
                  padding=(0, 1), title_style="bold")
    if not items:
        table.add_column("")
        table.add_row(Text("none", style="dim"))
        return table
    keys = list(items[0].keys())[:6]
    for key in keys:
        table.add_column(safe_text(key), overflow="fold")
    for item in items[:50]:
        table.add_row(*(_wrapping(_short(item.get(k)), 200) for k in keys))
    return table


def _short(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
