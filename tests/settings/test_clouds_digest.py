"""The clouds.yaml digest (issue 17): a start finds the clouds' names and the view cache's scope
without importing PyYAML (12 ms before the first frame) once the file was read; an edited,
replaced or just-written file is read again, the digest holds no secret and is trusted only
when it is the user's own and private."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tuicloud.config import clouds_guess
from tuicloud.config.clouds_guess import digest_path, guess_scope, plain_cloud_names

ROOT = Path(__file__).resolve().parents[2]
CLOUDS = """\
clouds:
  prod:
    region_name: RegionOne
    auth:
      auth_url: https://keystone.example/v3
      username: ops
      password: Secr3t-Passw0rd
      project_name: web
  other:
    auth:
      auth_url: https://other.example/v3
      token: gAAAAsecrettokenvalue
"""
AN_HOUR_AGO = time.time() - 3600


@pytest.fixture
def clouds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "clouds.yaml"
    path.write_text(CLOUDS)
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))  # not changed just now: the digest is trusted
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    monkeypatch.chdir(tmp_path)
    return path


def fresh_start() -> tuple[list[str] | None, dict[str, object] | None, bool]:
    """(cloud names, prod's scope key, PyYAML imported) in a new interpreter, as at start."""
    code = ("import json, sys\n"
            "from tuicloud.config.clouds_guess import guess_scope, plain_cloud_names\n"
            "scope = guess_scope('prod')\n"
            "print(json.dumps([plain_cloud_names(), scope and scope.key('servers', False),"
            " 'yaml' in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    names, key, yaml = json.loads(done.stdout.strip().splitlines()[-1])
    return names, key, yaml


def test_a_second_start_reads_the_digest_without_pyyaml(clouds: Path) -> None:
    names, key, yaml = fresh_start()
    assert (names, yaml) == (["prod", "other"], True)  # the first start reads the file
    assert key == {**guess_scope("prod").key("servers", False)}  # type: ignore[union-attr]
    assert fresh_start() == (names, key, False)


def test_the_digest_is_private_and_holds_no_secret(clouds: Path) -> None:
    assert plain_cloud_names() == ["prod", "other"]
    text = digest_path().read_text()
    for secret in ("Secr3t-Passw0rd", "gAAAAsecrettokenvalue", "password", "token"):
        assert secret not in text
    assert stat.S_IMODE(digest_path().stat().st_mode) == 0o600


def test_an_edited_file_is_read_again(clouds: Path) -> None:
    scope = guess_scope("prod")
    # The same size, another region: only the file's times (and content) tell.
    clouds.write_text(CLOUDS.replace("RegionOne", "RegionTwo"))
    os.utime(clouds, (AN_HOUR_AGO + 60, AN_HOUR_AGO + 60))
    edited = guess_scope("prod")
    assert scope is not None and edited is not None
    assert (scope.region, edited.region) == ("RegionOne", "RegionTwo")
    _, key, yaml = fresh_start()
    assert (key, yaml) == (edited.key("servers", False), False)  # digested again


def test_a_file_changed_just_before_it_was_digested_is_read_again(clouds: Path) -> None:
    """Within the file system's clock tick, a second edit of the same size keeps the times:
    a digest made less than RACY_SECONDS after the change is not trusted (as git does)."""
    clouds.write_text(CLOUDS)  # changed now
    assert fresh_start()[2] is True
    assert fresh_start()[2] is True  # digested again, still racily: read again
    os.utime(clouds, (AN_HOUR_AGO, AN_HOUR_AGO))
    fresh_start()
    assert fresh_start()[2] is False


@pytest.mark.parametrize("spoil", ["mode", "corrupt", "symlink", "another file"])
def test_a_digest_not_to_be_trusted_is_ignored(clouds: Path, tmp_path: Path, spoil: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    names, key, _ = fresh_start()
    digest = digest_path()
    if spoil == "mode":
        digest.chmod(0o644)
    elif spoil == "corrupt":
        digest.write_text("{not json")
    elif spoil == "symlink":
        target = tmp_path / "elsewhere.json"
        target.write_bytes(digest.read_bytes())
        target.chmod(0o600)
        digest.unlink()
        digest.symlink_to(target)
    else:
        moved = tmp_path / "moved.yaml"
        moved.write_text(CLOUDS.replace("RegionOne", "RegionTwo"))
        os.utime(moved, (AN_HOUR_AGO, AN_HOUR_AGO))
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(moved))
        scope = guess_scope("prod")
        assert scope is not None and scope.region == "RegionTwo"
        return
    again = fresh_start()
    assert again[:2] == (names, key) and again[2] is True


def test_yaml_that_json_cannot_hold_exactly_is_never_digested(clouds: Path) -> None:
    """A date (YAML reads it as one) would come back from JSON as text: such a file is read
    at every start, so the scope never depends on where it was read from."""
    clouds.write_text(CLOUDS.replace("project_name: web", "project_name: 2024-01-01"))
    os.utime(clouds, (AN_HOUR_AGO, AN_HOUR_AGO))
    scope = guess_scope("prod")
    assert scope is not None and scope.project == ""  # not text: as before the digest
    assert not digest_path().exists()
    assert fresh_start()[2] is True


def test_the_digest_gives_what_the_file_gives(clouds: Path) -> None:
    from_file = (plain_cloud_names(), guess_scope("prod"), guess_scope("other"),
                 guess_scope("prod", project="billing", region="RegionTwo"))
    assert digest_path().exists()
    assert clouds_guess._digested(clouds_guess._identity(clouds) or {}) is not None
    assert (plain_cloud_names(), guess_scope("prod"), guess_scope("other"),
            guess_scope("prod", project="billing", region="RegionTwo")) == from_file


@pytest.mark.parametrize("cache", [True, False])
def test_the_cache_setting_turns_the_digest_off(clouds: Path, cache: bool) -> None:
    """``cache = false`` keeps nothing of clouds.yaml either: `tuicloud` checks the cloud it
    is asked for (an unknown one: it exits before the screen opens) without a digest."""
    from tuicloud.cli import main
    from tuicloud.config.settings import settings_path

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(f"cache = {'true' if cache else 'false'}\n")
    assert main(["--os-cloud", "nowhere"]) == 2
    assert digest_path().exists() is cache
    if not cache:  # nor is one kept from before read
        plain_cloud_names()
        assert digest_path().exists()
        digest_path().write_text(digest_path().read_text().replace('"prod"', '"stale"'))
        assert plain_cloud_names(digest=False) == ["prod", "other"]
