"""`c` on the ports view: a port on a network, with a fixed address the user gives (checked
against the network's subnets before sending) or one Neutron picks, and port security on or
off (off: no groups, for a VIP or a router in a server)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.widget import Widget
from textual.widgets import Input, Select

from tuicloud.cloud.operations.network_parts import (
    PortSpec,
    create_port,
    create_port_command,
    subnet_for,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["CREATE_FORM", "CreatePortForm"]


class CreatePortForm(FormScreen):
    """Name, network, fixed address (optional), port security."""

    FORM_TITLE = "Create port"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"ip address|ip_address|fixed|subnet|allocat", "address"),
        (r"security", "security"),
        (r"network", "network"),
        (r"quota|port|name", "name"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._networks: dict[str, str] = {}  # id -> name: the networks a port may go on
        self._subnets: dict[str, list[dict[str, Any]]] = {}  # network id -> its subnets

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. vip-web"), "name")
        yield field_row("Network", Select([], prompt="(loading…)"), "network")
        yield field_row("Fixed IP", Input(placeholder="e.g. 10.0.0.50 (empty: Neutron picks)"),
                        "address")
        yield field_row("Port security", Select([("on", "on"), ("off (no security groups)",
                                                                "off")],
                                                value="on", allow_blank=False), "security")

    def on_mount(self) -> None:
        """Fetch the networks and their subnets in a worker."""
        super().on_mount()
        self.set_message("Loading networks…")
        self._load_worker()

    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load_worker(self) -> None:
        from tuicloud.cloud.errors import CloudError

        session = self.tui.session
        if session is None:
            return
        try:
            networks, _ = session.get_json("network", "/networks")
            subnets, _ = session.get_json("network", "/subnets", {
                "fields": ["id", "cidr", "network_id", "name"]})
        except CloudError as error:
            self.app.call_from_thread(self.set_message, f"Cannot list networks: {error}",
                                      error=True)
            return
        project, admin = session.project_id, session.is_admin
        usable = [n for n in networks.get("networks", []) if isinstance(n, dict)
                  and (admin or n.get("shared") or n.get("project_id") == project)]
        self.app.call_from_thread(self._loaded, usable, subnets.get("subnets", []))

    def _loaded(self, networks: list[dict[str, Any]], subnets: list[dict[str, Any]]) -> None:
        self._networks = {str(n["id"]): str(n.get("name") or n["id"]) for n in networks}
        for subnet in subnets:
            if isinstance(subnet, dict):
                self._subnets.setdefault(str(subnet.get("network_id")), []).append(subnet)

        def label(ident: str) -> Text:
            cidrs = ", ".join(str(s.get("cidr")) for s in self._subnets.get(ident, []))
            return Text(sanitize_text(f"{self._networks[ident]}  {cidrs or '(no subnet)'}",
                                      max_len=60))

        select = self.rows()["network"].widget
        assert isinstance(select, Select)
        with select.prevent(Select.Changed):
            select.set_options((label(ident), ident) for ident in self._networks)
            select.prompt = "(choose)"
            if len(self._networks) == 1:
                select.value = next(iter(self._networks))
        self.set_message("" if self._networks else "No network this project may use",
                         error=not self._networks)
        self.loading_settled()

    def _spec(self, values: dict[str, Any]) -> tuple[PortSpec | None, dict[str, str]]:
        from tuicloud.cloud.create import validate_name

        problems: dict[str, str] = {}
        name = str(values.get("name") or "")
        why = validate_name(name)
        if why:
            problems["name"] = why
        network = values.get("network")
        if not isinstance(network, str) or network not in self._networks:
            problems["network"] = "choose a network"
            return None, problems
        address = str(values.get("address") or "").strip()
        subnet = ""
        if address:
            found, why = subnet_for(address, self._subnets.get(network, []))
            if why:
                problems["address"] = why
            subnet = found or ""
        if problems:
            return None, problems
        return PortSpec(name=name, network_id=network, network_name=self._networks[network],
                        address=address, subnet_id=subnet,
                        port_security=values.get("security") != "off"), {}

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A tidy name, a network, an address inside one of its subnets."""
        return self._spec(values)[1]

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack port create --network NET [--fixed-ip …] NAME``."""
        spec, _ = self._spec(values)
        return create_port_command(spec) if spec is not None else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        spec, _ = self._spec(values)
        assert spec is not None  # the form submits only what validate() passed
        return spec.name, create_port(connected(self.tui.session), spec)

    def submitted(self, result: Any) -> None:
        """Close and show the new port in the list."""
        name, ident = result
        self.app.notify(f"Created port {sanitize_text(name)}", markup=False)
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = CreatePortForm
