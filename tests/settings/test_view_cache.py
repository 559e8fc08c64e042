"""The view cache's files (issue 17): what is kept, what is trusted, and its key.

Rows kept are display rows cut to the fields asked for, at most 1,000 of them and 1 MiB a
file, the folder at most 16 MiB; a file not the user's own, readable by others, corrupt, a
symlink or kept for another view is ignored with a log line. The key comes from clouds.yaml
(read without openstacksdk) and changes when the cloud's entry is edited.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from pathlib import Path

import pytest
from rich.text import Text

from tuicloud.config import view_cache
from tuicloud.config.clouds_guess import guess_scope
from tuicloud.config.settings import load_settings
from tuicloud.config.view_cache import MAX_ROWS, ViewCache, view_cache_dir
from tuicloud.model.freshness import Freshness, describe_freshness

KEY = {"cloud": "prod", "auth_url": "https://keystone.example/v3", "project": "web@Default",
       "region": "RegionOne", "user": "ops@Default", "config": "f" * 64, "kind": "servers",
       "all_projects": False}
FIELDS = ("name", "status", "created_ts")


def rows(count: int, **extra: object) -> list[dict[str, object]]:
    return [{"id": f"id-{i:05d}", "name": f"web-{i}", "status": "ACTIVE",
             "created_ts": 1_700_000_000.0 + i, **extra} for i in range(count)]


def test_rows_come_back_with_only_the_fields_asked_for() -> None:
    cache = ViewCache()
    kept = rows(3, password="hunter2", token="gAAAA-secret", adminPass="x")
    kept[0]["status"] = Text("ERROR", style="red")  # a styled status is kept as its text
    assert cache.save(KEY, kept, FIELDS)
    loaded = cache.load(KEY)
    assert loaded is not None and time.time() - loaded.saved_at < 60
    assert loaded.rows[0] == {"id": "id-00000", "name": "web-0", "status": "ERROR",
                              "created_ts": 1_700_000_000.0}
    assert [r["id"] for r in loaded.rows] == ["id-00000", "id-00001", "id-00002"]
    text = cache.path_for(KEY).read_text()
    for secret in ("hunter2", "gAAAA-secret", "adminPass", "password"):
        assert secret not in text


def test_files_are_private_and_written_whole() -> None:
    cache = ViewCache()
    cache.save(KEY, rows(5), FIELDS)
    path = cache.path_for(KEY)
    assert path.parent == view_cache_dir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, path.parent.parent):  # views/ and the tuicloud cache dir
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_at_most_a_thousand_rows_and_a_mebibyte_a_view() -> None:
    cache = ViewCache()
    cache.save(KEY, rows(1500), FIELDS)
    loaded = cache.load(KEY)
    assert loaded is not None and len(loaded.rows) == MAX_ROWS
    assert loaded.rows[0]["id"] == "id-00000"  # the first ones (the cloud's order) stay
    cache.save(KEY, rows(1000, name="n" * 3000), FIELDS)
    size = cache.path_for(KEY).stat().st_size
    assert size <= view_cache.MAX_FILE_BYTES
    loaded = cache.load(KEY)
    assert loaded is not None and 0 < len(loaded.rows) < 1000


def test_the_oldest_views_go_when_the_folder_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(view_cache, "MAX_FOLDER_BYTES", 30_000)
    cache = ViewCache()
    keys = [{**KEY, "kind": f"kind-{i}"} for i in range(6)]
    for number, key in enumerate(keys):
        cache.save(key, rows(100), FIELDS)  # about 8 KB each
        os.utime(cache.path_for(key), (1_000_000 + number, 1_000_000 + number))
    left = [key["kind"] for key in keys if cache.path_for(key).exists()]
    assert left and left == [key["kind"] for key in keys[-len(left):]]  # the newest stay
    assert len(left) < 6
    assert sum(p.stat().st_size for p in view_cache_dir().iterdir()) <= 30_000


def test_a_corrupt_file_is_ignored_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    cache = ViewCache()
    cache.save(KEY, rows(2), FIELDS)
    path = cache.path_for(KEY)
    for garbage in (b"{not json", b"\xff\xfe\x00", b"[]", b'{"version": 1}',
                    json.dumps({"version": 1, "key": KEY, "saved_at": 1.0,
                                "rows": [{"name": "no id"}]}).encode()):
        path.write_bytes(garbage)
        with caplog.at_level(logging.WARNING, logger="tuicloud.cache"):
            assert cache.load(KEY) is None
        assert "ignoring the cached view" in caplog.text
        caplog.clear()


def test_a_file_others_can_read_is_ignored(caplog: pytest.LogCaptureFixture) -> None:
    cache = ViewCache()
    cache.save(KEY, rows(2), FIELDS)
    path = cache.path_for(KEY)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="tuicloud.cache"):
        assert cache.load(KEY) is None
    assert "lets others read" in caplog.text
    path.chmod(0o600)
    assert cache.load(KEY) is not None
    view_cache_dir().chmod(0o755)  # the folder too
    assert cache.load(KEY) is None
    cache.save(KEY, rows(2), FIELDS)  # a write narrows it again
    assert stat.S_IMODE(view_cache_dir().stat().st_mode) == 0o700
    assert cache.load(KEY) is not None


def test_a_file_owned_by_someone_else_is_ignored(monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    cache = ViewCache()
    cache.save(KEY, rows(2), FIELDS)
    path = cache.path_for(KEY)
    if os.getuid() == 0:
        os.chown(path, 65534, -1)  # really another user's
    else:
        real = os.getuid()
        folder_uid = view_cache_dir().stat().st_uid
        assert folder_uid == real
        monkeypatch.setattr(os, "getuid", lambda: real + 1)
        monkeypatch.setattr(os, "lstat", _owned_by(real + 1, os.lstat))  # the folder ours
    with caplog.at_level(logging.WARNING, logger="tuicloud.cache"):
        assert cache.load(KEY) is None
    assert "owned by uid" in caplog.text


def _owned_by(uid: int, lstat: object) -> object:
    def fake(path: object) -> os.stat_result:
        info = lstat(path)  # type: ignore[operator]
        values = list(info)
        values[stat.ST_UID] = uid
        return os.stat_result(values)
    return fake


def test_a_symlink_or_a_file_of_another_view_is_ignored(tmp_path: Path) -> None:
    cache = ViewCache()
    other = {**KEY, "project": "billing@Default"}
    cache.save(other, rows(2), FIELDS)
    path = cache.path_for(KEY)
    path.write_bytes(cache.path_for(other).read_bytes())  # copied under this view's name
    path.chmod(0o600)
    assert cache.load(KEY) is None
    path.unlink()
    path.symlink_to(cache.path_for(other))
    assert cache.load(KEY) is None
    assert cache.load(other) is not None


def test_no_cache_folder_is_no_rows() -> None:
    assert ViewCache().load(KEY) is None
    assert not view_cache_dir().exists()


# -- the scope, from clouds.yaml -------------------------------------------------------------
CLOUDS = """\
clouds:
  prod:
    auth:
      auth_url: https://keystone.example/v3
      username: ops
      password: Secr3t-Passw0rd
      project_name: web
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
  other:
    auth:
      auth_url: https://keystone.example/v3
      username: ops
      password: Secr3t-Passw0rd
      project_name: web
"""


def test_the_scope_names_the_cloud_project_region_and_user(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(CLOUDS)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    scope = guess_scope("prod")
    assert scope is not None
    assert (scope.cloud, scope.auth_url, scope.project, scope.region, scope.user) == (
        "prod", "https://keystone.example/v3", "web@Default", "RegionOne", "ops@Default")
    assert "Secr3t" not in json.dumps(scope.key("servers", False))
    assert guess_scope("prod") == scope  # the same file: the same scope
    # another project or region (switched to, or from --os-project-name): another scope
    assert guess_scope("prod", project="billing") != scope
    assert guess_scope("prod", region="RegionTwo") != scope
    assert guess_scope("other") is not None and guess_scope("other") != scope
    assert scope.key("servers", False) != scope.key("servers", True)
    assert scope.key("servers", False) != scope.key("volumes", False)
    # an edited entry is another scope, even where the fields above stay the same
    clouds.write_text(CLOUDS.replace("    region_name: RegionOne\n",
                                     "    region_name: RegionOne\n    interface: internal\n"))
    assert guess_scope("prod") != scope
    # the password is no part of it (the fingerprint names a file on disk)
    clouds.write_text(CLOUDS.replace("Secr3t-Passw0rd", "0ther-Passw0rd"))
    assert guess_scope("prod") == scope


def test_no_scope_without_a_clouds_yaml_entry(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    clouds = tmp_path / "clouds.yaml"
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    monkeypatch.chdir(tmp_path)
    assert guess_scope("prod") is None  # no file
    clouds.write_text("clouds: [not, a, mapping")
    assert guess_scope("prod") is None  # not YAML
    clouds.write_text(CLOUDS)
    assert guess_scope("envvars") is None
    assert guess_scope("unknown") is None


# -- the setting, and the header ---------------------------------------------------------------
@pytest.mark.parametrize(("text", "on", "problem"), [
    ("", True, None),
    ("cache = true\n", True, None),
    ("cache = false\n", False, None),
    ('cache = "no"\n', False, "must be true or false; the view cache is off until fixed"),
    ("cache = 0\n", False, "must be true or false"),
    ("cache = false\n[broken\n", False, "the view cache is off until the file is fixed"),
    ("cache = true\n[broken\n", True, None),
])
def test_the_cache_setting_fails_closed(tmp_path: Path, text: str, on: bool,
                                        problem: str | None) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    settings = load_settings(path)
    assert settings.cache is on
    cache_problems = [str(p) for p in settings.problems if p.key == "cache"]
    if problem is None:
        assert cache_problems == []
    else:
        assert len(cache_problems) == 1 and problem in cache_problems[0]


def test_the_header_says_the_rows_are_cached() -> None:
    at = time.mktime((2026, 1, 2, 12, 4, 31, 0, 0, -1))
    assert describe_freshness(Freshness("connecting", cached_at=at)) == (
        "cached, from 12:04:31 · connecting…")
    assert describe_freshness(Freshness("loading", count=3, cached_at=at)) == (
        "cached, from 12:04:31 · loading…")
    assert describe_freshness(Freshness("unavailable", error="not connected", cached_at=at)) \
        == "cached, from 12:04:31 · not connected"
    assert "cached" not in describe_freshness(Freshness("fresh", updated_at=time.time()))
