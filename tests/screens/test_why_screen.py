"""`ctrl+w` / `:why` on a server (issue 14): the links shown with ✓ ✗ ?, a fix run only after
its confirmation and the path checked again; the source and port can be changed; read-only
refuses the fixes; `:why` elsewhere or with a bad port says so."""

from __future__ import annotations

from typing import Any

import openstack

from tests.helpers.app import (
    boot_on,
    loaded,
    make_app,
    network_named,
    notes,
    screen_text,
    shown,
    wait_until,
)
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.why import WhyScreen
from tuicloud.simcloud import RunningSim


async def _why(pilot: Any, app: Any, server_id: str, keys: tuple[str, ...] = ("ctrl+w",)
               ) -> WhyScreen:
    from tests.helpers.app import table

    grid = table(app)
    await wait_until(pilot, lambda: grid.get_row(server_id) is not None, what="the row")
    grid.cursor_id = server_id
    await pilot.press(*keys)
    await wait_until(pilot, lambda: isinstance(app.screen, WhyScreen)
                     and bool(app.screen.links), what="the links")
    screen = app.screen
    assert isinstance(screen, WhyScreen)
    return screen


def _verdicts(screen: WhyScreen) -> dict[str, str]:
    return {link.name: link.verdict for link in screen.links}


async def test_fixes_run_after_confirmation_and_the_path_opens(sim: RunningSim) -> None:
    neutron = sim.cloud.service("network")
    conn = openstack.connect(cloud="simcloud")
    try:
        key = conn.compute.create_keypair(name="why-key")
        server = boot_on(conn, network_named(conn, "demo-net").id, key_name=key.name)
        port = next(iter(conn.network.ports(device_id=server.id))).id
    finally:
        conn.close()
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("r")
        screen = await _why(pilot, app, server.id)
        assert _verdicts(screen)["Address"] == "broken"
        await shown(pilot, app, "Why can't 127.0.0.1 reach why-me on tcp 22?")
        fix = screen.current_fix()
        assert fix is not None and fix.label.startswith("allocate a floating IP")
        start = len(sim.cloud.request_log)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        writes = [r for r in list(sim.cloud.request_log)[start:] if r.method != "GET"]
        assert writes == []  # nothing before the confirmation
        await pilot.press("y")
        await wait_until(pilot, lambda: any(f["port_id"] == port
                                            for f in neutron.floating_ips.values()),
                         what="the address allocated")
        await wait_until(pilot, lambda: _verdicts(screen)["Address"] == "ok", what="rechecked")
        assert screen.current_fix() is not None  # on to the rule's fix
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: all(v == "ok" for v in _verdicts(screen).values()),
                         what="every link holds")
        await wait_until(pilot, lambda: "every link holds" in screen_text(app), what="said")
        await pilot.press("escape")
        assert not isinstance(app.screen, WhyScreen)


async def test_source_and_port_can_be_changed(sim: RunningSim) -> None:
    conn = openstack.connect(cloud="simcloud")
    try:
        group = conn.network.create_security_group(name="office-ssh")
        conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", ethertype="IPv4",
            protocol="tcp", port_range_min=22, port_range_max=22,
            remote_ip_prefix="10.0.0.0/8")
        server = boot_on(conn, network_named(conn, "demo-net").id,
                         security_groups=[{"name": "office-ssh"}])
    finally:
        conn.close()
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("r")
        screen = await _why(pilot, app, server.id)
        rules = next(x for x in screen.links if x.name == "Rules")
        assert rules.detail == "office-ssh allows it only from 10.0.0.0/8"
        await pilot.press("e")
        await pilot.press(*["backspace"] * 20, *"not-an-ip", "enter")
        await wait_until(pilot, lambda: "an IPv4 or IPv6 address" in screen_text(app),
                         what="refused")
        await pilot.press(*["backspace"] * 20, *"10.1.2.3", "enter")
        await wait_until(pilot, lambda: screen.source == "10.1.2.3"
                         and _verdicts(screen)["Rules"] == "ok", what="from the office")
        await pilot.press("p", *["backspace"] * 5, *"2222", "enter")
        await wait_until(pilot, lambda: screen.port == 2222
                         and _verdicts(screen)["Rules"] == "broken", what="another port")
        await shown(pilot, app, "reach why-me on tcp 2222?")


async def test_read_only_refuses_the_fix_and_why_elsewhere_says_so(sim: RunningSim) -> None:
    conn = openstack.connect(cloud="simcloud")
    try:
        server = boot_on(conn, network_named(conn, "demo-net").id)
    finally:
        conn.close()
    app = make_app(view="servers", read_only=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("r")
        await _why(pilot, app, server.id, ("colon", *"why", "space", *"2222", "enter"))
        assert app.screen.port == 2222  # type: ignore[attr-defined]
        start = len(sim.cloud.request_log)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: any("read-only mode" in n for n in notes(app)),
                         what="refused")
        assert all(r.method == "GET" or r.service == "identity"
                   for r in list(sim.cloud.request_log)[start:])
        await pilot.press("escape")
        await pilot.press("colon", *"why", "space", *"ssh", "enter")
        await wait_until(pilot, lambda: any("takes a TCP port" in n for n in notes(app)),
                         what="bad port")
        await pilot.press("colon", *"volumes", "enter")
        await wait_until(pilot, lambda: app.current_mode == "volumes", what="volumes")
        await loaded(pilot, app)
        await pilot.press("colon", *"why", "enter")
        await wait_until(pilot, lambda: any("use it on the servers view" in n
                                            for n in notes(app)), what="not here")
