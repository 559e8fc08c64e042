"""A server's console log, followed like ``tail -f``; `u` shows (and `Y` copies) a console URL."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from tuicloud.model.backoff import retry_delay
from tuicloud.model.freshness import Freshness
from tuicloud.screens.host import ConsoleHost, connected, console_host
from tuicloud.widgets.key_footer import KeyFooter
from tuicloud.widgets.log_panel import LogPanel
from tuicloud.widgets.log_view import GAP_TEXT, RESET_TEXT, LogView
from tuicloud.widgets.sanitize import sanitize_text
from tuicloud.widgets.status_header import StatusHeader
from tuicloud.widgets.textual_compat import PacedScreen

log = logging.getLogger("tuicloud.screens.console_log")

if TYPE_CHECKING:
    from tuicloud.cloud.console import ConsoleTail, RemoteConsole, TailUpdate

EARLIER_TEXT = "— older lines not fetched: showing the last {count:,} lines —"


class ConsoleLogScreen(PacedScreen[None]):
    """Polls one server's console output in a worker; never two polls at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="console.back"),
        Binding("r", "refresh_now", "Refresh", id="console.refresh",
                tooltip="Poll the console log now"),
        Binding("u", "console_url", "URL", id="console.url",
                tooltip="Ask Nova for a noVNC (or serial) console URL"),
        Binding("Y", "copy_url", "Copy URL", id="console.copy_url",
                tooltip="Copy the console URL to the clipboard (OSC 52)"),
    ]

    class Polled(Message):
        """A poll came back."""

        def __init__(self, update: TailUpdate) -> None:
            super().__init__()
            self.update = update

    class PollFailed(Message):
        """A poll failed."""

        def __init__(self, error: str, unavailable: bool = False) -> None:
            super().__init__()
            self.error = error
            self.unavailable = unavailable

    class UrlFetched(Message):
        """Nova answered with a console URL."""

        def __init__(self, console: RemoteConsole) -> None:
            super().__init__()
            self.console = console

    class UrlFailed(Message):
        """Getting a console URL failed."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, server_id: str, server_name: str, *,
                 tail: ConsoleTail | None = None, max_lines: int = 100_000) -> None:
        """``tail`` sets the window and pace (default: a fresh :class:`ConsoleTail`)."""
        super().__init__()
        from tuicloud.cloud.console import ConsoleTail

        self.server_id = server_id
        self.server_name = server_name
        self.tail = tail if tail is not None else ConsoleTail()
        self.console_url: str | None = None
        self._max_lines = max_lines
        self._active = False
        self._polling = False
        self._timer: Timer | None = None
        self._failures = 0
        self._fresh = Freshness("loading")
        self._url_note = ""

    @property
    def freshness(self) -> Freshness:
        """How fresh what the screen shows is ("loading", "fresh", "stale" …)."""
        return self._fresh

    @property
    def tui(self) -> ConsoleHost:
        """The app, as the screens may use it (never the concrete class)."""
        return console_host(self)

    def compose(self) -> ComposeResult:
        """Header, log (with its prompt), a status line, footer."""
        yield StatusHeader()
        yield LogPanel(save_name=self.server_name or self.server_id, max_lines=self._max_lines,
                       id="console-panel")
        yield Static(id="console-status")
        yield KeyFooter()

    @property
    def log_view(self) -> LogView:
        """The log widget."""
        return self.query_one(LogView)

    def on_mount(self) -> None:
        """Title the header and focus the log."""
        header = self.query_one(StatusHeader)
        header.identity = self.tui.identity
        name = sanitize_text(self.server_name or self.server_id, max_len=40)
        header.view_title = f"Console {name}"
        header.freshness = self._fresh
        self.log_view.focus()
        self._show_status()

    # -- visibility: only a visible console polls ----------------------------------------
    def on_screen_resume(self) -> None:
        """Poll when shown (again)."""
        self._active = True
        self.poll_now()

    def on_screen_suspend(self) -> None:
        """Pause while another screen is on top."""
        self._active = False
        self._stop_timer()

    def on_unmount(self) -> None:
        """Closed: stop polling for good."""
        self._active = False
        self._stop_timer()
        self.workers.cancel_group(self, "console")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    # -- polling -------------------------------------------------------------------------
    def poll_now(self) -> None:
        """Poll unless a poll is running (polls never overlap)."""
        if self._polling or not self._active:
            return
        self._stop_timer()
        if self.tui.session is None:
            self._timer = self.set_timer(1.0, self.poll_now)  # not connected yet
            return
        self._polling = True
        self._poll_worker()

    def _schedule_next(self) -> None:
        if not self._active:
            return
        self._timer = self.set_timer(retry_delay(self.tail.next_interval(), self._failures),
                                     self.poll_now)

    @work(thread=True, exclusive=True, group="console", exit_on_error=False)
    def _poll_worker(self) -> None:
        from tuicloud.cloud.errors import CloudError, ServiceUnavailableError

        try:
            update = self.tail.poll(connected(self.tui.session), self.server_id)
            self.post_message(self.Polled(update))
        except ServiceUnavailableError as error:
            self.post_message(self.PollFailed(str(error), unavailable=True))
        except CloudError as error:
            self.post_message(self.PollFailed(str(error)))
        except Exception as error:  # noqa: BLE001 - a poll must never kill the app
            log.exception("console log of server %s: poll failed", self.server_id)
            self.post_message(self.PollFailed(f"{error.__class__.__name__}: {error}"))

    @on(Polled)
    def _polled(self, message: Polled) -> None:
        self._polling = False
        self._failures = 0
        update = message.update
        marker: str | None = None
        if update.reset:
            marker = RESET_TEXT
        elif update.gap:
            marker = GAP_TEXT
        elif update.earlier:
            marker = EARLIER_TEXT.format(count=len(update.new_lines))
        view = self.log_view
        with self.app.batch_update():
            view.append_lines(update.new_lines, marker=marker, partial=update.partial)
        self._set_fresh(Freshness("fresh", updated_at=time.time(),
                                  elapsed_ms=update.elapsed * 1000, count=view.line_count))
        self._schedule_next()

    @on(PollFailed)
    def _poll_failed(self, message: PollFailed) -> None:
        self._polling = False
        self._failures += 1
        previous = self._fresh
        since = previous.stale_since if previous.state == "stale" else time.time()
        self._set_fresh(Freshness("stale", updated_at=previous.updated_at, stale_since=since,
                                  error=message.error, count=self.log_view.line_count))
        if not message.unavailable:
            self._schedule_next()

    def _set_fresh(self, fresh: Freshness) -> None:
        self._fresh = fresh
        self.query_one(StatusHeader).freshness = fresh

    # -- the status line -----------------------------------------------------------------
    @on(LogView.StateChanged)
    def _log_changed(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        view = self.log_view
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" FOLLOWING " if view.follow else " PAUSED (f follows) ",
                    "bold" if view.follow else "reverse")
        line.append(f" {view.line_count:,} lines")
        if view.wrap:
            line.append(" · wrap")
        if view.search_term:
            position = view.match_position
            where = f"{position}/" if position is not None else ""
            line.append(f" · /{sanitize_text(view.search_term, max_len=30)} "
                        f"{where}{view.match_count:,}")
        if self.console_url:
            line.append(" · console: ")
            line.append(sanitize_text(self.console_url, max_len=300))
        elif self._url_note:
            line.append(f" · {self._url_note}")
        self.query_one("#console-status", Static).update(line)

    # -- keys ----------------------------------------------------------------------------
    def action_refresh_now(self) -> None:
        """`r`: poll at once, and quickly for a while."""
        self.tail.reset_pace()
        self.poll_now()

    def action_console_url(self) -> None:
        """`u`: ask Nova for a console URL."""
        if self.tui.session is None:
            return
        self._url_note = "asking for a console URL…"
        self._show_status()
        self._url_worker()

    @work(thread=True, exclusive=True, group="console-url", exit_on_error=False)
    def _url_worker(self) -> None:
        from tuicloud.cloud.console import remote_console
        from tuicloud.cloud.errors import CloudError

        try:
            self.post_message(self.UrlFetched(remote_console(connected(self.tui.session),
                                                             self.server_id)))
        except CloudError as error:
            self.post_message(self.UrlFailed(str(error)))
        except Exception as error:  # noqa: BLE001 - shown to the user
            log.exception("console of server %s: remote console failed", self.server_id)
            self.post_message(self.UrlFailed(f"{error.__class__.__name__}: {error}"))

    @on(UrlFetched)
    def _url_fetched(self, message: UrlFetched) -> None:
        self.console_url = sanitize_text(message.console.url)
        self._url_note = ""
        self._show_status()
        self.refresh_bindings()
        self.notify(f"{sanitize_text(message.console.type, max_len=20)} console: Y copies "
                    "the URL", timeout=4, markup=False)

    @on(UrlFailed)
    def _url_failed(self, message: UrlFailed) -> None:
        self._url_note = "no console URL"
        self._show_status()
        self.notify(sanitize_text(message.error), title="No console URL", severity="error",
                    timeout=8, markup=False)

    def action_copy_url(self) -> None:
        """`Y`: copy the console URL (OSC 52)."""
        if not self.console_url:
            self.notify("No console URL yet: press u first", severity="warning")
            return
        self.app.copy_to_clipboard(self.console_url)
        self.notify("Console URL copied to the clipboard", timeout=3)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`Y` shows in the footer only once there is a URL to copy."""
        if action == "copy_url":
            return self.console_url is not None
        return True
