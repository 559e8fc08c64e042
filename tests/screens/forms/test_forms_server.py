"""The launch form (`c` on servers), through the Pilot against simcloud with the real SDK."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from tests.helpers.app import make_app, table, wait_until
from tests.helpers.forms import (
    demo_project,
    field_error,
    open_form,
    plain_text,
    set_field,
)
from tuicloud.screens.forms.base import DiscardScreen
from tuicloud.screens.forms.launch_server import LaunchServerForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim, SimConfig

# One simcloud for the module (each test launches servers with its own names).
MODULE_SIMCLOUD = SimConfig(servers=6, volumes=4, images=4, build_delay=0.2,
                            action_delay=0.1)
QUOTAS_RESET = "compute"  # its quota overrides are undone after each test


def servers_named(sim: RunningSim, prefix: str) -> list[Any]:
    """simcloud's servers whose name starts with ``prefix``."""
    return [s for s in sim.cloud.service("compute").servers.values()
            if s.name.startswith(prefix)]


def ready(screen: Any) -> bool:
    """The form's choices are in."""
    return isinstance(screen, LaunchServerForm) and screen.choices is not None


def pick(screen: Any, image: str, flavor: str, network: str) -> None:
    """Choose an image, flavor and network by name."""
    choices = screen.choices
    set_field(screen, "image", next(i["id"] for i in choices.images if i["name"] == image))
    set_field(screen, "flavor", next(f["id"] for f in choices.flavors if f["name"] == flavor))
    set_field(screen, "networks", [next(n["id"] for n in choices.networks
                                        if n["name"] == network)])


async def test_launch_two_servers_with_everything(sim: RunningSim, tmp_path: Path) -> None:
    """Typed name, count 2, user data from a file, metadata, key pair: two servers boot, the
    command line says the same, ctrl+y copies it, and the list follows them."""
    user_data = tmp_path / "init.yaml"
    user_data.write_text("#cloud-config\npackages: [htop]\n")
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        assert isinstance(screen, LaunchServerForm)
        assert screen.values()["security_groups"] == ["default"]  # the sensible default
        await pilot.press(*"lf-web")  # the name field has the focus
        set_field(screen, "count", "2")
        pick(screen, "cirros-0.6.2-x86_64-disk", "m1.small", "demo-net")
        set_field(screen, "key_name", "demo-key")
        set_field(screen, "user_data", str(user_data))
        set_field(screen, "metadata", "role=web, tier=front")
        await pilot.pause(0.2)
        text = plain_text(app)
        assert "of 30 instances left" in text
        command = screen.query_one("#form-command").render()
        assert "openstack server create --flavor m1.small --image cirros-0.6.2-x86_64-disk" \
            in str(command)
        assert "--min 2 --max 2 lf-web" in str(command)
        await pilot.press("ctrl+y")
        assert app.clipboard.startswith("openstack server create --flavor m1.small")
        assert f"--user-data {user_data}" in app.clipboard
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        await wait_until(pilot, lambda: len(servers_named(sim, "lf-web")) == 2, what="servers")
        ids = {s.id for s in servers_named(sim, "lf-web")}
        await wait_until(pilot, lambda: all(table(app).get_row(i) for i in ids),
                         what="new rows in the list")
    made = servers_named(sim, "lf-web")
    assert sorted(s.name for s in made) == ["lf-web-1", "lf-web-2"]
    assert made[0].metadata == {"role": "web", "tier": "front"}
    assert made[0].key_name == "demo-key"
    assert base64.b64decode(made[0].user_data) == user_data.read_bytes()


async def test_invalid_input_is_refused_before_sending(sim: RunningSim) -> None:
    """Empty name, count 0, a bad metadata pair and a missing file: errors next to each field,
    nothing sent, everything typed kept."""
    app = make_app(view="servers")
    before = len(sim.cloud.service("compute").servers)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        set_field(screen, "count", "0")
        set_field(screen, "metadata", "role=web, nonsense")
        set_field(screen, "user_data", "/no/such/file")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert field_error(screen, "name") == "a name is required"
        assert "at least 1" in field_error(screen, "count")
        assert "'nonsense' is not key=value" in field_error(screen, "metadata")
        assert field_error(screen, "user_data") == "no such file"
        assert field_error(screen, "flavor") == "choose a flavor"
        set_field(screen, "name", " padded")
        await pilot.pause(0.1)
        assert "must not start or end with a space" in field_error(screen, "name")
        assert screen.values()["metadata"] == "role=web, nonsense"
        assert isinstance(app.screen, LaunchServerForm)
    assert len(sim.cloud.service("compute").servers) == before


async def test_count_beyond_the_quota_headroom_is_refused(sim: RunningSim) -> None:
    """The limits API's headroom is shown, and a count beyond it refused before sending."""
    nova = sim.cloud.service("compute")
    project = demo_project(sim)
    used = nova.instance_usage(project)["instances"]
    nova.quotas[project] = {**nova.quotas.get(project, {}), "instances": used + 1}
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        assert f"1 of {used + 1} instances left" in plain_text(app)
        await pilot.press(*"lf-quota")
        set_field(screen, "count", "2")
        pick(screen, "cirros-0.6.2-x86_64-disk", "m1.tiny", "demo-net")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert field_error(screen, "count") == f"only 1 of {used + 1} instances left in the quota"
        assert screen.values()["name"] == "lf-quota"  # `q` typed into a field is text
    assert not servers_named(sim, "lf-quota")


async def test_api_quota_error_is_shown_next_to_count(sim: RunningSim) -> None:
    """403 from Nova (the quota shrank after the form opened): the message and request id
    are next to the count, and the form keeps what was typed."""
    nova = sim.cloud.service("compute")
    project = demo_project(sim)
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        await pilot.press(*"lf-403")
        pick(screen, "cirros-0.6.2-x86_64-disk", "m1.tiny", "demo-net")
        nova.quotas[project] = {**nova.quotas.get(project, {}),
                                "cores": nova.instance_usage(project)["cores"]}
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(field_error(screen, "count")), what="API error")
        error = field_error(screen, "count")
        assert error.startswith("403 Forbidden: Quota exceeded for cores")
        assert "(req-" in error
        assert screen.values()["name"] == "lf-403"
        assert isinstance(app.screen, LaunchServerForm)
    assert not servers_named(sim, "lf-403")


async def test_api_bad_request_is_shown_next_to_flavor(sim: RunningSim) -> None:
    """A flavor too small for the image is marked and not sent (issue 13: it could be
    submitted); when the image grew after the form loaded, Nova's 400 lands next to the
    flavor."""
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        await pilot.press(*"lf-400")
        image = "ubuntu-24.04-server-cloudimg-amd64"
        pick(screen, image, "m1.tiny", "demo-net")
        await pilot.pause(0.2)
        hint = str(screen.query_one("#hint-flavor").render())
        assert "too small for the image: disk 1 GB < image min 10 GB" in hint
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(field_error(screen, "flavor")), what="refusal")
        assert field_error(screen, "flavor").startswith("too small for the image")
        assert not [r for r in list(sim.cloud.request_log)[start:] if r.method == "POST"
                    and r.path.endswith("/servers")]
        pick(screen, image, "m1.small", "demo-net")
        glance = sim.cloud.service("image")
        with sim.cloud.lock:  # the image now needs more than the form knows
            record = next(i for i in glance.images.values() if i["name"] == image)
            record["min_disk"] = 500
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "400" in field_error(screen, "flavor"),
                         what="API error")
        assert field_error(screen, "flavor").startswith(
            "400 Bad Request: Flavor's disk is too small for requested image")
        assert screen.values()["name"] == "lf-400"
    assert not servers_named(sim, "lf-400")


async def test_boot_from_new_volume(sim: RunningSim) -> None:
    """Boot source "new volume from an image": size required, then a boot volume is made."""
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        await pilot.press(*"lf-bfv")
        set_field(screen, "boot", "volume-from-image")
        pick(screen, "fedora-cloud-base-41", "m1.small", "demo-net")
        await pilot.pause(0.1)
        assert screen.rows()["volume_size"].display
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert "at least 1" in field_error(screen, "volume_size")
        set_field(screen, "volume_size", "3")
        await pilot.pause(0.1)
        assert field_error(screen, "volume_size") == "the image needs at least 5 GB"
        set_field(screen, "volume_size", "8")
        set_field(screen, "delete_on_terminate", True)
        await pilot.pause(0.1)
        assert "--boot-from-volume 8" in str(screen.query_one("#form-command").render())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
    made = servers_named(sim, "lf-bfv")
    assert len(made) == 1 and made[0].image_id == ""


async def test_escape_asks_before_discarding(sim: RunningSim) -> None:
    """Escape on a form with typed text asks; `n` keeps it, `y` discards. Untouched: closes."""
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_form(pilot, app, LaunchServerForm, ready=ready)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="closed without asking")
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        await pilot.press(*"keep-me")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardScreen), what="question")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen, what="back to the form")
        assert screen.values()["name"] == "keep-me"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardScreen), what="question")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="discarded")


async def test_hostile_names_do_not_reach_the_terminal(sim: RunningSim) -> None:
    """An image named with terminal escapes: the option, the command line and the hint show it
    defanged; ctrl+y still copies the name as it is."""
    glance = sim.cloud.service("image")
    image = next(i for i in glance.images.values() if i["status"] == "active")
    original = image["name"]
    image["name"] = "evil\x1b]0;pwned\x07\x1b[31mred"
    try:
        app = make_app(view="servers")
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
            await pilot.press(*"lf-evil")
            pick(screen, image["name"], "m1.large", "demo-net")
            await pilot.pause(0.2)
            command = str(screen.query_one("#form-command").render())
            assert "--image" in command and "evil" in command
            assert "\x1b" not in command and "\x07" not in command
            assert "\x1b" not in plain_text(app)
    finally:
        image["name"] = original


async def test_a_server_error_is_shown_on_the_form(sim: RunningSim) -> None:
    """A 5xx concerns no field: the message (with its request id) goes under the fields and
    the form stays as it was."""
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        await pilot.press(*"lf-500")
        pick(screen, "cirros-0.6.2-x86_64-disk", "m1.tiny", "demo-net")
        sim.faults.error_services, sim.faults.error_rate = {"compute"}, 1.0
        try:
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: "(req-" in str(
                screen.query_one("#form-message").render()), what="5xx shown")
        finally:
            sim.faults.error_services, sim.faults.error_rate = None, 0.0
        message = str(screen.query_one("#form-message").render())
        assert message.startswith(("500 Internal Server Error", "503 Service Unavailable"))
        assert screen.values()["name"] == "lf-500"
        assert isinstance(app.screen, LaunchServerForm)
    assert not servers_named(sim, "lf-500")


async def test_several_networks_and_none_chosen_is_refused_before_sending(
        sim: RunningSim) -> None:
    """Issue 13: the form submitted with no network among several; Nova refuses "auto" then
    (409 Multiple possible networks found). The quota hint reads what is left."""
    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        assert len(screen.choices.networks) > 1, "the demo project sees several networks"
        await pilot.press(*"lf-nonet")
        pick(screen, "cirros-0.6.2-x86_64-disk", "m1.small", "demo-net")
        set_field(screen, "networks", [])
        await pilot.pause(0.2)
        assert " left" in str(screen.query_one("#hint-count").render())
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(field_error(screen, "networks")), what="refusal")
        assert "choose a network" in field_error(screen, "networks")
        assert not [r for r in list(sim.cloud.request_log)[start:] if r.method == "POST"]
    assert not servers_named(sim, "lf-nonet")


async def test_type_to_search_in_the_image_and_flavor_pickers(sim: RunningSim) -> None:
    """Issue 13: in an opened picker, typing jumps to the first entry starting so."""
    from textual.widgets import Select

    app = make_app(view="servers")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm, ready=ready)
        for field, typed, wanted in (("image", "fed", "fedora-cloud-base-41"),
                                     ("flavor", "m1.l", "m1.large")):
            select = screen.rows()[field].widget
            assert isinstance(select, Select)
            select.focus()
            await pilot.pause()
            await pilot.press("enter")
            await wait_until(pilot, lambda select=select: select.expanded, what="drop-down")
            await pilot.press(*typed, "enter")
            await wait_until(pilot, lambda select=select: not select.expanded, what="closed")
            chosen = screen.values()[field]
            names = {str(c["id"]): c["name"] for c in
                     (screen.choices.images if field == "image" else screen.choices.flavors)}
            assert names.get(str(chosen)) == wanted, (field, chosen)
