"""Failures leave a trace: an unexpected error in a screen's fetch shows one short line on screen
and its whole stack trace in the log file; simcloud's own handler errors land there too."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers.app import make_app, screen_text, wait_until
from tuicloud.cloud import overview as cloud_overview
from tuicloud.cloud.errors import cloud_error_from
from tuicloud.config import logs
from tuicloud.screens.detail import DetailScreen
from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.core import Request, Response, SimCloud

MARKER = "row-builder-bug-7f3a"


@pytest.fixture
def log_file() -> Iterator[Path]:
    """The app's own log set-up (as `tuicloud` and `tuicloud --demo` run it), restored after."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("tuicloud").level)
    path = logs.setup_logging(logging.INFO)
    yield path
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("tuicloud").setLevel(saved[2])
    logging.captureWarnings(False)


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def _traced(path: Path, function: str) -> bool:
    """The log holds a traceback of the marker error raised in ``function``."""
    _flush()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return ("Traceback (most recent call last)" in text and f"KeyError: '{MARKER}'" in text
            and f"in {function}" in text)


def _broken(*_args: Any, **_kwargs: Any) -> Any:
    raise KeyError(MARKER)  # what a bug in a row builder raises


async def test_an_overview_bug_is_a_short_stale_line_on_screen_and_a_trace_in_the_log(
        sim: RunningSim, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cloud_overview.Overview, "gather", _broken)
    app = make_app(view="overview")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: MARKER in screen_text(app), timeout=30,
                         what="the error on screen")
        assert "stale since" in screen_text(app)
        await wait_until(pilot, lambda: _traced(log_file, "_gather_worker"), timeout=15,
                         what="the traceback in the log")


async def test_a_detail_bug_is_shown_and_its_trace_logged(
        sim: RunningSim, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tuicloud.cloud.detail as cloud_detail
    from tuicloud.cloud.kinds.servers import SERVERS

    monkeypatch.setattr(cloud_detail, "fetch_detail", _broken)
    server_id = next(iter(sim.cloud.service("compute").servers))
    app = make_app(view="servers")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: app.session is not None, timeout=30, what="connected")
        app.push_screen(DetailScreen(SERVERS, server_id))
        await wait_until(pilot, lambda: MARKER in screen_text(app), timeout=30,
                         what="the error on screen")
        await wait_until(pilot, lambda: _traced(log_file, "_fetch"), timeout=15,
                         what="the traceback in the log")


def test_an_unexpected_exception_becoming_a_cloud_error_is_logged_with_its_trace(
        log_file: Path) -> None:
    try:
        _broken()
    except KeyError as exc:
        error = cloud_error_from(exc, "compute")
    assert MARKER in error.message
    assert _traced(log_file, "_broken")


def test_a_simcloud_handler_exception_is_a_500_and_a_trace_in_the_tuicloud_log(
        sim: RunningSim, log_file: Path) -> None:
    def handler(_cloud: SimCloud, _request: Request) -> Response:
        return _broken()  # type: ignore[no-any-return]

    sim.cloud.router.add("GET", "/compute/v2.1/trace-test", handler, service="compute",
                         auth=False)
    response = requests.get(f"{sim.cloud.base_url}/compute/v2.1/trace-test", timeout=30)
    assert response.status_code == 500
    assert MARKER not in response.text  # never a traceback in a response body
    assert _traced(log_file, "handler")
    _flush()
    assert "tuicloud.simcloud" in log_file.read_text(encoding="utf-8")


def test_the_logged_trace_of_an_unexpected_exception_has_no_token_or_password(
        log_file: Path) -> None:
    token = "gAAAAABtokentokentokentoken1234567890"
    try:
        raise RuntimeError(f"{MARKER} https://demo:hunter2pass@127.0.0.1/v3 X-Auth-Token: "
                           f"{token}")
    except RuntimeError as exc:
        cloud_error_from(exc, "identity")
    _flush()
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and MARKER in text
    assert token not in text and "hunter2pass" not in text


def test_an_error_in_simclouds_http_layer_goes_to_the_log_not_stderr(
        sim: RunningSim, log_file: Path, capfd: pytest.CaptureFixture[str]) -> None:
    httpd = sim.server._httpd
    assert httpd is not None
    try:
        _broken()
    except KeyError:
        httpd.handle_error(None, ("127.0.0.1", 40000))  # as socketserver calls it
    assert _traced(log_file, "_broken")
    assert MARKER not in capfd.readouterr().err
