"""`s` on a server: the address and user chosen, and a real suspend/resume around ssh."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import openstack

from bench.terminal import PtyApp
from tuicloud.cloud.ssh import guess_user, pick_address
from tuicloud.simcloud import SimConfig, run_simcloud


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
