"""Pilot tests, against simcloud, of what the real services showed the app doing wrong
(issue 11): Glance's reason for a refusal reaches the user."""

from __future__ import annotations

from tests.apphelpers import loaded, make_app, wait_until
from tests.test_ops_app import notes, open_menu
from tuicloud.screens.prompts import ChoicePrompt
from tuicloud.simcloud import RunningSim


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
