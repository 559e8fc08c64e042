"""Smoke test of an INSTALLED tuicloud: run with the python of a venv the wheel was installed
into, from a folder outside the source tree (tests/installed/check_wheel.py does both).

It starts simcloud the way `tuicloud --demo` does and drives the installed app with Textual's
Pilot: the actions menu, a confirmation, and the create form of servers, volumes and images.
Each of these screens loads its own stylesheet from the package and raises StylesheetError if
the wheel left it out. A plain script, not a pytest test: the installed product needs no test
extras. Exit status 0 when every step passed, 1 (with the failure) otherwise.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEADLINE = 60.0  # seconds per step; each takes well under a second on an idle machine


def check_installed_copy() -> str:
    """The tuicloud imported is the venv's, not a checkout on sys.path."""
    import tuicloud

    where = Path(tuicloud.__file__).resolve()
    prefix = Path(sys.prefix).resolve()
    if prefix not in where.parents:
        raise SystemExit(f"FAIL: tuicloud imported from {where}, not from the venv {prefix}")
    return str(where)


class Step:
    """Runs one app session's steps with a deadline on each wait."""

    def __init__(self, app: Any, pilot: Any, view: str) -> None:
        self.app, self.pilot, self.view = app, pilot, view

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if not self.app.is_running:
                raise RuntimeError(f"{self.view}: the app stopped while waiting for {what}")
            if condition():
                return
            await self.pilot.pause(0.05)
        shown = [n.message for n in getattr(self.app, "_notifications", [])]  # for the reader
        raise RuntimeError(f"{self.view}: no {what} within {DEADLINE:.0f} s "
                           f"(screen: {type(self.app.screen).__name__}; notifications: {shown})")

    async def opens(self, key: str, screen: type, what: str,
                    ready: Callable[[Any], bool] = lambda screen: True) -> None:
        await self.pilot.press(key)
        await self.until(lambda: isinstance(self.app.screen, screen) and ready(self.app.screen),
                         what)
        print(f"  ok  {self.view}: {what}", flush=True)

    async def back_to_list(self, list_screen: type) -> None:
        await self.pilot.press("escape")
        await self.until(lambda: isinstance(self.app.screen, list_screen), "the list again")


def status(row: Any) -> str:
    value = (row or {}).get("status")
    return str(getattr(value, "plain", value))


CASES = (  # (view, what is opened there)
    ("servers", "actions menu"),
    ("volumes", "delete confirmation"),
    ("servers", "launch form"),
    ("volumes", "create volume form"),
    ("images", "create image form"),
)


async def visit(view: str, case: str) -> None:
    """Open ``view`` in a fresh app, then the screen ``case`` names (each of these loads a
    .tcss of its own), then close it."""
    from tuicloud.app import TuiCloudApp
    from tuicloud.cli import parse_options
    from tuicloud.screens.actions_menu import ActionsMenu
    from tuicloud.screens.confirm import ConfirmScreen
    from tuicloud.screens.forms.create_image import CreateImageForm
    from tuicloud.screens.forms.create_volume import CreateVolumeForm
    from tuicloud.screens.forms.launch_server import LaunchServerForm
    from tuicloud.screens.resource_list import ResourceListScreen

    options = parse_options(["--os-cloud", "simcloud", "--view", view, "--refresh", "60"])
    app = TuiCloudApp(options)
    async with app.run_test(size=(120, 40)) as pilot:
        step = Step(app, pilot, view)

        def loaded() -> bool:
            screen = app.screen
            return isinstance(screen, ResourceListScreen) and screen.table.row_count > 0

        await step.until(loaded, "rows")
        table = app.screen.table
        if case == "actions menu":
            await step.opens("a", ActionsMenu, case, lambda menu: menu.raws is not None)
        elif case == "delete confirmation":
            free = [i for i in table.visible_ids() if status(table.get_row(i)) == "available"]
            if not free:
                raise RuntimeError("volumes: no available volume to ask to delete")
            table.cursor_id = free[0]
            await step.opens("ctrl+d", ConfirmScreen, case)
        else:
            form = {"launch form": LaunchServerForm, "create volume form": CreateVolumeForm,
                    "create image form": CreateImageForm}[case]
            await step.opens("c", form, case)
        await step.back_to_list(ResourceListScreen)  # nothing typed: every one closes at once
    if app.return_code not in (0, None):
        raise RuntimeError(f"{view}: the app ended with status {app.return_code}")


def main() -> int:
    print(f"tuicloud from {check_installed_copy()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="tuicloud-smoke-") as home:
        # Settings, state and logs of this run stay in the temporary folder.
        for variable in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            os.environ[variable] = str(Path(home) / variable.lower())
        for variable in [v for v in os.environ if v.startswith("OS_")]:
            del os.environ[variable]
        from tuicloud.cli import demo_cloud

        failed = []
        with demo_cloud(servers=20):  # what `tuicloud --demo` starts
            for view, case in CASES:
                try:
                    asyncio.run(visit(view, case))
                except Exception as error:  # report it, go on: show every broken screen
                    traceback.print_exc()
                    failed.append(f"{view}: {case}: {type(error).__name__}: {error}")
                    print(f"  FAIL {failed[-1]}", flush=True)
    if failed:
        print(f"smoke test FAILED, {len(failed)} of {len(CASES)}:", *failed, sep="\n  ",
              file=sys.stderr)
        return 1
    print(f"smoke test passed: {len(CASES)} screens", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
