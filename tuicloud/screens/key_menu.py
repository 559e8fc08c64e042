"""A small modal that offers a few entries, one key each (the copy menu, the related menu):
a title, one line per entry (dimmed when it cannot be taken), a hint; esc closes."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tuicloud.widgets.sanitize import sanitize_text

ResultT = TypeVar("ResultT")


class KeyMenu(ModalScreen[ResultT | None]):
    """Subclasses bind their keys and say what the lines are; styled in ops.tcss."""

    CSS_PATH = "ops.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_menu", "Close", id="key_menu.close"),
    ]

    def __init__(self, title: str, entries: list[tuple[str, str, bool]], hint: str) -> None:
        """``entries``: (key, what it does, whether it can be taken now)."""
        super().__init__()
        self.menu_title = title
        self.entries = entries
        self.hint = hint

    def compose(self) -> ComposeResult:
        """Title, one line per entry, the hint."""
        with Vertical(id="key-menu-box"):
            yield Static(Text(sanitize_text(self.menu_title, max_len=70)), classes="ops-title")
            lines = Text()
            for key, what, available in self.entries:
                lines.append(f"{key}  ", style="bold")
                lines.append(f"{sanitize_text(what, max_len=60)}\n",
                             style="" if available else "dim")
            yield Static(lines, id="key-menu-lines")
            yield Static(self.hint, classes="ops-hint")

    def action_dismiss_menu(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)
