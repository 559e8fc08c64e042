"""Issue 16, "my projects and roles" for every user: the projects Keystone lets the user scope
to, the one in use marked with the token's roles, the others' roles for an admin (a member is
told to switch to see them), and enter switching to a project."""

from __future__ import annotations

from tests.helpers.app import loaded, make_app, wait_until
from tests.helpers.ops import cell
from tuicloud.simcloud import RunningSim


async def test_a_member_sees_own_projects_and_switches_by_enter(sim: RunningSim) -> None:
    projects = {p.name: p for p in sim.cloud.projects.values()}
    demo_user = next(u for u in sim.cloud.users.values() if u.name == "demo")
    demo_user.roles[projects["research"].id] = ["reader"]
    app = make_app(view="my-projects")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app, 2)
        demo, research = projects["demo"].id, projects["research"].id
        assert set(grid.visible_ids()) == {p for p, roles in demo_user.roles.items() if roles}
        assert cell(grid, demo, "current") == "● in use"
        assert cell(grid, demo, "roles") == ", ".join(sorted(demo_user.roles[demo]))
        assert (cell(grid, research, "current"), cell(grid, research, "roles")) == (
            "", "switch to see")
        grid.cursor_id = research
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session is not None
                         and app.session.project_id == research, what="switched")
        await wait_until(pilot, lambda: cell(grid, research, "current") == "● in use"
                         and cell(grid, research, "roles") == "reader", what="marked in use")
        assert cell(grid, demo, "roles") == "switch to see"


async def test_an_admin_sees_roles_everywhere(sim: RunningSim) -> None:
    admin_user = next(u for u in sim.cloud.users.values() if u.name == "admin")
    research = next(p for p in sim.cloud.projects.values() if p.name == "research")
    admin_user.roles[research.id] = ["member"]  # not the project in use: from Keystone's list
    app = make_app(cloud="simcloud-admin", view="my-projects")
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        mine = {p: roles for p, roles in admin_user.roles.items() if roles}
        assert set(grid.visible_ids()) == set(mine) and research.id in mine
        for project, roles in mine.items():
            assert cell(grid, project, "roles") == ", ".join(sorted(set(roles))), project
