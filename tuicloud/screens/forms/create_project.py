"""`c` on the projects view (admin): a new project in a domain, with a description, enabled or
not. Keystone refuses a name already used in the domain (409), shown next to the name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Checkbox, Input

from tuicloud.cloud.operations.identity_admin import (
    DEFAULT_DOMAIN,
    ProjectSpec,
    create_project,
    project_command,
    validate_project_name,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected

__all__ = ["CREATE_FORM", "CreateProjectForm"]


class CreateProjectForm(FormScreen):
    """Name, domain, description, enabled."""

    FORM_TITLE = "Create project"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"duplicate|conflict|same name", "name"), (r"domain", "domain"), (r"name", "name")]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. team-blue"), "name")
        yield field_row("Domain", Input(value=DEFAULT_DOMAIN), "domain", hint="the domain's id")
        yield field_row("Description", Input(placeholder="who it is for"), "description")
        yield field_row("", Checkbox("enabled", value=True), "enabled")

    def on_mount(self) -> None:
        """Nothing to load."""
        super().on_mount()
        self.loading_settled()

    @staticmethod
    def _spec(values: dict[str, Any]) -> ProjectSpec:
        return ProjectSpec(name=str(values.get("name") or ""),
                           domain_id=str(values.get("domain") or "").strip() or DEFAULT_DOMAIN,
                           description=str(values.get("description") or "").strip(),
                           enabled=bool(values.get("enabled", True)))

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """Keystone's name rules."""
        problem = validate_project_name(str(values.get("name") or ""))
        return {"name": problem} if problem else {}

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack project create ...``."""
        spec = self._spec(values)
        return project_command(spec) if spec.name else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        spec = self._spec(values)
        return spec.name, create_project(connected(self.tui.session), spec)

    def submitted(self, result: Any) -> None:
        """Close and show the new project in the list."""
        name, ident = result
        self.app.notify(f"Created project {name}", markup=False)
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = CreateProjectForm
