"""Small modal screens: the `:` command line, help, the cloud picker, and "no cloud configured"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tuicloud.widgets.sanitize import sanitize_text


class CommandLine(ModalScreen[str | None]):
    """k9s-style `:` prompt with completion; dismisses with the command text (or None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="command.cancel"),
    ]

    def __init__(self, words: Iterable[str]) -> None:
        super().__init__()
        self.words = sorted(set(words))

    def compose(self) -> ComposeResult:
        """One input line at the bottom, with the known commands listed above it."""
        with Vertical(id="command-box"):
            yield Static(Text("  ".join(":" + w for w in self.words), style="dim"),
                         id="command-words")
            yield Input(placeholder=":servers  :volumes  :images …", id="command-input",
                        suggester=SuggestFromList(self.words, case_sensitive=False))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip().lstrip(":").strip() or None)

    def action_cancel(self) -> None:
        """Close without a command."""
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """`?`: the keys of the screen underneath, and the commands."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]],
                 commands: list[tuple[str, list[str]]]) -> None:
        super().__init__()
        self.help_title = title
        self.keys = keys
        self.commands = commands

    def compose(self) -> ComposeResult:
        """A table of keys."""
        table = Table(title=f"Help: {self.help_title}", box=None, padding=(0, 2),
                      title_style="bold", show_header=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what it does")
        for key, description in self.keys:
            table.add_row(key, description)
        table.add_row("", "")
        for heading, words in self.commands:
            table.add_row(heading, "  ".join(":" + c for c in words))
        with VerticalScroll(id="help-box"):
            yield Static(table)

    def action_close(self) -> None:
        """Back to the screen underneath."""
        self.dismiss(None)


class CloudPicker(ModalScreen[str | None]):
    """Several clouds configured and none chosen: pick one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Quit", id="pick.cancel")]

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        """A list of cloud names from clouds.yaml."""
        with Vertical(id="picker-box"):
            yield Static("Choose a cloud (from clouds.yaml):", id="picker-title")
            yield OptionList(*(Option(sanitize_text(n), id=n) for n in self.names),
                             id="picker")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """No cloud: the app quits."""
        self.dismiss(None)


class NoCloudScreen(ModalScreen[bool]):
    """No cloud configured: say how to configure one and offer the demo."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Start the demo", id="nocloud.demo"),
        Binding("escape,q", "quit_app", "Quit", id="nocloud.quit"),
    ]

    def __init__(self, locations: list[str]) -> None:
        super().__init__()
        self.locations = locations

    def compose(self) -> ComposeResult:
        """The explanation."""
        text = Text()
        text.append("No OpenStack cloud is configured.\n\n", style="bold")
        text.append("tuicloud reads clouds the way the openstack CLI does: a clouds.yaml in\n")
        for location in self.locations:
            text.append(f"  • {location}\n")
        text.append("or OS_* variables (source your openrc). Choose one with --os-cloud NAME\n"
                    "or OS_CLOUD.\n\n")
        text.append("Press d to start the demo on simcloud, a simulated OpenStack,\n"
                    "or q to quit.")
        with Vertical(id="nocloud-box"):
            yield Static(text)

    def action_demo(self) -> None:
        """Run the demo."""
        self.dismiss(True)

    def action_quit_app(self) -> None:
        """Quit."""
        self.dismiss(False)
