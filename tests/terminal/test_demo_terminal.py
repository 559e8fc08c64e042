"""`make demo` as a user sees it: ``tuicloud --demo`` in a real 80x24 pseudo-terminal on a fresh
machine (empty HOME and XDG dirs, no OS_* variables) shows servers, quits on ``q`` and gives the
terminal back as it found it."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from bench.terminal import PtyApp

TUICLOUD = Path(sys.executable).parent / "tuicloud"

# DEC private modes Textual switches on while it runs and must switch off on exit.
ALT_SCREEN, CURSOR = "1049", "25"
MOUSE = ("1000", "1002", "1003", "1006", "1015")  # clicks, drags, motion, SGR and urxvt coords
OTHER = ("2004", "1004")  # bracketed paste, focus events
MODE = re.compile(rb"\x1b\[\?([\d;]+)([hl])")


def _final_modes(raw: bytes) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Every mode's switches in order, and the state each was left in ("h" on, "l" off)."""
    history: dict[str, list[str]] = {}
    for match in MODE.finditer(raw):
        for mode in match.group(1).decode().split(";"):
            history.setdefault(mode, []).append(match.group(2).decode())
    return history, {mode: switches[-1] for mode, switches in history.items()}


def _fresh_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OS_", "XDG_")) and k not in ("HOME", "TEXTUAL", "NO_COLOR")}
    home = tmp_path / "fresh-home"
    home.mkdir()
    env["HOME"] = str(home)
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_STATE_HOME", ".local/state"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_RUNTIME_DIR", "run")):
        env[var] = str(home / sub)
    env["TERM"] = "xterm-256color"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_demo_shows_the_overview_quits_on_q_and_restores_the_terminal(tmp_path: Path) -> None:
    assert TUICLOUD.exists(), f"{TUICLOUD} is not installed (pip install -e .)"
    app = PtyApp([str(TUICLOUD), "--demo"], columns=80, lines=24, env=_fresh_env(tmp_path))
    try:
        def overview_shown(screen: str) -> bool:
            servers = re.search(r"\bServers\s+(\d+)\b", screen)
            return bool("Overview" in screen.splitlines()[0] and servers
                        and int(servers.group(1)) > 0
                        and re.search(r"\bACTIVE\s+\d+", screen))

        app.wait_for(overview_shown, timeout=60)
        screen = app.text()
        assert "simcloud" in screen.splitlines()[0], screen
        app.settle(quiet=0.2, timeout=3)
        app.send("q")
        app.process.wait(timeout=10)
        assert app.process.returncode == 0, app.text()
        while app.pump(0.1):
            pass
    finally:
        app.close()
    raw = bytes(app.raw)
    assert b"Traceback" not in raw

    history, final = _final_modes(raw)
    # it took over the terminal ...
    assert history[ALT_SCREEN][0] == "h" and history[CURSOR][0] == "l"
    enabled_mouse = [mode for mode in MOUSE if "h" in history.get(mode, [])]
    assert "1000" in enabled_mouse, history
    # ... and gave all of it back
    assert final[ALT_SCREEN] == "l" and final[CURSOR] == "h", final
    for mode in enabled_mouse + [m for m in OTHER if m in history]:
        assert final[mode] == "l", (mode, history[mode])

    # Nothing is drawn after leaving the alternate screen: the output ends with mode resets
    # (Textual sends: leave the alternate screen, show the cursor, then mouse/focus off again).
    tail = raw[raw.rindex(b"\x1b[?1049l"):]
    assert tail.startswith(b"\x1b[?1049l\x1b[?25h"), tail
    assert re.fullmatch(rb"(\x1b\[\?[\d;]+[hl]|\x1b\[<u)*", tail), tail
    assert b"\x1b[?1000l" in tail
