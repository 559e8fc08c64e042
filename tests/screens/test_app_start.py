"""Choosing a cloud at start: the picker, the no-cloud screen with its demo, the palette."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.app import (
    loaded,
    make_app,
    shown,
    wait_exit,
    wait_until,
)
from tuicloud.screens.dialogs import CloudPicker, NoCloudScreen
from tuicloud.simcloud import RunningSim


async def test_several_clouds_and_none_chosen_opens_the_picker(sim: RunningSim) -> None:
    app = make_app(cloud=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, CloudPicker), what="picker")
        await shown(pilot, app, "simcloud", "simcloud-admin")
        await pilot.press("down", "up", "enter")  # back to the first: simcloud
        grid = await loaded(pilot, app)
        assert app.identity is not None and app.identity.user == "demo"
        assert grid.row_count > 0


async def test_no_cloud_configured_explains_and_offers_the_demo(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "missing.yaml"))
    monkeypatch.chdir(tmp_path)  # no ./clouds.yaml either
    app = make_app(cloud=None, demo_servers=20)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, NoCloudScreen), what="no-cloud")
        await shown(pilot, app, "No OpenStack cloud is configured", "clouds.yaml")
        await pilot.press("d")
        grid = await loaded(pilot, app)
        assert grid.row_count > 0 and app.identity is not None
        assert app.identity.cloud == "simcloud"


async def test_no_cloud_quit_exits_non_zero(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "missing.yaml"))
    monkeypatch.chdir(tmp_path)
    app = make_app(cloud=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, NoCloudScreen), what="no-cloud")
        await pilot.press("q")
        await pilot.pause(0.2)
    assert app.return_code == 1


async def test_wrong_password_is_a_clear_message_not_a_crash(sim: RunningSim,
                                                             tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    clouds = Path(sim.clouds_yaml or "")
    bad = tmp_path / "bad.yaml"
    bad.write_text(clouds.read_text().replace("simcloud-demo-pass", "wrong-pass"))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(bad))
    app = make_app()
    async with app.run_test(size=(120, 30)):
        await wait_exit(app)
    # Retrying cannot fix a wrong password: the app leaves at once, the CLI prints this line.
    assert app.return_code == 1
    assert app.fatal_error is not None and "\n" not in app.fatal_error
    assert "authentication failed: wrong user name or password" in app.fatal_error
    assert "wrong-pass" not in app.fatal_error and "Traceback" not in app.fatal_error


async def test_views_are_in_the_command_palette(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"show volumes")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "kind", None) is not None
                         and app.screen.kind.name == "volumes", what="volumes via palette")
