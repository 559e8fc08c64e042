"""`c` on the security groups view: a new group (Neutron gives it the two egress rules); its
ingress rules are added from the actions menu."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Input

from tuicloud.cloud.operations.security_groups import (
    create_group_command,
    create_security_group,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["CREATE_FORM", "CreateSecurityGroupForm"]


class CreateSecurityGroupForm(FormScreen):
    """Name and description."""

    FORM_TITLE = "Create security group"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"description", "description"),
        (r"quota|name|security.?group", "name"),
    ]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. web"), "name",
                        hint="then `a` on it adds rules (SSH, HTTP(S), ICMP … or your own)")
        yield field_row("Description", Input(placeholder="e.g. HTTP(S) from anywhere"),
                        "description")

    def on_mount(self) -> None:
        """Nothing to load."""
        super().on_mount()
        self.loading_settled()

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A tidy name ("default" is the project's own), a description Neutron takes."""
        from tuicloud.cloud.create import validate_name

        problems: dict[str, str] = {}
        name = str(values.get("name") or "")
        problem = validate_name(name)
        if problem:
            problems["name"] = problem
        elif name == "default":
            problems["name"] = "every project has its default group already"
        if len(str(values.get("description") or "")) > 255:
            problems["description"] = "at most 255 characters"
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack security group create [--description D] NAME``."""
        name = str(values.get("name") or "")
        if not name or self.validate(values):
            return None
        return create_group_command(name, str(values.get("description") or ""))

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        name = str(values["name"])
        return name, create_security_group(connected(self.tui.session), name,
                                           str(values.get("description") or ""))

    def submitted(self, result: Any) -> None:
        """Close and show the new group in the list."""
        name, ident = result
        self.app.notify(f"Created security group {sanitize_text(name)}", markup=False)
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = CreateSecurityGroupForm
