"""What the command line asked for, and the demo cloud: shared by cli.py and app.py.

Below both so that the app never imports the command line (the layering in DESIGN.md, checked
by the import contracts in pyproject.toml).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Options", "demo_cloud"]


@dataclass
class Options:
    """What the user asked for on the command line."""

    cloud: str | None
    region: str | None
    read_only: bool
    all_projects: bool
    refresh: float | None  # None: per view, from the settings file
    demo: bool
    demo_servers: int
    view: str
    debug: bool = False
    project: str | None = None  # --os-project-name: scope to this project instead
    write_config: bool = False
    force: bool = False


@contextlib.contextmanager
def demo_cloud(servers: int) -> Iterator[str]:
    """Start simcloud in this process and point OS_CLIENT_CONFIG_FILE at its clouds.yaml."""
    from tuicloud.simcloud import SimConfig, latency, run_simcloud

    with tempfile.TemporaryDirectory(prefix="tuicloud-demo-") as folder:
        clouds = Path(folder) / "clouds.yaml"
        config = SimConfig(servers=servers, volumes=max(10, servers // 4),
                           images=12, build_delay=3.0, action_delay=2.0)
        with run_simcloud(config, clouds_yaml=clouds) as running:
            # A real cloud's costs (issue 11), so the demo shows what users will see: the
            # first page at once, the rest and the names after it.
            latency.install(running.cloud, latency.measured())
            os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
            yield "simcloud"
