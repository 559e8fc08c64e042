"""Shared fixtures: a simcloud per test (or per module) on a free 127.0.0.1 port, and every
test's own settings, state, cache and log folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import openstack
import pytest
from hypothesis import settings
from openstack.connection import Connection

from tests.helpers.forms import using_simcloud
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud

# tests/real drives the real OpenStack rig (`make test-real` sets TUICLOUD_REAL=1); a plain
# `make test` must not need the rig, so it does not collect that folder.
collect_ignore = [] if os.environ.get("TUICLOUD_REAL") else ["real"]

# Property tests draw the same examples on every run: a CI failure is then reproducible
# locally, and a loaded machine cannot turn a random draw into a flaky result.
settings.register_profile("tuicloud", derandomize=True, database=None, deadline=None)
settings.load_profile("tuicloud")


SMALL_SIMCLOUD = SimConfig(servers=30, volumes=10, images=8, build_delay=0.3, action_delay=0.2)


@pytest.fixture(scope="module")
def msim(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    """One simcloud for a whole module whose tests each make resources of their own: built
    from the module's ``MODULE_SIMCLOUD`` (a SimConfig), quick builds and actions."""
    config = getattr(request.module, "MODULE_SIMCLOUD", SMALL_SIMCLOUD)
    folder = request.module.__name__.rpartition(".")[2]
    clouds = tmp_path_factory.mktemp(folder) / "clouds.yaml"
    with run_simcloud(config, clouds_yaml=clouds) as running:
        yield running


@pytest.fixture
def sim(request: pytest.FixtureRequest, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSim]:
    """The simcloud of this test, its clouds.yaml in OS_CLIENT_CONFIG_FILE.

    A module that sets ``MODULE_SIMCLOUD`` shares one (``msim``), with the quota overrides of
    its ``QUOTAS_RESET`` service undone after each test; otherwise each test gets its own,
    from the module's ``TEST_SIMCLOUD`` or a small default, stopped after the test."""
    monkeypatch.delenv("OS_CLOUD", raising=False)
    if hasattr(request.module, "MODULE_SIMCLOUD"):
        shared: RunningSim = request.getfixturevalue("msim")
        with using_simcloud(shared, monkeypatch,
                            quotas_of=getattr(request.module, "QUOTAS_RESET", None)) as running:
            yield running
        return
    config = getattr(request.module, "TEST_SIMCLOUD", SMALL_SIMCLOUD)
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(config, clouds_yaml=clouds) as running:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
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
    """The demo user's SDK connection to the module's simcloud (`msim`)."""
    connection = _sdk_connection(msim, monkeypatch, "simcloud")
    yield connection
    connection.close()


@pytest.fixture
def admin(msim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connection]:
    """The admin user's SDK connection to the module's simcloud."""
    connection = _sdk_connection(msim, monkeypatch, "simcloud-admin")
    yield connection
    connection.close()
