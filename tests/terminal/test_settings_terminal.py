"""Settings and state through the real `tuicloud` command on a pty: the example written on the
first run, the state restored by the next process, a bad settings file reported on screen."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.terminal import PtyApp
from tuicloud.config.example import EXAMPLE
from tuicloud.simcloud import SimConfig, run_simcloud

TUICLOUD = str(Path(sys.executable).parent / "tuicloud")


@pytest.fixture
def user(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """A user's environment (own HOME and XDG dirs) with a simcloud in clouds.yaml."""
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=12, volumes=5, images=4), clouds_yaml=clouds):
        home = tmp_path / "home"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("OS_", "XDG_"))}
        env.update(HOME=str(home), OS_CLIENT_CONFIG_FILE=str(clouds),
                   XDG_CONFIG_HOME=str(home / ".config"),
                   XDG_STATE_HOME=str(home / ".local" / "state"))
        yield env, home


def run(env: dict[str, str], *args: str) -> PtyApp:
    return PtyApp([TUICLOUD, "--refresh", "60", *args], columns=120, lines=30, env=env)


def quit_app(app: PtyApp) -> None:
    app.send("q")
    app.process.wait(20)
    app.close()


def test_first_run_example_then_state_restored_by_the_next_process(
        user: tuple[dict[str, str], Path]) -> None:
    env, home = user
    settings = home / ".config" / "tuicloud" / "settings.toml"
    state = home / ".local" / "state" / "tuicloud" / "state.json"
    first = run(env, "--os-cloud", "simcloud", "--view", "volumes")
    try:
        first.wait_for_text("simcloud / demo / RegionOne / demo")
        first.wait_for_text("Volumes")
    finally:
        quit_app(first)
    assert settings.read_text(encoding="utf-8") == EXAMPLE
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert (saved["cloud"], saved["view"]) == ("simcloud", "volumes")
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    # clouds.yaml has two clouds: without the state this would open the picker.
    second = run(env)
    try:
        second.wait_for(lambda screen: "simcloud / demo / RegionOne / demo" in screen
                        and "Volumes" in screen)
    finally:
        quit_app(second)


def test_a_bad_setting_is_shown_on_screen_and_the_app_runs(
        user: tuple[dict[str, str], Path]) -> None:
    env, home = user
    settings = home / ".config" / "tuicloud" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text('default_view = "servers"\n[refresh]\nservers = "often"\n',
                        encoding="utf-8")
    app = run(env, "--os-cloud", "simcloud")
    try:
        # A toast: its text wraps, so look for its pieces.
        app.wait_for(lambda screen: "settings.toml" in screen and "line 3:" in screen
                     and "refresh.servers:" in screen and "must be a number" in screen)
        app.wait_for_text("Servers")  # default_view from the same file still applies
    finally:
        quit_app(app)
    assert settings.read_text(encoding="utf-8").startswith("default_view")  # left alone
