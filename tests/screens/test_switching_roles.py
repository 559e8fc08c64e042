"""`:project X` for a project the user has no role on says so, with the user's projects,
instead of Keystone's 401 read as "wrong user name or password" (seen on the rig)."""

from __future__ import annotations

from tests.helpers.app import (
    capture_notifications,
    command,
    connected_to,
    loaded,
    make_app,
    wait_until,
)
from tuicloud.simcloud import RunningSim


async def test_project_without_a_role_names_the_users_projects(sim: RunningSim) -> None:
    app = make_app()
    seen = capture_notifications(app)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: app.switcher.projects == ["demo", "ops"],
                         what="the projects the user may scope to")
        await command(pilot, "project research")
        await wait_until(pilot, lambda: any("research" in s for s in seen), what="the refusal")
        said = next(s for s in seen if "research" in s)
        assert "no role on project research (yours: demo, ops)" in said, said
        assert not any("password" in s for s in seen), seen
        assert connected_to(app, "simcloud", "demo")
        await command(pilot, "project OPS")  # Keystone's names match without case
        await wait_until(pilot, lambda: connected_to(app, "simcloud", "ops"), what="ops")
