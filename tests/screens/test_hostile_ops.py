"""Hostile names in the operation screens and forms: the actions menu, the confirmation, the
pickers (flavors, images, volumes) and the forms' selects and command lines show a server,
image, volume, flavor and network named with Rich markup, terminal escapes (CSI, OSC 0, OSC 52),
NUL, right-to-left and combining characters, or 10,000 characters, as plain text: no crash,
no control sequence on the screen.

The names are written into simcloud's records directly, as a cloud that validates nothing would
answer them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from tests.helpers.app import assert_terminal_safe, list_screen, loaded, make_app, table, wait_until
from tests.helpers.app import shown as on_screen
from tests.helpers.forms import form, set_field
from tests.helpers.ops import open_menu, pick
from tuicloud.app import TuiCloudApp
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_volume import CreateVolumeForm
from tuicloud.screens.forms.launch_server import LaunchServerForm
from tuicloud.screens.prompts import ChoicePrompt
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def evil(tag: str) -> str:
    """A name that is markup, escapes, NUL, bidi and combining characters around ``tag``."""
    return (f"[bold red]{tag}[/] \x1b]0;title\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b[31m"
            "日本語 e\u0301 \u202eשלום\u202c\x00z")


LONG = "[bold red]VOL[/]\x1b[5m" + "W" * 10_000


@pytest.fixture
def names(sim: RunningSim) -> Iterator[dict[str, str]]:
    """Ids of a server, an image, a volume, a flavor and a network renamed hostile."""
    cloud = sim.cloud
    demo = cloud.service("identity").project_by_name("demo").id
    with cloud.lock:
        server = pick(sim, "active")[0]
        server.name = evil("SRV")
        glance = cloud.service("image")
        image = next(i for i in glance.images.values() if i["status"] == "active"
                     and i.get("visibility") == "public" and (i.get("min_disk") or 0) <= 10)
        image["name"] = evil("IMG")
        cinder = cloud.service("volume")
        volume = next(v for v in cinder.volumes.values() if v["status"] == "available"
                      and v["project_id"] == demo)
        volume["name"] = LONG
        nova = cloud.service("compute")
        flavor = next(f for f in nova.flavors.values() if f["id"] != server.flavor_id
                      and not f.get("deleted") and f.get("disk", 0) >= 20)
        flavor["name"] = evil("FLV")
        neutron = cloud.service("network")
        network = next(n for n in neutron.networks.values() if n.get("name") == "demo-net")
        network["name"] = evil("NET")
    yield {"server": server.id, "image": image["id"], "volume": volume["id"],
           "flavor": flavor["id"], "network": network["id"]}


async def shown(pilot: Pilot[Any], app: TuiCloudApp, *tags: str) -> str:
    """The screen shows each tag's markup literally (waited for: a pushed screen paints
    later), and is inert."""
    await on_screen(pilot, app, *(f"[bold red]{tag}[/]" for tag in tags))
    return assert_terminal_safe(app)


async def pick_from_menu(pilot: Pilot[Any], app: TuiCloudApp, words: str) -> None:
    await open_menu(pilot, app)
    await pilot.press(*words, "enter")


async def expand(pilot: Pilot[Any], select: Select[Any]) -> None:
    """Open a Select's drop-down, as enter on it does."""
    select.focus()
    await pilot.pause()
    await pilot.press("enter")
    await wait_until(pilot, lambda: select.expanded, what="the drop-down")
    await pilot.pause()


async def test_hostile_names_in_the_actions_menu_confirm_and_pickers(
        sim: RunningSim, names: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: table(app).get_row(names["server"]) is not None,
                         what="the server")
        table(app).cursor_id = names["server"]
        await pilot.pause()
        await open_menu(pilot, app)
        await shown(pilot, app, "SRV")  # the menu's title
        await pilot.press(*"soft", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown(pilot, app, "SRV")  # the title and the names
        await pilot.press("escape")

        for words, tag, what in (("resize", "FLV", "flavors"), ("rebuild", "IMG", "images"),
                                 ("attach volume", "VOL", "volumes")):
            await pick_from_menu(pilot, app, words)
            await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                             and bool(app.screen.choices), what=what)
            prompt = app.screen
            assert isinstance(prompt, ChoicePrompt)
            await pilot.press(*tag.lower())  # filter down to the hostile one
            if tag == "VOL":  # cut to a few wrapped lines, the markup literal
                await on_screen(pilot, app, "red]VOL[/]\u241b[5mWWWW", "WWW…")  # escape shown
                text = assert_terminal_safe(app)
                assert text.count("W" * 60) < 10
            else:
                text = await shown(pilot, app, tag)
                assert "日本語" in text and "␀z" in text
            assert prompt.current_value() == names[{"FLV": "flavor", "IMG": "image",
                                                    "VOL": "volume"}[tag]]
            assert f"{prompt.current_value()}" in text or tag != "FLV"  # the command's id
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                             what="the list")
        assert app.return_code is None


async def test_hostile_names_in_the_forms(sim: RunningSim, names: dict[str, str]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, LaunchServerForm)
                         and app.screen.choices is not None, what="the launch form")
        screen = form(app)
        await pilot.pause(0.2)
        await shown(pilot, app, "NET")  # the networks list is on the screen
        rows = screen.rows()
        image = rows["image"].widget
        assert isinstance(image, Select)
        await expand(pilot, image)
        await shown(pilot, app, "IMG")
        await pilot.press("escape")
        flavor = rows["flavor"].widget
        assert isinstance(flavor, Select)
        flavor.scroll_visible()
        await expand(pilot, flavor)
        await shown(pilot, app, "FLV")
        await pilot.press("escape")
        # Chosen: the command line names them, inert.
        set_field(screen, "name", "[b]x[/b]")
        set_field(screen, "image", names["image"])
        set_field(screen, "flavor", names["flavor"])
        set_field(screen, "networks", [names["network"]])
        await pilot.pause(0.2)
        text = await shown(pilot, app, "IMG", "FLV")
        assert "[b]x[/b]" in text
        command = str(screen.query_one("#form-command").render())
        assert "openstack server create" in command and "\x1b" not in command
        await pilot.press("escape")  # typed: asks before discarding
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="the list")

        await pilot.press("colon", *"vol", "enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "volumes"
                         and list_screen(app).freshness.state == "fresh", what="volumes")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateVolumeForm)
                         and app.screen.choices is not None, what="the volume form")
        screen = form(app)
        for source, tag, ident in (("image", "IMG", names["image"]),
                                   ("volume", "VOL", names["volume"])):
            set_field(screen, "source", source)
            await pilot.pause(0.2)
            origin = screen.rows()["source_id"].widget
            assert isinstance(origin, Select)
            await expand(pilot, origin)
            await shown(pilot, app, tag)
            await pilot.press("escape")
            set_field(screen, "source_id", ident)
            set_field(screen, "size", "30")
            await pilot.pause(0.2)
            command = str(screen.query_one("#form-command").render())
            # A name holding controls would be pasted defanged and fail: the id goes there.
            assert ident in command and f"[bold red]{tag}[/]" not in command
            assert "\x1b" not in command and len(command) < 3000
            assert_terminal_safe(app)
        assert app.return_code is None
