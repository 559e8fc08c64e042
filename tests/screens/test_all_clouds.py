"""The all-clouds server view with TWO simclouds at once (two in-process instances on two
ports) plus a third cloud whose password is wrong: every cloud polled on its own, a cloud
down goes stale alone, the one that cannot authenticate says so and blocks nobody."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest
from textual.pilot import Pilot

from tests.helpers.app import loaded, make_app, shown, wait_until
from tuicloud.app import TuiCloudApp
from tuicloud.screens.all_clouds import AllCloudsScreen, CloudDetailScreen, CloudStatusLines
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud
from tuicloud.simcloud.keystone import DEMO_PASSWORD
from tuicloud.widgets.status_header import StatusHeader


def entry(name: str, auth_url: str, password: str) -> str:
    return (f"  {name}:\n"
            f"    auth:\n"
            f"      auth_url: {auth_url}\n"
            f"      username: demo\n"
            f"      password: {password}\n"
            f"      project_name: demo\n"
            f"      user_domain_name: Default\n"
            f"      project_domain_name: Default\n"
            f"    region_name: RegionOne\n"
            f"    identity_api_version: 3\n")


@pytest.fixture
def two_clouds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[tuple[RunningSim, RunningSim]]:
    """Clouds alpha and beta (two simclouds) and broken (alpha with a wrong password)."""
    with run_simcloud(SimConfig(servers=12, volumes=2, images=4, seed=1, build_delay=0.2)) as a, \
            run_simcloud(SimConfig(servers=9, volumes=2, images=4, seed=2,
                                   build_delay=0.2)) as b:
        clouds = tmp_path / "clouds.yaml"
        clouds.write_text("clouds:\n" + entry("alpha", a.auth_url, DEMO_PASSWORD)
                          + entry("beta", b.auth_url, DEMO_PASSWORD)
                          + entry("broken", a.auth_url, "not-the-password"))
        clouds.chmod(0o600)
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        yield a, b


def server_ids(cloud: str) -> set[str]:
    conn = openstack.connect(cloud=cloud)
    try:
        return {s["id"] for s in conn.compute.get("/servers?limit=1000").json()["servers"]}
    finally:
        conn.close()


def all_clouds(app: TuiCloudApp) -> AllCloudsScreen:
    screen = app.screen
    assert isinstance(screen, AllCloudsScreen), screen
    return screen


def rows_of(screen: AllCloudsScreen, cloud: str) -> set[str]:
    prefix = f"{cloud}/"
    return {i[len(prefix):] for i in screen.table.visible_ids() if i.startswith(prefix)}


async def wait_state(pilot: Pilot[Any], screen: AllCloudsScreen, cloud: str, state: str,
                     timeout: float = 20.0) -> None:
    await wait_until(pilot, lambda: cloud in screen.feeds
                     and screen.feeds[cloud].fresh.state == state, timeout=timeout,
                     what=f"{cloud} {state} ({[(f.name, f.fresh) for f in screen.feeds.values()]})")


async def test_servers_of_every_cloud_in_one_table(two_clouds: tuple[RunningSim, RunningSim]
                                                  ) -> None:
    _alpha_sim, beta_sim = two_clouds
    alpha, beta = server_ids("alpha"), server_ids("beta")
    app = make_app(cloud="alpha", view="servers")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        app.run_command("servers all")
        await pilot.pause()
        screen = all_clouds(app)
        await wait_state(pilot, screen, "alpha", "fresh")
        await wait_state(pilot, screen, "beta", "fresh")
        await wait_state(pilot, screen, "broken", "failed")
        assert rows_of(screen, "alpha") == alpha and rows_of(screen, "beta") == beta
        assert screen.table.row_count == len(alpha) + len(beta)
        assert [c.key for c in screen.table.columns][:2] == ["cloud", "name"]
        some = next(iter(screen.table.visible_ids()))
        assert str((screen.table.get_row(some) or {}).get("cloud")) == some.split("/")[0]
        # The cloud that cannot authenticate says so, in its own status line.
        broken = screen.feeds["broken"].fresh.error
        assert "401" in broken or "auth" in broken.lower()
        status = screen.query_one(CloudStatusLines).render().plain
        assert "✗ broken" in status and "✓ alpha" in status and "✓ beta" in status
        text = await shown(pilot, app, "✓ alpha", "✓ beta", "✗ broken")
        assert "not-the-password" not in status + text
        assert f"{len(beta)} servers" in status
        header = screen.query_one(StatusHeader)
        assert header.freshness.state == "stale" and "broken" in header.freshness.error

        # beta goes down: only beta goes stale, and its rows say so; alpha keeps refreshing.
        beta_sim.set_down(True)
        try:
            alpha_before = screen.feeds["alpha"].fresh.updated_at or 0.0
            await pilot.press("r")
            await wait_state(pilot, screen, "beta", "stale")
            await wait_until(pilot, lambda: (screen.feeds["alpha"].fresh.updated_at or 0)
                             > alpha_before and screen.feeds["alpha"].fresh.state == "fresh",
                             what="alpha refreshed while beta is down")
            await wait_until(pilot, lambda: all(
                "(stale)" in str((screen.table.get_row(f"beta/{i}") or {}).get("cloud"))
                for i in beta), what="beta rows marked stale")
            assert rows_of(screen, "beta") == beta  # the last rows stay
            assert all(str((screen.table.get_row(f"alpha/{i}") or {}).get("cloud")) == "alpha"
                       for i in alpha)
            status = screen.query_one(CloudStatusLines).render().plain
            assert "✗ beta" in status and "stale since" in status
            await shown(pilot, app, "beta")
        finally:
            beta_sim.set_down(False)
        deadline = time.monotonic() + 30
        while screen.feeds["beta"].fresh.state != "fresh":
            assert time.monotonic() < deadline, "beta did not come back"
            await pilot.press("r")
            await pilot.pause(0.2)
        await wait_until(pilot, lambda: all(
            str((screen.table.get_row(f"beta/{i}") or {}).get("cloud")) == "beta"
            for i in beta), what="beta rows unmarked")


async def test_a_chosen_set_of_clouds_and_the_toggle(two_clouds: tuple[RunningSim, RunningSim]
                                                    ) -> None:
    app = make_app(cloud="alpha", view="servers")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        app.run_command("servers all beta")
        await pilot.pause()
        screen = all_clouds(app)
        await wait_state(pilot, screen, "beta", "fresh")
        assert list(screen.feeds) == ["beta"]
        assert rows_of(screen, "beta") == server_ids("beta")
        assert not rows_of(screen, "alpha")
        app.run_command("servers all alpha,beta")
        await wait_state(pilot, screen, "alpha", "fresh")
        assert list(screen.feeds) == ["alpha", "beta"]
        assert rows_of(screen, "alpha") == server_ids("alpha")
        # enter: the server's detail, fetched from its own cloud.
        beta_id = sorted(server_ids("beta"))[0]
        screen.table.cursor_id = f"beta/{beta_id}"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CloudDetailScreen)
                         and app.screen.raw is not None, what="detail")
        detail = app.screen
        assert isinstance(detail, CloudDetailScreen) and detail.raw is not None
        assert detail.raw["id"] == beta_id
        identity = detail.query_one(StatusHeader).identity
        assert identity is not None and identity.cloud == "beta"
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back")
        # `/` filters the merged table.
        await pilot.press("slash", *"beta", "enter")
        await wait_until(pilot, lambda: screen.table.visible_count == len(server_ids("beta")),
                         what="filtered")
        app.run_command("allclouds")  # the toggle: back to this cloud's servers
        await loaded(pilot, app)
        assert app.current_mode == "servers"
        app.run_command("allclouds")
        await pilot.pause()
        assert app.current_mode == "all"
