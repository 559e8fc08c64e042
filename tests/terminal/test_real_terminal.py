"""`tuicloud --os-cloud simcloud` in a real terminal (tmux), as a user runs it from a shell.

At 80x24 and 200x60: the servers list, `:vol`, a filter (`/`), a detail view (enter), the
console log (`l`), the actions menu (`a`) and the launch form (`c`) opened and closed, `q`; the
screen is checked at each step, and afterwards the shell is back with
the terminal restored (no alternate screen, cursor visible, mouse reporting off). Start-up
failures that retrying cannot fix print one line on the restored terminal and exit 1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.tls import make_certs
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud
from tuicloud.simcloud.keystone import DEMO_PASSWORD

TUICLOUD = Path(sys.executable).parent / "tuicloud"
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

# pane state after the app left: alternate screen off, cursor on, every mouse mode off,
# keypad modes off
RESTORED = {"alternate_on": "0", "cursor_flag": "1", "mouse_any_flag": "0",
            "mouse_all_flag": "0", "mouse_button_flag": "0", "mouse_standard_flag": "0",
            "mouse_sgr_flag": "0", "keypad_flag": "0", "keypad_cursor_flag": "0"}


class Tmux:
    """One detached tmux session running ``sh`` on a private server socket."""

    def __init__(self, env: dict[str, str], columns: int, lines: int) -> None:
        self.socket = f"tuicloud-test-{os.getpid()}-{columns}x{lines}"
        self.env = env
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", str(columns),
                 "-y", str(lines), "sh")
        self.run("set-option", "-s", "escape-time", "0")  # Esc reaches the app at once
        self.run("set-option", "-g", "status", "off")
        self.socket_path = self.run("display-message", "-p", "#{socket_path}").strip()

    def run(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], env=self.env, check=True,
                                capture_output=True, text=True, timeout=10)
        return result.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", "main", *(["-l"] if literal else []), *keys)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main")

    def flags(self) -> dict[str, str]:
        names = list(RESTORED)
        values = self.run("display-message", "-p", "-t", "main",
                          " ".join(f"#{{{name}}}" for name in names)).split()
        return dict(zip(names, values, strict=True))

    def wait(self, predicate: Callable[[str], bool], what: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{screen}")
            time.sleep(0.05)

    def wait_text(self, needle: str, timeout: float = 30) -> str:
        return self.wait(lambda screen: needle in screen, repr(needle), timeout)

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], env=self.env, check=False,
                       capture_output=True, timeout=10)
        if self.socket_path:
            Path(self.socket_path).unlink(missing_ok=True)


def user_env(tmp_path: Path, clouds: Path) -> dict[str, str]:
    """A user's environment: their own HOME and XDG dirs, and a clouds.yaml."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL") if key in os.environ}
    env.update(HOME=str(home), TERM="xterm-256color", OS_CLIENT_CONFIG_FILE=str(clouds),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_STATE_HOME=str(home / ".state"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".data"),
               ENV="", PYTHONDONTWRITEBYTECODE="1")
    env.setdefault("LANG", "C.UTF-8")
    return env


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    folder = tmp_path_factory.mktemp("terminal-sim")
    with run_simcloud(SimConfig(servers=30, volumes=10, images=8, build_delay=0.3),
                      clouds_yaml=folder / "clouds.yaml") as running:
        yield running


@pytest.fixture
def tmux_factory(tmp_path: Path) -> Iterator[Callable[[Path, int, int], Tmux]]:
    sessions: list[Tmux] = []

    def start(clouds: Path, columns: int, lines: int) -> Tmux:
        session = Tmux(user_env(tmp_path, clouds), columns, lines)
        sessions.append(session)
        session.type("PS1='$ '; clear")  # root's sh ignores PS1 from the environment
        session.keys("Enter")
        session.wait(lambda screen: screen.strip() == "$", "the shell prompt", 10)
        return session

    yield start
    for session in sessions:
        session.kill()


def demo_server(sim: RunningSim) -> str:
    """The name of an ACTIVE server of project demo that no other server's name contains."""
    demo = next(p.id for p in sim.cloud.projects.values() if p.name == "demo")
    servers = list(sim.cloud.service("compute").servers.values())
    names = [s.name for s in servers if s.project_id == demo]
    return str(next(s.name for s in sorted(servers, key=lambda s: s.name)
                    if s.project_id == demo and s.vm_state == "active"
                    and re.fullmatch(r"[a-z0-9-]{4,20}", s.name)
                    and sum(s.name in other for other in names) == 1))


def exited(screen: str) -> bool:
    return re.search(r"^EXIT=\d+$", screen, re.MULTILINE) is not None


def header(screen: str) -> str:
    return screen.splitlines()[0]


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_a_session_in_tmux(cloud: RunningSim, tmux_factory: Callable[[Path, int, int], Tmux],
                           size: tuple[int, int]) -> None:
    assert TUICLOUD.exists(), f"{TUICLOUD} is not installed (pip install -e .)"
    assert cloud.clouds_yaml is not None
    columns, lines = size
    term = tmux_factory(cloud.clouds_yaml, columns, lines)
    target = demo_server(cloud)
    term.type(f"{TUICLOUD} --os-cloud simcloud --refresh 2; echo EXIT=$?")
    term.keys("Enter")

    # the overview, the landing view
    screen = term.wait(lambda s: "Overview" in header(s) and "Quotas" in s
                       and re.search(r"Servers \d+", s) is not None
                       and re.search(r"Instances .* \d+/\d+", s) is not None, "overview")
    assert "simcloud / demo / RegionOne / demo" in header(screen)

    # the servers view
    term.type(":srv")
    term.keys("Enter")
    # the whole table, not only its header: tmux can be read between two parts of a redraw
    screen = term.wait(lambda s: re.search(r"Servers \d+", header(s)) is not None
                       and "Name" in s.splitlines()[1] and "ACTIVE" in s
                       and "q Quit" in s.splitlines()[-1], "servers")
    assert "simcloud / demo / RegionOne / demo" in header(screen)
    assert term.flags()["alternate_on"] == "1"
    rows = screen.splitlines()
    assert len(rows) == lines and all(len(row) <= columns for row in rows)
    assert "Name" in rows[1] and "Status" in rows[1]
    if columns >= 200:
        assert "Addresses" in rows[1] and "Flavor" in rows[1] and "Image" in rows[1]
    assert "q Quit" in rows[-1]

    # :vol
    term.type(":vol")
    term.keys("Enter")
    screen = term.wait(lambda s: re.search(r"Volumes \d+", header(s)) is not None
                       and "updated" in header(s), "volumes")
    assert re.search(r"\b(available|in-use)\b", screen)

    # back to servers, filter
    term.type(":srv")
    term.keys("Enter")
    term.wait(lambda s: re.search(r"Servers \d+", header(s)) is not None, "servers again")
    term.type("/" + target)
    term.keys("Enter")
    screen = term.wait(lambda s: re.search(r"Servers 1/\d+", header(s)) is not None,
                       "one server left by the filter")
    shown = [row for row in screen.splitlines()[2:] if "ACTIVE" in row]
    assert len(shown) == 1 and target in shown[0]

    # the detail view
    term.keys("Enter")
    screen = term.wait(lambda s: f"Server {target}" in header(s) and "Flavor" in s, "detail")
    assert "Status" in screen and "ACTIVE" in screen

    # the console log
    term.keys("Escape")
    term.wait(lambda s: re.search(r"Servers 1/\d+", header(s)) is not None, "the list again")
    term.keys("l")
    screen = term.wait(lambda s: f"Console {target}" in header(s)
                       and re.search(r"FOLLOWING\s+[1-9][\d,]* lines", s) is not None,
                       "console log lines")
    term.keys("Escape")
    term.wait(lambda s: re.search(r"Servers 1/\d+", header(s)) is not None, "the list")

    # the actions menu (`a`) and the launch form (`c`), each closed with Escape
    term.keys("a")
    screen = term.wait(lambda s: "Actions: server " + target in s and "Reboot (soft)" in s
                       and "enter runs" in s, "the actions menu")
    assert "$ openstack server " in screen and all(len(r) <= columns for r in screen.splitlines())
    term.keys("Escape")
    term.wait(lambda s: "Actions:" not in s and re.search(r"Servers 1/\d+", header(s))
              is not None, "the menu closed")
    term.keys("c")
    # The footer shows the form's keys a frame after the form itself: wait for them too.
    screen = term.wait(lambda s: "Launch server" in s and "Flavor" in s
                       and "Loading" not in s and "ctrl+s" in s.lower(), "the launch form")
    assert "Name" in screen
    term.keys("Escape")
    term.wait(lambda s: "Launch server" not in s and re.search(r"Servers 1/\d+", header(s))
              is not None, "the form closed")

    # quit: the shell is back, the terminal as it was
    term.keys("q")
    screen = term.wait_text("EXIT=0", timeout=15)
    assert screen.rstrip().endswith("$"), screen
    assert "Servers" not in screen and "Traceback" not in screen
    assert term.flags() == RESTORED


def test_a_wrong_password_is_one_line_and_exit_1(
        cloud: RunningSim, tmp_path: Path,
        tmux_factory: Callable[[Path, int, int], Tmux]) -> None:
    assert cloud.clouds_yaml is not None
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(cloud.clouds_yaml.read_text().replace(DEMO_PASSWORD, "not-the-password"))
    term = tmux_factory(wrong, 200, 24)
    term.type(f"{TUICLOUD} --os-cloud simcloud; echo EXIT=$?")
    term.keys("Enter")
    screen = term.wait(exited, "the exit status", timeout=30)
    assert "EXIT=1" in screen, screen
    output = screen[screen.index("echo EXIT=$?") + len("echo EXIT=$?"):].strip().splitlines()
    assert len(output) == 3, screen  # the message, EXIT=1, the prompt
    assert re.fullmatch(r"tuicloud: 401 Unauthorized: authentication failed: wrong user "
                        r"name or password.*", output[0]), output[0]
    assert "not-the-password" not in screen and "Traceback" not in screen
    assert term.flags() == RESTORED


def test_an_untrusted_certificate_is_one_line_and_exit_1(
        tmp_path: Path, tmux_factory: Callable[[Path, int, int], Tmux]) -> None:
    certs = make_certs(tmp_path / "certs")
    with run_simcloud(SimConfig(servers=2, volumes=0, images=1), tls=certs.tls,
                      clouds_yaml=tmp_path / "clouds.yaml") as sim:
        assert sim.clouds_yaml is not None
        term = tmux_factory(sim.clouds_yaml, 200, 24)
        term.type(f"{TUICLOUD} --os-cloud simcloud; echo EXIT=$?")
        term.keys("Enter")
        screen = term.wait(exited, "the exit status", timeout=30)
    assert "EXIT=1" in screen, screen
    assert re.search(rf"^tuicloud: TLS verification failed for 127\.0\.0\.1:{sim.server.port}: "
                     r"certificate verify failed", screen, re.MULTILINE), screen
    assert "Traceback" not in screen
    assert term.flags() == RESTORED
