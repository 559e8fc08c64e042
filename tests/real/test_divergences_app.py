"""The app-side fixes of issue 11 checked against the real services (`make test-real`):
snapshot without `force` from Cinder 3.66, the in-use upload's reason, Glance's reason for a
403, confirm resize followed past VERIFY_RESIZE, the console's unterminated last line,
`:project` without a role, and the app's Nova input rules agreeing with Nova's own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openstack.connection import Connection

from tests.helpers.app import (
    capture_notifications,
    command,
    connected_to,
    loaded,
    make_app,
    wait_until,
)
from tests.helpers.console import LogApp
from tests.real import rig
from tuicloud.cloud import operations as ops
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.console import ConsoleTail
from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.validation import check_metadata_key, check_server_name
from tuicloud.widgets.log_view import LogView


@pytest.fixture
def session() -> Iterator[CloudSession]:
    """The demo user's app session on the rig (OS_CLIENT_CONFIG_FILE set by the conftest)."""
    with CloudSession.connect("real-demo") as connected:
        yield connected


def _volume(session: CloudSession, name: str) -> dict[str, Any]:
    body, _ = session.request("POST", "block-storage", "/volumes",
                              json={"volume": {"name": name, "size": 1}},
                              description="create volume")
    ident = body["volume"]["id"]
    return dict(rig.wait_for(lambda: _available(session, ident), "volume available"))


def _available(session: CloudSession, ident: str) -> dict[str, Any] | None:
    raw = ops.fetch(session, "volumes", ident)
    assert raw is not None and not str(raw["status"]).startswith("error"), raw
    return raw if raw["status"] == "available" else None


def _settle(session: CloudSession, kind: str, ident: str,
            op: ops.Operation | None = None) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        raw = ops.fetch(session, kind, ident)
        assert raw is not None
        return raw if ops.settled(kind, raw) and ops.reached(op, raw) else None
    return rig.wait_for(check, f"{kind} {ident} settled")  # type: ignore[no-any-return]


def test_snapshot_of_an_available_volume(session: CloudSession, prefix: str) -> None:
    assert session.supports_microversion("block-storage", "3.66")
    raw = _volume(session, prefix + "vol")
    ops.find("volume.snapshot").run(session, raw, prefix + "snap")

    def snapshot() -> dict[str, Any] | None:
        body, _ = session.get_json("block-storage", "/snapshots/detail")
        mine = [s for s in body["snapshots"] if s["volume_id"] == raw["id"]]
        return mine[0] if mine and mine[0]["status"] == "available" else None
    snap = rig.wait_for(snapshot, "snapshot available")
    session.request("DELETE", "block-storage", f"/snapshots/{snap['id']}",
                    description="delete snapshot")


def test_uploading_an_in_use_volume_says_why_cinder_refuses(
        session: CloudSession, prefix: str, server: str) -> None:
    raw = _volume(session, prefix + "att")
    ops.find("volume.attach").run(session, raw, server)
    raw = rig.wait_for(lambda: (found := ops.fetch(session, "volumes", raw["id"]))
                       and found["status"] == "in-use" and found, "volume in-use")
    upload = ops.find("volume.upload_image")
    assert upload.unavailable(raw) is None  # offered: a cloud may enable force uploads
    with pytest.raises(CloudError) as refused:
        upload.run(session, raw, prefix + "img")
    assert "enable_force_upload" in ops.explain(refused.value)
    ops.find("volume.detach").run(session, raw, server)
    _settle(session, "volumes", raw["id"])


def test_publicizing_an_image_shows_glances_reason(session: CloudSession, prefix: str) -> None:
    body, _ = session.request("POST", "image", "/images",
                              json={"name": prefix + "img", "disk_format": "raw",
                                    "container_format": "bare"}, description="create image")
    with pytest.raises(CloudError) as refused:
        ops.find("image.visibility").run(session, body, "public")
    said = ops.explain(refused.value)
    assert refused.value.status == 403
    assert "You are not authorized to complete publicize_image action." in said, said
    assert "<" not in said
    session.request("DELETE", "image", f"/images/{body['id']}", description="delete image")


def test_confirm_resize_is_followed_until_verify_resize_ends(
        session: CloudSession, demo_sdk: Connection, server: str) -> None:
    raw = ops.fetch(session, "servers", server)
    assert raw is not None
    small = demo_sdk.compute.find_flavor("m1.small", ignore_missing=False)
    ops.find("server.resize").run(session, raw, small.id)
    raw = dict(rig.server_status(demo_sdk, server, "VERIFY_RESIZE").to_dict())
    raw = ops.fetch(session, "servers", server)
    assert raw is not None
    confirm = ops.find("server.resize_confirm")
    confirm.run(session, raw, None)
    right_after = ops.fetch(session, "servers", server)
    assert right_after is not None
    settled = _settle(session, "servers", server, confirm)
    assert settled["status"] == "ACTIVE"
    # What misled the app: Nova's 204 leaves VERIFY_RESIZE with no task for a while.
    if right_after["status"] == "VERIFY_RESIZE":
        assert ops.settled("servers", right_after)
        assert not ops.reached(confirm, right_after)


async def test_the_consoles_last_line_without_newline_is_counted(
        session: CloudSession, server: str) -> None:
    update = ConsoleTail().poll(session, server)
    assert update.partial == "LAST LINE" and update.new_lines[-1] == "ANOTHER"
    app = LogApp()
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(LogView)
        view.append_lines(update.new_lines, partial=update.partial)
        await pilot.pause()
        assert view.line_count == len(update.new_lines) + 1
        assert view.search("LAST LINE") == 1


async def test_project_without_a_role_says_so() -> None:
    app = make_app(cloud="real-demo")
    seen = capture_notifications(app)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: app.switcher.projects_listed, timeout=rig.SLOW,
                         what="the user's projects")
        await command(pilot, "project admin")
        await wait_until(pilot, lambda: any("admin" in s for s in seen), what="the refusal")
        said = next(s for s in seen if "admin" in s)
        session = app.session
        assert session is not None and session.project_name
        assert "no role on project admin (yours: " in said, said
        assert session.project_name in said.partition("yours: ")[2], said
        assert connected_to(app, "real-demo", session.project_name)


KEYS = ["role", "a b", "app:tier", "x.y-z_w", "a/b", "a@b", "é", "k" * 256, "emoji😀"]
NAMES = ["web-1", "Ünïcödé ✓", "web 😀", "a\u200eb", " lead", "a\u2028b", "a\x01b"]


def _nova_accepts(session: CloudSession, body: dict[str, Any], path: str, method: str) -> bool:
    """True when Nova's schema lets ``body`` through (the request then fails later, on the
    flavor or server that does not exist)."""
    try:
        session.request(method, "compute", path, json=body, description="schema probe")
    except CloudError as error:
        return not (error.status == 400 and ("Invalid input" in error.message
                                             or "invalid 'name'" in error.message))
    return True


def test_the_apps_nova_rules_agree_with_nova(session: CloudSession) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    for key in KEYS:
        body = {"server": {"name": "probe", "flavorRef": "no-such-flavor", "imageRef": missing,
                           "networks": "none", "metadata": {key: "v"}}}
        assert _nova_accepts(session, body, "/servers", "POST") == (
            check_metadata_key(key) is None), key
    for name in NAMES:
        body = {"server": {"name": name}}
        assert _nova_accepts(session, body, f"/servers/{missing}", "PUT") == (
            check_server_name(name) is None), repr(name)
