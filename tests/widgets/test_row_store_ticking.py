"""Ticking cells (an age): a retick touches only the rows whose text changes, and the view
(filter, order) stays what a from-scratch computation gives (issue 17: a retick of every one
of 50,000 rows held the UI thread 60-100 ms every 2 s)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from rich.text import Text

from tuicloud.widgets.row_store import Column, RowStore, compile_filter

COLUMNS = [Column("name", "Name"), Column("age", "Age")]
STEP = 10.0


def tens(data: Mapping[str, object], now: float) -> tuple[str, float]:
    """A coarse age: how many whole 10 s have passed, and when that number goes up."""
    when = data.get("created")
    if not isinstance(when, float):
        return "", math.inf
    passed = (now - when) // STEP
    return f"{int(passed)}x", when + (passed + 1) * STEP


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_store(count: int) -> tuple[RowStore, Clock]:
    store, clock = RowStore(), Clock()
    store.clock = clock
    store.set_columns(COLUMNS)
    store.set_ticking("age", tens)
    store.apply({f"r{i:03d}": {"name": f"row {i}", "age": "stale", "created": 1000.0 - i}
                 for i in range(count)})
    return store, clock


def shown(store: RowStore, row_id: str) -> object:
    return store.rows[row_id].cells[1]


def check_view(store: RowStore, now: float) -> None:
    """Every cell reads as at ``now``; the view is the filter's rows in sort order."""
    for row in store.rows.values():
        assert row.cells[1] == tens(row.data, now)[0], row.id
    matcher = compile_filter(store.filter_text)
    visible = [row.key for row in store.rows.values() if matcher is None or matcher(row)]
    assert store.view == sorted(visible)


def test_cells_show_the_computed_text_from_the_first_fill() -> None:
    store, clock = make_store(30)
    assert shown(store, "r000") == "0x" and shown(store, "r025") == "2x"  # not "stale"
    check_view(store, clock.now)


def test_a_retick_changes_only_the_rows_whose_text_changes() -> None:
    store, clock = make_store(30)
    versions = {row_id: row.version for row_id, row in store.rows.items()}
    clock.now += 1.0  # r009, r019, r029 cross a multiple of 10 s; nothing else does
    changed, refiltered, more = store.retick()
    assert sorted(changed) == ["r009", "r019", "r029"]
    assert not refiltered and not more
    assert shown(store, "r009") == "1x"
    bumped = {row_id for row_id, row in store.rows.items() if row.version != versions[row_id]}
    assert bumped == {"r009", "r019", "r029"}
    check_view(store, clock.now)
    assert store.retick() == ([], False, False)  # nothing more is due at the same time


def test_the_filter_follows_ticking_text_and_keeps_the_order() -> None:
    store, clock = make_store(30)
    store.set_sort("name", True)
    store.set_filter("^1x$")
    assert sorted(store.ids()) == [f"r{i:03d}" for i in range(10, 20)]
    clock.now += 3.0  # r007..r009 become "1x", r017..r019 leave for "2x"
    changed, refiltered, _ = store.retick()
    assert refiltered
    assert store.ids() == sorted([f"r{i:03d}" for i in range(7, 17)],
                                 key=lambda i: f"row {int(i[1:])}", reverse=True)
    check_view(store, clock.now)


def test_rows_updated_removed_and_added_between_ticks_stay_right() -> None:
    store, clock = make_store(40)
    for _ in range(12):
        clock.now += 4.0
        store.retick()
        store.apply({"r001": {"name": "renamed", "created": 990.0},  # filled again
                     f"n{clock.now:.0f}": {"name": "new", "created": clock.now - 5.0}},
                    ["r002", f"r{int(clock.now) % 40:03d}"])
        check_view(store, clock.now)
        assert len(store._due) <= 2 * len(store.rows) + 1024  # stale entries get dropped


def test_a_retick_takes_at_most_its_limit_and_says_more_are_due() -> None:
    store, clock = make_store(30)
    clock.now += 50.0  # every row's text changes
    changed, _, more = store.retick(limit=20)
    assert len(changed) == 20 and more
    changed, _, more = store.retick(limit=20)
    assert len(changed) == 10 and not more
    check_view(store, clock.now)


def test_without_ticking_a_column_shows_the_rows_own_value_again() -> None:
    store, _ = make_store(3)
    store.set_ticking("age", None)
    assert shown(store, "r000") == "stale"
    assert store.retick() == ([], False, False)


def test_styled_cells_survive_a_tick_and_rows_styled_alike_share_them() -> None:
    store, clock = RowStore(), Clock()
    store.clock = clock
    store.set_columns([Column("status", "Status"), *COLUMNS])
    store.set_ticking("age", tens)
    red = Text("ERROR", style="red")
    store.apply({"a": {"status": red, "name": "a", "created": 995.0},
                 "b": {"status": Text("ERROR", style="red"), "name": "b", "created": 999.0}})
    a, b = store.rows["a"], store.rows["b"]
    assert a.styled is b.styled  # one tuple for both: no per-row copy of the cells
    clock.now += 5.0  # "a" ticks to "1x"
    assert store.retick()[0] == ["a"]
    status, name, age = a.cells
    assert isinstance(status, Text) and status.plain == "ERROR" and str(status.style) == "red"
    assert (name, age) == ("a", "1x") and b.cells[1:] == ("b", "0x")


def test_a_tick_refolds_the_kept_filter_texts_in_place() -> None:
    """A literal filter's kept texts follow the ticks (not made again: ages tick all the time)."""
    store, clock = make_store(30)
    store.set_filter("1x")
    kept = store._search
    assert kept is not None and sorted(store.ids()) == [f"r{i:03d}" for i in range(10, 20)]
    clock.now += 3.0  # r007..r009 become "1x", r017..r019 "2x"
    store.retick()
    store.set_filter("1")
    store.set_filter("1x")  # typed again: searches the texts as they read now
    assert store._search is kept
    assert sorted(store.ids()) == [f"r{i:03d}" for i in range(7, 17)]
    check_view(store, clock.now)
