"""Draining the rig's one compute host, as far as one host allows: the drain's table is what
Nova lists on the host (all projects), its service is disabled with the reason, and this
module's server, the only one the drain may move (every other row is left: they belong to
other tests), fails to live-migrate because there is no other host, with Nova's own reason
read back from the instance action; the server stays ACTIVE where it was; the service is
enabled again (restored whatever happens: the rig's other tests boot servers on it).

A successful live migration, the concurrency cap and an interrupted drain need a second
host: they are tested on simcloud (tests/screens/kinds/test_kind_drain.py)."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

import pytest
from openstack.connection import Connection

from tests.helpers.likeness import call
from tests.real import rig
from tuicloud.cloud import drain as plan
from tuicloud.cloud.connection import CloudSession


def _compute_service(admin: Connection) -> dict[str, Any]:
    services = call(admin, "compute", "GET", "/os-services",
                    version="compute 2.96").json()["services"]
    return next(s for s in services if s["binary"] == "nova-compute")


@pytest.fixture
def session() -> Iterator[CloudSession]:
    with CloudSession.connect("real-admin") as connected:
        yield connected


def test_the_one_host_drained_as_far_as_it_can(admin_sdk: Connection, server: str,
                                               session: CloudSession) -> None:
    host = _compute_service(admin_sdk)["host"]
    rig.server_status(admin_sdk, server, "ACTIVE")
    listed = call(admin_sdk, "compute", "GET", "/servers/detail", version="compute 2.96",
                  params={"all_tenants": "1", "host": host}).json()["servers"]
    on_host = {s["id"] for s in listed}
    drain = plan.HostDrain(session, host, 2)
    drain.load()
    assert server in on_host and {r.id for r in drain.snapshot()} == on_host
    for row in drain.snapshot():  # other tests' servers are not ours to move
        if row.id != server:
            drain.decide(row.id, "leave")
    try:
        drain.disable("tuicloud drain test")
        service = _compute_service(admin_sdk)
        assert (service["status"], service["disabled_reason"]) == ("disabled",
                                                                   "tuicloud drain test")
        rows: dict[str, plan.DrainRow] = {}

        def settled() -> bool:
            drain.tick()
            rows.update({r.id: r for r in drain.snapshot()})
            return drain.settled()

        rig.wait_for(settled, "the drain settled")
        mine = rows[server]
        assert mine.state == plan.FAILED, mine
        assert mine.message.startswith("migration error: No valid host was found"), mine
        assert admin_sdk.compute.get_server(server).status == "ACTIVE"
        assert {r.state for r in rows.values() if r.id != server} <= {plan.LEFT}
        # Reopened: rebuilt from Nova, the failed migration waits for a decision again.
        again = plan.HostDrain(session, host, 2)
        again.load()
        reopened = {r.id: r for r in again.snapshot()}
        assert reopened[server].state == plan.FAILED
        assert reopened[server].message == mine.message
        script = [shlex.split(line) for line in again.script("tuicloud drain test").splitlines()
                  if line.startswith("openstack ")]
        assert script[0][-2:] == [host, "nova-compute"]
        # A row still failed is written as the live migration to try again.
        assert ["openstack", "server", "migrate", "--live-migration", "--wait",
                server] in script
    finally:
        drain.enable()
    service = _compute_service(admin_sdk)
    assert (service["status"], service["disabled_reason"]) == ("enabled", None)
