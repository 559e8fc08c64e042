"""Security groups against the rig's Neutron and Nova: a group made in the form, a preset and
a typed rule added, a rule deleted, the group put on a server (and on its port, by Nova) and
taken off again, then the group deleted; each step read back from the services."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, table, wait_until
from tests.helpers.forms import open_form, set_field
from tests.helpers.ops import open_menu, press_and_confirm, run_with_choice
from tests.real import rig
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_security_group import CreateSecurityGroupForm
from tuicloud.screens.prompts import TextPrompt
from tuicloud.screens.resource_list import ResourceListScreen


async def test_group_ruled_worn_and_deleted(prefix: str, demo_sdk: Connection,
                                            routed_server: tuple[str, str, str]) -> None:
    server, port, _ = routed_server
    net = demo_sdk.network
    name = prefix + "web"
    app = make_app(cloud="real-demo", view="security-groups")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, timeout=rig.SLOW)
        screen = await open_form(pilot, app, CreateSecurityGroupForm)
        set_field(screen, "name", name)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        group = rig.wait_for(lambda: net.find_security_group(
            name, project_id=demo_sdk.current_project_id), "in Neutron")
        grid = table(app)
        await wait_until(pilot, lambda: grid.get_row(group.id) is not None, timeout=rig.SLOW,
                         what="its row")
        grid.cursor_id = group.id
        await run_with_choice(pilot, app, "preset rule", "tcp 22 from 0.0.0.0/0")

        def rules() -> list[object]:
            return list(net.security_group_rules(security_group_id=group.id,
                                                 direction="ingress"))

        rig.wait_for(lambda: any(r.port_range_min == 22 for r in rules()), "SSH rule")
        await open_menu(pilot, app)
        await pilot.press(*"custom rule", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        await pilot.press(*["backspace"] * 30, *"udp 5000-5010 from 10.0.0.0/8", "enter")
        typed = rig.wait_for(lambda: next((r for r in rules() if r.protocol == "udp"), None),
                             "typed rule")
        assert (typed.port_range_min, typed.port_range_max, typed.remote_ip_prefix) == (
            5000, 5010, "10.0.0.0/8")
        await run_with_choice(pilot, app, "delete a rule", typed.id)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        rig.wait_for(lambda: all(r.id != typed.id for r in rules()), "rule gone")
    app = make_app(cloud="real-demo", view="servers")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        await wait_until(pilot, lambda: grid.get_row(server) is not None, timeout=rig.SLOW,
                         what="the server")
        grid.cursor_id = server
        await run_with_choice(pilot, app, "add security", name)
        rig.wait_for(lambda: group.id in net.get_port(port).security_group_ids,
                     "on the server's port")
        await run_with_choice(pilot, app, "remove security", name)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        rig.wait_for(lambda: group.id not in net.get_port(port).security_group_ids,
                     "off the server's port")
    app = make_app(cloud="real-demo", view="security-groups")
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app, timeout=rig.SLOW)
        grid.cursor_id = group.id
        await press_and_confirm(pilot, app, ("ctrl+d",))
        await wait_until(pilot, lambda: grid.get_row(group.id) is None, timeout=rig.SLOW,
                         what="row gone")
        assert net.find_security_group(group.id) is None
