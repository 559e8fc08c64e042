"""`c` on the floating IPs view: allocate an address from an external network (the only one is
chosen already; with several the user picks)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.widget import Widget
from textual.widgets import Input, Select

from tuicloud.cloud.operations.floating_ips import (
    allocate_command,
    allocate_floating_ip,
    external_networks,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["CREATE_FORM", "AllocateFloatingIpForm"]


class AllocateFloatingIpForm(FormScreen):
    """External network and an optional description."""

    FORM_TITLE = "Allocate floating IP"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"quota|floatingip|network", "network"),
        (r"description", "description"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._networks: dict[str, str] = {}  # id -> name, once loaded

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("External network", Select([], prompt="(loading…)"), "network",
                        hint="where the address comes from")
        yield field_row("Description", Input(placeholder="e.g. web front door (optional)"),
                        "description")

    def on_mount(self) -> None:
        """Fetch the external networks in a worker."""
        super().on_mount()
        self.set_message("Loading external networks…")
        self._load_worker()

    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load_worker(self) -> None:
        from tuicloud.cloud.errors import CloudError

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
        select = self.rows()["network"].widget
        assert isinstance(select, Select)
        with select.prevent(Select.Changed):
            select.set_options((Text(sanitize_text(name, max_len=40)), ident)
                               for ident, name in self._networks.items())
            select.prompt = "(choose)"
            if len(self._networks) == 1:
                select.value = next(iter(self._networks))
        self.set_message("" if self._networks else
                         "This cloud offers no external network: nothing to allocate from",
                         error=not self._networks)
        self.loading_settled()

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """An external network must be chosen; a description Neutron takes (255 characters)."""
        problems: dict[str, str] = {}
        network = values.get("network")
        if not isinstance(network, str) or network not in self._networks:
            problems["network"] = ("choose the network to allocate from" if self._networks
                                   else "no external network on this cloud")
        if len(str(values.get("description") or "")) > 255:
            problems["description"] = "at most 255 characters"
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack floating ip create [--description D] NETWORK``."""
        network = values.get("network")
        if not isinstance(network, str) or network not in self._networks:
            return None
        return allocate_command(network, str(values.get("description") or "").strip())

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Allocate it."""
        return allocate_floating_ip(connected(self.tui.session), str(values["network"]),
                                    str(values.get("description") or "").strip())

    def submitted(self, result: Any) -> None:
        """Close and show the new address in the list."""
        ident, address = result
        self.app.notify(f"Allocated floating IP {sanitize_text(address or ident)}")
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = AllocateFloatingIpForm
