"""Operations that open their own screen (``Operation.opens``): which screen, built from the
resource and the input the operation asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuicloud.screens.host import console_host

if TYPE_CHECKING:
    from textual.screen import Screen

    from tuicloud.cloud.operations import Raw


def open_workflow(screen: Screen[Any], name: str, raw: Raw, value: str | None) -> None:
    """Push the screen ``name`` for ``raw`` (KeyError for an unknown name: a bug)."""
    if name == "drain":
        from tuicloud.cloud.operations.hypervisors import service_host
        from tuicloud.screens.drain import DrainScreen

        settings = console_host(screen).settings
        screen.app.push_screen(DrainScreen(service_host(raw), value,
                                           settings.drain_concurrency))
        return
    raise KeyError(name)
