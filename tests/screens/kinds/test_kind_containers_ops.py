"""Issue 15, container actions: `c` creates a container (private or public, the command shown
live; an existing one is not touched), ctrl+d deletes an empty one after a confirmation, a
non-empty one only after a confirmation naming its object count and bytes (its objects first);
--read-only refuses both in the cloud layer."""

from __future__ import annotations

import openstack
import pytest

from tests.helpers.app import loaded, make_app, notes, screen_text, shown, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import writes
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError, ReadOnlyError
from tuicloud.cloud.kinds.base import format_bytes
from tuicloud.cloud.operations.containers import (
    ContainerSpec,
    create_container,
    delete_container,
    validate_container_name,
)
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_container import CreateContainerForm
from tuicloud.simcloud import RunningSim


def _account(sim: RunningSim) -> object:
    demo = sim.cloud.service("identity").project_by_name("demo")
    return sim.cloud.service("object-store").accounts[f"AUTH_{demo.id}"]


def test_container_names_as_swift_takes_them() -> None:
    assert validate_container_name("") == "a name is required"
    assert "/" in str(validate_container_name("a/b"))
    assert validate_container_name("x" * 257) == "at most 256 bytes"
    assert validate_container_name("é" * 129) == "at most 256 bytes"
    assert validate_container_name("ok\x1b[2J") == "no control characters"
    assert validate_container_name("backups-2026") is None


async def test_create_a_public_container_from_the_form(sim: RunningSim) -> None:
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateContainerForm),
                         what="form")
        screen = form(app)
        set_field(screen, "name", "bad/name")
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "/" in field_error(screen, "name"), what="refused")
        assert writes(sim, start) == []
        set_field(screen, "name", "site")
        set_field(screen, "access", "public")
        await settle(pilot)
        await wait_until(pilot, lambda: "openstack container create --public site"
                         in screen_text(app), what="the command")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Created container site" in notes(app), what="created")
        container = _account(sim).containers["site"]  # type: ignore[attr-defined]
        assert container.read_acl == ".r:*,.rlistings"
        grid = app.screen.query_one("ResourceTable")
        await wait_until(pilot, lambda: grid.get_row("site") is not None, what="its row")  # type: ignore[attr-defined]


def test_an_existing_container_is_not_changed(sim: RunningSim) -> None:
    with CloudSession.connect("simcloud") as session:
        with pytest.raises(CloudError, match="exists already"):
            create_container(session, ContainerSpec("public-assets", public=False))
    assert _account(sim).containers["public-assets"].read_acl  # type: ignore[attr-defined]


async def test_delete_empty_and_non_empty_containers(sim: RunningSim) -> None:
    app = make_app(view="containers")
    async with app.run_test(size=(140, 36)) as pilot:
        grid = await loaded(pilot, app, minimum=3)
        grid.cursor_id = "logs"  # seeded empty
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown(pilot, app, "openstack container delete logs", "logs (empty)")
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row("logs") is None, what="row gone")
        account = _account(sim)
        backups = account.containers["backups"]  # type: ignore[attr-defined]
        count, used = len(backups.objects), backups.bytes_used
        grid.cursor_id = "backups"
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown(pilot, app, f"backups and its {count} objects",
                    "openstack container delete --recursive backups", f"({format_bytes(used)})")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="no")
        assert "backups" in account.containers  # type: ignore[attr-defined]
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row("backups") is None, timeout=20,
                         what="row gone")
        assert "backups" not in account.containers  # type: ignore[attr-defined]


def test_read_only_refuses_in_the_cloud_layer(sim: RunningSim) -> None:
    start = len(sim.cloud.request_log)
    with CloudSession.connect("simcloud", read_only=True) as session:
        with pytest.raises(ReadOnlyError):
            create_container(session, ContainerSpec("nope"))
        with pytest.raises(ReadOnlyError):
            delete_container(session, {"name": "backups", "count": 4}, None)
        with pytest.raises(ReadOnlyError):
            session.send_raw("PUT", "object-store", "/backups/x", data=b"x")
    assert writes(sim, start) == []
    assert openstack.connect(cloud="simcloud").object_store.get_container_metadata("backups")
