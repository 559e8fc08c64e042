"""simcloud: a simulated OpenStack (Keystone, Nova, Glance, Cinder, Neutron, Placement) over real
HTTP.

It imports nothing from the rest of tuicloud. Start it in-process with :func:`run_simcloud`
(a context manager) or as a program with ``tuicloud-sim``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tuicloud.simcloud.core import Faults, SimCloud, SimConfig
from tuicloud.simcloud.keystone import ADMIN_PASSWORD, DEMO_PASSWORD
from tuicloud.simcloud.server import SimServer

__all__ = ["Faults", "SimCloud", "SimConfig", "SimServer", "RunningSim", "run_simcloud",
           "clouds_yaml_text", "write_clouds_yaml"]


@dataclass
class RunningSim:
    """A started simcloud: the cloud state, its server, and where its clouds.yaml is."""

    cloud: SimCloud
    server: SimServer
    clouds_yaml: Path | None

    @property
    def auth_url(self) -> str:
        """Keystone's URL."""
        return self.server.auth_url

    @property
    def faults(self) -> Faults:
        """Fault injection switches (latency, error rate, token lifetime ...)."""
        return self.cloud.faults

    def set_down(self, down: bool) -> None:
        """Refuse connections (True) or serve again (False)."""
        self.server.set_down(down)


def clouds_yaml_text(auth_url: str, region: str = "RegionOne") -> str:
    """A clouds.yaml with clouds ``simcloud`` (member of demo) and ``simcloud-admin``."""
    def entry(name: str, user: str, password: str, project: str) -> str:
        return (f"  {name}:\n"
                f"    auth:\n"
                f"      auth_url: {auth_url}\n"
                f"      username: {user}\n"
                f"      password: {password}\n"
                f"      project_name: {project}\n"
                f"      user_domain_name: Default\n"
                f"      project_domain_name: Default\n"
                f"    region_name: {region}\n"
                f"    identity_api_version: 3\n"
                f"    interface: public\n")
    return ("# Written by tuicloud-sim: clouds for a simulated OpenStack on 127.0.0.1.\n"
            "clouds:\n"
            + entry("simcloud", "demo", DEMO_PASSWORD, "demo")
            + entry("simcloud-admin", "admin", ADMIN_PASSWORD, "admin"))


def write_clouds_yaml(path: Path, auth_url: str, region: str = "RegionOne") -> None:
    """Write :func:`clouds_yaml_text` to ``path``, mode 0600 (it holds passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(clouds_yaml_text(auth_url, region))
    os.chmod(path, 0o600)


@contextlib.contextmanager
def run_simcloud(config: SimConfig | None = None, faults: Faults | None = None, *,
                 port: int = 0, clouds_yaml: Path | None = None,
                 tls: tuple[str | Path, str | Path] | None = None) -> Iterator[RunningSim]:
    """Start simcloud on 127.0.0.1 (a free port by default) in a thread; stop it on exit.

    ``tls`` (certificate file, key file in PEM) serves HTTPS; the clouds.yaml written then
    names the https auth URL and nothing else (add ``cacert:`` or ``verify: false`` yourself).
    """
    cloud = SimCloud(config, faults)
    server = SimServer(cloud, port, tls=(str(tls[0]), str(tls[1])) if tls else None)
    try:
        if clouds_yaml is not None:
            write_clouds_yaml(clouds_yaml, server.auth_url, cloud.config.region)
        yield RunningSim(cloud, server, clouds_yaml)
    finally:
        server.close()
