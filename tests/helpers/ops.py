"""Test helpers (ops)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.helpers.app import (
    table,
    wait_until,
)
from tuicloud.app import TuiCloudApp
from tuicloud.screens.actions_menu import ActionsMenu
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.prompts import ChoicePrompt
from tuicloud.simcloud import RunningSim


def raw_servers(sim: RunningSim) -> list[Any]:
    """simcloud's own server records of the demo project."""
    nova = sim.cloud.service("compute")
    demo = sim.cloud.service("identity").project_by_name("demo")
    return [s for s in nova.servers.values() if s.project_id == demo.id]


def pick(sim: RunningSim, vm_state: str, count: int = 1) -> list[Any]:
    """Idle, unlocked servers of the demo project in a vm_state."""
    found = [s for s in raw_servers(sim) if s.vm_state == vm_state and not s.task_state
             and not s.locked]
    assert len(found) >= count, (vm_state, len(found))
    return found[:count]


def status_of(app: TuiCloudApp, ident: str) -> str:
    row = table(app).get_row(ident) or {}
    value = row.get("status")
    return str(getattr(value, "plain", value))


def writes(sim: RunningSim, start: int) -> list[tuple[str, str]]:
    """Requests that change something, sent since ``start`` (authentication aside)."""
    return [(r.method, r.path) for r in list(sim.cloud.request_log)[start:]
            if r.method not in ("GET", "HEAD") and r.service != "identity"]


async def open_menu(pilot: Pilot[Any], app: TuiCloudApp) -> ActionsMenu:
    await pilot.press("a")
    await wait_until(pilot, lambda: isinstance(app.screen, ActionsMenu)
                     and app.screen.raws is not None, what="actions menu")
    menu = app.screen
    assert isinstance(menu, ActionsMenu)
    return menu


async def run_with_choice(pilot: Any, app: Any, action: str, wanted: str) -> None:
    """Run a menu action whose input is a picker, choosing ``wanted``."""
    await open_menu(pilot, app)
    await pilot.press(*action, "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt)
                     and bool(app.screen.choices)
                     and app.screen.current_value() is not None, what=f"{action} choices")
    prompt = app.screen
    assert isinstance(prompt, ChoicePrompt)
    assert wanted in [c.value for c in prompt.choices if not c.disabled], prompt.choices
    for _ in range(len(prompt.choices)):
        if prompt.current_value() == wanted:
            break
        await pilot.press("down")
    assert prompt.current_value() == wanted
    await pilot.press("enter")


async def press_and_confirm(pilot: Any, app: Any, keys: tuple[str, ...]) -> None:
    await pilot.press(*keys)
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
    await pilot.press("y")


def demo_id(sim: RunningSim) -> str:
    return str(sim.cloud.service("identity").project_by_name("demo").id)


def cell(grid: Any, ident: str, key: str) -> str:
    value = (grid.get_row(ident) or {}).get(key)
    return str(getattr(value, "plain", value))


async def open_detail(pilot: Any, app: Any) -> DetailScreen:
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                     and app.screen.raw is not None, what="detail")
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    return screen
