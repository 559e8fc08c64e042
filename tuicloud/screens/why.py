"""`ctrl+w` (or `:why [PORT]`) on a server: why an SSH connection from here would not reach it.

Each link of the path (tuicloud/cloud/reachability.py) is one line, ✓ ✗ or ?, with the
resource and why. A broken link whose fix is one action says so; `enter` on it asks (the
command shown) and runs it, then checks again. Nothing runs without that confirmation.
"""

from __future__ import annotations

import ipaddress
import shlex
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tuicloud.screens.confirm import ConfirmScreen, command_line
from tuicloud.screens.host import ConsoleHost, connected, console_host
from tuicloud.widgets.sanitize import sanitize_text

if TYPE_CHECKING:
    from tuicloud.cloud.reachability import Fix, Link

__all__ = ["WhyScreen"]

STYLES = {"ok": "green", "broken": "bold red", "unknown": "yellow"}


class WhyScreen(ModalScreen[None]):
    """The path from this host to one server, link by link, with the fixes on offer."""

    CSS_PATH = "ops.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_screen", "Close", id="why.close"),
        Binding("r", "check", "Check again", id="why.check"),
        Binding("e", "edit_source", "Source address", id="why.source"),
        Binding("p", "edit_port", "Port", id="why.port"),
    ]

    class Checked(Message):
        """The links arrived (or why not)."""

        def __init__(self, links: list[Link] | None, source: str, error: str = "") -> None:
            super().__init__()
            self.links = links
            self.source = source
            self.error = error

    def __init__(self, server_id: str, name: str, port: int = 22) -> None:
        super().__init__()
        self.server_id = server_id
        self.server_name = name
        self.port = port
        self.source: str | None = None  # found in the first check's worker
        self.links: list[Link] = []

    @property
    def tui(self) -> ConsoleHost:
        """The app, as the screens may use it."""
        return console_host(self)

    def compose(self) -> ComposeResult:
        """Title, the links, the highlighted fix's command, the keys."""
        with Vertical(id="prompt-box"):
            yield Static(id="why-title", classes="ops-title")
            yield Static("checking…", classes="ops-hint", id="why-status")
            yield OptionList(id="why-links")
            yield Static(classes="ops-command", id="why-command")
            yield Static("enter fixes the highlighted ✗ (asks first) · e source · p port · "
                         "r check again · esc close", classes="ops-hint")

    def on_mount(self) -> None:
        """Check at once."""
        self._show_title()
        self.query_one("#why-links", OptionList).focus()
        self.action_check()

    def _show_title(self) -> None:
        source = self.source or "this host"
        self.query_one("#why-title", Static).update(Text(
            f"Why can't {source} reach {sanitize_text(self.server_name, max_len=40)} "
            f"on tcp {self.port}?"))

    # -- checking ------------------------------------------------------------------------------
    def action_check(self) -> None:
        """`r`: check every link again."""
        self.query_one("#why-status", Static).update("checking…")
        self._check_worker(self.source, self.port)

    @work(thread=True, exclusive=True, group="why", exit_on_error=False)
    def _check_worker(self, source: str | None, port: int) -> None:
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.reachability import check_reachability, local_address

        try:
            session = connected(self.tui.session)
            source = source or local_address(session)
            links = check_reachability(session, self.server_id, source, port)
        except CloudError as error:
            self.post_message(self.Checked(None, source or "", str(error)))
            return
        self.post_message(self.Checked(links, source))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        self.source = message.source
        self._show_title()
        status = self.query_one("#why-status", Static)
        if message.links is None:
            status.update(Text(f"cannot check: {sanitize_text(message.error)}", style="red"))
            return
        self.links = message.links
        broken = [link for link in self.links if link.verdict == "broken"]
        status.update("every link holds: the path is open" if not broken and all(
            link.verdict == "ok" for link in self.links) else
            f"{len(broken)} link{'s' if len(broken) != 1 else ''} broken"
            + (" · ? cannot be checked from this project" if any(
                link.verdict == "unknown" for link in self.links) else ""))
        options = self.query_one("#why-links", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for link in self.links:
            line = Text(f"{link.mark} ", style=STYLES[link.verdict])
            line.append(f"{link.name:<9}", style="bold")
            line.append(sanitize_text(link.detail, max_len=200))
            if link.fix is not None:
                line.append(f"\n            → enter: {sanitize_text(link.fix.label)}",
                            style="cyan")
            options.add_option(Option(line))
        # Stay on a link that still has a fix; else go to the first one that has.
        first_fix = next((i for i, link in enumerate(self.links) if link.fix), 0)
        keep = highlighted is not None and highlighted < len(self.links) \
            and self.links[highlighted].fix is not None
        options.highlighted = highlighted if keep else first_fix
        self._show_command()

    @on(OptionList.OptionHighlighted, "#why-links")
    def _highlighted(self) -> None:
        self._show_command()

    def current_fix(self) -> Fix | None:
        """The fix of the highlighted link, if it has one."""
        index = self.query_one("#why-links", OptionList).highlighted
        if index is None or index >= len(self.links):
            return None
        return self.links[index].fix

    def _show_command(self) -> None:
        fix = self.current_fix()
        self.query_one("#why-command", Static).update(
            command_line(shlex.join(fix.command)) if fix else "")

    # -- fixing --------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#why-links")
    def _selected(self) -> None:
        fix = self.current_fix()
        if fix is None:
            self.notify("Nothing to run for this link", timeout=3)
            return
        self.app.push_screen(
            ConfirmScreen(fix.label[:1].upper() + fix.label[1:] + "?",
                          [self.server_name], command=shlex.join(fix.command),
                          confirm_label="Fix", destructive=False),
            lambda yes: self._confirmed(fix, bool(yes)))

    def _confirmed(self, fix: Fix, yes: bool) -> None:
        if yes:
            self._fix_worker(fix)

    @work(thread=True, exclusive=True, group="why-fix", exit_on_error=False)
    def _fix_worker(self, fix: Fix) -> None:
        from tuicloud.cloud.errors import CloudError

        try:
            fix.run(connected(self.tui.session))
        except CloudError as error:
            self.app.call_from_thread(self.notify, f"{fix.label} failed: {error}",
                                      severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"Done: {fix.label}", markup=False)
        self.app.call_from_thread(self.action_check)

    # -- the question --------------------------------------------------------------------------
    def action_edit_source(self) -> None:
        """`e`: the source address (behind NAT the cloud sees another one)."""
        from tuicloud.screens.prompts import TextPrompt

        def valid(text: str) -> str | None:
            try:
                ipaddress.ip_address(text.strip())
            except ValueError:
                return "an IPv4 or IPv6 address"
            return None

        self.app.push_screen(TextPrompt("Source address (as the cloud sees this host)",
                                        self.source or "", valid, lambda v: v or ""),
                             self._source_chosen)

    def _source_chosen(self, value: str | None) -> None:
        if value:
            self.source = value.strip()
            self._show_title()
            self.action_check()

    def action_edit_port(self) -> None:
        """`p`: the TCP port to reach (22 by default)."""
        from tuicloud.screens.prompts import TextPrompt

        def valid(text: str) -> str | None:
            return None if text.strip().isdigit() and 1 <= int(text) <= 65535 \
                else "a port number, 1 to 65535"

        self.app.push_screen(TextPrompt("TCP port", str(self.port), valid, lambda v: v or ""),
                             self._port_chosen)

    def _port_chosen(self, value: str | None) -> None:
        if value:
            self.port = int(value.strip())
            self._show_title()
            self.action_check()

    def action_dismiss_screen(self) -> None:
        """esc: back to the list."""
        self.dismiss(None)
