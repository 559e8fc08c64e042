"""HTTPS: simcloud with a certificate from a private CA, and what tuicloud makes of it.

Certificates are verified by default (an untrusted one is a clear one-line error and exit 1);
``cacert:`` in clouds.yaml is honoured; ``verify: false`` / ``insecure: true`` connect and the
header warns "TLS NOT VERIFIED".
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.helpers.app import list_screen, loaded, make_app, shown, wait_exit
from tests.helpers.tls import CertFiles, make_certs
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud
from tuicloud.widgets.status_header import StatusHeader

TUICLOUD_SIM = Path(sys.executable).parent / "tuicloud-sim"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertFiles:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def tls_sim(tmp_path: Path, certs: CertFiles) -> Iterator[RunningSim]:
    with run_simcloud(SimConfig(servers=5, volumes=2, images=2), tls=certs.tls,
                      clouds_yaml=tmp_path / "clouds.yaml") as running:
        yield running


def use_clouds_yaml(sim: RunningSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    **extra: Any) -> None:
    """Point OS_CLIENT_CONFIG_FILE at the sim's clouds.yaml with ``extra`` keys on `simcloud`."""
    assert sim.clouds_yaml is not None
    data = yaml.safe_load(sim.clouds_yaml.read_text())
    data["clouds"]["simcloud"].update(extra)
    path = tmp_path / "tls-clouds.yaml"
    path.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))


def test_simcloud_serves_https_and_its_catalog_says_so(tls_sim: RunningSim,
                                                       certs: CertFiles) -> None:
    assert tls_sim.auth_url.startswith("https://127.0.0.1:")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_sim.auth_url, timeout=10)
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "demo", "domain": {"name": "Default"}, "password": "simcloud-demo-pass"}}},
        "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}
    answer = requests.post(f"{tls_sim.auth_url}/auth/tokens", json=body, timeout=10,
                           verify=str(certs.ca))
    assert answer.status_code == 201
    urls = [endpoint["url"] for entry in answer.json()["token"]["catalog"]
            for endpoint in entry["endpoints"]]
    assert urls and all(url.startswith("https://127.0.0.1:") for url in urls)
    # Down and up again: still HTTPS on the same port.
    tls_sim.set_down(True)
    tls_sim.set_down(False)
    assert requests.get(tls_sim.auth_url, timeout=10, verify=str(certs.ca)).status_code == 200


async def test_an_untrusted_certificate_is_one_clear_line_and_exit_1(
        tls_sim: RunningSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_clouds_yaml(tls_sim, tmp_path, monkeypatch)  # verification on, our CA unknown
    app = make_app()
    async with app.run_test(size=(100, 30)):
        await wait_exit(app)
    assert app.return_code == 1
    error = app.fatal_error or ""
    port = tls_sim.server.port
    assert error.startswith(f"TLS verification failed for 127.0.0.1:{port}: "), error
    assert "certificate verify failed" in error
    assert "\n" not in error and "Traceback" not in error and len(error) < 200
    # Nothing got past the handshake: no token was issued.
    assert not tls_sim.cloud.tokens


async def test_cacert_in_clouds_yaml_is_honoured(tls_sim: RunningSim, certs: CertFiles,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    use_clouds_yaml(tls_sim, tmp_path, monkeypatch, cacert=str(certs.ca))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        grid = await loaded(pilot, app)
        assert grid.row_count > 0
        assert app.session is not None and not app.session.insecure
        assert "TLS NOT VERIFIED" not in await shown(pilot, app, "Servers", "updated ")


@pytest.mark.parametrize("setting", [{"verify": False}, {"insecure": True}],
                         ids=["verify-false", "insecure-true"])
async def test_unverified_tls_works_and_the_header_warns(
        tls_sim: RunningSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        setting: dict[str, bool]) -> None:
    use_clouds_yaml(tls_sim, tmp_path, monkeypatch, **setting)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        grid = await loaded(pilot, app)
        assert grid.row_count > 0
        assert app.session is not None and app.session.insecure
        header = list_screen(app).query_one(StatusHeader)
        assert header.identity is not None and header.identity.insecure
        assert "TLS NOT VERIFIED" in header.render().plain
        await shown(pilot, app, "TLS NOT VERIFIED")


def test_tuicloud_sim_tls_flags(tmp_path: Path, certs: CertFiles) -> None:
    assert TUICLOUD_SIM.exists(), f"{TUICLOUD_SIM} is not installed (pip install -e .)"
    process = subprocess.Popen(
        [str(TUICLOUD_SIM), "--port", "0", "--servers", "1", "--volumes", "0", "--images", "1",
         "--tls-cert", str(certs.cert), "--tls-key", str(certs.key)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("https://127.0.0.1:") and url.endswith("/identity/v3"), url
        assert requests.get(url, timeout=10, verify=str(certs.ca)).status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=10)
    half = subprocess.run([str(TUICLOUD_SIM), "--tls-cert", str(certs.cert)], check=False,
                          capture_output=True, text=True, timeout=30)
    assert half.returncode == 2 and "--tls-cert and --tls-key go together" in half.stderr
    bad_key = tmp_path / "bad.key"
    bad_key.write_text("not a key\n")
    broken = subprocess.run([str(TUICLOUD_SIM), "--tls-cert", str(certs.cert), "--tls-key",
                             str(bad_key)], check=False, capture_output=True, text=True,
                            timeout=30)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert broken.stderr.startswith("tuicloud-sim: cannot use the TLS certificate or key")
