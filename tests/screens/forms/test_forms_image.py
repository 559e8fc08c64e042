"""Image forms: upload from a file (progress, cancel), save to a file, edit; against simcloud
with the real SDK, through the Pilot and (for the cleanup edge cases) the cloud layer."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.app import make_app, wait_until
from tests.helpers.forms import (
    field_error,
    open_form,
    plain_text,
    push_form,
    set_field,
)
from tuicloud.cloud import transfer
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.transfer import ImageSpec, TransferCancelled, guess_formats, upload_image
from tuicloud.screens.forms.base import AskScreen
from tuicloud.screens.forms.create_image import CreateImageForm
from tuicloud.screens.forms.image_edit import ImageEditForm
from tuicloud.screens.forms.save_image import SaveImageForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim, SimConfig

# One simcloud for the module (tests use their own image names).
MODULE_SIMCLOUD = SimConfig(servers=3, volumes=3, images=4, build_delay=0.2,
                            action_delay=0.1)


@pytest.fixture
def session(sim: RunningSim) -> Iterator[CloudSession]:
    """The demo user's cloud session."""
    with CloudSession.connect("simcloud") as connected:
        yield connected


def images_named(sim: RunningSim, name: str) -> list[dict[str, Any]]:
    """simcloud's image records with that name."""
    return [i for i in sim.cloud.service("image").images.values() if i.get("name") == name]


def write_file(path: Path, size: int, head: bytes = b"") -> Path:
    """``size`` bytes of incompressible data (written in 1 MiB blocks, never sparse)."""
    block = hashlib.sha512(path.name.encode()).digest() * (1 << 14)  # 1 MiB
    with open(path, "wb") as out:
        out.write(head)
        left = size - len(head)
        counter = 0
        while left > 0:
            piece = bytes([counter % 251]) + block[1:]
            out.write(piece[:left])
            left -= len(piece[:left])
            counter += 1
    return path


def test_formats_are_guessed_from_magic_bytes(tmp_path: Path) -> None:
    """qcow2, ISO 9660, VMDK, VHD (header or footer) and raw."""
    assert guess_formats(write_file(tmp_path / "a", 70000, b"QFI\xfb")) == ("qcow2", "bare")
    iso = bytearray(os.urandom(0x9000))
    iso[0x8001:0x8006] = b"CD001"
    (tmp_path / "b").write_bytes(bytes(iso))
    assert guess_formats(tmp_path / "b") == ("iso", "bare")
    assert guess_formats(write_file(tmp_path / "c", 4096, b"KDMV")) == ("vmdk", "bare")
    vhd = tmp_path / "d"
    vhd.write_bytes(b"\0" * 4096 + b"conectix" + b"\0" * 504)
    assert guess_formats(vhd) == ("vhd", "bare")
    (tmp_path / "e").write_bytes(b"\0" * 1000)
    assert guess_formats(tmp_path / "e") == ("raw", "bare")


async def test_upload_through_the_form(sim: RunningSim, tmp_path: Path) -> None:
    """Typing a path guesses the format and the name; ctrl+s uploads; the data arrives."""
    source = write_file(tmp_path / "tiny-os.qcow2", 3 << 20, b"QFI\xfb")
    app = make_app(view="images")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app, CreateImageForm)
        await pilot.press(*str(source))
        await wait_until(pilot, lambda: screen.values()["disk_format"] == "qcow2",
                         what="format guessed")
        assert screen.values()["name"] == "tiny-os"
        assert "3.0 MB, looks like qcow2" in plain_text(app)
        command = str(screen.query_one("#form-command").render())
        assert (f"openstack image create --file {source} --disk-format qcow2 "
                "--container-format bare --private tiny-os") in command
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="uploaded")
    made = images_named(sim, "tiny-os")
    assert len(made) == 1 and made[0]["status"] == "active"
    assert made[0]["checksum"] == hashlib.md5(source.read_bytes()).hexdigest()


async def test_cancel_an_upload_half_way(sim: RunningSim, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Escape half-way through the upload stops it and deletes the half-made image; the form
    stays with what was typed. (The file reader is held after its first chunk until the
    cancel, like a slow link, so "half-way" is certain.)"""
    source = write_file(tmp_path / "half.raw", 8 << 20)
    original = transfer._FileBody.__iter__

    def slow(self: Any) -> Iterator[bytes]:
        for index, chunk in enumerate(original(self)):
            yield chunk
            if index == 0:
                self.cancel.wait(10)

    monkeypatch.setattr(transfer._FileBody, "__iter__", slow)
    app = make_app(view="images")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app, CreateImageForm)
        set_field(screen, "path", str(source))
        await wait_until(pilot, lambda: screen.values()["name"] == "half", what="guess")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Uploading: 1.0 MB of 8.0 MB" in plain_text(app),
                         what="progress")
        assert images_named(sim, "half")  # half-made, queued or saving
        progress = plain_text(app)
        assert "/s" in progress and " left (escape cancels)" in progress  # rate and ETA
        await pilot.press("escape")
        await wait_until(pilot, lambda: "cancelled" in plain_text(app), what="cancelled")
        text = plain_text(app)
        assert "upload of half cancelled after 1.0 MB; the half-made image was deleted" in text
        assert isinstance(app.screen, CreateImageForm)
        assert screen.values()["path"] == str(source)
    assert not images_named(sim, "half")


def test_cancel_when_the_cleanup_fails_names_the_image(session: CloudSession, sim: RunningSim,
                                                       tmp_path: Path) -> None:
    """If the half-made image cannot be deleted, the error says so and names it."""
    source = write_file(tmp_path / "stuck.raw", 2 << 20)
    cancel = threading.Event()
    created: list[str] = []

    def protect(image_id: str) -> None:  # someone protects it meanwhile: DELETE gets 403
        created.append(image_id)
        sim.cloud.service("image").images[image_id]["protected"] = True

    with pytest.raises(TransferCancelled) as caught:
        upload_image(session, ImageSpec(str(source), "stuck", "raw"), cancel=cancel,
                     on_created=protect, on_progress=lambda progress: cancel.set())
    assert f"the half-made image stuck ({created[0]}) could NOT be deleted and is left " \
           "queued (403 Forbidden)" in caught.value.message
    record = sim.cloud.service("image").images[created[0]]
    deadline = time.monotonic() + 10  # the server notices the cut-off body on its own thread
    while record["status"] != "queued" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record["status"] == "queued"  # Glance lets a failed upload be retried
    record["protected"] = False


def test_upload_over_the_size_limit_is_a_413(session: CloudSession, sim: RunningSim,
                                             tmp_path: Path) -> None:
    """Glance's 413 comes back as a CloudError; the record is deleted."""
    glance = sim.cloud.service("image")
    source = write_file(tmp_path / "big.raw", 3 << 20)
    cap, glance.image_size_cap = glance.image_size_cap, 1 << 20
    try:
        with pytest.raises(CloudError) as caught:
            upload_image(session, ImageSpec(str(source), "too-big", "raw"))
    finally:
        glance.image_size_cap = cap
    assert caught.value.status == 413 and "too large" in caught.value.message
    assert "the half-made image was deleted" in caught.value.message
    assert not images_named(sim, "too-big")


async def test_upload_413_is_shown_next_to_the_file(sim: RunningSim, tmp_path: Path) -> None:
    """Through the form: the 413 message and request id are next to the file field."""
    glance = sim.cloud.service("image")
    source = write_file(tmp_path / "huge.raw", 3 << 20)
    cap, glance.image_size_cap = glance.image_size_cap, 1 << 20
    app = make_app(view="images")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_form(pilot, app, CreateImageForm)
            set_field(screen, "path", str(source))
            await wait_until(pilot, lambda: screen.values()["name"] == "huge", what="guess")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: bool(field_error(screen, "path")), what="413")
            error = field_error(screen, "path")
            assert error.startswith("413 ") and "too large" in error and "(req-" in error
    finally:
        glance.image_size_cap = cap
    assert not images_named(sim, "huge")


async def test_save_an_image_with_overwrite_confirmation(sim: RunningSim, session: CloudSession,
                                                        tmp_path: Path) -> None:
    """ctrl+s on the images list opens the save form; an existing file is only overwritten
    after `y`; the bytes match and the checksum was verified."""
    source = write_file(tmp_path / "saveme.raw", 2 << 20)
    image_id = upload_image(session, ImageSpec(str(source), "saveme", "raw")).image_id
    target = tmp_path / "out.raw"
    target.write_bytes(b"precious")
    app = make_app(view="images")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app, SaveImageForm, key="ctrl+s")
        assert isinstance(screen, SaveImageForm)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="back")
        form = await push_form(pilot, app, SaveImageForm(image_id, "saveme", str(target)))
        assert f"openstack image save --file {target} saveme" in str(
            form.query_one("#form-command").render())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, AskScreen), what="question")
        await pilot.press("n")
        await wait_until(pilot, lambda: "the file exists" in plain_text(app), what="refused")
        assert target.read_bytes() == b"precious"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, AskScreen), what="question")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="saved")
    assert target.read_bytes() == source.read_bytes()


async def test_checksum_mismatch_leaves_no_file(sim: RunningSim, session: CloudSession,
                                               tmp_path: Path) -> None:
    """Data that does not match the image's checksum: an error next to the path, and no
    file (not even the .part) left behind."""
    source = write_file(tmp_path / "corrupt.raw", 1 << 20)
    image_id = upload_image(session, ImageSpec(str(source), "corrupt", "raw")).image_id
    sim.cloud.service("image").images[image_id]["checksum"] = "0" * 32
    target = tmp_path / "corrupt.out"
    app = make_app(view="images")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="list")
        form = await push_form(pilot, app, SaveImageForm(image_id, "corrupt", str(target)))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(field_error(form, "path")), what="error")
        assert "checksum mismatch" in field_error(form, "path")
    assert not target.exists() and not Path(str(target) + ".part").exists()


def raw_image(sim: RunningSim, session: CloudSession, name: str, **props: str) -> dict[str, Any]:
    """A small image with properties, as the list's raw JSON."""
    glance = sim.cloud.service("image")
    body, _ = session.request("POST", "image", "/images",
                              json={"name": name, "disk_format": "raw",
                                    "container_format": "bare", **props})
    assert glance.images[body["id"]]
    return dict(body)


async def test_edit_an_image(sim: RunningSim, session: CloudSession) -> None:
    """Name, protected, min disk, a new and a removed property: one JSON-patch."""
    image = raw_image(sim, session, "edit-me", os_distro="cirros", owner_team="infra")
    app = make_app(view="images")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="list")
        form = await push_form(pilot, app, ImageEditForm(image))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Nothing changed." in plain_text(app), what="no-op")
        await pilot.press("end", *"-v2")
        set_field(form, "protected", True)
        set_field(form, "min_disk", "2")
        form.rows()["properties"].widget.text = "os_distro=cirros\nhw_disk_bus=virtio, scsi"  # type: ignore[attr-defined]
        await pilot.pause(0.2)
        command = str(form.query_one("#form-command").render())
        assert ("openstack image set --name edit-me-v2 --protected --min-disk 2 --property "
                "'hw_disk_bus=virtio, scsi' --remove-property owner_team edit-me") in command
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="saved")
    record = sim.cloud.service("image").images[image["id"]]
    assert record["name"] == "edit-me-v2" and record["protected"] is True
    assert record["min_disk"] == 2 and record["hw_disk_bus"] == "virtio, scsi"
    assert "owner_team" not in record and record["os_distro"] == "cirros"
    record["protected"] = False


async def test_edit_errors_403_and_409_next_to_their_fields(sim: RunningSim,
                                                           session: CloudSession) -> None:
    """Making an image public as a member: Glance's 403 next to visibility. A property
    someone else removed meanwhile: Glance's 409 next to the properties."""
    image = raw_image(sim, session, "edit-conflict", color="blue")
    app = make_app(view="images")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="list")
        form = await push_form(pilot, app, ImageEditForm(image))
        set_field(form, "visibility", "public")
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(field_error(form, "visibility")), what="403")
        assert field_error(form, "visibility").startswith(
            "403 Forbidden: You are not authorized to complete publicize_image action.")
        set_field(form, "visibility", "private")
        del sim.cloud.service("image").images[image["id"]]["color"]
        form.rows()["properties"].widget.text = "color=red"  # type: ignore[attr-defined]
        await pilot.pause(0.2)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(field_error(form, "properties")), what="409")
        error = field_error(form, "properties")
        assert error.startswith("409 Conflict: Property color does not exist.")
        assert "(req-" in error
        assert form.values()["properties"] == "color=red"
