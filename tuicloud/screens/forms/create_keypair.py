"""`c` on the key pairs view: import a public key from a file, or generate a new pair here
(the private key goes only to the file named, 0600; it is never shown)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Input, Select

from tuicloud.cloud.operations.keypairs import (
    generate_key,
    import_command,
    import_keypair,
    read_public_key,
    save_private_key,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["CREATE_FORM", "CreateKeypairForm"]

SOURCES = [("import a public key file", "import"), ("generate a new ed25519 pair", "generate")]


def _default_public_key() -> str:
    for name in ("id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub"):
        path = Path.home() / ".ssh" / name
        if path.is_file():
            return f"~/.ssh/{name}"
    return ""


class CreateKeypairForm(FormScreen):
    """Name; a public key file to import, or where to save a new private key."""

    FORM_TITLE = "Create key pair"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"public.?key|fingerprint", "public_key"),
        (r"key ?pair|name|quota", "name"),
    ]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. laptop-ed25519"), "name")
        yield field_row("Source", Select(SOURCES, value="import", allow_blank=False), "source")
        yield field_row("Public key file", Input(value=_default_public_key(),
                                                 placeholder="e.g. ~/.ssh/id_ed25519.pub"),
                        "public_key")
        yield field_row("Save private key to", Input(placeholder="e.g. ~/.ssh/openstack-key"),
                        "private_key", hint="created 0600; never shown, never overwritten")

    def on_mount(self) -> None:
        """Nothing to load: ready at once."""
        super().on_mount()
        self.rows()["private_key"].display = False
        self.loading_settled()

    def field_changed(self, name: str) -> None:
        """The source shows the file it needs; a new pair's file follows the name."""
        rows = self.rows()
        generating = self.values().get("source") == "generate"
        rows["public_key"].display = not generating
        rows["private_key"].display = generating
        if name in ("name", "source") and generating:
            saved = rows["private_key"].widget
            assert isinstance(saved, Input)
            key_name = str(self.values().get("name") or "").strip()
            if key_name and (not saved.value or saved.value.startswith("~/.ssh/")):
                saved.value = f"~/.ssh/{key_name}"

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A name Nova takes; a readable public key, or a new file for the private one."""
        from tuicloud.cloud.create import validate_name

        problems: dict[str, str] = {}
        name_problem = validate_name(str(values.get("name") or ""))
        if name_problem:
            problems["name"] = name_problem
        if values.get("source") == "generate":
            target = str(values.get("private_key") or "").strip()
            path = Path(target).expanduser()
            if not target:
                problems["private_key"] = "where the private key goes (it is shown nowhere)"
            elif path.exists():
                problems["private_key"] = "the file exists: an existing key is never overwritten"
            elif not path.parent.is_dir():
                problems["private_key"] = f"no folder {path.parent}"
        else:
            _, why = read_public_key(str(values.get("public_key") or "").strip()) \
                if str(values.get("public_key") or "").strip() else (None, "a public key file")
            if why:
                problems["public_key"] = why
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack keypair create --public-key FILE NAME`` (or ``--private-key FILE``)."""
        name = str(values.get("name") or "")
        if not name:
            return None
        if values.get("source") == "generate":
            return ["openstack", "keypair", "create", "--type", "ssh", "--private-key",
                    str(values.get("private_key") or "<file>"), name]
        return import_command(name, str(values.get("public_key") or "<file>"))

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Import it, or generate, save the private half, then import the public half."""
        from tuicloud.cloud.errors import CloudError

        session = connected(self.tui.session)
        name = str(values["name"])
        if values.get("source") != "generate":
            public, why = read_public_key(str(values["public_key"]).strip())
            if public is None:
                raise CloudError(f"public key: {why}", status=400, service="compute")
            return import_keypair(session, name, public), None
        session.refuse_if_read_only(f"create key pair {name}")
        target = str(values["private_key"]).strip()
        key = generate_key(name)
        why = save_private_key(target, key)
        if why is not None:
            raise CloudError(f"private key file: {why}", status=400, service="compute")
        try:
            made = import_keypair(session, name, key.public)
        except BaseException:
            with contextlib.suppress(OSError):  # no stray key for a pair that does not exist
                Path(target).expanduser().unlink()
            raise
        public_file = Path(target).expanduser().with_name(Path(target).name + ".pub")
        with contextlib.suppress(OSError):
            if not public_file.exists():
                public_file.write_text(key.public + "\n", encoding="utf-8")
        return made, target

    def submitted(self, result: Any) -> None:
        """Close and show the new pair in the list."""
        name, saved = result
        text = f"Created key pair {sanitize_text(name)}"
        if saved:
            text += f"; private key saved to {sanitize_text(saved)} (0600)"
        self.app.notify(text, markup=False)
        self.dismiss(Created((name,)))


CREATE_FORM = CreateKeypairForm
