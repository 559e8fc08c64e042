"""Detail view of one resource: grouped fields, related resources, and the raw JSON with `y`."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
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
    from tuicloud.cloud.kinds.base import ResourceKind

MAX_VALUE = 2000  # a 10,000-character name must not push everything else off the screen


class DetailScreen(Screen[None]):
    """Fetches one resource in a worker and shows it; `y` toggles the raw JSON."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="detail.back"),
        Binding("y", "toggle_raw", "Raw JSON", id="detail.raw"),
        Binding("r", "reload", "Reload", id="detail.reload"),
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
            body.update(Text(sanitize_text(text, keep_newlines=True)))
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
    return key.replace("_", " ").capitalize() if "_" in key or key.islower() else key


def _related(title: str, items: list[dict[str, Any]]) -> Table:
    table = Table(title=_title(title), title_justify="left", box=None, expand=True,
                  padding=(0, 1),
                  title_style="bold")
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
