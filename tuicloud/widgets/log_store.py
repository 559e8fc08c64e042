"""The data side of the log view (no Textual): a bounded line store, line cleaning, cutting
and wrapping by terminal cells, and saving a log to a private file."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from rich.cells import cell_len, get_character_cell_size, set_cell_size

from tuicloud.widgets.sanitize import sanitize_text

__all__ = [
    "DEFAULT_MAX_LINES", "GAP_TEXT", "MAX_LINE_CELLS", "RESET_TEXT", "STAMP_CELLS", "LineStore",
    "clean_line", "cut_line", "default_save_path", "row_count", "save_lines", "smart_needle",
    "wrap_offsets",
]

MAX_LINE_CELLS = 4_000
"""Longer lines are cut for display (the full text is kept, searched and saved)."""
DEFAULT_MAX_LINES = 100_000
GAP_TEXT = "— lines may be missing here —"
RESET_TEXT = "— console log restarted or truncated (reboot?): lines may be missing here —"
_SURROGATES = re.compile("[\ud800-\udfff]")
STAMP_CELLS = 9  # "HH:MM:SS "


def clean_line(text: str) -> str:
    """Sanitize one line; lone surrogates (undecodable bytes via JSON) become U+FFFD."""
    if "\t" in text:
        text = text.expandtabs(8)
    text = sanitize_text(text, strip_escapes=True)  # colour codes: routine noise here
    if not text.isprintable():
        text = _SURROGATES.sub("\ufffd", text)
    return text


def cut_line(text: str, max_cells: int = MAX_LINE_CELLS) -> str:
    """``text`` cut to ``max_cells`` cells, saying how much was left out."""
    if len(text) <= max_cells and (text.isascii() or cell_len(text) <= max_cells):
        return text
    head = text[:max_cells] if text.isascii() else set_cell_size(text[:max_cells], max_cells)
    return f"{head} … [{len(text) - len(head):,} more characters]"


def wrap_offsets(text: str, width: int) -> list[int]:
    """Character offsets where each wrapped row after the first starts (hard wrap by cells)."""
    if text.isascii():
        return list(range(width, len(text), width))
    offsets: list[int] = []
    cells = 0
    for index, char in enumerate(text):
        size = get_character_cell_size(char)
        if cells + size > width and cells:
            offsets.append(index)
            cells = 0
        cells += size
    return offsets


def row_count(text: str, width: int) -> int:
    """Rows ``text`` takes when hard-wrapped at ``width`` cells (at least one)."""
    if text.isascii():
        return max(1, -(-len(text) // width))
    return len(wrap_offsets(text, width)) + 1


class LineStore:
    """Lines with absolute numbers; holds at most ``max_lines`` (drops the oldest).

    A list with a moving head rather than a deque: indexing a deque is O(n), and rendering
    looks lines up by number on every frame.
    """

    def __init__(self, max_lines: int = DEFAULT_MAX_LINES) -> None:
        self.max_lines = max(1, max_lines)
        self._text: list[str] = []
        self._time: list[float] = []
        self._head = 0
        self.first = 0
        """Absolute number of the oldest kept line."""
        self.markers: set[int] = set()
        """Absolute numbers of marker lines ("lines may be missing here")."""

    def __len__(self) -> int:
        return len(self._text) - self._head

    @property
    def end(self) -> int:
        """Absolute number the next line will get."""
        return self.first + len(self)

    def append(self, lines: list[str], when: float, marker: bool = False) -> int:
        """Add lines; returns how many old lines were dropped."""
        if marker:
            self.markers.update(range(self.end, self.end + len(lines)))
        self._text.extend(lines)
        self._time.extend([when] * len(lines))
        excess = len(self) - self.max_lines
        if excess <= 0:
            return 0
        self._head += excess
        self.first += excess
        if self.markers:
            self.markers = {n for n in self.markers if n >= self.first}
        if self._head > max(1024, len(self._text) // 2):
            del self._text[:self._head]
            del self._time[:self._head]
            self._head = 0
        return excess

    def text(self, number: int) -> str:
        """The line with absolute ``number`` (must be kept)."""
        return self._text[self._head + number - self.first]

    def time(self, number: int) -> float:
        """When the line arrived (``time.time()``)."""
        return self._time[self._head + number - self.first]

    def texts(self) -> list[str]:
        """Every kept line, oldest first."""
        return self._text[self._head:]

    def find(self, term: str) -> list[int]:
        """Numbers of the kept lines holding ``term`` (smart case: see :func:`smart_needle`).

        One ``str.find`` pass over the joined log: a regex, or a test per line, is several
        times slower at 100,000 lines.
        """
        needle, fold = smart_needle(term)
        if not needle:
            return []
        joined = "\n".join(self.texts())
        if fold:
            joined = joined.lower()  # may change lengths, never the line structure
        found: list[int] = []
        line = self.first
        counted = 0
        start = joined.find(needle)
        while start >= 0:
            line += joined.count("\n", counted, start)
            found.append(line)
            counted = joined.find("\n", start)
            if counted < 0:
                break
            start = joined.find(needle, counted)
        return found


def smart_needle(term: str) -> tuple[str, bool]:
    """(what to look for, whether to lowercase the text first): a term with a capital letter
    is matched exactly, any other ignoring case."""
    fold = not any(c.isupper() for c in term)
    return (term.lower() if fold else term), fold


def default_save_path(name: str, now: float | None = None) -> Path:
    """``<user data dir>/console-<name>-<YYYYmmdd-HHMMSS>.log`` (name made file-safe)."""
    try:
        import platformdirs

        folder = Path(platformdirs.user_data_dir("tuicloud", appauthor=False))
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        folder = Path.home() / "tuicloud"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:60] or "server"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return folder / f"console-{safe}-{stamp}.log"


def save_lines(path: Path, lines: list[str]) -> Path:
    """Write ``lines`` to a new file readable by the user only (0600); never overwrites."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may not narrow what we ask for; make it exact
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n") as out:
            fd = -1
            for line in lines:
                out.write(line)
                out.write("\n")
    finally:
        if fd >= 0:
            os.close(fd)
    return path
