"""No password or token ever reaches a file, the terminal's output or the screen.

A whole session runs with ``--debug`` logging: connect, list every view, a detail with its raw
JSON, a console log, tokens that expire and are revoked (re-authentication), failing requests
(error paths log), then a second start with a wrong password. Every file under the XDG dirs,
stdout/stderr and every screen are searched for the password and every token simcloud issued.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apphelpers import list_screen, loaded, make_app, screen_text, table, wait_until
from tests.test_app_start import wait_exit
from tuicloud import settings
from tuicloud.screens.console_log import ConsoleLogScreen
from tuicloud.screens.detail import DetailScreen
from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.keystone import ADMIN_PASSWORD, DEMO_PASSWORD


@pytest.fixture
def debug_logging() -> Iterator[Path]:
    """``settings.setup_logging(DEBUG)`` as `--debug` does; the logging set-up restored after."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level,
             {name: logging.getLogger(name).level
              for name in ("tuicloud", "keystoneauth", "openstack", "urllib3", "stevedore")})
    path = settings.setup_logging(logging.DEBUG)
    yield path
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)


def secrets_of(sim: RunningSim) -> list[str]:
    """The passwords, every token simcloud issued, and a long slice of each token (a log line
    that cut a token short would still leak most of it)."""
    found = [DEMO_PASSWORD, ADMIN_PASSWORD]
    for token in list(sim.cloud.tokens):
        found += [token, token[6:30]]
    return found


def xdg_files() -> list[Path]:
    files = []
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        root = Path(os.environ[var])
        if root.exists():
            files += [p for p in root.rglob("*") if p.is_file()]
    return files


def assert_no_secret(where: str, text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret ({secret[:6]}…) in {where}"


async def test_a_debug_session_leaks_no_password_or_token(
        sim: RunningSim, debug_logging: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    screens: list[str] = []
    sim.faults.token_ttl = 3.0
    app = make_app(refresh=0.5, debug=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        screens.append(screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail")
        await pilot.press("y")
        await pilot.pause(0.1)
        screens.append(screen_text(app))
        await pilot.press("escape")
        grid = table(app)
        grid.cursor_id = next(i for i in grid.visible_ids()
                              if str(grid.get_row(i)["status"]) == "ACTIVE")  # type: ignore[index]
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ConsoleLogScreen)
                         and app.screen._fresh.state == "fresh", what="console log")
        screens.append(screen_text(app))
        await pilot.press("escape")
        for view in ("vol", "img", "flavors", "networks", "keypairs", "secgroups"):
            await pilot.press("colon", *view, "enter")
            await wait_until(pilot, lambda: list_screen(app)._fresh.state == "fresh",
                             what=view)
            screens.append(screen_text(app))
        # re-authentication: tokens revoked under the SDK's feet; then failing requests
        with sim.cloud.lock:
            for token in sim.cloud.tokens.values():
                token.expires_at = time.time() - 1
        await pilot.press("r")
        await wait_until(pilot, lambda: list_screen(app)._fresh.state == "fresh", what="reauth")
        sim.faults.error_rate = 1.0
        await pilot.press("r")
        await wait_until(pilot, lambda: list_screen(app)._fresh.state == "stale", what="stale")
        screens.append(screen_text(app))
        sim.faults.error_rate = 0.0

    # A wrong password, logged too.
    assert sim.clouds_yaml is not None
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(sim.clouds_yaml.read_text().replace(DEMO_PASSWORD, "Wr0ng-" + DEMO_PASSWORD))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(wrong))
    failing = make_app(debug=True)
    async with failing.run_test(size=(100, 30)):
        await wait_exit(failing)
    assert failing.fatal_error is not None

    secrets = secrets_of(sim) + ["Wr0ng-" + DEMO_PASSWORD]
    assert len(secrets) > 10  # tokens were issued, and renewed
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = xdg_files()
    log = debug_logging
    assert log in files and log.stat().st_size > 0
    assert "DEBUG tuicloud" in log.read_text()  # the debug log did record the session
    for path in files:
        assert_no_secret(str(path), path.read_text(errors="replace"), secrets)
    assert_no_secret("the wrong-password message", failing.fatal_error, secrets)
    for number, shown in enumerate(screens):
        assert_no_secret(f"screen {number}", shown, secrets)
    out, err = capfd.readouterr()
    assert_no_secret("stdout", out, secrets)
    assert_no_secret("stderr", err, secrets)
    # readable by the user only
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert log.parent == settings.log_dir()
