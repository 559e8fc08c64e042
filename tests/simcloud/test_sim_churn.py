"""simcloud's churn (used by `make bench`): a steady trickle of visible server changes."""

from __future__ import annotations

import time
from pathlib import Path

import openstack

from tuicloud.simcloud import SimConfig, run_simcloud


def test_churn_flips_a_fraction_of_servers_each_interval(tmp_path: Path, monkeypatch) -> None:
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=400, build_delay=0.1), clouds_yaml=clouds) as sim:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        conn = openstack.connect(cloud="simcloud-admin")
        time.sleep(0.5)  # seeded builds settle
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 0.5))
        before = conn.compute.get(f"/servers/detail?all_tenants=1&changes-since={since}").json()
        sim.cloud.service("compute").start_churn(0.05, 0.3)
        time.sleep(1.0)
        after = conn.compute.get(f"/servers/detail?all_tenants=1&changes-since={since}").json()
        changed = [s for s in after["servers"] if s["OS-EXT-STS:task_state"] == "rebooting"
                   or s["id"] not in {b["id"] for b in before["servers"]}]
        assert len(before["servers"]) < 5
        assert 10 <= len(changed) <= 200
        conn.close()
