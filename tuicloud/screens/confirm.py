"""The confirmation dialog every destructive action goes through."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tuicloud.widgets.sanitize import sanitize_text

MAX_NAMES = 7


def command_line(command: str) -> Text:
    """``$ openstack ...`` for dialogs that show a command; several commands (one a line)
    show the first and how many more (ctrl+y copies them all)."""
    first, *rest = command.split("\n")
    line = Text("$ ", style="bold")
    line.append(sanitize_text(first))
    if rest:
        line.append(f"\n… and {len(rest)} more like it", style="dim")
    return line


class ConfirmScreen(ModalScreen[bool]):
    """Asks before an action runs: names the resources (and their count), shows the equivalent
    command, and on protected clouds only confirms once ``require_typing`` has been typed.

    Dismisses with True (confirmed) or False. ``y`` (or ``enter`` on the confirm button or in
    the typing field) confirms; ``escape``, ``n`` or ``enter`` on Cancel (focused at first)
    cancel; ``ctrl+y`` copies the command (OSC 52).
    """

    CSS_PATH = "ops.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("ctrl+y", "copy_command", "Copy command", id="confirm.copy"),
        Binding("enter", "confirm", "Confirm", id="confirm.confirm", priority=True),
        Binding("y", "confirm_key", "Yes", id="confirm.yes"),
        Binding("n", "cancel", "No", show=False, id="confirm.no"),
    ]

    def __init__(self, title: str, names: list[str], *, command: str | None = None,
                 require_typing: str | None = None, confirm_label: str = "Confirm",
                 destructive: bool = True) -> None:
        super().__init__()
        self.confirm_title = title
        self.names = names
        self.command = command
        self.require_typing = require_typing
        self.confirm_label = confirm_label
        self.destructive = destructive

    def compose(self) -> ComposeResult:
        """Title, names, command, the typing field when required, buttons."""
        with Vertical(id="confirm-box", classes="" if self.destructive else "-mild"):
            yield Static(Text(sanitize_text(self.confirm_title, max_len=200)),
                         classes="ops-title")
            yield Static(self._names_text(), id="confirm-names")
            if self.command:
                yield Static(command_line(self.command), classes="ops-command",
                             id="confirm-command")
            if self.require_typing is not None:
                hint = Text("This cloud is protected: type ")
                hint.append(sanitize_text(self.require_typing), style="bold")
                hint.append(" to confirm.")
                yield Static(hint, classes="ops-hint", id="confirm-hint")
                yield Input(id="confirm-typed", placeholder="the name above, typed out")
            keys = "enter" if self.require_typing is not None else "y"
            copy = " · ctrl+y copies the command" if self.command else ""
            yield Static(f"{keys} confirms · esc cancels{copy}", classes="ops-hint",
                         id="confirm-keys")
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel", id="confirm-no")
                yield Button(self.confirm_label, id="confirm-yes",
                             variant="error" if self.destructive else "warning",
                             disabled=self.require_typing is not None)

    def _names_text(self) -> Text:
        text = Text()
        shown = self.names[:MAX_NAMES]
        for index, name in enumerate(shown):
            if index:
                text.append("\n")
            text.append("  • ")
            text.append(sanitize_text(name, max_len=70))
        more = len(self.names) - len(shown)
        if more > 0:
            text.append(f"\n  … and {more} more", style="italic")
        if len(self.names) > 1:
            text.append(f"\n{len(self.names)} resources", style="bold")
        return text

    def on_mount(self) -> None:
        """Focus the typing field when there is one, else the safe button (Cancel)."""
        if self.require_typing is not None:
            self.query_one("#confirm-typed", Input).focus()
        else:
            self.query_one("#confirm-no", Button).focus()

    @property
    def typed_ok(self) -> bool:
        """True when no typing is required or the exact text has been typed."""
        if self.require_typing is None:
            return True
        return self.query_one("#confirm-typed", Input).value == self.require_typing

    @on(Input.Changed, "#confirm-typed")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#confirm-yes", Button).disabled = not self.typed_ok

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_confirm(self, by_key: bool = False) -> None:
        """`enter`: confirm (only once the required text is typed), or cancel on Cancel."""
        if not by_key and isinstance(self.focused, Button) and self.focused.id == "confirm-no":
            self.dismiss(False)
            return
        if not self.typed_ok:
            self.notify(f"Type {sanitize_text(self.require_typing or '')} exactly to confirm.",
                        severity="warning", markup=False)
            return
        self.dismiss(True)

    def action_confirm_key(self) -> None:
        """`y`: confirm (letters go to the typing field when there is one)."""
        self.action_confirm(by_key=True)

    def action_cancel(self) -> None:
        """`escape`: nothing happens."""
        self.dismiss(False)

    def action_copy_command(self) -> None:
        """`ctrl+y`: copy the equivalent command to the clipboard (OSC 52, works over SSH)."""
        if not self.command:
            return
        self.app.copy_to_clipboard(self.command)
        self.notify(f"Copied: {sanitize_text(self.command)}", markup=False)
