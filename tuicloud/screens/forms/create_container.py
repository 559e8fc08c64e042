"""`c` on the containers view: a new container, private (only the project) or public (anyone
may read and list it: the read ACL ``.r:*,.rlistings``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Input, Select

from tuicloud.cloud.operations.containers import (
    ContainerSpec,
    container_command,
    create_container,
    validate_container_name,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected

__all__ = ["CREATE_FORM", "CreateContainerForm"]

ACCESS = (("private: only this project", "private"),
          ("public: anyone may read and list it", "public"))


class CreateContainerForm(FormScreen):
    """Name and access."""

    FORM_TITLE = "Create container"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [(r"acl|public", "access"), (r".", "name")]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. backups"), "name")
        yield field_row("Access", Select(ACCESS, value="private", allow_blank=False), "access")

    def _spec(self, values: dict[str, Any]) -> ContainerSpec:
        return ContainerSpec(name=str(values.get("name") or ""),
                             public=values.get("access") == "public")

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A name as Swift takes it."""
        problem = validate_container_name(self._spec(values).name)
        return {"name": problem} if problem else {}

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack container create [--public] NAME``."""
        spec = self._spec(values)
        return container_command(spec) if not validate_container_name(spec.name) else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        return create_container(connected(self.tui.session), self._spec(values))

    def submitted(self, result: Any) -> None:
        """Close and show the new container in the list."""
        self.app.notify(f"Created container {result}", markup=False)
        self.dismiss(Created((str(result),)))


CREATE_FORM = CreateContainerForm
