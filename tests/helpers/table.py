"""Test helpers (table)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len, get_character_cell_size, split_graphemes
from textual.app import App, ComposeResult
from textual.message import Message
from textual.strip import Strip

from tuicloud.widgets.resource_table import Column, ResourceTable

COLUMNS = [
    Column("name", "Name", 20),
    Column("status", "Status", 10, priority=1),
    Column("ram", "RAM", 8, priority=2, numeric=True),
    Column("id", "ID", 36, priority=3),
]


def server(i: int, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": f"id-{i:05d}", "name": f"server-{i:05d}", "status": "ACTIVE", "ram": i * 512,
    }
    row.update(extra)
    return row


def servers(ids: range) -> dict[str, Mapping[str, object]]:
    return {f"id-{i:05d}": server(i) for i in ids}


class TableApp(App[None]):
    """A bare app hosting one table and recording its messages."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ResourceTable(COLUMNS)

    def on_resource_table_cursor_moved(self, message: ResourceTable.CursorMoved) -> None:
        self.messages.append(message)

    def on_resource_table_row_activated(self, message: ResourceTable.RowActivated) -> None:
        self.messages.append(message)

    def on_resource_table_marks_changed(self, message: ResourceTable.MarksChanged) -> None:
        self.messages.append(message)


def screen_lines(table: ResourceTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


CONTROLS = {*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)}


BIDI = {0x061C, 0x200E, 0x200F, *range(0x2028, 0x202F), *range(0x2066, 0x206A)}


def cells(line: str) -> list[str | None]:
    """The line as terminal cells: one grapheme per cell, None for a wide character's 2nd half."""
    spans, _ = split_graphemes(line)
    grid: list[str | None] = []
    for start, end, width in spans:
        if width == 0 and grid:  # zero-width graphemes ride on the cell before them
            grid[-1] = (grid[-1] or "") + line[start:end]
        grid.extend([line[start:end]] + [None] * (width - 1) if width else [])
    return grid


def visible(text: str) -> str:
    return "".join(c for c in text if get_character_cell_size(c) > 0)


def check_strip(strip: Strip, width: int) -> str:
    """Every segment inert, and the line exactly `width` cells however it is measured."""
    for segment in strip:
        assert not segment.control
        for char in segment.text:
            assert ord(char) not in CONTROLS, f"control {ord(char):#x} in {segment.text!r}"
            assert ord(char) not in BIDI, f"bidi control {ord(char):#x} in {segment.text!r}"
        assert segment.style is None or not segment.style.link
    assert strip.cell_length == width
    line = strip.text
    assert cell_len(line) == width
    assert len(cells(line)) == width
    return line
