"""CloudSession against simcloud over real HTTP: identity, errors, read-only, re-authentication."""

from __future__ import annotations

import linecache
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import (
    AuthenticationError,
    CloudError,
    ConfigError,
    ReadOnlyError,
    ServiceUnavailableError,
    UnreachableError,
)
from tuicloud.simcloud import RunningSim, SimConfig
from tuicloud.simcloud.keystone import DEMO_PASSWORD

MODULE_SIMCLOUD = SimConfig(servers=12, volumes=4, images=4, build_delay=0.2,
                            action_delay=0.2)


@pytest.fixture
def session(sim: RunningSim) -> Iterator[CloudSession]:
    with CloudSession.connect("simcloud") as connected:
        yield connected


def _log_size(sim: RunningSim) -> int:
    return len(sim.cloud.request_log)


def test_connect_reads_identity_from_the_token(sim: RunningSim, session: CloudSession) -> None:
    demo = sim.cloud.service("identity").project_by_name("demo")
    assert session.cloud_name == "simcloud"
    assert session.region == "RegionOne"
    assert session.project_name == "demo"
    assert session.project_id == demo.id
    assert session.user_name == "demo"
    assert session.user_id
    assert not session.is_admin
    assert not session.read_only
    assert not session.insecure
    for service in ("compute", "image", "volume", "block-storage", "network", "identity"):
        assert session.has_service(service), service
    assert not session.has_service("dns")
    assert str(session.endpoint("compute")).endswith("/compute/v2.1")


def test_admin_session(sim: RunningSim) -> None:
    with CloudSession.connect("simcloud-admin") as admin:
        assert admin.is_admin
        assert "admin" in admin.roles
        assert admin.project_name == "admin"


def test_os_cloud_is_honoured(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_CLOUD", "simcloud-admin")
    with CloudSession.connect(None) as admin:
        assert admin.cloud_name == "simcloud-admin"
        assert admin.user_name == "admin"


def test_unknown_cloud_lists_known_clouds(sim: RunningSim) -> None:
    with pytest.raises(ConfigError) as caught:
        CloudSession.connect("production")
    assert "known: simcloud, simcloud-admin" in str(caught.value)


def test_wrong_password(sim: RunningSim, tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert sim.clouds_yaml is not None
    bad = tmp_path / "clouds.yaml"
    bad.write_text(sim.clouds_yaml.read_text().replace(DEMO_PASSWORD, "not-the-password"))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(bad))
    with pytest.raises(AuthenticationError) as caught:
        CloudSession.connect("simcloud")
    error = caught.value
    assert isinstance(error, CloudError)
    assert str(error).startswith("401 Unauthorized: authentication failed: wrong user name or "
                                 "password")
    assert error.status == 401
    assert "not-the-password" not in str(error) + repr(error)


def test_connection_refused(sim: RunningSim, session: CloudSession) -> None:
    sim.set_down(True)
    try:
        with pytest.raises(UnreachableError) as caught:
            CloudSession.connect("simcloud")
        assert caught.value.message == f"cannot reach {sim.auth_url}: connection refused"
        with pytest.raises(UnreachableError, match="connection refused"):
            session.get_json("compute", "/servers")
    finally:
        sim.set_down(False)
    session.get_json("compute", "/servers")  # and it recovers


def test_error_carries_status_message_and_request_id(session: CloudSession) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(CloudError) as caught:
        session.get_json("compute", f"/servers/{missing}")
    error = caught.value
    assert error.status == 404
    assert missing in error.message and "could not be found" in error.message
    assert error.request_id and error.request_id.startswith("req-")
    assert error.service == "compute"
    assert str(error) == f"404 Not Found: {error.message} ({error.request_id})"


def test_compute_microversion_is_negotiated(session: CloudSession) -> None:
    version = session.microversion("compute")
    assert version is not None and version.startswith("2.")
    assert session.supports_microversion("compute", "2.47")
    assert session.microversion("network") is None


def test_read_only_refuses_before_sending(sim: RunningSim) -> None:
    with CloudSession.connect("simcloud", read_only=True) as session:
        body, _ = session.get_json("compute", "/servers")
        target = body["servers"][0]["id"]
        before = _log_size(sim)
        with pytest.raises(ReadOnlyError, match="read-only mode: refusing to delete server"):
            session.mutate("delete server web", lambda conn: conn.compute.delete_server(target))
        with pytest.raises(ReadOnlyError):
            session.request("POST", "compute", f"/servers/{target}/action",
                            json={"os-stop": None}, description="stop server web")
        with pytest.raises(ReadOnlyError):  # the SDK used directly is refused too
            session.conn.compute.delete_server(target)
        assert _log_size(sim) == before
        assert session.get_json("compute", f"/servers/{target}")[0]["server"]["id"] == target
        # A POST that only reads (the console log) is still allowed.
        output, _ = session.request("POST", "compute", f"/servers/{target}/action",
                                    json={"os-getConsoleOutput": {"length": 5}},
                                    reads_only=True)
        assert "output" in output


def test_read_only_from_clouds_yaml(sim: RunningSim, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert sim.clouds_yaml is not None
    text = sim.clouds_yaml.read_text().replace(
        "  simcloud-admin:", "    tuicloud:\n      read_only: true\n  simcloud-admin:")
    path = tmp_path / "clouds.yaml"
    path.write_text(text)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    with CloudSession.connect("simcloud") as session:
        assert session.read_only
        with pytest.raises(ReadOnlyError):
            session.mutate("create key pair x", lambda conn: conn.compute.create_keypair(name="x"))


def test_mutation_goes_through_when_writable(sim: RunningSim, session: CloudSession) -> None:
    name = f"kp-{uuid.uuid4().hex[:6]}"
    created = session.mutate(f"create key pair {name}",
                             lambda conn: conn.compute.create_keypair(name=name))
    assert created.name == name
    body, info = session.request("DELETE", "compute", f"/os-keypairs/{name}",
                                 description=f"delete key pair {name}")
    assert info.status in (202, 204)
    with pytest.raises(CloudError) as caught:
        session.mutate("delete key pair again",
                       lambda conn: conn.compute.delete_keypair(name, ignore_missing=False))
    assert caught.value.status == 404


def test_token_expiry_is_survived(sim: RunningSim) -> None:
    ttl = sim.faults.token_ttl
    sim.faults.token_ttl = 1
    try:
        with CloudSession.connect("simcloud") as session:
            session.get_json("compute", "/servers")
            time.sleep(1.5)
            before = _log_size(sim)
            body, info = session.get_json("compute", "/servers")
            assert info.status == 200 and "servers" in body
            recent = list(sim.cloud.request_log)[before:]
            assert any(r.method == "POST" and r.path.endswith("/auth/tokens") for r in recent)
    finally:
        sim.faults.token_ttl = ttl


def test_a_token_dropped_between_its_renewal_and_its_read_is_sent_again(
        session: CloudSession) -> None:
    """keystoneauth's get_access() renews the token under its lock and reads it back after it:
    another thread whose request met a 401 can drop the token in between (invalidate()), and
    the read asserted. Here that drop lands at that moment (a line tracer plays the other
    thread, once): the request is sent again with a token got anew, not failed."""
    session.get_json("compute", "/flavors")
    plugin = session.conn.session.auth
    dropped: list[int] = []

    def in_get_access(frame: FrameType, event: str, arg: object) -> Any:
        if event == "line" and not dropped and linecache.getline(
                frame.f_code.co_filename, frame.f_lineno).strip().startswith("assert"):
            plugin.invalidate()
            dropped.append(frame.f_lineno)
        return in_get_access

    def calls(frame: FrameType, event: str, arg: object) -> Any:
        code = frame.f_code
        if code.co_name == "get_access" and "keystoneauth1" in code.co_filename:
            return in_get_access
        return None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        body, info = session.get_json("compute", "/flavors")
    finally:
        sys.settrace(previous)
    assert dropped, "the tracer never reached get_access's assert"
    assert info.status == 200 and body["flavors"]


def test_response_info(session: CloudSession) -> None:
    body, info = session.get_json("compute", "/flavors")
    assert info.status == 200
    assert info.bytes > 100
    assert info.elapsed > 0
    assert info.request_id
    assert info.server_date is not None
    assert abs(info.server_date.timestamp() - time.time()) < 5


def test_errors_from_each_service_keep_the_api_message(session: CloudSession) -> None:
    missing = str(uuid.uuid4())
    for service, path in (("image", f"/images/{missing}"), ("network", f"/networks/{missing}"),
                          ("volume", f"/volumes/{missing}")):
        with pytest.raises(CloudError) as caught:
            session.get_json(service, path)
        error = caught.value
        assert error.status == 404, service
        assert error.message and error.message != "no message", service
        assert error.request_id, service


def test_missing_service(sim: RunningSim) -> None:
    sim.faults.catalog_omit = {"block-storage"}
    try:
        with CloudSession.connect("simcloud") as session:
            assert not session.has_service("volume")
            with pytest.raises(ServiceUnavailableError) as caught:
                session.get_json("volume", "/volumes")
            assert caught.value.message == \
                "the cloud offers no block storage (Cinder) service"
            assert session.has_service("compute")
    finally:
        sim.faults.catalog_omit = set()


def test_server_errors_are_retryable(sim: RunningSim, session: CloudSession) -> None:
    sim.faults.error_rate = 1.0
    try:
        with pytest.raises(CloudError) as caught:
            session.get_json("compute", "/servers")
    finally:
        sim.faults.error_rate = 0.0
    assert caught.value.status in (500, 503)
    assert caught.value.retryable
    assert "Injected fault" in caught.value.message


def test_unknown_regions(sim: RunningSim, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="Valid choices are RegionOne"):
        CloudSession.connect("simcloud", "RegionTwo")  # clouds.yaml names its region
    assert sim.clouds_yaml is not None
    path = tmp_path / "clouds.yaml"
    path.write_text(sim.clouds_yaml.read_text().replace("    region_name: RegionOne\n", ""))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    with pytest.raises(ConfigError, match="no public endpoints in region 'RegionTwo' "
                                          r"\(regions: RegionOne\)"):
        CloudSession.connect("simcloud", "RegionTwo")  # only the catalog knows
