"""Images through the app against real Glance: upload with the create form, save (download)
with the save form, protect/unprotect, the edit form, delete; each checked in Glance."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from openstack.connection import Connection
from textual.widgets import TextArea

from tests.helpers.app import make_app, table, wait_until
from tests.helpers.forms import form, open_form, set_field
from tests.real import rig
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_image import CreateImageForm
from tuicloud.screens.forms.image_edit import ImageEditForm
from tuicloud.screens.forms.save_image import SaveImageForm
from tuicloud.screens.resource_list import ResourceListScreen


async def test_upload_save_protect_edit_delete(prefix: str, demo_sdk: Connection,
                                               tmp_path: Path) -> None:
    source = tmp_path / f"{prefix}disk.raw"
    source.write_bytes(os.urandom(1 << 20))
    name = f"{prefix}disk"
    app = make_app(cloud="real-demo", view="images")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_form(pilot, app, CreateImageForm)
        set_field(screen, "path", str(source))
        await wait_until(pilot, lambda: screen.values()["name"] == name, what="name guessed")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="uploaded")
        image = rig.wait_for(lambda: next((i for i in demo_sdk.image.images(name=name)
                                           if i.status == "active"), None), "image active")
        assert image.checksum == hashlib.md5(source.read_bytes()).hexdigest()
        assert image.visibility == "private" and image.disk_format == "raw"
        await wait_until(pilot, lambda: table(app).get_row(image.id) is not None,
                         timeout=rig.SLOW, what="row")

        target = tmp_path / "saved.raw"
        table(app).cursor_id = image.id
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SaveImageForm), what="save form")
        set_field(form(app), "path", str(target))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="saved")
        assert target.read_bytes() == source.read_bytes()

        before = await rig.run_op(pilot, app, image.id, "image.protect")
        await rig.note_after(pilot, app, before, lambda n: n.startswith("Protect"),
                             what="protected")
        rig.wait_for(lambda: demo_sdk.image.get_image(image.id).is_protected, "protected")
        menu = await rig.open_menu(pilot, app)
        assert "image is protected: unprotect it first" in rig.options(menu)["image.delete"][1]
        await pilot.press("escape")
        before = await rig.run_op(pilot, app, image.id, "image.unprotect")
        await rig.note_after(pilot, app, before, lambda n: n.startswith("Unprotect"),
                             what="unprotected")
        rig.wait_for(lambda: not demo_sdk.image.get_image(image.id).is_protected,
                     "unprotected")

        await rig.run_op(pilot, app, image.id, "form.image_edit")
        await wait_until(pilot, lambda: isinstance(app.screen, ImageEditForm),
                         timeout=rig.SLOW, what="edit form")
        edit = app.screen
        assert isinstance(edit, ImageEditForm)
        await pilot.pause(0.1)
        set_field(edit, "name", name + "-v2")
        set_field(edit, "min_disk", "1")
        edit.query_one("#f-properties", TextArea).text = "purpose=rig-test"
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="edited")
        edited = rig.wait_for(lambda: (lambda i: i if i.name == name + "-v2" else None)(
            demo_sdk.image.get_image(image.id)), "renamed in Glance")
        assert edited.min_disk == 1 and edited.properties.get("purpose") == "rig-test"

        table(app).cursor_id = image.id
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: table(app).get_row(image.id) is None,
                         timeout=rig.SLOW, what="row gone")
    assert demo_sdk.image.find_image(image.id) is None


async def test_glance_refusal_shows_its_reason(demo_sdk: Connection) -> None:
    """Protecting the admin's public image as demo: Glance's 403 reason reaches the user
    (Glance answers HTML unless asked for JSON)."""
    image = demo_sdk.image.find_image("fake-image", ignore_missing=False)
    app = make_app(cloud="real-demo", view="images")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and table(app).get_row(image.id) is not None, timeout=rig.SLOW,
                         what="row")
        before = await rig.run_op(pilot, app, image.id, "image.protect")
        message = await rig.note_after(pilot, app, before, lambda n: "403" in n, what="403")
    assert "not authorized" in message.lower(), message
    assert "<" not in message, message
    assert not demo_sdk.image.get_image(image.id).is_protected
