"""simcloud's Nova against the real openstacksdk and the real ``openstack`` CLI over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest
import requests
from openstack import exceptions as os_exc
from openstack.connection import Connection

from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud
from tuicloud.simcloud.core import isotime

OPENSTACK_CLI = Path(sys.executable).parent / "openstack"
CONFIG = SimConfig(servers=60, volumes=10, images=8, build_delay=0.3, action_delay=0.15,
                   console_interval=0.2)


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    """One simcloud for the module's tests (each test makes its own servers)."""
    clouds = tmp_path_factory.mktemp("nova") / "clouds.yaml"
    with run_simcloud(CONFIG, clouds_yaml=clouds) as running:
        yield running


@pytest.fixture(scope="module")
def cli_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    """No build or action delay: the CLI's --wait polls every 5 s, so it must not wait."""
    clouds = tmp_path_factory.mktemp("nova-cli") / "clouds.yaml"
    with run_simcloud(SimConfig(servers=30, volumes=0, images=5, build_delay=0.0,
                                action_delay=0.0), clouds_yaml=clouds) as running:
        yield running


@pytest.fixture(scope="module")
def big_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    """2,500 servers, for pagination."""
    clouds = tmp_path_factory.mktemp("nova-big") / "clouds.yaml"
    with run_simcloud(SimConfig(servers=2500, volumes=0, images=5),
                      clouds_yaml=clouds) as running:
        yield running


def _connect(sim: RunningSim, monkeypatch: pytest.MonkeyPatch, name: str) -> Connection:
    assert sim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sim.clouds_yaml))
    monkeypatch.delenv("OS_CLOUD", raising=False)
    return openstack.connect(cloud=name)


@pytest.fixture
def conn(cloud: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Connection:
    """The demo user in the demo project."""
    return _connect(cloud, monkeypatch, "simcloud")


@pytest.fixture
def admin(cloud: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Connection:
    """The admin user in the admin project."""
    return _connect(cloud, monkeypatch, "simcloud-admin")


def _ids(conn: Connection) -> tuple[str, str]:
    image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
    network = conn.network.find_network("private", ignore_missing=False)
    return image.id, network.id


def _boot(conn: Connection, name: str, **extra: Any) -> Any:
    image_id, network_id = _ids(conn)
    server = conn.compute.create_server(name=name, image_id=image_id, flavor_id="1",
                                        networks=[{"uuid": network_id}], **extra)
    return conn.compute.wait_for_server(server, status="ACTIVE", interval=0.1, wait=30)


def _wait(conn: Connection, server: Any, status: str) -> Any:
    return conn.compute.wait_for_server(server, status=status, interval=0.1, wait=30)


def _settle(conn: Connection, server: Any) -> Any:
    """Wait until no task is running on the server (e.g. a snapshot upload)."""
    deadline = time.time() + 30
    while (current := conn.compute.get_server(server)).task_state and time.time() < deadline:
        time.sleep(0.05)
    return current


def _nova(sim: RunningSim) -> Any:
    return sim.cloud.service("compute")


def _token(sim: RunningSim, user: str = "demo", password: str = "simcloud-demo-pass",
           project: str = "demo") -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
    response = requests.post(f"{sim.server.url}/identity/v3/auth/tokens", json=body, timeout=10)
    return str(response.headers["X-Subject-Token"])


def _raw(sim: RunningSim, method: str, path: str, token: str, *, version: str | None = None,
         header: str = "OpenStack-API-Version", **kwargs: Any) -> requests.Response:
    headers = {"X-Auth-Token": token}
    if version is not None:
        headers[header] = f"compute {version}" if header == "OpenStack-API-Version" else version
    return requests.request(method, f"{sim.server.url}/compute/v2.1{path}", headers=headers,
                            timeout=10, **kwargs)


def _fault(response: Any, kind: str, code: int) -> str:
    """The message of a Nova error document, after checking its shape."""
    assert response.status_code == code, response.text
    body = response.json()
    assert list(body) == [kind], body
    assert body[kind]["code"] == code
    assert "Traceback" not in response.text
    return str(body[kind]["message"])


# -- versions and microversions -----------------------------------------------------------------
def test_version_documents_and_microversion_negotiation(cloud: RunningSim) -> None:
    root = requests.get(f"{cloud.server.url}/compute", timeout=10)
    assert root.status_code == 200
    current = [v for v in root.json()["versions"] if v["status"] == "CURRENT"]
    assert [(v["id"], v["version"], v["min_version"]) for v in current] == [
        ("v2.1", "2.96", "2.1")]
    doc = requests.get(f"{cloud.server.url}/compute/v2.1", timeout=10).json()["version"]
    assert doc["version"] == "2.96" and doc["min_version"] == "2.1"

    token = _token(cloud)
    plain = _raw(cloud, "GET", "/servers/detail?limit=1", token)
    assert plain.headers["OpenStack-API-Version"] == "compute 2.1"
    assert plain.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    assert "OpenStack-API-Version" in plain.headers["Vary"]
    old = plain.json()["servers"][0]
    assert set(old["flavor"]) == {"id", "links"} and "locked" not in old

    new = _raw(cloud, "GET", "/servers/detail?limit=1", token, version="2.47")
    assert new.headers["OpenStack-API-Version"] == "compute 2.47"
    flavor = new.json()["servers"][0]["flavor"]
    assert {"original_name", "vcpus", "ram", "disk", "ephemeral", "swap",
            "extra_specs"} <= set(flavor)
    assert "locked" in new.json()["servers"][0]
    assert "locked_reason" not in new.json()["servers"][0]

    legacy = _raw(cloud, "GET", "/servers/detail?limit=1", token, version="2.9",
                  header="X-OpenStack-Nova-API-Version")
    assert legacy.headers["X-OpenStack-Nova-API-Version"] == "2.9"
    assert "locked" in legacy.json()["servers"][0]
    latest = _raw(cloud, "GET", "/servers/detail?limit=1", token, version="latest")
    assert latest.headers["OpenStack-API-Version"] == "compute 2.96"
    assert "pinned_availability_zone" in latest.json()["servers"][0]

    too_new = _raw(cloud, "GET", "/servers", token, version="2.200")
    assert "not supported by the API" in _fault(too_new, "computeFault", 406)
    garbage = _raw(cloud, "GET", "/servers", token, version="2.x")
    assert "invalid format" in _fault(garbage, "badRequest", 400)


# -- server lifecycle with the SDK --------------------------------------------------------------
def test_create_stop_start_reboot_delete(conn: Connection, cloud: RunningSim) -> None:
    before = time.time()
    server = _boot(conn, "sdk-lifecycle", metadata={"purpose": "test"}, key_name="demo-key")
    assert server.status == "ACTIVE" and server.power_state == 1
    assert server.flavor.original_name == "m1.tiny"
    assert server.addresses["private"][0]["OS-EXT-IPS:type"] == "fixed"
    assert server.metadata == {"purpose": "test"} and server.key_name == "demo-key"
    actions = [a.action for a in conn.compute.server_actions(server)]
    assert actions == ["create"]

    conn.compute.stop_server(server)
    assert conn.compute.get_server(server).task_state == "powering-off"
    server = _wait(conn, server, "SHUTOFF")
    assert server.power_state == 4
    conn.compute.start_server(server)
    server = _wait(conn, server, "ACTIVE")
    conn.compute.reboot_server(server, "SOFT")
    assert conn.compute.get_server(server).status == "REBOOT"
    server = _wait(conn, server, "ACTIVE")
    conn.compute.reboot_server(server, "HARD")
    assert conn.compute.get_server(server).status == "HARD_REBOOT"
    server = _wait(conn, server, "ACTIVE")
    assert [a.action for a in conn.compute.server_actions(server)] == [
        "reboot", "reboot", "start", "stop", "create"]

    conn.compute.delete_server(server)
    assert conn.compute.get_server(server).task_state == "deleting"
    conn.compute.wait_for_delete(server, interval=0.1, wait=30)
    with pytest.raises(os_exc.NotFoundException):
        conn.compute.get_server(server.id)
    gone = [s for s in conn.compute.servers(changes_since=isotime(before))
            if s.id == server.id]
    assert [s.status for s in gone] == ["DELETED"]
    assert list(conn.network.ports(device_id=server.id)) == []  # its port went with it


def test_multi_create_names_and_build_failure(conn: Connection, cloud: RunningSim) -> None:
    image_id, network_id = _ids(conn)
    response = conn.compute.post("/servers", json={"server": {
        "name": "multi", "imageRef": image_id, "flavorRef": "1", "min_count": 3,
        "max_count": 3, "networks": [{"uuid": network_id}], "return_reservation_id": True}},
        microversion="2.96")
    assert response.status_code == 202, response.text
    reservation = response.json()["reservation_id"]
    made = [s for s in _nova(cloud).servers.values() if s.reservation_id == reservation]
    assert sorted(s.name for s in made) == ["multi-1", "multi-2", "multi-3"]
    for server in made:
        conn.compute.delete_server(server.id)

    failing = conn.compute.create_server(name="doomed", image_id=image_id, flavor_id="1",
                                         networks=[{"uuid": network_id}],
                                         metadata={"simcloud:fail": "1"})
    assert conn.compute.get_server(failing).status == "BUILD"
    with pytest.raises(os_exc.ResourceFailure):
        _wait(conn, failing, "ACTIVE")
    failed = conn.compute.get_server(failing)
    assert failed.status == "ERROR"
    assert failed.fault["message"].startswith("No valid host was found")
    assert failed.fault["code"] == 500 and "details" not in failed.fault  # not for non-admins
    conn.compute.delete_server(failed)


def test_more_actions(conn: Connection, admin: Connection, cloud: RunningSim) -> None:
    server = _boot(conn, "sdk-actions")
    for act, transitional, final in (("pause", "pausing", "PAUSED"),
                                     ("unpause", "unpausing", "ACTIVE"),
                                     ("suspend", "suspending", "SUSPENDED"),
                                     ("resume", "resuming", "ACTIVE")):
        getattr(conn.compute, f"{act}_server")(server)
        assert conn.compute.get_server(server).task_state == transitional
        server = _wait(conn, server, final)

    conn.compute.lock_server(server, locked_reason="change freeze")
    locked = conn.compute.get_server(server)
    assert locked.is_locked and locked.locked_reason == "change freeze"
    with pytest.raises(os_exc.ConflictException, match="is locked"):
        conn.compute.stop_server(server)
    conn.compute.unlock_server(server)

    conn.compute.resize_server(server, "2")
    assert conn.compute.get_server(server).status == "RESIZE"
    server = _wait(conn, server, "VERIFY_RESIZE")
    assert server.flavor.original_name == "m1.small"
    conn.compute.revert_server_resize(server)
    server = _wait(conn, server, "ACTIVE")
    assert server.flavor.original_name == "m1.tiny"
    conn.compute.resize_server(server, "2")
    server = _wait(conn, server, "VERIFY_RESIZE")
    conn.compute.confirm_server_resize(server)
    server = _wait(conn, server, "ACTIVE")
    assert server.flavor.original_name == "m1.small"

    conn.compute.rescue_server(server)
    server = _wait(conn, server, "RESCUE")
    conn.compute.unrescue_server(server)
    server = _wait(conn, server, "ACTIVE")

    image_id, _ = _ids(conn)
    rebuilt = conn.compute.rebuild_server(server, image=image_id, name="sdk-rebuilt")
    assert rebuilt.status == "REBUILD" and rebuilt.admin_password
    server = _wait(conn, server, "ACTIVE")
    assert server.name == "sdk-rebuilt"

    snapshot_id = conn.compute.create_server_image(server, "sdk-snap", wait=False)
    assert conn.image.get_image(snapshot_id).name == "sdk-snap"
    assert conn.compute.get_server(server).task_state == "image_snapshot"
    server = _settle(conn, server)

    conn.compute.shelve_server(server)
    server = _wait(conn, server, "SHELVED_OFFLOADED")
    assert server.hypervisor_hostname is None
    conn.compute.unshelve_server(server)
    server = _wait(conn, server, "ACTIVE")

    assert conn.compute.create_server_remote_console(
        server, protocol="vnc", type="novnc").url.startswith(f"{cloud.server.url}/vnc_auto")
    # only admins reset state; then the server shows the admin-only attributes
    with pytest.raises(os_exc.ForbiddenException):
        conn.compute.reset_server_state(server, "error")
    admin.compute.reset_server_state(server, "error")
    shown = admin.compute.get_server(server)
    assert shown.status == "ERROR" and shown.compute_host and shown.instance_name
    names = [a.action for a in conn.compute.server_actions(server)]
    assert names[-1] == "create" and {"shelve", "unshelve", "rebuild", "createImage",
                                      "resize", "confirmResize", "revertResize"} <= set(names)
    # an instance action carries the request id its response was answered with
    response = conn.compute.post(f"/servers/{server.id}/action", json={"os-stop": None})
    request_id = response.headers["x-openstack-request-id"]
    latest = next(iter(conn.compute.server_actions(server)))
    assert (latest.action, latest.request_id) == ("stop", request_id)
    conn.compute.delete_server(server)


# -- pagination and changes-since ---------------------------------------------------------------
def test_pagination_over_2500_servers(big_cloud: RunningSim,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    conn = _connect(big_cloud, monkeypatch, "simcloud")
    nova = _nova(big_cloud)
    demo = conn.current_project_id
    expected = {s.id for s in nova.by_project[demo].items}
    assert len(expected) > 1000
    listed = [s.id for s in conn.compute.servers(details=True)]
    assert len(listed) == len(set(listed)) == len(expected)
    assert set(listed) == expected

    seen: list[str] = []
    url: str | None = "/servers/detail?limit=1000&sort_dir=desc"
    pages = 0
    while url:
        body = conn.compute.get(url, microversion="2.96").json()
        pages += 1
        seen += [s["id"] for s in body["servers"]]
        links = body.get("servers_links", [])
        url = links[0]["href"] if links else None
        if url:
            assert links[0]["rel"] == "next"
            assert "limit=1000" in url and "sort_dir=desc" in url and "marker=" in url
            url = url.split("/compute/v2.1", 1)[1]
    assert pages == len(expected) // 1000 + 1
    assert len(seen) == len(set(seen)) == len(expected)
    created = [nova.servers[i].created for i in seen]
    assert created == sorted(created, reverse=True)  # newest first

    admin = _connect(big_cloud, monkeypatch, "simcloud-admin")
    everyone = admin.compute.get("/servers?all_tenants=1&limit=1000").json()
    assert len(everyone["servers"]) == 1000 and everyone["servers_links"]
    filtered = conn.compute.get("/servers?status=SHUTOFF&limit=5").json()
    assert "status=SHUTOFF" in filtered["servers_links"][0]["href"]
    bad = conn.compute.get("/servers?marker=nope")
    assert _fault(bad, "badRequest", 400) == "marker [nope] not found"
    # non-admins asking for all projects are refused, as Nova's policy does
    assert "get_all_tenants" in _fault(conn.compute.get("/servers?all_tenants=1"),
                                       "forbidden", 403)


def test_changes_since_returns_changes_and_deletions(conn: Connection,
                                                     cloud: RunningSim) -> None:
    mine = [s for s in conn.compute.servers() if s.name.startswith(("web-", "app-", "api-"))]
    keep, doomed = _boot(conn, "changes-keep"), _boot(conn, "changes-doomed")
    since = isotime(time.time(), micro=True)  # fractions of a second are accepted
    assert conn.compute.get(f"/servers/detail?changes-since={since}").json() == {"servers": []}
    conn.compute.stop_server(keep)
    conn.compute.delete_server(doomed)
    conn.compute.wait_for_delete(doomed, interval=0.1, wait=30)
    changed = {s.id: s.status for s in conn.compute.servers(changes_since=since)}
    assert set(changed) == {keep.id, doomed.id}
    assert changed[doomed.id] == "DELETED"
    assert mine and not {s.id for s in mine} & set(changed)
    bad = conn.compute.get("/servers/detail?changes-since=yesterday")
    assert "changes-since" in _fault(bad, "badRequest", 400)
    conn.compute.delete_server(keep)


# -- console ------------------------------------------------------------------------------------
def test_console_output_grows_and_honours_length(conn: Connection, cloud: RunningSim) -> None:
    server = _boot(conn, "console-test")
    first = conn.compute.get_server_console_output(server)["output"]
    assert "console-test login:" in first and "Linux version" in first
    assert not first.endswith("\n")  # the guest's cursor sits on a partial last line
    time.sleep(CONFIG.console_interval * 4)
    later = conn.compute.get_server_console_output(server)["output"]
    assert later.startswith(first) and len(later.splitlines()) >= len(first.splitlines()) + 3
    tail = conn.compute.get_server_console_output(server, length=5)["output"]
    assert len(tail.split("\n")) == 5 and not tail.endswith("\n")
    one = conn.compute.get_server_console_output(server, length=1)["output"]
    assert one and "\n" not in one
    assert tail in conn.compute.get_server_console_output(server)["output"]
    bad = conn.compute.post(f"/servers/{server.id}/action",
                            json={"os-getConsoleOutput": {"length": "lots"}})
    assert "length" in _fault(bad, "badRequest", 400)

    conn.compute.stop_server(server)
    _wait(conn, server, "SHUTOFF")
    frozen = conn.compute.get_server_console_output(server)["output"]
    time.sleep(CONFIG.console_interval * 3)
    assert conn.compute.get_server_console_output(server)["output"] == frozen
    conn.compute.start_server(server)  # a new boot: the log starts over
    _wait(conn, server, "ACTIVE")
    fresh = conn.compute.get_server_console_output(server)["output"]
    assert len(fresh.splitlines()) < len(frozen.splitlines())

    conn.compute.set_server_metadata(server, **{"simcloud:console-burst": "500"})
    burst = conn.compute.get_server_console_output(server)["output"]
    assert len(burst.splitlines()) >= len(fresh.splitlines()) + 500
    conn.compute.delete_server(server)


def test_hostile_console(conn: Connection) -> None:
    chaos = conn.compute.find_server("console-chaos", ignore_missing=False)
    text = conn.compute.get_server_console_output(chaos)["output"]
    assert "\x1b[1;31m" in text and "\x1b]52;c;" in text and "\x1b]0;" in text
    assert "[bold red]" in text and "\ufffd" in text and "\udcff" in text
    assert max(len(line) for line in text.splitlines()) > 100_000
    tail = conn.compute.get_server_console_output(chaos, length=20)["output"]
    assert "\x1b" in tail  # hostile lines keep coming, not only at boot


# -- volumes ------------------------------------------------------------------------------------
def test_volume_attach_and_detach(conn: Connection, cloud: RunningSim) -> None:
    server = _boot(conn, "with-volume")
    volume = conn.block_storage.create_volume(size=1, name="nova-attach-test")
    volume = conn.block_storage.wait_for_status(volume, "available", interval=0.1, wait=30)
    attachment = conn.compute.create_volume_attachment(server, volume_id=volume.id)
    assert attachment.device == "/dev/vdb"
    volume = conn.block_storage.wait_for_status(volume, "in-use", interval=0.1, wait=30)
    assert volume.attachments[0]["server_id"] == server.id
    assert [a.volume_id for a in conn.compute.volume_attachments(server)] == [volume.id]
    assert [v.id for v in conn.compute.get_server(server).attached_volumes] == [volume.id]
    again = conn.compute.post(f"/servers/{server.id}/os-volume_attachments",
                              json={"volumeAttachment": {"volumeId": volume.id}})
    assert again.status_code in (400, 409)
    conn.compute.delete_volume_attachment(server, volume)
    volume = conn.block_storage.wait_for_status(volume, "available", interval=0.1, wait=30)
    assert not volume.attachments
    assert list(conn.compute.volume_attachments(server)) == []
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.1, wait=30)
    conn.block_storage.delete_volume(volume)


def test_boot_from_volume_and_seeded_attachments(conn: Connection, cloud: RunningSim) -> None:
    image_id, network_id = _ids(conn)
    server = conn.compute.create_server(
        name="bfv", flavor_id="1", networks=[{"uuid": network_id}],
        block_device_mapping=[{"boot_index": 0, "uuid": image_id, "source_type": "image",
                               "destination_type": "volume", "volume_size": 1,
                               "delete_on_termination": True}])
    server = _wait(conn, server, "ACTIVE")
    assert not (server.image or {}).get("id")  # "" for the image of a volume-booted server
    (root,) = server.attached_volumes
    volume = conn.block_storage.get_volume(root.id)
    assert volume.status == "in-use" and volume.is_bootable
    assert volume.attachments[0]["device"] == "/dev/vda"
    detach_root = conn.compute.delete(f"/servers/{server.id}/os-volume_attachments/{root.id}")
    assert "root device" in _fault(detach_root, "badRequest", 400)
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.1, wait=30)
    deadline = time.time() + 10
    while conn.block_storage.find_volume(root.id) is not None and time.time() < deadline:
        time.sleep(0.05)
    assert conn.block_storage.find_volume(root.id) is None  # delete_on_termination

    # cinder's seed attached volumes to seeded servers through the contract
    attached = [s for s in conn.compute.servers() if s.attached_volumes]
    assert attached
    for seeded in attached[:3]:
        for ref in seeded.attached_volumes:
            seen = conn.block_storage.get_volume(ref.id)
            assert seen.status == "in-use"
            assert seeded.id in {a["server_id"] for a in seen.attachments}


# -- errors -------------------------------------------------------------------------------------
def test_error_shapes(conn: Connection, admin: Connection, cloud: RunningSim) -> None:
    missing = "3f0e0e3c-0000-4000-8000-000000000000"
    message = _fault(conn.compute.get(f"/servers/{missing}"), "itemNotFound", 404)
    assert message == f"Instance {missing} could not be found."
    active = next(s for s in conn.compute.servers() if s.status == "ACTIVE")
    conflict = conn.compute.post(f"/servers/{active.id}/action", json={"os-start": None})
    assert _fault(conflict, "conflictingRequest", 409) == (
        f"Cannot 'start' instance {active.id} while it is in vm_state active")
    malformed = conn.compute.post("/servers", data=b"{",
                                  headers={"Content-Type": "application/json"})
    assert "Malformed request body" in _fault(malformed, "badRequest", 400)
    nameless = conn.compute.post("/servers", json={"server": {"flavorRef": "1"}})
    assert "'name' is a required property" in _fault(nameless, "badRequest", 400)
    unknown = conn.compute.post(f"/servers/{active.id}/action", json={"frobnicate": {}})
    assert _fault(unknown, "badRequest", 400) == "There is no such action: frobnicate"

    # over quota: the admin lowers the demo project's instance quota to what it uses
    demo = conn.current_project_id
    used = _nova(cloud).instance_usage(demo)["instances"]
    original = conn.compute.get(f"/os-quota-sets/{demo}").json()["quota_set"]["instances"]
    lowered = admin.compute.put(f"/os-quota-sets/{demo}",
                                json={"quota_set": {"instances": used}})
    assert lowered.status_code == 200 and lowered.json()["quota_set"]["instances"] == used
    try:
        image_id, network_id = _ids(conn)
        over = conn.compute.post("/servers", json={"server": {
            "name": "too-many", "imageRef": image_id, "flavorRef": "1",
            "networks": [{"uuid": network_id}]}})
        assert _fault(over, "forbidden", 403) == (
            f"Quota exceeded for instances: Requested 1, but already used {used} of {used} "
            "instances")
        limits = conn.compute.get_limits().absolute
        assert limits.instances == used and limits.instances_used == used
    finally:
        admin.compute.put(f"/os-quota-sets/{demo}",
                          json={"quota_set": {"instances": original}})
    forbidden = conn.compute.put(f"/os-quota-sets/{demo}",
                                 json={"quota_set": {"instances": 1}})
    assert "os-quota-sets:update" in _fault(forbidden, "forbidden", 403)

    bogus = requests.get(f"{cloud.server.url}/compute/v2.1/servers",
                         headers={"X-Auth-Token": "bogus"}, timeout=10)
    assert bogus.status_code == 401 and "Traceback" not in bogus.text
    assert bogus.json()["unauthorized"]["code"] == 401


# -- flavors, key pairs, limits, quotas, zones --------------------------------------------------
def test_flavors_keypairs_limits_and_zones(conn: Connection, admin: Connection) -> None:
    flavors = {f.name: f for f in conn.compute.flavors()}
    assert {"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"} <= set(flavors)
    assert "ops.private" not in flavors  # private, no access for demo
    assert (flavors["m1.small"].vcpus, flavors["m1.small"].ram,
            flavors["m1.small"].disk) == (1, 2048, 20)
    assert flavors["c1.dedicated"].extra_specs["hw:cpu_policy"] == "dedicated"
    assert "ops.private" in {f.name for f in admin.compute.flavors()}
    assert [f.name for f in conn.compute.flavors(min_disk=100)] == ["m1.xlarge", "g1.gpu"]

    made = conn.compute.create_keypair(name="made-by-test")
    assert made.public_key.startswith("ssh-ed25519 AAAA")
    assert made.private_key.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    imported = conn.compute.create_keypair(name="imported", public_key=made.public_key)
    assert imported.fingerprint == made.fingerprint and imported.private_key is None
    with pytest.raises(os_exc.BadRequestException, match="Keypair data is invalid"):
        conn.compute.create_keypair(name="garbage", public_key="ssh-rsa not-base64!")
    with pytest.raises(os_exc.ConflictException):
        conn.compute.create_keypair(name="imported", public_key=made.public_key)
    names = {k.name for k in conn.compute.keypairs()}
    assert {"demo-key", "made-by-test", "imported"} <= names
    assert "admin-key" not in names  # key pairs are per user
    shown = conn.compute.get_keypair("demo-key")
    assert shown.type == "ssh" and shown.user_id == conn.current_user_id
    conn.compute.delete_keypair("made-by-test")
    conn.compute.delete_keypair("imported")
    assert "made-by-test" not in {k.name for k in conn.compute.keypairs()}

    limits = conn.compute.get_limits().absolute
    assert limits.instances >= limits.instances_used > 0
    assert limits.total_cores_used > 0 and limits.total_ram_used > 0
    quota = conn.compute.get_quota_set(conn.current_project_id, usage=True)
    assert quota.instances == limits.instances
    assert quota.usage["instances"] == limits.instances_used
    defaults = conn.compute.get_quota_set_defaults(conn.current_project_id)
    assert (defaults.instances, defaults.cores, defaults.ram) == (10, 20, 51200)
    zones = {z.name for z in conn.compute.availability_zones()}
    assert zones == {"nova", "az-2"}


def test_metadata_tags_ips_and_interfaces(conn: Connection) -> None:
    server = _boot(conn, "sub-resources")
    conn.compute.set_server_metadata(server, env="test", tier="web")
    assert conn.compute.get_server_metadata(server).metadata == {"env": "test", "tier": "web"}
    conn.compute.delete_server_metadata(server, ["tier"])
    assert conn.compute.get_server(server).metadata == {"env": "test"}
    missing = conn.compute.get(f"/servers/{server.id}/metadata/nope")
    assert _fault(missing, "itemNotFound", 404) == "Metadata item was not found"
    added = conn.compute.put(f"/servers/{server.id}/tags/blue", microversion="2.26")
    assert added.status_code == 201
    tags = conn.compute.get(f"/servers/{server.id}/tags", microversion="2.26").json()
    assert tags == {"tags": ["blue"]}
    ips = list(conn.compute.server_ips(server))
    assert ips and ips[0].network_label == "private"
    ports = list(conn.compute.server_interfaces(server))
    assert len(ports) == 1 and ports[0].fixed_ips[0]["ip_address"] == ips[0].address
    conn.compute.delete_server(server)


# -- the openstack CLI --------------------------------------------------------------------------
def _cli(sim: RunningSim, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess[str]]:
    """Run ``openstack --os-cloud simcloud ...`` commands side by side (each takes ~1 s to
    start) and return their results in order."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(sim.clouds_yaml)
    running = [(args, subprocess.Popen([str(OPENSTACK_CLI), "--os-cloud", "simcloud", *args],
                                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)) for args in commands]
    results = []
    for args, process in running:
        out, err = process.communicate(timeout=60)
        assert "Traceback" not in err, (args, err)
        results.append(subprocess.CompletedProcess(args, process.returncode, out, err))
    return results


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.args, result.stderr)
    return result.stdout


def _json(text: str) -> Any:
    """JSON output of the CLI (``--wait`` prints progress before it)."""
    return json.loads(text[min(i for i in (text.find("{"), text.find("[")) if i >= 0):])


def _until(check: Callable[[], bool]) -> None:
    deadline = time.time() + 10
    while not check() and time.time() < deadline:
        time.sleep(0.02)
    assert check()


def test_openstack_cli(cli_cloud: RunningSim) -> None:
    if not OPENSTACK_CLI.exists():
        pytest.fail(f"{OPENSTACK_CLI} missing: install python-openstackclient")
    cloud = cli_cloud
    nova = _nova(cloud)
    demo_id = next(p.id for p in cloud.cloud.projects.values() if p.name == "demo")
    running = next(s for s in nova.by_project[demo_id].items if s.status == "ACTIVE")
    since = isotime(time.time() - 1)

    listed, table, flavors, keys, refused = _cli(
        cloud, ("server", "list", "-f", "json"), ("server", "list", "--long", "--limit", "5"),
        ("flavor", "list"), ("keypair", "list"), ("server", "start", running.id))
    rows = json.loads(_ok(listed))
    assert {s["ID"] for s in rows} == {s.id for s in nova.by_project[demo_id].items}
    assert {"ID", "Name", "Status", "Networks", "Image", "Flavor"} <= set(rows[0])
    assert "Power State" in _ok(table) and "Availability Zone" in table.stdout
    assert len([line for line in table.stdout.splitlines() if line.startswith("| ")]) == 6
    assert "m1.tiny" in _ok(flavors) and "m1.xlarge" in flavors.stdout
    assert "demo-key" in _ok(keys) and "laptop-ed25519" in keys.stdout
    assert refused.returncode != 0 and "vm_state active" in refused.stderr  # Nova's 409

    (created,) = _cli(cloud, ("server", "create", "--image", "cirros-0.6.2-x86_64-disk",
                              "--flavor", "m1.tiny", "--network", "private", "--wait",
                              "-f", "json", "cli-made"))
    made = _json(_ok(created))
    assert made["status"] == "ACTIVE" and made["name"] == "cli-made"
    assert made["image"].startswith("cirros-0.6.2-x86_64-disk (")
    assert made["flavor"]["original_name"] == "m1.tiny"
    server = nova.servers[made["id"]]

    changed, log = _cli(cloud, ("server", "list", "--changes-since", since, "-f", "json"),
                        ("console", "log", "show", "--lines", "20", "cli-made"))
    names = {s["Name"] for s in json.loads(_ok(changed))}
    assert "cli-made" in names and len(names) < len(rows)  # only what changed
    assert len(_ok(log).splitlines()) == 20 and "cli-made" in log.stdout

    _ok(_cli(cloud, ("server", "stop", "cli-made"))[0])
    _until(lambda: server.status == "SHUTOFF")
    _ok(_cli(cloud, ("server", "start", "cli-made"))[0])
    _until(lambda: server.status == "ACTIVE")
    boots = server.console_start
    _ok(_cli(cloud, ("server", "reboot", "cli-made"))[0])
    _until(lambda: server.status == "ACTIVE" and server.console_start != boots)
    _ok(_cli(cloud, ("server", "delete", "--wait", "cli-made"))[0])
    assert made["id"] not in nova.servers
