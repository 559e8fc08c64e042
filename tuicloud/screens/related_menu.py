"""`J` in a detail: pick one of the resources this one points at (a server's volumes, a
volume's server) by its number; the detail opens in that resource's own view."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from tuicloud.screens.key_menu import KeyMenu

if TYPE_CHECKING:
    from tuicloud.cloud.kinds.base import Jump

MAX_JUMPS = 9  # one digit each


class RelatedMenu(KeyMenu["Jump"]):
    """Digits 1-9 pick; esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(n), f"pick({n})", str(n), show=False, id=f"related.{n}")
        for n in range(1, MAX_JUMPS + 1)
    ]

    def __init__(self, jumps: list[Jump]) -> None:
        self.jumps = jumps[:MAX_JUMPS]
        entries = [(str(n), jump.label, True) for n, jump in enumerate(self.jumps, start=1)]
        if len(jumps) > MAX_JUMPS:
            entries.append(("…", f"and {len(jumps) - MAX_JUMPS} more (see the detail)", False))
        super().__init__("Open a related resource", entries, "a digit opens it · esc closes")

    def action_pick(self, number: int) -> None:
        """Open the resource with that number."""
        if 1 <= number <= len(self.jumps):
            self.dismiss(self.jumps[number - 1])
