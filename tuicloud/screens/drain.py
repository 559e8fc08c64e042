"""The drain of one compute host (``Drain host…`` on a hypervisor): a table of its servers and
how each one moves, a summary line, and keys for the servers that cannot move. The workflow
itself (planning, the concurrency cap, rebuilding from the cloud) is
:class:`tuicloud.cloud.drain.HostDrain`, run in one thread worker; this screen only shows its
snapshots and queues the operator's decisions.

Escape (or quitting) stops sending new migrations; those in flight finish in Nova, so every
server is on the old host or the new one. Opening the drain again rebuilds the table.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from tuicloud.cloud import drain as plan
from tuicloud.model.freshness import Freshness
from tuicloud.screens.host import ConsoleHost, console_host
from tuicloud.widgets.key_footer import KeyFooter
from tuicloud.widgets.sanitize import sanitize_text
from tuicloud.widgets.status_header import StatusHeader
from tuicloud.widgets.textual_compat import PacedScreen

if TYPE_CHECKING:
    from tuicloud.cloud.drain import DrainRow, HostDrain

log = logging.getLogger("tuicloud.screens.drain")

_STYLES = {plan.DONE: "green", plan.SHELVED: "green", plan.MIGRATING: "yellow",
           plan.COLD: "yellow", plan.SHELVING: "yellow", plan.FAILED: "red",
           plan.UNMOVABLE: "red", plan.LEFT: "dim", plan.GONE: "dim"}
_CHOICES = {"cold": ("Cold-migrate", "it is shut down, moved and started where it was"),
            "shelve": ("Shelve", "it is shut down and offloaded: on no host until unshelved")}


class DrainScreen(PacedScreen[None]):
    """See the module docstring."""

    CSS_PATH = "drain.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Stop & back", id="drain.back",
                tooltip="Send no more migrations (those in flight finish) and go back"),
        Binding("c", "decide('cold')", "Cold-migrate", id="drain.cold",
                tooltip="Cold-migrate the server under the cursor (it is shut down)"),
        Binding("s", "decide('shelve')", "Shelve", id="drain.shelve",
                tooltip="Shelve the server under the cursor (offloaded: on no host)"),
        Binding("l", "decide('leave')", "Leave", id="drain.leave",
                tooltip="Leave the server under the cursor on this host"),
        Binding("m", "decide('retry')", "Retry", id="drain.retry",
                tooltip="Try the live migration of the server under the cursor again"),
        Binding("e", "enable", "Enable service", id="drain.enable",
                tooltip="Enable the host's compute service again"),
        Binding("y", "copy_script", "Copy as script", id="drain.copy",
                tooltip="Copy the whole workflow's openstack commands (OSC 52)"),
    ]

    def __init__(self, host: str, reason: str | None, concurrency: int) -> None:
        super().__init__()
        self.host = host
        self.reason = reason
        self.concurrency = concurrency
        self.drain: HostDrain | None = None
        self.problem: str | None = None

    @property
    def tui(self) -> ConsoleHost:
        """The app, as the screens may use it."""
        return console_host(self)

    def compose(self) -> ComposeResult:
        """Header, the servers, what the cursor row says in full, the summary, footer."""
        yield StatusHeader()
        yield Static(id="drain-title")
        table: DataTable[Text] = DataTable(id="drain-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="drain-why")
        yield Static(id="drain-summary")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Columns, then the worker that loads the drain and runs it."""
        header = self.query_one(StatusHeader)
        header.identity = self.tui.identity
        header.view_title = f"Drain {sanitize_text(self.host, max_len=40)}"
        header.freshness = Freshness("loading")
        table = self.query_one("#drain-table", DataTable)
        table.add_column("Server", key="name", width=24)
        table.add_column("Status", key="status", width=9)
        # The outcome takes the rest of the width (Nova's reasons are long).
        table.add_column("Progress", key="progress", width=max(20, self.app.size.width - 42))
        table.focus()
        self._show()
        self._drive()

    def on_unmount(self) -> None:
        """Leaving (escape, quit): send nothing more; what is in flight finishes in Nova."""
        if self.drain is not None:
            self.drain.stop()

    @work(thread=True, exclusive=True, group="drain", exit_on_error=False)
    def _drive(self) -> None:
        from tuicloud.cloud.drain import HostDrain
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.operations import explain
        from tuicloud.screens.host import connected

        try:
            drain = HostDrain(connected(self.tui.session), self.host, self.concurrency)
            self.drain = drain
            drain.load()
            self.app.call_from_thread(self._show)
            if self.reason and not drain.stopping:
                drain.disable(self.reason)
            drain.run(lambda: self.app.call_from_thread(self._show))
        except CloudError as error:
            self.app.call_from_thread(self._failed, explain(error))
        except Exception as error:  # noqa: BLE001 - the screen must say it stopped
            log.exception("drain of %s failed", self.host)
            self.app.call_from_thread(self._failed, f"{type(error).__name__}: {error}")

    def _failed(self, why: str) -> None:
        self.problem = why
        if self.drain is not None:
            self.drain.stop()
        self.notify(f"Drain of {self.host} stopped: {sanitize_text(why, max_len=300)}",
                    severity="error", timeout=15, markup=False)
        self._show()

    # -- showing ------------------------------------------------------------------------------
    def _show(self) -> None:
        if not self.is_attached:
            return
        drain = self.drain
        rows = drain.snapshot() if drain is not None else []
        table = self.query_one("#drain-table", DataTable)
        for row in rows:
            cells = (Text(sanitize_text(row.name, max_len=60)), Text(row.server_status),
                     Text(sanitize_text(row.outcome(), max_len=300),
                          style=_STYLES.get(row.state, "")))
            if row.id in table.rows:
                for key, cell in zip(("name", "status", "progress"), cells, strict=True):
                    table.update_cell(row.id, key, cell)
            else:
                table.add_row(*cells, key=row.id)
        title = Text(f"Drain {self.host}: ", style="bold")
        if drain is not None and drain.service_disabled:
            title.append(f"compute service disabled ({sanitize_text(drain.reason)})")
        elif drain is not None and drain.loaded:
            title.append("compute service enabled")
        self.query_one("#drain-title", Static).update(title)
        summary = drain.summary() if drain is not None else "connecting…"
        if self.problem:
            summary = f"stopped: {self.problem}"
        elif drain is not None and drain.empty() and drain.service_disabled:
            summary += " · e enables it again"
        self.query_one("#drain-summary", Static).update(Text(sanitize_text(summary)))
        header = self.query_one(StatusHeader)
        if self.problem:
            header.freshness = Freshness("unavailable", error=f"stopped: {self.problem}")
        elif drain is not None and drain.loaded:
            header.freshness = Freshness("fresh", updated_at=time.time(), count=len(rows))
        self._show_why()
        self.refresh_bindings()

    def cursor_row(self) -> DrainRow | None:
        """The drain's row under the cursor."""
        table = self.query_one("#drain-table", DataTable)
        if self.drain is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.drain.row(str(key)) if key is not None else None

    def _show_why(self) -> None:
        row = self.cursor_row()
        text = ""
        if row is not None and row.state in plan.DECIDE:
            text = f"{row.name}: {row.outcome()} · c cold-migrate · s shelve · l leave"
            if row.state == plan.FAILED:
                text += " · m retry"
        self.query_one("#drain-why", Static).update(Text(sanitize_text(text, max_len=600)))

    def on_data_table_row_highlighted(self) -> None:
        """The full reason of the row under the cursor."""
        self._show_why()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Decision keys only on rows that wait for one; enable only while disabled."""
        if action == "decide":
            row = self.cursor_row()
            return row is not None and row.state in (*plan.DECIDE, plan.QUEUED, plan.LEFT)
        if action == "enable":
            return self.drain is not None and self.drain.service_disabled
        return True

    # -- keys ---------------------------------------------------------------------------------
    def action_close(self) -> None:
        """`escape`: stop sending (in flight finishes) and go back."""
        if self.drain is not None:
            self.drain.stop()
            moving = sum(1 for r in self.drain.snapshot() if r.state in plan.IN_FLIGHT)
            if moving:
                self.notify(f"Drain of {self.host} stopped: {moving} migrations in flight "
                            "finish in Nova; open the drain again to see where things stand",
                            timeout=8, markup=False)
        self.app.pop_screen()

    def action_decide(self, choice: str) -> None:
        """c, s, l, m: the operator's decision for the row under the cursor."""
        row = self.cursor_row()
        if row is None or self.drain is None:
            return
        if choice in _CHOICES:
            from tuicloud.screens.confirm import ConfirmScreen

            label, effect = _CHOICES[choice]
            command = (f"openstack server migrate --wait {row.id}\n"
                       f"openstack server resize confirm {row.id}" if choice == "cold"
                       else f"openstack server shelve --offload --wait {row.id}")

            def answered(yes: bool | None) -> None:
                if yes:
                    self._decided(row.id, choice)

            self.app.push_screen(ConfirmScreen(f"{label} {row.name}? ({effect})", [row.name],
                                               command=command, confirm_label=label),
                                 answered)
            return
        self._decided(row.id, choice)

    def _decided(self, ident: str, choice: str) -> None:
        if self.drain is None:
            return
        why = self.drain.decide(ident, choice)
        if why is not None:
            self.notify(sanitize_text(why), severity="warning", markup=False)
        self._show()

    @work(thread=True, exclusive=True, group="drain-service", exit_on_error=False)
    def action_enable(self) -> None:
        """`e`: enable the host's compute service again."""
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.operations import explain

        drain = self.drain
        if drain is None:
            return
        try:
            drain.enable()
        except CloudError as error:
            self.app.call_from_thread(self.notify, f"Enabling {self.host} failed: "
                                      f"{sanitize_text(explain(error))}", severity="error",
                                      markup=False)
            return
        self.app.call_from_thread(self.notify, f"{self.host}: compute service enabled",
                                  markup=False)
        self.app.call_from_thread(self._show)

    def action_copy_script(self) -> None:
        """`y`: copy the workflow's openstack commands (OSC 52)."""
        if self.drain is None or not self.drain.loaded:
            self.notify("Still reading the host…", severity="warning")
            return
        script = self.drain.script(self.reason)
        self.app.copy_to_clipboard(script)
        self.notify(f"Copied the drain of {self.host} as a script "
                    f"({len(script.splitlines())} lines)", markup=False)
