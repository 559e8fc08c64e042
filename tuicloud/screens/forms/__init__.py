"""Forms: launch a server, create a volume, upload / save / edit an image (one module each).

:func:`open_create_form` and :func:`open_save_image` are what the list screen's `c` and
`ctrl+s` call; each form module imports only what it needs when it opens.
"""

from __future__ import annotations

from typing import Any

from tuicloud.screens.host import console_host

__all__ = ["open_create_form", "open_save_image"]


def _refuse_read_only(screen: Any, what: str) -> bool:
    session = console_host(screen).session
    if session is None:
        screen.notify("Not connected to a cloud.", severity="warning")
        return True
    if session.read_only:
        screen.notify(f"Read-only session: cannot {what}.", severity="warning")
        return True
    return False


def open_create_form(screen: Any) -> None:
    """`c` on a list: the kind's create form (servers, volumes, images)."""
    kind = screen.kind.name
    if _refuse_read_only(screen, f"create {kind}"):
        return
    if kind == "servers":
        from tuicloud.screens.forms.launch_server import LaunchServerForm

        screen.app.push_screen(LaunchServerForm())
    elif kind == "volumes":
        from tuicloud.screens.forms.create_volume import CreateVolumeForm

        screen.app.push_screen(CreateVolumeForm())
    elif kind == "images":
        from tuicloud.screens.forms.create_image import CreateImageForm

        screen.app.push_screen(CreateImageForm())


def open_save_image(screen: Any) -> None:
    """`ctrl+s` on the images list: save the image under the cursor to a file."""
    if screen.kind.name != "images":
        return
    row_id = screen.table.cursor_id
    if row_id is None:
        return
    from tuicloud.screens.forms.save_image import SaveImageForm

    row = screen.table.get_row(row_id) or {}
    screen.app.push_screen(SaveImageForm(row_id, str(row.get("name") or row_id)))
