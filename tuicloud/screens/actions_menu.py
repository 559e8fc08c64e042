"""`a`: the actions menu. Fetches the current state of the resources (one GET each, in a
worker), lists every action of the kind, greys out those that cannot run now with the reason,
and filters as you type."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tuicloud.cloud import operations as ops
from tuicloud.screens.confirm import command_line
from tuicloud.screens.host import console_host
from tuicloud.screens.prompts import matches
from tuicloud.widgets.sanitize import sanitize_text

log = logging.getLogger("tuicloud.actions")

if TYPE_CHECKING:
    from tuicloud.cloud.operations import Operation, Raw

READ_ONLY = "read-only"
REREAD_SECONDS = 3.0  # the targets' state is read again this often while the menu is open
REREAD_MAX = 10  # rows; more marked rows are read once (one GET each)


@dataclass
class MenuChoice:
    """What the user picked: an operation (or a form, see ``FORMS``) and the current
    documents of its targets."""

    op: Operation | None
    raws: list[Raw]
    form: str | None = None


# Entries that open another helper's form instead of running an operation: (id, label).
FORMS: dict[str, list[tuple[str, str]]] = {"images": [("form.image_edit", "Edit…")]}


def availability(op: Operation, raws: list[Raw], read_only: bool) -> tuple[list[Raw], str | None]:
    """(the targets it can run on, why not when it can run on none)."""
    if read_only:
        return [], READ_ONLY
    if op.single and len(raws) > 1:
        return [], "one at a time"
    usable = [raw for raw in raws if op.unavailable(raw) is None]
    if usable:
        return usable, None
    if not raws:
        return [], "the resources are gone"
    reasons = {op.unavailable(raw) or "" for raw in raws}
    return [], reasons.pop() if len(reasons) == 1 else "not possible for any marked row"


def fetch_all(session: Any, kind: str, ids: list[str]) -> tuple[list[Raw], list[str]]:
    """The current documents (one GET each) and the ids found gone (blocking)."""
    raws: list[Raw] = []
    gone: list[str] = []
    for ident in ids:
        raw = ops.fetch(session, kind, ident)
        if raw is None:
            gone.append(ident)
        else:
            raws.append(raw)
    return raws, gone


class ActionsMenu(ModalScreen["MenuChoice | None"]):
    """The actions valid now for one resource or all marked ones (bulk)."""

    CSS_PATH = "ops.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="actions.cancel"),
        Binding("ctrl+y", "copy_command", "Copy command", id="actions.copy"),
        Binding("down", "move(1)", "Down", show=False, id="actions.down"),
        Binding("up", "move(-1)", "Up", show=False, id="actions.up"),
    ]

    def __init__(self, kind: str, ids: list[str], label: str, *, read_only: bool,
                 admin: bool = False) -> None:
        super().__init__()
        self.kind = kind
        self.admin = admin  # admin-only operations are not even listed for others
        self.ids = ids
        self.target_label = label
        self.read_only = read_only
        self.raws: list[Raw] | None = None
        self._unavailable: dict[str, str] = {}  # entry id -> why it cannot run now
        self._auto_highlight: str | None = None  # where _fill put the highlight itself

    def compose(self) -> ComposeResult:
        """Title, filter, the list of actions, the highlighted action's command."""
        with Vertical(id="actions-box"):
            yield Static(Text(f"Actions: {sanitize_text(self.target_label, max_len=60)}"),
                         classes="ops-title", id="actions-title")
            yield Input(placeholder="type to filter actions", id="actions-filter")
            yield Static("reading the current state…", classes="ops-hint", id="actions-status")
            yield OptionList(id="actions-list")
            yield Static(classes="ops-command", id="actions-command")

    def on_mount(self) -> None:
        """List the actions at once (greyed while loading) and fetch the current state, again
        while the menu stays open (it said "spawning" long after the server was ACTIVE)."""
        self._fill("")
        self._fetch()
        if len(self.ids) <= REREAD_MAX:
            self.set_interval(REREAD_SECONDS, self._fetch)

    @work(thread=True, exclusive=True, group="actions-fetch", exit_on_error=False)
    def _fetch(self) -> None:
        from tuicloud.cloud.errors import CloudError

        session = console_host(self).session
        if session is None:
            self.app.call_from_thread(self._failed, "not connected to a cloud")
            return
        try:
            raws, gone = fetch_all(session, self.kind, self.ids)
        except CloudError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        except Exception as error:  # noqa: BLE001 - never leave the menu saying "reading…"
            log.exception("actions menu: reading the current state failed")
            self.app.call_from_thread(self._failed, f"{error.__class__.__name__}: {error}")
            return
        self.app.call_from_thread(self._fetched, raws, gone)

    def _failed(self, error: str) -> None:
        if not self.is_attached:
            return  # closed while the state was read
        status = self.query_one("#actions-status", Static)
        status.update(Text(f"cannot read the current state: {sanitize_text(error)}"))
        status.set_classes("ops-error")

    def _fetched(self, raws: list[Raw], gone: list[str]) -> None:
        if not self.is_attached:
            return  # closed while the state was read
        self.raws = raws
        words = []
        if self.read_only:
            words.append("read-only session: nothing can be changed")
        if gone:
            words.append(f"{len(gone)} gone meanwhile")
        if len(self.ids) > 1:
            words.insert(0, f"{len(raws)} marked")
        words.append("enter runs · ctrl+y copies the command · esc closes")
        self.query_one("#actions-status", Static).update(" · ".join(words))
        self._fill(self.query_one("#actions-filter", Input).value)

    def _fill(self, query: str) -> None:
        options = self.query_one("#actions-list", OptionList)
        previous = self.highlighted_id()
        options.clear_options()
        total = len(self.raws) if self.raws is not None else len(self.ids)
        entries: list[Option] = []
        for op in ops.operations_for(self.kind):
            if op.admin_only and not self.admin:
                continue
            if not matches(query, op.label, op.id, *op.keywords):
                continue
            usable: list[Raw]
            reason: str | None
            if self.raws is None:
                usable, reason = [], ("read-only" if self.read_only else "…")
            else:
                usable, reason = availability(op, self.raws, self.read_only)
            label = Text(f"{op.label:<28}", no_wrap=True, overflow="ellipsis")
            key = op.key or ("^d" if op.deletes else "")
            label.append(f"{key:<3}", style="bold")
            if reason is not None:
                label.append(reason, style="italic")
            elif total > 1 and len(usable) < total:
                label.append(f"{len(usable)} of {total} rows", style="italic")
            entries.append(self._entry(label, op.id, reason))
        for form_id, form_label in FORMS.get(self.kind, []):
            if not matches(query, form_label, "edit properties name visibility"):
                continue
            reason = self._form_reason()
            label = Text(f"{form_label:<31}", no_wrap=True, overflow="ellipsis")
            if reason is not None:
                label.append(reason, style="italic")
            entries.append(self._entry(label, form_id, reason))
        # What can run now comes first; the rest follows, greyed, with the reason. Greyed
        # entries stay reachable: on one, the full reason shows below and enter says why.
        entries.sort(key=lambda option: option.id in self._unavailable)
        options.add_options(entries)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        enabled = [i for i, ident in enumerate(ids) if ident not in self._unavailable]
        # Stay where the user went (a greyed entry too); where the menu itself put the
        # highlight (everything greyed while loading), move to the first that can run.
        if previous in ids and (previous not in self._unavailable or not enabled
                                or previous != self._auto_highlight):
            options.highlighted = ids.index(previous)
        else:
            options.highlighted = enabled[0] if enabled else 0 if ids else None
            self._auto_highlight = self.highlighted_id()
        self._show_command()

    @property
    def unavailable(self) -> dict[str, str]:
        """Entry id -> why it cannot run now (greyed, still reachable)."""
        return dict(self._unavailable)

    def _entry(self, label: Text, ident: str, reason: str | None) -> Option:
        if reason is None:
            self._unavailable.pop(ident, None)
        else:
            self._unavailable[ident] = reason
            label.stylize("dim")
        return Option(label, id=ident)

    def _form_reason(self) -> str | None:
        if self.read_only:
            return READ_ONLY
        if self.raws is None:
            return "…"
        return None if len(self.raws) == 1 else "one at a time"

    def highlighted_id(self) -> str | None:
        options = self.query_one("#actions-list", OptionList)
        if options.highlighted is None or options.option_count == 0:
            return None
        return options.get_option_at_index(options.highlighted).id

    def _commands(self) -> list[str]:
        op_id = self.highlighted_id()
        if op_id is None or not self.raws or op_id.startswith("form."):
            return []
        op = ops.find(op_id)
        usable, _ = availability(op, self.raws, self.read_only)
        return [op.command(raw) for raw in usable]

    def _show_command(self) -> None:
        commands = self._commands()
        widget = self.query_one("#actions-command", Static)
        why = self._unavailable.get(self.highlighted_id() or "")
        if why is not None and why != "…":
            widget.update(Text(f"not now: {sanitize_text(why)}", style="italic"))
            return
        if not commands:
            widget.update("")
            return
        widget.update(command_line("\n".join(commands)))

    @on(Input.Changed, "#actions-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self._show_command()

    def action_move(self, delta: int) -> None:
        """Up/down move in the list while the filter keeps the focus."""
        options = self.query_one("#actions-list", OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def _choose(self, op_id: str | None) -> None:
        if op_id is None or self.raws is None:
            if self.raws is None:
                self.notify("Still reading the current state…", severity="warning")
            return
        if op_id.startswith("form."):
            if self._form_reason() is None:
                self.dismiss(MenuChoice(None, self.raws, form=op_id))
            return
        op = ops.find(op_id)
        usable, reason = availability(op, self.raws, self.read_only)
        if reason is not None:
            self.notify(f"{op.label}: {reason}", severity="warning", markup=False)
            return
        self.dismiss(MenuChoice(op, usable))

    @on(Input.Submitted, "#actions-filter")
    def _submitted(self) -> None:
        self._choose(self.highlighted_id())

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def action_cancel(self) -> None:
        """`escape`: close without doing anything."""
        self.dismiss(None)

    def action_copy_command(self) -> None:
        """`ctrl+y`: copy the highlighted action's command(s) (OSC 52)."""
        commands = self._commands()
        if not commands:
            self.notify("No command for this action here.", severity="warning")
            return
        text = "\n".join(commands)
        self.app.copy_to_clipboard(text)
        shown = commands[0] + (f" (+{len(commands) - 1} more)" if len(commands) > 1 else "")
        self.notify(f"Copied: {sanitize_text(shown)}", markup=False)
