"""Follow a server's console log like ``tail -f``, although Nova gives no byte offsets.

Nova's ``os-getConsoleOutput`` action only answers "the last N lines". :class:`ConsoleTail`
asks for a window of N lines each poll and finds where it lines up with the lines already handed
out (:func:`overlaps`): the window either starts inside them or reaches back past them. What
follows the alignment is new. An alignment needs a run of several equal lines, so one repeated
line (a blank line, "login:") is never evidence on its own:

* no alignment (a burst longer than the window): ask again with a window twice as large, up to
  a cap (10,000 lines); if there is still none, hand out the window and say ``gap``;
* the server returned fewer lines than asked and none continue what was shown: the log started
  over (reboot) or was cut: ``reset`` (with Nova's own byte cap, a huge burst can look the same;
  either way the UI says lines may be missing);
* several alignments fit (a periodic run of identical lines): a larger window is asked for, since
  an older, distinct line pins the alignment; when even that cannot decide, the longest overlap
  is taken (never doubling a line) and ``gap`` says lines may be missing. A log seen from its
  first line is exact: the number of lines shown decides.

An incomplete last line (no newline yet, e.g. a ``login:`` prompt) is reported apart as
``partial`` and never matched, so it may still grow into a complete line.

Everything here blocks and imports no Textual: the console screen calls :meth:`ConsoleTail.poll`
from a thread worker.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = [
    "ConsoleTail",
    "RemoteConsole",
    "TailUpdate",
    "fetch_console_output",
    "overlaps",
    "remote_console",
    "split_output",
]

DEFAULT_LENGTH = 200
"""Lines asked for on each poll."""
MAX_LENGTH = 10_000
"""The largest window asked for when looking for the overlap."""
MIN_RUN = 3
"""Shortest run of lines that counts as an overlap (one blank line is no evidence)."""

Fetch = Callable[[int], tuple[str, int]]
"""``fetch(length) -> (console text, bytes transferred)``."""


@dataclass(frozen=True, slots=True)
class TailUpdate:
    """What one poll found.

    ``new_lines`` are complete lines not handed out before, oldest first. ``gap`` means lines
    may be missing *before* ``new_lines`` (show a marker there); ``reset`` means the log started
    over (reboot, truncation) before ``new_lines``. ``partial`` is the incomplete last line, to
    be shown provisionally and replaced by the next update. ``earlier`` (first poll only) means
    the log has older lines than the ones fetched. ``bytes`` and ``requests`` are what the poll
    cost on the wire.
    """

    new_lines: list[str]
    gap: bool = False
    reset: bool = False
    bytes: int = 0
    partial: str | None = None
    first: bool = False
    earlier: bool = False
    requests: int = 1
    window: int = DEFAULT_LENGTH
    elapsed: float = 0.0


@dataclass(frozen=True, slots=True)
class RemoteConsole:
    """A URL to a server's interactive console (noVNC page or serial websocket)."""

    protocol: str
    type: str
    url: str


def split_output(text: str) -> tuple[list[str], str | None]:
    """Split console output into complete lines and the incomplete last line (or None).

    Only LF ends a line (as for Nova's ``length``, which counts LFs); a CR before it (serial
    consoles write CRLF) is dropped, any other CR stays in the line as data.
    """
    if not text:
        return [], None
    lines = text.split("\n")
    tail = lines.pop()  # "" when the text ends with a newline
    for index, line in enumerate(lines):
        if line.endswith("\r"):
            lines[index] = line[:-1]
    return lines, (tail.rstrip("\r") or None) if tail else None


def overlaps(shown: Sequence[str], window: Sequence[str]) -> list[int]:
    """Every ``k > 0`` such that ``window[:k]`` lines up with the end of ``shown``, longest first.

    ``k`` is how many of the window's lines were already shown: either ``window[:k]`` is a
    suffix of ``shown`` (the window starts inside what was shown) or ``shown`` is a suffix of
    ``window[:k]`` (the window reaches back past it). ``window[k:]`` is then new. Linear time:
    a Z-function over the reversed line sequences (lines mapped to ints), so a 10,000-line
    window costs milliseconds.
    """
    size = len(shown)
    if size == 0 or not window:
        return []
    ids: dict[str, int] = {}
    tokens = [ids.setdefault(line, len(ids)) for line in reversed(shown)]
    tokens.append(-1)  # a separator that matches nothing
    tokens.extend(ids.get(line, -2) for line in reversed(window))
    total = len(tokens)
    z = [0] * total
    left = right = 0
    for i in range(1, total):
        if i < right:
            z[i] = min(right - i, z[i - left])
        while i + z[i] < total and tokens[z[i]] == tokens[i + z[i]]:
            z[i] += 1
        if i + z[i] > right:
            left, right = i, i + z[i]
    found: list[int] = []
    offset = size + 1
    for k in range(len(window), 0, -1):
        # reversed(window[:k]) starts at position len(window) - k of the reversed window
        if z[offset + len(window) - k] >= min(k, size):
            found.append(k)
    return found


def fetch_console_output(session: CloudSession, server_id: str,
                         length: int | None) -> tuple[str, int]:
    """POST ``os-getConsoleOutput`` (a read, allowed in read-only mode): (text, bytes)."""
    args: dict[str, Any] = {} if length is None else {"length": length}
    body, info = session.request(
        "POST", "compute", f"/servers/{server_id}/action",
        json={"os-getConsoleOutput": args}, reads_only=True,
        description=f"read the console log of server {server_id}")
    output = body.get("output") if isinstance(body, dict) else None
    return (output if isinstance(output, str) else ""), int(info.bytes)


@dataclass
class _Match:
    lines: list[str]
    partial: str | None
    full: bool  # the server had at least as many lines as asked for
    overlaps: list[int] = field(default_factory=list)
    exact: bool = False  # the alignment is certain


class ConsoleTail:
    """Follows one server's console log across polls (see the module docstring).

    Not thread-safe: one worker at a time calls :meth:`poll` (the screen's polls never overlap).
    """

    def __init__(self, length: int = DEFAULT_LENGTH, *, max_length: int = MAX_LENGTH,
                 min_run: int = MIN_RUN, min_interval: float = 1.0,
                 max_interval: float = 10.0) -> None:
        """``length`` lines are asked for per poll, up to ``max_length`` when looking back;
        ``min_run`` equal lines make an overlap; polls come every ``min_interval`` seconds
        while lines arrive, slowing to ``max_interval`` when the log is quiet."""
        if length < 1 or max_length < length:
            raise ValueError("need 1 <= length <= max_length")
        self.length = length
        self.max_length = max_length
        self.min_run = max(1, min_run)
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.polls = 0
        self._shown: deque[str] = deque(maxlen=max_length)
        # Lines shown since the log began, when we saw its beginning (None: we did not).
        self._count: int | None = None
        self._window = length
        self._interval = min_interval
        self._last_partial: str | None = None

    # -- the network part ---------------------------------------------------------------------
    def poll(self, session: CloudSession, server_id: str) -> TailUpdate:
        """Fetch what is new in the server's console log (blocking; raises CloudError)."""
        return self.advance(lambda n: fetch_console_output(session, server_id, n))

    # -- the algorithm (pure but for ``fetch``) --------------------------------------------------
    def advance(self, fetch: Fetch) -> TailUpdate:
        """One poll: ask ``fetch`` for windows until the overlap is clear or the cap is reached."""
        started = time.monotonic()
        first = self.polls == 0
        self.polls += 1
        n = self._window
        spent = requests = 0
        periodic = False
        while True:
            text, cost = fetch(n)
            spent += cost
            requests += 1
            lines, partial = split_output(text)
            match = _Match(lines, partial, full=len(lines) + (partial is not None) >= n)
            if first:
                break
            shown = list(self._shown)[-len(lines):] if lines else []
            every = overlaps(shown, lines)
            found = self._evidence(every, len(shown), len(lines))
            if not match.full and self._count in every:
                # The whole log is in hand and we know how much of it we showed.
                found, match.exact = [self._count], True
            elif len(every) == 1 and found:
                # The only alignment. If the window may have started after the shown lines
                # (it is full), its run must also hold min_run different lines: a run of
                # repeated lines can match by chance.
                run = shown[len(shown) - min(found[0], len(shown)):]
                match.exact = not match.full or len(set(run)) >= self.min_run
            match.overlaps = found
            if match.exact or not match.full or n >= self.max_length:
                break
            periodic = periodic or bool(found)
            n = min(n * 2, self.max_length)  # none yet, or not sure: look further back
        update = self._conclude(match, first)
        if periodic:
            self._window = n  # a periodic run needed a big window to anchor: start there
        elif requests == 1:
            self._window = max(self.length, n // 2)
        else:
            self._window = self.length  # a burst is a one-off
        changed = bool(update.new_lines) or update.partial != self._last_partial
        self._last_partial = update.partial
        self._interval = (self.min_interval if changed or first
                          else min(self.max_interval, self._interval * 1.5))
        return TailUpdate(update.new_lines, update.gap, update.reset, spent, update.partial,
                          first, update.earlier, requests, n, time.monotonic() - started)

    def _evidence(self, found: list[int], shown_len: int, window_len: int) -> list[int]:
        """Overlaps backed by a run of at least ``min_run`` lines (or a whole short log)."""
        need = min(self.min_run, shown_len, window_len)
        return [k for k in found if min(k, shown_len) >= need]

    def _conclude(self, match: _Match, first: bool) -> TailUpdate:
        lines = match.lines
        if first:
            self._shown.extend(lines)
            self._count = None if match.full else len(lines)
            return TailUpdate(list(lines), partial=match.partial, earlier=match.full)
        found = match.overlaps
        if found:
            k = found[0]  # the longest: never hands a line out twice
            if not match.exact:
                # Cannot tell how far a periodic run moved: lines may be missing (the view
                # shows one marker however many polls in a row say so).
                self._count = None
            new = lines[k:]
            self._shown.extend(new)
            if self._count is not None:
                self._count += len(new)
            return TailUpdate(new, gap=not match.exact, partial=match.partial)
        if not self._shown:
            # Nothing of this log shown yet (it was empty after a reset): all of it is new.
            self._shown.extend(lines)
            self._count = None if match.full else len(lines)
            return TailUpdate(list(lines), gap=match.full, partial=match.partial)
        self._shown.clear()
        self._shown.extend(lines)
        if not match.full:
            # Fewer lines than asked for, none continuing what was shown: a new log.
            self._count = len(lines)
            return TailUpdate(list(lines), reset=True, partial=match.partial)
        self._count = None
        return TailUpdate(list(lines), gap=True, partial=match.partial)

    # -- pacing -------------------------------------------------------------------------------
    def next_interval(self) -> float:
        """Seconds until the next poll: ``min_interval`` while lines arrive, then slower."""
        return self._interval

    def reset_pace(self) -> None:
        """Poll quickly again (e.g. the user asked for a refresh)."""
        self._interval = self.min_interval


def remote_console(session: CloudSession, server_id: str) -> RemoteConsole:
    """Ask Nova for a noVNC console URL, falling back to the serial console (blocking).

    Uses ``POST /servers/{id}/remote-consoles`` (microversion 2.6+), else the legacy
    ``os-getVNCConsole`` / ``os-getSerialConsole`` actions. A console URL carries a token that
    grants keyboard access to the guest, so a read-only session refuses it.
    """
    attempts = (("vnc", "novnc"), ("serial", "serial"))
    modern = session.supports_microversion("compute", "2.6")
    last: CloudError | None = None
    for protocol, kind in attempts:
        description = f"open a {kind} console of server {server_id}"
        try:
            if modern:
                body, _ = session.request(
                    "POST", "compute", f"/servers/{server_id}/remote-consoles",
                    json={"remote_console": {"protocol": protocol, "type": kind}},
                    description=description)
                found = body.get("remote_console") if isinstance(body, dict) else None
            else:
                action = "os-getVNCConsole" if protocol == "vnc" else "os-getSerialConsole"
                body, _ = session.request(
                    "POST", "compute", f"/servers/{server_id}/action",
                    json={action: {"type": kind}}, description=description)
                found = body.get("console") if isinstance(body, dict) else None
        except CloudError as error:
            # 400: that console type is not enabled here; 501: the driver has none. Try the next.
            if error.status not in (400, 404, 501):
                raise
            last = error
            continue
        if isinstance(found, dict) and isinstance(found.get("url"), str):
            return RemoteConsole(str(found.get("protocol", protocol)),
                                 str(found.get("type", kind)), found["url"])
    raise last or CloudError("the cloud returned no console URL", service="compute")
