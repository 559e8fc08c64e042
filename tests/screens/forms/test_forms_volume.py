"""The volume form (`c` on volumes), through the Pilot against simcloud with the real SDK."""

from __future__ import annotations

from typing import Any

from textual.widgets import Select

from tests.helpers.app import make_app, wait_until
from tests.helpers.forms import (
    demo_project,
    field_error,
    open_form,
    plain_text,
    set_field,
)
from tuicloud.screens.forms.create_volume import CreateVolumeForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim, SimConfig

# One simcloud for the module.
MODULE_SIMCLOUD = SimConfig(servers=4, volumes=6, images=4, build_delay=0.2,
                            action_delay=0.1)
QUOTAS_RESET = "volume"  # its quota overrides are undone after each test


def volumes_named(sim: RunningSim, name: str) -> list[dict[str, Any]]:
    """simcloud's volumes with that name."""
    return [v for v in sim.cloud.service("volume").volumes.values() if v.get("name") == name]


def ready(screen: Any) -> bool:
    """Choices loaded."""
    return isinstance(screen, CreateVolumeForm) and screen.choices is not None


async def test_create_volume_from_a_snapshot(sim: RunningSim) -> None:
    """Source snapshot: its size is the minimum; the volume is made from it."""
    app = make_app(view="volumes")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app, CreateVolumeForm, ready=ready)
        assert isinstance(screen, CreateVolumeForm)
        assert "volumes left" in plain_text(app) and "GB left" in plain_text(app)
        snapshot = screen.choices.snapshots[0]
        await pilot.press(*"fv-snap")
        set_field(screen, "source", "snapshot")
        await pilot.pause(0.1)
        set_field(screen, "source_id", snapshot["id"])
        set_field(screen, "size", "1")
        await pilot.pause(0.1)
        if snapshot["size"] > 1:
            assert field_error(screen, "size") == f"at least {snapshot['size']} GB for this source"
        set_field(screen, "size", str(snapshot["size"] + 1))
        await pilot.pause(0.1)
        command = str(screen.query_one("#form-command").render())
        assert (f"openstack volume create --size {snapshot['size'] + 1} --availability-zone "
                "nova --snapshot") in command
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
    made = volumes_named(sim, "fv-snap")
    assert len(made) == 1 and made[0]["snapshot_id"] == snapshot["id"]


async def test_create_volume_from_another_volume(sim: RunningSim) -> None:
    """Source: another volume (a clone)."""
    app = make_app(view="volumes")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app, CreateVolumeForm, ready=ready)
        assert isinstance(screen, CreateVolumeForm)
        source = screen.choices.volumes[0]
        await pilot.press(*"fv-clone")
        set_field(screen, "source", "volume")
        await pilot.pause(0.1)
        set_field(screen, "source_id", source["id"])
        set_field(screen, "size", str(source["size"]))
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
    made = volumes_named(sim, "fv-clone")
    assert len(made) == 1 and made[0]["source_volid"] == source["id"]


async def test_invalid_size_and_missing_source(sim: RunningSim) -> None:
    """No size, no source picked: errors next to each, nothing sent."""
    before = len(sim.cloud.service("volume").volumes)
    app = make_app(view="volumes")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app, CreateVolumeForm, ready=ready)
        set_field(screen, "source", "image")
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert "at least 1" in field_error(screen, "size")
        assert field_error(screen, "source_id") == "choose the image"
    assert len(sim.cloud.service("volume").volumes) == before


async def test_quota_headroom_and_413_from_cinder(sim: RunningSim) -> None:
    """Beyond the headroom shown: refused in the form. When the quota shrinks after the form
    opened, Cinder's 413 is shown next to the size with its request id."""
    cinder = sim.cloud.service("volume")
    project = demo_project(sim)
    used = cinder.usage(project)["gigabytes"]
    cinder.quotas[project] = {**cinder.quotas.get(project, {}), "gigabytes": used + 5}
    app = make_app(view="volumes")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app, CreateVolumeForm, ready=ready)
        assert f"5 of {used + 5} GB left" in plain_text(app)
        await pilot.press(*"fv-413")
        set_field(screen, "size", "6")
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert field_error(screen, "size") == "only 5 GB left in the quota"
        set_field(screen, "size", "4")
        cinder.quotas[project]["gigabytes"] = used + 2
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(field_error(screen, "size")), what="API error")
        error = field_error(screen, "size")
        assert error.startswith("413 Request Entity Too Large") or error.startswith("413 ")
        assert "gigabytes quota" in error and "(req-" in error
        assert screen.values()["name"] == "fv-413" and screen.values()["size"] == "4"
    assert not volumes_named(sim, "fv-413")


async def test_400_from_cinder_is_shown_next_to_source(sim: RunningSim) -> None:
    """A snapshot that stopped being available after the form opened: Cinder's 400."""
    cinder = sim.cloud.service("volume")
    app = make_app(view="volumes")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app, CreateVolumeForm, ready=ready)
        assert isinstance(screen, CreateVolumeForm)
        snapshot = screen.choices.snapshots[-1]
        await pilot.press(*"fv-400")
        set_field(screen, "source", "snapshot")
        await pilot.pause(0.1)
        set_field(screen, "source_id", snapshot["id"])
        set_field(screen, "size", str(snapshot["size"]))
        await pilot.pause(0.1)
        cinder.snapshots[snapshot["id"]]["status"] = "error"
        try:
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: bool(field_error(screen, "source_id")),
                             what="API error")
        finally:
            cinder.snapshots[snapshot["id"]]["status"] = "available"
        assert field_error(screen, "source_id").startswith("400 Bad Request: Invalid snapshot")
    assert not volumes_named(sim, "fv-400")


async def test_escape_right_after_the_choices_load_closes_without_asking(
        sim: RunningSim) -> None:
    """The only zone is chosen by the form's loading, not the user: an escape handled in the
    same moment (keys typed ahead on a busy machine) must not ask to discard anything."""
    app = make_app(view="volumes")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app, CreateVolumeForm, ready=ready)
        assert isinstance(screen, CreateVolumeForm) and screen.choices is not None
        zone = screen.rows()["zone"].widget
        assert isinstance(zone, Select) and zone.value == "nova"
        zone.clear()  # as composed, before the choices arrived
        await pilot.pause()
        screen.mark_pristine()
        screen._loaded(screen.choices)  # the choices arrive: the only zone is picked...
        screen.action_cancel()  # ...and escape is handled before the next refresh
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="the form closed without a question")
