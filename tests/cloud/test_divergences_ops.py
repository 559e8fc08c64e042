"""Operations that diverged from the real services (issue 11), against simcloud over HTTP:
volume snapshots without ``force`` from Cinder 3.66 on, and the confirm/revert resize
following that waits for the server to leave VERIFY_RESIZE."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tuicloud.cloud import connection
from tuicloud.cloud import operations as ops
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.operations import volumes
from tuicloud.simcloud import RunningSim, SimConfig

# One simcloud for the module (tests pick different resources).
MODULE_SIMCLOUD = SimConfig(servers=10, volumes=10, images=4, build_delay=0.2,
                            action_delay=0.1)


@pytest.fixture
def session(msim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudSession]:
    """The demo user's session."""
    assert msim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(msim.clouds_yaml))
    with CloudSession.connect("simcloud") as connected:
        yield connected


def _available_volume(session: CloudSession) -> dict[str, Any]:
    body, _ = session.get_json("block-storage", "/volumes/detail", {"status": "available"})
    return dict(body["volumes"][0])


def _snapshots_of(session: CloudSession, volume_id: str) -> list[dict[str, Any]]:
    body, _ = session.get_json("block-storage", "/snapshots/detail")
    return [s for s in body["snapshots"] if s["volume_id"] == volume_id]


def _wait_snapshot(session: CloudSession, volume_id: str, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        found = [s for s in _snapshots_of(session, volume_id) if s["name"] == name]
        if found and found[0]["status"] == "available":
            return found[0]
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


def test_snapshot_of_an_available_volume_at_3_66_or_later(session: CloudSession) -> None:
    assert session.supports_microversion("block-storage", "3.66")
    raw = _available_volume(session)
    ops.find("volume.snapshot").run(session, raw, "div-snap-available")
    snap = _wait_snapshot(session, raw["id"], "div-snap-available")
    assert "force" not in volumes.snapshot_body(session, raw, "s")["snapshot"]
    session.request("DELETE", "block-storage", f"/snapshots/{snap['id']}",
                    description="delete snapshot")


def test_snapshot_before_3_66_still_sends_force(msim: RunningSim,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert msim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(msim.clouds_yaml))
    monkeypatch.setitem(connection.MICROVERSION_TARGETS, "block-storage", "3.65")
    with CloudSession.connect("simcloud") as old:
        assert old.microversion("block-storage") == "3.65"
        raw = _available_volume(old)
        assert volumes.snapshot_body(old, raw, "s")["snapshot"]["force"] is False
        in_use = dict(raw, status="in-use")
        assert volumes.snapshot_body(old, in_use, "s")["snapshot"]["force"] is True
        ops.find("volume.snapshot").run(old, raw, "div-snap-365")
        snap = _wait_snapshot(old, raw["id"], "div-snap-365")
        old.request("DELETE", "block-storage", f"/snapshots/{snap['id']}",
                    description="delete snapshot")
