"""Test helpers: which refreshes of a widget asked for a layout of the screen."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widget import Widget


def record_layouts(widget: Widget, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, bool]]:
    """The options of each later ``widget.refresh`` call that lays the screen out (a layout
    reactive such as ``virtual_size`` refreshes through it too)."""
    layouts: list[dict[str, bool]] = []
    original = widget.refresh

    def spy(*regions: Region, **options: bool) -> Widget:
        if options.get("layout"):
            layouts.append(options)
        return original(*regions, **options)

    monkeypatch.setattr(widget, "refresh", spy)
    return layouts
