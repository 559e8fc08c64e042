"""Pilot tests with two simclouds at once: switching cloud, project and region without
restarting, per-cloud settings (read-only, protected, accent), the settings file at start and
the state file restored at the next start."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openstack
import pytest
from textual.widgets import Input

from tests.helpers.app import (
    capture_notifications,
    command,
    connected_to,
    list_screen,
    loaded,
    make_app,
    shown,
    table,
    wait_until,
)
from tuicloud.app import TuiCloudApp
from tuicloud.cloud.errors import ReadOnlyError
from tuicloud.config import settings_path
from tuicloud.config.state import CloudState, State, load_state, save_state
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud
from tuicloud.simcloud.keystone import DEMO_PASSWORD


@dataclass
class TwoClouds:
    """Two simclouds and one clouds.yaml naming both (alpha, beta; alpha-ops to check)."""

    alpha: RunningSim
    beta: RunningSim


def _entry(name: str, auth_url: str, project: str, extra: str = "") -> str:
    return (f"  {name}:\n"
            f"    auth:\n"
            f"      auth_url: {auth_url}\n"
            f"      username: demo\n"
            f"      password: {DEMO_PASSWORD}\n"
            f"      project_name: {project}\n"
            f"      user_domain_name: Default\n"
            f"      project_domain_name: Default\n"
            f"    region_name: RegionOne\n"
            f"    identity_api_version: 3\n" + extra)


@pytest.fixture
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TwoClouds]:
    def config(seed: int, **more: Any) -> SimConfig:
        return SimConfig(servers=30, volumes=6, images=6, seed=seed, build_delay=0.3,
                         action_delay=0.2, **more)

    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(config(1)) as alpha, \
            run_simcloud(config(2, extra_regions=("RegionTwo",))) as beta:
        clouds.write_text(
            "clouds:\n"
            + _entry("alpha", alpha.auth_url, "demo",
                     "    tuicloud:\n      accent: green\n")
            + _entry("alpha-ops", alpha.auth_url, "ops")
            + _entry("beta", beta.auth_url, "demo",
                     "    tuicloud:\n      read_only: false\n      protected: false\n"),
            encoding="utf-8")
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        yield TwoClouds(alpha, beta)


def server_ids(cloud: str) -> set[str]:
    """The servers the demo user sees on a cloud entry, through the SDK."""
    conn = openstack.connect(cloud=cloud)
    try:
        return {s["id"] for s in conn.compute.get("/servers?limit=1000").json()["servers"]}
    finally:
        conn.close()


def fresh(app: TuiCloudApp) -> bool:
    return list_screen(app).freshness.state == "fresh" and table(app).row_count > 0


async def test_switching_clouds_keeps_filter_and_sort(two: TwoClouds) -> None:
    alpha_ids, beta_ids = server_ids("alpha"), server_ids("beta")
    assert alpha_ids and beta_ids and not alpha_ids & beta_ids
    app = make_app(cloud="alpha")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app)
        assert set(grid.visible_ids()) <= alpha_ids and grid.row_count == len(alpha_ids)
        await pilot.press("slash", *"ACTIVE", "enter")
        await pilot.press("N", "N")  # sort by name, then reversed
        await wait_until(pilot, lambda: table(app).filter_text == "ACTIVE", what="filter")
        assert (grid.sort_column, grid.sort_reverse) == ("name", True)
        await wait_until(pilot, lambda: "cloud beta" in app.command_words(),
                         what="cloud names for completion")
        await command(pilot, "cloud beta")
        await wait_until(pilot, lambda: connected_to(app, "beta") and fresh(app),
                         what="beta's servers")
        grid = table(app)
        assert grid.row_count == len(beta_ids)
        visible = grid.visible_ids()
        assert visible and set(visible) <= beta_ids  # no row of alpha stays behind
        assert all("ACTIVE" in str(grid.get_row(i)) for i in visible)
        assert grid.filter_text == "ACTIVE"
        assert list_screen(app).query_one("#filter", Input).value == "ACTIVE"
        assert (grid.sort_column, grid.sort_reverse) == ("name", True)
        names = [str(grid.get_row(i)["name"]) for i in visible]  # type: ignore[index]
        assert names == sorted(names, reverse=True)
        assert app.identity is not None and app.identity.cloud == "beta"
        await shown(pilot, app, "beta / demo / RegionOne / demo")
    assert load_state().cloud == "beta"


async def test_project_switch_shows_that_projects_servers(two: TwoClouds) -> None:
    demo_ids, ops_ids = server_ids("alpha"), server_ids("alpha-ops")
    assert ops_ids and not demo_ids & ops_ids
    app = make_app(cloud="alpha")
    seen = capture_notifications(app)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: app.switcher.projects == ["demo", "ops"],
                         what="the projects the user may scope to")
        assert "project ops" in app.command_words()
        await command(pilot, "project ops")
        await wait_until(pilot, lambda: connected_to(app, "alpha", "ops") and fresh(app)
                         and set(table(app).visible_ids()) == ops_ids, what="ops's servers")
        assert app.identity is not None and app.identity.project == "ops"
        await wait_until(pilot, lambda: load_state().for_cloud("alpha")
                         == CloudState("ops", "RegionOne"), what="the state file")
        # Not a member of research: the switch fails, the ops session stays.
        await command(pilot, "project research")
        await wait_until(pilot, lambda: any(s.startswith("Cannot switch") for s in seen),
                         what="the refusal")
        assert connected_to(app, "alpha", "ops")
        assert set(table(app).visible_ids()) == ops_ids


async def test_region_switch(two: TwoClouds) -> None:
    app = make_app(cloud="beta")
    seen = capture_notifications(app)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: app.switcher.regions == ["RegionOne", "RegionTwo"],
                         what="the catalog's regions")
        assert "region RegionTwo" in app.command_words()
        await command(pilot, "region RegionTwo")
        await wait_until(pilot, lambda: connected_to(app, "beta", "demo", "RegionTwo")
                         and fresh(app), what="RegionTwo")
        await shown(pilot, app, "beta / demo / RegionTwo / demo")
        await wait_until(pilot, lambda: load_state().for_cloud("beta").region == "RegionTwo",
                         what="the state file")
        await command(pilot, "region Atlantis")
        await wait_until(pilot, lambda: any("Cannot switch" in s and "Atlantis" in s
                                            for s in seen), what="the refusal")
        assert connected_to(app, "beta", "demo", "RegionTwo")


async def test_read_only_and_protected_per_cloud_from_the_settings_file(
        two: TwoClouds) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text('[clouds.beta]\nread_only = true\nprotected = true\n'
                               'accent = "#ff0000"\n', encoding="utf-8")
    app = make_app(cloud="alpha")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        alpha = app.session
        assert not alpha.read_only and not alpha.protected
        assert alpha.accent == "green"  # from clouds.yaml's tuicloud: section
        assert app.get_css_variables()["cloud-accent"] == "green"
        app.run_command("cloud beta")
        await wait_until(pilot, lambda: connected_to(app, "beta") and fresh(app), what="beta")
        session = app.session
        # clouds.yaml says read_only: false, the settings file true: the stricter wins.
        assert session.read_only and session.protected and session.accent == "#ff0000"
        await shown(pilot, app, " READ-ONLY ")
        assert app.get_css_variables()["cloud-accent"] == "#ff0000"
        assert app.identity is not None and app.identity.protected
        assert app.has_class("-cloud-accent")
        assert list_screen(app).styles.border_top[0] == "round"
        server = table(app).visible_ids()[0]
        sent = len(two.beta.cloud.request_log)
        with pytest.raises(ReadOnlyError):
            session.request("POST", "compute", f"/servers/{server}/action",
                            json={"reboot": {"type": "SOFT"}}, description="reboot")
        with pytest.raises(ReadOnlyError):  # the guard on the SDK's own session too
            session.conn.compute.post(f"/servers/{server}/action",
                                      json={"reboot": {"type": "SOFT"}})
        assert not [r for r in list(two.beta.cloud.request_log)[sent:]
                    if r.method != "GET"], "a mutation reached the read-only cloud"
        app.run_command("cloud alpha")
        await wait_until(pilot, lambda: connected_to(app, "alpha") and fresh(app),
                         what="alpha again")
        assert not app.session.read_only
        assert " READ-ONLY " not in await shown(pilot, app, "alpha / demo", "Servers")
        assert app.get_css_variables()["cloud-accent"] == "green"
        await command(pilot, "volumes")  # a screen made after the switch is framed too
        await wait_until(pilot, lambda: app.current_mode == "volumes", what="volumes")
        await pilot.pause(0.1)
        assert app.screen.styles.border_top[0] == "round"
        assert app.screen.styles.border_top[1].hex.lower() == "#008000"  # green


@pytest.mark.parametrize(("text", "expected"), [
    ("[refresh]\nservers = 0\n",
     "settings.toml line 2: refresh.servers: must be a number of seconds ≥ 1"),
    ('theme = "nord"\n[refresh\nservers = 2\n',
     "settings.toml line 2: invalid TOML: "),
])
async def test_a_malformed_settings_file_is_reported_and_the_app_starts(
        two: TwoClouds, text: str, expected: str) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(text, encoding="utf-8")
    app = make_app(cloud="alpha", refresh=None)
    seen = capture_notifications(app)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        matching = [s for s in seen if expected in s]
        assert len(matching) == 1, seen  # once, naming the file and line
        assert str(settings_path()) in matching[0]
        assert app.refresh_for("servers") == 5.0  # the default for that key
        assert app.theme != "nord"  # a syntax error: every key has its default


async def test_settings_apply_theme_keys_and_columns(two: TwoClouds) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text('theme = "nord"\n[keys]\n"list.filter" = "f"\n'
                               '"list.filtr" = "g"\n'
                               '[columns]\nservers = ["status", "name"]\n', encoding="utf-8")
    app = make_app(cloud="alpha")
    seen = capture_notifications(app)
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app)
        assert app.theme == "nord"
        [typo] = [s for s in seen if "keys.list.filtr" in s]
        assert "settings.toml line 4: keys.list.filtr: no key has this binding id" in typo
        assert "list.filter" in typo  # the known ids of that screen are listed
        assert [c.key for c in grid.columns] == ["status", "name"]
        await pilot.press("f", *"zzz-none")
        await wait_until(pilot, lambda: table(app).filter_text == "zzz-none",
                         what="f opens the filter")
        assert table(app).visible_count == 0


async def test_the_state_file_is_restored_at_the_next_start(two: TwoClouds) -> None:
    ops_ids = server_ids("alpha-ops")
    first = make_app(cloud="alpha")
    async with first.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, first)
        await command(pilot, "project ops")
        await wait_until(pilot, lambda: connected_to(first, "alpha", "ops") and fresh(first),
                         what="ops")
        await command(pilot, "volumes")
        await wait_until(pilot, lambda: first.current_mode == "volumes", what="volumes")
    assert load_state() == State(cloud="alpha", view="volumes",
                                 clouds={"alpha": CloudState("ops", "RegionOne")})
    # No --os-cloud, no --view: the picker is skipped for the last cloud, project and view.
    second = make_app(cloud=None, view="")
    async with second.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: connected_to(second, "alpha", "ops"),
                         what="alpha/ops restored")
        assert second.current_mode == "volumes"
        await command(pilot, "servers")
        await wait_until(pilot, lambda: second.current_mode == "servers" and fresh(second)
                         and set(table(second).visible_ids()) == ops_ids, what="ops servers")
    # Flags win over the state file.
    third = make_app(cloud="beta", view="images")
    async with third.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: connected_to(third, "beta", "demo"), what="beta")
        assert third.current_mode == "images"


async def test_a_project_that_no_longer_works_falls_back_with_a_warning(
        two: TwoClouds) -> None:
    save_state(State(cloud="alpha", view="servers",
                     clouds={"alpha": CloudState("research", None)}))  # not a member
    app = make_app(cloud=None, view="")
    seen = capture_notifications(app)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        assert connected_to(app, "alpha", "demo")
        assert any("Cannot use research on alpha" in s for s in seen), seen
    assert load_state().for_cloud("alpha").project == "demo"


async def test_switching_from_the_overview_rebuilds_it_for_the_new_cloud(
        two: TwoClouds) -> None:
    from tuicloud.screens.overview import OverviewScreen

    app = make_app(cloud="alpha", view="overview")
    async with app.run_test(size=(160, 50)) as pilot:
        def overview_of(cloud: str) -> bool:
            screen = app.screen
            return (isinstance(screen, OverviewScreen) and connected_to(app, cloud)
                    and screen.overview is not None and screen.overview.session is app.session
                    and screen.data is not None)

        await wait_until(pilot, lambda: overview_of("alpha"), what="alpha's overview")
        await command(pilot, "cloud beta")
        await wait_until(pilot, lambda: overview_of("beta"), what="beta's overview")
        await shown(pilot, app, "beta / demo / RegionOne / demo")


async def test_the_palette_switches_project(two: TwoClouds) -> None:
    ops_ids = server_ids("alpha-ops")
    app = make_app(cloud="alpha")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: "ops" in app.switcher.projects, what="projects")
        await pilot.press("ctrl+p")
        await pilot.press(*"project ops")
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await wait_until(pilot, lambda: connected_to(app, "alpha", "ops") and fresh(app)
                         and set(table(app).visible_ids()) == ops_ids, what="ops via palette")
        # :cloud of the current cloud keeps its project (it comes back where it was left).
        await wait_until(pilot, lambda: load_state().for_cloud("alpha").project == "ops",
                         what="the state file")
        await command(pilot, "cloud alpha")
        await wait_until(pilot, lambda: app.switcher.target is not None
                         and app.switcher.target.project == "ops", what="the target")
        await wait_until(pilot, lambda: connected_to(app, "alpha", "ops") and fresh(app),
                         what="alpha/ops again")


async def test_a_default_view_in_the_settings_file_wins_over_the_last_view(
        two: TwoClouds) -> None:
    save_state(State(cloud="alpha", view="volumes"))
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text('default_view = "img"\n', encoding="utf-8")
    app = make_app(cloud=None, view="")
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_until(pilot, lambda: connected_to(app, "alpha") and fresh(app),
                         what="alpha")
        assert app.current_mode == "images"


async def test_a_switch_closes_detail_screens_of_the_previous_cloud(two: TwoClouds) -> None:
    """A detail view shows one resource of the old cloud; after `:cloud` it must not stay
    (shown, or waiting in another view) to be refetched from the new cloud."""
    from tuicloud.screens.detail import DetailScreen
    from tuicloud.screens.resource_list import ResourceListScreen

    app = make_app(cloud="alpha")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        await command(pilot, "volumes")  # the servers view keeps its detail screen underneath
        await wait_until(pilot, lambda: list_screen(app).kind.name == "volumes", what="volumes")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="volume")
        await wait_until(pilot, lambda: "cloud beta" in app.command_words(), what="completion")
        await command(pilot, "cloud beta")  # typed on the volume's detail screen
        await wait_until(pilot, lambda: connected_to(app, "beta"), what="beta")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="the volume's detail closed")
        await command(pilot, "servers")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and app.screen.kind.name == "servers", what="servers list, no detail")
        await wait_until(pilot, lambda: fresh(app), what="beta's servers")
        assert not any(isinstance(s, DetailScreen) for s in app._all_screens())
