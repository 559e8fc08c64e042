"""First row on the real rig against `openstack server list`, in the same run (issue 11).

Runs only when the rig answers on 127.0.0.1 and its clouds.yaml is readable. tuicloud runs in
a real pty (``--view servers``) until the newest server's name is on screen; the CLI runs to
completion; the two alternate so both meet the same load. (What an admin start asks is
counted on simcloud, in tests/screens/test_start_order.py: the rig is shared, and other tuicloud
clients' requests would mix into its access logs.)
"""

from __future__ import annotations

import os
import socket
import statistics
import tempfile
import time
from pathlib import Path

from bench.terminal import PtyApp

CLOUDS_YAML = Path(os.environ.get("REALCLOUD_CLOUDS_YAML", "/opt/realcloud/clouds.yaml"))
CLI = Path("/opt/realcloud/client/bin/openstack")


def available() -> bool:
    """True when the rig's Keystone answers and its clouds.yaml can be read."""
    if not (CLOUDS_YAML.is_file() and os.access(CLOUDS_YAML, os.R_OK) and CLI.exists()):
        return False
    try:
        with socket.create_connection(("127.0.0.1", 5000), timeout=2):
            return True
    except OSError:
        return False


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(CLOUDS_YAML)
    for var, sub in (("XDG_STATE_HOME", "state"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_CACHE_HOME", "cache")):
        env[var] = str(home / sub)
    return env


SERVERS = 30
"""The issue's measurement: the demo project with 30 servers."""


def ensure_servers(cloud: str, wanted: int = SERVERS, timeout: float = 300.0) -> None:
    """Boot ``tuicloud-bench-NN`` servers (fake driver, no network) up to ``wanted``, ACTIVE.

    The rig is shared and its tests clean up after themselves, so the count may have dropped.
    """
    import openstack

    os.environ["OS_CLIENT_CONFIG_FILE"] = str(CLOUDS_YAML)
    conn = openstack.connect(cloud=cloud)
    try:
        servers = list(conn.compute.servers())
        for broken in [s for s in servers if s.status == "ERROR"
                       and s.name.startswith("tuicloud-bench-")]:
            conn.compute.delete_server(broken)  # an earlier run's, refused by the quota
            conn.compute.wait_for_delete(broken, wait=timeout)
        have = {s.name for s in servers if s.status != "ERROR"}
        missing = wanted - len(have)
        if missing > 0:
            _make_room(conn.current_project_id, len(have) + missing)
            image = conn.image.find_image("fake-image", ignore_missing=False)
            flavor = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
            names = (f"tuicloud-bench-{n:02d}" for n in range(wanted * 2))
            for name in [n for n in names if n not in have][:missing]:
                conn.compute.create_server(name=name, image_id=image.id, flavor_id=flavor.id,
                                           networks="none")
        deadline = time.monotonic() + timeout
        while any(s.status != "ACTIVE" for s in conn.compute.servers()):
            if time.monotonic() > deadline:
                raise RuntimeError("the rig's servers did not all become ACTIVE")
            time.sleep(2.0)
    finally:
        conn.close()


def _make_room(project_id: str, servers: int) -> None:
    """Raise the project's compute quota (as the rig's admin) so ``servers`` m1.tiny servers
    fit: the demo project's default of 10 left the bench's 30 unbootable."""
    import openstack

    admin = openstack.connect(cloud="real-admin")
    try:
        quota = admin.compute.get(f"/os-quota-sets/{project_id}").json()["quota_set"]
        wanted = {"instances": servers + 10, "cores": servers + 10,
                  "ram": (servers + 10) * 1024}
        if any(0 <= int(quota.get(key, 0)) < value for key, value in wanted.items()):
            admin.compute.put(f"/os-quota-sets/{project_id}",
                              json={"quota_set": wanted}).raise_for_status()
    finally:
        admin.close()


def newest_server(cloud: str) -> tuple[str, int]:
    """(name of the first row, number of servers) as the cloud lists them."""
    import openstack

    os.environ["OS_CLIENT_CONFIG_FILE"] = str(CLOUDS_YAML)
    conn = openstack.connect(cloud=cloud)
    try:
        servers = conn.compute.get("/servers").json()["servers"]
    finally:
        conn.close()
    return str(servers[0]["name"]), len(servers)


def first_row(binary: Path, cloud: str, name: str, home: Path,
              cache: Path | None = None) -> float:
    """Process start -> the server's name on screen, in a 160x50 pty; ``cache``: the view
    cache's folder (default: the home's, kept from run to run)."""
    env = _env(home)
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    app = PtyApp([str(binary), "--os-cloud", cloud, "--view", "servers"], env=env)
    try:
        return app.wait_for_text(name[:20], timeout=120) - app.started
    finally:
        app.close()


def cli_list(cloud: str, home: Path) -> float:
    """`openstack --os-cloud CLOUD server list`, start to exit."""
    import subprocess

    started = time.perf_counter()
    subprocess.run([str(CLI), "--os-cloud", cloud, "server", "list"], env=_env(home),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(binary: Path, runs: int) -> list[tuple[str, str, str, str]]:
    """The bench rows (figure, value, goal, peer); none when the rig is down."""
    if not available():
        return [("first server row on the rig", "skipped: rig not up", "", "")]
    try:
        ensure_servers("real-demo")
        name, count = newest_server("real-demo")
    except Exception as error:  # noqa: BLE001 - the rig is shared: report, keep the bench
        return [("first server row on the rig", f"skipped: {error}", "", "")]
    ours: list[float] = []
    cached: list[float] = []
    theirs: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tuicloud-rigbench-") as folder:
        home = Path(folder)
        cli_list("real-demo", home)  # warm the caches both use (Python's, the rig's)
        first_row(binary, "real-demo", name, home)  # keeps the view for the cached starts
        for run in range(runs):
            ours.append(first_row(binary, "real-demo", name, home, home / f"empty-{run}"))
            cached.append(first_row(binary, "real-demo", name, home))
            theirs.append(cli_list("real-demo", home))
    ratio = statistics.median(theirs) / statistics.median(ours)
    return [
        (f"first server row on the rig, no cache, {count} servers (real-demo)",
         f"{statistics.median(ours):.2f} s (min {min(ours):.2f})",
         "< the CLI's",
         f"openstack server list: {statistics.median(theirs):.2f} s (min {min(theirs):.2f}, "
         f"{ratio:.1f}x)"),
        ("first server row on the rig, from the view cache",
         f"{statistics.median(cached):.2f} s (min {min(cached):.2f})", "<= 0.35 s",
         f"{statistics.median(theirs) / statistics.median(cached):.1f}x faster than the CLI"),
    ]
