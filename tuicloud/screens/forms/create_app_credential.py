"""`c` on the application credentials view: a credential for the signed-in user in the
current project, with the roles it keeps (of the user's own there) and an expiry. Keystone
shows its secret once: it goes only into a clouds.yaml file the user names (0600, never
overwritten), ready for ``--os-cloud``; it is never shown, logged or kept anywhere else."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Checkbox, Input, SelectionList

from tuicloud.cloud.operations.app_credentials import (
    clouds_yaml_entry,
    create_app_credential,
    create_command,
    parse_expiry,
)
from tuicloud.cloud.operations.identity import delete_app_credential
from tuicloud.cloud.private_files import new_file_problem, write_private_file
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["CREATE_FORM", "CreateAppCredentialForm"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")


def _entry_name(cloud: str, name: str) -> str:
    return f"{cloud}-{name}"


class CreateAppCredentialForm(FormScreen):
    """Name, description, roles, expiry, unrestricted, and where its clouds.yaml goes."""

    FORM_TITLE = "Create application credential"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"role", "roles"), (r"expir", "expires"), (r"name|duplicate|conflict", "name")]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. backup-job"), "name")
        yield field_row("Description", Input(placeholder="what uses it"), "description")
        yield field_row("Roles it keeps", SelectionList[str](), "roles",
                        hint="of yours in this project; fewer is safer")
        yield field_row("Expires", Input(value="90d", placeholder="30d, 12h, 2027-01-31, never"),
                        "expires")
        yield field_row("", Checkbox("unrestricted (may make more credentials: avoid)"),
                        "unrestricted")
        yield field_row("clouds.yaml file", Input(placeholder="e.g. ~/backup-job.clouds.yaml"),
                        "file", hint="created 0600; the secret is shown nowhere else")

    _suggested = ""  # the file named after the credential, until the user names their own

    def on_mount(self) -> None:
        """The roles are the session's own: known already."""
        super().on_mount()
        session = self.tui.session
        roles = self.rows()["roles"].widget
        assert isinstance(roles, SelectionList)
        for role in session.roles if session is not None else ():
            # The reader role alone is the safe default; the others are one keypress away.
            roles.add_option((Text(sanitize_text(role, max_len=40)), role, role == "reader"))
        self.loading_settled()

    def field_changed(self, name: str) -> None:
        """The file follows the name until the user types one of their own."""
        if name != "name":
            return
        target = self.rows()["file"].widget
        assert isinstance(target, Input)
        chosen = str(self.values().get("name") or "").strip()
        if chosen and target.value in ("", self._suggested):
            self._suggested = f"~/{chosen}.clouds.yaml"
            target.value = self._suggested

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A name, at least one role, an expiry in the future, a new file."""
        problems: dict[str, str] = {}
        if not _NAME.match(str(values.get("name") or "")):
            problems["name"] = "letters, digits, . _ - (up to 255)"
        if not values.get("roles"):
            problems["roles"] = "at least one role"
        _, why = parse_expiry(str(values.get("expires") or ""))
        if why:
            problems["expires"] = why
        why = new_file_problem(str(values.get("file") or ""))
        if why:
            problems["file"] = why
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack application credential create --role R ... NAME``."""
        name = str(values.get("name") or "")
        if not name:
            return None
        expires, _ = parse_expiry(str(values.get("expires") or ""))
        return create_command(name, list(values.get("roles") or []), expires,
                              str(values.get("description") or ""),
                              bool(values.get("unrestricted")))

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it, then write its clouds.yaml (the only copy of the secret)."""
        from tuicloud.cloud.errors import CloudError

        session = connected(self.tui.session)
        name = str(values["name"])
        target = str(values["file"]).strip()
        why = new_file_problem(target)  # checked again: the folder may have changed
        if why:
            raise CloudError(f"clouds.yaml file: {why}", status=400, service="identity")
        expires, _ = parse_expiry(str(values.get("expires") or ""))
        made = create_app_credential(session, name, list(values["roles"]), expires,
                                     str(values.get("description") or ""),
                                     bool(values.get("unrestricted")))
        entry = _entry_name(session.cloud_name, name)
        why = write_private_file(target, clouds_yaml_entry(session, entry, made).encode())
        if why:
            # Without the file the secret is lost: delete the credential rather than keep one
            # nobody can use.
            delete_app_credential(session, str(made["id"]), name)
            raise CloudError(f"clouds.yaml file: {why}", status=400, service="identity")
        return str(made["id"]), str(Path(target).expanduser()), entry

    def submitted(self, result: Any) -> None:
        """Close, say where the entry is and how to use it, and follow the new row."""
        ident, path, entry = result
        self.app.notify(f"Created application credential; clouds.yaml saved to "
                        f"{sanitize_text(path)} (0600): OS_CLIENT_CONFIG_FILE={path} "
                        f"openstack --os-cloud {sanitize_text(entry)} …", markup=False)
        self.dismiss(Created((ident,)))


CREATE_FORM = CreateAppCredentialForm
