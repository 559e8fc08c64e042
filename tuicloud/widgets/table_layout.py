"""Column layout and cell fitting for the resource table (pure functions, no Textual)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from tuicloud.widgets.row_store import ColumnLike

__all__ = ["GUTTER", "SEPARATOR", "column_pages", "fit_str", "fit_text", "layout_columns"]

GUTTER = 2
"""Cells before the first column: the mark indicator and a space."""
SEPARATOR = 1
"""Cells between two columns."""


def column_pages(columns: Sequence[ColumnLike], width: int) -> list[list[int]]:
    """The column indexes shown on each page at `width`: page 0 is what fits (columns with
    the highest `priority` number dropped first, rightmost first on ties); each next page
    shows the priority-0 columns with the next ones that did not fit (so a narrow terminal
    can still reach Flavor or Image). One page when everything fits."""
    anchors = [i for i in range(len(columns)) if columns[i].priority == 0]
    others = sorted((i for i in range(len(columns)) if columns[i].priority > 0),
                    key=lambda i: (columns[i].priority, i))

    def needed(indexes: list[int]) -> int:
        return GUTTER + sum(columns[i].width for i in indexes) + SEPARATOR * (len(indexes) - 1)

    pages: list[list[int]] = []
    while others or not pages:
        taken = 0
        while taken < len(others) and needed(anchors + others[:taken + 1]) <= width:
            taken += 1
        if pages and taken == 0:
            taken = 1  # a column wider than the room still gets a page of its own (narrowed)
        pages.append(sorted(anchors + others[:taken]))
        others = others[taken:]
    return pages


def layout_columns(columns: Sequence[ColumnLike], width: int,
                   page: int = 0) -> list[tuple[int, int]]:
    """Choose the columns that fit `width` cells (those of `page`, see :func:`column_pages`)
    and their widths. Priority 0 columns are never dropped (they are narrowed instead).
    Spare width is shared among the text (non-numeric) columns by their widths.

    Returns:
        (index into `columns`, width) pairs in display order.
    """
    if not columns or width <= 0:
        return []
    pages = column_pages(columns, width)
    kept = pages[page % len(pages)]

    def needed(indexes: list[int]) -> int:
        return GUTTER + sum(columns[i].width for i in indexes) + SEPARATOR * (len(indexes) - 1)

    widths = [max(1, columns[i].width) for i in kept]
    spare = width - needed(kept)
    if spare >= 0:
        # Share the spare width among the text columns in proportion to their widths, so
        # names and images stop being cut before a short column like Age grows; numbers stay
        # as wide as asked (a right-justified number stranded far right reads badly).
        text_cols = [j for j in range(len(kept)) if not columns[kept[j]].numeric]
        if not text_cols:
            text_cols = [len(kept) - 1]
        total = sum(widths[j] for j in text_cols)
        given = 0
        for j in text_cols:
            extra = spare * widths[j] // total
            widths[j] += extra
            given += extra
        widths[text_cols[0]] += spare - given
    else:
        deficit = -spare
        for j in range(len(widths) - 1, -1, -1):
            cut = min(deficit, widths[j] - 1)
            widths[j] -= cut
            deficit -= cut
            if not deficit:
                break
    return list(zip(kept, widths, strict=True))


def fit_str(text: str, width: int, right: bool) -> str:
    """Pad or cut (with "…") a sanitised string to exactly `width` cells."""
    size = len(text) if text.isascii() else cell_len(text)
    if size > width:
        text = set_cell_size(text, width - 1) + "…" if width > 1 else "…"[:width]
        size = width
    pad = " " * (width - size)
    return pad + text if right else text + pad


def fit_text(text: Text, width: int, right: bool) -> Text:
    """A copy of `text` padded or cut (with "…") to exactly `width` cells."""
    text = text.copy()
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    pad = width - text.cell_len
    if pad > 0:
        if right:
            text.pad_left(pad)
        else:
            text.pad_right(pad)
    return text
