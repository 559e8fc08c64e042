"""The worker-side differ sends the table only what changed."""

from __future__ import annotations

from typing import Any

from tuicloud.cloud.packed import Packed
from tuicloud.model.row_diff import RowDiffer


def convert(raw: dict[str, Any]) -> dict[str, object]:
    return {"name": raw["name"], "status": raw["status"]}


def test_full_resync_sends_only_changes_and_removals() -> None:
    differ = RowDiffer()
    first = {str(i): {"id": str(i), "name": f"s{i}", "status": "ACTIVE"} for i in range(1000)}
    rows, gone = differ.diff(first, convert, full=True)
    assert len(rows) == 1000 and not gone
    second = {k: dict(v) for k, v in first.items() if k != "7"}  # new dicts, equal content
    second["3"]["status"] = "SHUTOFF"
    second["new"] = {"id": "new", "name": "n", "status": "BUILD"}
    rows, gone = differ.diff(second, convert, full=True)
    assert set(rows) == {"3", "new"} and rows["3"]["status"] == "SHUTOFF"
    assert gone == {"7"}


def test_incremental_removals_and_relabel() -> None:
    differ = RowDiffer()
    differ.diff({"a": {"name": "a", "status": "ACTIVE"}}, convert)
    rows, gone = differ.diff({}, convert, removals={"a", "unknown"})
    assert not rows and gone == {"a"}
    differ.diff({"b": {"name": "b", "status": "ACTIVE"}}, convert)
    assert differ.relabel(convert) == {}
    relabelled = differ.relabel(lambda raw: {"name": raw["name"].upper(), "status": "x"})
    assert relabelled == {"b": {"name": "B", "status": "x"}}


def test_a_list_poll_older_than_a_single_read_does_not_undo_it() -> None:
    """An action's follow reads the resource after the change; a list poll that started
    before that read answers with the old state and must not put it back (nor drop it)."""
    differ = RowDiffer()
    differ.diff({"a": {"name": "a", "status": "up"}, "b": {"name": "b", "status": "up"}},
                convert, full=True, as_of=1.0)
    row = differ.read_singly("a", {"name": "a", "status": "down"}, convert, started=5.0)
    assert row["status"] == "down"
    # The poll in flight started at 4.0: its "up" for a is older; b's change still counts.
    rows, gone = differ.diff({"a": {"name": "a", "status": "up"},
                              "b": {"name": "b", "status": "down"}}, convert, full=True,
                             as_of=4.0)
    assert set(rows) == {"b"} and not gone
    rows, gone = differ.diff({"b": {"name": "b", "status": "down"}}, convert, full=True,
                             as_of=4.5)
    assert not rows and not gone  # a missing from an older list is not a deletion either
    assert differ.raw("a") == {"name": "a", "status": "down"}
    # A poll that started after the read is the truth again.
    rows, gone = differ.diff({"a": {"name": "a", "status": "up"},
                              "b": {"name": "b", "status": "down"}}, convert, full=True,
                             as_of=6.0)
    assert rows == {"a": {"name": "a", "status": "up"}} and not gone


def test_packed_raws_diff_like_parsed_ones_and_read_back_as_copies() -> None:
    """A packing poller's full list comes packed only: unchanged ones send nothing, a changed
    one is read back and converted; raw() gives a copy the caller may change."""
    differ = RowDiffer()
    first = {str(i): {"id": str(i), "name": f"s{i}", "status": "ACTIVE",
                      "flavor": {"id": "f1", "links": []}} for i in range(100)}
    rows, _ = differ.diff(first, convert, full=True)
    assert len(rows) == 100 and differ.rows(2) == [rows["0"], rows["1"]]
    packed = {k: Packed(v) for k, v in first.items() if k != "9"}
    packed["3"] = Packed({**first["3"], "status": "SHUTOFF"})
    rows, gone = differ.diff({}, convert, full=True, packed=packed)
    assert rows == {"3": {"name": "s3", "status": "SHUTOFF"}} and gone == {"9"}
    copy = differ.raw("3")
    assert copy == {**first["3"], "status": "SHUTOFF"}
    assert copy is not None
    copy["status"] = "changed by the caller"
    assert differ.raw("3") == {**first["3"], "status": "SHUTOFF"}


def test_a_row_that_reads_the_same_is_not_sent_again() -> None:
    differ = RowDiffer()
    differ.diff({"a": {"name": "a", "status": "ACTIVE", "updated": "1"}}, convert)
    rows, _ = differ.diff({"a": {"name": "a", "status": "ACTIVE", "updated": "2"}}, convert)
    assert rows == {}  # the raw changed, its row did not
    assert differ.raw("a") == {"name": "a", "status": "ACTIVE", "updated": "2"}


def test_a_list_poll_older_than_a_404_does_not_bring_the_resource_back() -> None:
    differ = RowDiffer()
    differ.diff({"a": {"name": "a", "status": "up"}}, convert, full=True, as_of=1.0)
    differ.read_gone("a", convert, started=5.0)
    assert differ.raw("a") is None
    rows, gone = differ.diff({"a": {"name": "a", "status": "up"}}, convert, full=True,
                             as_of=4.0)  # listed before the delete went through
    assert not rows and not gone and differ.raw("a") is None
    rows, _ = differ.diff({"a": {"name": "a", "status": "up"}}, convert, full=True, as_of=6.0)
    assert set(rows) == {"a"}  # a later list is the truth: one of that name exists again


def test_a_styled_cell_changes_with_its_text_style_or_spans_only() -> None:
    from rich.style import Style
    from rich.text import Text

    from tuicloud.model.row_diff import row_print

    def row(status: Text) -> dict[str, object]:
        return {"id": "1", "name": "web", "status": status}

    ok = Style.parse("bold #88cc88")
    same = row_print(row(Text("ACTIVE", style=ok)))
    assert row_print(row(Text("ACTIVE", style=Style.parse("bold #88cc88")))) == same
    assert row_print(row(Text("ACTIVE", style=Style.parse("bold #88cc89")))) != same
    assert row_print(row(Text("ERROR", style=ok))) != same
    spanned = Text("ACTIVE", style=ok)
    spanned.stylize("underline", 0, 3)
    assert row_print(row(spanned)) != same


def test_a_relabel_since_the_names_came_rebuilds_only_older_rows() -> None:
    import time

    names = {"p1": "p1"}  # the project names as known when each row is converted
    converted: list[str] = []

    def convert(raw: dict[str, Any]) -> dict[str, object]:
        converted.append(raw["id"])
        return {"id": raw["id"], "project": names.get(raw["p"], raw["p"][:3])}

    differ = RowDiffer()
    differ.diff({"a": {"id": "a", "p": "p2-id"}}, convert)  # the first page: no names yet
    names["p2-id"] = "prod"
    came = time.monotonic()
    differ.diff({"b": {"id": "b", "p": "p2-id"}}, convert)  # a later page: names known
    converted.clear()
    changed = differ.relabel(convert, since=came)
    assert converted == ["a"] and changed == {"a": {"id": "a", "project": "prod"}}
    converted.clear()
    assert differ.relabel(convert, since=came) == {}  # rebuilt after ``came``: fresh now
    assert converted == []
    assert differ.relabel(convert) == {} and sorted(converted) == ["a", "b"]  # all: every row
