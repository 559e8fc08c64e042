"""`e` and `m` on a container's objects: edit an object's metadata and content type (read
first with HEAD; Swift's POST replaces all the metadata, so the form sends the whole set), and
copy or move it server-side, never over an existing object without asking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import work
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea

from tuicloud.screens.forms.base import AskScreen, Created, FormScreen, field_row
from tuicloud.screens.host import connected

__all__ = ["CopyObjectForm", "EditObjectForm"]


class EditObjectForm(FormScreen):
    """Content type and ``key: value`` metadata lines, filled from the object's HEAD."""

    FORM_TITLE = "Edit object metadata"
    SUBMIT_LABEL = "Save"
    NO_COMMAND = "(reading the object…)"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [(r"content.type", "content_type"),
                                                     (r"meta|header|too", "meta")]

    def __init__(self, container: str, name: str) -> None:
        super().__init__()
        self.container = container
        self.object_name = name
        self.old_type: str | None = None  # None until the HEAD came back

    def fields(self) -> Iterable[Widget]:
        """Content type and metadata."""
        yield field_row("Content type", Input(placeholder="reading…"), "content_type",
                        hint=f"object {self.container}/{self.object_name}")
        yield field_row("Metadata", TextArea("", soft_wrap=False, show_line_numbers=False),
                        "meta", hint="one key: value a line; a line removed is a key removed")

    def on_mount(self) -> None:
        """Read the object's current metadata."""
        super().on_mount()
        self._load()

    @work(thread=True, exit_on_error=False, group="object-head")
    def _load(self) -> None:
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.kinds.containers import user_meta
        from tuicloud.cloud.object_transfer import object_path

        try:
            headers, _info = connected(self.tui.session).head(
                "object-store", object_path(self.container, self.object_name))
        except CloudError as error:
            self.app.call_from_thread(self.set_message, f"Cannot read the object: {error}",
                                      error=True)
            return
        self.app.call_from_thread(self._loaded, headers.get("content-type", ""),
                                  user_meta(headers, "object"))

    def _loaded(self, content_type: str, meta: dict[str, str]) -> None:
        self.old_type = content_type
        self.rows()["content_type"].widget.value = content_type  # type: ignore[attr-defined]
        self.rows()["meta"].widget.text = "".join(  # type: ignore[attr-defined]
            f"{key}: {value}\n" for key, value in sorted(meta.items()))
        self.loading_settled()

    def _parsed(self, values: dict[str, Any]) -> tuple[dict[str, str], str | None, str | None]:
        from tuicloud.cloud.object_actions import parse_meta

        meta, problem = parse_meta(str(values.get("meta") or ""))
        content_type = str(values.get("content_type") or "").strip()
        changed = content_type if content_type and content_type != self.old_type else None
        return meta, changed, problem

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """Metadata as Swift takes it; a content type like type/subtype."""
        if self.old_type is None:
            return {"meta": "still reading the object"}
        problems: dict[str, str] = {}
        _meta, _type, problem = self._parsed(values)
        if problem:
            problems["meta"] = problem
        content_type = str(values.get("content_type") or "").strip()
        if not content_type or "/" not in content_type or not content_type.isprintable():
            problems["content_type"] = "a type like text/plain"
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack object set --property …`` (``swift post`` for a content type)."""
        from tuicloud.cloud.object_actions import meta_command

        if self.old_type is None:
            return None
        meta, content_type, problem = self._parsed(values)
        return None if problem else meta_command(self.container, self.object_name, meta,
                                                 content_type)

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """One POST with the whole set."""
        from tuicloud.cloud.object_actions import set_object_metadata

        meta, content_type, _problem = self._parsed(values)
        set_object_metadata(connected(self.tui.session), self.container, self.object_name,
                            meta, content_type)
        return len(meta)

    def submitted(self, result: Any) -> None:
        """Close; the list shows the new content type."""
        self.app.notify(f"Saved the metadata of {self.object_name} ({result} keys)",
                        markup=False)
        self.dismiss(Created(()))


MODES = (("copy (the object stays)", "copy"), ("move (deleted after the copy)", "move"))


class CopyObjectForm(FormScreen):
    """Destination container and name, copy or move."""

    FORM_TITLE = "Copy or move object"
    SUBMIT_LABEL = "Copy"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [(r"container", "container"),
                                                     (r".", "name")]

    def __init__(self, container: str, name: str) -> None:
        super().__init__()
        self.container = container
        self.object_name = name
        self._overwrite_for: tuple[str, str] | None = None

    def fields(self) -> Iterable[Widget]:
        """Where to, and whether the source goes."""
        yield field_row("To container", Input(self.container), "container",
                        hint=f"from {self.container}/{self.object_name}")
        yield field_row("New name", Input(self.object_name), "name")
        yield field_row("Mode", Select(MODES, value="copy", allow_blank=False), "mode")

    def _spec(self, values: dict[str, Any]) -> Any:
        from tuicloud.cloud.object_actions import ObjectCopy

        return ObjectCopy(self.container, self.object_name,
                          str(values.get("container") or "").strip(),
                          str(values.get("name") or ""), move=values.get("mode") == "move")

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A container name, an object name, not the object itself."""
        from tuicloud.cloud.operations.containers import validate_container_name

        spec = self._spec(values)
        problems: dict[str, str] = {}
        problem = validate_container_name(spec.dest_container)
        if problem:
            problems["container"] = problem
        if not spec.dest_name.strip():
            problems["name"] = "a name is required"
        elif any(ord(c) < 32 or ord(c) == 127 for c in spec.dest_name):
            problems["name"] = "no control characters"
        elif (spec.dest_container, spec.dest_name) == (self.container, self.object_name):
            problems["name"] = "that is the object itself: change the name or the container"
        return problems

    def command_text(self, values: dict[str, Any]) -> str | None:
        """``swift copy --destination …`` (with ``openstack object delete`` for a move)."""
        from tuicloud.cloud.object_actions import copy_command

        return None if self.validate(values) else copy_command(self._spec(values))

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Copy (then delete the source for a move); an existing destination is asked about."""
        from tuicloud.cloud.object_actions import copy_object
        from tuicloud.cloud.object_transfer import ObjectExists

        spec = self._spec(values)
        target = (spec.dest_container, spec.dest_name)
        try:
            copy_object(connected(self.tui.session), spec,
                        overwrite=self._overwrite_for == target)
        except ObjectExists:
            return None
        return spec

    def submitted(self, result: Any) -> None:
        """Ask before overwriting, or close."""
        if result is None:
            spec = self._spec(self.values())
            target = (spec.dest_container, spec.dest_name)

            def answered(yes: bool | None) -> None:
                if yes:
                    self._overwrite_for = target
                    self.action_submit()
                else:
                    self.set_message("Not copied: the destination exists.", error=True)

            self.app.push_screen(AskScreen(f"{spec.dest_container}/{spec.dest_name} exists. "
                                           "Overwrite it?  y / n"), answered)
            return
        verb = "Moved" if result.move else "Copied"
        self.app.notify(f"{verb} {self.object_name} to {result.dest_container}/"
                        f"{result.dest_name}", markup=False)
        self.dismiss(Created(()))
