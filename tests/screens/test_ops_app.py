"""Pilot tests of operations through the app against simcloud: the actions menu, direct keys,
confirmation, bulk actions, following, errors, read-only and protected clouds."""

from __future__ import annotations

from pathlib import Path

import openstack
import pytest
from textual.widgets import Button, Input, OptionList

from tests.helpers.app import (
    list_screen,
    loaded,
    make_app,
    notes,
    private_network,
    shown,
    table,
    wait_until,
)
from tests.helpers.ops import open_menu, pick, status_of, writes
from tuicloud.screens.actions_menu import ActionsMenu
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.prompts import ChoicePrompt, TextPrompt
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def options(menu: ActionsMenu) -> dict[str, tuple[bool, str]]:
    """op id -> (enabled, the option's text)."""
    widget = menu.query_one("#actions-list", OptionList)
    found = {}
    for index in range(widget.option_count):
        option = widget.get_option_at_index(index)
        found[str(option.id)] = (option.id not in menu.unavailable, str(option.prompt))
    return found


async def test_menu_shows_valid_actions_and_starts_a_server(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        server = pick(sim, "stopped")[0]
        table(app).cursor_id = server.id
        menu = await open_menu(pilot, app)
        listed = options(menu)
        assert listed["server.start"][0]
        assert not listed["server.reboot"][0] and "server is SHUTOFF" in listed["server.reboot"][1]
        await shown(pilot, app, "openstack server start " + server.id)
        await pilot.press(*"sta")  # letters reach the filter, not the direct keys
        assert menu.query_one("#actions-filter", Input).value == "sta"
        assert list(options(menu)) == ["server.start"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen))
        assert status_of(app, server.id) in ("SHUTOFF (powering-on)", "ACTIVE")
        await wait_until(pilot, lambda: status_of(app, server.id) == "ACTIVE", what="ACTIVE")
        await wait_until(pilot, lambda: any("Start" in n and "ACTIVE" in n for n in notes(app)),
                         what="success notification")


async def test_direct_key_stop_asks_and_copies_the_command(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        server = pick(sim, "active")[0]
        table(app).cursor_id = server.id
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown(pilot, app, server.name, f"openstack server stop {server.id}")
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: any(n.startswith("Copied: openstack server stop")
                                            for n in notes(app)), what="copied")
        assert app.clipboard == f"openstack server stop {server.id}"
        await pilot.press("escape")  # cancelled: nothing sent
        assert isinstance(app.screen, ResourceListScreen)
        start = len(sim.cloud.request_log)
        await pilot.pause(0.3)
        assert writes(sim, start) == []
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: status_of(app, server.id) == "SHUTOFF", what="SHUTOFF")
        assert writes(sim, start) == [("POST", f"/compute/v2.1/servers/{server.id}/action")]


async def test_bulk_reboot_of_three_marked_servers(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        servers = pick(sim, "active", 3)
        grid = table(app)
        for server in servers:
            grid.cursor_id = server.id
            await pilot.press("space")
        assert grid.marked == {s.id for s in servers}
        menu = await open_menu(pilot, app)
        await shown(pilot, app, "3 servers")
        rename = options(menu)["server.rename"]
        assert not rename[0] and "one at a time" in rename[1]
        await pilot.press(*"soft")
        assert list(options(menu)) == ["server.reboot"]
        start = len(sim.cloud.request_log)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown(pilot, app, "3 resources", *(s.name for s in servers), "… and 2 more like it")
        await pilot.press("ctrl+y")  # every row's command, one a line
        assert app.clipboard.splitlines() == [
            f"openstack server reboot --soft {s.id}" for s in sorted(
                servers, key=lambda s: grid.visible_ids().index(s.id))]
        await pilot.press("y")
        await wait_until(pilot, lambda: all(status_of(app, s.id) == "REBOOT" for s in servers)
                         or len(writes(sim, start)) == 3, what="REBOOT shown")
        await wait_until(pilot, lambda: sum("Reboot (soft)" in n for n in notes(app)) == 3,
                         what="three notifications")
        assert sorted(writes(sim, start)) == sorted(
            ("POST", f"/compute/v2.1/servers/{s.id}/action") for s in servers)
        assert all(status_of(app, s.id) == "ACTIVE" for s in servers)


async def test_ctrl_d_deletes_a_volume_and_refuses_one_in_use(sim: RunningSim) -> None:
    app = make_app(view="volumes")
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        cinder = sim.cloud.service("volume")
        in_use = next(v for v in cinder.volumes.values() if v["status"] == "in-use"
                      and grid.get_row(v["id"]))
        grid.cursor_id = in_use["id"]
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: any("in-use: detach it first" in n for n in notes(app)),
                         what="refusal")
        assert not isinstance(app.screen, ConfirmScreen)
        conn = openstack.connect(cloud="simcloud")
        free = conn.block_storage.create_volume(size=1, name="scratch")
        conn.close()
        # What a create form does: follow the new volume (its row appears, then settles).
        list_screen(app).follow([free.id], "creating")
        await wait_until(pilot, lambda: status_of(app, free.id) == "available", what="new")
        # The note comes from the follow's last poll, a call after the row's new status.
        await wait_until(pilot, lambda: "scratch: available" in notes(app), what="its note")
        grid.cursor_id = free.id
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown(pilot, app, f"openstack volume delete {free['id']}")
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row(free.id) is None, what="row gone")
        await wait_until(pilot, lambda: "scratch deleted" in notes(app), what="deleted note")


async def test_extend_prompt_validates_and_shows_413(sim: RunningSim) -> None:
    app = make_app(view="volumes")
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        cinder = sim.cloud.service("volume")
        volume = next(v for v in cinder.volumes.values() if v["status"] == "available"
                      and grid.get_row(v["id"]))
        grid.cursor_id = volume["id"]
        await open_menu(pilot, app)
        await pilot.press(*"extend", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="prompt")
        field = app.screen.query_one("#prompt-input", Input)
        field.value = str(volume["size"])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)  # kept open, with what was typed
        await shown(pilot, app, f"must be larger than the current {volume['size']} GB")
        assert field.value == str(volume["size"])
        field.value = str(volume["size"] + 5000)
        await shown(pilot, app, f"--size {volume['size'] + 5000}")
        cinder.quotas[volume["project_id"]] = {"gigabytes": 1}
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("413" in n for n in notes(app)), what="413")
        message = next(n for n in notes(app) if "413" in n)
        assert "over a quota or limit" in message and "(req-" in message
        assert status_of(app, volume["id"]) == "available"  # the transitional state is undone


async def test_resize_then_confirm(sim: RunningSim) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        server = pick(sim, "active")[0]
        table(app).cursor_id = server.id
        await open_menu(pilot, app)
        await pilot.press(*"resize", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                         and bool(app.screen.choices), what="flavors")
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert any(c.disabled == "the current flavor" for c in prompt.choices)
        await pilot.pause()
        chosen = prompt.current_value()
        assert chosen
        await shown(pilot, app, f"openstack server resize --flavor {chosen}", server.id)
        await pilot.press("enter")
        await wait_until(pilot, lambda: status_of(app, server.id) == "VERIFY_RESIZE",
                         what="VERIFY_RESIZE")
        menu = await open_menu(pilot, app)
        assert options(menu)["server.resize_confirm"][0]
        await pilot.press(*"confirm", "enter")
        await wait_until(pilot, lambda: status_of(app, server.id) == "ACTIVE", what="ACTIVE")
        assert server.flavor_id == chosen


async def test_read_only_disables_and_refuses(sim: RunningSim) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        server = pick(sim, "active")[0]
        table(app).cursor_id = server.id
        start = len(sim.cloud.request_log)
        menu = await open_menu(pilot, app)
        listed = options(menu)
        assert listed and all(not enabled and "read-only" in text
                              for enabled, text in listed.values())
        await pilot.press("enter")
        assert isinstance(app.screen, ActionsMenu)
        await pilot.press("escape")
        for key in ("x", "b", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmScreen)
        await wait_until(pilot, lambda: sum("read-only" in n for n in notes(app)) >= 3,
                         what="three refusals")
        assert writes(sim, start) == []


async def test_protected_cloud_requires_the_name(sim: RunningSim,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    assert sim.clouds_yaml is not None
    text = sim.clouds_yaml.read_text().replace(
        "  simcloud-admin:", "    tuicloud:\n      protected: true\n  simcloud-admin:")
    protected = tmp_path / "protected.yaml"
    protected.write_text(text)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(protected))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        server = pick(sim, "active")[0]
        table(app).cursor_id = server.id
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen) and dialog.require_typing == server.name
        assert dialog.query_one("#confirm-yes", Button).disabled
        start = len(sim.cloud.request_log)
        await pilot.press("y", "enter")  # "y" goes into the field; enter: not the name yet
        assert isinstance(app.screen, ConfirmScreen)
        typed = dialog.query_one("#confirm-typed", Input)
        typed.value = server.name
        await pilot.pause()
        assert not dialog.query_one("#confirm-yes", Button).disabled
        await pilot.press("enter")
        await wait_until(pilot, lambda: table(app).get_row(server.id) is None, what="deleted")
        assert writes(sim, start) == [("DELETE", f"/compute/v2.1/servers/{server.id}")]


async def test_conflict_when_the_state_changed_meanwhile(sim: RunningSim) -> None:
    """The menu read ACTIVE; the server stopped before the reboot was sent: Nova's 409 is
    shown with its message and request id, and the row shows the real state again."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        server = pick(sim, "active")[0]
        table(app).cursor_id = server.id
        await open_menu(pilot, app)
        await pilot.press(*"soft", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        with sim.cloud.lock:
            server.vm_state, server.power_state = "stopped", 4
        await pilot.press("y")
        await wait_until(pilot, lambda: any("409" in n for n in notes(app)), what="409")
        message = next(n for n in notes(app) if "409" in n)
        assert message.startswith(f"Reboot (soft) {server.name} failed: 409 Conflict "
                                  "(conflicts with the resource's current state): ")
        assert "Cannot 'reboot' instance" in message and "(req-" in message
        assert status_of(app, server.id) == "ACTIVE"  # what the list last saw; not REBOOT


async def test_image_menu_reasons_and_edit_form(sim: RunningSim) -> None:
    from tuicloud.screens.forms.image_edit import ImageEditForm

    app = make_app(view="images")
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        glance = sim.cloud.service("image")
        protected = next(i for i in glance.images.values() if i.get("protected")
                         and grid.get_row(i["id"]))
        grid.cursor_id = protected["id"]
        menu = await open_menu(pilot, app)
        listed = options(menu)
        assert not listed["image.delete"][0]
        assert "image is protected: unprotect it first" in listed["image.delete"][1]
        await pilot.press(*"edit", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ImageEditForm), what="edit form")


async def test_forbidden_and_not_found_are_explained(sim: RunningSim) -> None:
    app = make_app(view="images")
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await loaded(pilot, app)
        glance = sim.cloud.service("image")
        demo = sim.cloud.service("identity").project_by_name("demo")
        foreign = next(i for i in glance.images.values() if i.get("owner") != demo.id
                       and not i.get("protected") and grid.get_row(i["id"]))
        grid.cursor_id = foreign["id"]
        await open_menu(pilot, app)
        await pilot.press(*"protect", "enter")  # not destructive: runs at once
        await wait_until(pilot, lambda: any("403" in n for n in notes(app)), what="403")
        message = next(n for n in notes(app) if "403" in n)
        assert "403 Forbidden (not allowed): You are not authorized" in message
        assert "(req-" in message and not foreign.get("protected")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        server = pick(sim, "active")[0]
        table(app).cursor_id = server.id
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        with sim.cloud.lock:  # deleted by someone else while the dialog was open
            del sim.cloud.service("compute").servers[server.id]
        await pilot.press("y")
        await wait_until(pilot, lambda: any("404" in n for n in notes(app)), what="404")
        message = next(n for n in notes(app) if "404" in n)
        assert message.startswith(f"Stop {server.name} failed: 404 Not Found (not found "
                                  "(deleted meanwhile?)): ")


async def test_follow_reports_a_fault_with_its_request_id(sim: RunningSim) -> None:
    """What a launch form does after creating: follow the new server; its build fails and the
    notification carries Nova's fault message and the request id of the failed action."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        conn = openstack.connect(cloud="simcloud")
        image = next(conn.image.images(status="active"))
        flavor = next(f for f in conn.compute.flavors() if f.disk >= (image.min_disk or 0)
                      and f.disk >= 20)
        server = conn.compute.create_server(name="doomed", image_id=image.id,
                                            flavor_id=flavor.id,
                                            networks=private_network(conn),
                                            metadata={"simcloud:fail": "no valid host"})
        conn.close()
        list_screen(app).follow([server.id], "BUILD")
        await wait_until(pilot, lambda: any(n.startswith("doomed failed: ERROR: ")
                                            for n in notes(app)), what="fault")
        message = next(n for n in notes(app) if n.startswith("doomed failed"))
        assert "no valid host" in message and "(req-" in message
        assert status_of(app, server.id) == "ERROR"


async def test_quitting_stops_following(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resource that never settles is polled until the app quits, and not after."""
    import asyncio

    from tuicloud.cloud import operations as ops
    from tuicloud.screens import operations as screen_ops

    monkeypatch.setattr(ops, "settled", lambda kind, raw: False)
    monkeypatch.setattr(screen_ops, "FOLLOW_INTERVAL", 0.1)
    app = make_app()
    server = pick(sim, "active")[0]
    path = f"/compute/v2.1/servers/{server.id}"

    def polls() -> int:
        return sum(1 for r in list(sim.cloud.request_log) if r.path == path)

    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        list_screen(app).follow([server.id], "ACTIVE (testing)")
        await wait_until(pilot, lambda: polls() >= 3, what="fast polls")
        await pilot.press("q")
    seen = polls()
    await asyncio.sleep(0.6)  # six intervals: a follower still running would poll again
    assert polls() == seen


@pytest.mark.parametrize("cloud", ["simcloud", "simcloud-admin"])
async def test_ctrl_d_on_a_server_is_the_plain_delete_for_members_and_admins(
        sim: RunningSim, cloud: str) -> None:
    """Force delete (admin) is in the actions menu; ctrl+d is always the plain delete (it was
    once the first deleting action listed: refused to members, a force delete for admins)."""
    server = pick(sim, "active")[0]
    app = make_app(cloud=cloud, all_projects=cloud == "simcloud-admin")  # demo's servers
    async with app.run_test(size=(160, 40)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: server.id in grid.visible_ids(), what="the server")
        grid.cursor_id = server.id
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        text = await shown(pilot, app, f"openstack server delete {server.id}")
        assert "--force" not in text
        await pilot.press("escape")
