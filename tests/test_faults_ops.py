"""Actions (the `a` menu, direct keys) and forms (`c`) against a misbehaving simcloud: tokens that
expire every 2 s or are revoked under the SDK's feet, a fifth of requests failing, 2 s of latency
on every request.

Every change is counted in simcloud's request log: a change the cloud accepted once and only
once (a request refused with 401 did nothing; keystoneauth re-authenticates and sends it again).
"""

from __future__ import annotations

import time
from typing import Any

from textual.pilot import Pilot

from tests.apphelpers import list_screen, make_app, screen_text, table, wait_until
from tests.formhelpers import open_form, set_field
from tests.test_faults_app import notifications
from tests.test_ops_app import open_menu, pick, status_of
from tuicloud.app import TuiCloudApp
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_volume import CreateVolumeForm
from tuicloud.screens.forms.launch_server import LaunchServerForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim

Notes = list[tuple[str, str]]


def changes(sim: RunningSim, start: int, method: str, path: str) -> list[int]:
    """The statuses of the ``method`` requests on ``path`` (a suffix) since ``start``."""
    return [r.status for r in list(sim.cloud.request_log)[start:]
            if r.method == method and r.path.endswith(path)]


def assert_accepted_once(statuses: list[int], *, refused_first: bool = False) -> None:
    """Exactly one request was carried out; any other was refused (401) before doing anything."""
    done = [s for s in statuses if s != 401]
    assert len(done) == 1 and 200 <= done[0] < 300, statuses
    if refused_first:
        assert statuses[0] == 401, f"the request never met a revoked token: {statuses}"


def revoke_tokens(sim: RunningSim) -> None:
    """Every token stops working now, though the SDK still believes in its own."""
    with sim.cloud.lock:
        for token in sim.cloud.tokens.values():
            token.expires_at = min(token.expires_at, time.time() - 1)


def problems(raised: Notes) -> Notes:
    return [n for n in raised if n[0] in ("error", "warning")]


def launch_ready(screen: Any) -> bool:
    return isinstance(screen, LaunchServerForm) and screen.choices is not None


def volume_ready(screen: Any) -> bool:
    return isinstance(screen, CreateVolumeForm) and screen.choices is not None


def fill_launch(screen: LaunchServerForm, name: str) -> None:
    choices = screen.choices
    image = next(i for i in choices.images if i["name"].startswith("cirros"))
    flavor = next(f for f in choices.flavors if f["name"] == "m1.small")
    set_field(screen, "name", name)
    set_field(screen, "image", image["id"])
    set_field(screen, "flavor", flavor["id"])
    set_field(screen, "networks", [next(n["id"] for n in choices.networks
                                        if n["name"] == "demo-net")])


def servers_named(sim: RunningSim, name: str) -> list[Any]:
    return [s for s in sim.cloud.service("compute").servers.values() if s.name == name]


def volumes_named(sim: RunningSim, name: str) -> list[Any]:
    return [v for v in sim.cloud.service("volume").volumes.values() if v.get("name") == name]


async def reboot_from_menu(pilot: Pilot[Any], app: TuiCloudApp, server_id: str) -> None:
    """`a`, "soft", enter, then `y` in the confirmation."""
    table(app).cursor_id = server_id
    await open_menu(pilot, app)
    await pilot.press(*"soft", "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
    await pilot.press("y")


# -- tokens -----------------------------------------------------------------------------------
async def test_expired_tokens_forms_and_actions_are_sent_exactly_once(sim: RunningSim) -> None:
    """Tokens living 2 s (renewed ahead by the SDK), then tokens revoked just before the
    request (the SDK meets a 401, re-authenticates and sends again): a volume created, a
    server launched and a server rebooted — each accepted by the cloud once, no error shown."""
    sim.faults.token_ttl = 2.0
    app = make_app(view="volumes")
    raised = notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        # A volume, with every token the app saw expired while the user was typing.
        volume_form = await open_form(pilot, app, CreateVolumeForm, ready=volume_ready)
        set_field(volume_form, "name", "tok-vol")
        set_field(volume_form, "size", "2")
        await pilot.pause(2.5)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="the form closed")
        made = volumes_named(sim, "tok-vol")
        assert len(made) == 1
        await wait_until(pilot, lambda: status_of(app, made[0]["id"]) == "available",
                         what="the new volume available")
        assert_accepted_once(changes(sim, start, "POST", "/volumes"))

        # A reboot from the menu, tokens still expiring every 2 s.
        await pilot.press("colon", *"srv", "enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "servers"
                         and list_screen(app)._fresh.state == "fresh", what="servers")
        first = pick(sim, "active")[0]
        await pilot.pause(2.5)
        start = len(sim.cloud.request_log)
        await reboot_from_menu(pilot, app, first.id)
        await wait_until(pilot, lambda: any(n[1] == f"Reboot (soft) {first.name}: ACTIVE"
                                            for n in raised), what="the reboot done")
        assert_accepted_once(changes(sim, start, "POST", f"/servers/{first.id}/action"))

        # Long-lived tokens the SDK trusts, revoked just before each change is sent.
        sim.faults.token_ttl = 3600.0
        launch = await open_form(pilot, app, LaunchServerForm, ready=launch_ready)
        assert isinstance(launch, LaunchServerForm)
        fill_launch(launch, "tok-srv")
        await pilot.pause(0.2)
        revoke_tokens(sim)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="the launch form closed")
        assert_accepted_once(changes(sim, start, "POST", "/servers"), refused_first=True)
        launched = servers_named(sim, "tok-srv")
        assert len(launched) == 1
        await wait_until(pilot, lambda: status_of(app, launched[0].id) == "ACTIVE",
                         what="the new server ACTIVE")

        second = next(s for s in pick(sim, "active", 2) if s.id != first.id)
        table(app).cursor_id = second.id
        await open_menu(pilot, app)
        await pilot.press(*"soft", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        revoke_tokens(sim)
        start = len(sim.cloud.request_log)
        await pilot.press("y")
        await wait_until(pilot, lambda: any(n[1] == f"Reboot (soft) {second.name}: ACTIVE"
                                            for n in raised), what="the second reboot done")
        assert_accepted_once(changes(sim, start, "POST", f"/servers/{second.id}/action"),
                             refused_first=True)
        text = screen_text(app)
    assert not problems(raised), raised
    assert "401" not in text and "stale" not in text
