"""Test helpers (snapshots)."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timezone
from typing import Any

import openstack
from textual.pilot import Pilot

from tests.helpers.app import list_screen, loaded, wait_until
from tuicloud.app import TuiCloudApp
from tuicloud.simcloud import SimConfig
from tuicloud.widgets.status_header import StatusHeader

FROZEN_NOW = datetime(2025, 6, 2, 9, 30, tzinfo=timezone.utc).timestamp()


POLL_MS = 42.0


CONFIG = SimConfig(servers=60, volumes=24, images=10, seed=42, build_delay=0.2,
                   action_delay=0.2)


SIZES = [(80, 24), (160, 50)]


def wait_for_builds(timeout: float = 15.0) -> None:
    """Wait until no server of any project is still building (seen as the admin, over HTTP)."""
    conn = openstack.connect(cloud="simcloud-admin")
    try:
        deadline = time.monotonic() + timeout
        while True:
            servers = conn.compute.get("/servers/detail?all_tenants=1&limit=1000").json()
            busy = [s["name"] for s in servers["servers"]
                    if s["status"] == "BUILD" or s.get("OS-EXT-STS:task_state")]
            if not busy:
                return
            assert time.monotonic() < deadline, f"still building: {busy}"
            time.sleep(0.05)
    finally:
        conn.close()


async def settle(pilot: Pilot[Any], app: TuiCloudApp) -> None:
    """The view's first poll and the name lookups are in, and rows show the names."""
    await loaded(pilot, app)
    await wait_until(pilot, lambda: app.lookups is not None and not any(
        w.group == "connect" and not w.is_finished for w in app.workers), what="lookups")
    await pilot.pause()
    # If the lookups landed while the first poll was still running, the app skipped its
    # relabel and the rows keep short ids: relabel once more (as its 30 s timer would).
    list_screen(app).relabel()
    await app.workers.wait_for_complete()
    await pilot.pause()


def pin_poll_time(app: TuiCloudApp) -> None:
    """The header's "N ms" is measured on the monotonic clock: show a fixed one."""
    header = app.screen.query_one(StatusHeader)
    assert header.freshness.state == "fresh" and header.freshness.elapsed_ms is not None
    header.freshness = dataclasses.replace(header.freshness, elapsed_ms=POLL_MS)
