"""Forms: launch a server, create a volume or a server group, upload / save / edit an image
(one module each).

:func:`open_create_form` and :func:`open_save_image` are what the list screen's `c` and
`ctrl+s` call; each form module imports only what it needs when it opens.
"""

from __future__ import annotations

import importlib
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
    """`c` on a list: the form its kind names (``ResourceKind.create_form``), imported when it
    opens; each such module exports its form class as ``CREATE_FORM``."""
    form_module = screen.kind.create_form
    if form_module is None or _refuse_read_only(screen, f"create {screen.kind.name}"):
        return
    session = console_host(screen).session
    if screen.kind.create_admin_only and not (session is not None and session.is_admin):
        screen.notify(f"Creating {screen.kind.name} needs the admin role.", severity="warning")
        return
    module = importlib.import_module(f"tuicloud.screens.forms.{form_module}")
    screen.app.push_screen(module.CREATE_FORM(), screen.after_form)


def open_save_image(screen: Any) -> None:
    """`ctrl+s` on the images list: save the image under the cursor to a file."""
    if not screen.kind.can("download"):
        return
    row_id = screen.table.cursor_id
    if row_id is None:
        return
    from tuicloud.screens.forms.save_image import SaveImageForm

    row = screen.table.get_row(row_id) or {}
    screen.app.push_screen(SaveImageForm(row_id, str(row.get("name") or row_id)))
