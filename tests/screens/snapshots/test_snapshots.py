"""SVG snapshots of every view against an in-process simcloud, through the real SDK over HTTP.

The snapshots live in tests/screens/snapshots/__snapshots__/test_snapshots/ and are compared
byte for byte, so
everything that could differ between two runs (or two days) is pinned:

* the wall clock: ``time.time`` is frozen at ``FROZEN_NOW`` for the whole module, so simcloud
  seeds its resources at fixed absolute times ("Created 2025-06-02T08:27:04Z"), ages ("3d")
  are computed against the same instant, and the header reads "updated 0 s ago" (the app,
  simcloud and the SDK share this process). Textual, asyncio, the pollers' stopwatches and
  simcloud's scheduler run on ``time.monotonic``, which keeps running. Tokens get a lifetime
  long enough that keystoneauth (which compares with the real clock) never sees them expire.
* the poll duration ("…, 37 ms"): the only header field measured on the monotonic clock; each
  list snapshot sets it to ``POLL_MS`` on the header after the data has loaded.
* ids, IPs, fingerprints: simcloud derives them from ``SimConfig.seed``.
* the two servers simcloud seeds in BUILD: the module waits until they are ACTIVE.
* name lookups racing the first poll: the view is relabelled once the lookups are in.

Regenerate with ``pytest tests/screens/snapshots/test_snapshots.py --snapshot-update`` and look
at the SVGs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.helpers.app import make_app, wait_until
from tests.helpers.snapshots import (
    SIZES,
    pin_poll_time,
    settle,
)
from tuicloud.app import TuiCloudApp
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.dialogs import HelpScreen
from tuicloud.simcloud import RunningSim

VIEWS = ["servers", "volumes", "images", "flavors", "networks", "keypairs", "secgroups",
         "floating-ips", "routers", "subnets", "ports", "rules"]


def no_blinking_cursor(app: TuiCloudApp) -> None:
    """snap_compare does not stop Input's cursor blink; none may have the focus."""
    assert not isinstance(app.focused, Input), app.focused


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", VIEWS)
def test_view(frozen: RunningSim, snap_compare: Any, view: str, size: tuple[int, int]) -> None:
    """Each resource list, loaded, at a small and a large terminal."""
    app = make_app(view=view)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        pin_poll_time(app)
        no_blinking_cursor(app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["hypervisors", "compute-services"])
def test_operator_view(frozen: RunningSim, snap_compare: Any, view: str,
                       size: tuple[int, int]) -> None:
    """The operator's views, as an admin sees them."""
    app = make_app(view=view, cloud="simcloud-admin")

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        pin_poll_time(app)
        no_blinking_cursor(app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_server_detail(frozen: RunningSim, snap_compare: Any) -> None:
    """The detail view of the first server in the list."""
    app = make_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail")
        await pilot.pause()
        no_blinking_cursor(app)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_why(frozen: RunningSim, snap_compare: Any, size: tuple[int, int]) -> None:
    """`ctrl+w` on the first server: the links of the path, the first fix's command."""
    from tuicloud.screens.why import WhyScreen

    app = make_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        pin_poll_time(app)
        await pilot.press("ctrl+w")
        await wait_until(pilot, lambda: isinstance(app.screen, WhyScreen)
                         and bool(app.screen.links), what="the links")
        await pilot.pause()
        no_blinking_cursor(app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help(frozen: RunningSim, snap_compare: Any) -> None:
    """`?` on the servers view."""
    app = make_app()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, app)
        pin_poll_time(app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        no_blinking_cursor(app)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_files_are_small() -> None:
    """The SVGs are committed: keep them from growing without anyone noticing."""
    folder = Path(__file__).parent / "__snapshots__" / Path(__file__).stem
    if not folder.is_dir():
        pytest.skip("no snapshots yet (run with --snapshot-update)")
    total = sum(os.path.getsize(p) for p in folder.glob("*.svg"))
    assert total < 3_000_000, f"{total} bytes of snapshots"
