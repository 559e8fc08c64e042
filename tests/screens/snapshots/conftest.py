"""Fixtures of the snapshot tests: one simcloud per module, seeded and served under the frozen
clock of tests/helpers/snapshots.py."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.helpers.snapshots import CONFIG, FROZEN_NOW, wait_for_builds
from tuicloud.simcloud import Faults, RunningSim, run_simcloud


@pytest.fixture(scope="module")
def frozen_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    """One simcloud for the module, seeded and served under the frozen clock."""
    clouds = tmp_path_factory.mktemp("snapshots") / "clouds.yaml"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: FROZEN_NOW)
        faults = Faults(token_ttl=200 * 365 * 86400.0)
        with run_simcloud(CONFIG, faults, clouds_yaml=clouds) as running:
            patch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
            wait_for_builds()
            yield running


@pytest.fixture
def frozen(frozen_sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> RunningSim:
    """The module's simcloud, its clouds.yaml in OS_CLIENT_CONFIG_FILE for this test."""
    assert frozen_sim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(frozen_sim.clouds_yaml))
    monkeypatch.delenv("NO_COLOR", raising=False)  # read by App(): it would drop every colour
    assert time.time() == FROZEN_NOW
    return frozen_sim


