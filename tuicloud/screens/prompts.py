"""Small modals that ask an operation for its one input: a picker (type to filter) or a text
prompt with inline validation. Both show the equivalent command as it will run."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tuicloud.cloud.operations import Choice
from tuicloud.screens.confirm import command_line
from tuicloud.widgets.sanitize import sanitize_text

CommandFor = Callable[[str | None], str]


def matches(query: str, *texts: str) -> bool:
    """Every word of ``query`` starts a word of ``texts`` (case-insensitive): "sta" finds
    Start but not Restart; "soft reb" finds "Reboot (soft)"."""
    words = re.findall(r"\w+", " ".join(texts).lower())
    return all(any(w.startswith(part) for w in words)
               for part in re.findall(r"\w+", query.lower()))


class _Prompt(ModalScreen[str | None]):
    CSS_PATH = "ops.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
        Binding("ctrl+y", "copy_command", "Copy command", id="prompt.copy"),
    ]

    def __init__(self, title: str, command_for: CommandFor) -> None:
        super().__init__()
        self.prompt_title = title
        self.command_for = command_for

    def current_value(self) -> str | None:
        """The value chosen or typed so far (None: nothing yet)."""
        raise NotImplementedError

    def show_command(self) -> None:
        """Refresh the command line for the current value."""
        self.query_one("#prompt-command", Static).update(
            command_line(self.command_for(self.current_value())))

    def action_cancel(self) -> None:
        """`escape`: no value; the operation does not run."""
        self.dismiss(None)

    def action_copy_command(self) -> None:
        """`ctrl+y`: copy the command (OSC 52)."""
        text = self.command_for(self.current_value())
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied: {sanitize_text(text)}", markup=False)


class ChoicePrompt(_Prompt):
    """Pick one of a list loaded in a worker (``loader`` blocks); type to filter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Down", show=False, id="prompt.down"),
        Binding("up", "move(-1)", "Up", show=False, id="prompt.up"),
    ]

    def __init__(self, title: str, loader: Callable[[], list[Choice]],
                 command_for: CommandFor) -> None:
        super().__init__(title, command_for)
        self.loader = loader
        self.choices: list[Choice] = []

    def compose(self) -> ComposeResult:
        """Title, filter, list, command."""
        with Vertical(id="prompt-box"):
            yield Static(Text(sanitize_text(self.prompt_title)), classes="ops-title")
            yield Input(placeholder="type to filter", id="prompt-filter")
            yield Static("loading…", classes="ops-hint", id="prompt-status")
            yield OptionList(id="prompt-list")
            yield Static(classes="ops-command", id="prompt-command")

    def on_mount(self) -> None:
        """Load the choices."""
        self.show_command()
        self._load()

    @work(thread=True, exclusive=True, group="prompt-load", exit_on_error=False)
    def _load(self) -> None:
        from tuicloud.cloud.errors import CloudError

        try:
            choices = self.loader()
        except CloudError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._loaded, choices)

    def _failed(self, error: str) -> None:
        status = self.query_one("#prompt-status", Static)
        status.update(Text(f"cannot load the choices: {sanitize_text(error)}"))
        status.set_classes("ops-error")

    def _loaded(self, choices: list[Choice]) -> None:
        self.choices = choices
        usable = sum(1 for c in choices if not c.disabled)
        self.query_one("#prompt-status", Static).update(
            (f"{usable} of {len(choices)} can be chosen" if choices else
             "nothing to choose from") + " · enter chooses · ctrl+y copies · esc cancels")
        self._fill(self.query_one("#prompt-filter", Input).value)

    def _fill(self, query: str) -> None:
        options = self.query_one("#prompt-list", OptionList)
        options.clear_options()
        for choice in self.choices:
            if not matches(query, choice.label, choice.value):
                continue
            label = Text(sanitize_text(choice.label, max_len=90))
            if choice.disabled:
                label.append(f"  ({choice.disabled})", style="italic")
            options.add_option(Option(label, id=choice.value, disabled=bool(choice.disabled)))
        first = next((i for i in range(options.option_count)
                      if not options.get_option_at_index(i).disabled), None)
        options.highlighted = first
        self.show_command()

    def current_value(self) -> str | None:
        """The highlighted choice."""
        options = self.query_one("#prompt-list", OptionList)
        if options.highlighted is None or options.option_count == 0:
            return None
        option = options.get_option_at_index(options.highlighted)
        return None if option.disabled else option.id

    @on(Input.Changed, "#prompt-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self.show_command()

    def action_move(self, delta: int) -> None:
        """Up/down move in the list while the filter keeps the focus."""
        options = self.query_one("#prompt-list", OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(Input.Submitted, "#prompt-filter")
    def _submitted(self) -> None:
        value = self.current_value()
        if value is None:
            self.notify("Nothing chosen (the list is empty or the choice is greyed).",
                        severity="warning")
            return
        self.dismiss(value)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None and not event.option.disabled:
            self.dismiss(event.option.id)


class TextPrompt(_Prompt):
    """Type a value; ``validate`` (an error or None) is checked as you type and on enter."""

    def __init__(self, title: str, initial: str,
                 validate: Callable[[str], str | None] | None,
                 command_for: CommandFor, *, secret: bool = False) -> None:
        super().__init__(title, command_for)
        self.initial = "" if secret else initial
        self.validate = validate
        self.secret = secret  # a password: masked, typed twice, never stripped or shown

    def compose(self) -> ComposeResult:
        """Title, input (twice for a secret), error line, command."""
        with Vertical(id="prompt-box"):
            yield Static(Text(sanitize_text(self.prompt_title)), classes="ops-title")
            yield Input(value=self.initial, id="prompt-input", password=self.secret)
            if self.secret:
                yield Input(id="prompt-again", password=True, placeholder="again")
            yield Static("", classes="ops-error", id="prompt-error")
            yield Static("enter accepts · ctrl+y copies the command · esc cancels",
                         classes="ops-hint")
            yield Static(classes="ops-command", id="prompt-command")

    def on_mount(self) -> None:
        """Focus the input with the default selected."""
        self.show_command()
        self.query_one("#prompt-input", Input).focus()

    def current_value(self) -> str | None:
        """The typed text (None when empty)."""
        return self.query_one("#prompt-input", Input).value or None

    def secret_inputs(self) -> list[Input]:
        """The masked inputs of a secret (empty otherwise)."""
        return list(self.query(Input)) if self.secret else []

    def error(self) -> str | None:
        """Why the typed text cannot be used, or None (a secret's two copies must agree)."""
        value = self.query_one("#prompt-input", Input).value
        problem = self.validate(value) if self.validate is not None else None
        if problem is None and self.secret \
                and value != self.query_one("#prompt-again", Input).value:
            return "the two passwords differ"
        return problem

    @on(Input.Changed)
    def _changed(self) -> None:
        again = self.query("#prompt-again")
        # A secret's mismatch is said only once the second copy is being typed.
        quiet = self.secret and not again.first(Input).value
        self.query_one("#prompt-error", Static).update("" if quiet else self.error() or "")
        self.show_command()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self.secret and event.input.id == "prompt-input":
            self.query_one("#prompt-again", Input).focus()  # enter moves to the second copy
            return
        problem = self.error()
        if problem:
            self.query_one("#prompt-error", Static).update(problem)
            return
        value = self.query_one("#prompt-input", Input).value
        self.dismiss(value if self.secret else value.strip())
