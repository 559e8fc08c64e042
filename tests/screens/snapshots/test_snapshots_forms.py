"""SVG snapshots of every form at 80x24 (conventions and frozen clock of test_snapshots.py).

Inputs keep the focus (as a user sees the form) with the cursor blink off, so the SVG is the
same on every run. Regenerate with ``--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.helpers.app import make_app, wait_until
from tests.helpers.snapshots import settle
from tuicloud.app import TuiCloudApp
from tuicloud.screens.forms.base import FormScreen
from tuicloud.screens.forms.create_image import CreateImageForm
from tuicloud.screens.forms.create_volume import CreateVolumeForm
from tuicloud.screens.forms.image_edit import ImageEditForm
from tuicloud.screens.forms.launch_server import LaunchServerForm
from tuicloud.screens.forms.save_image import SaveImageForm
from tuicloud.simcloud import RunningSim

SIZE = (80, 24)


def steady_cursor(app: TuiCloudApp) -> None:
    """No blinking: the cursor is drawn the same in every frame."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


async def form_ready(pilot: Pilot[Any], app: TuiCloudApp, kind: type[FormScreen],
                     loaded: Any = None) -> None:
    """The form is up, its choices in, and the defaults settled."""
    await wait_until(pilot, lambda: isinstance(app.screen, kind), what=kind.__name__)
    screen = app.screen
    assert isinstance(screen, FormScreen)
    await wait_until(pilot, lambda: screen._initial is not None
                     and (loaded is None or loaded(screen)), what="form settled")
    await app.workers.wait_for_complete()
    await pilot.pause()
    steady_cursor(app)
    await pilot.pause()


def test_launch_form(frozen: RunningSim, snap_compare: Any) -> None:
    """`c` on servers: the launch form with its defaults and the quota headroom."""
    app = make_app(view="servers")

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        await pilot.press("c")
        await form_ready(pilot, app, LaunchServerForm, lambda s: s.choices is not None)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_launch_form_with_errors(frozen: RunningSim, snap_compare: Any) -> None:
    """Submitting an incomplete launch form: the errors under their fields."""
    app = make_app(view="servers")

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        await pilot.press("c")
        await form_ready(pilot, app, LaunchServerForm, lambda s: s.choices is not None)
        await pilot.press(*" web")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_volume_form(frozen: RunningSim, snap_compare: Any) -> None:
    """`c` on volumes."""
    app = make_app(view="volumes")

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        await pilot.press("c")
        await form_ready(pilot, app, CreateVolumeForm, lambda s: s.choices is not None)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_image_upload_form(frozen: RunningSim, snap_compare: Any) -> None:
    """`c` on images."""
    app = make_app(view="images")

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        await pilot.press("c")
        await form_ready(pilot, app, CreateImageForm)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def _first_image(sim: RunningSim) -> dict[str, Any]:
    glance = sim.cloud.service("image")
    record = min(glance.images.values(), key=lambda r: str(r.get("name")))
    return dict(glance.doc(record))


def test_image_save_form(frozen: RunningSim, snap_compare: Any) -> None:
    """The save form for an image, with a fixed destination."""
    app = make_app(view="images")
    image = _first_image(frozen)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        app.push_screen(SaveImageForm(image["id"], image["name"], "/tmp/saved.img"))
        await form_ready(pilot, app, SaveImageForm)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_image_edit_form(frozen: RunningSim, snap_compare: Any) -> None:
    """The edit form, as the actions menu opens it with the image's JSON."""
    app = make_app(view="images")
    image = _first_image(frozen)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        app.push_screen(ImageEditForm(image))
        await form_ready(pilot, app, ImageEditForm)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
