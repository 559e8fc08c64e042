"""No password or token ever reaches a file, the terminal's output or the screen.

A whole session runs with ``--debug`` logging: connect, list every view, a detail with its raw
JSON, a console log, a reboot from the actions menu, a volume created with the form, tokens
that expire and are revoked (re-authentication), failing requests (error paths log), then a
second start with a wrong password. Every file under the XDG dirs, stdout/stderr and every
screen are searched for the password and every token simcloud issued; the log, settings,
state and view cache files are 0600 in 0700 directories.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.app import (
    list_screen,
    loaded,
    make_app,
    notes,
    shown,
    table,
    wait_exit,
    wait_until,
)
from tests.helpers.forms import form, set_field
from tests.helpers.ops import open_menu
from tuicloud.config import logs
from tuicloud.config.example import ensure_example
from tuicloud.config.settings import settings_path
from tuicloud.config.state import state_path
from tuicloud.config.view_cache import view_cache_dir
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.console_log import ConsoleLogScreen
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.forms.create_volume import CreateVolumeForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.keystone import ADMIN_PASSWORD, DEMO_PASSWORD


@pytest.fixture
def debug_logging() -> Iterator[Path]:
    """``logs.setup_logging(DEBUG)`` as `--debug` does; the logging set-up restored after."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level,
             {name: logging.getLogger(name).level
              for name in ("tuicloud", "keystoneauth", "openstack", "urllib3", "stevedore")})
    path = logs.setup_logging(logging.DEBUG)
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
    ensure_example()  # as `tuicloud` does at start: the commented settings file
    app = make_app(refresh=0.5, debug=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        screens.append(await shown(pilot, app, "Servers", "updated "))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, what="detail")
        await pilot.press("y")
        screens.append(await shown(pilot, app, '"OS-EXT-STS:vm_state": '))  # the raw JSON
        await pilot.press("escape")
        grid = table(app)
        active = next(i for i in grid.visible_ids()
                      if str(grid.get_row(i)["status"]) == "ACTIVE")  # type: ignore[index]
        grid.cursor_id = active
        name = str((grid.get_row(active) or {}).get("name"))
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ConsoleLogScreen)
                         and app.screen.freshness.state == "fresh", what="console log")
        screens.append(await shown(pilot, app, f"Console {name}"))
        await pilot.press("escape")
        # an action from the `a` menu, and a form submission (each renews tokens: TTL 3 s)
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen), what="list")
        await open_menu(pilot, app)
        await pilot.press(*"soft", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        screens.append(await shown(pilot, app, "Reboot (soft)", "y confirms"))
        await pilot.press("y")
        await wait_until(pilot, lambda: any(n.startswith("Reboot (soft)") for n in notes(app)),
                         what="the reboot done")
        await pilot.press("colon", *"vol", "enter")
        await wait_until(pilot, lambda: list_screen(app).freshness.state == "fresh", what="vol")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateVolumeForm)
                         and app.screen.choices is not None, what="the volume form")
        set_field(form(app), "name", "secret-test")
        set_field(form(app), "size", "1")
        screens.append(await shown(pilot, app, "openstack volume create --size 1 ",
                                   " secret-test"))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="the form sent")
        await wait_until(pilot, lambda: any(n == "secret-test: available" for n in notes(app)),
                         what="the volume made")
        for view, title in (("vol", "Volumes"), ("img", "Images"), ("flavors", "Flavors"),
                            ("networks", "Networks"), ("keypairs", "Key pairs"),
                            ("secgroups", "Security groups")):
            await pilot.press("colon", *view, "enter")
            await wait_until(pilot, lambda: list_screen(app).freshness.state == "fresh",
                             what=view)
            screens.append(await shown(pilot, app, title))
        # re-authentication: tokens revoked under the SDK's feet; then failing requests
        with sim.cloud.lock:
            for token in sim.cloud.tokens.values():
                token.expires_at = time.time() - 1
        await pilot.press("r")
        await wait_until(pilot, lambda: list_screen(app).freshness.state == "fresh", what="reauth")
        sim.faults.error_rate = 1.0
        await pilot.press("r")
        await wait_until(pilot, lambda: list_screen(app).freshness.state == "stale", what="stale")
        screens.append(await shown(pilot, app, "Security groups", "stale since"))
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
    for number, screen in enumerate(screens):
        assert_no_secret(f"screen {number}", screen, secrets)
    out, err = capfd.readouterr()
    assert_no_secret("stdout", out, secrets)
    assert_no_secret("stderr", err, secrets)
    # readable by the user only: the log, the settings file, the state file (and their dirs)
    assert log.parent == logs.log_dir()
    assert settings_path() in files and state_path() in files
    assert '"view": "' in state_path().read_text()  # the session's last view was saved
    # the view cache kept the views visited (searched above with every other file)
    kept = sorted(view_cache_dir().iterdir())
    assert len(kept) >= 7 and all(path in files for path in kept), kept
    assert any('"name":"secret-test"' in path.read_text() for path in kept)  # the new volume
    for path in (log, settings_path(), state_path(), *kept):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, path.parent
    assert stat.S_IMODE(view_cache_dir().parent.stat().st_mode) == 0o700


def test_log_files_made_by_a_rollover_are_private(tmp_path: Path) -> None:
    """The log's rollover opens a fresh file: 0600 too, whatever the umask allows."""
    old = os.umask(0o022)
    try:
        folder = tmp_path / "logs"
        folder.mkdir()
        handler = logs.PrivateRotatingFileHandler(folder / "t.log", maxBytes=100,
                                                      backupCount=2, encoding="utf-8")
        record = logging.LogRecord("tuicloud", logging.INFO, __file__, 1, "x" * 80, None, None)
        for _ in range(4):
            handler.emit(record)
        handler.close()
    finally:
        os.umask(old)
    made = sorted(folder.iterdir())
    assert [p.name for p in made] == ["t.log", "t.log.1", "t.log.2"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in made), made
