"""A filter walks the kept sort order instead of sorting (issue 17): the order it shows must be
the sort's after a sort change, after rows come, change and go, and when a filter narrows the
last one (only the rows shown are tested then) or widens it again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tuicloud.widgets import row_store
from tuicloud.widgets.row_store import Column, Row, RowStore

COLUMNS = [Column("name", "Name"), Column("size", "Size", numeric=True)]


def make_store() -> RowStore:
    store = RowStore()
    store.set_columns(COLUMNS)
    store.apply({f"r{i}": {"name": f"web-{i % 7}-{i}", "size": (i * 37) % 23}
                 for i in range(60)})
    return store


def ids_by_sort(store: RowStore) -> list[str]:
    keys = sorted(row.key for row in store.rows.values())
    ids = [key[4] for key in keys]
    return ids[::-1] if store.reverse else ids


def shown(store: RowStore, needle: str) -> list[str]:
    store_ids = ids_by_sort(store)
    return [i for i in store_ids
            if needle.casefold() in store.rows[i].haystack.casefold()]


def test_a_filter_keeps_the_sort_order_after_a_sort_change() -> None:
    store = make_store()
    store.set_filter("web-3")
    store.set_sort("size", True)
    store.set_filter("web-")  # wider: rows hidden before come back in their sorted places
    assert store.ids() == shown(store, "web-")
    store.set_filter("WEB-1")
    assert store.ids() == shown(store, "web-1") != []
    store.set_sort("name", False)
    store.set_filter("")
    assert store.ids() == ids_by_sort(store)


def test_a_filter_keeps_the_order_after_rows_are_applied() -> None:
    store = make_store()
    store.set_sort("size", False)
    store.set_filter("web-2")
    store.apply({"r3": {"name": "web-2-moved", "size": 100},  # comes into the filter, at the end
                 "new": {"name": "web-2-new", "size": 0},
                 "r9": {"name": "web-2-9", "size": 1}},  # stays shown, moves up
                ["r2"])
    store.set_filter("web-")  # widen: every row, sorted, with the ones applied meanwhile
    assert store.ids() == shown(store, "web-")
    assert store.ids()[-1] == "r3"
    store.set_filter("web-2")
    assert store.ids() == shown(store, "web-2")
    store.set_filter("")
    assert store.ids() == ids_by_sort(store) and len(store.ids()) == 60


def test_a_narrowing_filter_tests_only_the_rows_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store()
    store.set_filter("web-1")
    wider = store.ids()
    tested: list[str] = []
    compile_filter = row_store.compile_filter

    def counting(text: str) -> Callable[[Row], bool] | None:
        matcher = compile_filter(text)
        assert matcher is not None

        def match(row: Row) -> bool:
            tested.append(row.id)
            return matcher(row)

        return match

    monkeypatch.setattr(row_store, "compile_filter", counting)
    store.set_filter("WEB-1-1")
    assert sorted(tested) == sorted(wider)  # not the 60 rows
    assert store.ids() == shown(store, "web-1-1") != []
    monkeypatch.undo()
    store.set_filter("!web-1")  # inverted: not a narrowing; every row is tested again
    assert store.ids() == [i for i in ids_by_sort(store)
                           if "web-1" not in store.rows[i].haystack]
    store.set_filter("web-1.")  # a regex and a literal: not a narrowing either
    assert store.ids() == [i for i in ids_by_sort(store)
                           if store.rows[i].haystack.startswith("web-1-")]


def test_rows_saying_the_same_share_one_string_until_a_key_has_too_many() -> None:
    """Strings parsed from JSON are new in every row: the store keeps one of each value for
    keys of few values (an AZ, a status) and gives up on keys of many (names)."""
    store = RowStore()
    store.set_columns(COLUMNS)
    count = row_store.SHARED_VALUES_PER_KEY + 10
    store.apply({f"r{i}": {"name": "".join(["web-", str(i)]), "az": "".join(["no", "va"])}
                 for i in range(count)})
    first, last = store.rows["r0"].data, store.rows[f"r{count - 1}"].data
    assert first["az"] is last["az"] == "nova"
    assert store._shared_values["name"] is None  # too varied: not kept
    assert last["name"] == f"web-{count - 1}"
    assert dict(store.rows["r5"].data) == {"name": "web-5", "az": "nova"}
