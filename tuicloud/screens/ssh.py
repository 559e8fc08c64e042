"""`s` on a server: suspend the TUI, run ssh in the terminal, come back when it ends.

While ssh runs, the terminal is back in its normal mode, so ctrl+c sends SIGINT to the whole
foreground process group: ssh *and* tuicloud. tuicloud must survive it (the user meant "stop
this ssh"), so it catches SIGINT with a handler that does nothing while the child runs. A caught
signal is reset to its default in an exec'd child, so ssh still dies on ctrl+c as usual.

Before ssh starts a line says where it goes and how to get back; when ssh fails (a non-zero
exit), its own error lines stay on the terminal until a key is pressed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import termios
import tty
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

if TYPE_CHECKING:
    from tuicloud.screens.resource_list import ResourceListScreen

log = logging.getLogger("tuicloud.ssh")

# ssh's exit status when the user stopped it (SIGINT, as a shell reports it, or the signal).
_INTERRUPTED = (130, -signal.SIGINT)


def refusal(raw: dict[str, Any]) -> str | None:
    """Why `s` cannot ssh to this server now, or None."""
    status = str(raw.get("status") or "UNKNOWN").upper()
    if status != "ACTIVE":
        name = sanitize_text(str(raw.get("name") or raw.get("id") or "the server"), max_len=60)
        return f"Cannot ssh: {name} is {sanitize_text(status, max_len=30)}; ssh needs ACTIVE."
    if shutil.which("ssh") is None:
        return "ssh is not installed (no `ssh` on PATH)."
    return None


def start_ssh(screen: ResourceListScreen, raw: dict[str, Any]) -> None:
    """Refuse with a message, or work out the target in a worker and then run ssh."""
    reason = refusal(raw)
    if reason is not None:
        screen.notify(reason, severity="error", markup=False)
        return
    screen.run_worker(lambda: _target_worker(screen, raw), thread=True, exclusive=True,
                      group="ssh", exit_on_error=False)


def _target_worker(screen: ResourceListScreen, raw: dict[str, Any]) -> None:
    from tuicloud.cloud.errors import CloudError
    from tuicloud.cloud.ssh import ssh_target

    try:
        target = ssh_target(connected(screen.tui.session), raw)
    except CloudError as error:
        screen.app.call_from_thread(screen.notify, f"Cannot ssh: {error.message}",
                                    severity="error", markup=False)
        return
    except Exception as error:  # noqa: BLE001 - the key must not die silently
        log.exception("working out the ssh target failed")
        screen.app.call_from_thread(screen.notify, f"Cannot ssh: {type(error).__name__}: "
                                    f"{error}", severity="error", markup=False)
        return
    screen.app.call_from_thread(_run_suspended, screen, target.destination)


def _run_suspended(screen: ResourceListScreen, destination: str) -> None:
    """On the event loop (signal handlers can only be set from the main thread)."""
    from textual.app import SuspendNotSupported

    try:
        with screen.app.suspend():
            status = run_ssh(destination)
    except SuspendNotSupported:
        screen.notify("This terminal cannot be suspended; run: ssh " + destination,
                      severity="warning", markup=False)
        return
    except OSError as error:
        screen.notify(f"Cannot run ssh: {error.strerror or error}", severity="error",
                      markup=False)
        return
    if status not in (0, *_INTERRUPTED):
        screen.notify(f"ssh {destination} exited with status {status}", severity="warning",
                      markup=False)


@contextlib.contextmanager
def _parent_survives_ctrl_c() -> Iterator[None]:
    """tuicloud ignores SIGINT/SIGQUIT meanwhile; the exec'd child gets the default back."""
    def ignore(_signum: int, _frame: object) -> None:
        pass

    saved = {sig: signal.signal(sig, ignore) for sig in (signal.SIGINT, signal.SIGQUIT)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def run_ssh(destination: str, *, out: TextIO | None = None, stdin: int = 0) -> int:
    """Run ``ssh -- destination`` in the (suspended) terminal; its exit status.

    Blocking, main thread only. A failure (other than ctrl+c) waits for a key so the user
    can read ssh's own error before the TUI repaints over it.
    """
    out = out or sys.__stdout__ or sys.stdout
    _say(out, f"\r\nssh {destination} … (ctrl+c returns to tuicloud)\r\n")
    with _parent_survives_ctrl_c():
        # `--` ends ssh's options: nothing from the cloud can become an ssh flag.
        status = subprocess.run(["ssh", "--", destination], check=False).returncode
        if status not in (0, *_INTERRUPTED):
            log.info("ssh %s exited with status %s", destination, status)
            _wait_for_key(stdin, out, f"\r\nssh exited with status {status} — press any key "
                                      "to return to tuicloud\r\n")
    return status


def _say(out: TextIO, text: str) -> None:
    """Write a line to the terminal; a terminal without … or — gets the ASCII stand-ins."""
    try:
        out.write(text)
    except UnicodeEncodeError:
        out.write(text.replace("…", "...").replace("—", "-"))
    out.flush()


def _wait_for_key(fd: int, out: TextIO, prompt: str) -> None:
    """Say ``prompt`` and wait for one key press (raw, so any key does, ctrl+c too)."""
    if not os.isatty(fd):
        _say(out, prompt)
        return
    saved = termios.tcgetattr(fd)
    try:
        # Flushed and raw before the prompt shows: keys typed at the dead ssh do not count,
        # a key pressed as soon as the prompt shows does.
        termios.tcflush(fd, termios.TCIFLUSH)
        tty.setraw(fd)
        _say(out, prompt)
        os.read(fd, 1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
