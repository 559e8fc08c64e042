"""Columns that show text but sort by a hidden numeric key (Age shows "3d", sorts by time)."""

from __future__ import annotations

from dataclasses import dataclass

from tuicloud.widgets.row_store import RowStore


@dataclass(frozen=True)
class AgeColumn:
    key: str = "age"
    title: str = "Age"
    width: int = 5
    priority: int = 0
    numeric: bool = False
    sort_key: str | None = "created_ts"


@dataclass(frozen=True)
class NameColumn:
    key: str = "name"
    title: str = "Name"
    width: int = 10
    priority: int = 0
    numeric: bool = False


def test_sort_uses_the_hidden_sort_key_not_the_shown_text() -> None:
    store = RowStore()
    store.set_columns([NameColumn(), AgeColumn()])
    # As text "5h" < "3d" would be wrong both ways; the timestamps decide.
    rows = {"a": {"name": "a", "age": "3d", "created_ts": 100.0},
            "b": {"name": "b", "age": "5h", "created_ts": 300.0},
            "c": {"name": "c", "age": "40m", "created_ts": 350.0},
            "d": {"name": "d", "age": "20s", "created_ts": 399.0}}
    store.apply(rows, ())
    store.set_sort("age", False)
    assert store.ids() == ["a", "b", "c", "d"]
    store.set_sort("age", True)
    assert store.ids() == ["d", "c", "b", "a"]


@dataclass(frozen=True)
class NewestFirstAgeColumn(AgeColumn):
    sort_key: str | None = "-created_ts"


def test_a_minus_sort_key_makes_ascending_age_the_newest_first() -> None:
    """`Age ▲` reads "youngest first" (issue 13: it put the oldest first)."""
    store = RowStore()
    store.set_columns([NameColumn(), NewestFirstAgeColumn()])
    store.apply({"old": {"name": "old", "age": "3d", "created_ts": 100.0},
                 "new": {"name": "new", "age": "20s", "created_ts": 399.0},
                 "mid": {"name": "mid", "age": "5h", "created_ts": 300.0},
                 "none": {"name": "none", "age": "", "created_ts": None}}, ())
    store.set_sort("age", False)
    assert store.ids() == ["new", "mid", "old", "none"]  # no date: last either way
    store.set_sort("age", True)
    assert store.ids() == ["old", "mid", "new", "none"]


def test_pages_in_arrival_order_and_sorted_pages_keep_one_order() -> None:
    """A first load's pages go after the rows held (appended as they are); sorted by name,
    the same pages interleave with them (merged in)."""
    in_arrival, by_name = RowStore(), RowStore()
    for store in (in_arrival, by_name):
        store.set_columns([NameColumn()])
    by_name.set_sort("name", False)
    names = [f"n{(i * 37) % 200:03d}" for i in range(200)]
    for start in range(0, 200, 50):
        page = {name: {"name": name} for name in names[start:start + 50]}
        for store in (in_arrival, by_name):
            store.apply(page, (), at_end=True)
    assert in_arrival.ids() == names
    assert by_name.ids() == sorted(names)
    in_arrival.set_filter("n1")
    assert in_arrival.ids() == [n for n in names if n.startswith("n1")]
