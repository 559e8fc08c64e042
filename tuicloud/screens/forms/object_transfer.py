"""`d` and `u` on a container's objects: download an object or a pseudo-folder to a local
path, upload a local file or folder under the current folder. Both stream with bytes, rate and
time left; escape cancels (a download keeps ``FILE.part`` to resume). Nothing local or remote is
overwritten without asking: the question comes after the first pass names what exists."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.widget import Widget
from textual.widgets import Input, ProgressBar

from tuicloud.screens.forms.base import AskScreen, Created, FormScreen, field_row
from tuicloud.screens.host import connected

if TYPE_CHECKING:
    from tuicloud.cloud.object_transfer import Planned
    from tuicloud.cloud.transfer import Progress

__all__ = ["DownloadObjectForm", "UploadObjectForm"]

PROGRESS_EVERY = 0.1


@dataclass(frozen=True)
class _Exists:
    """The first pass found these in the way: ask, then go again over them."""

    names: list[str]


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _writable_ancestor(path: Path) -> Path:
    """The nearest existing folder at or above ``path`` (where new folders would be made)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


class _TransferForm(FormScreen):
    """A form that moves bytes: a progress bar, escape cancels, an "overwrite?" round."""

    VERB: ClassVar[str] = "Moving"

    def __init__(self) -> None:
        super().__init__()
        self._cancel: threading.Event | None = None
        self._overwrite: bool = False
        self._asked_for: dict[str, Any] | None = None  # the values the "overwrite" answer is for

    def compose(self) -> Any:
        """The form, with a progress bar above the message line."""
        for widget in super().compose():
            if getattr(widget, "id", None) == "form-message":
                yield ProgressBar(id="form-progress", show_eta=False, classes="-hidden")
            yield widget

    def action_submit(self) -> None:
        """Send, with a fresh cancel switch; a changed form forgets an earlier "overwrite"."""
        if self._submitting:
            return
        if self._asked_for is not None and self._asked_for != self.values():
            self._overwrite = False
            self._asked_for = None
        self._cancel = threading.Event()
        super().action_submit()
        if self._submitting:
            bar = self.query_one("#form-progress", ProgressBar)
            bar.remove_class("-hidden")
            bar.update(total=None, progress=0)

    def reporter(self) -> Any:
        """A progress callback for the worker thread, a tenth of a second apart at most."""
        last = [0.0]

        def on_progress(progress: Progress) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY or progress.done == progress.total:
                last[0] = now
                self.app.call_from_thread(self._show_progress, progress.done,
                                          progress.total, progress.text())

        return on_progress

    def _show_progress(self, done: int, total: int | None, text: str) -> None:
        if not self._submitting:
            return
        self.query_one("#form-progress", ProgressBar).update(total=total, progress=done)
        self.set_message(f"{self.VERB}: {text} (escape cancels)")

    def ask_overwrite(self, question: str, refused: str) -> None:
        """The first pass stopped at existing files or objects: overwrite them?"""
        self.query_one("#form-progress", ProgressBar).add_class("-hidden")
        values = self.values()

        def answered(yes: bool | None) -> None:
            if yes:
                self._overwrite = True
                self._asked_for = values
                self.action_submit()
            else:
                self.set_message(refused, error=True)

        self.app.push_screen(AskScreen(question), answered)

    def show_error(self, error: Any) -> None:
        """Hide the bar, show the error (a cancel is not an error)."""
        self.query_one("#form-progress", ProgressBar).add_class("-hidden")
        from tuicloud.cloud.transfer import TransferCancelled

        if isinstance(error, TransferCancelled):
            self._submitting = False
            self.set_message(error.message)
            return
        super().show_error(error)

    def action_cancel(self) -> None:
        """Escape while moving bytes cancels; otherwise closes as forms do."""
        if self._submitting:
            if self._cancel is not None:
                self._cancel.set()
            return
        super().action_cancel()


class DownloadObjectForm(_TransferForm):
    """Where to save an object (a file) or a pseudo-folder (a directory, its objects at their
    paths relative to the folder)."""

    FORM_TITLE = "Download"
    SUBMIT_LABEL = "Download"
    VERB = "Downloading"
    MUTATES = False  # only reads the cloud: read-only sessions may download
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"checksum|mismatch|cannot write|exists|directory|outside|no objects", "path"),
    ]

    def __init__(self, container: str, name: str, cwd: str | None = None) -> None:
        super().__init__()
        self.container = container
        self.object_name = name
        self.folder = name.endswith("/")
        base = name.rstrip("/").rsplit("/", 1)[-1] or container
        safe = "".join(c if c.isprintable() and c not in "\\" else "_" for c in base)
        self._start_path = str(Path(cwd or Path.cwd()) / safe)
        self._plan: tuple[str, list[Planned]] | None = None

    def fields(self) -> Iterable[Widget]:
        """The destination."""
        what = "folder" if self.folder else "object"
        yield field_row("Save to" + (" folder" if self.folder else ""),
                        Input(self._start_path), "path",
                        hint=f"{what} {self.container}/{self.object_name}")

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A file path (a directory for a folder) where the user may write."""
        path = str(values.get("path") or "").strip()
        if not path:
            return {"path": "a path is required"}
        target = Path(path).expanduser()
        if self.folder:
            if target.exists() and not target.is_dir():
                return {"path": "a file is there: a folder's objects go into a directory"}
            place = _writable_ancestor(target)
        else:
            if target.is_dir():
                return {"path": "that is a directory: add a file name"}
            if not target.parent.is_dir():
                return {"path": f"no such directory: {target.parent}"}
            place = target.parent
        if not os.access(place, os.W_OK | os.X_OK):
            return {"path": f"cannot write in {place}"}
        return {}

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack object save`` (``swift download --prefix`` for a folder)."""
        from tuicloud.cloud.object_transfer import download_command

        path = str(values.get("path") or "").strip()
        return download_command(self.container, self.object_name, path) if path else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Plan (the folder's listing), stop at existing files unless told, then stream."""
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.object_transfer import download_many, plan_download

        session = connected(self.tui.session)
        path = str(values.get("path") or "").strip()
        if self._plan is None or self._plan[0] != path:
            self._plan = (path, plan_download(session, self.container, self.object_name, path))
        items = self._plan[1]
        if not self._overwrite:
            existing = [str(item.path) for item in items if item.path.exists()]
            if existing:
                return _Exists(existing)
        resumed = sum(1 for item in items
                      if item.path.with_name(item.path.name + ".part").is_file())
        try:
            checked = download_many(session, self.container, items, overwrite=self._overwrite,
                                    on_progress=self.reporter(), cancel=self._cancel)
        except OSError as exc:
            raise CloudError(f"cannot write {exc.filename or path}: {exc.strerror or exc}") \
                from exc
        return path, len(items), checked, resumed

    def submitted(self, result: Any) -> None:
        """Ask about existing files, or close and say where it went."""
        if isinstance(result, _Exists):
            self.ask_overwrite(f"{_some(result.names)} exist{'s' if len(result.names) == 1 else ''}"
                               ". Overwrite? y / n",
                               "Not downloaded: the files exist (choose another path).")
            return
        path, count, checked, resumed = result
        self.dismiss(None)
        what = f"{count} objects" if self.folder else self.object_name
        notes = [f"{checked} of {count} checked against the etag" if self.folder
                 else ("checked against the etag" if checked else "a large object: not checked")]
        if resumed:
            notes.append(f"{resumed} resumed")
        self.app.notify(f"Downloaded {what} to {path} ({', '.join(notes)})", markup=False)


class UploadObjectForm(_TransferForm):
    """A local file or folder, and the object name (or folder prefix) it becomes."""

    FORM_TITLE = "Upload"
    SUBMIT_LABEL = "Upload"
    VERB = "Uploading"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"no such file|not a regular|cannot read|shrank", "source"), (r"name|long", "name"),
    ]

    def __init__(self, container: str, prefix: str, source: str = "") -> None:
        super().__init__()
        self.container = container
        self.prefix = prefix
        self._source = source
        self._retry: list[Planned] | None = None

    def fields(self) -> Iterable[Widget]:
        """The local path and the object name."""
        yield field_row("Local path", Input(self._source, placeholder="~/backup.tar"),
                        "source", hint=f"into {self.container}/{self.prefix}")
        yield field_row("Object name", Input(self._default_name(self._source)), "name",
                        hint="a folder's files go under this name, at their relative paths")

    def _default_name(self, source: str) -> str:
        base = Path(source.strip()).expanduser().name if source.strip() else ""
        return self.prefix + base

    def field_changed(self, name: str) -> None:
        """The object name follows the source until the user types one."""
        if name == "source" and "name" not in self._typed:
            source = str(self.values().get("source") or "")
            self.rows()["name"].widget.value = self._default_name(source)  # type: ignore[attr-defined]

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A readable file or folder; a name Swift takes."""
        problems: dict[str, str] = {}
        source = str(values.get("source") or "").strip()
        path = Path(source).expanduser()
        if not source:
            problems["source"] = "a file or folder is required"
        elif not path.exists():
            problems["source"] = f"no such file or directory: {path}"
        elif not (path.is_file() or path.is_dir()):
            problems["source"] = "not a regular file or a directory"
        elif not os.access(path, os.R_OK):
            problems["source"] = f"cannot read {path}"
        name = str(values.get("name") or "")
        if not name.strip() or name.endswith("/") and path.is_file():
            problems["name"] = "an object name is required"
        elif len(name.encode("utf-8", "surrogatepass")) > 1024:
            problems["name"] = "at most 1024 bytes"
        elif any(ord(c) < 32 or ord(c) == 127 for c in name):
            problems["name"] = "no control characters"
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack object create`` (``swift upload --object-name`` for a folder)."""
        from tuicloud.cloud.object_transfer import upload_command

        source = str(values.get("source") or "").strip()
        name = str(values.get("name") or "")
        if not source or not name:
            return None
        path = Path(source).expanduser()
        threshold = self.tui.settings.large_object_threshold
        try:
            large = path.is_file() and path.stat().st_size > threshold
        except OSError:
            large = False
        return upload_command(self.container, name, source, folder=path.is_dir(),
                              segment_size=threshold if large else None)

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Stream the files; those that exist are skipped and asked about (then sent again,
        only those, without ``If-None-Match``)."""
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.object_transfer import plan_upload, upload_many

        session = connected(self.tui.session)
        source = str(values.get("source") or "").strip()
        try:
            items = (self._retry if self._overwrite and self._retry is not None
                     else plan_upload(source, str(values.get("name") or "")))
            if not items:
                raise CloudError(f"no files in {source}")
            outcome = upload_many(session, self.container, items, overwrite=self._overwrite,
                                  on_progress=self.reporter(), cancel=self._cancel,
                                  large_threshold=self.tui.settings.large_object_threshold)
        except OSError as exc:
            raise CloudError(f"cannot read {exc.filename or source}: {exc.strerror or exc}") \
                from exc
        if outcome.existing:
            self._retry = outcome.existing
            return _Exists([item.name for item in outcome.existing]), len(outcome.sent)
        self._retry = None
        return outcome.sent

    def submitted(self, result: Any) -> None:
        """Ask about existing objects, or close and show the new ones."""
        if isinstance(result, tuple) and isinstance(result[0], _Exists):
            exists, sent = result
            count = len(exists.names)
            self.ask_overwrite(
                (f"{sent} sent; " if sent else "")
                + f"{_some(exists.names)} exist{'s' if count == 1 else ''} in "
                f"{self.container}. Overwrite {'it' if count == 1 else 'them'}? y / n",
                f"Not overwritten: {count} object{'s' if count != 1 else ''} exist"
                f"{'s' if count == 1 else ''}" + (f" ({sent} others sent)" if sent else ""))
            return
        sent = list(result)
        self.app.notify(f"Uploaded {sent[0] if len(sent) == 1 else f'{len(sent)} objects'} "
                        f"to {self.container}", markup=False)
        self.dismiss(Created(()))
