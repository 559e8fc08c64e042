"""The overview's cloud layer against simcloud over HTTP: quotas and counts match what the
APIs report, ERROR servers come with their fault, changes are logged, a missing service is
"not offered", and a refresh costs the same few requests at any size."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest
from openstack.connection import Connection

from tuicloud.cloud.changes import Change, ChangeLog
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.kinds.base import format_bytes
from tuicloud.cloud.overview import Overview, OverviewData, Quota
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud


@pytest.fixture
def demo(sim: RunningSim) -> Iterator[Connection]:
    connection = openstack.connect(cloud="simcloud")
    yield connection
    connection.close()


@pytest.fixture
def admin_conn(sim: RunningSim) -> Iterator[Connection]:
    connection = openstack.connect(cloud="simcloud-admin")
    yield connection
    connection.close()


def settle(conn: Connection, timeout: float = 20.0) -> None:
    """Wait until no server is building or busy (their statuses would move under the test)."""
    deadline = time.monotonic() + timeout
    while True:
        servers = conn.compute.get("/servers/detail?limit=1000").json()["servers"]
        volumes = conn.block_storage.get("/volumes/detail?limit=1000").json()["volumes"]
        if not any(s["status"] == "BUILD" or s.get("OS-EXT-STS:task_state") for s in servers) \
                and not any(v["status"] in ("creating", "deleting") for v in volumes):
            return
        assert time.monotonic() < deadline, "simcloud did not settle"
        time.sleep(0.05)


def boot(conn: Connection, name: str, **extra: Any) -> Any:
    image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
    network = conn.network.find_network("private", ignore_missing=False)
    return conn.compute.create_server(name=name, image_id=image.id, flavor_id="1",
                                      networks=[{"uuid": network.id}], **extra)


def quotas(data: OverviewData) -> dict[str, Quota]:
    return {q.key: q for q in data.all_quotas()}


def test_quotas_and_counts_match_what_the_apis_report(demo: Connection,
                                                       admin_conn: Connection) -> None:
    settle(demo)
    project = demo.current_project_id
    used = demo.compute.get("/limits").json()["limits"]["absolute"]["totalInstancesUsed"]
    volumes_used = demo.block_storage.get("/limits").json()["limits"]["absolute"][
        "totalVolumesUsed"]
    # Set quotas low: one more server and one more volume fit.
    admin_conn.compute.put(f"/os-quota-sets/{project}",
                           json={"quota_set": {"instances": used + 1}})
    admin_conn.block_storage.put(f"/os-quota-sets/{project}",
                                 json={"quota_set": {"volumes": volumes_used + 1}})
    admin_conn.network.put(f"/quotas/{project}", json={"quota": {"security_group": -1}})

    with CloudSession.connect("simcloud") as session:
        overview = Overview(session)
        data = overview.gather()
        found = quotas(data)
        assert (found["instances"].used, found["instances"].limit) == (used, used + 1)
        assert (found["volumes"].used, found["volumes"].limit) == (volumes_used,
                                                                   volumes_used + 1)
        assert found["security_group"].unlimited and found["security_group"].fraction is None
        for key in ("cores", "ram", "gigabytes", "snapshots", "floatingip", "network", "port"):
            assert key in found, key
        servers = demo.compute.get("/servers/detail?limit=1000").json()["servers"]
        assert data.server_counts == dict(Counter(s["status"] for s in servers))
        volumes = demo.block_storage.get("/volumes/detail?limit=1000").json()["volumes"]
        assert data.volume_counts == dict(Counter(v["status"] for v in volumes))
        assert data.failures == {}

        boot(demo, "one-more")
        demo.block_storage.create_volume(size=1, name="one-more-vol")
        settle(demo)
        data = overview.gather()
        found = quotas(data)
        assert found["instances"].used == used + 1 == found["instances"].limit
        assert found["instances"].fraction == 1.0
        assert found["volumes"].used == volumes_used + 1
        assert sum((data.server_counts or {}).values()) == len(servers) + 1
        assert sum((data.volume_counts or {}).values()) == len(volumes) + 1


def test_error_servers_with_their_fault_and_recent_changes(demo: Connection) -> None:
    settle(demo)
    changes = ChangeLog()
    with CloudSession.connect("simcloud") as session:
        overview = Overview(session, changes)
        overview.gather()
        assert changes.recent(overview.scope, 0) == []  # the first look is not a change

        doomed = boot(demo, "doomed", metadata={"simcloud:fail": "1"})
        fine = boot(demo, "fine")
        data = overview.gather()
        seen = {(c.name, c.event) for c in changes.recent(overview.scope, 0)}
        assert {("doomed", "created"), ("fine", "created")} <= seen
        settle(demo)
        data = overview.gather()
        problem = next(p for p in data.problems if p.resource_id == doomed.id)
        assert problem.name == "doomed" and problem.status == "ERROR"
        assert problem.message.startswith("500: No valid host was found")
        # Each server's latest change is its final status (from BUILD, or first seen there
        # on a slow machine).
        latest: dict[str, Change] = {}
        for change in reversed(changes.recent(overview.scope, 0)):
            latest[change.name] = change
        assert latest["doomed"].new == "ERROR" and latest["fine"].new == "ACTIVE"
        assert latest["doomed"].describe() in ("BUILD → ERROR", "created")

        demo.compute.delete_server(fine)
        demo.compute.wait_for_delete(fine, interval=0.1, wait=20)
        overview.gather()
        newest = changes.recent(overview.scope, 0)[0]
        assert (newest.name, newest.event) == ("fine", "deleted")
        count = len(changes.recent(overview.scope, 0))
        overview.gather()  # nothing new: nothing logged twice
        assert len(changes.recent(overview.scope, 0)) == count


def test_a_missing_service_is_not_offered(sim: RunningSim) -> None:
    sim.faults.catalog_omit = {"block-storage", "volumev3"}
    try:
        with CloudSession.connect("simcloud") as session:
            data = Overview(session).gather()
    finally:
        sim.faults.catalog_omit = set()
    assert data.sources["block-storage"].state == "absent"
    assert data.sources["volumes"].state == "absent"
    assert data.volume_counts is None
    assert data.failures == {}
    keys = {q.key for q in data.all_quotas()}
    assert "instances" in keys and "floatingip" in keys and "volumes" not in keys


def test_a_failing_source_keeps_its_last_numbers(sim: RunningSim) -> None:
    with CloudSession.connect("simcloud") as session:
        overview = Overview(session)
        before = overview.gather()
        sim.faults.error_services = {"volume"}
        sim.faults.error_rate = 1.0
        try:
            after = overview.gather()
        finally:
            sim.faults.error_rate = 0.0
            sim.faults.error_services = None
    assert set(after.failures) == {"block-storage", "volumes"}
    assert after.volume_counts == before.volume_counts
    assert after.quotas["block-storage"] == before.quotas["block-storage"]
    assert after.sources["compute"].state == "ok"


def test_a_refresh_costs_the_same_few_requests_at_any_size(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """Beyond the first look, a quiet refresh is 3 limits + 1 servers + 3 volumes requests
    (updated_at, created_at and Cinder's count, which sees deletions) + the object-storage
    account's HEAD, whether the project has
    30 servers or more than a page of them."""
    clouds = tmp_path / "big.yaml"
    with run_simcloud(SimConfig(servers=1300, volumes=40, images=4, build_delay=0.1),
                      clouds_yaml=clouds):
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        with CloudSession.connect("simcloud") as session:
            overview = Overview(session)
            first = overview.gather()
            assert sum((first.server_counts or {}).values()) > 1000  # more than a page
            assert first.requests >= 6
            again = overview.gather()
    assert again.requests <= 8


def test_a_first_look_reports_progress_source_by_source(sim: RunningSim) -> None:
    seen: list[OverviewData] = []
    with CloudSession.connect("simcloud") as session:
        final = Overview(session).gather(seen.append)
    assert len(seen) == 5  # after compute, block storage, network, servers and volumes
    assert "compute" in seen[0].quotas and seen[0].server_counts is None
    assert seen[2].all_quotas() == final.all_quotas() and seen[2].server_counts is None
    assert seen[3].server_counts == final.server_counts and seen[3].volume_counts is None
    assert seen[4].object_store is None and final.object_store is not None


def test_object_storage_totals_and_quota_or_no_section(sim: RunningSim) -> None:
    demo = sim.cloud.service("identity").project_by_name("demo")
    account = sim.cloud.service("object-store").account(f"AUTH_{demo.id}")
    with CloudSession.connect("simcloud") as session:
        data = Overview(session).gather()
        totals = data.object_store
        assert totals is not None and (totals.containers, totals.objects) == (3, 7)
        assert totals.bytes == sum(c.bytes_used for c in account.containers.values())
        assert "object-store" not in data.quotas  # no quota set: no bar
        account.meta["quota-bytes"] = str(1 << 30)
        data = Overview(session).gather()
        [quota] = data.quotas["object-store"]
        assert (quota.used, quota.limit, quota.view) == (totals.bytes, 1 << 30, "containers")
        assert data.object_store is not None
        assert data.object_store.describe().endswith(f" of {format_bytes(1 << 30)}")
    sim.cloud.faults.catalog_omit.add("object-store")
    with CloudSession.connect("simcloud") as session:
        data = Overview(session).gather()
        assert data.object_store is None and "object-store" not in data.sources


SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "openstack-api-samples"


def test_limits_have_the_shapes_of_the_api_samples(sim: RunningSim) -> None:
    """What the overview reads from simcloud is shaped like Nova's and Cinder's own samples."""
    import json

    compute_sample = SAMPLES / "compute" / "limits" / "v2.57" / "limit-get-resp.json"
    volume_sample = SAMPLES / "block-storage" / "v3" / "limits" / "limits-show-response.json"
    if not compute_sample.is_file() or not volume_sample.is_file():
        pytest.skip("../shared/data (the OpenStack API samples) is not here")
    with CloudSession.connect("simcloud") as session:
        compute, _ = session.get_json("compute", "/limits")
        volume, _ = session.get_json("block-storage", "/limits")
        network, _ = session.get_json("network", f"/quotas/{session.project_id}/details")
    for body, sample in ((compute, compute_sample), (volume, volume_sample)):
        expected = json.loads(sample.read_text())["limits"]
        assert set(body["limits"]) == set(expected)
        assert set(body["limits"]["absolute"]) == set(expected["absolute"])
    # Neutron's quota details (no sample in the data): {resource: {limit, used, reserved}}.
    for key in ("floatingip", "security_group", "network", "port"):
        assert set(network["quota"][key]) == {"limit", "used", "reserved"}
