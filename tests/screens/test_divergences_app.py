"""Pilot tests, against simcloud, of what the real services showed the app doing wrong
(issue 11): Glance's reason for a refusal reaches the user; a confirmed resize is reported
done only once the server has left VERIFY_RESIZE."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.app import loaded, make_app, notes, table, wait_until
from tests.helpers.ops import open_menu, pick, status_of
from tuicloud.screens.prompts import ChoicePrompt
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud


@pytest.fixture
def slow_confirm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSim]:
    """A simcloud whose confirmed resizes stay VERIFY_RESIZE for 3 s (the rig: 1-5 s)."""
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=10, volumes=2, images=4, build_delay=0.3,
                                action_delay=0.2, confirm_resize_delay=3.0),
                      clouds_yaml=clouds) as running:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        yield running


async def test_publicizing_an_image_as_demo_shows_glances_reason(sim: RunningSim) -> None:
    app = make_app(view="images")
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        glance = sim.cloud.service("image")
        demo = sim.cloud.service("identity").project_by_name("demo")
        own = next(i for i in glance.images.values() if i.get("owner") == demo.id
                   and i.get("visibility") != "public" and grid.get_row(i["id"]))
        grid.cursor_id = own["id"]
        await open_menu(pilot, app)
        await pilot.press(*"visibility", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                         and bool(app.screen.choices), what="visibility choices")
        await pilot.press(*"public")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                         and app.screen.current_value() == "public", what="public highlighted")
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("403" in n for n in notes(app)), what="403")
        message = next(n for n in notes(app) if "403" in n)
        assert "not authorized to complete publicize_image" in message, message
        assert "<br" not in message and "<h1>" not in message
        assert own.get("visibility") != "public"


async def test_confirm_resize_is_done_only_after_verify_resize(slow_confirm: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        server = pick(slow_confirm, "active")[0]
        table(app).cursor_id = server.id
        await open_menu(pilot, app)
        await pilot.press(*"resize", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                         and bool(app.screen.choices), what="flavors")
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: status_of(app, server.id) == "VERIFY_RESIZE",
                         what="VERIFY_RESIZE")
        await wait_until(pilot, lambda: any("Resize" in n for n in notes(app)),
                         what="resize reported")
        await open_menu(pilot, app)
        await pilot.press(*"confirm", "enter")
        await wait_until(pilot, lambda: any(n.startswith("Confirm resize") for n in notes(app)),
                         timeout=60, what="confirm reported")
        message = next(n for n in notes(app) if n.startswith("Confirm resize"))
        assert message.endswith(": ACTIVE"), message
        assert server.vm_state == "active"  # simcloud's own record had finished, too
        assert status_of(app, server.id) == "ACTIVE"
