"""The forms' cloud layer called directly: read-only refusals send nothing, creates return the
new ids, CLI lines and JSON-patches are what the API and the `openstack` CLI expect."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.helpers.app import make_app, wait_until
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.create import (
    ServerSpec,
    VolumeSpec,
    create_servers,
    create_volume,
    flavor_fits,
    image_patch,
    image_set_command,
    parse_metadata,
    patch_image,
    server_body,
    server_command,
    validate_name,
    volume_command,
)
from tuicloud.cloud.errors import ReadOnlyError
from tuicloud.cloud.transfer import ImageSpec, download_image, upload_image
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim, SimConfig

# One simcloud for the module.
MODULE_SIMCLOUD = SimConfig(servers=4, volumes=3, images=3, build_delay=0.2,
                            action_delay=0.1)


def mutations(sim: RunningSim) -> list[str]:
    """Every non-GET request simcloud has served so far."""
    return [f"{r.method} {r.path}" for r in list(sim.cloud.request_log)
            if r.method not in ("GET", "HEAD")]


def test_read_only_refuses_every_form_call_before_sending(sim: RunningSim,
                                                          tmp_path: Path) -> None:
    """Launch, volume create, image upload and image edit: ReadOnlyError, no request sent,
    nothing created. Saving an image (a read) still works."""
    data = tmp_path / "ro.raw"
    data.write_bytes(b"x" * 4096)
    with CloudSession.connect("simcloud") as writer:
        image_id = upload_image(writer, ImageSpec(str(data), "ro-source", "raw")).image_id
    nova = sim.cloud.service("compute")
    cinder = sim.cloud.service("volume")
    glance = sim.cloud.service("image")
    counts = (len(nova.servers), len(cinder.volumes), len(glance.images))
    with CloudSession.connect("simcloud", read_only=True) as session:
        flavor = next(iter(nova.flavors))
        before = mutations(sim)
        with pytest.raises(ReadOnlyError, match="read-only mode: refusing to launch server"):
            create_servers(session, ServerSpec(name="ro-vm", flavor_id=flavor,
                                               image_id=image_id))
        with pytest.raises(ReadOnlyError, match="refusing to create volume ro-vol"):
            create_volume(session, VolumeSpec(name="ro-vol", size=1))
        with pytest.raises(ReadOnlyError, match="refusing to upload image ro-image"):
            upload_image(session, ImageSpec(str(data), "ro-image", "raw"))
        with pytest.raises(ReadOnlyError, match="refusing to edit image ro-source"):
            patch_image(session, image_id, [{"op": "replace", "path": "/name",
                                             "value": "renamed"}], "ro-source")
        assert mutations(sim) == before
        assert (len(nova.servers), len(cinder.volumes), len(glance.images)) == counts
        download_image(session, image_id, tmp_path / "ro.copy")
    assert (tmp_path / "ro.copy").read_bytes() == data.read_bytes()
    assert glance.images[image_id]["name"] == "ro-source"


async def test_read_only_app_does_not_open_create_forms(sim: RunningSim) -> None:
    """`c` in a read-only session says why instead of opening a form."""
    app = make_app(view="volumes", read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and app.session is not None, what="list")
        await pilot.press("c")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ResourceListScreen)
        assert any("Read-only session: cannot create volumes" in str(n.message)
                   for n in app._notifications)


def test_create_servers_returns_every_id_of_a_multi_launch(sim: RunningSim) -> None:
    """count 3: Nova answers with a reservation id; the ids come from a list by it."""
    nova = sim.cloud.service("compute")
    image = next(i for i in sim.cloud.service("image").images.values()
                 if i["status"] == "active" and not i.get("min_disk"))
    with CloudSession.connect("simcloud") as session:
        flavor = next(f for f, v in nova.flavors.items() if v["name"] == "m1.small")
        private = next(n for n in sim.cloud.service("network").networks.values()
                       if n["name"] == "private")
        ids = create_servers(session, ServerSpec(name="multi", flavor_id=flavor,
                                                 image_id=image["id"], count=3,
                                                 networks=[private["id"]]))
    assert len(ids) == 3
    assert sorted(nova.servers[i].name for i in ids) == ["multi-1", "multi-2", "multi-3"]


def test_request_bodies_and_commands() -> None:
    """Bodies in the API's shape; commands the `openstack` CLI accepts."""
    spec = ServerSpec(name="web", flavor_id="f1", boot="volume-from-image", image_id="i1",
                      volume_size=20, delete_on_terminate=True, networks=["n1"],
                      security_groups=["default", "web"], key_name="k", zone="nova",
                      user_data=b"#!/bin/sh\n", user_data_path="init.sh",
                      metadata={"a": "b c"})
    body = server_body(spec)["server"]
    assert body["block_device_mapping_v2"] == [{
        "boot_index": 0, "uuid": "i1", "source_type": "image", "destination_type": "volume",
        "volume_size": 20, "delete_on_termination": True}]
    assert body["networks"] == [{"uuid": "n1"}] and body["user_data"] == "IyEvYmluL3NoCg=="
    assert server_command(spec, {"f1": "m1.small", "i1": "cirros", "n1": "private"}) == [
        "openstack", "server", "create", "--flavor", "m1.small", "--image", "cirros",
        "--boot-from-volume", "20", "--network", "private", "--security-group", "default",
        "--security-group", "web", "--key-name", "k", "--availability-zone", "nova",
        "--user-data", "init.sh", "--property", "a=b c", "web"]
    assert server_body(ServerSpec(name="x", flavor_id="f", image_id="i"))["server"][
        "networks"] == "auto"
    assert volume_command(VolumeSpec(name="-odd", size=5, source="volume", source_id="v1"),
                          {"v1": "data"}) == [
        "openstack", "volume", "create", "--size", "5", "--source", "data", "--", "-odd"]


def test_validation_helpers() -> None:
    """Names, metadata pairs, flavor fit."""
    assert validate_name("") == "a name is required"
    assert validate_name("ok-1") is None
    assert validate_name("x" * 256) is not None
    assert validate_name("tab\there") is not None
    assert parse_metadata("a=1, b = 2\nc=") == ({"a": "1", "b": "2", "c": ""}, None)
    assert parse_metadata("=1")[1] == "'=1' is not key=value"
    assert flavor_fits({"disk": 1, "ram": 512}, {"min_disk": 10}) == \
        "disk 1 GB < image min 10 GB"
    assert flavor_fits({"disk": 0, "ram": 512}, {"min_disk": 10}) is None  # volume-sized
    assert flavor_fits({"disk": 20, "ram": 512}, {"min_ram": 1024}) == \
        "RAM 512 MB < image min 1024 MB"


def test_image_patch_operations() -> None:
    """Only what changed; new properties `add`, changed `replace`, gone `remove`; keys with
    "/" escaped as JSON pointers."""
    ops = image_patch({"name": "a", "protected": False}, {"name": "b", "protected": False},
                      {"x": "1", "gone": "y"}, {"x": "2", "a/b": "3"})
    assert ops == [{"op": "replace", "path": "/name", "value": "b"},
                   {"op": "replace", "path": "/x", "value": "2"},
                   {"op": "add", "path": "/a~1b", "value": "3"},
                   {"op": "remove", "path": "/gone"}]
    assert image_set_command("img", ops) == [
        "openstack", "image", "set", "--name", "b", "--property", "x=2", "--property",
        "a/b=3", "--remove-property", "gone", "img"]


def test_upload_cancelled_before_data_leaves_nothing(sim: RunningSim, tmp_path: Path) -> None:
    """A cancel that comes before the first byte still deletes the new record."""
    data = tmp_path / "early.raw"
    data.write_bytes(b"y" * 10000)
    cancel = threading.Event()
    with CloudSession.connect("simcloud") as session, pytest.raises(Exception) as caught:
        upload_image(session, ImageSpec(str(data), "early", "raw"), cancel=cancel,
                     on_created=lambda _ident: cancel.set())
    assert "the half-made image was deleted" in str(caught.value)
    assert not [i for i in sim.cloud.service("image").images.values()
                if i.get("name") == "early"]
