"""A security group's detail lists every rule (issue 13: rules without a description were
hidden, so a group listed with 5 rules showed an empty Rules section)."""

from __future__ import annotations

import openstack

from tests.helpers.app import loaded, make_app, screen_text, shown, wait_until
from tuicloud.cloud.kinds.security_groups import rule_pair
from tuicloud.screens.detail import DetailScreen
from tuicloud.simcloud import RunningSim


def test_rule_pair_reads_like_the_cli() -> None:
    ssh = {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
           "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0",
           "description": ""}
    assert rule_pair(ssh) == ("ingress IPv4", "tcp 22 from 0.0.0.0/0")
    web = {**ssh, "port_range_min": 80, "port_range_max": 443, "description": "web"}
    assert rule_pair(web) == ("ingress IPv4", "tcp 80-443 from 0.0.0.0/0 · web")
    out = {"direction": "egress", "ethertype": "IPv6", "protocol": None}
    assert rule_pair(out) == ("egress IPv6", "any to any")


async def test_every_rule_shows_in_the_detail(sim: RunningSim) -> None:
    conn = openstack.connect(cloud="simcloud")
    group = conn.network.create_security_group(name="no-descriptions")
    for port in (22, 80, 443):
        conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", ethertype="IPv4",
            protocol="tcp", port_range_min=port, port_range_max=port,
            remote_ip_prefix="10.0.0.0/8")
    rules = list(conn.network.security_group_rules(security_group_id=group.id))
    conn.close()
    assert len(rules) >= 5  # the two default egress rules and ours, none described
    app = make_app(view="security-groups")
    async with app.run_test(size=(120, 50)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: grid.get_row(group.id) is not None, what="its row")
        grid.cursor_id = group.id
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail")
        text = await shown(pilot, app, *(f"tcp {port} from 10.0.0.0/8" for port in (22, 80, 443)))
        assert text.count("egress IPv4") + text.count("egress IPv6") >= 2


async def test_a_long_fault_message_wraps_to_its_end_at_80_columns(sim: RunningSim) -> None:
    """Issue 13: long values lost their end at the edge with no sign; they wrap now."""
    nova = sim.cloud.service("compute")
    message = "No valid host was found. " + "There are not enough hosts available. " * 3
    message += "END-OF-FAULT"
    with sim.cloud.lock:
        server = next(s for s in nova.servers.values() if s.status == "ACTIVE")
        server.vm_state = "error"
        server.fault = (500, message, server.created, "")
        nova.touch(server)
    app = make_app()
    async with app.run_test(size=(80, 60)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: grid.get_row(server.id) is not None, what="its row")
        grid.cursor_id = server.id
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail")
        await wait_until(pilot, lambda: "END-OF-FAULT" in screen_text(app),
                         what="the fault message's end")
        assert "Volume attachments" in screen_text(app)  # a label, not the raw key


async def test_the_lists_keys_act_on_the_resource_from_its_detail(sim: RunningSim) -> None:
    """Issue 13: a, l, s and ctrl+d did nothing from a detail."""
    from tuicloud.screens.actions_menu import ActionsMenu
    from tuicloud.screens.confirm import ConfirmScreen
    from tuicloud.screens.resource_list import ResourceListScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app, 3)
        target = grid.visible_ids()[2]  # not the row the cursor starts on
        grid.cursor_id = target
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail")
        grid.cursor_id = grid.visible_ids()[0]  # the list's cursor moved meanwhile (a poll)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown(pilot, app, f"openstack server delete {target}")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="list")
        assert grid.cursor_id == target
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail again")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionsMenu), what="menu")
        await pilot.press("escape")
        # Marked rows: the list would act on them, not on this resource; so it refuses.
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="list")
        grid.marked.add(grid.visible_ids()[0])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail, rows marked")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)


async def test_J_jumps_from_a_volume_to_its_server_and_from_a_server_to_its_volumes(
        sim: RunningSim) -> None:
    """Issue 13: jumps between related resources (a volume to its server, a server to its
    volumes); `-` comes back to the view left."""
    from tuicloud.screens.related_menu import RelatedMenu

    cinder = sim.cloud.service("volume")
    app = make_app(view="volumes")
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        volume = next(v for v in cinder.volumes.values()
                      if v["attachments"] and grid.get_row(v["id"]))
        server_id = volume["attachments"][0]["server_id"]
        grid.cursor_id = volume["id"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="volume detail")
        await pilot.press("J")  # one server: opened at once
        await wait_until(pilot, lambda: app.current_mode == "servers"
                         and isinstance(app.screen, DetailScreen)
                         and app.screen.resource_id == server_id
                         and app.screen.raw is not None, what="the server's detail")
        server = app.screen
        assert isinstance(server, DetailScreen)
        jumps = server.related_jumps()
        assert any(j.kind == "volumes" and j.ident == volume["id"] for j in jumps)
        await pilot.press("J")
        if len(jumps) > 1:
            await wait_until(pilot, lambda: isinstance(app.screen, RelatedMenu), what="menu")
            number = next(n for n, j in enumerate(jumps, 1) if j.ident == volume["id"])
            await pilot.press(str(number))
        await wait_until(pilot, lambda: app.current_mode == "volumes"
                         and isinstance(app.screen, DetailScreen)
                         and app.screen.resource_id == volume["id"], what="back to the volume")
        await pilot.press("minus")
        await wait_until(pilot, lambda: app.current_mode == "servers", what="`-`: servers")
