"""simcloud as real clients and raw sockets see it: the CLI commands the other suites leave out,
errors on requests without a token, and the HTTP layer's behaviour on broken requests.

The SDK flows (lifecycle, 2,500-server pagination, image round trip, volumes, console) and most
CLI commands are covered in test_sim_nova.py, test_sim_glance.py and test_sim_cinder.py.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tuicloud.simcloud import RunningSim

OPENSTACK_CLI = Path(sys.executable).parent / "openstack"
NO_TRACEBACK = b"Traceback"


def _token(sim: RunningSim) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "demo", "domain": {"name": "Default"}, "password": "simcloud-demo-pass"}}},
        "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}
    response = requests.post(f"{sim.server.url}/identity/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return str(response.headers["X-Subject-Token"])


def _error_of(body: Any) -> tuple[int, str]:
    """(code, message) of an error document in any of the OpenStack shapes simcloud answers:
    Keystone's/keystonemiddleware's ``{"error": {...}}``, Neutron's ``{"NeutronError": {...}}``,
    Glance's webob document, or Nova/Cinder's ``{"<kind>": {"code", "message"}}``."""
    assert isinstance(body, dict), body
    if "NeutronError" in body:
        error = body["NeutronError"]
        assert error["type"] and "detail" in error, body
        return 0, str(error["message"])
    if "error" in body:
        error = body["error"]
        assert error["title"], body
        return int(error["code"]), str(error["message"])
    if "code" in body and "title" in body:  # Glance's flat document: code "404 Not Found"
        return int(str(body["code"]).split()[0]), str(body["message"])
    (kind,) = body
    return int(body[kind]["code"]), str(body[kind]["message"])


def _check_error(response: requests.Response, status: int) -> str:
    assert response.status_code == status, (response.request.url, response.text)
    if "/image" in str(response.request.url):  # Glance answers HTML unless asked for JSON
        assert response.headers["Content-Type"] == "text/html; charset=UTF-8", response.text
        assert f"<h1>{status} " in response.text
        asked = requests.request(str(response.request.method), str(response.request.url),
                                 headers={**response.request.headers,
                                          "Accept": "application/json"}, timeout=10)
        assert asked.status_code == status and asked.json()["code"].startswith(f"{status} ")
        return str(asked.json()["message"])
    assert response.headers["Content-Type"].startswith("application/json")
    assert "Traceback" not in response.text
    code, message = _error_of(response.json())
    assert code in (0, status), response.text
    assert message
    return message


# -- the openstack CLI: the commands the service suites do not run ----------------------------
def test_cli_token_issue_catalog_list_and_plain_server_list(sim: RunningSim) -> None:
    if not OPENSTACK_CLI.exists():
        pytest.fail(f"{OPENSTACK_CLI} missing: install python-openstackclient")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(sim.clouds_yaml)
    commands = (("token", "issue", "-f", "json"), ("catalog", "list", "-f", "json"),
                ("server", "list"))
    running = [subprocess.Popen([str(OPENSTACK_CLI), "--os-cloud", "simcloud", *args], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for args in commands]  # side by side: each takes ~1 s to start
    results = []
    for args, process in zip(commands, running, strict=True):
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, (args, err)
        assert "Traceback" not in err, (args, err)
        results.append(out)
    issued, catalog, table = results

    token = json.loads(issued)
    assert set(token) >= {"expires", "id", "project_id", "user_id"}
    live = sim.cloud.validate_token(token["id"])
    assert live is not None, "the CLI printed a token simcloud does not know"
    demo = sim.cloud.service("identity").project_by_name("demo")
    assert token["project_id"] == live.project_id == demo.id
    assert token["user_id"] == live.user_id == sim.cloud.service("identity").user_by_name(
        "demo").id
    assert token["expires"].startswith(time.strftime("%Y-", time.gmtime(live.expires_at)))

    services = {entry["Type"]: entry for entry in json.loads(catalog)}
    assert set(services) >= {"identity", "compute", "image", "block-storage", "network"}
    assert services["compute"]["Name"] == "nova"
    endpoints = json.dumps(services["compute"]["Endpoints"])
    assert f"{sim.server.url}/compute/v2.1" in endpoints and "RegionOne" in endpoints
    assert f"{sim.server.url}/image" in json.dumps(services["image"]["Endpoints"])

    header = table.splitlines()[1]
    assert [c.strip() for c in header.strip("|").split("|")] == [
        "ID", "Name", "Status", "Networks", "Image", "Flavor"]
    nova = sim.cloud.service("compute")
    rows = [line for line in table.splitlines()[3:] if line.startswith("| ")]
    assert len(rows) == len(nova.by_project[demo.id].items) > 0
    assert any("| ACTIVE " in row for row in rows)


# -- errors: no token, a bogus token, a malformed token request --------------------------------
PROTECTED = {
    "identity": "/identity/v3/auth/projects",
    "compute": "/compute/v2.1/servers",
    "image": "/image/v2/images",
    "volume": "/volume/v3/volumes",
    "network": "/networking/v2.0/networks",
}


@pytest.mark.parametrize("token", [None, "bogus"], ids=["missing", "unknown"])
def test_every_service_refuses_a_request_without_a_valid_token(sim: RunningSim,
                                                               token: str | None) -> None:
    headers = {} if token is None else {"X-Auth-Token": token}
    for service, path in PROTECTED.items():
        response = requests.get(sim.server.url + path, headers=headers, timeout=10)
        message = _check_error(response, 401)
        assert ("could not verify that you are authorized" if service == "image"
                else "requires authentication") in message, service
        assert response.headers["WWW-Authenticate"] == \
            f'Keystone uri="{sim.server.url}/identity"', service
        assert response.headers["x-openstack-request-id"].startswith("req-")
    # a body sent without a token is drained, so the kept-alive connection stays usable
    with requests.Session() as session:
        refused = session.post(sim.server.url + "/compute/v2.1/servers",
                               json={"server": {"name": "x" * 5000}}, timeout=10)
        _check_error(refused, 401)
        assert session.get(sim.server.url + "/compute", timeout=10).status_code == 200


def test_keystone_errors(sim: RunningSim) -> None:
    url = f"{sim.server.url}/identity/v3/auth/tokens"
    json_type = {"Content-Type": "application/json"}
    assert "Malformed request body" in _check_error(
        requests.post(url, data=b'{"auth": ', headers=json_type, timeout=10), 400)
    _check_error(requests.post(url, json={"auth": {"scope": {}}}, timeout=10), 400)
    wrong = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "demo", "domain": {"name": "Default"}, "password": "nope"}}}}}
    _check_error(requests.post(url, json=wrong, timeout=10), 401)
    token = _token(sim)
    unknown = requests.get(url, headers={"X-Auth-Token": token,
                                         "X-Subject-Token": "gAAAAAnope"}, timeout=10)
    _check_error(unknown, 404)
    body = requests.get(f"{sim.server.url}/identity/v3/projects/nope",
                        headers={"X-Auth-Token": token}, timeout=10)
    assert "Could not find project: nope" in _check_error(body, 404)


# -- HTTP robustness over raw sockets ----------------------------------------------------------
def _exchange(sim: RunningSim, data: bytes, timeout: float = 5.0) -> tuple[bytes, bool]:
    """Send ``data`` on a fresh connection; return what came back and whether the server closed
    the connection (rather than the read timing out)."""
    with socket.create_connection(("127.0.0.1", sim.server.port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            return received, False
    return received, True


def _split(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("iso-8859-1").split("\r\n")
    assert status_line.startswith("HTTP/1."), answer[:200]
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


GARBAGE = [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    b"GET /compute HTTP/one\r\n\r\n",
    b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\x8a\x1f\r\n\r\n",  # a TLS ClientHello
    b"\xff\xfe\x00garbage \x00\x01\r\n\r\n",
]


@pytest.mark.parametrize("request_line", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_request_line_gets_400_and_the_connection_closes(sim: RunningSim,
                                                                 request_line: bytes) -> None:
    answer, closed = _exchange(sim, request_line)
    assert closed, f"connection left open after {request_line!r}: {answer!r}"
    status, headers, body = _split(answer)
    assert status == 400, answer
    assert headers["connection"] == "close"
    assert NO_TRACEBACK not in answer
    assert headers["content-type"].startswith("application/json")
    assert int(headers["content-length"]) == len(body)
    code, message = _error_of(json.loads(body))
    assert code == 400 and message


def test_unsupported_method_and_bad_headers_are_answered_not_dropped(sim: RunningSim) -> None:
    cases = [
        (b"BREW /compute/v2.1/servers HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (b"GET /compute HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        (b"GET /compute HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n", 431),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"POST /compute/v2.1/servers HTTP/1.1\r\nContent-Length: lots\r\n\r\n", 400),
        (b"POST /compute/v2.1/servers HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400),
    ]
    for data, expected in cases:
        answer, closed = _exchange(sim, data)
        assert closed, (data[:60], answer)
        status, headers, body = _split(answer)
        assert status == expected, (data[:60], answer[:300])
        assert NO_TRACEBACK not in answer
        assert headers["content-type"].startswith("application/json"), answer[:300]
        assert _error_of(json.loads(body))[1]
    # and the server still serves
    assert requests.get(sim.server.url + "/compute", timeout=10).status_code == 200


def test_unknown_path_404_and_wrong_method_405(sim: RunningSim) -> None:
    token = _token(sim)
    for path in ("/nope", "/compute/v2.1/nope", "/image/v2/nope", "/volume/v3/nope/deeper",
                 "/networking/v2.0/nope", "/identity/v3/nope", "/%00%ff"):
        response = requests.get(sim.server.url + path, headers={"X-Auth-Token": token},
                                timeout=10)
        _check_error(response, 404)
    for method, path in (("DELETE", "/identity/v3"), ("PUT", "/compute/v2.1/servers"),
                         ("PATCH", "/volume/v3/volumes"), ("POST", "/image/v2/schemas/image"),
                         ("DELETE", "/networking/v2.0/networks")):
        response = requests.request(method, sim.server.url + path,
                                    headers={"X-Auth-Token": token}, timeout=10)
        _check_error(response, 405)
    # the same over a raw socket, on one kept-alive connection
    answer, closed = _exchange(sim, b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                                    b"DELETE /identity/v3 HTTP/1.1\r\nHost: x\r\n"
                                    b"Connection: close\r\n\r\n")
    assert closed and answer.startswith(b"HTTP/1.1 404 ")
    first, second = re.split(rb"(?=HTTP/1\.1 405 )", answer)
    assert json.loads(_split(first)[2])["error"]["code"] == 404
    assert json.loads(_split(second)[2])["error"]["code"] == 405
    assert NO_TRACEBACK not in answer


def test_truncated_body_then_stall_does_not_hang_the_server(sim: RunningSim,
                                                          capfd: pytest.CaptureFixture[str]
                                                          ) -> None:
    """A Content-Length larger than the body, then silence: the server gives up after its
    socket timeout (60 s; 3 s here) and closes, and meanwhile serves everyone else."""
    sim.server._handler.timeout = 3
    token = _token(sim)
    stalled = []
    for path in ("/compute/v2.1/servers", "/volume/v3/volumes", "/networking/v2.0/networks",
                 "/identity/v3/auth/tokens"):
        sock = socket.create_connection(("127.0.0.1", sim.server.port), timeout=10)
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {token}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                     '{"server": {"name": '.encode())
        stalled.append(sock)
    header_stall = socket.create_connection(("127.0.0.1", sim.server.port), timeout=10)
    header_stall.sendall(b"GET /compute HTTP/1.1\r\nHost: x\r\n")  # no blank line
    stalled.append(header_stall)
    started = time.monotonic()
    try:
        time.sleep(0.2)
        # while those wait for the rest of their bodies, the cloud keeps serving (Nova too)
        for path in ("/compute/v2.1/servers", "/volume/v3/volumes"):
            quick = requests.get(sim.server.url + path, headers={"X-Auth-Token": token},
                                 timeout=10)
            assert quick.status_code == 200
            # Served at once, not after the stalled requests time out (3 s later).
            assert quick.elapsed.total_seconds() < 2.0, (path, quick.elapsed)
        for sock in stalled:
            received = b""
            while chunk := sock.recv(65536):  # returns b"" once the server closes
                received += chunk
            assert NO_TRACEBACK not in received
        waited = time.monotonic() - started
        assert 2.5 < waited < 15, waited
    finally:
        for sock in stalled:
            sock.close()
    assert "Traceback" not in capfd.readouterr().err


def test_concurrent_clients_and_client_hangups(sim: RunningSim) -> None:
    """Clients that hang up mid-request or mid-response leave the server serving everyone."""
    token = _token(sim)
    glance = requests.get(f"{sim.server.url}/image/v2/images?limit=100",
                          headers={"X-Auth-Token": token}, timeout=10).json()["images"]
    big = max(glance, key=lambda image: image.get("size") or 0)
    for _ in range(3):  # read a little of a big download and hang up
        with socket.create_connection(("127.0.0.1", sim.server.port), timeout=10) as sock:
            sock.sendall(f"GET /image/v2/images/{big['id']}/file HTTP/1.1\r\nHost: x\r\n"
                         f"X-Auth-Token: {token}\r\n\r\n".encode())
            assert sock.recv(1024).startswith(b"HTTP/1.1 200 ")
    with socket.create_connection(("127.0.0.1", sim.server.port), timeout=10) as sock:
        sock.sendall(b"POST /compute/v2.1/servers HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
    failures: list[Any] = []

    def client() -> None:
        try:
            with requests.Session() as session:
                for _ in range(5):
                    answer = session.get(f"{sim.server.url}/compute/v2.1/servers/detail",
                                         headers={"X-Auth-Token": token}, timeout=10)
                    if answer.status_code != 200 or "Traceback" in answer.text:
                        failures.append(answer.status_code)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []


def test_request_log_holds_each_request_once_its_answer_is_in(sim: RunningSim) -> None:
    """Tests count traffic from ``cloud.request_log`` right after a response: the entry must be
    there by then, with the bytes that were sent (it used to be appended after the last byte)."""
    token = _token(sim)
    log = sim.cloud.request_log
    with requests.Session() as session:
        session.headers["X-Auth-Token"] = token
        for n in range(60):
            path = ("/compute/v2.1/flavors", "/image/v2/images", "/volume/v3/types")[n % 3]
            before = len(log)
            response = session.get(f"{sim.server.url}{path}?n={n}", timeout=10)
            assert len(log) == before + 1, (n, path)
            entry = log[-1]
            assert (entry.method, entry.path, entry.query, entry.status) == (
                "GET", path, f"n={n}", response.status_code)
            assert entry.bytes_out > len(response.content)  # the body and its headers
        head = session.head(f"{sim.server.url}/compute/v2.1/flavors", timeout=10)
        assert log[-1].method == "HEAD" and log[-1].status == head.status_code
