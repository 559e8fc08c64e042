"""`c` on the role assignments view (admin): grant a role to a user or a group on a project,
each picked by name; a group's members all hold the role. Keystone's grant is idempotent:
granting one that exists changes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import work
from textual.widget import Widget
from textual.widgets import Select

from tuicloud.cloud.operations.identity_admin import (
    GrantSpec,
    grant_command,
    grant_role,
    named_choices,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["CREATE_FORM", "GrantRoleForm"]

_PICKERS = (("project", "projects"), ("user", "users"), ("group", "groups"), ("role", "roles"))
_FIELDS = ("project", "user", "role")  # the form's pickers: "user" offers users and groups


class GrantRoleForm(FormScreen):
    """Project, user or group, role."""

    FORM_TITLE = "Grant a role"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"project", "project"), (r"user", "user"), (r"role", "role")]

    def __init__(self) -> None:
        super().__init__()
        self._names: dict[str, dict[str, str]] = {}  # field -> id -> name

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Project", Select[str]([], prompt="(pick a project)"), "project")
        yield field_row("User or group", Select[str]([], prompt="(pick a user or a group)"),
                        "user", hint="a group's members all get the role")
        yield field_row("Role", Select[str]([], prompt="(pick a role)"), "role",
                        hint="reader < member < admin in Keystone's default roles")

    def on_mount(self) -> None:
        """Load the three pickers."""
        super().on_mount()
        self._load_worker()

    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load_worker(self) -> None:
        from tuicloud.cloud.errors import CloudError

        session = connected(self.tui.session)
        found: dict[str, list[tuple[str, str]]] = {}
        problems: dict[str, str] = {}
        for field, collection in _PICKERS:
            try:
                found[field] = named_choices(session, collection)
            except CloudError as error:
                problems[field] = str(error)
        self.app.call_from_thread(self._loaded, found, problems)

    def _loaded(self, found: dict[str, list[tuple[str, str]]],
                problems: dict[str, str]) -> None:
        rows = self.rows()
        choices: dict[str, list[tuple[str, str]]] = {
            "project": found.get("project", []), "role": found.get("role", []),
            # users as they are, groups marked; the value says which (user:ID, group:ID)
            "user": [(name, f"user:{ident}") for name, ident in found.get("user", [])]
            + [(f"group {name}", f"group:{ident}") for name, ident in found.get("group", [])]}
        for field, options in choices.items():
            self._names[field] = {value: name for name, value in options}
            picker = rows[field].widget
            assert isinstance(picker, Select)
            with picker.prevent(Select.Changed):
                picker.set_options([(sanitize_text(name, max_len=60), value)
                                    for name, value in options])
        for field, why in problems.items():
            rows["user" if field == "group" else field].set_hint(
                f"{field}s not listed: {sanitize_text(why)}")
        self.loading_settled()

    def _spec(self, values: dict[str, Any]) -> GrantSpec | None:
        project, who, role = (values.get(name) for name in _FIELDS)
        if not (project and who and role):
            return None
        actor, _, actor_id = str(who).partition(":")
        return GrantSpec(str(project), actor_id, str(role), actor=actor,
                         project_name=self._names.get("project", {}).get(str(project), ""),
                         actor_name=self._names.get("user", {}).get(str(who), ""),
                         role_name=self._names.get("role", {}).get(str(role), ""))

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """All three picked."""
        words = {"project": "pick a project", "user": "pick a user or a group",
                 "role": "pick a role"}
        return {name: words[name] for name in _FIELDS if not values.get(name)}

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack role add --project P --user U ROLE``."""
        spec = self._spec(values)
        return grant_command(spec) if spec is not None else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Grant it."""
        spec = self._spec(values)
        assert spec is not None  # validated
        grant_role(connected(self.tui.session), spec)
        return spec

    def submitted(self, result: Any) -> None:
        """Close and show the assignment in the list."""
        spec: GrantSpec = result
        self.app.notify(f"Granted {spec.role_name} to {spec.actor_name} on "
                        f"{spec.project_name}", markup=False)
        self.dismiss(Created((spec.path,)))


CREATE_FORM = GrantRoleForm
