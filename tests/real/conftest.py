"""Fixtures for the suite against the real OpenStack rig (`make test-real`).

The rig is shared (benchmarks and probes fill the demo project up to its quotas), so each run
works in a project of its own, made by the admin and deleted at the end: the `real-demo` cloud
the tests use is the demo user (roles member and reader) in that project. Every resource a test
creates is named with the run's prefix and deleted afterwards, even when the test fails."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from openstack.config import OpenStackConfig
from openstack.connection import Connection

from tests.real import rig

# Read at import: the root conftest's autouse fixture clears every OS_* variable per test.
CLOUDS_YAML = os.environ.get("OS_CLIENT_CONFIG_FILE", "/opt/realcloud/clouds.yaml")
RUN_PREFIX = f"rt{uuid.uuid4().hex[:6]}-"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(CLOUDS_YAML).is_file():
        skip = pytest.mark.skip(reason=f"no rig clouds.yaml at {CLOUDS_YAML} (make test-real)")
        for item in items:
            item.add_marker(skip)


def _connect(clouds: Path | str, cloud: str) -> Connection:
    # The SDK reads OS_CLIENT_CONFIG_FILE before the files it is given, and session fixtures
    # run before the autouse one that points it at the run's file.
    saved = os.environ.get("OS_CLIENT_CONFIG_FILE")
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    try:
        return Connection(config=OpenStackConfig().get_one(cloud=cloud))
    finally:
        if saved is None:
            del os.environ["OS_CLIENT_CONFIG_FILE"]
        else:
            os.environ["OS_CLIENT_CONFIG_FILE"] = saved


@pytest.fixture(scope="session")
def admin_sdk() -> Iterator[Connection]:
    connection = _connect(CLOUDS_YAML, "real-admin")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def run_clouds(admin_sdk: Connection, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A clouds.yaml whose `real-demo` is the demo user in this run's own project."""
    identity = admin_sdk.identity
    project = identity.create_project(name=RUN_PREFIX + "project", domain_id="default",
                                      description="tuicloud make test-real (deleted at the end)")
    user = identity.find_user("demo", domain_id="default", ignore_missing=False)
    for role in ("member", "reader"):
        identity.assign_project_role_to_user(
            project, user, identity.find_role(role, ignore_missing=False))
    config = yaml.safe_load(Path(CLOUDS_YAML).read_text())
    config["clouds"]["real-demo"]["auth"]["project_name"] = project.name
    path = tmp_path_factory.mktemp("rig") / "clouds.yaml"
    path.touch(mode=0o600)  # it holds the rig's test password, as the rig's own file does
    path.write_text(yaml.safe_dump(config))
    try:
        yield path
    finally:
        path.unlink()
        try:
            identity.delete_project(project)
        except Exception:
            rig.log.exception("could not delete project %s", project.name)


@pytest.fixture(autouse=True)
def _rig_clouds(_isolated_dirs: None, run_clouds: Path,
                monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the SDK and the app at the run's clouds.yaml (after the OS_* variables are gone)."""
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(run_clouds))


@pytest.fixture(scope="session")
def volumes_placeable(admin_sdk: Connection) -> None:
    """Wait until Cinder's scheduler knows the rig's backend. A scheduler just (re)started by
    up.sh has no backend until the volume service's capabilities reach it (a fanout at start,
    else the next periodic report, up to a minute later); up.sh waits for the service to be
    up, not for that. A volume created in between goes to `error` (NoValidBackend), as in a
    CI run whose first volume came 40 s after the scheduler started."""
    rig.wait_for(lambda: any(True for _ in admin_sdk.block_storage.backend_pools()),
                 "Cinder's scheduler to know a backend pool")


@pytest.fixture(scope="session")
def demo_sdk(run_clouds: Path, volumes_placeable: None) -> Iterator[Connection]:
    """The demo user's SDK connection, in the run's project."""
    connection = _connect(run_clouds, "real-demo")
    yield connection
    rig.sweep(connection, RUN_PREFIX)
    # The project is the run's own: whatever a crash left behind (key pairs belong to the user).
    rig.sweep(connection, "", keypairs=False)
    connection.close()


@pytest.fixture
def prefix(request: pytest.FixtureRequest, demo_sdk: Connection) -> Iterator[str]:
    """A name prefix for this test's resources; they are deleted when the test ends."""
    tag = f"{RUN_PREFIX}{request.node.name[5:17].strip('_')}-"
    yield tag
    rig.sweep(demo_sdk, tag)


@pytest.fixture(scope="module")
def module_prefix(request: pytest.FixtureRequest, demo_sdk: Connection) -> Iterator[str]:
    tag = f"{RUN_PREFIX}{request.module.__name__.rsplit('_', 1)[-1][:8]}-"
    yield tag
    rig.sweep(demo_sdk, tag)


@pytest.fixture(scope="module")
def server(module_prefix: str, demo_sdk: Connection) -> Iterator[str]:
    """One ACTIVE server of the demo project (`--nic none`, m1.tiny, fake-image), per module."""
    ident = rig.boot(demo_sdk, module_prefix + "vm")
    yield ident
    rig.delete_server(demo_sdk, ident)


@pytest.fixture
def routed_server(prefix: str, demo_sdk: Connection) -> Iterator[tuple[str, str, str]]:
    """A server on a subnet whose router has its gateway on `public`: (server, port, ip)."""
    net = demo_sdk.network
    public = net.find_network("public", ignore_missing=False)
    network = net.create_network(name=prefix + "net")
    subnet = net.create_subnet(network_id=network.id, name=prefix + "subnet", ip_version=4,
                               cidr="10.77.0.0/24")
    router = net.create_router(name=prefix + "router",
                               external_gateway_info={"network_id": public.id})
    net.add_interface_to_router(router, subnet_id=subnet.id)
    image = demo_sdk.image.find_image("fake-image", ignore_missing=False)
    flavor = demo_sdk.compute.find_flavor("m1.tiny", ignore_missing=False)
    server = demo_sdk.compute.create_server(name=prefix + "vm", image_id=image.id,
                                            flavor_id=flavor.id,
                                            networks=[{"uuid": network.id}])
    rig.server_status(demo_sdk, server.id, "ACTIVE")
    port = next(iter(net.ports(device_id=server.id)))
    yield server.id, str(port.id), str(port.fixed_ips[0]["ip_address"])
    # The prefix's sweep deletes the server, the address, the router, then the network.
