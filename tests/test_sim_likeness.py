"""simcloud behaves as the real services do (issue 11): the checks of tests/likeness.py, which
tests/real/test_sim_likeness_real.py runs against the rig, here against simcloud."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openstack
import pytest
from openstack.connection import Connection

from tests import likeness
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud


@pytest.fixture(scope="module")
def msim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    """One simcloud for the module; quick transitions (tests make their own resources)."""
    clouds = tmp_path_factory.mktemp("likeness") / "clouds.yaml"
    with run_simcloud(SimConfig(servers=6, volumes=4, images=4, build_delay=0.2,
                                action_delay=0.2), clouds_yaml=clouds) as running:
        yield running


@pytest.fixture
def slow_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connection]:
    """The demo user on a simcloud whose actions take 30 s: what must be quick stays quick."""
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=2, volumes=2, images=2, build_delay=0.2,
                                action_delay=30.0), clouds_yaml=clouds) as running:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(running.clouds_yaml))
        connection = openstack.connect(cloud="simcloud")
        yield connection
        connection.close()


def test_deleted_volume_vanishes_at_once(slow_actions: Connection) -> None:
    # The rig takes ~0.15 s; 3 s leaves room for a busy machine, 30 s would be the old model.
    likeness.check_deleted_volume_vanishes(slow_actions, "likeness-gone", within=3.0)


def test_deleted_image_vanishes_at_once(conn: Connection) -> None:
    likeness.check_deleted_image_vanishes(conn, "likeness-image-gone")


def test_glance_errors_html_unless_json(conn: Connection) -> None:
    likeness.check_glance_errors_html_unless_json(conn, "likeness-publicize")
