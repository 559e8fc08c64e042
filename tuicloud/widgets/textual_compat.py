"""Every private Textual API tuicloud uses, and nothing else.

pyproject.toml holds Textual to the release these were checked on;
tests/widgets/test_textual_compat.py checks each one against the installed Textual, so an
upgrade that drops or changes one fails there, in one place, rather than somewhere in a screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget


def screen_stacks(app: App[Any]) -> dict[str, list[Screen[Any]]]:
    """Every mode's screen stack by mode name, the live lists (not copies): Textual offers only
    the current mode's stack publicly, and a cloud switch must reach the views not shown."""
    return app._screen_stacks


def scrollbar_updater(widget: Widget) -> Callable[[Size], None] | None:
    """Textual's hook that updates only the scrollbars for a new virtual size (assigning
    ``virtual_size`` repaints every line); None if this Textual has none."""
    update: Callable[[Size], None] | None = getattr(widget, "_scroll_update", None)
    return update


def styled_with_current_css(app: App[Any], screen: Screen[Any]) -> Screen[Any]:
    """``screen``, marked as styled with the app's current stylesheet.

    A mode's new screen counts as out of date (Textual starts its CSS count at -1), so the
    first switch to it re-parses every stylesheet twice with unchanged variables: 20 ms before
    the first view's first frame. A screen not mounted yet takes its styles from the
    stylesheet when it mounts; a theme change after this still bumps the app's count.
    """
    screen._css_update_count = app._css_update_count
    return screen


def start_in_mode(app: App[Any], mode: str) -> None:
    """Start ``app`` (not running yet) in ``mode`` instead of Textual's blank default screen.

    Textual makes the current mode's screen when the app composes; a first view shown by
    ``switch_mode`` from ``on_mount`` was resumed twice (styles, layout) after the blank
    screen was laid out. ``mode`` must be added (``add_mode``) before the app runs.
    """
    if app.is_running or app._current_mode != app.DEFAULT_MODE:
        raise RuntimeError("the app has already chosen its first mode")
    app._screen_stacks = {mode: []}
    app._current_mode = mode
