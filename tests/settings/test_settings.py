"""The settings file, the state file and `tuicloud --write-config` (no cloud needed)."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from tuicloud.cli import main
from tuicloud.cloud.ssh import guess_user
from tuicloud.config import Settings, load_settings, settings_path
from tuicloud.config.example import EXAMPLE, ensure_example, write_example
from tuicloud.config.locate import find_line
from tuicloud.config.state import CloudState, State, load_state, save_state, state_path

GOOD = """\
default_view = "volumes"
theme = "nord"
console_log_lines = 5000
drain_concurrency = 4

[refresh]
default = 7
servers = 2
vol = 30

[columns]
servers = ["status", "name", "age"]

[keys]
"list.filter" = "f"
"list.refresh" = ["r", "ctrl+r"]

[ssh_users]
"ubuntu*" = "ubuntu"
"*" = "admin"

[clouds.prod]
accent = "#d08770"
read_only = true
protected = true
ssh_user = "ops"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_defaults_and_no_problem() -> None:
    settings = load_settings()
    assert settings.problems == ()
    assert settings.default_view == "overview"
    assert settings.refresh_for("servers") == 5.0
    assert settings.columns_for("servers") is None
    assert settings.cloud("anything").read_only is False
    assert settings.path == settings_path()


def test_every_key_is_read(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path / "settings.toml", GOOD))
    assert settings.problems == ()
    assert settings.default_view == "volumes"
    assert settings.theme == "nord"
    assert settings.console_log_lines == 5000
    assert settings.drain_concurrency == 4
    assert settings.refresh_for("servers") == 2.0
    assert settings.refresh_for("volumes") == 30.0  # an alias names the view
    assert settings.refresh_for("images") == 7.0  # the default
    assert settings.columns_for("servers") == ("status", "name", "age")
    assert dict(settings.keys) == {"list.filter": "f", "list.refresh": "r,ctrl+r"}
    assert settings.ssh_user_for_image("Ubuntu-24.04") == "ubuntu"
    assert settings.ssh_user_for_image("fedora") == "admin"
    prod = settings.cloud("prod")
    assert (prod.accent, prod.read_only, prod.protected, prod.ssh_user) == (
        "#d08770", True, True, "ops")


def test_a_bad_value_names_file_line_and_key_and_only_that_key_is_default(
        tmp_path: Path) -> None:
    text = GOOD.replace("servers = 2\n", "servers = 0\n").replace('theme = "nord"',
                                                                   'theme = "neon"')
    path = write(tmp_path / "settings.toml", text)
    settings = load_settings(path)
    messages = [str(p) for p in settings.problems]
    assert messages == [
        f"{path} line 2: theme: must be a Textual theme: " + messages[0].split(": ", 3)[3],
        f"{path} line 8: refresh.servers: must be a number of seconds ≥ 1 (and ≤ 3600)",
    ]
    assert settings.theme is None
    assert settings.refresh_for("servers") == 7.0  # this key: the default ([refresh] default)
    assert settings.refresh_for("volumes") == 30.0  # the others are kept
    assert settings.cloud("prod").read_only is True


@pytest.mark.parametrize(("line", "key", "reason"), [
    ('default_view = "nope"', "default_view", "must be one of"),
    ("console_log_lines = 3", "console_log_lines", "between 100 and"),
    ('large_object_threshold = "1 parsec"', "large_object_threshold", "the default (1 GiB)"),
    ("large_object_threshold = 10", "large_object_threshold", "between 1 MiB and 5 GiB"),
    ('[columns]\nservers = ["name", "colour"]', "columns.servers", "unknown column 'colour'"),
    ('[columns]\nthings = ["name"]', "columns.things", "not a resource view"),
    ('[keys]\n"list.filter" = ""', "keys.list.filter", "key"),
    ('[keys]\nfilter = "f"', "keys.filter", "not a binding id"),
    ('[ssh_users]\n"ubuntu*" = "bad user"', 'ssh_users.ubuntu*', "must be a user name"),
    ('[clouds.prod]\naccent = "blurple"', "clouds.prod.accent", "is not a colour"),
    ('[clouds.prod]\nread_only = "yes"', "clouds.prod.read_only", "true or false"),
    ('[clouds.prod]\ncolour = "red"', "clouds.prod.colour", "unknown setting"),
    ("refresh = 5", "refresh", "must be a table"),
    ("colour = 1", "colour", "unknown setting"),
    ("drain_concurrency = 0", "drain_concurrency", "one server at a time until fixed"),
])
def test_each_kind_of_bad_value_is_reported_with_its_line(tmp_path: Path, line: str, key: str,
                                                           reason: str) -> None:
    text = "# settings\n\n" + line + "\n"
    settings = load_settings(write(tmp_path / "settings.toml", text))
    [problem] = settings.problems
    assert problem.key == key and reason in problem.message
    assert problem.line == len(text.splitlines())  # the value's own line


@pytest.mark.parametrize("value", ["0", "17", "2.5", '"2"', "true", "-1"])
def test_a_bad_drain_concurrency_fails_closed_to_one(tmp_path: Path, value: str) -> None:
    """More migrations at once than asked for could saturate a host's network: a bad value
    means one at a time, and says so."""
    settings = load_settings(write(tmp_path / "settings.toml", f"drain_concurrency = {value}\n"))
    [problem] = settings.problems
    assert settings.drain_concurrency == 1
    assert problem.key == "drain_concurrency" and "from 1 to 16" in problem.message
    assert load_settings(write(tmp_path / "ok.toml", "drain_concurrency = 5\n")
                         ).drain_concurrency == 5
    assert Settings().drain_concurrency == 2


def test_the_large_object_threshold_takes_units_and_a_bad_one_keeps_the_default(
        tmp_path: Path) -> None:
    assert load_settings(write(tmp_path / "a.toml", 'large_object_threshold = "200MiB"\n')
                         ).large_object_threshold == 200 << 20
    assert load_settings(write(tmp_path / "b.toml", "large_object_threshold = 2097152\n")
                         ).large_object_threshold == 2 << 20
    bad = load_settings(write(tmp_path / "c.toml", 'large_object_threshold = "6GiB"\n'))
    assert bad.large_object_threshold == 1 << 30 and bad.problems


def test_a_syntax_error_names_the_line_and_every_key_is_default(tmp_path: Path) -> None:
    path = write(tmp_path / "settings.toml", 'theme = "nord"\n[refresh\nservers = 2\n')
    settings = load_settings(path)
    [problem] = settings.problems
    assert problem.line == 2
    assert str(problem).startswith(f"{path} line 2: invalid TOML: ")
    assert "every setting uses its default" in str(problem)
    assert settings.theme is None and settings.refresh_for("servers") == 5.0


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"theme = \xff\n")
    [problem] = load_settings(path).problems
    assert "cannot read" in problem.message and "UTF-8" in problem.message


def test_find_line_follows_tables_dotted_and_quoted_keys() -> None:
    text = ('a = 1\n[clouds."my cloud"]\naccent = "x"\n[refresh]\nservers.x = 1\n'
            "[clouds]\nother.read_only = 1\n")
    assert find_line(text, ("clouds", "my cloud", "accent")) == 3
    assert find_line(text, ("refresh", "servers", "x")) == 5
    assert find_line(text, ("clouds", "other", "read_only")) == 7
    assert find_line(text, ("refresh", "volumes")) == 4  # falls back to its table


def test_the_example_is_all_comments_and_valid_once_uncommented(tmp_path: Path) -> None:
    commented = load_settings(write(tmp_path / "a.toml", EXAMPLE))
    assert commented.problems == () and commented == Settings(path=tmp_path / "a.toml")
    lines = [line[2:] if line.startswith("# ") else line for line in EXAMPLE.splitlines()]
    uncommented = load_settings(write(tmp_path / "b.toml", "\n".join(lines)))
    assert uncommented.problems == ()
    assert uncommented.cloud("production").protected is True
    assert uncommented.refresh_for("all") == 15.0


def test_write_example_never_overwrites_unless_forced() -> None:
    path = write_example()
    assert path == settings_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.write_text("theme = 'nord'\n")
    with pytest.raises(FileExistsError):
        write_example()
    ensure_example()  # first-run writing leaves an existing file alone
    assert path.read_text() == "theme = 'nord'\n"
    write_example(force=True)
    assert path.read_text() == EXAMPLE


def test_write_config_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--write-config"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == str(settings_path())
    assert settings_path().read_text() == EXAMPLE
    # Again (as after a first run, which writes the example): the file is already it.
    assert main(["--write-config"]) == 0
    assert capsys.readouterr().out.strip() == str(settings_path())
    settings_path().write_text("theme = 'nord'\n")
    assert main(["--write-config"]) == 1
    err = capsys.readouterr().err
    assert f"{settings_path()} exists and has your changes; add --force" in err
    assert settings_path().read_text() == "theme = 'nord'\n"
    assert main(["--write-config", "--force"]) == 0
    assert settings_path().read_text() == EXAMPLE


def test_settings_problems_go_to_stderr_when_the_tui_does_not_open(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    write(settings_path(), "[refresh]\nservers = -1\n")
    empty = tmp_path / "empty.yaml"
    empty.write_text("clouds: {}\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(empty))
    assert main(["--os-cloud", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert "settings.toml line 2: refresh.servers: must be a number of seconds ≥ 1" in err
    assert "cloud 'nowhere' not found" in err


def test_state_round_trip_is_atomic_and_private() -> None:
    state = State(cloud="alpha", view="volumes",
                  clouds={"alpha": CloudState("ops", "RegionTwo"), "beta": CloudState()})
    save_state(state)
    path = state_path()
    assert load_state() == state
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert os.listdir(path.parent) == ["state.json"]  # no temporary file left behind
    state.view = "images"
    save_state(state)
    assert load_state().view == "images"
    assert os.listdir(path.parent) == ["state.json"]
    assert json.loads(path.read_text())["clouds"]["alpha"] == {"project": "ops",
                                                               "region": "RegionTwo"}


def test_a_failed_write_keeps_the_old_state_and_leaves_no_temp_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    save_state(State(cloud="alpha"))

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:  # (undo() would also drop the isolated XDG dirs)
        patch.setattr(os, "replace", broken_replace)
        save_state(State(cloud="beta"))  # logged, not raised
    assert load_state().cloud == "alpha"
    assert os.listdir(state_path().parent) == ["state.json"]


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_a_corrupt_state_file_is_ignored_with_a_log_line(
        content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="tuicloud.state"):
        assert load_state() == State()
    assert any("ignoring the state file" in r.getMessage() for r in caplog.records)


def test_ssh_user_rules_rank_after_the_cloud_user_and_before_the_image() -> None:
    image = {"name": "Ubuntu-24.04-custom", "os_admin_user": "imageuser"}
    rules = (("centos*", "centos"), ("ubuntu*", "ubuntu-rule"))
    assert guess_user(image, None, rules) == "ubuntu-rule"
    assert guess_user(image, "clouduser", rules) == "clouduser"
    assert guess_user(image, None, ()) == "imageuser"
    assert guess_user({"name": "other"}, None, rules) == "root"


def test_cloud_settings_merge_with_clouds_yaml_options() -> None:
    from types import SimpleNamespace

    from tuicloud.config import CloudSettings
    from tuicloud.config.per_cloud import apply_cloud_settings

    settings = load_settings()
    # clouds.yaml's values as CloudSession reads them; the settings file's section on top.
    session = SimpleNamespace(cloud_name="prod", read_only=True, protected=False,
                              ssh_user="yamluser", accent="not-a-colour")
    problems = apply_cloud_settings(session, CloudSettings(read_only=False, protected=True),
                                    settings)
    assert (session.read_only, session.protected) == (True, True)  # the stricter of both
    assert session.ssh_user == "yamluser" and session.accent is None
    assert problems == ["clouds.yaml: cloud 'prod': tuicloud.accent: 'not-a-colour' is not a "
                        "colour; ignored"]
    session = SimpleNamespace(cloud_name="prod", read_only=False, protected=False,
                              ssh_user="yamluser", accent="red")
    assert apply_cloud_settings(session, CloudSettings(accent="#d08770", ssh_user="ops"),
                                settings) == []
    assert (session.accent, session.ssh_user) == ("#d08770", "ops")  # the settings file wins
    assert (session.read_only, session.protected) == (False, False)
