"""Pilot tests for tuicloud.widgets.resource_table.ResourceTable."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.message import Message
from textual.strip import Strip

from tuicloud.widgets import resource_table
from tuicloud.widgets.resource_table import Column, ResourceTable, layout_columns
from tuicloud.widgets.row_store import compile_filter

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


def data_strip(table: ResourceTable, row_id: str) -> Strip:
    """The rendered line of a row that is on screen."""
    index = table.visible_ids().index(row_id)
    return table.render_line(index - round(table.scroll_y) + 1)


def data_line(table: ResourceTable, row_id: str) -> str:
    return data_strip(table, row_id).text


def backgrounds(strip: Strip) -> set[object]:
    return {segment.style.bgcolor for segment in strip if segment.style}


def component_bg(table: ResourceTable, name: str) -> object:
    return table.get_component_rich_style(f"resource-table--{name}").bgcolor


async def test_apply_diff_add_update_remove_10000_rows() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(10_000)))
        await pilot.pause()
        assert table.row_count == table.visible_count == 10_000
        assert table.visible_ids()[:3] == ["id-00000", "id-00001", "id-00002"]
        lines = screen_lines(table)
        assert lines[0].split() == ["Name", "Status", "RAM"]
        assert lines[1].split() == ["server-00000", "ACTIVE", "0"]
        assert lines[23].split()[0] == "server-00022"
        assert table.cursor_id == "id-00000"

        update = {"id-00001": server(1, status="SHUTOFF"), "id-09999": server(9999, ram=1)}
        table.apply_diff(update, removals=[f"id-{i:05d}" for i in range(2, 102)])
        table.apply_diff(servers(range(10_000, 10_100)))
        await pilot.pause()
        assert table.row_count == 10_000
        assert table.get_row("id-00002") is None
        assert table.get_row("id-00001") == server(1, status="SHUTOFF")
        ids = table.visible_ids()
        assert ids[:3] == ["id-00000", "id-00001", "id-00102"]
        assert ids[-1] == "id-10099"
        assert screen_lines(table)[2].split() == ["server-00001", "SHUTOFF", "512"]

        table.sort_by("ram")
        ram = {i: 1 if i == "id-09999" else int(i[3:]) * 512 for i in ids}
        expected = sorted((ram[i], i) for i in ids)
        assert table.visible_ids() == [i for _, i in expected]

        table.apply_diff(servers(range(5)), replace_all=True)
        await pilot.pause()
        assert table.row_count == 5
        assert table.visible_ids() == [f"id-{i:05d}" for i in range(5)]
        assert screen_lines(table)[6].strip() == ""


async def test_sort_and_reverse_numeric_none_last_case_insensitive() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff({
            "a": {"name": "beta", "ram": 10},
            "b": {"name": "Alpha", "ram": None},
            "c": {"name": "gamma", "ram": 9},
            "d": {"name": None, "ram": "100"},
            "e": {"name": "alpha2", "ram": 2.5},
        })
        table.sort_by("ram")
        assert table.visible_ids() == ["e", "c", "a", "d", "b"]
        await pilot.pause()
        assert "RAM ▲" in screen_lines(table)[0]
        table.sort_by("ram")
        assert table.sort_reverse
        assert table.visible_ids() == ["d", "a", "c", "e", "b"]  # None still last
        assert "RAM ▼" in screen_lines(table)[0]
        table.sort_by("name")
        assert not table.sort_reverse
        assert table.visible_ids() == ["b", "e", "a", "c", "d"]
        table.sort_by("name")
        assert table.visible_ids() == ["c", "a", "e", "b", "d"]
        await pilot.pause()
        header = screen_lines(table)[0]
        assert "Name ▼" in header and "▲" not in header and "RAM ▼" not in header


async def test_filter_substring_regex_inverse_invalid_survives_diff() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff({
            "1": {"name": "web-1", "status": "ACTIVE"},
            "2": {"name": "WEB-2", "status": "ERROR"},
            "3": {"name": "db-1", "status": "ACTIVE"},
            "4": {"name": "cache[x", "status": "BUILD"},
        })
        table.set_filter("web")
        assert table.visible_ids() == ["1", "2"]
        assert table.visible_count == 2 and table.row_count == 4
        table.set_filter(r"re:^(db|web)-1$")
        assert table.visible_ids() == ["1", "3"]
        table.set_filter(r"-\d")  # metacharacters and valid: a regex
        assert table.visible_ids() == ["1", "2", "3"]
        table.set_filter("!active")
        assert table.visible_ids() == ["2", "4"]
        table.set_filter("[x")  # invalid regex: literal
        assert table.visible_ids() == ["4"]
        table.set_filter("re:(")  # invalid even when forced: literal
        assert table.visible_ids() == []
        assert table.cursor_id is None

        table.set_filter("web")
        table.apply_diff(
            {"5": {"name": "web-5"}, "6": {"name": "mail"}, "2": {"name": "db-2"}},
            removals=["1"],
        )
        await pilot.pause()
        assert table.filter_text == "web"
        assert table.visible_ids() == ["5"]
        assert table.row_count == 5
        assert screen_lines(table)[1].split()[0] == "web-5"
        table.set_filter("")
        assert table.visible_count == 5


def test_compile_filter_rules() -> None:
    assert compile_filter("") is None
    assert compile_filter("!") is None


async def test_cursor_keeps_id_across_inserts_removals_sort_filter() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(100, 300)))
        table.sort_by("name")
        await pilot.pause()
        await pilot.press("j", "j", "j", "j", "j")
        assert table.cursor_id == "id-00105"
        assert table.cursor_index == 5

        table.apply_diff(servers(range(0, 50)))  # 50 rows sort above the cursor
        await pilot.pause()
        assert table.cursor_id == "id-00105"
        assert table.cursor_index == 55
        # The cursor keeps its place on screen rather than jumping.
        assert data_line(table, "id-00105") == screen_lines(table)[6]

        table.apply_diff({}, removals=[f"id-{i:05d}" for i in range(0, 50)] + ["id-00100"])
        assert table.cursor_id == "id-00105"
        assert table.cursor_index == 4

        table.sort_by("name")  # reversed
        assert table.cursor_id == "id-00105"
        assert table.cursor_index == table.visible_ids().index("id-00105")
        table.set_filter("server-001")
        assert table.cursor_id == "id-00105"
        table.set_filter("")
        assert table.cursor_id == "id-00105"
        await pilot.pause()
        assert "server-00105" in data_line(table, "id-00105")
        moved = [m for m in app.messages if isinstance(m, ResourceTable.CursorMoved)]
        assert [m.row_id for m in moved][-1] == "id-00105"


async def test_cursor_falls_to_neighbour_when_its_row_goes() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(10)))
        table.cursor_id = "id-00004"
        table.apply_diff({}, removals=["id-00004"])
        assert table.cursor_id == "id-00005"  # the row now in its place
        table.apply_diff({}, removals=["id-00005", "id-00006"])
        assert table.cursor_id == "id-00007"
        table.cursor_id = "id-00009"
        table.apply_diff({}, removals=["id-00009"])
        assert table.cursor_id == "id-00008"  # was last: the new last row

        table.sort_by("ram", reverse=True)  # 8, 7, 3, 2, 1, 0
        table.cursor_id = "id-00003"
        table.apply_diff({}, removals=["id-00003"])
        assert table.cursor_id == "id-00002"

        table.set_filter("!server-00002")  # filtering the cursor row out
        assert table.cursor_id == "id-00001"

        table.apply_diff({}, replace_all=True)
        await pilot.pause()
        assert table.cursor_id is None and table.row_count == 0
        moved = [m.row_id for m in app.messages if isinstance(m, ResourceTable.CursorMoved)]
        assert moved[-1] is None


async def test_marks_toggle_survive_refresh_and_drop_with_rows() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(10)))
        table.focus()
        await pilot.press("space", "space", "j", "space")
        assert table.marked == {"id-00000", "id-00001", "id-00003"}
        assert table.cursor_id == "id-00004"
        assert data_line(table, "id-00000").startswith("✓")
        assert data_line(table, "id-00002").startswith(" ")
        marked_bg, cursor_bg = component_bg(table, "marked"), component_bg(table, "cursor")
        assert backgrounds(data_strip(table, "id-00000")) == {marked_bg}
        assert marked_bg not in backgrounds(data_strip(table, "id-00002"))
        assert backgrounds(data_strip(table, "id-00004")) == {cursor_bg}

        table.apply_diff(servers(range(10, 12)), removals=["id-00001"])
        table.apply_diff({"id-00000": server(0, status="SHUTOFF")})
        await pilot.pause()
        assert table.marked == {"id-00000", "id-00003"}
        await pilot.press("k", "space")
        assert table.marked == {"id-00000"}
        kinds = [type(m).__name__ for m in app.messages]
        assert kinds.count("MarksChanged") == 5  # four toggles + one removal


async def test_keys_move_cursor_and_enter_activates() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(100)))
        table.focus()
        await pilot.press("down", "j")
        assert table.cursor_id == "id-00002"
        await pilot.press("pagedown")
        assert table.cursor_index == 2 + 11
        await pilot.press("G")
        assert table.cursor_id == "id-00099"
        await pilot.pause()
        assert screen_lines(table)[-1].split()[0] == "server-00099"
        await pilot.press("g", "end", "home", "pageup", "up", "k")
        assert table.cursor_id == "id-00000"
        await pilot.press("enter")
        await pilot.pause()
        activated = [m for m in app.messages if isinstance(m, ResourceTable.RowActivated)]
        assert [m.row_id for m in activated] == ["id-00000"]
        assert activated[0].control is table


async def test_click_moves_cursor_and_header_sorts() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(20)))
        await pilot.pause()
        await pilot.click(ResourceTable, offset=(5, 4))
        assert table.cursor_id == "id-00003"
        await pilot.click(ResourceTable, offset=(75, 0))  # the RAM title
        assert table.sort_column == "ram"


async def test_narrow_terminal_drops_low_priority_columns() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply_diff(servers(range(3)))
        await pilot.pause()
        assert screen_lines(table)[0].split() == ["Name", "Status", "RAM", "ID"]
        await pilot.resize_terminal(40, 10)
        await pilot.pause()
        assert screen_lines(table)[0].split() == ["Name", "Status"]
        await pilot.resize_terminal(20, 10)
        await pilot.pause()
        lines = screen_lines(table)
        assert lines[0].split() == ["Name"]
        assert lines[1] == "  server-00000".ljust(table.scrollable_content_region.width)
        await pilot.resize_terminal(12, 10)
        await pilot.pause()
        assert screen_lines(table)[1].strip() == "server-00…"


def test_layout_columns_priorities() -> None:
    assert layout_columns(COLUMNS, 200)[-1] == (3, 200 - 2 - 20 - 10 - 8 - 3)
    assert [i for i, _ in layout_columns(COLUMNS, 44)] == [0, 1, 2]
    numeric_last = layout_columns(COLUMNS[:3], 60)
    assert numeric_last == [(0, 20), (1, 60 - 2 - 20 - 8 - 2), (2, 8)]  # text column grows
    assert layout_columns(COLUMNS, 5) == [(0, 3)]


HOSTILE = [
    "[bold red]x[/]",
    "\x1b[31mred\x1b[0m",
    "\x1b]52;c;ZXZpbA==\x07clip",
    "\x1b]0;title\x1b\\t",
    "nul\x00bel\x07del\x7fc1\x85\x9b2J",
    "line1\nline2\r\tz",
    "W" * 10_000,
    "日本語サーバー名",
    "e\u0301\u0301\u0301x",
    "\u202eevil\u202c שלום",
]


async def test_hostile_strings_render_inertly() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ResourceTable)
        rows: dict[str, Mapping[str, object]] = {
            f"h{i}": {"name": s, "status": s, "ram": s, "id": s} for i, s in enumerate(HOSTILE)
        }
        rows["styled"] = {"name": Text("[b]styled[/b]\x1b[5m", style="bold"), "status": "OK"}
        table.apply_diff(rows)
        await pilot.pause()
        width = table.scrollable_content_region.width
        rendered = []
        for y in range(len(rows) + 1):
            strip = table.render_line(y)
            assert strip.cell_length == width
            for segment in strip:
                assert "\x1b" not in segment.text
                assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in segment.text)
                assert segment.style is None or not segment.style.link
            rendered.append(strip.text)
        assert rendered[1].split()[0] == "[bold"
        assert table.get_row("h0") == rows["h0"]
        table.set_filter("[bold red]x[/]")
        assert table.visible_ids() == ["h0"]
        await pilot.pause()
        assert "[bold red]x[/]" in screen_lines(table)[1]
        table.set_filter("styled")
        assert "[b]styled[/b]" in screen_lines(table)[1]


async def test_changed_cells_highlight_then_fade(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource_table, "HIGHLIGHT_SECONDS", 0.2)
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ResourceTable)
        changed_bg = table.get_component_rich_style("resource-table--changed").bgcolor

        def cell_backgrounds(y: int, text: str) -> set[object]:
            return {s.style.bgcolor for s in table.render_line(y) if text in s.text and s.style}

        table.apply_diff(servers(range(3)))
        await pilot.pause()
        assert changed_bg not in cell_backgrounds(2, "server-00001")  # first load: no flash
        table.apply_diff({"id-00001": server(1, status="ERROR")} | servers(range(3, 4)))
        await pilot.pause()
        assert changed_bg in cell_backgrounds(2, "ERROR")
        assert changed_bg not in cell_backgrounds(2, "server-00001")
        assert changed_bg in cell_backgrounds(4, "server-00003")  # a new row
        await pilot.pause(0.5)
        assert changed_bg not in cell_backgrounds(2, "ERROR")
        assert changed_bg not in cell_backgrounds(4, "server-00003")


def test_row_store_stays_consistent_under_random_diffs() -> None:
    """Property test: the incremental and bulk view patches agree with a from-scratch sort."""
    import random

    from tuicloud.widgets.row_store import RowStore

    rng = random.Random(7)
    store = RowStore()
    store.set_columns(COLUMNS)
    for step in range(300):
        op = rng.random()
        if op < 0.08:
            store.set_sort(rng.choice(["name", "ram", "status"]), rng.random() < 0.5)
        elif op < 0.14:
            store.set_filter(rng.choice(["", "1", "!2", "re:^server-000[0-4]", "shut", "[x"]))
        else:
            size = rng.choice([1, 5, 80, 400])
            upserts = {
                f"id-{i:05d}": server(
                    i,
                    ram=rng.choice([None, rng.randint(0, 50), "n/a"]),
                    status=rng.choice(["ACTIVE", "SHUTOFF", None]),
                )
                for i in (rng.randrange(2000) for _ in range(size))
            }
            removals = [f"id-{rng.randrange(2000):05d}" for _ in range(rng.choice([0, 3, 300]))]
            store.apply(upserts, removals, replace_all=rng.random() < 0.03)
        visible = [row for row in store.rows.values() if row.visible]
        assert store.view == sorted(row.key for row in visible), step
        assert len(store.view) == len(visible)
        ids = store.ids()
        assert [store.index_of(i) for i in ids] == list(range(len(ids)))
        if store.sort_column == "ram":
            values = [store.rows[i].data["ram"] for i in ids]
            present = [v for v in values if v is not None]
            assert values == present + [None] * (len(values) - len(present)), step
            numbers = [v for v in present if isinstance(v, int)]
            assert numbers == sorted(numbers, reverse=store.reverse), step
