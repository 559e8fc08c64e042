"""Hostile data from the cloud: Rich markup, terminal escapes (CSI, OSC 52, OSC 0 title), NUL,
10,000-character strings, wide, combining and right-to-left characters, in names, descriptions,
metadata keys and values, image properties and fault messages.

Property tests poison real API documents (every kind's list item and detail, as simcloud serves
them) and check every rendered segment of the list table (``kind.row`` -> ResourceTable
``render_line``) and of the detail view (``_section``/``_related`` and the raw JSON) is inert
and the layout holds. One end-to-end test creates such resources through the SDK and looks at
the app's screen.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import openstack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openstack.config.loader import OpenStackConfig
from rich.cells import cell_len
from rich.console import Console, Group
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult

from tests.helpers.app import (
    assert_terminal_safe,
    list_screen,
    loaded,
    make_app,
    private_network,
    shown,
    table,
    wait_until,
)
from tests.helpers.table import BIDI, CONTROLS, cells, check_strip, visible
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.detail import Related, fetch_detail
from tuicloud.cloud.kinds import all_kinds
from tuicloud.cloud.kinds.base import Raw, ResourceKind
from tuicloud.cloud.lookups import LOOKUP_TABLES, Lookups
from tuicloud.screens.detail import DetailScreen, _related, _section
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud
from tuicloud.widgets.resource_table import ResourceTable, layout_columns
from tuicloud.widgets.row_store import CELL_MAX_CHARS
from tuicloud.widgets.sanitize import sanitize_text
from tuicloud.widgets.status_header import StatusHeader

FRAGMENTS = [
    "[bold red]pwn[/]", "[link=https://evil.example]x[/link]", "[/]", "[", "\\[b]",
    "\x1b[31m", "\x1b[2J\x1b[H", "\x1b[?1049l", "\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "\x1b]0;owned title\x07", "\x1b]8;;https://evil.example\x1b\\", "\x1bP1$r\x1b\\",
    "\x9b31m", "\x9d0;t\x9c", "\x1b", "\x00", "\r", "\n", "\t", "\b", "\x7f", "\x85",
    "日本語", "ｗｉｄｅ", "e\u0301", "\u0301", "\u202eevil\u202c", "\u2067x\u2069", "שלום",
    "مرحبا", "👩\u200d👩\u200d👧", "\u200d", "\ufeff", "\U0001f600", "a", " ", "-",
]
hostile = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map("".join),
    st.text(max_size=20),
    st.builds(lambda piece, n: piece * n, st.sampled_from(["W", "日", "e\u0301", "\x1b[31m",
                                                           "[b]", "\x00"]),
              st.sampled_from([300, 10_000])),
)
WIDTHS = (80, 200)


# -- real documents to poison -----------------------------------------------------------------
@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[dict[str, tuple[list[Raw], Raw, Related]]]:
    """Per kind: up to three list items, one resource's detail document, its related lists."""
    folder = tmp_path_factory.mktemp("hostile")
    clouds = folder / "clouds.yaml"
    with run_simcloud(SimConfig(servers=4, volumes=3, images=3), clouds_yaml=clouds):
        config = OpenStackConfig(config_files=[str(clouds)])
        found = {}
        for cloud, admin in (("simcloud", False), ("simcloud-admin", True)):
            region = config.get_one(cloud)
            with CloudSession.from_cloud_region(region) as session:
                for kind in all_kinds():
                    if kind.admin_only != admin:  # the operator's views, as an admin
                        continue
                    body, _ = session.get_json(kind.service_type,
                                               kind.list_path_for(session.user_id),
                                               list(kind.list_params))
                    listed = body if isinstance(body, list) else body[kind.list_key]  # Swift
                    items = [kind.item(item) for item in listed][:3]
                    assert items, kind.name
                    if kind.enrich is not None:
                        kind.enrich(session, items)
                    raw, related = fetch_detail(session, kind, kind.id_of(items[0]))
                    found[kind.name] = (items, raw, related)
        yield found


def poison(value: Any, draw: Any, keys: bool = False) -> Any:
    """``value`` with strings (and, under metadata-like keys, mapping keys) made hostile."""
    if isinstance(value, str):
        return draw(hostile) if draw(st.integers(0, 2)) == 0 else value
    if isinstance(value, list):
        return [poison(v, draw) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            new_key = draw(hostile) if keys and draw(st.booleans()) else key
            out[new_key] = poison(inner, draw,
                                  keys=key in ("metadata", "properties", "meta", "headers"))
        return out
    return value


def hostile_document(draw: Any, kind: ResourceKind, raw: Raw) -> Raw:
    doc: Raw = poison(raw, draw)
    if kind.name_key is not None and draw(st.booleans()):
        doc[kind.name_key] = draw(hostile)
    doc["description"] = draw(hostile)
    doc["metadata"] = draw(st.dictionaries(hostile, hostile, max_size=3))
    if kind.name == "servers":
        doc["status"] = "ERROR"
        doc["fault"] = {"code": 500, "message": draw(hostile), "details": draw(hostile),
                        "created": "2026-01-01T00:00:00Z"}
        doc["tags"] = draw(st.lists(hostile, max_size=2))
    if kind.name == "images":  # Glance properties are top-level keys
        doc.update(draw(st.dictionaries(hostile, hostile, max_size=3)))
    return doc


class HostileLookups(Lookups):
    """Names looked up by id (flavor, image, project ...) come from the cloud too."""

    def __init__(self, names: dict[str, str]) -> None:
        super().__init__()
        self.names = names

    def name(self, table: str, ident: object) -> str:
        return self.names.get(table, "") if ident else ""


def hostile_lookups(draw: Any) -> Lookups:
    return HostileLookups({table: draw(hostile) for table in LOOKUP_TABLES})


# -- the list table ---------------------------------------------------------------------------
class KindTable(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable()


def status_styled(kind: ResourceKind, row: dict[str, object]) -> dict[str, object]:
    """What the list screen's converter does: the status cell as a styled Text."""
    key = kind.status_key or "status"
    status = row.get(key)
    if isinstance(status, str) and kind.status_class(status):
        row[key] = Text(status, style="bold red")
    return row


async def test_every_kinds_rows_render_inert_and_keep_their_layout(
        documents: dict[str, tuple[list[Raw], Raw, Related]]) -> None:
    app = KindTable()
    async with app.run_test(size=(80, 12)) as pilot:
        grid = app.query_one(ResourceTable)
        generation = iter(range(1_000_000))
        for width in WIDTHS:
            await pilot.resize_terminal(width, 12)
            await pilot.pause()
            for kind in all_kinds():
                grid.set_columns(list(kind.columns))

                rows_check(grid, kind, documents[kind.name][0], generation)()


def rows_check(grid: ResourceTable, kind: ResourceKind, items: list[Raw],
               generation: Iterator[int]) -> Any:
    """A property over hostile versions of ``items``, rendered by ``grid``."""

    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        lookups = hostile_lookups(data.draw)
        prefix = f"{next(generation)}-"
        rows = {}
        for raw in items:
            doc = hostile_document(data.draw, kind, raw)
            row = status_styled(kind, kind.row(doc, lookups))
            rows[prefix + kind.id_of(raw)] = row
        grid.apply_diff(rows, replace_all=True)
        grid.cursor_id = next(iter(rows))
        shown = grid.scrollable_content_region.width
        layout = layout_columns(kind.columns, shown)
        assert check_strip(grid.render_line(0), shown).split()[0] == kind.columns[0].title
        for y, row_id in enumerate(grid.visible_ids(), start=1):
            line = check_strip(grid.render_line(y), shown)
            check_name_cell(line, layout, kind, rows[row_id])

    return check


def check_name_cell(line: str, layout: list[tuple[int, int]], kind: ResourceKind,
                    row: dict[str, object]) -> None:
    """The name column (always first) shows the name literally, cut with "…" if too long."""
    grid = cells(line)
    column_index, width = layout[0]
    assert kind.columns[column_index].key == "name"
    content = visible("".join(c for c in grid[2:2 + width] if c)).strip(" ")
    value = row.get("name")
    plain = value.plain if isinstance(value, Text) else str(value or "")
    full = sanitize_text(plain, max_len=CELL_MAX_CHARS)
    expected = visible(full).strip(" ")
    if cell_len(full) <= width:
        assert content == expected, (content, expected)
    else:
        assert content.endswith("…") and expected.startswith(content[:-1].rstrip(" ")), (
            content, expected)


# -- the detail view --------------------------------------------------------------------------
def check_renderable(renderable: Any, width: int) -> str:
    """Render like the terminal would; every segment inert, every line exactly ``width``."""
    console = Console(width=width, file=io.StringIO(), color_system="truecolor",
                      force_terminal=True, legacy_windows=False)
    segments = list(console.render(renderable, console.options.update(width=width)))
    for segment in segments:
        assert not segment.control, segment
        text = segment.text
        for char in text.replace("\n", ""):
            assert ord(char) not in CONTROLS, f"control {ord(char):#x} in {text!r}"
            assert ord(char) not in BIDI, f"bidi control {ord(char):#x} in {text!r}"
        assert segment.style is None or not segment.style.link, segment
    lines = list(Segment.split_and_crop_lines(segments, width, pad=True))
    assert all(Segment.get_line_length(line) == width for line in lines)
    return "\n".join("".join(s.text for s in line) for line in lines)


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda k: k.name)
def test_every_kinds_detail_renders_inert(kind: ResourceKind,
                                          documents: dict[str, tuple[list[Raw], Raw, Related]]
                                          ) -> None:
    _, raw, related = documents[kind.name]

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data(), width=st.sampled_from(WIDTHS))
    def check(data: st.DataObject, width: int) -> None:
        doc = hostile_document(data.draw, kind, raw)
        lookups = hostile_lookups(data.draw)
        related_doc = poison(related, data.draw)
        if data.draw(st.booleans()):  # a related list with hostile column names
            related_doc["extra"] = [{data.draw(hostile): data.draw(hostile)}]
        parts: list[Any] = [_section(title, fields)
                            for title, fields in kind.detail_sections(doc, lookups)]
        parts += [_related(title, items) for title, items in related_doc.items()]
        shown = check_renderable(Group(*parts), width)
        # No name of its own: the first column names another resource (a rule's group).
        name = doc.get(kind.name_key) if kind.name_key else kind.row(doc, lookups)["name"]
        if kind.name != "keypairs" and isinstance(name, str) and name and len(name) < 20 \
                and width == 200 and "\n" not in sanitize_text(name):
            assert visible(sanitize_text(name)).strip() in visible(shown)
        # `y`: the raw JSON, as the detail screen shows it
        dumped = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)
        check_renderable(Text(sanitize_text(dumped, keep_newlines=True)), width)

    check()


# -- end to end -------------------------------------------------------------------------------
EVIL_NAME = ("[bold red]OWNED[/] \x1b]0;title\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J"
             "日本語 e\u0301 \u202eשלום")
EVIL_KEY = "[blink]key\x1b[5m"
EVIL_VALUE = "\x1b]8;;https://evil.example\x1b\\click\x00me " + "W" * 10_000


@pytest.fixture
def hostile_cloud(sim: RunningSim) -> Iterator[dict[str, str]]:
    """A server (in ERROR, with a hostile fault), a volume and an image with hostile names,
    descriptions and metadata, created through the SDK."""
    conn = openstack.connect(cloud="simcloud")
    try:
        flavor = min(conn.compute.get("/flavors/detail").json()["flavors"],
                     key=lambda f: f["disk"])["id"]
        image = next(i for i in conn.image.get("/images").json()["images"]
                     if i["status"] == "active" and i["min_disk"] <= 1)["id"]
        answer = conn.compute.post("/servers", json={"server": {
            "name": EVIL_NAME, "flavorRef": flavor, "imageRef": image,
            "networks": private_network(conn)}})
        assert answer.status_code == 202, answer.text
        server = answer.json()["server"]["id"]
        volume = conn.block_storage.post("/volumes", json={"volume": {
            "size": 1, "name": EVIL_NAME, "description": EVIL_VALUE,
            "metadata": {EVIL_KEY: EVIL_VALUE[:255]}}})
        assert volume.status_code == 202, volume.text
        made = conn.image.post("/images", json={"name": EVIL_NAME, "disk_format": "qcow2",
                                                "container_format": "bare",
                                                "x_evil": EVIL_VALUE[:255]})
        assert made.status_code == 201, made.text
        # the server's build fails with a fault message nobody sanitised
        nova = sim.cloud.service("compute")
        deadline = time.monotonic() + 10
        while nova.servers[server].vm_state == "building" and time.monotonic() < deadline:
            time.sleep(0.05)
        with sim.cloud.lock:
            record = nova.servers[server]
            record.vm_state, record.task_state = "error", None
            record.fault = (500, EVIL_NAME, time.time(), EVIL_VALUE)
            # Nova's API refuses such a key and description (as simcloud now does), but data
            # written by an older Nova or straight into its database still reaches the screen.
            record.metadata = {EVIL_KEY: EVIL_VALUE[:255]}
            record.description = EVIL_VALUE[:255]
            record.updated = time.time()
        yield {"server": server, "volume": volume.json()["volume"]["id"],
               "image": made.json()["id"]}
    finally:
        conn.close()


async def test_hostile_resources_end_to_end(hostile_cloud: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: hostile_cloud["server"] in grid.visible_ids(),
                         what="the hostile server")
        grid.cursor_id = hostile_cloud["server"]
        await shown(pilot, app, "[bold red]OWNED[/] \u241b]", "ERROR")  # escape as a symbol
        assert_terminal_safe(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="server detail")
        # Long values wrap now (issue 13): the W run starts on the line after "click␀me".
        # The hidden window title is seen, not dropped.
        await shown(pilot, app, "Fault", "[blink]key", "click␀me", "W" * 60,
                    "\u241b]0;title\u2407")
        assert_terminal_safe(app)
        header = app.screen.query_one(StatusHeader).render().plain
        assert "[bold red]OWNED[/]" in header and len(header) < 200
        await pilot.press("y")
        await shown(pilot, app, '"OS-EXT-STS:vm_state": "error"')  # the raw JSON
        assert_terminal_safe(app)
        for view, ident in (("vol", hostile_cloud["volume"]), ("img", hostile_cloud["image"])):
            await pilot.press("escape", "colon", *view, "enter")
            await wait_until(pilot, lambda ident=ident: ident in table(app).visible_ids(),
                             what=view)
            table(app).cursor_id = ident
            await shown(pilot, app, "[bold red]OWNED[/]")
            assert_terminal_safe(app)
            assert list_screen(app).query_one(StatusHeader).render().plain.count("\n") == 0
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                             and app.screen.raw is not None, what=f"{view} detail")
            await shown(pilot, app, "[bold red]OWNED[/]", "click␀me")
            assert_terminal_safe(app)
