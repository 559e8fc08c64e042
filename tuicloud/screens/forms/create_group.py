"""`c` on the groups view (admin): a new group with a description. Keystone refuses a name
already used in the domain (409), shown next to the name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Input

from tuicloud.cloud.operations.groups import create_group, group_command
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected

__all__ = ["CREATE_FORM", "CreateGroupForm"]


class CreateGroupForm(FormScreen):
    """Name, description."""

    FORM_TITLE = "Create group"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [(r"duplicate|conflict|name", "name")]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. ops-team"), "name")
        yield field_row("Description", Input(placeholder="who is in it"), "description")

    def on_mount(self) -> None:
        """Nothing to load."""
        super().on_mount()
        self.loading_settled()

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A name as Keystone takes it."""
        from tuicloud.cloud.create import validate_name

        problem = validate_name(str(values.get("name") or ""))
        return {"name": problem} if problem else {}

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack group create ...``."""
        name = str(values.get("name") or "")
        return group_command(name, str(values.get("description") or "").strip()) \
            if name else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        name = str(values["name"])
        return name, create_group(connected(self.tui.session), name,
                                  str(values.get("description") or "").strip())

    def submitted(self, result: Any) -> None:
        """Close and show the new group in the list."""
        name, ident = result
        self.app.notify(f"Created group {name}", markup=False)
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = CreateGroupForm
