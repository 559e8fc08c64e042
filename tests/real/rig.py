"""Helpers for the rig suite: SDK-side waits, boots and clean-up, and app-side probes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from openstack.connection import Connection
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.helpers.app import table, wait_until
from tuicloud.app import TuiCloudApp
from tuicloud.screens.actions_menu import ActionsMenu

log = logging.getLogger(__name__)

# The fake drivers settle in 1-3 s; a busy 2-core machine can take ten times that.
SLOW = 120.0


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = SLOW) -> Any:
    """Poll ``predicate`` (outside the app) until it returns something true."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def boot(conn: Connection, name: str, flavor: str = "m1.tiny") -> str:
    """Boot a server without a network and wait for ACTIVE; its id."""
    image = conn.image.find_image("fake-image", ignore_missing=False)
    sizes = conn.compute.find_flavor(flavor, ignore_missing=False)
    made = conn.compute.create_server(name=name, image_id=image.id, flavor_id=sizes.id,
                                      networks="none")
    server_status(conn, made.id, "ACTIVE")
    return str(made.id)


def server_status(conn: Connection, ident: str, want: str, timeout: float = SLOW) -> Any:
    """Wait until the server is ``want`` with no task running; the server."""
    def check() -> Any:
        found = conn.compute.get_server(ident)
        if found.status == "ERROR" and want != "ERROR":
            raise AssertionError(f"server went ERROR: {found.fault}")
        return found if found.status == want and not found.task_state else None
    return wait_for(check, f"server {want}", timeout)


def volume_status(conn: Connection, ident: str, want: str) -> Any:
    def check() -> Any:
        found = conn.block_storage.get_volume(ident)
        return found if found.status == want else None
    return wait_for(check, f"volume {want}")


def delete_server(conn: Connection, ident: str) -> None:
    try:
        found = conn.compute.find_server(ident)
        if found is None:
            return
        if found.is_locked:
            conn.compute.unlock_server(found)
        conn.compute.delete_server(found)
        wait_for(lambda: conn.compute.find_server(ident) is None, "server gone")
    except Exception:
        log.exception("could not delete server %s", ident)


def sweep(conn: Connection, prefix: str, keypairs: bool = True) -> None:
    """Delete every server, server group, volume snapshot, volume, image, floating IP (by its
    description), router, network and key pair named ``prefix``…;
    failures are logged (a clean-up must not hide the test's own result)."""
    for found in list(conn.compute.servers()):
        if found.name.startswith(prefix):
            delete_server(conn, found.id)
    for group in list(conn.compute.server_groups()):
        if (group.name or "").startswith(prefix):
            _quietly(lambda g=group: conn.compute.delete_server_group(g))
    for snap in list(conn.block_storage.snapshots()):
        if (snap.name or "").startswith(prefix):
            _quietly(lambda s=snap: conn.block_storage.delete_snapshot(s))
    for snap in list(conn.block_storage.snapshots()):
        if (snap.name or "").startswith(prefix):
            _quietly(lambda s=snap: wait_for(
                lambda: conn.block_storage.find_snapshot(s.id) is None, "snapshot gone"))
    for volume in list(conn.block_storage.volumes()):
        if (volume.name or "").startswith(prefix):
            _quietly(lambda v=volume: _delete_volume(conn, v.id))
    for image in list(conn.image.images(owner=conn.current_project_id)):
        if (image.name or "").startswith(prefix):
            _quietly(lambda i=image: _delete_image(conn, i))
    # Floating IPs have no name: their description carries the prefix.
    for address in list(conn.network.ips(project_id=conn.current_project_id)):
        if (address.description or "").startswith(prefix):
            _quietly(lambda a=address: conn.network.delete_ip(a))
    for port in list(conn.network.ports(project_id=conn.current_project_id)):
        if port.name and port.name.startswith(prefix) and not port.device_owner:
            _quietly(lambda p=port: conn.network.delete_port(p))
    # After the ports: a group a port still holds cannot go.
    for group in list(conn.network.security_groups(project_id=conn.current_project_id)):
        if group.name != "default" and (group.name or "").startswith(prefix):
            _quietly(lambda g=group: conn.network.delete_security_group(g))
    for router in list(conn.network.routers(project_id=conn.current_project_id)):
        if (router.name or "").startswith(prefix):
            _quietly(lambda r=router: _delete_router(conn, r))
    for net in list(conn.network.networks(project_id=conn.current_project_id)):
        if (net.name or "").startswith(prefix):
            _quietly(lambda n=net: _delete_network(conn, n))
    for pair in list(conn.compute.keypairs()) if keypairs else []:  # the user's, not the project's
        if pair.name.startswith(prefix):
            _quietly(lambda p=pair: conn.compute.delete_keypair(p))
    # Application credentials are the user's too: only this run's (named), never all of them.
    for cred in list(conn.identity.application_credentials(conn.current_user_id)) \
            if keypairs else []:
        if (cred.name or "").startswith(prefix):
            _quietly(lambda c=cred: conn.identity.delete_application_credential(
                conn.current_user_id, c.id))


def _quietly(step: Callable[[], Any]) -> None:
    try:
        step()
    except Exception:
        log.exception("clean-up step failed")


def _delete_volume(conn: Connection, ident: str) -> None:
    settled = ("available", "error", "error_extending", "error_deleting", None)

    def status() -> str | None:  # None: gone already (a test deleted it meanwhile)
        found = conn.block_storage.find_volume(ident)
        return None if found is None else str(found.status)
    # An in-use volume is detached when its server goes (servers are swept first).
    wait_for(lambda: status() in settled, "volume settled")
    if status() is None:
        return
    conn.block_storage.delete_volume(ident, force=False, ignore_missing=True)
    wait_for(lambda: conn.block_storage.find_volume(ident) is None, "volume gone")


def _delete_network(conn: Connection, net: Any) -> None:
    for port in list(conn.network.ports(network_id=net.id)):
        if port.device_owner.startswith("compute:"):  # a deleted server's, going
            wait_for(lambda p=port: conn.network.find_port(p.id) is None, "port gone")
    conn.network.delete_network(net)


def _delete_router(conn: Connection, router: Any) -> None:
    for port in list(conn.network.ports(device_id=router.id)):
        if port.device_owner == "network:router_interface":
            conn.network.remove_interface_from_router(router, port_id=port.id)
    conn.network.delete_router(router)


def _delete_image(conn: Connection, image: Any) -> None:
    if image.is_protected:
        conn.image.update_image(image, is_protected=False)
    conn.image.delete_image(image)


def notes(app: TuiCloudApp) -> list[str]:
    return [n.message for n in app._notifications]


def mark(app: TuiCloudApp) -> frozenset[str]:
    """The notifications shown now (they expire, so later ones are told apart by identity)."""
    return frozenset(n.identity for n in app._notifications)


def status_of(app: TuiCloudApp, ident: str) -> str:
    row = table(app).get_row(ident) or {}
    value = row.get("status")
    return str(getattr(value, "plain", value))


async def open_menu(pilot: Pilot[Any], app: TuiCloudApp) -> ActionsMenu:
    await pilot.press("a")
    await wait_until(pilot, lambda: isinstance(app.screen, ActionsMenu)
                     and app.screen.raws is not None, timeout=SLOW, what="actions menu")
    menu = app.screen
    assert isinstance(menu, ActionsMenu)
    return menu


def options(menu: ActionsMenu) -> dict[str, tuple[bool, str]]:
    """op id -> (enabled, the option's text)."""
    widget = menu.query_one("#actions-list", OptionList)
    found = {}
    for index in range(widget.option_count):
        option = widget.get_option_at_index(index)
        found[str(option.id)] = (option.id not in menu.unavailable, str(option.prompt))
    return found


async def run_op(pilot: Pilot[Any], app: TuiCloudApp, ident: str,
                 op_id: str) -> frozenset[str]:
    """Put the cursor on ``ident``, pick ``op_id`` in the actions menu (as arrow keys would)
    and confirm if asked; the notifications before (see `mark`), to wait for the outcome."""
    from tuicloud.screens.confirm import ConfirmScreen

    table(app).cursor_id = ident
    before = mark(app)
    menu = await open_menu(pilot, app)
    listed = options(menu)
    assert listed[op_id][0], f"{op_id} not offered: {listed[op_id][1]}"
    menu.query_one("#actions-list", OptionList).highlighted = list(listed).index(op_id)
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.screen is not menu, timeout=SLOW, what="menu closed")
    if isinstance(app.screen, ConfirmScreen):
        await pilot.press("y")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen),
                         what="confirmed")
    return before


def notes_since(app: TuiCloudApp, before: frozenset[str]) -> list[str]:
    return [n.message for n in app._notifications if n.identity not in before]


async def note_after(pilot: Pilot[Any], app: TuiCloudApp, before: frozenset[str],
                     match: Callable[[str], bool], what: str) -> str:
    """Wait for a notification (not among ``before``) that ``match``es; it."""
    def found() -> str | None:
        return next((n for n in notes_since(app, before) if match(n)), None)
    try:
        await wait_until(pilot, lambda: found() is not None, timeout=SLOW, what=what)
    except AssertionError as error:
        raise AssertionError(f"{error}; notifications: {notes_since(app, before)}; "
                             f"screen: {type(app.screen).__name__}") from None
    message = found()
    assert message is not None
    return message


async def choose(pilot: Pilot[Any], app: TuiCloudApp, value: str) -> None:
    """In the open choice prompt, highlight ``value`` (as arrow keys would) and press enter."""
    from tuicloud.screens.prompts import ChoicePrompt

    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                     and bool(app.screen.choices), timeout=SLOW, what="choices")
    prompt = app.screen
    widget = prompt.query_one("#prompt-list", OptionList)
    ids = [widget.get_option_at_index(i).id for i in range(widget.option_count)]
    assert value in ids, (value, ids)
    widget.highlighted = ids.index(value)
    await pilot.pause()
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.screen is not prompt, what="prompt closed")


async def answer(pilot: Pilot[Any], app: TuiCloudApp, text: str | None = None) -> None:
    """In the open text prompt, type ``text`` (None: keep the default) and press enter; then
    confirm if the operation asks."""
    from textual.widgets import Input

    from tuicloud.screens.confirm import ConfirmScreen
    from tuicloud.screens.prompts import TextPrompt

    await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), timeout=SLOW,
                     what="text prompt")
    prompt = app.screen
    if text is not None:
        prompt.query_one("#prompt-input", Input).value = text
        await pilot.pause()
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.screen is not prompt, what="prompt closed")
    if isinstance(app.screen, ConfirmScreen):
        await pilot.press("y")
