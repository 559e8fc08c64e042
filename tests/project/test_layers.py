"""The layering of DESIGN.md holds: the import contracts of pyproject.toml (also run by
`make lint`), and the screens reach the app only through the ConsoleHost protocol."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.app import App

from tests.helpers.app import make_app
from tuicloud.cloud.errors import CloudError
from tuicloud.screens.host import ConsoleHost, NotConnectedError, connected, console_host

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold() -> None:
    # In a child process: import-linter configures logging as it starts, which would disable
    # the loggers of every test after this one. It comes with the dev extra (`make test`).
    lint = Path(sys.executable).parent / "lint-imports"
    assert lint.exists(), "import-linter is missing: install the dev extra"
    done = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "BROKEN" not in report
    assert report.count("KEPT") >= 6  # every contract ran, none was dropped by a typo


def test_the_app_is_what_the_screens_ask_for() -> None:
    app = make_app()
    assert isinstance(app, ConsoleHost)
    assert app.session is None and app.lookups is None  # typed Optional: None until connected


async def test_a_screen_in_another_app_is_told_so_clearly() -> None:
    async with App[None]().run_test() as pilot:
        with pytest.raises(TypeError, match="not a tuicloud console app"):
            console_host(pilot.app.screen)


def test_an_action_before_the_first_connection_is_a_cloud_error_not_a_crash() -> None:
    with pytest.raises(CloudError, match="Not connected yet") as raised:
        connected(None)
    assert isinstance(raised.value, NotConnectedError)
