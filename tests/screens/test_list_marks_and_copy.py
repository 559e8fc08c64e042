"""Issue 13: `esc` clears the marks once nothing else is open, `v` marks a range, `y` copies
the row's id, name or JSON (and refuses a name whose control characters would act when
pasted)."""

from __future__ import annotations

import json

from tests.helpers.app import loaded, make_app, notes, wait_until
from tuicloud.screens.copy_menu import CopyMenu
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


async def test_v_marks_a_range_and_esc_clears_marks_after_the_filter(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        grid = await loaded(pilot, app, 10)
        ids = grid.visible_ids()
        grid.cursor_id = ids[1]
        await pilot.press("space")  # marks ids[1], the cursor moves to ids[2]
        await pilot.press("j", "j", "j", "v")
        assert grid.marked == set(ids[1:6])
        grid.cursor_id = ids[8]
        await pilot.press("v")  # on from the end of the last range
        assert grid.marked == set(ids[1:9])
        await pilot.press("slash", *"zzz-no-such", "enter")
        await wait_until(pilot, lambda: grid.visible_count == 0, what="filtered")
        await pilot.press("escape")  # the filter goes first; the marks stay
        await wait_until(pilot, lambda: grid.visible_count == len(ids), what="unfiltered")
        assert grid.marked == set(ids[1:9])
        await pilot.press("escape")
        assert grid.marked == set()
        assert isinstance(app.screen, ResourceListScreen)


async def test_y_copies_id_name_or_json(sim: RunningSim) -> None:
    nova = sim.cloud.service("compute")
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        grid = await loaded(pilot, app, 2)
        first, second = grid.visible_ids()[:2]
        grid.cursor_id = first
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, CopyMenu), what="copy menu")
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="back")
        assert app.clipboard == first
        await pilot.press("y", "n")
        await wait_until(pilot, lambda: app.clipboard == nova.servers[first].name, what="name")
        await pilot.press("y", "j")
        await wait_until(pilot, lambda: app.clipboard.startswith("{"), what="json")
        listed = json.loads(app.clipboard)
        assert listed["id"] == first and listed["name"] == nova.servers[first].name
        # A name that would act when pasted into a shell: refused, the id offered instead.
        with sim.cloud.lock:
            nova.servers[second].name = "evil\x1b]0;PWNED\x07name"
            nova.touch(nova.servers[second])
        app.screen.poll_now()  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: "evil" in str((grid.get_row(second) or {}).get("name")),
                         what="the renamed row")
        grid.cursor_id = second
        await pilot.press("y", "n")
        await wait_until(pilot, lambda: any("control characters" in n for n in notes(app)),
                         what="refusal")
        assert isinstance(app.screen, CopyMenu)
        assert "PWNED" not in app.clipboard
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="closed")


async def test_the_views_own_keys_show_first_in_the_footer_at_80_columns(
        sim: RunningSim) -> None:
    """Issue 13: at 80x24 the servers footer showed only the keys every list has."""
    from tuicloud.widgets.key_footer import KeyFooter

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        footer = app.screen.query_one(KeyFooter).render().plain
        for words in ("a Actions", "^d Delete", "o Start"):
            assert words in footer, footer
        assert footer.rstrip().endswith("? Help")
        assert footer.index("a Actions") < footer.find("Filter") or "Filter" not in footer


async def test_minus_goes_back_to_the_previous_view_and_forth(sim: RunningSim) -> None:
    """Issue 13: a way back to the previous view (k9s `-`)."""
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, app)
        await pilot.press("colon", *"vol", "enter")
        await wait_until(pilot, lambda: app.current_mode == "volumes", what="volumes")
        await pilot.press("minus")
        await wait_until(pilot, lambda: app.current_mode == "servers", what="back")
        await pilot.press("minus")
        await wait_until(pilot, lambda: app.current_mode == "volumes", what="forth")
        await pilot.press("slash", "minus")  # typed in the filter bar, not a jump
        await pilot.pause()
        assert app.current_mode == "volumes"


async def test_w_shows_the_columns_80_columns_have_no_room_for(sim: RunningSim) -> None:
    """Issue 13: Power, Flavor, Image and Key pair could not be reached at 80 columns."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await loaded(pilot, app)

        def header() -> str:
            return "".join(segment.text for segment in grid.render_line(0))

        assert "Flavor" not in header() and "Name" in header()
        seen: set[str] = set()
        for _ in range(6):
            await pilot.press("w")
            await pilot.pause()
            assert "Name" in header()  # the name stays on every page
            seen.update(w for w in ("Flavor", "Image", "Power", "Key pair") if w in header())
            if "Addresses" in header():
                break  # back on the first page
        assert seen == {"Flavor", "Image", "Power", "Key pair"}
        assert "Addresses" in header() and "Flavor" not in header()
