"""`ctrl+s` on the images view: save (download) an image to a local file, with progress."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Input, ProgressBar

from tuicloud.screens.forms.base import AskScreen, FormScreen, field_row
from tuicloud.screens.host import connected

PROGRESS_EVERY = 0.1


class SaveImageForm(FormScreen):
    """Where to write the image; streams to ``FILE.part``, verifies the checksum, renames."""

    FORM_TITLE = "Save image to a file"
    SUBMIT_LABEL = "Save"
    MUTATES = False  # a download only reads: read-only sessions may save images
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"checksum|mismatch|no data|deactivated|cannot write|exists", "path"),
    ]
    def __init__(self, image_id: str, image_name: str, path: str | None = None) -> None:
        super().__init__()
        self.image_id = image_id
        self.image_name = image_name
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in image_name) or image_id
        self._start_path = path if path is not None else str(Path.cwd() / safe)
        self._cancel: threading.Event | None = None
        self._overwrite_ok: str | None = None

    def fields(self) -> Iterable[Widget]:
        """The destination file."""
        yield field_row("Save to file", Input(self._start_path), "path",
                        hint=f"image {self.image_name} ({self.image_id})")

    def compose(self) -> Any:
        """The form, with a progress bar."""
        for widget in super().compose():
            if getattr(widget, "id", None) == "form-message":
                yield ProgressBar(id="form-progress", show_eta=False, classes="-hidden")
            yield widget

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A path in an existing directory, not a directory itself."""
        path = str(values.get("path") or "").strip()
        if not path:
            return {"path": "a file name is required"}
        target = Path(path).expanduser()
        if target.is_dir():
            return {"path": "that is a directory: add a file name"}
        if not target.parent.is_dir():
            return {"path": f"no such directory: {target.parent}"}
        return {}

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack image save --file PATH IMAGE``."""
        from tuicloud.cloud.transfer import image_save_command

        path = str(values.get("path") or "").strip()
        return image_save_command(self.image_name or self.image_id, path) if path else None

    def action_submit(self) -> None:
        """Ask before overwriting an existing file; then download."""
        if self._submitting:
            return
        path = str(self.values().get("path") or "").strip()
        target = Path(path).expanduser() if path else None
        if target is not None and target.is_file() and self._overwrite_ok != path:
            def answered(yes: bool | None) -> None:
                if yes:
                    self._overwrite_ok = path
                    self.action_submit()
                else:
                    self.set_message("Not saved: the file exists (choose another name).",
                                     error=True)

            self.app.push_screen(AskScreen(f"{path} exists. Overwrite it?  y / n"), answered)
            return
        self._cancel = threading.Event()
        super().action_submit()
        if self._submitting:
            bar = self.query_one("#form-progress", ProgressBar)
            bar.remove_class("-hidden")
            bar.update(total=None, progress=0)

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Stream the image to the file."""
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.transfer import Progress, download_image

        path = str(values.get("path") or "").strip()
        last = [0.0]

        def on_progress(progress: Progress) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                self.app.call_from_thread(self._show_progress, progress.done,
                                          progress.total, progress.text())

        try:
            image = download_image(connected(self.tui.session), self.image_id, path,
                           overwrite=self._overwrite_ok == path, on_progress=on_progress,
                           cancel=self._cancel)
        except FileExistsError as exc:
            raise CloudError(f"{path} exists") from exc
        except OSError as exc:
            raise CloudError(f"cannot write {path}: {exc.strerror or exc}") from exc
        verified = bool(image.get("checksum") or image.get("os_hash_value"))
        return path, verified

    def _show_progress(self, done: int, total: int | None, text: str) -> None:
        if not self._submitting:
            return
        self.query_one("#form-progress", ProgressBar).update(total=total, progress=done)
        self.set_message(f"Downloading: {text} (escape cancels)")

    def show_error(self, error: Any) -> None:
        """Hide the bar, show the error."""
        self.query_one("#form-progress", ProgressBar).add_class("-hidden")
        from tuicloud.cloud.transfer import TransferCancelled

        if isinstance(error, TransferCancelled):
            self._submitting = False
            self.set_message(f"{error.message}; nothing was written")
            return
        super().show_error(error)

    def action_cancel(self) -> None:
        """Escape during a download cancels it."""
        if self._submitting:
            self.action_cancel_download()
            return
        super().action_cancel()

    def action_cancel_download(self) -> None:
        """Stop the download (the partial file is removed)."""
        if self._submitting and self._cancel is not None:
            self._cancel.set()

    def submitted(self, result: Any) -> None:
        """Close and say where it went."""
        path, verified = result
        self.dismiss(None)
        self.app.notify(f"Saved image {self.image_name} to {path}"
                        + (" (checksum verified)" if verified else " (no checksum to verify)"))
