"""Issue 13: the user's own project reads by name at once (the token says it), in details
and lists, without a project list (which a member may not be allowed anyway)."""

from __future__ import annotations

from tests.helpers.app import loaded, make_app, shown, wait_until
from tuicloud.screens.detail import DetailScreen
from tuicloud.simcloud import RunningSim


async def test_a_server_detail_names_the_users_own_project(sim: RunningSim) -> None:
    demo = sim.cloud.service("identity").project_by_name("demo")
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        grid = await loaded(pilot, app)
        assert app.lookups is not None
        assert app.lookups.get("projects", demo.id) == "demo"
        grid.cursor_id = grid.visible_ids()[0]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail")
        text = await shown(pilot, app, "Project")
        assert "demo" in text.split("Project", 1)[1].splitlines()[0]
        assert str(demo.id)[:8] not in text.split("Project", 1)[1].splitlines()[0]
