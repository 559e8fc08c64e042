"""Fixtures for the suite against the real OpenStack rig (`make test-real`).

Every resource a test creates is named with the run's prefix and deleted afterwards, even when
the test fails; the rig is shared with other work and keeps its data across runs."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import openstack
import pytest
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


@pytest.fixture(autouse=True)
def _rig_clouds(_isolated_dirs: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the SDK and the app at the rig's clouds.yaml (after the OS_* variables are gone)."""
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", CLOUDS_YAML)


def _connect(cloud: str) -> Connection:
    os.environ.setdefault("OS_CLIENT_CONFIG_FILE", CLOUDS_YAML)
    return openstack.connect(cloud=cloud)


@pytest.fixture(scope="session")
def demo_sdk() -> Iterator[Connection]:
    """The demo user's SDK connection (member of project demo)."""
    connection = _connect("real-demo")
    yield connection
    rig.sweep(connection, RUN_PREFIX)  # whatever a crashed test left behind
    connection.close()


@pytest.fixture(scope="session")
def admin_sdk() -> Iterator[Connection]:
    connection = _connect("real-admin")
    yield connection
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
