"""A bug met while polling a list, connecting, refreshing the names or submitting a form shows
the user one short line and leaves its whole stack trace in the log file."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from tests.helpers.app import loaded, make_app, screen_text, wait_until
from tests.helpers.forms import form, open_form, set_field
from tuicloud.app import TuiCloudApp
from tuicloud.cloud.kinds.base import ResourceKind
from tuicloud.cloud.lookups import Lookups
from tuicloud.config import logs
from tuicloud.screens.forms.create_volume import CreateVolumeForm
from tuicloud.simcloud import RunningSim

MARKER = "screen-bug-51c9"


@pytest.fixture
def log_file() -> Iterator[Path]:
    """The app's own log set-up (as `tuicloud` runs it), restored after."""
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


def traced(path: Path, function: str) -> bool:
    """The log holds a traceback of the marker error, passing through ``function``."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return ("Traceback (most recent call last)" in text and f"KeyError: '{MARKER}'" in text
            and f"in {function}" in text)


def broken(*_args: Any, **_kwargs: Any) -> Any:
    raise KeyError(MARKER)  # what a bug raises


async def test_a_row_builder_bug_makes_the_list_stale_and_logs_its_trace(
        sim: RunningSim, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ResourceKind, "row", broken)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: "stale since" in screen_text(app)
                         and MARKER in screen_text(app), timeout=30, what="a stale list")
        # The feed's poll (model layer) catches it; the screen only shows the line.
        await wait_until(pilot, lambda: traced(log_file, "poll"), what="the trace")


async def test_a_bug_while_connecting_is_one_line_and_a_trace(
        sim: RunningSim, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TuiCloudApp, "_open_session", broken)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: "not connected" in screen_text(app)
                         and MARKER in screen_text(app), timeout=30, what="not connected")
        await wait_until(pilot, lambda: traced(log_file, "_connect_worker"), what="the trace")


async def test_a_bug_refreshing_the_names_keeps_the_old_ones_and_logs_its_trace(
        sim: RunningSim, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, app)
        monkeypatch.setattr(Lookups, "refresh", broken)
        worker = app._refresh_lookups()
        await wait_until(pilot, lambda: worker.is_finished, timeout=30, what="the refresh")
        assert worker.error is None  # the worker itself did not fail
        assert traced(log_file, "_refresh_lookups")


async def test_a_bug_while_submitting_a_form_is_one_line_and_a_trace(
        sim: RunningSim, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(view="volumes")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_form(pilot, app, CreateVolumeForm,
                                 ready=lambda s: getattr(s, "choices", None) is not None)
        set_field(screen, "name", "traced")
        set_field(screen, "size", "1")
        monkeypatch.setattr(CreateVolumeForm, "submit_blocking", broken)
        await pilot.press("ctrl+s")

        def message() -> str:
            return str(form(app).query_one("#form-message", Static).render())

        await wait_until(pilot, lambda: MARKER in message(), timeout=30, what="the form line")
        assert "Traceback" not in message()
        await wait_until(pilot, lambda: traced(log_file, "_submit_worker"), what="the trace")
