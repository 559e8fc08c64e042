"""What every form shares: labelled field rows with an error line under each, the live
``openstack ...`` command, submit in a worker, API errors placed next to their field, and an
escape that asks before throwing away what was typed.

A form subclass composes its rows with :func:`field_row`, and implements :meth:`values`-based
:meth:`FormScreen.validate`, :meth:`FormScreen.command` and :meth:`FormScreen.submit_blocking`
(run in a thread; it may call the cloud layer) and :meth:`FormScreen.submitted` (UI thread),
which dismisses the form with a :class:`Created` for the list that opened it to follow.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Select, SelectionList, Static, TextArea

from tuicloud.screens.host import ConsoleHost, console_host
from tuicloud.widgets.key_footer import KeyFooter
from tuicloud.widgets.sanitize import sanitize_text
from tuicloud.widgets.textual_compat import PacedScreen

if TYPE_CHECKING:
    from tuicloud.cloud.errors import CloudError

log = logging.getLogger(__name__)

__all__ = ["AskScreen", "Created", "DiscardScreen", "FieldRow", "FormScreen", "field_row"]


@dataclass(frozen=True)
class Created:
    """What a create or edit form hands back to the screen that opened it: the resources to
    follow there (fast polls until they settle), and the status to show them in meanwhile."""

    ids: tuple[str, ...]
    transitional: str | None = None


class FieldRow(Vertical):
    """A label, its input widget, and an error line under it (empty until there is one)."""

    def __init__(self, label: str, widget: Widget, name: str, hint: str = "") -> None:
        super().__init__(id=f"row-{name}", classes="field-row")
        self.label = label
        self.widget = widget
        self.field_name = name
        self.hint = hint

    def compose(self) -> ComposeResult:
        """Label and widget on one line, the error below."""
        with Horizontal(classes="field-line"):
            yield Static(self.label, classes="field-label")
            yield self.widget
        yield Static("", id=f"err-{self.field_name}", classes="field-error")
        if self.hint:
            yield Static(Text(self.hint), id=f"hint-{self.field_name}", classes="field-hint")

    def set_error(self, text: str | None) -> None:
        """Show (or clear, with None) the field's error."""
        found = self.query(".field-error")
        if not found:
            return  # not composed yet: the next refresh shows it
        error = found.first(Static)
        error.update(Text(sanitize_text(text or "", max_len=400)))
        error.set_class(bool(text), "-shown")
        self.set_class(bool(text), "-invalid")

    def set_hint(self, text: str) -> None:
        """Replace the grey line under the field (e.g. "flavor: 2 vCPUs, 4 GB")."""
        hint = self.query("Static.field-hint")
        if hint:
            hint.first(Static).update(Text(sanitize_text(text, max_len=400)))


def field_row(label: str, widget: Widget, name: str, hint: str = "") -> FieldRow:
    """A :class:`FieldRow`; the widget gets the id ``f-<name>``."""
    widget.id = f"f-{name}"
    return FieldRow(label, widget, name, hint)


def widget_value(widget: Widget) -> Any:
    """The value of a form widget, as plain data (None for an empty Select)."""
    if isinstance(widget, Input):
        return widget.value
    if isinstance(widget, Select):
        return None if widget.value is Select.NULL else widget.value
    if isinstance(widget, Checkbox):
        return widget.value
    if isinstance(widget, SelectionList):
        return list(widget.selected)
    if isinstance(widget, TextArea):
        return widget.text
    return None


class AskScreen(ModalScreen[bool]):
    """A yes/no question: `y` answers yes, `n` or escape no."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="ask.yes"),
        Binding("n,escape", "answer(False)", "No", id="ask.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """The question."""
        with Vertical(id="discard-box"):
            yield Static(Text(sanitize_text(self.question, max_len=300)))

    def action_answer(self, answer: bool) -> None:
        """Close with the answer."""
        self.dismiss(answer)


class DiscardScreen(AskScreen):
    """"Discard what you typed?" y/n."""

    def __init__(self) -> None:
        super().__init__("Discard what you typed?  y discard · n keep editing")


class FormScreen(PacedScreen[Created | None]):
    """A full-screen form; subclasses fill in the fields and the cloud calls."""

    CSS_PATH = "forms.tcss"
    FORM_TITLE: ClassVar[str] = "Form"
    SUBMIT_LABEL: ClassVar[str] = "Create"
    MUTATES: ClassVar[bool] = True  # False for forms that only read (saving an image)
    NO_COMMAND: ClassVar[str] = "(fill in the required fields)"
    # (regex on the API's message, field name): where an API error is shown.
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = []
    AUTO_FOCUS = "#form-body Input"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", id="form.submit", priority=True),
        Binding("ctrl+y", "copy_command", "Copy command", id="form.copy", priority=True),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        # On a select or checkbox, `q` or `:` must not quit or leave the form behind.
        Binding("q,colon", "nothing", show=False, id="form.swallow"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._initial: dict[str, Any] | None = None
        self._defaults: dict[str, Any] = {}  # the values as composed
        self._typed: set[str] = set()  # fields the user changed (not the form's own loading)
        self._submitting = False
        self._show_all_errors = False
        self._api_errors: dict[str, str] = {}
        self.choices_loaded = False  # set by loading_settled: the pickers hold the cloud's

    @property
    def tui(self) -> ConsoleHost:
        """The app, as the screens may use it (never the concrete class)."""
        return console_host(self)

    # -- to implement ---------------------------------------------------------------------
    def fields(self) -> Iterable[Widget]:
        """The form's rows (made with :func:`field_row`)."""
        return []

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """Field name -> problem, for what can be checked before sending."""
        return {}

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """The equivalent ``openstack ...`` argv, or None when not enough is filled in."""
        return None

    def command_text(self, values: dict[str, Any]) -> str | None:
        """The command as shown and copied: :meth:`command` quoted for a shell (a form that
        sends several requests joins their commands with ``&&``)."""
        argv = self.command(values)
        return shlex.join(argv) if argv else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Send the request (in a worker thread); return what :meth:`submitted` needs."""
        raise NotImplementedError

    def submitted(self, result: Any) -> None:
        """The request succeeded (UI thread). Default: close the form."""
        self.dismiss(None)

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Title, the fields (scrolling), form-level message, the command line, keys."""
        yield Static(Text(self.FORM_TITLE), id="form-title")
        with VerticalScroll(id="form-body"):
            yield from self.fields()
            yield Button(self.SUBMIT_LABEL + " (ctrl+s)", id="form-submit", variant="primary")
        yield Static("", id="form-message")
        yield Static("", id="form-command")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Take the first snapshot of the (default) values once they are applied."""
        self._defaults = self.values()
        self.call_after_refresh(self.mark_pristine)
        self.call_after_refresh(self.refresh_derived)

    def mark_pristine(self) -> None:
        """Remember the current values as "nothing typed yet" (after defaults are set, and again
        once the choices are loaded); a field the user typed into before that (keys typed
        ahead of the form) keeps its earlier value there, so it still counts as typed."""
        values = self.values()
        before = self._initial if self._initial is not None else self._defaults
        for name in self._typed & values.keys() & before.keys():
            values[name] = before[name]
        self._initial = values

    def loading_settled(self) -> None:
        """The form's own loading just set values (a zone, a network): they are not the user's.

        Marked at once, since escape pressed right now must not ask "discard what you typed?",
        and again after the refresh, when the Changed events that loading caused have run.
        """
        self.mark_pristine()
        self.choices_loaded = True

        def settled() -> None:
            self.mark_pristine()
            self.refresh_derived()

        self.call_after_refresh(settled)

    def rows(self) -> dict[str, FieldRow]:
        """Field name -> row."""
        return {row.field_name: row for row in self.query(FieldRow)}

    def values(self) -> dict[str, Any]:
        """Field name -> current value."""
        return {name: widget_value(row.widget) for name, row in self.rows().items()}

    def is_dirty(self) -> bool:
        """True when something differs from the defaults."""
        initial = self._initial if self._initial is not None else self._defaults
        return self.values() != initial

    # -- live updates -------------------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    @on(TextArea.Changed)
    def _field_changed(self, event: Any) -> None:
        source = (getattr(event, "control", None) or getattr(event, "selection_list", None)
                  or getattr(event, "text_area", None))
        name = (source.id or "")[2:] if source is not None and source.id else ""
        if source is not None and source.has_focus_within:  # the user's change, not loading
            self._typed.add(name)
        self._api_errors.pop(name, None)
        self.field_changed(name)
        self.refresh_derived()

    def field_changed(self, name: str) -> None:
        """Hook: a field changed (before validation and the command are refreshed)."""

    def refresh_derived(self) -> None:
        """Re-validate (showing errors of changed fields) and rebuild the command line."""
        values = self.values()
        problems = self.validate(values)
        initial = self._initial or {}
        for name, row in self.rows().items():
            shown = self._show_all_errors or values.get(name) != initial.get(name, values[name])
            text = self._api_errors.get(name) or (problems.get(name) if shown else None)
            row.set_error(text)
        text = self.command_text(values)
        line = Text("$ ", style="bold")
        # Names come from the cloud: no terminal control sequence reaches the screen.
        line.append(sanitize_text(text, max_len=2000) if text else self.NO_COMMAND)
        self.query_one("#form-command", Static).update(line)

    def set_message(self, text: str, *, error: bool = False) -> None:
        """The line under the fields (form-level errors, quota, progress)."""
        message = self.query_one("#form-message", Static)
        message.update(Text(sanitize_text(text, max_len=600)))
        message.set_class(error, "-error")

    # -- keys ---------------------------------------------------------------------------------
    def action_nothing(self) -> None:
        """Swallow app keys that would lose the form."""

    def action_copy_command(self) -> None:
        """`ctrl+y`: copy the equivalent command (OSC 52)."""
        text = self.command_text(self.values())
        if not text:
            self.notify("Fill in the required fields first.", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied: {text}")

    def action_cancel(self) -> None:
        """`escape`: close, asking first when something was typed."""
        if self._submitting:
            self.notify("Still sending; wait for the answer.", severity="warning")
            return
        if not self.is_dirty():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardScreen(), answered)

    @on(Button.Pressed, "#form-submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        """`ctrl+s`: validate, then send in a worker (read-only sessions refuse first)."""
        if self._submitting:
            return
        values = self.values()
        self._show_all_errors = True
        self._api_errors.clear()
        problems = self.validate(values)
        self.refresh_derived()
        if problems:
            self.set_message(f"Fix {len(problems)} field(s) first: "
                             + ", ".join(sorted(problems)), error=True)
            self._focus_field(next(iter(problems)))
            return
        session = self.tui.session
        if session is None:
            self.set_message("Not connected to a cloud.", error=True)
            return
        if session.read_only and self.MUTATES:
            self.set_message("Read-only session: nothing was sent (start without --read-only "
                             "or change the cloud's settings to make changes).", error=True)
            return
        self._submitting = True
        self.set_message("Sending…")
        self._submit_worker(values)

    @work(thread=True, exclusive=True, group="form-submit", exit_on_error=False)
    def _submit_worker(self, values: dict[str, Any]) -> None:
        from tuicloud.cloud.errors import CloudError

        try:
            result = self.submit_blocking(values)
        except CloudError as error:
            self.app.call_from_thread(self.show_error, error)
            return
        except Exception as error:  # noqa: BLE001 - a failed submit must not kill the app
            from tuicloud.cloud.errors import CloudError as Err

            # A bug, not the cloud's answer: the form shows one line, the log the whole trace.
            log.exception("%s: submitting failed", self.FORM_TITLE)

            self.app.call_from_thread(self.show_error,
                                      Err(f"{type(error).__name__}: {error}"))
            return
        self.app.call_from_thread(self._done, result)

    def _done(self, result: Any) -> None:
        self._submitting = False
        self.submitted(result)

    def show_error(self, error: CloudError) -> None:
        """Put the API's message (with status and request id) next to its field."""
        self._submitting = False
        text = str(error)
        name = self.field_for_error(error)
        if name is not None:
            self._api_errors[name] = text
            self.refresh_derived()
            self.set_message(f"Not done: see the {name.replace('_', ' ')} field.", error=True)
            self._focus_field(name)
        else:
            self.set_message(text, error=True)

    def field_for_error(self, error: CloudError) -> str | None:
        """Which field an API error concerns (from :attr:`ERROR_FIELDS`), or None."""
        rows = self.rows()
        for pattern, name in self.ERROR_FIELDS:
            if name in rows and re.search(pattern, error.message, re.IGNORECASE):
                return name
        return None

    def _focus_field(self, name: str) -> None:
        row = self.rows().get(name)
        if row is not None and row.widget.focusable:
            row.widget.focus()
            row.scroll_visible()
