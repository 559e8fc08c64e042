"""Helpers for the form tests (test_forms_*.py): open a form on a list, read its fields."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, SelectionList, Static

from tests.helpers.app import NotShownYet, loaded, wait_until
from tuicloud.app import TuiCloudApp
from tuicloud.screens.forms.base import FormScreen
from tuicloud.simcloud import RunningSim

__all__ = ["demo_project", "field_error", "form", "open_form", "plain_text",
           "set_field", "using_simcloud"]


@contextmanager
def using_simcloud(msim: RunningSim, monkeypatch: pytest.MonkeyPatch,
                   quotas_of: str | None = None) -> Iterator[RunningSim]:
    """The module's simcloud for one test; with ``quotas_of`` ("compute", "volume"), that
    service's quota overrides for the demo project are undone afterwards."""
    assert msim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(msim.clouds_yaml))
    if quotas_of is None:
        yield msim
        return
    quotas = msim.cloud.service(quotas_of).quotas
    project = demo_project(msim)
    seeded = dict(quotas.get(project, {}))
    try:
        yield msim
    finally:
        quotas[project] = seeded


def plain_text(app: TuiCloudApp) -> str:
    """The screen's lines as plain text, spaces kept (unlike the SVG export)."""
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


def form(app: TuiCloudApp) -> FormScreen:
    """The current screen, which must be a form."""
    screen = app.screen
    if not isinstance(screen, FormScreen):
        raise NotShownYet(f"not a form: {screen!r}")
    return screen


async def open_form(pilot: Pilot[Any], app: TuiCloudApp, kind: type[FormScreen],
                    key: str = "c", ready: Any = None, minimum: int = 1) -> FormScreen:
    """Press ``key`` on the loaded list (``minimum`` rows) and wait for the form (and its
    choices)."""
    await loaded(pilot, app, minimum)
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, kind), what=kind.__name__)
    if ready is not None:
        await wait_until(pilot, lambda: bool(ready(app.screen)), what="form choices")
    await pilot.pause(0.1)
    return form(app)


def set_field(screen: FormScreen, name: str, value: Any) -> None:
    """Set a field as the user would pick it (selects, checkboxes, lists)."""
    widget = screen.rows()[name].widget
    if isinstance(widget, Select | Input):
        widget.value = value
    elif isinstance(widget, SelectionList):
        widget.deselect_all()
        for item in value:
            widget.select(item)
    else:
        widget.value = value  # type: ignore[attr-defined]


def field_error(screen: FormScreen, name: str) -> str:
    """The error line under a field ("" when none is shown)."""
    error = screen.query_one(f"#err-{name}", Static)
    return str(error.render()) if error.has_class("-shown") else ""


def demo_project(sim: RunningSim) -> str:
    """The demo project's id."""
    return next(p.id for p in sim.cloud.projects.values() if p.name == "demo")


async def settle(pilot: Pilot[Any]) -> None:
    """Let posted change events run."""
    await pilot.pause(0.1)


async def push_form(pilot: Pilot[Any], app: TuiCloudApp, screen: FormScreen) -> FormScreen:
    """Push a form (as the actions menu would) and wait until it is composed and settled."""
    app.push_screen(screen)
    await wait_until(pilot, lambda: app.screen is screen and bool(screen.query("#form-command"))
                     and screen._initial is not None, what=type(screen).__name__)
    await pilot.pause(0.1)
    return screen
