"""`c` on the images view: a new image from a local file, uploaded with progress and cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.widget import Widget
from textual.widgets import Input, ProgressBar, Select

from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected

VISIBILITIES = [("private", "private"), ("shared", "shared"), ("community", "community"),
                ("public", "public")]
PROGRESS_EVERY = 0.1  # seconds between progress repaints (a 1 MiB chunk is far quicker)


def _choices(names: Iterable[str]) -> list[tuple[str, str]]:
    return [(name, name) for name in names]


class CreateImageForm(FormScreen):
    """File path, name, disk/container format (guessed from the file), visibility, min disk and
    RAM. The upload streams from disk; escape during it cancels and cleans up."""

    FORM_TITLE = "Create image from a local file"
    SUBMIT_LABEL = "Upload"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"too large|size", "path"),
        (r"disk_format|disk format", "disk_format"),
        (r"container_format|container format", "container_format"),
        (r"visibility|publicize", "visibility"),
        (r"min_disk", "min_disk"),
        (r"min_ram", "min_ram"),
        (r"name", "name"),
    ]
    def __init__(self, path: str = "") -> None:
        super().__init__()
        self._cancel: threading.Event | None = None
        self._start_path = path
        self._guessed_for = ""

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        from tuicloud.cloud.transfer import CONTAINER_FORMATS, DISK_FORMATS

        yield field_row("File", Input(self._start_path,
                                      placeholder="e.g. /path/to/disk.qcow2"),
                        "path", hint=" ")
        yield field_row("Name", Input(placeholder="e.g. my-image"), "name")
        yield field_row("Disk format", Select(_choices(DISK_FORMATS), value="raw",
                                              allow_blank=False), "disk_format")
        yield field_row("Container format", Select(_choices(CONTAINER_FORMATS), value="bare",
                                                   allow_blank=False), "container_format")
        yield field_row("Visibility", Select(VISIBILITIES, value="private",
                                             allow_blank=False), "visibility")
        yield field_row("Min disk GB", Input("0", type="integer"), "min_disk")
        yield field_row("Min RAM MB", Input("0", type="integer"), "min_ram")

    def compose(self) -> Any:
        """The form, with a progress bar above the message line."""
        for widget in super().compose():
            if getattr(widget, "id", None) == "form-message":
                yield ProgressBar(id="form-progress", show_eta=False, classes="-hidden")
            yield widget

    # -- guessing the format ------------------------------------------------------------------
    def field_changed(self, name: str) -> None:
        """A new path: look at its first bytes (in a worker) and propose formats and a name."""
        if name == "path":
            path = str(self.values().get("path") or "").strip()
            if path:
                self._guess_worker(path)

    @work(thread=True, exclusive=True, group="form-guess", exit_on_error=False)
    def _guess_worker(self, path: str) -> None:
        from tuicloud.cloud.transfer import guess_formats, human_bytes

        file = Path(path).expanduser()
        try:
            if not file.is_file():
                self.app.call_from_thread(self._guessed, path, None, "no such file")
                return
            formats = guess_formats(file)
            size = file.stat().st_size
        except OSError as exc:
            self.app.call_from_thread(self._guessed, path, None,
                                      f"cannot read: {exc.strerror or exc}")
            return
        self.app.call_from_thread(self._guessed, path, formats,
                                  f"{human_bytes(size)}, looks like {formats[0]}")

    def _guessed(self, path: str, formats: tuple[str, str] | None, hint: str) -> None:
        values = self.values()
        if str(values.get("path") or "").strip() != path:
            return  # typed on since
        rows = self.rows()
        rows["path"].set_hint(hint)
        if formats is None or path == self._guessed_for:
            return
        self._guessed_for = path
        disk = rows["disk_format"].widget
        container = rows["container_format"].widget
        assert isinstance(disk, Select) and isinstance(container, Select)
        disk.value, container.value = formats
        if not values.get("name"):
            name = rows["name"].widget
            assert isinstance(name, Input)
            stem = Path(path).name
            for suffix in (".qcow2", ".img", ".iso", ".raw", ".vmdk", ".vhd", ".vhdx", ".vdi"):
                stem = stem.removesuffix(suffix)
            name.value = stem

    # -- the form's logic ---------------------------------------------------------------------
    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A readable file, a name, whole numbers."""
        from tuicloud.cloud.create import validate_name

        problems: dict[str, str] = {}
        path = str(values.get("path") or "").strip()
        if not path:
            problems["path"] = "a file is required"
        elif not Path(path).expanduser().is_file():
            problems["path"] = "no such file"
        name_problem = validate_name(str(values.get("name") or ""))
        if name_problem:
            problems["name"] = name_problem
        for key in ("min_disk", "min_ram"):
            try:
                if int(str(values.get(key) or "0")) < 0:
                    raise ValueError
            except ValueError:
                problems[key] = "a whole number, 0 or more"
        return problems

    def spec(self, values: dict[str, Any]) -> Any:
        """The :class:`ImageSpec`."""
        from tuicloud.cloud.transfer import ImageSpec

        def number(key: str) -> int:
            try:
                return int(str(values.get(key) or "0"))
            except ValueError:
                return 0

        return ImageSpec(path=str(values.get("path") or "").strip(),
                         name=str(values.get("name") or ""),
                         disk_format=str(values.get("disk_format") or "raw"),
                         container_format=str(values.get("container_format") or "bare"),
                         visibility=str(values.get("visibility") or "private"),
                         min_disk=number("min_disk"), min_ram=number("min_ram"))

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack image create --file ...``."""
        if not values.get("path") or not values.get("name"):
            return None
        from tuicloud.cloud.transfer import image_create_command

        return image_create_command(self.spec(values))

    # -- the upload ---------------------------------------------------------------------------
    def action_submit(self) -> None:
        """Start the upload (with a fresh cancel switch)."""
        self._cancel = threading.Event()
        super().action_submit()
        if self._submitting:
            bar = self.query_one("#form-progress", ProgressBar)
            bar.remove_class("-hidden")
            bar.update(total=None, progress=0)
            for row in self.rows().values():
                row.widget.disabled = True

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create the image and stream the file (progress repainted at most every 0.1 s)."""
        from tuicloud.cloud.transfer import Progress, upload_image

        spec = self.spec(values)
        last = [0.0]

        def on_progress(progress: Progress) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY or progress.done == progress.total:
                last[0] = now
                self.app.call_from_thread(self._show_progress, progress.done,
                                          progress.total, progress.text())

        result = upload_image(connected(self.tui.session), spec, on_progress=on_progress,
                              cancel=self._cancel)
        return spec.name, result.image_id

    def _show_progress(self, done: int, total: int | None, text: str) -> None:
        if not self._submitting:
            return
        self.query_one("#form-progress", ProgressBar).update(total=total, progress=done)
        self.set_message(f"Uploading: {text} (escape cancels)")

    def show_error(self, error: Any) -> None:
        """Back to editing: fields enabled, the bar hidden, the error shown."""
        for row in self.rows().values():
            row.widget.disabled = False
        self.query_one("#form-progress", ProgressBar).add_class("-hidden")
        from tuicloud.cloud.transfer import TransferCancelled

        if isinstance(error, TransferCancelled):
            self._submitting = False
            self.set_message(str(error), error="NOT" in error.message)
            return
        super().show_error(error)

    def action_cancel(self) -> None:
        """Escape during an upload cancels it; otherwise as every form."""
        if self._submitting:
            self.action_cancel_upload()
            return
        super().action_cancel()

    def action_cancel_upload(self) -> None:
        """Stop the upload; the worker deletes the half-made image."""
        if self._submitting and self._cancel is not None and not self._cancel.is_set():
            self._cancel.set()
            self.set_message("Cancelling the upload and deleting the half-made image…")

    def submitted(self, result: Any) -> None:
        """Close, follow the new image."""
        name, ident = result
        self.app.notify(f"Uploaded image {name}")
        self.dismiss(Created((ident,), "saving"))


CREATE_FORM = CreateImageForm
