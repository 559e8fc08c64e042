"""Detail view of one resource: grouped fields, related resources, and the raw JSON with `y`,
searched with `/` (`n`/`N` move between matches)."""

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
from textual.widgets import Input, Static

from tuicloud.model.freshness import Freshness
from tuicloud.screens.host import ConsoleHost, connected, console_host, lookups_of
from tuicloud.widgets.key_footer import KeyFooter
from tuicloud.widgets.sanitize import safe_text, sanitize_text
from tuicloud.widgets.status_header import StatusHeader
from tuicloud.widgets.text_search import find_matches, wrapped_row
from tuicloud.widgets.textual_compat import PacedScreen

log = logging.getLogger("tuicloud.screens.detail")

if TYPE_CHECKING:
    from tuicloud.cloud.kinds.base import Jump, ResourceKind
    from tuicloud.screens.resource_list import ResourceListScreen

MAX_VALUE = 600  # wrapped: a 10,000-character value must not push the rest off the screen


class DetailScreen(PacedScreen[None]):
    """Fetches one resource in a worker and shows it; `y` toggles the raw JSON."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("y", "toggle_raw", "Raw JSON", id="detail.raw"),
        Binding("slash", "search", "Search", id="detail.search",
                tooltip="Search the raw JSON"),
        Binding("n", "next_match(1)", "Next", id="detail.next_match"),
        Binding("N", "next_match(-1)", "Prev", id="detail.previous_match"),
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

    COMPONENT_CLASSES: ClassVar[set[str]] = {"detail--match", "detail--current-match"}

    def __init__(self, kind: ResourceKind, resource_id: str) -> None:
        super().__init__()
        self.kind = kind
        self.resource_id = resource_id
        self.raw: dict[str, Any] | None = None
        self.related: dict[str, list[dict[str, Any]]] = {}
        self.show_raw = False
        self.search_text = ""
        self.matches: list[tuple[int, int]] = []
        self.match_index = 0
        self._title = ""  # the header's title without the search's count
        self._raw_plain = ""  # the raw JSON as shown (sanitised), what the search looks in

    @property
    def tui(self) -> ConsoleHost:
        """The app, as the screens may use it (never the concrete class)."""
        return console_host(self)

    def compose(self) -> ComposeResult:
        """Header, scrollable body, footer."""
        yield StatusHeader()
        with VerticalScroll(id="detail-scroll"):
            yield Static(Text("loading…"), id="detail-body")
        yield Input(placeholder="search the raw JSON (enter keeps it, esc clears it)",
                    id="detail-search")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Start the fetch."""
        header = self.query_one(StatusHeader)
        header.identity = self.tui.identity
        self._set_title(f"{self._singular()} {sanitize_text(self.resource_id, max_len=40)}")
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
        """The list's keys only where the list would offer them for this kind; `n`/`N` only
        while a search has matches."""
        if action == "on_list":
            below = self._list_below()
            return below is not None and below.check_action(str(parameters[0]), ()) is True
        if action == "next_match":
            return bool(self.matches)
        return True

    def key_label(self, binding: Binding) -> str | None:
        """`y` says what it shows next (the footer asks)."""
        if binding.id == "detail.raw" and self.show_raw:
            return "Fields"
        return None

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
        name = message.raw.get(self.kind.name_key or "name")
        if isinstance(name, str) and name:
            self._set_title(f"{self._singular()} {sanitize_text(name, max_len=40)}")
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
            self._raw_plain = sanitize_text(text, keep_newlines=True)
            self.matches = find_matches(self._raw_plain, self.search_text)
            self.match_index = min(self.match_index, max(0, len(self.matches) - 1))
            self._show_raw_text()
            self._show_count()
            return
        parts: list[Any] = []
        for title, fields in self.kind.detail_sections(self.raw, lookups_of(self.tui)):
            parts.append(_section(title, fields))
        for title, items in self.related.items():
            parts.append(_related(title, items))
        body.update(Group(*parts))

    def _show_raw_text(self) -> None:
        # Coloured by Rich's JSON highlighter over the sanitised text (never parsed as
        # markup): keys, strings, numbers and null read apart; then the search's matches.
        text = JSONHighlighter()(Text(self._raw_plain))
        match_style = self.get_component_rich_style("detail--match")
        current_style = self.get_component_rich_style("detail--current-match")
        for index, (start, end) in enumerate(self.matches):
            text.stylize(current_style if index == self.match_index else match_style,
                         start, end)
        self.query_one("#detail-body", Static).update(text)

    def action_toggle_raw(self) -> None:
        """`y`: raw JSON ⇄ grouped fields."""
        self.show_raw = not self.show_raw
        if not self.show_raw:
            self.matches = []  # the fields view has no highlights: n/N would move nothing
            self._show_count()
        self._render_body()
        self.refresh_bindings()

    # -- search ---------------------------------------------------------------------------
    def action_search(self) -> None:
        """`/`: search the raw JSON (shown for it), matches highlighted as you type."""
        bar = self.query_one("#detail-search", Input)
        bar.value = self.search_text
        bar.add_class("-visible")
        bar.focus()
        if not self.show_raw:
            self.action_toggle_raw()

    @on(Input.Changed, "#detail-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#detail-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._close_search_bar()
        if self.search_text and not self.matches:
            self.notify(f"Not found: {sanitize_text(self.search_text, max_len=60)}",
                        timeout=3)

    def _close_search_bar(self) -> None:
        self.query_one("#detail-search", Input).remove_class("-visible")
        self.query_one("#detail-scroll").focus()

    def _search(self, text: str) -> None:
        self.search_text = text
        self.match_index = 0
        if self.raw is None or not self.show_raw:
            return
        self.matches = find_matches(self._raw_plain, text)
        self._show_raw_text()
        self._show_count()
        self._scroll_to_match()
        self.refresh_bindings()

    def action_next_match(self, step: int) -> None:
        """`n` / `N`: the next or previous match, round the end."""
        if not self.matches:
            return
        self.match_index = (self.match_index + step) % len(self.matches)
        self._show_raw_text()
        self._show_count()
        self._scroll_to_match()

    def _scroll_to_match(self) -> None:
        if not self.matches:
            return
        scroll = self.query_one("#detail-scroll", VerticalScroll)
        body = self.query_one("#detail-body", Static)
        row = wrapped_row(self._raw_plain, self.matches[self.match_index][0],
                          body.content_region.width, self.app.console)
        scroll.scroll_to(y=max(0, row - scroll.size.height // 3), animate=False)

    def _set_title(self, title: str) -> None:
        self._title = title
        self._show_count()

    def _show_count(self) -> None:
        """The header: the title, then where the search stands ("/web 2 of 5")."""
        title = self._title
        if self.search_text and self.show_raw:
            where = (f"{self.match_index + 1} of {len(self.matches)}" if self.matches
                     else "not found")
            title += f"  /{sanitize_text(self.search_text, max_len=30)} {where}"
        self.query_one(StatusHeader).view_title = title

    def action_back(self) -> None:
        """esc: close the search bar, then clear the search, then back to the list."""
        bar = self.query_one("#detail-search", Input)
        if bar.has_class("-visible"):
            self._close_search_bar()
            self._search("")
        elif self.search_text:
            self._search("")
        else:
            self.app.pop_screen()

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
