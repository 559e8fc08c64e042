"""Shared fixtures: a simcloud per test (or per module) on a free 127.0.0.1 port."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import openstack
import pytest
from hypothesis import settings
from openstack.connection import Connection

from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud

# tests/real drives the real OpenStack rig (`make test-real` sets TUICLOUD_REAL=1); a plain
# `make test` must not need the rig, so it does not collect that folder.
collect_ignore = [] if os.environ.get("TUICLOUD_REAL") else ["real"]

# Property tests draw the same examples on every run: a CI failure is then reproducible
# locally, and a loaded machine cannot turn a random draw into a flaky result.
settings.register_profile("tuicloud", derandomize=True, database=None, deadline=None)
settings.load_profile("tuicloud")


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSim]:
    """A small simcloud with its clouds.yaml in OS_CLIENT_CONFIG_FILE; stopped after the test."""
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=30, volumes=10, images=8, build_delay=0.3,
                                action_delay=0.2), clouds_yaml=clouds) as running:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        monkeypatch.delenv("OS_CLOUD", raising=False)
        yield running


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's settings, state and logs out of the real home directory."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                     ("XDG_CACHE_HOME", "cache"), ("XDG_DATA_HOME", "data")):
        monkeypatch.setenv(var, str(home / sub))
    for var in [v for v in __import__("os").environ if v.startswith("OS_")]:
        monkeypatch.delenv(var, raising=False)


def _sdk_connection(running: RunningSim, monkeypatch: pytest.MonkeyPatch,
                    cloud: str) -> Connection:
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(running.clouds_yaml))
    return openstack.connect(cloud=cloud)


@pytest.fixture
def conn(msim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connection]:
    """The demo user's SDK connection to the module's simcloud (`msim`, defined per module)."""
    connection = _sdk_connection(msim, monkeypatch, "simcloud")
    yield connection
    connection.close()


@pytest.fixture
def admin(msim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connection]:
    """The admin user's SDK connection to the module's simcloud."""
    connection = _sdk_connection(msim, monkeypatch, "simcloud-admin")
    yield connection
    connection.close()
