"""Cloud configuration and error conversion: clouds.yaml, OS_* variables, one CloudError type."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from keystoneauth1 import exceptions as ks_exc

from tuicloud.cloud import config
from tuicloud.cloud.errors import (
    CloudError,
    ConfigError,
    ReadOnlyError,
    ServiceUnavailableError,
    UnreachableError,
    cloud_error_from,
    message_from_body,
    scrub_secrets,
)

CLOUDS = """\
clouds:
  alpha:
    auth:
      auth_url: http://127.0.0.1:9/identity/v3
      username: u
      password: p
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
  beta:
    auth:
      auth_url: https://keystone.example.com/v3
      username: u
      password: p
      project_name: demo
    verify: false
    tuicloud:
      read_only: true
  noauth:
    auth:
      username: u
      password: p
"""


@pytest.fixture
def clouds_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "clouds.yaml"
    path.write_text(CLOUDS)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    return path


def test_cloud_names_come_from_the_file(clouds_file: Path) -> None:
    assert config.cloud_names() == ["alpha", "beta", "noauth"]
    lines = config.describe_config_locations()
    assert any(str(clouds_file) in line and "in use" in line for line in lines)


def test_unknown_cloud_lists_the_known_ones(clouds_file: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load_cloud_region("gamma")
    message = str(caught.value)
    assert "cloud 'gamma' not found" in message
    assert "alpha, beta, noauth" in message
    assert str(clouds_file) in message
    assert "\n" not in message


def test_malformed_yaml_names_file_and_line(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text("clouds:\n  alpha:\n    auth: {auth_url: x\n  beta: [\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    with pytest.raises(ConfigError) as caught:
        config.load_cloud_region("alpha")
    assert str(path) in str(caught.value)
    assert "line" in str(caught.value)
    with pytest.raises(ConfigError):
        config.cloud_names()


def test_missing_auth_url_is_a_config_error(clouds_file: Path) -> None:
    with pytest.raises(ConfigError, match="auth_url"):
        config.load_cloud_region("noauth")


def test_no_cloud_chosen_among_several(clouds_file: Path) -> None:
    with pytest.raises(ConfigError, match="OS_CLOUD"):
        config.load_cloud_region(None)


def test_os_cloud_selects_the_cloud(clouds_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_CLOUD", "alpha")
    region = config.load_cloud_region(None)
    assert region.name == "alpha"
    assert region.region_name == "RegionOne"


def test_envvars_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "absent.yaml"))
    monkeypatch.setenv("OS_AUTH_URL", "http://127.0.0.1:9/identity/v3")
    monkeypatch.setenv("OS_USERNAME", "u")
    monkeypatch.setenv("OS_PASSWORD", "p")
    monkeypatch.setenv("OS_PROJECT_NAME", "demo")
    assert "envvars" in config.cloud_names()
    region = config.load_cloud_region(None)
    assert region.name == "envvars"
    assert region.config["auth"]["auth_url"] == "http://127.0.0.1:9/identity/v3"


def test_nothing_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "absent.yaml"))
    if any(Path(p).exists() for p in config.config_file_candidates()):
        pytest.skip("a clouds.yaml exists on this machine")
    assert config.cloud_names() == []
    with pytest.raises(ConfigError, match="no cloud configured"):
        config.load_cloud_region(None)


def test_unknown_region(clouds_file: Path) -> None:
    with pytest.raises(ConfigError, match="Region"):
        config.load_cloud_region("alpha", "Nowhere")


def test_tuicloud_options(clouds_file: Path) -> None:
    assert config.cloud_options(config.load_cloud_region("beta")).read_only is True
    assert config.cloud_options(config.load_cloud_region("alpha")).read_only is False


# -- errors -----------------------------------------------------------------------------------

def test_cloud_error_formats() -> None:
    error = CloudError("Cannot 'start' instance X while it is in vm_state active", status=409,
                       request_id="req-1234", service="compute")
    assert str(error) == ("409 Conflict: Cannot 'start' instance X while it is in vm_state "
                          "active (req-1234)")
    assert error.short == "409 Conflict"
    assert not error.retryable
    assert CloudError("boom", status=503).short == "503 Service Unavailable"
    assert CloudError("boom", status=503).retryable
    assert ReadOnlyError("read-only mode: refusing to x").short == "read-only"


def test_message_from_every_service_shape() -> None:
    assert message_from_body({"itemNotFound": {"code": 404, "message": "nova says"}}) \
        == "nova says"
    assert message_from_body({"NeutronError": {"type": "X", "message": "neutron says",
                                               "detail": ""}}) == "neutron says"
    assert message_from_body({"code": 404, "title": "Not Found", "message": "glance says"}) \
        == "glance says"
    assert message_from_body({"error": {"code": 401, "message": "keystone says"}}) \
        == "keystone says"
    assert message_from_body(b"not json") is None


def test_connection_errors_read_clearly() -> None:
    refused = ks_exc.ConnectFailure(
        "Unable to establish connection to http://10.0.0.1:5000/v3/auth/tokens: "
        "HTTPConnectionPool(host='10.0.0.1', port=5000): Max retries exceeded "
        "(Caused by NewConnectionError('...: [Errno 111] Connection refused'))")
    error = cloud_error_from(refused)
    assert isinstance(error, UnreachableError)
    assert error.message == "cannot reach http://10.0.0.1:5000/v3/auth/tokens: connection refused"
    tls = ks_exc.SSLError(
        "SSL exception connecting to https://keystone.example.com/v3: "
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
        "(_ssl.c:1006)")
    error = cloud_error_from(tls)
    assert error.message.startswith("TLS verification failed for keystone.example.com: "
                                    "certificate verify failed: self-signed certificate")
    timeout = cloud_error_from(requests.exceptions.ConnectTimeout("timed out"))
    assert isinstance(timeout, UnreachableError)
    missing = cloud_error_from(ks_exc.EndpointNotFound("x"), service="block-storage")
    assert isinstance(missing, ServiceUnavailableError)
    assert missing.message == "the cloud offers no block-storage service"


def test_no_secret_survives() -> None:
    token = "gAAAAABl" + "x" * 80
    error = CloudError(f"Could not find token: {token} for http://user:hunter2@host/v3 "
                       "password=hunter2")
    assert token not in str(error)
    assert "hunter2" not in str(error)
    assert scrub_secrets("my secret value", ["secret value"]) == "my ***"
