"""Start-up imports (issue 17): openstacksdk, keystoneauth1 and requests cost about 0.3 s to
import; the app imports them in the connection's worker, after the first screen (with the
view cache's rows) is painted. Each check runs in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tuicloud.simcloud import RunningSim

ROOT = Path(__file__).resolve().parents[2]
SDK = ("openstack", "keystoneauth1", "requests")


def imported_after(code: str) -> list[str]:
    """Which of the SDK's packages ``code`` leaves imported (in a new interpreter)."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {SDK!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return list(eval(done.stdout.strip().splitlines()[-1]))  # noqa: S307 - our own output


def test_importing_the_app_leaves_the_sdk_unimported() -> None:
    assert imported_after("import tuicloud.app") == []


def test_every_screen_and_widget_imports_without_the_sdk() -> None:
    code = ("import importlib, pkgutil, tuicloud.screens, tuicloud.widgets, tuicloud.cli\n"
            "for package in (tuicloud.screens, tuicloud.widgets):\n"
            "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
            "        importlib.import_module(info.name)")
    assert imported_after(code) == []


def test_the_command_line_checks_a_plain_clouds_yaml_without_the_sdk(sim: RunningSim) -> None:
    """`tuicloud --os-cloud simcloud` up to the app's construction: the cloud is checked in
    clouds.yaml without openstacksdk; an unknown cloud still gets the SDK's full check."""
    code = ("from tuicloud import cli\n"
            "from tuicloud.app import TuiCloudApp\n"
            "options = cli.parse_options(['--os-cloud', 'simcloud', '--view', 'servers'])\n"
            "assert cli._check_cloud(options) is None\n"
            "TuiCloudApp(options)")
    assert imported_after(code) == []
    code = ("from tuicloud import cli\n"
            "options = cli.parse_options(['--os-cloud', 'nowhere'])\n"
            "assert 'not found in clouds.yaml' in cli._check_cloud(options)")
    assert imported_after(code) == sorted(SDK)


def test_the_connection_imports_the_sdk(sim: RunningSim) -> None:
    code = ("from tuicloud.cloud.connection import CloudSession\n"
            "CloudSession.connect('simcloud').close()")
    assert imported_after(code) == sorted(SDK)
