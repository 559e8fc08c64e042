"""Drive a program in a real pseudo-terminal and read its screen through a terminal emulator (pyte).

Used by the benchmarks (time to first row, key latency) and by real-terminal tests.
"""

from __future__ import annotations

import compileall
import fcntl
import os
import pty
import queue
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Sequence

import pyte


def compile_as_installed() -> None:
    """Compile tuicloud's modules to bytecode, as ``pip install`` does for a wheel: what users
    start. A checkout run with PYTHONDONTWRITEBYTECODE=1 (as CI and these machines set) would
    otherwise compile every module from source at every start (about 65 ms of ``import
    tuicloud.app``), while the peers' libraries start from their installed bytecode."""
    import tuicloud

    compileall.compile_dir(os.path.dirname(tuicloud.__file__), quiet=1)


class PtyApp:
    """A child process on a pty of ``columns`` x ``lines``, with its screen emulated by pyte."""

    def __init__(self, argv: Sequence[str], *, columns: int = 160, lines: int = 50,
                 env: dict[str, str] | None = None) -> None:
        self.columns, self.lines = columns, lines
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        child_env = dict(os.environ if env is None else env)
        child_env.setdefault("TERM", "xterm-256color")
        child_env["COLUMNS"], child_env["LINES"] = str(columns), str(lines)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave,
                                        env=child_env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.last_output = self.started
        """When the output on the emulated screen arrived from the pty (its last chunk): what
        `wait_for` returns, the moment a terminal has the program's bytes."""
        self.shown_at = self.started
        """When the emulator had parsed that output."""
        self.matched_at = self.started
        """When `wait_for`'s predicate was last seen to hold, after pyte's parse and the
        predicate itself: the figure the benches gave before they timed the bytes."""
        # A thread reads the pty and notes when each chunk arrived. Read between two pyte
        # parses instead, a frame that came while pyte parsed the one before it (an age tick
        # just before a key) was timed up to 30 ms late: the harness's time, not the
        # program's. A short switch interval lets the reader note the time while pyte runs.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.0005))
        self._arrived: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read_pty, name="pty-reader", daemon=True)
        self._reader.start()

    def _read_pty(self) -> None:
        """Queue each chunk the child writes with the time it arrived, until the pty closes."""
        while not self._stop_reading.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:  # EIO: every process holding the terminal has gone
                return
            if not data:
                return
            self._arrived.put((time.perf_counter(), data))

    def pump(self, timeout: float = 0.05) -> bool:
        """Feed the emulator what the child wrote, waiting up to ``timeout`` for something to
        arrive; True if anything did. Everything that arrived is fed at once: pyte is slow."""
        try:
            chunks = [self._arrived.get(timeout=timeout) if timeout > 0
                      else self._arrived.get_nowait()]
        except queue.Empty:
            return False
        while True:
            try:
                chunks.append(self._arrived.get_nowait())
            except queue.Empty:
                break
        data = b"".join(chunk for _, chunk in chunks)
        self.last_output = chunks[-1][0]
        self.raw.extend(data)
        self.stream.feed(data)
        self.shown_at = time.perf_counter()
        return True

    def text(self) -> str:
        """The screen as lines of text."""
        return "\n".join(self.screen.display)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 30.0) -> float:
        """Pump until ``predicate(screen text)`` holds; returns when the output that made it
        hold arrived from the pty (`last_output`), and sets `matched_at`.

        Not when pyte had parsed it: pyte parses a frame in Python, ~13 ms for a cursor move
        at 160x50 on a slow day (more than the app took to draw it), where a terminal parses
        it in well under a millisecond. That is the harness's time, not the program's."""
        if predicate(self.text()):
            # Already on screen (a first row in the first frame): it held since the output
            # read last was on the emulated screen, not from whatever the program writes next.
            self.matched_at = self.shown_at
            return self.last_output
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.pump(0.02) and predicate(self.text()):
                return self._matched()
            if self.process.poll() is not None and not self.pump(0.0):
                break
        if predicate(self.text()):
            return self._matched()
        raise TimeoutError(f"screen never matched; last screen:\n{self.text()}")

    def _matched(self) -> float:
        self.matched_at = time.perf_counter()
        return self.last_output

    def wait_for_text(self, needle: str, timeout: float = 30.0) -> float:
        """Wait until ``needle`` is on screen."""
        return self.wait_for(lambda screen: needle in screen, timeout)

    def send(self, data: str | bytes) -> float:
        """Type ``data``; returns the time it was written."""
        payload = data.encode() if isinstance(data, str) else data
        os.write(self.master, payload)
        return time.perf_counter()

    def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Pump until nothing has arrived for ``quiet`` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self.pump(quiet):
                return

    def close(self, timeout: float = 5.0) -> int | None:
        """Terminate the child (if still running) and close the pty."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
        try:
            while self.pump(0.05):
                pass
        finally:
            self._stop_reading.set()
            self._reader.join(1.0)
            os.close(self.master)
        return self.process.returncode


def cursor_row(app: PtyApp, column: int = 4) -> int | None:
    """The screen line drawn with the table cursor's background (None if not found)."""
    buffer = app.screen.buffer
    backgrounds = [buffer[y][column].bg for y in range(app.lines)]
    counts: dict[str, int] = {}
    for bg in backgrounds[2:-1]:
        counts[bg] = counts.get(bg, 0) + 1
    # The cursor is the one data line whose background no other data line shares.
    unique = [y for y in range(2, app.lines - 1) if counts[backgrounds[y]] == 1]
    return unique[0] if len(unique) == 1 else None


def rss_kb(pid: int) -> int:
    """Resident set size of ``pid`` in KiB (from /proc)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time ``pid`` has used so far (from /proc): a figure the other
    processes on a busy machine change less than a wall-clock time."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
