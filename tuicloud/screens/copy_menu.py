"""`y` on a list: copy the row's id, name or JSON to the clipboard (OSC 52, as the dialogs'
ctrl+y does), one key more to say which."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from tuicloud.screens.key_menu import KeyMenu


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


class CopyMenu(KeyMenu[None]):
    """i, n or j copies; esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "copy('i')", "Id", id="copy.id"),
        Binding("n", "copy('n')", "Name", id="copy.name"),
        Binding("j", "copy('j')", "JSON", id="copy.json"),
    ]

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.choices = copy_choices(raw)
        label = str(raw.get("name") or raw.get("id") or "")
        super().__init__(f"Copy from {label}",
                         [(key, what, text is not None)
                          for key, (what, text) in self.choices.items()],
                         "esc closes · needs a terminal that accepts OSC 52")

    def action_copy(self, key: str) -> None:
        """Copy the chosen text, or say why it cannot be copied."""
        what, text = self.choices[key]
        if text is None:
            self.app.notify(f"Not copied: {what}", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.app.notify(f"Copied the {what.removesuffix(' as listed')} to the clipboard")
        self.dismiss(None)
