"""A one-line footer of the keys that work here.

Textual's Footer rebuilds one widget per key on every focus change; over SSH that is several
frames and ~100 ms per keypress. This footer renders a single Text instead, and keeps `? Help`
visible even at 80 columns (other keys are cut first). A view's own keys (actions, delete,
start, console, ssh, create) come before the keys every list has, so a narrow terminal cuts
the generic ones.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget

ALWAYS_LAST = ("question_mark", "colon", "q")  # help, command, quit: shown at the end
GENERIC = frozenset({  # keys every list has: after the view's own verbs, cut before them
    "list.filter", "list.refresh", "list.pause", "list.all_projects",
    "resource_table.toggle_mark", "resource_table.activate",
    "detail.search", "detail.reload",
})
VERBS = frozenset({"list.actions", "list.delete", "detail.actions", "detail.delete"})


def _rank(binding_id: str | None) -> int:
    """Where a key goes: actions and delete, then the kind's direct operations
    ("list.server.start"), then the view's other keys, then the keys every list has."""
    if binding_id in VERBS:
        return 0
    if binding_id in GENERIC:
        return 3
    return 1 if binding_id and binding_id.count(".") >= 2 else 2


class KeyFooter(Widget):
    """Shows `key description` for every shown, enabled binding of the focused chain."""

    DEFAULT_CSS = """
    KeyFooter { dock: bottom; height: 1; }
    """
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description"}

    def on_mount(self) -> None:
        """Re-render when the screen's bindings change (focus moves, screens switch)."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        """Stop listening."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh()

    def render(self) -> Text:
        """key description pairs, the always-useful ones at the end and never cut."""
        key_style = self.get_component_rich_style("key-footer--key")
        text_style = self.get_component_rich_style("key-footer--description")
        first: list[tuple[int, str, str]] = []
        last: list[tuple[str, str]] = []
        seen: set[str] = set()
        # A screen may name a key by what it does now (a toggle: "Raw JSON" ⇄ "Fields").
        label = getattr(self.screen, "key_label", None)
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.show or not active.enabled or not binding.description:
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            display = self.app.get_key_display(binding)
            description = (label(binding) if callable(label) else None) or binding.description
            if key in ALWAYS_LAST:
                last.append((display, description))
            else:
                first.append((_rank(binding.id), display, description))
        tail = Text()
        for display, description in last:
            tail.append(f" {display} ", key_style)
            tail.append(f"{description} ", text_style)
        head = Text()
        first.sort(key=lambda entry: entry[0])  # stable: the bindings' order within a rank
        for _, display, description in first:
            head.append(f" {display} ", key_style)
            head.append(f"{description} ", text_style)
        room = max(0, self.size.width - tail.cell_len)
        if head.cell_len > room:
            head.truncate(room, overflow="ellipsis")
        head.pad_right(room - head.cell_len)
        return head + tail
