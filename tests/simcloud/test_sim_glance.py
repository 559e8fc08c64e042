"""simcloud's Glance v2 through the real openstacksdk and the real ``openstack`` CLI."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from openstack import exceptions as sdk_exc
from openstack.connection import Connection

from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud

# One simcloud for the module (tests use their own image names).
MODULE_SIMCLOUD = SimConfig(servers=6, volumes=4, images=13, build_delay=0.2,
                            action_delay=0.2)

OPENSTACK_CLI = Path(sys.executable).with_name("openstack")


def raw(msim: RunningSim, conn: Connection, method: str, path: str,
        **kwargs: Any) -> requests.Response:
    """A plain HTTP call with the connection's token (to see statuses and bodies as sent);
    errors come as JSON (Glance answers HTML unless asked, see test_errors_html_unless_json)."""
    headers = {"X-Auth-Token": conn.session.get_token(), "Accept": "application/json",
               **kwargs.pop("headers", {})}
    return requests.request(method, msim.server.url + path, headers=headers, timeout=30,
                            **kwargs)


def _payload(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def test_versions_schemas_and_info(msim: RunningSim, conn: Connection) -> None:
    root = requests.get(msim.server.url + "/image", timeout=10)
    assert root.status_code == 300
    ids = [v["id"] for v in root.json()["versions"]]
    assert ids[0] == "v2.17" and "v2.0" in ids
    assert root.json()["versions"][0]["status"] == "CURRENT"
    assert root.json()["versions"][0]["links"][0]["href"].endswith("/image/v2/")
    schema = conn.image.get_image_schema()
    assert "visibility" in schema.properties and "os_hidden" in schema.properties
    assert set(schema.properties["visibility"]["enum"]) >= {"public", "community", "shared"}
    assert raw(msim, conn, "GET", "/image/v2/schemas/images").json()["name"] == "images"
    info = raw(msim, conn, "GET", "/image/v2/info/import").json()
    assert info["import-methods"]["value"] == ["glance-direct"]
    assert raw(msim, conn, "GET", "/image/v2/info/stores").status_code == 404


def test_seeded_images_and_visibility(conn: Connection, admin: Connection) -> None:
    names = {i.name: i for i in conn.image.images()}
    cirros = names["cirros-0.6.2-x86_64-disk"]
    assert cirros.disk_format == "qcow2" and cirros.min_disk == 1 and cirros.status == "active"
    assert cirros.size == 21430272 and len(cirros.checksum) == 32
    assert cirros.hash_algo == "sha512" and len(cirros.hash_value) == 128
    ubuntu = names["ubuntu-24.04-server-cloudimg-amd64"]
    assert (ubuntu.min_disk, ubuntu.min_ram, ubuntu.os_admin_user) == (10, 512, "ubuntu")
    assert names["centos-7-x86_64-eol"].status == "deactivated"
    assert names["rocky-9-golden"].is_protected
    assert "demo-app-golden" in names  # demo's private image
    assert "ops-bastion-base" not in names  # ops's private image
    assert "amphora-x64-haproxy" not in names  # hidden (and admin's)
    assert "kali-linux-2024.4-community" not in names  # community: only when asked for
    community = [i.name for i in conn.image.images(visibility="community")]
    assert community == ["kali-linux-2024.4-community"]
    assert "ops-bastion-base" in {i.name for i in admin.image.images()}
    hidden = [i.name for i in admin.image.images(is_hidden=True)]
    assert hidden == ["amphora-x64-haproxy"]


def test_upload_download_roundtrip_sdk(msim: RunningSim, conn: Connection,
                                       tmp_path: Path) -> None:
    data = _payload(3 * 1024 * 1024 + 4321, 1)
    source = tmp_path / "disk.qcow2"
    source.write_bytes(data)
    image = conn.image.create_image(name="rt-sdk", filename=str(source), disk_format="qcow2",
                                    container_format="bare", allow_duplicates=True)
    image = conn.image.get_image(image.id)
    assert image.status == "active"
    assert image.size == len(data)
    assert image.checksum == hashlib.md5(data).hexdigest()
    assert image.hash_value == hashlib.sha512(data).hexdigest()
    # Streamed download: the SDK verifies the sha512 while we read.
    response = conn.image.download_image(image, stream=True)
    digest = hashlib.sha256()
    for chunk in response.iter_content(chunk_size=65536):
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
    assert response.headers["Content-MD5"] == image.checksum
    target = tmp_path / "out.bin"
    conn.image.download_image(image, output=str(target))
    assert target.read_bytes() == data
    # The data lives on disk in the glance temp dir, not in memory.
    glance = msim.cloud.service("image")
    kind, path, size = glance.data[image.id]
    assert kind == "file" and os.path.getsize(path) == size == len(data)
    assert path.startswith(glance.tmpdir())


def test_seeded_data_is_synthesized_and_consistent(msim: RunningSim, conn: Connection) -> None:
    cirros = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
    response = raw(msim, conn, "GET", f"/image/v2/images/{cirros.id}/file", stream=True)
    md5 = hashlib.md5()
    total = 0
    for chunk in response.iter_content(1 << 20):
        md5.update(chunk)
        total += len(chunk)
    assert total == cirros.size == int(response.headers["Content-Length"])
    assert md5.hexdigest() == cirros.checksum == response.headers["Content-MD5"]
    # A big seeded image streams lazily: read a little and hang up.
    windows = conn.image.find_image("windows-server-2022-datacenter", ignore_missing=False)
    big = raw(msim, conn, "GET", f"/image/v2/images/{windows.id}/file", stream=True)
    assert int(big.headers["Content-Length"]) == windows.size > 8 << 30
    assert len(next(big.iter_content(1 << 16))) == 1 << 16
    big.close()


def test_patch_update_and_errors(msim: RunningSim, conn: Connection) -> None:
    image = conn.image.create_image(name="patch-me", disk_format="raw",
                                    container_format="bare", allow_duplicates=True)
    assert image.status == "queued" and image.visibility == "shared"
    updated = conn.image.update_image(image, name="patched", min_disk=3, os_distro="debian")
    assert updated.name == "patched" and updated.min_disk == 3
    conn.image.add_tag(image, "blue")
    again = conn.image.get_image(image.id)
    assert again.os_distro == "debian" and again.tags == ["blue"]
    url = f"/image/v2/images/{image.id}"
    patch = "application/openstack-images-v2.1-json-patch"
    ops = [{"op": "replace", "path": "/name", "value": "x"},
           {"op": "add", "path": "/tags", "value": ["a", "b"]},
           {"op": "add", "path": "/build", "value": "42"},
           {"op": "remove", "path": "/os_distro"}]
    ok = raw(msim, conn, "PATCH", url, data=json.dumps(ops), headers={"Content-Type": patch})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert (body["name"], body["tags"], body["build"]) == ("x", ["a", "b"], "42")
    assert "os_distro" not in body
    cases = [
        ("application/json", ops, 415),
        (patch, [{"op": "move", "path": "/name"}], 400),
        (patch, [{"op": "replace", "path": "/status", "value": "active"}], 403),
        (patch, [{"op": "remove", "path": "/nothere"}], 409),
        (patch, [{"op": "replace", "path": "/visibility", "value": "public"}], 403),
        (patch, [{"op": "replace", "path": "/min_ram", "value": "lots"}], 400),
        (patch, {"op": "replace"}, 400),
    ]
    for ctype, payload, status in cases:
        answer = raw(msim, conn, "PATCH", url, data=json.dumps(payload),
                     headers={"Content-Type": ctype})
        assert answer.status_code == status, (payload, answer.text)
        assert answer.json()["code"] == f"{status} {answer.reason}" and answer.json()["message"]
    bad = raw(msim, conn, "PATCH", url, data="[{nope", headers={"Content-Type": patch})
    assert bad.status_code == 400


def test_protected_delete_and_not_found(msim: RunningSim, conn: Connection) -> None:
    image = conn.image.create_image(name="keep-me", disk_format="raw", container_format="bare",
                                    is_protected=True, allow_duplicates=True)
    answer = raw(msim, conn, "DELETE", f"/image/v2/images/{image.id}")
    assert answer.status_code == 403
    assert answer.json()["message"] == (f"Image {image.id} is protected and cannot be deleted."
                                        "<br /><br />\n\n\n")
    with pytest.raises(sdk_exc.ForbiddenException):
        conn.image.delete_image(image, ignore_missing=False)
    conn.image.update_image(image, is_protected=False)
    conn.image.delete_image(image, ignore_missing=False)
    missing = raw(msim, conn, "GET", f"/image/v2/images/{image.id}")
    assert missing.status_code == 404
    assert missing.json()["message"] == f"No image found with ID {image.id}<br /><br />\n\n\n"
    with pytest.raises(sdk_exc.NotFoundException):
        conn.image.get_image(image.id)
    assert raw(msim, conn, "POST", "/image/v2/images", data="{oops",
               headers={"Content-Type": "application/json"}).status_code == 400


def test_deactivate_reactivate(msim: RunningSim, conn: Connection, admin: Connection) -> None:
    queued = conn.image.create_image(name="deact-queued", disk_format="raw",
                                     container_format="bare", allow_duplicates=True)
    answer = raw(msim, conn, "POST", f"/image/v2/images/{queued.id}/actions/deactivate")
    assert answer.status_code == 400
    image = conn.image.create_image(name="deact", data=b"x" * 5000, disk_format="raw",
                                    container_format="bare", allow_duplicates=True)
    conn.image.deactivate_image(image)
    assert conn.image.get_image(image.id).status == "deactivated"
    blocked = raw(msim, conn, "GET", f"/image/v2/images/{image.id}/file")
    assert blocked.status_code == 403
    assert admin.image.download_image(image).content == b"x" * 5000  # admins still may
    conn.image.reactivate_image(image)
    assert conn.image.get_image(image.id).status == "active"
    assert conn.image.download_image(image).content == b"x" * 5000
    assert raw(msim, conn, "GET", f"/image/v2/images/{queued.id}/file").status_code == 204


def test_upload_rules_and_size_cap(msim: RunningSim, conn: Connection) -> None:
    image = conn.image.create_image(name="capped", disk_format="raw", container_format="bare",
                                    allow_duplicates=True)
    url = f"/image/v2/images/{image.id}/file"
    octet = {"Content-Type": "application/octet-stream"}
    assert raw(msim, conn, "PUT", url, data=b"abc",
               headers={"Content-Type": "text/plain"}).status_code == 415
    glance = msim.cloud.service("image")
    glance.image_size_cap = 1000
    try:
        too_big = raw(msim, conn, "PUT", url, data=b"z" * 5000, headers=octet)
        assert too_big.status_code == 413
        # chunked (no Content-Length): refused mid-stream, the image stays queued
        chunked = raw(msim, conn, "PUT", url, data=iter([b"z" * 800, b"z" * 800]),
                      headers=octet)
        assert chunked.status_code == 413
        assert conn.image.get_image(image.id).status == "queued"
    finally:
        glance.image_size_cap = 4 << 30
    assert raw(msim, conn, "PUT", url, data=iter([b"ab", b"cd"]), headers=octet
               ).status_code == 204
    assert conn.image.get_image(image.id).size == 4
    again = raw(msim, conn, "PUT", url, data=b"more", headers=octet)
    assert again.status_code == 409
    bare = raw(msim, conn, "POST", "/image/v2/images", json={"name": "no-format"}).json()
    unformatted = raw(msim, conn, "PUT", f"/image/v2/images/{bare['id']}/file", data=b"x",
                      headers=octet)
    assert unformatted.status_code == 400 and "disk_format" in unformatted.json()["message"]


def test_list_pagination_sort_and_filters(msim: RunningSim, conn: Connection) -> None:
    start = time.time()
    made = [conn.image.create_image(name=f"page-{n}", disk_format="raw",
                                    container_format="bare", allow_duplicates=True)
            for n in range(5)]
    first = raw(msim, conn, "GET", "/image/v2/images",
                params={"limit": 2, "sort": "name:asc,created_at:desc"}).json()
    assert len(first["images"]) == 2 and first["next"].startswith("/v2/images?")
    assert first["schema"] == "/v2/schemas/images" and first["first"].startswith("/v2/images")
    seen = [i["name"] for i in first["images"]]
    link = first["next"]
    while link:
        body = raw(msim, conn, "GET", "/image" + link).json()
        seen += [i["name"] for i in body["images"]]
        link = body.get("next")
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    via_sdk = [i.name for i in conn.image.images(limit=2, sort_key="name", sort_dir="asc")]
    assert via_sdk == seen
    names = {i.name for i in conn.image.images(name="page-3")}
    assert names == {"page-3"}
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start - 1))
    recent = {i["name"] for i in raw(msim, conn, "GET", "/image/v2/images",
                                     params={"updated_at": f"gte:{since}",
                                             "limit": 100}).json()["images"]}
    assert {m.name for m in made} <= recent
    assert "cirros-0.6.2-x86_64-disk" not in recent
    conn.image.update_image(made[0], name="page-0-renamed")
    assert "page-0-renamed" in {i["name"] for i in raw(
        msim, conn, "GET", "/image/v2/images",
        params={"updated_at": f"gte:{since}", "limit": 100}).json()["images"]}
    assert raw(msim, conn, "GET", "/image/v2/images", params={"sort_key": "nope"}
               ).status_code == 400
    assert raw(msim, conn, "GET", "/image/v2/images", params={"marker": made[0].id + "x"}
               ).status_code == 400
    tagged = conn.image.images(tag="nothing-has-this")
    assert list(tagged) == []


def test_server_snapshot_contract(msim: RunningSim) -> None:
    cloud = msim.cloud
    glance = cloud.service("image")
    demo = cloud.service("identity").project_by_name("demo").id
    with cloud.lock:
        image_id = glance.create_server_snapshot(demo, "snap-1", "srv-123",
                                                 {"owner_note": "x", "min_disk": 5})
        record = glance.image(image_id)
        assert record is not None and record["status"] == "queued"
        assert record["image_type"] == "snapshot" and record["instance_uuid"] == "srv-123"
        assert record["min_disk"] == 5 and record["visibility"] == "private"
    deadline = time.time() + 5
    while glance.image(image_id)["status"] != "active" and time.time() < deadline:
        time.sleep(0.05)
    assert glance.image(image_id)["status"] == "active"
    assert glance.image(image_id)["checksum"]
    assert glance.image_visible_to(image_id, demo, False) is not None
    assert glance.image_visible_to(image_id, "someone-else", False) is None


def _cli(msim: RunningSim, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(msim.clouds_yaml), "OS_CLOUD": "simcloud"}
    return subprocess.run([str(OPENSTACK_CLI), *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_cli_image_create_save_list(msim: RunningSim, tmp_path: Path) -> None:
    data = _payload(2 * 1024 * 1024 + 17, 7)
    source = tmp_path / "cli.img"
    source.write_bytes(data)
    created = _cli(msim, "image", "create", "--file", str(source), "--disk-format", "qcow2",
                   "--container-format", "bare", "--property", "os_distro=cli", "cli-image",
                   "-f", "json")
    assert created.returncode == 0, created.stderr
    doc = json.loads(created.stdout)
    assert doc["status"] == "active" and doc["size"] == len(data)
    assert doc["checksum"] == hashlib.md5(data).hexdigest()
    target = tmp_path / "saved.img"
    saved = _cli(msim, "image", "save", "--file", str(target), doc["id"])
    assert saved.returncode == 0, saved.stderr
    assert target.read_bytes() == data
    listed = _cli(msim, "image", "list", "-f", "value", "-c", "Name", "-c", "Status")
    assert listed.returncode == 0, listed.stderr
    assert "cli-image active" in listed.stdout.splitlines()


def test_temp_dir_removed_on_close(tmp_path: Path) -> None:
    with run_simcloud(SimConfig(servers=0, volumes=0, images=2)) as running:
        glance = running.cloud.service("image")
        folder = glance.tmpdir()
        Path(folder, "probe").write_bytes(b"1")
        assert os.path.isdir(folder)
    assert not os.path.exists(folder)
