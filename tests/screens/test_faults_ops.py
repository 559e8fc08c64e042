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
from textual.widgets import Input, Static

from tests.helpers.app import (
    assert_nothing_left_running,
    list_screen,
    loaded,
    make_app,
    notifications,
    shown,
    table,
    wait_until,
)
from tests.helpers.forms import form, open_form, set_field
from tests.helpers.ops import open_menu, pick, status_of
from tuicloud.app import TuiCloudApp
from tuicloud.screens.actions_menu import ActionsMenu
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_volume import CreateVolumeForm
from tuicloud.screens.forms.launch_server import LaunchServerForm
from tuicloud.screens.prompts import ChoicePrompt
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
                         and list_screen(app).freshness.state == "fresh", what="servers")
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
        text = await shown(pilot, app, "tok-srv", "Addresses")  # the list, painted
    assert not problems(raised), raised
    assert "401" not in text and "stale" not in text


# -- a fifth of requests failing --------------------------------------------------------------
INJECTED = "Injected fault: the service is having a bad moment."


async def open_menu_anyway(pilot: Pilot[Any], app: TuiCloudApp) -> str:
    """`a`: the menu with the current state read, or the line saying it could not be; the
    menu's status line is returned."""
    await pilot.press("a")
    await wait_until(pilot, lambda: isinstance(app.screen, ActionsMenu), what="the menu")
    menu = app.screen
    assert isinstance(menu, ActionsMenu)
    await wait_until(pilot, lambda: menu.raws is not None or "cannot read" in status_line(menu),
                     what="the state read, or why not")
    return status_line(menu)


def status_line(menu: ActionsMenu) -> str:
    return str(menu.query_one("#actions-status", Static).render())


def form_message(app: TuiCloudApp) -> str:
    return str(form(app).query_one("#form-message", Static).render())


async def test_a_fifth_of_requests_failing_actions_and_forms(sim: RunningSim) -> None:
    """Under 20% of 500/503: the menu reads the state or says why not; an action whose request
    fails says so with the API's message and request id and puts the row back; a form whose
    submit fails keeps what was typed, shows the error and can be sent again (one volume is
    made); nothing crashes, and after `q` no worker is left."""
    app = make_app()
    raised = notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        server = pick(sim, "active")[0]
        sim.faults.error_rate = 0.2
        seen = set()
        for _ in range(8):  # the menu, again and again: the state read, or the error
            table(app).cursor_id = server.id
            line = await open_menu_anyway(pilot, app)
            if "cannot read" in line:
                assert INJECTED in line and ("500 Internal Server Error" in line
                                             or "503 Service Unavailable" in line), line
            seen.add("cannot read" in line)
            await pilot.press("escape")
        assert False in seen  # (True too, most runs: 8 tries at 20%)

        # An action whose request fails: the API's message, the request id, the row restored.
        while True:
            if "cannot read" not in await open_menu_anyway(pilot, app):
                break
            await pilot.press("escape")
        await pilot.press(*"pause")
        sim.faults.error_rate, sim.faults.error_services = 1.0, {"compute"}
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("Pause" in n[1] and "failed" in n[1]
                                            for n in raised), what="the failure reported")
        message = next(n for n in raised if "Pause" in n[1] and "failed" in n[1])
        assert message[0] == "error"
        assert message[1].startswith(f"Pause {server.name} failed: 50")
        assert "(the cloud failed): " + INJECTED in message[1] and "(req-" in message[1]
        assert status_of(app, server.id) == "ACTIVE"
        # A direct key that cannot read the current state says so (nothing is sent).
        start = len(sim.cloud.request_log)
        await pilot.press("x")
        await wait_until(pilot, lambda: any(n[1].startswith("Stop: cannot read the current "
                                                            "state: 50") for n in raised),
                         what="the read failure reported")
        assert not isinstance(app.screen, ConfirmScreen)
        assert changes(sim, start, "POST", f"/servers/{server.id}/action") == []
        sim.faults.error_rate, sim.faults.error_services = 0.2, None

        # A form: the failed submit keeps what was typed; sent again until it is accepted.
        await pilot.press("colon", *"vol", "enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "volumes", what="volumes")
        await pilot.press("c")
        await wait_until(pilot, lambda: volume_ready(app.screen), what="the volume form")
        screen = form(app)
        set_field(screen, "name", "flaky-vol")
        set_field(screen, "size", "3")
        set_field(screen, "description", "typed by hand")
        await pilot.pause(0.1)
        sim.faults.error_rate, sim.faults.error_services = 1.0, {"volume"}
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not screen._submitting, what="the answer")
        assert app.screen is screen and INJECTED in form_message(app)
        assert "(req-" in form_message(app)
        assert screen.values()["name"] == "flaky-vol" and screen.values()["size"] == "3"
        assert screen.values()["description"] == "typed by hand"
        sim.faults.error_rate, sim.faults.error_services = 0.2, None
        for _ in range(15):
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.screen is not screen or not screen._submitting,
                             what="the answer")
            if app.screen is not screen:
                break
            assert INJECTED in form_message(app) and screen.values()["name"] == "flaky-vol"
        assert app.screen is not screen, "15 submits at 20% failures never went through"
        assert len(volumes_named(sim, "flaky-vol")) == 1

        # The launch form under the same faults: it opens, its lists say what failed.
        await pilot.press("colon", *"srv", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                         and list_screen(app).kind.name == "servers", what="servers")
        await pilot.press("c")
        await wait_until(pilot, lambda: launch_ready(app.screen), what="the launch form")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="the list again")
        assert "Traceback" not in await shown(pilot, app, "Power", "Addresses")
        await pilot.press("q")
    await assert_nothing_left_running(app)


# -- a slow cloud -----------------------------------------------------------------------------
async def test_two_seconds_of_latency_actions_and_forms_show_progress(sim: RunningSim) -> None:
    """Every request takes 2 s: the menu opens at once and takes typing while it reads the
    state; a confirmed reboot shows REBOOT in the row before the cloud has answered, and the
    cursor still moves; a picker says "loading…" and takes typing; a direct key pressed twice
    asks once; a form being sent says so, and
    ctrl+s pressed twice sends one request."""
    app = make_app()
    raised = notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        first, second = pick(sim, "active", 2)
        grid.cursor_id = first.id
        sim.faults.latency = {"*": 2.0}
        await pilot.press("a")
        assert isinstance(app.screen, ActionsMenu)
        menu = app.screen
        await shown(pilot, app, "Actions: server", "reading the current state…")
        await pilot.press(*"soft")
        assert menu.query_one("#actions-filter", Input).value == "soft"
        await wait_until(pilot, lambda: menu.raws is not None, what="the state read")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        start = len(sim.cloud.request_log)
        await pilot.press("y")
        assert isinstance(app.screen, ResourceListScreen)
        assert status_of(app, first.id) == "REBOOT"
        assert changes(sim, start, "POST", f"/servers/{first.id}/action") == []  # in flight
        before = grid.cursor_index or 0
        await pilot.press("up" if before else "down")
        assert grid.cursor_index == (before - 1 if before else 1)
        await wait_until(pilot, lambda: any(n[1] == f"Reboot (soft) {first.name}: ACTIVE"
                                            for n in raised), timeout=40, what="rebooted")
        assert_accepted_once(changes(sim, start, "POST", f"/servers/{first.id}/action"))

        # A picker says it is loading at once, and takes typing meanwhile.
        await open_menu(pilot, app)
        await pilot.press(*"resize", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt), what="picker")
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt) and not prompt.choices
        await shown(pilot, app, "loading…")
        await pilot.press(*"m1")
        assert prompt.query_one("#prompt-filter", Input).value == "m1"
        await wait_until(pilot, lambda: bool(prompt.choices), what="the flavors")
        await pilot.press("escape")

        # A direct key pressed twice while the state is read: one question.
        grid.cursor_id = second.id
        await pilot.press("x", "x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert any(n[1] == "Stop: reading the current state…" for n in raised)
        assert any(n[1] == "Stop: still reading the current state…" for n in raised)
        await pilot.press("escape")
        await pilot.pause(3.0)  # a second read would have come back by now
        assert isinstance(app.screen, ResourceListScreen), app.screen

        # A form being sent says so; a second ctrl+s sends nothing more.
        sim.faults.latency = {}
        await pilot.press("colon", *"vol", "enter")
        await wait_until(pilot, lambda: list_screen(app).kind.name == "volumes"
                         and list_screen(app).freshness.state == "fresh", what="volumes")
        await pilot.press("c")
        await wait_until(pilot, lambda: volume_ready(app.screen), what="the volume form")
        screen = form(app)
        set_field(screen, "name", "slow-vol")
        set_field(screen, "size", "1")
        await pilot.pause(0.1)
        sim.faults.latency = {"*": 2.0}
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s", "ctrl+s")
        assert app.screen is screen and "Sending…" in form_message(app)
        await pilot.press("escape")  # leaving now would lose the answer
        assert app.screen is screen
        assert any("Still sending" in n[1] for n in raised)
        await wait_until(pilot, lambda: app.screen is not screen, timeout=20,
                         what="the form closed")
        assert_accepted_once(changes(sim, start, "POST", "/volumes"))
        assert len(volumes_named(sim, "slow-vol")) == 1
        sim.faults.latency = {}


def test_threads_meeting_a_revoked_token_together_all_get_through(sim: RunningSim) -> None:
    """Eight workers send at the same moment with a token the cloud has just revoked (a poll,
    follows, an action): each gets its answer. keystoneauth alone lets all but one fail with
    401: their invalidate() finds the token already dropped by the one renewing it."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.errors import CloudError

    session = CloudSession.connect("simcloud")
    try:
        session.get_json("compute", "/flavors")
        failures: list[str] = []
        barrier = Barrier(8)

        def one(_: int) -> None:
            barrier.wait()
            try:
                session.get_json("compute", "/flavors")
            except CloudError as error:
                failures.append(str(error))

        with ThreadPoolExecutor(8) as pool:
            for _ in range(5):
                revoke_tokens(sim)
                list(pool.map(one, range(8)))
        assert not failures, failures
    finally:
        session.close()
