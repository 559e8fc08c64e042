"""`J` in a detail: pick one of the resources this one points at (a server's volumes, a
volume's server) by its number; the detail opens in that resource's own view."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tuicloud.widgets.sanitize import sanitize_text

if TYPE_CHECKING:
    from tuicloud.cloud.kinds.base import Jump

MAX_JUMPS = 9  # one digit each


class RelatedMenu(ModalScreen["Jump | None"]):
    """Digits 1-9 pick; esc closes."""

    CSS_PATH = "ops.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_menu", "Close", id="related.close"),
        *(Binding(str(n), f"pick({n})", str(n), show=False, id=f"related.{n}")
          for n in range(1, MAX_JUMPS + 1)),
    ]

    def __init__(self, jumps: list[Jump]) -> None:
        super().__init__()
        self.jumps = jumps[:MAX_JUMPS]
        self.more = len(jumps) - len(self.jumps)

    def compose(self) -> ComposeResult:
        """Title and the numbered resources."""
        with Vertical(id="copy-box"):
            yield Static(Text("Open a related resource"), classes="ops-title")
            lines = Text()
            for number, jump in enumerate(self.jumps, start=1):
                lines.append(f"{number}  ", style="bold")
                lines.append(f"{sanitize_text(jump.label, max_len=60)}\n")
            if self.more:
                lines.append(f"… and {self.more} more (see the detail)\n", style="dim")
            yield Static(lines, id="copy-keys")
            yield Static("a digit opens it · esc closes", classes="ops-hint")

    def action_pick(self, number: int) -> None:
        """Open the resource with that number."""
        if 1 <= number <= len(self.jumps):
            self.dismiss(self.jumps[number - 1])

    def action_dismiss_menu(self) -> None:
        """Close without opening anything."""
        self.dismiss(None)
