"""simcloud's fault injection, through its Python API and through the ``tuicloud-sim`` flags:
latency, error rate, down/up, token lifetime and services left out of the catalog."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openstack
import pytest
import requests
from keystoneauth1.exceptions import ConnectFailure
from openstack import exceptions as os_exc
from openstack.connection import Connection

from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.core import parse_time

TUICLOUD_SIM = Path(sys.executable).parent / "tuicloud-sim"

# One unauthenticated and one authenticated path per service.
PATHS = {
    "identity": ("/identity/v3", "/identity/v3/auth/projects"),
    "compute": ("/compute", "/compute/v2.1/servers"),
    "image": ("/image", "/image/v2/images"),
    "volume": ("/volume", "/volume/v3/volumes"),
    "network": ("/networking", "/networking/v2.0/networks"),
}


def _token(base_url: str) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "demo", "domain": {"name": "Default"}, "password": "simcloud-demo-pass"}}},
        "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}
    response = requests.post(f"{base_url}/identity/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return str(response.headers["X-Subject-Token"])


@pytest.fixture
def token(sim: RunningSim) -> str:
    """A demo token, issued before any fault is switched on."""
    return _token(sim.server.url)


@pytest.fixture
def conn(sim: RunningSim) -> Iterator[Connection]:
    """The demo user's SDK connection through the fixture's clouds.yaml."""
    connection = openstack.connect(cloud="simcloud")
    yield connection
    connection.close()


def _get(url: str, token: str | None = None) -> tuple[requests.Response, float]:
    headers = {"X-Auth-Token": token} if token else {}
    started = time.monotonic()
    response = requests.get(url, headers=headers, timeout=30)
    return response, time.monotonic() - started


def _get_all(urls: list[str], token: str | None = None) -> list[tuple[requests.Response, float]]:
    """GET every URL side by side; each answer with how long it took."""
    with ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(lambda url: _get(url, token), urls))


def _injected_fault(service: str, response: requests.Response) -> int:
    """Check an injected 500/503 is in the service's own error shape; return its status."""
    status = response.status_code
    assert status in (500, 503), (service, status, response.text)
    assert "Traceback" not in response.text
    if service == "image":  # webob's HTML page: Glance answers JSON only when asked
        assert f"<h1>{status} " in response.text and "Injected fault" in response.text
        return status
    body = response.json()
    if service == "identity":
        error = body["error"]
        assert error["code"] == status and error["title"]
    elif service == "network":
        error = body["NeutronError"]
        assert error["type"] and error["detail"] == ""
    else:  # Nova and Cinder
        expected = {500: "computeFault", 503: "serviceUnavailable"}[status]
        assert list(body) == [expected], body
        error = body[expected]
        assert error["code"] == status
    assert "Injected fault" in error["message"]
    return status


# -- latency ------------------------------------------------------------------------------------
def test_latency_per_service_and_for_all(sim: RunningSim, token: str) -> None:
    """The delay goes to the services named (or to all but those, with "*"). Timed by
    simcloud's own log, from reading a request to answering it: the client's wall clock
    also counts its threads and connections, which a busy machine slowed past 0.4 s."""
    urls = {service: [sim.server.url + path for path in paths]
            for service, paths in PATHS.items()}

    def timings() -> dict[str, list[float]]:
        before = sim.cloud.request_count
        answers = _get_all([url for pair in urls.values() for url in pair], token)
        for response, _took in answers:
            assert response.status_code in (200, 300), (response.url, response.text)
        served = list(sim.cloud.request_log)[-(sim.cloud.request_count - before):]
        result: dict[str, list[float]] = {}
        for entry in served:
            result.setdefault(entry.service, []).append(entry.answered - entry.started)
        assert {service: len(took) for service, took in result.items()} == {
            service: len(pair) for service, pair in urls.items()}
        return result

    sim.faults.latency = {"image": 1.0}
    took = timings()
    assert min(took["image"]) >= 1.0
    assert max(t for service, ts in took.items() if service != "image" for t in ts) < 0.5

    sim.faults.latency = {"*": 1.0, "network": 0.0}  # "*" is every service not named
    took = timings()
    assert min(t for service, ts in took.items() if service != "network" for t in ts) >= 1.0
    assert max(took["network"]) < 0.5

    sim.faults.latency = {}
    assert max(t for ts in timings().values() for t in ts) < 0.5


def test_latency_slows_the_sdk_too(sim: RunningSim, conn: Connection) -> None:
    list(conn.compute.servers())  # authenticated and discovered before the latency
    sim.faults.latency = {"compute": 0.3}
    started = time.monotonic()
    list(conn.network.networks())
    fast = time.monotonic() - started
    started = time.monotonic()
    list(conn.compute.flavors())
    slow = time.monotonic() - started
    sim.faults.latency = {}
    assert slow >= 0.3 > fast


# -- error rate ---------------------------------------------------------------------------------
def test_error_rate_one_fails_everything_in_each_services_shape(sim: RunningSim,
                                                               token: str) -> None:
    sim.faults.error_rate = 1.0
    try:
        flat = [(service, sim.server.url + path) for service, pair in PATHS.items()
                for path in pair]
        statuses = set()
        for _ in range(3):
            for (service, _url), (response, _) in zip(
                    flat, _get_all([url for _, url in flat], token), strict=True):
                statuses.add(_injected_fault(service, response))
        assert statuses == {500, 503}
        # even a token cannot be had
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "demo", "domain": {"name": "Default"}, "password": "simcloud-demo-pass"}}}}}
        issued = requests.post(f"{sim.server.url}/identity/v3/auth/tokens", json=body,
                               timeout=10)
        _injected_fault("identity", issued)
    finally:
        sim.faults.error_rate = 0.0
    for service, pair in PATHS.items():
        for path in pair:
            assert _get(sim.server.url + path, token)[0].status_code in (200, 300), service


def test_error_services_restricts_the_faults(sim: RunningSim, token: str,
                                             conn: Connection) -> None:
    list(conn.compute.servers())  # authenticate first: identity stays healthy anyway
    sim.faults.error_services = {"compute", "network"}
    sim.faults.error_rate = 1.0
    try:
        for service, pair in PATHS.items():
            for path in pair:
                response, _ = _get(sim.server.url + path, token)
                if service in ("compute", "network"):
                    _injected_fault(service, response)
                else:
                    assert response.status_code in (200, 300), (service, response.text)
        with pytest.raises(os_exc.HttpException) as caught:
            list(conn.compute.servers())
        assert caught.value.status_code in (500, 503)
        assert len(list(conn.image.images())) > 0
        # a fraction fails about that often
        sim.faults.error_rate = 0.5
        answers = _get_all([f"{sim.server.url}/compute/v2.1/flavors"] * 60, token)
        failed = sum(response.status_code != 200 for response, _ in answers)
        assert 10 <= failed <= 50, failed
        assert all(response.status_code in (200, 500, 503) for response, _ in answers)
    finally:
        sim.faults.error_rate = 0.0
        sim.faults.error_services = None
    assert len(list(conn.compute.servers())) > 0


# -- down and up --------------------------------------------------------------------------------
def test_set_down_refuses_connections_then_serves_again_on_the_same_port(
        sim: RunningSim, conn: Connection) -> None:
    port = sim.server.port
    url = f"{sim.server.url}/compute"
    with requests.Session() as kept_alive:
        assert kept_alive.get(url, timeout=10).status_code == 200
        list(conn.compute.servers())
        sim.set_down(True)
        try:
            assert sim.faults.down
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
            with pytest.raises(requests.ConnectionError):
                requests.get(url, timeout=10)
            # a connection kept alive from before is not served either
            with pytest.raises(requests.ConnectionError):
                kept_alive.get(url, timeout=10)
            with pytest.raises(ConnectFailure):  # what keystoneauth raises for the SDK
                list(conn.compute.servers())
            sim.set_down(True)  # idempotent
        finally:
            sim.set_down(False)
        assert sim.server.port == port and not sim.faults.down
        assert kept_alive.get(url, timeout=10).status_code == 200
    assert requests.get(url, timeout=10).status_code == 200
    assert len(list(conn.compute.servers())) > 0


# -- tokens -------------------------------------------------------------------------------------
def test_expired_token_gets_401_and_the_sdk_reauthenticates(sim: RunningSim,
                                                            conn: Connection) -> None:
    sim.faults.token_ttl = 1
    old = _token(sim.server.url)
    servers = f"{sim.server.url}/compute/v2.1/servers"
    assert _get(servers, old)[0].status_code == 200
    assert len(list(conn.compute.servers())) > 0
    time.sleep(1.2)
    for service, (_, path) in PATHS.items():
        expired, _ = _get(sim.server.url + path, old)
        assert expired.status_code == 401, (service, expired.text)
        assert expired.headers["WWW-Authenticate"] == \
            f'Keystone uri="{sim.server.url}/identity"'
        words = ("could not verify that you are authorized" if service == "image"
                 else "requires authentication")  # Glance says it in webob's words
        assert words in expired.text and "Traceback" not in expired.text
    validated = requests.get(f"{sim.server.url}/identity/v3/auth/tokens", timeout=10,
                             headers={"X-Auth-Token": _token(sim.server.url),
                                      "X-Subject-Token": old})
    assert validated.status_code == 404
    assert len(list(conn.compute.servers())) > 0  # the SDK got itself a new token

    # a token the SDK believes in but the cloud no longer accepts: 401, new token, retry
    sim.faults.token_ttl = 3600
    fresh = openstack.connect(cloud="simcloud")
    assert len(list(fresh.compute.servers())) > 0
    sim.cloud.tokens[fresh.session.get_token()].expires_at = time.time() - 1
    before = len(sim.cloud.request_log)
    assert len(list(fresh.compute.servers())) > 0
    log = [(r.method, r.path.split("/")[1], r.status)
           for r in list(sim.cloud.request_log)[before:]]
    assert log == [("GET", "compute", 401), ("POST", "identity", 201), ("GET", "compute", 200)]
    fresh.close()


# -- the catalog --------------------------------------------------------------------------------
def test_catalog_omit_hides_a_service_from_the_sdk(sim: RunningSim) -> None:
    sim.faults.catalog_omit = {"image", "block-storage"}
    try:
        token = _token(sim.server.url)
        catalog = requests.get(f"{sim.server.url}/identity/v3/auth/catalog", timeout=10,
                               headers={"X-Auth-Token": token}).json()["catalog"]
        assert {entry["type"] for entry in catalog} == {"identity", "compute", "network",
                                                                "placement", "object-store"}
        conn = openstack.connect(cloud="simcloud")
        assert not conn.has_service("image") and not conn.has_service("block-storage")
        assert conn.has_service("compute") and conn.has_service("network")
        with pytest.raises(os_exc.SDKException, match="image"):
            list(conn.image.images())
        with pytest.raises(os_exc.SDKException, match="block-storage"):
            list(conn.block_storage.volumes())
        assert len(list(conn.compute.servers())) > 0
        conn.close()
    finally:
        sim.faults.catalog_omit = set()
    conn = openstack.connect(cloud="simcloud")
    assert conn.has_service("image") and len(list(conn.image.images())) > 0
    conn.close()


# -- the tuicloud-sim flags ---------------------------------------------------------------------
def _spawn(*flags: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    return subprocess.Popen([str(TUICLOUD_SIM), "--port", "0", "--servers", "2", "--volumes", "0",
                             "--images", "1", *flags], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _auth_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("http://127.0.0.1:") and line.endswith("/identity/v3"), line
    return line


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return process.returncode, err


def test_tuicloud_sim_flags_reach_the_faults() -> None:
    assert TUICLOUD_SIM.exists(), f"{TUICLOUD_SIM} is not installed (pip install -e .)"
    slow = _spawn("--latency", "0.3", "--token-ttl", "5")
    failing = _spawn("--error-rate", "1.0")
    results: list[Any] = []
    try:
        slow_base = _auth_url(slow).removesuffix("/identity/v3")
        failing_base = _auth_url(failing).removesuffix("/identity/v3")

        # --latency: every service is slowed; --token-ttl: tokens live 5 s; no errors
        for service, (path, _) in PATHS.items():
            response, took = _get(slow_base + path)
            assert response.status_code in (200, 300), (service, response.text)
            assert took >= 0.3, (service, took)
        token = _token(slow_base)
        shown = requests.get(f"{slow_base}/identity/v3/auth/tokens", timeout=10,
                             headers={"X-Auth-Token": token, "X-Subject-Token": token})
        body = shown.json()["token"]
        assert parse_time(body["expires_at"]) - parse_time(body["issued_at"]) == \
            pytest.approx(5.0, abs=0.01)

        # --error-rate 1.0: every request fails, quickly
        for service, (path, _) in PATHS.items():
            response, took = _get(failing_base + path)
            _injected_fault(service, response)
            assert took < 0.3
    finally:
        results = [_stop(slow), _stop(failing)]
    for code, err in results:
        assert code == 0, err
        assert "Traceback" not in err, err
