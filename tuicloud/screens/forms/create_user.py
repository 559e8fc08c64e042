"""`c` on the users view (admin): a new user with an email, a default project and a first
password, typed twice and masked. The password goes only into the request: the command shows
``--password-prompt`` for it, and no log line, message or file ever holds it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import work
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select

from tuicloud.cloud.operations.identity_admin import (
    DEFAULT_DOMAIN,
    UserSpec,
    create_user,
    named_choices,
    password_problem,
    user_command,
    validate_email,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["CREATE_FORM", "CreateUserForm"]


class CreateUserForm(FormScreen):
    """Name, domain, email, description, default project, password twice, enabled."""

    FORM_TITLE = "Create user"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"duplicate|conflict", "name"), (r"password", "password"), (r"project", "project"),
        (r"domain", "domain"), (r"email", "email"), (r"name", "name")]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. alice"), "name")
        yield field_row("Domain", Input(value=DEFAULT_DOMAIN), "domain", hint="the domain's id")
        yield field_row("Email", Input(placeholder="alice@example.org"), "email")
        yield field_row("Description", Input(), "description")
        yield field_row("Default project", Select[str]([], prompt="(none)"), "project",
                        hint="where the user lands when signing in without naming one")
        yield field_row("Password", Input(password=True), "password",
                        hint="empty: no password yet (set one later from the actions)")
        yield field_row("Password again", Input(password=True), "password_again")
        yield field_row("", Checkbox("enabled", value=True), "enabled")

    def on_mount(self) -> None:
        """Load the projects for the default-project picker."""
        super().on_mount()
        self._load_worker()

    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load_worker(self) -> None:
        from tuicloud.cloud.errors import CloudError

        try:
            projects = named_choices(connected(self.tui.session), "projects")
        except CloudError as error:
            self.app.call_from_thread(self._load_failed, str(error))
            return
        self.app.call_from_thread(self._loaded, projects)

    def _loaded(self, projects: list[tuple[str, str]]) -> None:
        picker = self.rows()["project"].widget
        assert isinstance(picker, Select)
        with picker.prevent(Select.Changed):
            picker.set_options([(sanitize_text(name, max_len=60), ident)
                                for name, ident in projects])
        self.loading_settled()

    def _load_failed(self, why: str) -> None:
        self.rows()["project"].set_hint(f"projects not listed: {sanitize_text(why)}")
        self.loading_settled()

    @staticmethod
    def _spec(values: dict[str, Any]) -> UserSpec:
        project = values.get("project")
        return UserSpec(name=str(values.get("name") or ""),
                        domain_id=str(values.get("domain") or "").strip() or DEFAULT_DOMAIN,
                        email=str(values.get("email") or "").strip(),
                        description=str(values.get("description") or "").strip(),
                        default_project_id=str(project) if project else None,
                        password=str(values.get("password") or ""),
                        enabled=bool(values.get("enabled", True)))

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A name, an address that looks like one, the same password twice."""
        from tuicloud.cloud.create import validate_name

        problems: dict[str, str] = {}
        spec = self._spec(values)
        why = validate_name(spec.name)
        if why:
            problems["name"] = why
        why = validate_email(spec.email)
        if why:
            problems["email"] = why
        why = password_problem(spec.password, str(values.get("password_again") or ""),
                               required=False)
        if why:
            problems["password_again" if "differ" in why else "password"] = why
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack user create ... --password-prompt NAME``."""
        spec = self._spec(values)
        return user_command(spec) if spec.name else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        spec = self._spec(values)
        return spec.name, create_user(connected(self.tui.session), spec)

    def submitted(self, result: Any) -> None:
        """Close and show the new user in the list."""
        name, ident = result
        self.app.notify(f"Created user {name}", markup=False)
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = CreateUserForm
