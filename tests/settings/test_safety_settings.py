"""read_only and protected fail closed: a wrong value in the settings file (per cloud or for
all), in clouds.yaml's ``tuicloud:`` section, or a settings file that cannot be parsed, counts as
on; the problem is still reported and the header shows the badge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.app import loaded, make_app, screen_text, table, wait_until
from tuicloud.app import TuiCloudApp
from tuicloud.cloud.config import _flag
from tuicloud.cloud.errors import ReadOnlyError
from tuicloud.config import load_settings, settings_path
from tuicloud.simcloud import RunningSim


def _write_settings(text: str) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(text, encoding="utf-8")


def _notifications(app: TuiCloudApp) -> list[str]:
    seen: list[str] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(message)
        original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


@pytest.mark.parametrize("text", [
    '[clouds.prod]\nread_only = "yes"\n',
    "[clouds.prod]\nread_only = 0\n",
    '[clouds.prod]\nread-only = "no"\n',
    'read_only = "true"\n',
])
def test_a_bad_read_only_value_counts_as_on_and_is_reported(tmp_path: Path, text: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    settings = load_settings(path)
    assert settings.cloud("prod").read_only is True
    [problem] = settings.problems
    assert "true or false" in problem.message and "counted as true" in problem.message
    assert problem.line is not None


def test_protected_fails_closed_and_top_level_safety_applies_to_every_cloud(
        tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[clouds.prod]\nprotected = "on"\n', encoding="utf-8")
    assert load_settings(path).cloud("prod").protected is True
    path.write_text("protected = true\n[clouds.prod]\nread_only = false\n", encoding="utf-8")
    settings = load_settings(path)
    assert settings.problems == ()
    assert settings.cloud("prod").protected and settings.cloud("other").protected
    assert not settings.cloud("prod").read_only


@pytest.mark.parametrize(("text", "read_only", "protected"), [
    ('[clouds.prod]\nread_only = true\n[broken\n', True, False),
    ('[clouds]\nprod.protected = true  # prod\n[broken\n', False, True),
    ('# read_only = true\n[clouds.prod]\nread_only = false\n[broken\n', False, False),
])
def test_an_unparsable_file_that_sets_a_safety_key_turns_it_on_for_every_cloud(
        tmp_path: Path, text: str, read_only: bool, protected: bool) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    settings = load_settings(path)
    assert "invalid TOML" in str(settings.problems[0])
    for cloud in ("prod", "other"):
        assert (settings.cloud(cloud).read_only, settings.cloud(cloud).protected) == (
            read_only, protected)
    assert len(settings.problems) == 1 + read_only + protected


@pytest.mark.parametrize(("value", "expected"), [
    (True, (True, True)), (False, (False, True)), ("yes", (True, True)), ("off", (False, True)),
    (0, (False, True)), ("maybe", (True, False)), (None, (True, False)), (2, (True, False)),
    ([], (True, False)),
])
def test_clouds_yaml_flags_fail_closed(value: object, expected: tuple[bool, bool]) -> None:
    assert _flag(value) == expected


async def test_read_only_yes_in_the_settings_file_refuses_mutations_and_shows_the_badge(
        sim: RunningSim) -> None:
    _write_settings('[clouds.simcloud]\nread_only = "yes"\n')
    app = make_app()
    seen = _notifications(app)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        session = app.session
        assert session is not None and session.read_only
        await wait_until(pilot, lambda: " READ-ONLY " in screen_text(app), what="the badge")
        assert any("clouds.simcloud.read_only" in s and "counted as true" in s for s in seen)
        server = table(app).visible_ids()[0]
        sent = len(sim.cloud.request_log)
        with pytest.raises(ReadOnlyError):
            session.request("POST", "compute", f"/servers/{server}/action",
                            json={"reboot": {"type": "SOFT"}}, description="reboot")
        assert not [r for r in list(sim.cloud.request_log)[sent:] if r.method != "GET"]


async def test_a_bad_protected_in_clouds_yaml_counts_as_on_and_is_reported(
        sim: RunningSim) -> None:
    assert sim.clouds_yaml is not None
    clouds = yaml.safe_load(sim.clouds_yaml.read_text(encoding="utf-8"))
    clouds["clouds"]["simcloud"]["tuicloud"] = {"protected": "maybe"}
    sim.clouds_yaml.write_text(yaml.safe_dump(clouds), encoding="utf-8")
    app = make_app()
    seen = _notifications(app)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, app)
        session = app.session
        assert session is not None and session.protected and not session.read_only
        await wait_until(pilot, lambda: " PROTECTED " in screen_text(app), what="the badge")
        await wait_until(pilot, lambda: any("tuicloud.protected" in s and "'maybe'" in s
                                            for s in seen), what="the problem reported")


async def test_many_bad_settings_give_one_notification_and_every_one_in_the_log(
        sim: RunningSim, caplog: pytest.LogCaptureFixture) -> None:
    """Eight toasts pushed the first ones off the screen: one summary, each problem logged."""
    _write_settings('theme = 7\n[refresh]\nservers = "often"\nvolumes = -3\n'
                    '[clouds.simcloud]\nread_only = "yes"\n')
    expected = len(load_settings().problems)
    assert expected >= 3
    app = make_app()
    seen = _notifications(app)
    with caplog.at_level("WARNING", logger="tuicloud.switching"):
        async with app.run_test(size=(120, 30)) as pilot:
            await loaded(pilot, app)
            await wait_until(pilot, lambda: any("more problems" in s for s in seen),
                             what="the summary")
            assert len([s for s in seen if "more problems" in s]) == 1
            assert not any("refresh.volumes" in s and "more problems" not in s for s in seen)
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("settings:")]
    assert len(logged) == expected
    assert any("refresh.volumes" in line for line in logged)
