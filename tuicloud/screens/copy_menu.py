"""`y` on a list: copy the row's id, name or JSON to the clipboard (OSC 52, as the dialogs'
ctrl+y does), one key more to say which."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tuicloud.widgets.sanitize import sanitize_text


def copy_choices(raw: Mapping[str, Any]) -> dict[str, tuple[str, str | None]]:
    """key -> (what, the text to copy, or None with the reason in ``what``)."""
    name = raw.get("name")
    choices: dict[str, tuple[str, str | None]] = {"i": ("id", str(raw.get("id", "")))}
    if isinstance(name, str) and name and name.isprintable():
        choices["n"] = ("name", name)
    elif isinstance(name, str) and name:
        # Pasted into a shell, its control characters would act: the id is safe to paste.
        choices["n"] = ("name (holds control characters: copy the id)", None)
    else:
        choices["n"] = ("name (none)", None)
    choices["j"] = ("JSON as listed", json.dumps(raw, indent=2, sort_keys=True, default=str))
    return choices


class CopyMenu(ModalScreen[None]):
    """i, n or j copies; esc closes."""

    CSS_PATH = "ops.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_menu", "Close", id="copy.close"),
        Binding("i", "copy('i')", "Id", id="copy.id"),
        Binding("n", "copy('n')", "Name", id="copy.name"),
        Binding("j", "copy('j')", "JSON", id="copy.json"),
    ]

    def __init__(self, raw: Mapping[str, Any]) -> None:
        super().__init__()
        self.choices = copy_choices(raw)
        self.label = sanitize_text(str(raw.get("name") or raw.get("id") or ""), max_len=60)

    def compose(self) -> ComposeResult:
        """Title and the three keys."""
        with Vertical(id="copy-box"):
            yield Static(Text(f"Copy from {self.label}"), classes="ops-title")
            lines = Text()
            for key, (what, text) in self.choices.items():
                lines.append(f"{key}  ", style="bold")
                lines.append(f"{what}\n", style="" if text is not None else "dim")
            yield Static(lines, id="copy-keys")
            yield Static("esc closes · needs a terminal that accepts OSC 52", classes="ops-hint")

    def action_copy(self, key: str) -> None:
        """Copy the chosen text, or say why it cannot be copied."""
        what, text = self.choices[key]
        if text is None:
            self.app.notify(f"Not copied: {what}", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.app.notify(f"Copied the {what.removesuffix(' as listed')} to the clipboard")
        self.dismiss(None)

    def action_dismiss_menu(self) -> None:
        """Close without copying."""
        self.dismiss(None)
