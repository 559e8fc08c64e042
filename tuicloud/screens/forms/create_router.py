"""`c` on the routers view: a router with or without an external gateway."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.widget import Widget
from textual.widgets import Input, Select

from tuicloud.cloud.operations.routers import create_router, create_router_command
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["CREATE_FORM", "CreateRouterForm"]


class CreateRouterForm(FormScreen):
    """Name and, optionally, the external network of its gateway."""

    FORM_TITLE = "Create router"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"external|gateway|network", "gateway"),
        (r"quota|router|name", "name"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._networks: dict[str, str] = {}  # external networks: id -> name

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. web-router"), "name")
        yield field_row("External gateway", Select([], prompt="(none)"), "gateway",
                        hint="loading the external networks…")

    def on_mount(self) -> None:
        """Fetch the external networks in a worker."""
        super().on_mount()
        self._load_worker()

    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load_worker(self) -> None:
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.operations.floating_ips import external_networks

        session = self.tui.session
        if session is None:
            return
        try:
            found = external_networks(session)
        except CloudError as error:
            self.app.call_from_thread(self.set_message, f"Cannot list networks: {error}",
                                      error=True)
            return
        self.app.call_from_thread(self._loaded, found)

    def _loaded(self, networks: list[dict[str, Any]]) -> None:
        self._networks = {str(n["id"]): str(n.get("name") or n["id"]) for n in networks}
        select = self.rows()["gateway"].widget
        assert isinstance(select, Select)
        with select.prevent(Select.Changed):
            select.set_options((Text(sanitize_text(name, max_len=40)), ident)
                               for ident, name in self._networks.items())
        self.rows()["gateway"].set_hint(
            "floating IPs need one; (none) for a router between private subnets only"
            if self._networks else "this cloud offers no external network")
        self.loading_settled()

    def _gateway(self, values: dict[str, Any]) -> str | None:
        value = values.get("gateway")
        return value if isinstance(value, str) and value in self._networks else None

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A name as Neutron takes it (255 characters, printable)."""
        from tuicloud.cloud.create import validate_name

        problem = validate_name(str(values.get("name") or ""))
        return {"name": problem} if problem else {}

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack router create [--external-gateway NET] NAME``."""
        name = str(values.get("name") or "")
        if not name or self.validate(values):
            return None
        return create_router_command(name, self._gateway(values))

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        name = str(values.get("name") or "")
        return name, create_router(connected(self.tui.session), name, self._gateway(values))

    def submitted(self, result: Any) -> None:
        """Close and show the new router in the list."""
        name, ident = result
        self.app.notify(f"Created router {sanitize_text(name)}")
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = CreateRouterForm
