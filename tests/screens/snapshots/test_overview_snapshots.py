"""SVG snapshots of the overview at 80x24 and 160x50, pinned as in test_snapshots.py beside it:
a frozen wall clock for simcloud's seed, the ages and the header; a fixed poll duration; the
seeded builds finished first. Regenerate with ``--snapshot-update`` and look at the SVGs."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.helpers.app import make_app, wait_until
from tests.helpers.snapshots import CONFIG, FROZEN_NOW, POLL_MS, SIZES, wait_for_builds
from tuicloud.app import TuiCloudApp
from tuicloud.screens.overview import OverviewScreen
from tuicloud.simcloud import Faults, RunningSim, run_simcloud
from tuicloud.widgets.status_header import StatusHeader


@pytest.fixture(scope="module")
def frozen_overview_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    """One simcloud for the module, seeded and served under the frozen clock."""
    clouds = tmp_path_factory.mktemp("overview-snapshots") / "clouds.yaml"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: FROZEN_NOW)
        faults = Faults(token_ttl=200 * 365 * 86400.0)
        with run_simcloud(CONFIG, faults, clouds_yaml=clouds) as running:
            patch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
            wait_for_builds()
            yield running


@pytest.fixture
def frozen(frozen_overview_sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> RunningSim:
    assert frozen_overview_sim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(frozen_overview_sim.clouds_yaml))
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert time.time() == FROZEN_NOW
    return frozen_overview_sim


async def settle(pilot: Pilot[Any], app: TuiCloudApp) -> None:
    """The first refresh is in and the first line has the focus; the poll time is pinned."""
    await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen)
                     and app.screen.data is not None and app.screen.freshness.state == "fresh"
                     and app.focused is not None, what="overview")
    await app.workers.wait_for_complete()
    await pilot.pause()
    header = app.screen.query_one(StatusHeader)
    header.freshness = dataclasses.replace(header.freshness, elapsed_ms=POLL_MS)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview(frozen: RunningSim, snap_compare: Any, size: tuple[int, int]) -> None:
    """The overview, loaded, at a small and a large terminal."""
    app = make_app(view="overview")

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
