"""The layering of DESIGN.md holds: the import contracts of pyproject.toml (also run by
`make lint`), and the screens reach the app only through the ConsoleHost protocol."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from tests.apphelpers import make_app
from tuicloud.cloud.errors import CloudError
from tuicloud.screens.host import ConsoleHost, NotConnectedError, connected, console_host

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold(capsys: pytest.CaptureFixture[str]) -> None:
    # import-linter is in the dev extra (`make test` installs it), not in the test extra.
    cli = pytest.importorskip("importlinter.cli")
    status = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                          no_logo=True)
    report = capsys.readouterr().out
    assert status == cli.EXIT_STATUS_SUCCESS, report
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
