"""`c` on the networks view: a network and its first subnet in one form (CIDR, gateway or
none, DHCP, DNS servers, allocation pools; IPv4 or IPv6 from the CIDR). An empty CIDR makes
the network alone."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Input, Select

from tuicloud.cloud.operations.networks import (
    SubnetSpec,
    create_network,
    network_commands,
    parse_pools,
    validate_subnet,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["CREATE_FORM", "CreateNetworkForm"]


class CreateNetworkForm(FormScreen):
    """Name, then the first subnet's fields (all optional but the CIDR)."""

    FORM_TITLE = "Create network"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"gateway", "gateway"),
        (r"allocation|pool", "pools"),
        (r"dns|nameserver", "dns"),
        (r"cidr|subnet|overlap|prefix", "cidr"),
        (r"quota|network|name", "name"),
    ]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. app-net"), "name")
        yield field_row("Subnet CIDR", Input(placeholder="e.g. 10.0.1.0/24 or 2001:db8:1::/64"),
                        "cidr", hint="empty: the network alone")
        yield field_row("Gateway", Input(placeholder="(the first address) or none"), "gateway")
        yield field_row("DHCP", Select([("on", "on"), ("off", "off")], value="on",
                                       allow_blank=False), "dhcp")
        yield field_row("DNS servers", Input(placeholder="e.g. 9.9.9.9, 1.1.1.1"), "dns")
        yield field_row("Allocation pools",
                        Input(placeholder="e.g. 10.0.1.10-10.0.1.200 (all but the gateway)"),
                        "pools")

    def on_mount(self) -> None:
        """Nothing to load."""
        super().on_mount()
        self.loading_settled()

    def _spec(self, values: dict[str, Any]) -> tuple[SubnetSpec | None, dict[str, str]]:
        cidr = str(values.get("cidr") or "").strip()
        if not cidr:
            return None, {}
        pools, why = parse_pools(str(values.get("pools") or ""))
        spec = SubnetSpec(
            cidr=cidr, gateway=str(values.get("gateway") or "").strip(),
            dhcp=values.get("dhcp") != "off",
            dns=tuple(d.strip() for d in str(values.get("dns") or "").split(",") if d.strip()),
            pools=tuple(pools))
        problems = validate_subnet(spec)
        if why:
            problems["pools"] = why
        return spec, problems

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A tidy name; a subnet Neutron would take, as far as can be told here."""
        from tuicloud.cloud.create import validate_name

        problems = dict(self._spec(values)[1])
        problem = validate_name(str(values.get("name") or ""))
        if problem:
            problems["name"] = problem
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack network create NAME`` (the subnet's command follows in the text)."""
        name = str(values.get("name") or "")
        if not name or self._spec(values)[1]:
            return None
        return network_commands(name, None)[0]

    def command_text(self, values: dict[str, Any]) -> str | None:
        """Both commands, joined with ``&&`` as a shell would run them."""
        name = str(values.get("name") or "")
        spec, problems = self._spec(values)
        if not name or problems:
            return None
        return " && ".join(shlex.join(c) for c in network_commands(name, spec))

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create the network, then its subnet (the network goes again if that fails)."""
        name = str(values["name"])
        spec, _ = self._spec(values)
        return name, create_network(connected(self.tui.session), name, spec)

    def submitted(self, result: Any) -> None:
        """Close and show the new network in the list."""
        name, ident = result
        self.app.notify(f"Created network {sanitize_text(name)}", markup=False)
        self.dismiss(Created((ident,)))


CREATE_FORM = CreateNetworkForm
