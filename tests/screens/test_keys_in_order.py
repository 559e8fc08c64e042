"""Keys typed in one burst (typed ahead on a busy machine, pasted, one SSH packet) each land in
the widget the keys before them focused: the filter bar opened by `/`, the field `tab` moved
to, the form `c` opened, the picker's filter. Each burst is posted to the app at once, before
the app has handled any of it, as a terminal delivers a read of several keys."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.widgets import Input

from tests.helpers.app import list_screen, loaded, make_app, table, wait_until
from tests.helpers.forms import form
from tuicloud.app import TuiCloudApp
from tuicloud.cloud.operations import Choice
from tuicloud.screens.forms.base import DiscardScreen
from tuicloud.screens.forms.create_image import CreateImageForm
from tuicloud.screens.forms.create_volume import CreateVolumeForm
from tuicloud.screens.forms.launch_server import LaunchServerForm
from tuicloud.screens.prompts import ChoicePrompt
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim, SimConfig

# One simcloud for the module.
MODULE_SIMCLOUD = SimConfig(servers=6, volumes=3, images=3, build_delay=0.2,
                            action_delay=0.1)

# Named keys and their characters; a one-character key not named here is itself.
CHARACTERS: dict[str, str | None] = {
    "tab": "\t", "enter": "\r", "backspace": "\x7f", "escape": "\x1b", "down": None, "up": None,
    "ctrl+u": "\x15", "slash": "/", "colon": ":", "full_stop": ".", "minus": "-",
    "question_mark": "?"}
NAME_OF = {char: name for name, char in CHARACTERS.items() if char and len(name) > 1}


def burst(app: TuiCloudApp, *keys: str) -> None:
    """Post every key to the app at once: named keys ("tab") or text ("abc")."""
    for key in keys:
        for name in [key] if key in CHARACTERS else [NAME_OF.get(c, c) for c in key]:
            char = CHARACTERS.get(name, name if len(name) == 1 else None)
            app.post_message(events.Key(name, char))


def field(app: TuiCloudApp, name: str) -> str:
    widget = form(app).rows()[name].widget
    assert isinstance(widget, Input)
    return widget.value


@pytest.mark.parametrize(("view", "form_class", "first", "second", "typed"), [
    ("volumes", CreateVolumeForm, "name", "size", ["abc", "tab", "5"]),
    ("servers", LaunchServerForm, "name", "count", ["web", "tab", "3"]),
    ("images", CreateImageForm, "path", "name", ["/tmp/disk.img", "tab", "abc"]),
], ids=["volume", "launch", "image"])
async def test_a_burst_opens_the_form_and_tab_moves_between_its_fields(
        sim: RunningSim, view: str, form_class: type[Any], first: str, second: str,
        typed: list[str]) -> None:
    app = make_app(view=view)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        # `c` opens the form; the keys after it arrive before it is even composed.
        burst(app, "c", "ctrl+u", *typed)
        await wait_until(pilot, lambda: isinstance(app.screen, form_class)
                         and field(app, second) == typed[2], what="the second field typed")
        assert field(app, first) == typed[0]
        assert isinstance(app.screen.focused, Input) and app.screen.focused.id == f"f-{second}"


async def test_a_burst_after_slash_is_the_filter_even_when_its_letters_are_keys(
        sim: RunningSim) -> None:
    """`c` (create), `l` (console log) and a capital (sort) typed right after `/` are text."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        burst(app, "slash", "cLs", "enter")
        await wait_until(pilot, lambda: grid.filter_text == "cLs" and grid.has_focus,
                         what="/cLs then enter")
        assert list_screen(app) is app.screen  # no form, no console log opened
        burst(app, "escape", "colon", "vol", "enter", "slash", "xyz")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "volumes"
                         and table(app).filter_text == "xyz", what=":vol then /xyz")


async def test_a_burst_into_a_picker_filters_then_moves_then_chooses(sim: RunningSim) -> None:
    app = make_app()
    chosen: list[str | None] = []
    names = ["one", "two", "three", "ten"]
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        prompt = ChoicePrompt("Pick", lambda: [Choice(n, n) for n in names],
                              lambda value: f"pick {value}")
        app.push_screen(prompt, chosen.append)
        await wait_until(pilot, lambda: bool(prompt.choices), what="choices loaded")
        # `t` leaves two, three, ten; `h` three; backspace two, three, ten again; down: three.
        burst(app, "th", "backspace", "down", "enter")
        await wait_until(pilot, lambda: bool(chosen), what="a choice")
        assert chosen == ["three"]


async def test_text_typed_before_the_choices_load_still_counts_as_typed(
        sim: RunningSim) -> None:
    """Typed ahead of the volume types and zones (and of the form's first snapshot): escape
    asks before throwing it away, as it would for text typed later."""
    app = make_app(view="volumes")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        sim.faults.latency = {"*": 0.5}  # the choices arrive after the typing
        try:
            burst(app, "c", "abc")
            await wait_until(pilot, lambda: isinstance(app.screen, CreateVolumeForm)
                             and field(app, "name") == "abc", what="typed")
            await wait_until(pilot, lambda: getattr(form(app), "choices", None) is not None,
                             timeout=30, what="the choices")
        finally:
            sim.faults.latency = {}
        # The form takes its snapshot of "nothing typed" again once the choices are in (the
        # only zone is then chosen for the user).
        await wait_until(pilot, lambda: (form(app)._initial or {}).get("zone") is not None,
                         what="the snapshot after the choices")
        screen = form(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardScreen), what="asked")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen, what="kept")
        assert field(app, "name") == "abc"


async def test_a_burst_through_the_command_line_modal_from_the_overview(
        sim: RunningSim) -> None:
    """On the overview `:` opens a modal command line: `:vol⏎/abc` in one read opens the
    volumes and types the filter there."""
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, timeout=30, what="connected")
        burst(app, "colon", "vol", "enter", "slash", "abc")
        await wait_until(pilot, lambda: app.current_mode == "volumes"
                         and table(app).filter_text == "abc", what=":vol then /abc")


async def test_screens_opened_and_closed_in_a_burst_leave_the_rest_to_the_list(
        sim: RunningSim) -> None:
    """`c` esc (a form opened and closed), `?` esc (help), then `/xyz`: the filter."""
    app = make_app(view="volumes")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        burst(app, "c", "escape", "question_mark", "escape", "slash", "xyz")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and table(app).filter_text == "xyz", what="/xyz on the list")
