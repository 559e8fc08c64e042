"""Search in a block of text shown wrapped (the detail's raw JSON): where the matches are, and
on which screen row one lands once the lines wrap, so the view can scroll to it."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

__all__ = ["find_matches", "wrapped_row"]

MAX_MATCHES = 10_000  # a one-letter search in a huge document must not stall the screen


def find_matches(plain: str, query: str) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of ``query``, ignoring case; none for an empty one."""
    if not query:
        return []
    haystack, needle = plain.casefold(), query.casefold()
    if len(haystack) != len(plain):  # casefold changed lengths (ß → ss): offsets must hold
        haystack, needle = plain.lower(), query.lower()
        if len(haystack) != len(plain):
            haystack, needle = plain, query
    found: list[tuple[int, int]] = []
    start = haystack.find(needle)
    while start != -1 and len(found) < MAX_MATCHES:
        found.append((start, start + len(needle)))
        start = haystack.find(needle, start + max(1, len(needle)))
    return found


def wrapped_row(plain: str, offset: int, width: int, console: Console) -> int:
    """The row ``offset`` is shown on when ``plain`` is wrapped to ``width`` cells the way a
    Static wraps a Text (each line on its own, at word boundaries, long words folded)."""
    if width <= 0:
        return plain.count("\n", 0, offset)
    row = 0
    line_start = 0
    for line in plain.split("\n"):
        line_end = line_start + len(line)
        pieces = Text(line).wrap(console, width)
        if offset <= line_end:
            column = offset - line_start
            consumed = 0
            for index, piece in enumerate(pieces):
                # A wrap drops the spaces it breaks at: find the piece in the line again.
                at = line.find(piece.plain, consumed) if piece.plain else consumed
                consumed = (at if at >= 0 else consumed) + len(piece.plain)
                if column < consumed or index == len(pieces) - 1:
                    return row + index
            return row
        row += max(1, len(pieces))
        line_start = line_end + 1
    return row
