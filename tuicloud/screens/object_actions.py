"""A container's objects: the keys that move bytes and change objects (d download, u upload,
e metadata, m copy or move, t temporary URL), and `a`, a menu of the same with one key each.
Each opens a form that shows the equivalent command; the cloud layer does the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType

from tuicloud.screens.host import console_host
from tuicloud.screens.key_menu import KeyMenu

if TYPE_CHECKING:
    from tuicloud.screens.resource_list import ResourceListScreen

__all__ = ["OBJECT_ACTIONS", "OBJECT_BINDINGS", "ObjectMenu", "open_object_action",
           "open_object_delete"]

# key -> (action, what it does, whether it needs an object under the cursor, changes the cloud)
OBJECT_ACTIONS: dict[str, tuple[str, str, bool, bool]] = {
    "d": ("download", "Download the object or folder…", True, False),
    "u": ("upload", "Upload a file or folder here…", False, True),
    "e": ("edit", "Edit metadata and content type…", True, True),
    "m": ("copy", "Copy or move the object…", True, True),
    "t": ("tempurl", "Temporary URL (copied)…", True, False),
}

# Only d and u in the footer (it is narrow); e, m and t are in the `a` menu and the help.
OBJECT_BINDINGS = [
    Binding(key, f"object_action('{action}')", label.split(" ", 1)[0].rstrip("…"),
            id=f"objects.{action}", tooltip=label.rstrip("…"), show=key in "du")
    for key, (action, label, _needs_row, _mutates) in OBJECT_ACTIONS.items()
]


class ObjectMenu(KeyMenu[str]):
    """`a` on the objects view: the object actions, one key each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"choose('{action}')", label, id=f"object_menu.{action}")
        for key, (action, label, _row, _mutates) in OBJECT_ACTIONS.items()
    ]

    def __init__(self, target: str | None, read_only: bool) -> None:
        entries = []
        for key, (_action, label, needs_row, mutates) in OBJECT_ACTIONS.items():
            entries.append((key, label + (" (read-only)" if mutates and read_only else ""),
                            (target is not None or not needs_row)
                            and not (mutates and read_only)))
        super().__init__(f"Actions on {target}" if target else "Actions here", entries,
                         "esc closes")

    def action_choose(self, action: str) -> None:
        """Close with the chosen action."""
        self.dismiss(action)


def _target(screen: ResourceListScreen) -> str | None:
    return screen.table.cursor_id


def open_object_action(screen: ResourceListScreen, action: str) -> None:
    """Open the form of ``action`` for the row under the cursor (or the current folder)."""
    from tuicloud.cloud.kinds.objects import object_location  # with the objects view

    location = object_location(screen.kind)
    session = console_host(screen).session
    if location is None or session is None:
        return
    container, prefix = location
    spec = next((s for s in OBJECT_ACTIONS.values() if s[0] == action), None)
    if spec is None:
        return
    _action, label, needs_row, mutates = spec
    target = _target(screen)
    if mutates and session.read_only:
        screen.notify(f"Read-only session: cannot {label.rstrip('…').lower()}.",
                      severity="warning")
        return
    if needs_row and target is None:
        screen.notify("No object under the cursor.", severity="warning")
        return
    form: Any
    if action == "download":
        from tuicloud.screens.forms.object_transfer import DownloadObjectForm

        form = DownloadObjectForm(container, str(target))
    elif action == "upload":
        from tuicloud.screens.forms.object_transfer import UploadObjectForm

        form = UploadObjectForm(container, prefix)
    elif str(target).endswith("/"):
        screen.notify(f"{target} is a folder: {label.rstrip('…').lower()} works on objects.",
                      severity="warning", markup=False)
        return
    else:
        form = _object_form(action, container, str(target))
        if form is None:
            return
    screen.app.push_screen(form, screen.after_form)


def _object_form(action: str, container: str, name: str) -> Any:
    """The edit, copy and temporary-URL forms."""
    if action == "edit":
        from tuicloud.screens.forms.object_edit import EditObjectForm

        return EditObjectForm(container, name)
    if action == "copy":
        from tuicloud.screens.forms.object_edit import CopyObjectForm

        return CopyObjectForm(container, name)
    if action == "tempurl":
        from tuicloud.screens.forms.object_tempurl import TempUrlForm

        return TempUrlForm(container, name)
    return None


def open_object_menu(screen: ResourceListScreen) -> None:
    """`a` on the objects view."""
    session = console_host(screen).session
    if session is None:
        return

    def chosen(action: str | None) -> None:
        if action:
            open_object_action(screen, action)

    screen.app.push_screen(ObjectMenu(_target(screen), bool(session.read_only)), chosen)


def open_object_delete(screen: ResourceListScreen) -> None:
    """`ctrl+d` on the objects view: the marked objects (or the one under the cursor; a
    folder means what is under it), named and sized before a form deletes them."""
    from tuicloud.cloud.kinds.objects import object_location  # with the objects view
    from tuicloud.screens.forms.object_delete import DeleteObjectsForm

    location = object_location(screen.kind)
    session = console_host(screen).session
    if location is None or session is None:
        return
    if session.read_only:
        screen.notify("Read-only session: cannot delete objects.", severity="warning")
        return
    table = screen.table
    names = sorted(table.marked) or ([table.cursor_id] if table.cursor_id else [])
    if not names:
        screen.notify("No object under the cursor.", severity="warning")
        return
    raws = [screen.feed.differ.raw(name) or {} for name in names]
    large = {name for name, raw in zip(names, raws, strict=True) if raw.get("slo_etag")}
    size = sum(raw["bytes"] for raw in raws if isinstance(raw.get("bytes"), int))
    form = DeleteObjectsForm(location[0], names, large=large, size=size)

    def closed(result: object) -> None:
        if result is not None:  # deleted: the marks named rows that are gone
            table.clear_marks()
        screen.after_form(result)

    screen.app.push_screen(form, closed)
