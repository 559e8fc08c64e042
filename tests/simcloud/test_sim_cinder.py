"""simcloud's Cinder v3 through the real openstacksdk and the real ``openstack`` CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests
from openstack import exceptions as sdk_exc
from openstack.connection import Connection

from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud
from tuicloud.simcloud.cinder import CANNOT_DELETE

# One simcloud for the module (tests make their own volumes).
MODULE_SIMCLOUD = SimConfig(servers=12, volumes=10, images=6, build_delay=0.15,
                            action_delay=0.15)

OPENSTACK_CLI = Path(sys.executable).with_name("openstack")
V3 = "/volume/v3"


def raw(msim: RunningSim, conn: Connection, method: str, path: str, version: str | None = None,
        **kwargs: Any) -> requests.Response:
    """A plain HTTP call with the connection's token and an optional microversion."""
    headers = {"X-Auth-Token": conn.session.get_token(), **kwargs.pop("headers", {})}
    if version:
        headers["OpenStack-API-Version"] = f"volume {version}"
    return requests.request(method, msim.server.url + path, headers=headers, timeout=30,
                            **kwargs)


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll until ``check()`` is true."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def status_of(conn: Connection, volume_id: str) -> str:
    """A volume's current status ("gone" once deleted)."""
    try:
        return str(conn.block_storage.get_volume(volume_id).status)
    except sdk_exc.NotFoundException:
        return "gone"


def _available(conn: Connection, name: str, size: int = 1, **extra: Any) -> Any:
    volume = conn.block_storage.create_volume(size=size, name=name, **extra)
    wait_until(lambda: status_of(conn, volume.id) == "available")
    return conn.block_storage.get_volume(volume.id)


def test_versions_and_microversions(msim: RunningSim, conn: Connection) -> None:
    root = requests.get(msim.server.url + "/volume", timeout=10)
    assert root.status_code == 300
    entry = root.json()["versions"][0]
    assert (entry["id"], entry["min_version"], entry["version"]) == ("v3.0", "3.0", "3.71")
    old = raw(msim, conn, "GET", f"{V3}/volumes/detail", "3.0")
    assert old.headers["OpenStack-API-Version"] == "volume 3.0"
    assert "OpenStack-API-Version" in old.headers["Vary"]
    assert all("volume_type_id" not in v for v in old.json()["volumes"])
    new = raw(msim, conn, "GET", f"{V3}/volumes/detail", "3.71",
              params={"with_count": "true"})
    assert new.headers["OpenStack-API-Version"] == "volume 3.71"
    body = new.json()
    assert body["count"] == len(body["volumes"])
    volume = body["volumes"][0]
    for key in ("attachments", "availability_zone", "bootable", "encrypted", "multiattach",
                "os-vol-tenant-attr:tenant_id", "user_id", "volume_type", "volume_type_id",
                "consistencygroup_id", "replication_status", "consumes_quota", "links"):
        assert key in volume, key
    assert volume["bootable"] in ("true", "false")
    assert "os-vol-host-attr:host" not in volume  # admin only
    assert raw(msim, conn, "GET", f"{V3}/volumes", "3.99").status_code == 406
    assert raw(msim, conn, "GET", f"{V3}/volumes", "latest").headers[
        "OpenStack-API-Version"] == "volume 3.71"


def test_seeded_volumes(msim: RunningSim, conn: Connection, admin: Connection) -> None:
    mine = list(conn.block_storage.volumes())
    statuses = {v.status for v in mine}
    assert "available" in statuses
    everything = list(admin.block_storage.volumes(all_projects=True))
    assert len(everything) > len(mine)
    assert {v.status for v in everything} >= {"available", "in-use", "error"}
    attached = [v for v in everything if v.status == "in-use"]
    nova = msim.cloud.service("compute")
    for volume in attached:
        server_id = volume.attachments[0]["server_id"]
        assert nova.server(server_id) is not None
    assert any(v.is_bootable and v.volume_image_metadata for v in everything)
    one = raw(msim, admin, "GET", f"{V3}/volumes/{everything[0].id}").json()["volume"]
    assert "os-vol-host-attr:host" in one
    created = [v.created_at for v in mine]
    assert created == sorted(created, reverse=True)  # created_at desc by default


def test_lifecycle_extend_attach_delete(msim: RunningSim, conn: Connection) -> None:
    volume = conn.block_storage.create_volume(size=1, name="life")
    assert volume.status == "creating"
    wait_until(lambda: status_of(conn, volume.id) == "available")
    conn.block_storage.extend_volume(volume, 2)
    assert status_of(conn, volume.id) == "extending"
    wait_until(lambda: status_of(conn, volume.id) == "available")
    assert conn.block_storage.get_volume(volume.id).size == 2
    shrink = raw(msim, conn, "POST", f"{V3}/volumes/{volume.id}/action",
                 json={"os-extend": {"new_size": 1}})
    assert shrink.status_code == 400
    assert "must be greater than current size" in shrink.json()["badRequest"]["message"]
    cinder = msim.cloud.service("volume")
    demo = conn.current_project_id
    server = next(s for s in conn.compute.servers() if s.status in ("ACTIVE", "SHUTOFF"))
    with msim.cloud.lock:
        cinder.attach(volume.id, server.id, "/dev/vdz", "att-1", demo)
    attached = conn.block_storage.get_volume(volume.id)
    assert attached.status == "in-use"
    assert attached.attachments[0]["server_id"] == server.id
    assert attached.attachments[0]["device"] == "/dev/vdz"
    refused = raw(msim, conn, "DELETE", f"{V3}/volumes/{volume.id}")
    assert refused.status_code == 400
    assert refused.json() == {"badRequest": {"code": 400, "message": CANNOT_DELETE}}
    with msim.cloud.lock, pytest.raises(Exception, match="status must be 'available'"):
        cinder.attach(volume.id, "another-server", "/dev/vdb", "att-2", demo)
    # extending an attached volume needs 3.42
    old = raw(msim, conn, "POST", f"{V3}/volumes/{volume.id}/action", "3.0",
              json={"os-extend": {"new_size": 3}})
    assert old.status_code == 400
    with msim.cloud.lock:
        cinder.detach(volume.id, server.id)
    assert status_of(conn, volume.id) == "detaching"
    wait_until(lambda: status_of(conn, volume.id) == "available")
    conn.block_storage.delete_volume(volume)
    assert status_of(conn, volume.id) in ("deleting", "gone")
    wait_until(lambda: status_of(conn, volume.id) == "gone")
    missing = raw(msim, conn, "GET", f"{V3}/volumes/{volume.id}")
    assert missing.json() == {"itemNotFound": {
        "code": 404, "message": f"Volume {volume.id} could not be found."}}


def test_validation_and_quota(msim: RunningSim, conn: Connection, admin: Connection) -> None:
    def create(body: dict[str, Any]) -> requests.Response:
        return raw(msim, conn, "POST", f"{V3}/volumes", json={"volume": body})

    assert create({"size": 0}).status_code == 400
    assert create({"name": "no-size"}).status_code == 400
    assert create({"size": 1, "volume_type": "gold"}).status_code == 404
    assert create({"size": 1, "availability_zone": "mars"}).status_code == 400
    bad = raw(msim, conn, "POST", f"{V3}/volumes", data="{nope",
              headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and "badRequest" in bad.json()
    limits = conn.block_storage.get_limits().absolute
    used = limits.total_gigabytes_used
    ask = limits.max_total_volume_gigabytes - used + 1
    over = create({"size": ask})
    assert over.status_code == 413
    assert over.json()["overLimit"]["message"] == (
        "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed "
        f"gigabytes quota. Requested {ask}G, quota is {limits.max_total_volume_gigabytes}G "
        f"and {used}G has been consumed.")
    demo = conn.current_project_id
    quota = raw(msim, conn, "GET", f"{V3}/os-quota-sets/{demo}",
                params={"usage": "true"}).json()["quota_set"]
    assert quota["volumes"]["in_use"] == limits.total_volumes_used
    assert quota["gigabytes"]["limit"] == limits.max_total_volume_gigabytes
    assert raw(msim, conn, "PUT", f"{V3}/os-quota-sets/{demo}",
               json={"quota_set": {"volumes": 1}}).status_code == 403
    assert raw(msim, conn, "GET", f"{V3}/os-quota-sets/{admin.current_project_id}"
               ).status_code == 403
    answer = raw(msim, admin, "PUT", f"{V3}/os-quota-sets/{demo}",
                 json={"quota_set": {"volumes": limits.total_volumes_used}})
    assert answer.status_code == 200
    try:
        full = create({"size": 1})
        assert full.status_code == 413
        assert full.json()["overLimit"]["message"].startswith("VolumeLimitExceeded")
    finally:
        raw(msim, admin, "DELETE", f"{V3}/os-quota-sets/{demo}")
    reset = raw(msim, conn, "POST", f"{V3}/volumes/{conn.block_storage.volumes().__next__().id}"
                "/action", json={"os-reset_status": {"status": "error"}})
    assert reset.status_code == 403 and "forbidden" in reset.json()
    assert raw(msim, conn, "POST", f"{V3}/volumes/x/action",
               json={"os-frobnicate": {}}).status_code in (400, 404)


def test_snapshots(msim: RunningSim, conn: Connection) -> None:
    volume = _available(conn, "snap-source")
    cinder = msim.cloud.service("volume")
    with msim.cloud.lock:
        cinder.attach(volume.id, "srv-snap", "/dev/vdc", "att-s", None)
    refused = raw(msim, conn, "POST", f"{V3}/snapshots",
                  json={"snapshot": {"volume_id": volume.id, "name": "s0"}})
    assert refused.status_code == 400
    forced = conn.block_storage.create_snapshot(volume_id=volume.id, name="s-forced",
                                                force=True)
    wait_until(lambda: conn.block_storage.get_snapshot(forced.id).status == "available")
    with msim.cloud.lock:
        cinder.detach(volume.id, "srv-snap")
    wait_until(lambda: status_of(conn, volume.id) == "available")
    snap = conn.block_storage.create_snapshot(volume_id=volume.id, name="s1",
                                              metadata={"k": "v"})
    assert snap.status == "creating"
    wait_until(lambda: conn.block_storage.get_snapshot(snap.id).status == "available")
    listed = {s.name for s in conn.block_storage.snapshots(volume_id=volume.id)}
    assert listed == {"s-forced", "s1"}
    with pytest.raises(sdk_exc.BadRequestException):
        conn.block_storage.delete_volume(volume)  # it has snapshots
    clone = conn.block_storage.create_volume(snapshot_id=snap.id, name="from-snap")
    assert clone.size == volume.size and clone.snapshot_id == snap.id
    for item in (forced, snap):
        conn.block_storage.delete_snapshot(item)
    wait_until(lambda: not list(conn.block_storage.snapshots(volume_id=volume.id)))
    assert raw(msim, conn, "GET", f"{V3}/snapshots/{snap.id}").status_code == 404
    conn.block_storage.delete_volume(volume)


def test_images_types_metadata_and_filters(msim: RunningSim, conn: Connection) -> None:
    types = {t.name for t in conn.block_storage.types()}
    assert types == {"__DEFAULT__", "ssd", "hdd"}
    assert raw(msim, conn, "GET", f"{V3}/types/default").json()["volume_type"]["name"] == \
        "__DEFAULT__"
    ubuntu = conn.image.find_image("ubuntu-24.04-server-cloudimg-amd64", ignore_missing=False)
    too_small = raw(msim, conn, "POST", f"{V3}/volumes",
                    json={"volume": {"size": 1, "imageRef": ubuntu.id}})
    assert too_small.status_code == 400 and "minDisk" in too_small.text
    boot = _available(conn, "boot-vol", size=10, image_id=ubuntu.id, volume_type="ssd")
    assert boot.is_bootable and boot.volume_type == "ssd"
    assert boot.volume_image_metadata["image_id"] == ubuntu.id
    assert boot.volume_image_metadata["os_admin_user"] == "ubuntu"
    conn.block_storage.set_volume_metadata(boot, purpose="web")
    assert conn.block_storage.get_volume(boot.id).metadata == {"purpose": "web"}
    start = time.time()
    time.sleep(0.02)
    conn.block_storage.update_volume(boot, description="polled")
    since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start - 1))
    recent = raw(msim, conn, "GET", f"{V3}/volumes/detail", "3.60",
                 params={"updated_at": f"gte:{since}"}).json()["volumes"]
    assert boot.id in {v["id"] for v in recent}
    assert all(v["updated_at"] and v["updated_at"] >= since for v in recent)
    assert raw(msim, conn, "GET", f"{V3}/volumes/detail", "3.60",
               params={"changes-since": since}).status_code == 400
    assert {v.name for v in conn.block_storage.volumes(name="boot-vol")} == {"boot-vol"}
    page = raw(msim, conn, "GET", f"{V3}/volumes/detail", params={"limit": 1}).json()
    assert len(page["volumes"]) == 1 and page["volumes_links"][0]["rel"] == "next"
    walked = [v.id for v in conn.block_storage.volumes(limit=1)]
    assert len(walked) == len(set(walked)) == len(list(conn.block_storage.volumes()))
    upload = conn.block_storage.upload_volume_to_image(boot, "boot-vol-image",
                                                       disk_format="qcow2")
    assert upload["status"] == "uploading" and upload["image_name"] == "boot-vol-image"
    wait_until(lambda: conn.image.get_image(upload["image_id"]).status == "active")
    wait_until(lambda: status_of(conn, boot.id) == "available")
    zones = raw(msim, conn, "GET", f"{V3}/os-availability-zone").json()
    assert zones["availabilityZoneInfo"][0]["zoneName"] == "nova"


def test_nova_attach_through_sdk(msim: RunningSim, conn: Connection) -> None:
    volume = _available(conn, "via-nova")
    server = next(s for s in conn.compute.servers() if s.status == "ACTIVE")
    conn.compute.create_volume_attachment(server, volume_id=volume.id)
    assert status_of(conn, volume.id) == "in-use"
    with pytest.raises(sdk_exc.BadRequestException):
        conn.block_storage.delete_volume(volume)
    conn.compute.delete_volume_attachment(server, volume.id)
    wait_until(lambda: status_of(conn, volume.id) == "available")
    conn.block_storage.delete_volume(volume)


def _cli(msim: RunningSim, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(msim.clouds_yaml), "OS_CLOUD": "simcloud"}
    return subprocess.run([str(OPENSTACK_CLI), *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_cli_volume_create_list_and_server_volume(msim: RunningSim, conn: Connection) -> None:
    created = _cli(msim, "volume", "create", "--size", "1", "cli-vol", "-f", "json")
    assert created.returncode == 0, created.stderr
    doc = json.loads(created.stdout)
    assert doc["name"] == "cli-vol" and doc["size"] == 1
    wait_until(lambda: status_of(conn, doc["id"]) == "available")
    server = next(s for s in conn.compute.servers() if s.status == "ACTIVE")
    added = _cli(msim, "server", "add", "volume", server.id, doc["id"])
    assert added.returncode == 0, added.stderr
    listed = _cli(msim, "volume", "list", "-f", "json")
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout) if r["ID"] == doc["id"])
    assert row["Status"] == "in-use" and row["Name"] == "cli-vol"
    removed = _cli(msim, "server", "remove", "volume", server.id, doc["id"])
    assert removed.returncode == 0, removed.stderr
    wait_until(lambda: status_of(conn, doc["id"]) == "available")


def test_boot_volume_contract() -> None:
    with run_simcloud(SimConfig(servers=0, volumes=0, images=2)) as running:
        cloud = running.cloud
        cinder = cloud.service("volume")
        glance = cloud.service("image")
        demo = cloud.service("identity").project_by_name("demo").id
        image_id = next(iter(glance.images))
        with cloud.lock:
            volume_id = cinder.create_boot_volume(demo, image_id, 5, "root")
            volume = cinder.volume(volume_id)
            assert volume is not None and volume["bootable"] == "true"
            assert volume["status"] == "available"
            cinder.attach(volume_id, "srv-1", "/dev/vda", "att-1", demo)
            assert volume["status"] == "in-use"
            cinder.delete_if_requested(volume_id)
            assert volume["status"] == "deleting" and volume["attachments"] == []
        wait_until(lambda: cinder.volume(volume_id) is None)


def _snapshot_is(conn: Connection, snapshot_id: str, status: str) -> bool:
    return bool(conn.block_storage.get_snapshot(snapshot_id).status == status)


def test_snapshot_force_refused_from_3_66(msim: RunningSim, conn: Connection) -> None:
    """Cinder 3.66+ snapshots in-use volumes without ``force``, and refuses ``force: false``
    (the rig's exact words); an old microversion still needs ``force`` for an in-use volume."""
    volume = _available(conn, "snap-366")
    cinder = msim.cloud.service("volume")

    def snapshot(version: str, **extra: Any) -> requests.Response:
        return raw(msim, conn, "POST", f"{V3}/snapshots", version,
                   json={"snapshot": {"volume_id": volume.id, **extra}})

    refused = snapshot("3.66", force=False)
    assert refused.status_code == 400
    assert refused.json() == {"badRequest": {"code": 400, "message": (
        "Since microversion 3.66 the 'force' flag is invalid for this request.  For backward "
        "compatability, however, when the 'force' flag is passed with a value evaluating to "
        "True, it is silently ignored.")}}
    assert snapshot("3.71", force="false").status_code == 400
    garbage = snapshot("3.66", force="bogus")
    assert garbage.status_code == 400
    assert garbage.json()["badRequest"]["message"].startswith(
        "Invalid input for field/attribute force. Value: bogus.")
    with msim.cloud.lock:
        cinder.attach(volume.id, "srv-366", "/dev/vdc", "att-366", None)
    assert snapshot("3.65").status_code == 400  # in-use needs force before 3.66
    made = [snapshot("3.66", force=True), snapshot("3.66")]
    assert [answer.status_code for answer in made] == [202, 202]
    for answer in made:
        snap_id = answer.json()["snapshot"]["id"]
        wait_until(partial(_snapshot_is, conn, snap_id, "available"))
        conn.block_storage.delete_snapshot(snap_id)
    with msim.cloud.lock:
        cinder.detach(volume.id, "srv-366")
    wait_until(lambda: not list(conn.block_storage.snapshots(volume_id=volume.id)))
    wait_until(lambda: status_of(conn, volume.id) == "available")
    conn.block_storage.delete_volume(volume)
