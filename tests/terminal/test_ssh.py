"""`s` on a server: the address and user chosen, and a real suspend/resume around ssh; in a real
pty that is tuicloud's controlling terminal, ctrl+c ends ssh only, a failed ssh keeps its error on
screen until a key, and a server that is not ACTIVE is refused."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import openstack
import pytest

from bench.terminal import PtyApp
from tests.helpers.app import list_screen, loaded, make_app, table, wait_until
from tuicloud.cloud.ssh import guess_user, pick_address
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud

TUICLOUD = str(Path(sys.executable).parent / "tuicloud")
# Make the pty tuicloud's controlling terminal (PtyApp starts it in a new session), as a
# terminal emulator does: only then does ctrl+c send SIGINT to tuicloud and ssh.
WITH_CONTROLLING_TTY = ("import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
                        "os.execv(sys.argv[1], sys.argv[1:])")


def test_floating_ip_wins_then_fixed_ipv4_and_hostile_addresses_are_ignored() -> None:
    server = {"addresses": {"private": [
        {"addr": "fd00::5", "OS-EXT-IPS:type": "fixed"},
        {"addr": "10.0.0.5", "OS-EXT-IPS:type": "fixed"},
        {"addr": "-oProxyCommand=evil", "OS-EXT-IPS:type": "floating"},
    ]}}
    assert pick_address(server) == ("10.0.0.5", "fixed")
    server["addresses"]["public"] = [{"addr": "203.0.113.7", "OS-EXT-IPS:type": "floating"}]
    assert pick_address(server) == ("203.0.113.7", "floating")
    assert pick_address({"addresses": {}}) is None


def test_user_from_cloud_setting_then_image_properties_then_distro() -> None:
    ubuntu = {"name": "ubuntu-24.04", "os_distro": "ubuntu"}
    assert guess_user(ubuntu, None) == "ubuntu"
    assert guess_user({"os_admin_user": "admin", **ubuntu}, None) == "admin"
    assert guess_user(ubuntu, "ops") == "ops"
    assert guess_user({"os_admin_user": "-oEvil"}, None) == "root"  # not a user name
    assert guess_user(None, None) == "root"
    assert guess_user({"name": "CirrOS 0.6"}, None) == "cirros"


def test_ssh_key_suspends_runs_ssh_and_comes_back(tmp_path: Path) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    record = tmp_path / "ssh-args"
    ssh = fake_bin / "ssh"
    ssh.write_text(f"#!/bin/sh\necho \"$@\" > {record}\necho FAKE-SSH-SESSION\nsleep 0.5\n")
    ssh.chmod(0o755)
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=20, build_delay=0.1), clouds_yaml=clouds):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(OS_CLIENT_CONFIG_FILE=str(clouds), HOME=str(tmp_path),
                   XDG_STATE_HOME=str(tmp_path / "state"),
                   XDG_CONFIG_HOME=str(tmp_path / "config"),
                   PATH=f"{fake_bin}{os.pathsep}{env.get('PATH', '')}")
        os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
        conn = openstack.connect(cloud="simcloud")
        first = conn.compute.get("/servers/detail?limit=1&status=ACTIVE").json()["servers"][0]
        # Any server the name filter matches may sit under the cursor.
        matching = conn.compute.get("/servers/detail", params={"name": first["name"]}).json()
        addresses = {a["addr"] for srv in matching["servers"]
                     for net in srv["addresses"].values() for a in net}
        conn.close()
        del os.environ["OS_CLIENT_CONFIG_FILE"]
        app = PtyApp([str(Path(sys.executable).parent / "tuicloud"), "--os-cloud", "simcloud",
                      "--refresh", "60", "--view", "servers"], columns=120, lines=30, env=env)
        try:
            app.wait_for_text("Servers", timeout=30)
            app.wait_for_text(first["name"][:20], timeout=30)
            app.send("/")
            app.wait_for_text("filter: text", timeout=10)
            app.send(first["name"] + "\r")
            app.wait_for(lambda s: "filter: text" not in s and first["name"][:20] in s,
                         timeout=10)
            app.send("s")
            app.wait_for(lambda _s: record.exists(), timeout=15)
            args = record.read_text().split()
            assert args[0] == "--"
            user, _, host = args[1].partition("@")
            assert host in addresses and user
            # After ssh exits the TUI is back: redrawn over what ssh printed.
            app.wait_for(lambda _s: b"FAKE-SSH-SESSION" in bytes(app.raw), timeout=10)
            app.wait_for(lambda s: "Servers" in s and "FAKE-SSH-SESSION" not in s, timeout=15)
            app.send("q")
            deadline = time.monotonic() + 10
            while app.process.poll() is None and time.monotonic() < deadline:
                app.pump(0.1)
            assert app.process.returncode == 0
        finally:
            app.close()


def _fake_ssh(tmp_path: Path, body: str) -> tuple[Path, Path]:
    """A fake `ssh` on a PATH folder of its own; (bin folder, file it writes its args to)."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    record = tmp_path / "ssh-args"
    ssh = fake_bin / "ssh"
    ssh.write_text(f"#!/bin/sh\necho \"$@\" > {record}\n{body}")
    ssh.chmod(0o755)
    return fake_bin, record


def _start(tmp_path: Path, fake_bin: Path, clouds: Path) -> tuple[PtyApp, str]:
    """tuicloud on the servers view with an ACTIVE server's name filtered (under the cursor)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(OS_CLIENT_CONFIG_FILE=str(clouds), HOME=str(tmp_path),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               PATH=f"{fake_bin}{os.pathsep}{env.get('PATH', '')}")
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    try:
        sdk = openstack.connect(cloud="simcloud")
        first = sdk.compute.get("/servers/detail?limit=1&status=ACTIVE").json()["servers"][0]
        sdk.close()
    finally:
        del os.environ["OS_CLIENT_CONFIG_FILE"]
    app = PtyApp([sys.executable, "-c", WITH_CONTROLLING_TTY, TUICLOUD, "--os-cloud", "simcloud",
                  "--refresh", "60", "--view", "servers"], columns=120, lines=30, env=env)
    app.wait_for_text("Servers", timeout=30)
    app.wait_for_text(first["name"][:20], timeout=30)
    app.send("/")
    app.wait_for_text("filter: text", timeout=10)
    app.send(first["name"] + "\r")
    app.wait_for(lambda s: "filter: text" not in s and first["name"][:20] in s, timeout=10)
    return app, first["name"]


def _on_the_list(screen: str, name: str) -> bool:
    return "Servers" in screen and name[:20] in screen


def _quits_cleanly(app: PtyApp) -> None:
    app.send("q")
    deadline = time.monotonic() + 20
    while app.process.poll() is None and time.monotonic() < deadline:
        app.pump(0.1)
    assert app.process.returncode == 0


def test_ctrl_c_while_ssh_hangs_ends_ssh_only_and_tuicloud_comes_back(tmp_path: Path) -> None:
    # Like ssh waiting on an unreachable host: dies of SIGINT. The marker is printed by the
    # very process that then waits, so a ctrl+c sent on seeing it cannot land in between.
    hang = ("import signal, time; signal.signal(signal.SIGINT, signal.SIG_DFL); "
            "print('FAKE-SSH-CONNECTING', flush=True); time.sleep(600)")
    fake_bin, record = _fake_ssh(tmp_path, f'exec "{sys.executable}" -c "{hang}"\n')
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=20, build_delay=0.1), clouds_yaml=clouds):
        app, name = _start(tmp_path, fake_bin, clouds)
        try:
            app.send("s")
            app.wait_for_text("FAKE-SSH-CONNECTING", timeout=15)
            screen = app.text()
            assert "(ctrl+c returns to tuicloud)" in screen  # said before ssh started
            user_host = record.read_text().split()[1]
            assert f"ssh {user_host} … (ctrl+c returns to tuicloud)" in screen
            app.send(b"\x03")
            app.wait_for(lambda s: _on_the_list(s, name) and "FAKE-SSH" not in s, timeout=20)
            # Still alive and taking keys (asyncio's own SIGINT handler would cancel the app
            # once its loop runs again: it may repaint first, then quit with status 0).
            app.send("?")
            app.wait_for_text("Help: Servers", timeout=10)
            app.settle(quiet=0.5)
            assert app.process.poll() is None, "ctrl+c ended tuicloud, not only ssh"
            app.send("\x1b")
            app.wait_for(lambda s: "Help: Servers" not in s, timeout=10)
            _quits_cleanly(app)
        finally:
            app.close()


def test_a_failed_ssh_keeps_its_error_on_screen_until_a_key(tmp_path: Path) -> None:
    error = "ssh: connect to host 10.0.0.9 port 22: No route to host"
    fake_bin, _record = _fake_ssh(tmp_path, f"echo '{error}' >&2\nexit 255\n")
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=20, build_delay=0.1), clouds_yaml=clouds):
        app, name = _start(tmp_path, fake_bin, clouds)
        try:
            app.send("s")
            app.wait_for_text("press any key", timeout=15)
            assert error in app.text() and "ssh exited with status 255" in app.text()
            app.settle(quiet=1.0)  # nothing repaints over it while no key is pressed
            assert error in app.text() and app.process.poll() is None
            app.send("\r")  # the key only returns: enter must not open the detail view
            app.wait_for(lambda s: _on_the_list(s, name) and error not in s, timeout=20)
            app.settle(quiet=0.5)
            assert "Server " not in app.text()  # still the list, not a detail view
            assert app.process.poll() is None
            _quits_cleanly(app)
        finally:
            app.close()


@pytest.fixture
def shutoff_sim(sim: RunningSim) -> RunningSim:
    """The `sim` cloud with one demo server stopped (SHUTOFF)."""
    sdk = openstack.connect(cloud="simcloud")
    try:
        server = sdk.compute.get("/servers/detail?status=ACTIVE").json()["servers"][0]
        sdk.compute.post(f"/servers/{server['id']}/action", json={"os-stop": None})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = sdk.compute.get(f"/servers/{server['id']}").json()["server"]["status"]
            if status == "SHUTOFF":
                break
            time.sleep(0.05)  # polling the condition, not a fixed wait
        assert status == "SHUTOFF"
    finally:
        sdk.close()
    return sim


async def test_ssh_to_a_server_that_is_not_active_is_refused(
        shutoff_sim: RunningSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_bin, record = _fake_ssh(tmp_path, "exit 0\n")
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ.get('PATH', '')}")
    app = make_app(view="servers")
    seen: list[str] = []
    notify = app.notify

    def capture(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(message)
        notify(message, *args, **kwargs)

    app.notify = capture  # type: ignore[method-assign]
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        grid = table(app)

        def stopped() -> list[str]:
            raws = [list_screen(app).feed.differ.raw(i) for i in grid.visible_ids()]
            return [raw["id"] for raw in raws if raw and raw.get("status") == "SHUTOFF"]

        await wait_until(pilot, lambda: bool(stopped()), what="a SHUTOFF row")
        grid.cursor_id = stopped()[0]
        await pilot.press("s")
        await wait_until(pilot, lambda: any("ssh needs ACTIVE" in s for s in seen),
                         what="the refusal")
        assert any(" is SHUTOFF" in s for s in seen), seen
        await pilot.pause()
        assert not record.exists()  # ssh never ran


def test_the_line_before_ssh_survives_a_terminal_without_unicode() -> None:
    import io

    from tuicloud.screens.ssh import _say

    raw = io.BytesIO()
    latin = io.TextIOWrapper(raw, encoding="latin-1")
    _say(latin, "ssh ubuntu@10.0.0.5 … (ctrl+c returns to tuicloud)\r\n")
    assert raw.getvalue() == b"ssh ubuntu@10.0.0.5 ... (ctrl+c returns to tuicloud)\r\n"
