"""The installed `tuicloud` and `tuicloud-sim` commands, run as a user would run them.

Each command runs as a subprocess with a controlled environment: no inherited OS_* variables,
XDG directories and HOME under tmp_path, the working directory an empty folder (openstacksdk
also reads ./clouds.yaml), stdin not a terminal. Every failure must be one clear line on stderr,
never a traceback.
"""

from __future__ import annotations

import json
import os
import select
import signal
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from tuicloud import __version__

BIN = Path(sys.executable).parent
TUICLOUD = BIN / "tuicloud"
TUICLOUD_SIM = BIN / "tuicloud-sim"
TIMEOUT = 60  # seconds; a case that opens the app instead of failing would hang until then

CLOUDS_YAML = """\
clouds:
  alpha:
    auth:
      auth_url: http://127.0.0.1:9/identity/v3
      username: demo
      password: secret
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
  beta:
    auth:
      auth_url: http://127.0.0.1:9/identity/v3
      username: admin
      password: secret
      project_name: admin
"""

MALFORMED_YAML = """\
clouds:
  alpha:
    auth: {auth_url: http://127.0.0.1:9/v3, username: demo
  beta: [unclosed
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment with nothing of the caller's cloud configuration in it."""
    home = tmp_path / "cli-home"
    home.mkdir()
    keep = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT", "TMPDIR")
    environment = {key: os.environ[key] for key in keep if key in os.environ}
    environment.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return environment


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


def run(command: Path, args: list[str], env: dict[str, str],
        cwd: Path) -> subprocess.CompletedProcess[str]:
    assert command.exists(), f"{command} is not installed (pip install -e .)"
    return subprocess.run([str(command), *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


def one_error_line(result: subprocess.CompletedProcess[str], prefix: str = "tuicloud: ") -> str:
    """The failure's single stderr line (asserting there is exactly one, and no traceback)."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix), lines[0]
    return lines[0]


def argparse_error_line(result: subprocess.CompletedProcess[str], prog: str) -> str:
    """argparse prints its usage, then one "prog: error: ..." line, and exits 2."""
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"usage: {prog}")
    errors = [line for line in result.stderr.splitlines() if line.startswith(f"{prog}: ")]
    assert len(errors) == 1 and errors[0].startswith(f"{prog}: error: "), result.stderr
    assert result.stderr.rstrip("\n").endswith(errors[0])
    return errors[0]


def test_version(env: dict[str, str], workdir: Path) -> None:
    result = run(TUICLOUD, ["--version"], env, workdir)
    assert result.returncode == 0
    assert result.stdout.strip() == f"tuicloud {__version__}"
    assert result.stderr == ""


@pytest.mark.parametrize("how", ["flag", "OS_CLOUD"])
def test_unknown_cloud_names_it_and_the_known_ones(env: dict[str, str], workdir: Path,
                                                   tmp_path: Path, how: str) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(CLOUDS_YAML)
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    if how == "flag":
        args = ["--os-cloud", "nosuch"]
    else:
        args, env["OS_CLOUD"] = [], "nosuch"
    line = one_error_line(run(TUICLOUD, args, env, workdir))
    assert "'nosuch'" in line and "not found" in line
    assert "alpha" in line and "beta" in line


def test_a_missing_os_client_config_file_is_not_silently_replaced(
        env: dict[str, str], workdir: Path, tmp_path: Path) -> None:
    """Issue 13: openstacksdk would quietly read ./clouds.yaml instead of the file named."""
    (workdir / "clouds.yaml").write_text(CLOUDS_YAML)  # what would be read instead
    missing = tmp_path / "gone" / "clouds.yaml"
    env["OS_CLIENT_CONFIG_FILE"] = str(missing)
    line = one_error_line(run(TUICLOUD, ["--os-cloud", "alpha"], env, workdir))
    assert f"OS_CLIENT_CONFIG_FILE={missing}: no such file" in line


@pytest.mark.parametrize("args", [["--os-cloud", "alpha"], []], ids=["cloud", "no-cloud"])
def test_malformed_clouds_yaml_names_the_file(env: dict[str, str], workdir: Path,
                                              tmp_path: Path, args: list[str]) -> None:
    clouds = tmp_path / "broken" / "clouds.yaml"
    clouds.parent.mkdir()
    clouds.write_text(MALFORMED_YAML)
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    line = one_error_line(run(TUICLOUD, args, env, workdir))
    assert str(clouds) in line
    assert "YAML" in line and "line " in line


@pytest.mark.parametrize(("value", "reason"), [
    ("0", "between 0.5 and 3600"),
    ("abc", "'abc' is not a number"),
])
def test_bad_refresh_is_an_argparse_error(env: dict[str, str], workdir: Path, value: str,
                                          reason: str) -> None:
    line = argparse_error_line(run(TUICLOUD, ["--refresh", value], env, workdir), "tuicloud")
    assert "--refresh" in line and reason in line


def test_unknown_view(env: dict[str, str], workdir: Path, tmp_path: Path) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(CLOUDS_YAML)
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    line = one_error_line(run(TUICLOUD, ["--os-cloud", "alpha", "--view", "bogus"], env,
                              workdir))
    assert "'bogus'" in line
    assert "servers" in line  # the known views are listed


# -- tuicloud-sim ----------------------------------------------------------------------------


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, f"no output within {timeout} s"
    return process.stdout.readline()


def test_sim_serves_and_stops_on_sigterm(env: dict[str, str], workdir: Path,
                                         tmp_path: Path) -> None:
    clouds = tmp_path / "sim" / "clouds.yaml"
    assert TUICLOUD_SIM.exists(), f"{TUICLOUD_SIM} is not installed (pip install -e .)"
    process = subprocess.Popen(
        [str(TUICLOUD_SIM), "--port", "0", "--servers", "5", "--clouds-yaml", str(clouds)],
        env=env, cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        auth_url = read_line(process, TIMEOUT).strip()
        assert auth_url.startswith("http://127.0.0.1:"), auth_url

        assert stat.S_IMODE(clouds.stat().st_mode) == 0o600
        config = yaml.safe_load(clouds.read_text())
        assert set(config["clouds"]) == {"simcloud", "simcloud-admin"}
        for cloud in config["clouds"].values():
            assert cloud["auth"]["auth_url"] == auth_url

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxies
        with opener.open(auth_url, timeout=TIMEOUT) as response:
            assert response.status == 200
            document = json.load(response)
        assert document["version"]["id"].startswith("v3")
        assert document["version"]["status"] == "stable"

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=TIMEOUT) == 0
        assert process.stderr is not None
        stderr = process.stderr.read()
        assert "Traceback" not in stderr, stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.parametrize("args", [
    ["--servers", "-1"],
    ["--servers", "abc"],
    ["--error-rate", "2"],
])
def test_sim_bad_flag_exits_2(env: dict[str, str], workdir: Path, args: list[str]) -> None:
    line = argparse_error_line(run(TUICLOUD_SIM, args, env, workdir), "tuicloud-sim")
    assert args[0] in line
