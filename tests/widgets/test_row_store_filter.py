"""A filter walks the kept sort order instead of sorting (issue 17): the order it shows must be
the sort's after a sort change, after rows come, change and go, and when a filter narrows or
widens the last one."""

from __future__ import annotations

import pytest

from tests.helpers.app import wait_until
from tests.helpers.table import TableApp, servers
from tuicloud.widgets import resource_table, row_store
from tuicloud.widgets.resource_table import ResourceTable
from tuicloud.widgets.row_store import Column, RowStore

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


def test_a_literal_filter_searches_kept_texts_made_again_after_any_change() -> None:
    """Typing in the filter bar searches folded texts kept from the last key; a row applied,
    a sort or a forget makes them again, so a filter never sees an old text."""
    store = make_store()
    store.set_filter("web-1")
    kept = store._search
    assert kept is not None
    store.set_filter("!WEB-1")  # an inverted literal uses them too
    assert store._search is kept
    assert store.ids() == [i for i in ids_by_sort(store) if "web-1" not in store.rows[i].haystack]
    store.apply({"r0": {"name": "web-1-renamed", "size": 0}})
    assert store._search is None
    store.set_filter("renamed")
    assert store.ids() == ["r0"]
    store.set_sort("size", True)
    store.set_filter("web-1-")
    assert store.ids() == shown(store, "web-1-")
    store.forget_search()
    store.set_filter("web-1.")  # a regex and a literal: the matcher, no kept texts
    assert store._search is None
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


async def test_the_table_drops_the_kept_texts_a_while_after_the_last_filter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource_table, "SEARCH_KEEP_SECONDS", 0.2)
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(50)))
        store = table._store
        table.prepare_filter()  # the filter bar opened: the texts are folded before a key
        assert store._search is not None
        await wait_until(pilot, lambda: store._search is None, timeout=5,
                         what="the kept texts to go unused")
        table.set_filter("server-0001")
        assert store._search is not None and table.visible_count == 10
        await wait_until(pilot, lambda: store._search is None, timeout=5,
                         what="the kept texts to go")
        table.set_filter("server-0002")  # filtering again still works and keeps them again
        assert table.visible_count == 10 and store._search is not None


def test_cells_follow_each_shape_the_columns_and_the_ticking_ones() -> None:
    """A shape's positions are worked out once (rows of one shape read their cells without a
    lookup by key): rows of other shapes, new columns and a ticking column each get the
    cells their own keys give."""
    store = RowStore()
    store.set_columns(COLUMNS)
    store.apply({"a": {"name": "web-a", "size": 3},
                 "b": {"size": 5, "name": "web-b", "az": "nova"},  # other keys, other order
                 "c": {"name": "web-c"}})  # no size: an empty cell
    assert [store.rows[i].haystack for i in "abc"] == ["web-a\n3", "web-b\n5", "web-c\n"]
    store.set_columns([Column("az", "AZ"), Column("name", "Name")])
    assert [store.rows[i].haystack for i in "abc"] == ["\nweb-a", "nova\nweb-b", "\nweb-c"]
    store.set_ticking("az", lambda data, now: (f"t{data.get('size')}", now + 60))
    assert [store.rows[i].haystack for i in "abc"] == ["t3\nweb-a", "t5\nweb-b", "tNone\nweb-c"]
    store.apply({"d": {"size": 7, "name": "web-d", "az": "x"}})
    assert store.rows["d"].haystack == "t7\nweb-d"
    store.set_ticking("az", None)
    assert store.rows["d"].haystack == "x\nweb-d"
