"""A :class:`~tuicloud.widgets.log_view.LogView` with a one-line prompt: search (`/`) and save
every kept line to a private file (`ctrl+s`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from tuicloud.widgets.log_store import DEFAULT_MAX_LINES, default_save_path, save_lines
from tuicloud.widgets.log_view import LogView
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["LogPanel", "PromptInput"]


class PromptInput(Input):
    """The panel's one-line prompt; `esc` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="log.prompt.close"),
    ]

    def action_close(self) -> None:
        """Hide the prompt and go back to the log."""
        parent = self.parent
        if isinstance(parent, LogPanel):
            parent.close_prompt()


class LogPanel(Vertical):
    """A :class:`LogView` with a prompt for search (`/`) and saving (`ctrl+s`)."""

    DEFAULT_CSS = """
    LogPanel { height: 1fr; }
    LogPanel > #log-prompt { display: none; dock: bottom; }
    LogPanel > #log-prompt.-visible { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="log.search", tooltip="Search the log"),
        Binding("ctrl+s", "save", "Save", id="log.save", tooltip="Save every kept line"),
    ]

    class Saved(Message):
        """The log was written to ``path``."""

        def __init__(self, path: Path, count: int) -> None:
            super().__init__()
            self.path = path
            self.count = count

    class SaveFailed(Message):
        """Writing the log failed."""

        def __init__(self, path: Path, error: str) -> None:
            super().__init__()
            self.path = path
            self.error = error

    def __init__(self, *, save_name: str = "log", max_lines: int = DEFAULT_MAX_LINES,
                 id: str | None = None) -> None:  # noqa: A002
        """``save_name`` goes into the default file name."""
        super().__init__(id=id)
        self.save_name = save_name
        self._max_lines = max_lines
        self._mode = ""

    def compose(self) -> ComposeResult:
        """The log and its (hidden) prompt."""
        yield LogView(max_lines=self._max_lines, id="log-view")
        yield PromptInput(id="log-prompt")

    @property
    def log_view(self) -> LogView:
        """The log."""
        return self.query_one(LogView)

    def action_search(self) -> None:
        """`/`: ask for a search term."""
        self._open("search", self.log_view.search_term, "search: text (n / N: next / previous)")

    def action_save(self) -> None:
        """`ctrl+s`: ask where to save every kept line."""
        self._open("save", str(default_save_path(self.save_name)), "save to: path")

    def _open(self, mode: str, value: str, placeholder: str) -> None:
        prompt = self.query_one(PromptInput)
        self._mode = mode
        prompt.placeholder = placeholder
        prompt.value = value
        prompt.add_class("-visible")
        prompt.focus()
        prompt.cursor_position = len(value)

    def close_prompt(self) -> None:
        """Hide the prompt and focus the log."""
        self._mode = ""
        self.query_one(PromptInput).remove_class("-visible")
        self.log_view.focus()

    @on(Input.Submitted, "#log-prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        mode, value = self._mode, event.value
        self.close_prompt()
        if mode == "search":
            count = self.log_view.search(value)
            if value and not count:
                self.notify(f"No line matches {sanitize_text(value)!r}", severity="warning",
                            markup=False)
        elif mode == "save" and value.strip():
            view = self.log_view
            self._save_worker(Path(value.strip()), view.kept_lines())

    @work(thread=True, exclusive=False, group="log-save", exit_on_error=False)
    def _save_worker(self, path: Path, lines: list[str]) -> None:
        try:
            written = save_lines(path, lines)
            self.post_message(self.Saved(written, len(lines)))
        except FileExistsError:
            self.post_message(self.SaveFailed(path, "the file already exists (choose another "
                                                    "name)"))
        except OSError as error:
            self.post_message(self.SaveFailed(path, error.strerror or str(error)))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.notify(f"Saved {message.count:,} lines to {sanitize_text(str(message.path))}",
                    title="Console log saved", markup=False)

    @on(SaveFailed)
    def _save_failed(self, message: SaveFailed) -> None:
        self.notify(f"Cannot save to {sanitize_text(str(message.path))}: {message.error}",
                    title="Console log not saved", severity="error", timeout=10,
                    markup=False)
