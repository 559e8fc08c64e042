"""Floating IP actions (Neutron): allocate from an external network, associate with a server's
port (and fixed IP), disassociate, release.

Allocating is a form (``screens/forms/allocate_floating_ip.py``); this module builds what it
sends and the ``openstack`` command it shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuicloud.cloud.operations.base import (
    Choice,
    KindOperations,
    Needs,
    Operation,
    Raw,
    always_available,
    name_of,
    require,
    rid,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "allocate_command", "allocate_floating_ip", "external_networks",
           "port_choices"]


def external_networks(session: CloudSession) -> list[dict[str, Any]]:
    """The networks floating IPs come from (``router:external``), by name."""
    body, _ = session.get_json("network", "/networks", {"router:external": "true"})
    found = [n for n in body.get("networks", []) if isinstance(n, dict) and n.get("id")]
    return sorted(found, key=lambda n: (str(n.get("name") or ""), str(n["id"])))


def allocate_command(network: str, description: str) -> list[str]:
    """``openstack floating ip create [--description D] NETWORK``."""
    extra = ["--description", description] if description else []
    return ["openstack", "floating", "ip", "create", *extra, network]


def allocate_floating_ip(session: CloudSession, network_id: str,
                         description: str = "") -> tuple[str, str]:
    """Allocate one address (blocking; ReadOnlyError before sending): (id, address)."""
    floating: dict[str, Any] = {"floating_network_id": network_id}
    if description:
        floating["description"] = description
    body, _ = session.request("POST", "network", "/floatingips", json={"floatingip": floating},
                              description="allocate a floating IP")
    made = body.get("floatingip") if isinstance(body, dict) else None
    if not isinstance(made, dict):
        return "", ""
    return str(made.get("id") or ""), str(made.get("floating_ip_address") or "")


def _server_names(session: CloudSession) -> dict[str, str]:
    body, _ = session.get_json("compute", "/servers", {"limit": "1000"})
    return {str(s.get("id")): str(s.get("name") or s.get("id"))
            for s in body.get("servers", []) if isinstance(s, dict)}


def port_choices(session: CloudSession, raw: Raw) -> list[Choice]:
    """Every fixed IP of the project's server ports: "web-1  10.0.0.5  (port 1a2b3c4d)"; the
    one it is bound to now, and fixed IPs with another address from the same network, are
    greyed with the reason."""
    params = {"project_id": session.project_id} if session.project_id else {}
    ports, _ = session.get_json("network", "/ports", params)
    taken, _ = session.get_json("network", "/floatingips", params)
    bound = {(str(f.get("port_id")), str(f.get("fixed_ip_address"))): str(
        f.get("floating_ip_address")) for f in taken.get("floatingips", [])
        if isinstance(f, dict) and f.get("port_id")
        and f.get("floating_network_id") == raw.get("floating_network_id")}
    names = _server_names(session)
    choices = []
    for port in ports.get("ports", []):
        if not isinstance(port, dict) or not str(port.get("device_owner") or "").startswith(
                "compute:"):
            continue
        server = names.get(str(port.get("device_id")), str(port.get("device_id")))
        for fixed in port.get("fixed_ips") or []:
            address = str(fixed.get("ip_address") or "") if isinstance(fixed, dict) else ""
            if not address:
                continue
            other = bound.get((str(port["id"]), address))
            why = None
            if other == raw.get("floating_ip_address"):
                why = "bound to it now"
            elif other:
                why = f"has {other} already"
            choices.append(Choice(f"{port['id']} {address}",
                                  f"{server}  {address}  (port {str(port['id'])[:8]})", why))
    choices.sort(key=lambda c: (c.disabled is not None, c.label))
    return choices


def _split(value: str | None) -> tuple[str, str]:
    port, _, address = require(value, "a port").partition(" ")
    return port, address


def _associate(session: CloudSession, raw: Raw, value: str | None) -> None:
    port, address = _split(value)
    body: dict[str, Any] = {"port_id": port}
    if address:
        body["fixed_ip_address"] = address
    session.request("PUT", "network", f"/floatingips/{rid(raw)}", json={"floatingip": body},
                    description=f"associate {name_of(raw)} with port {port}")


def _associate_cli(raw: Raw, value: str | None) -> list[str]:
    port, address = _split(value) if value else ("<port>", "")
    extra = ["--fixed-ip-address", address] if address else []
    return ["openstack", "floating", "ip", "set", "--port", port, *extra, rid(raw)]


def _not_bound(raw: Raw) -> str | None:
    return None if raw.get("port_id") else "not associated"


def _disassociate(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("PUT", "network", f"/floatingips/{rid(raw)}",
                    json={"floatingip": {"port_id": None}},
                    description=f"disassociate {name_of(raw)}")


def _release(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "network", f"/floatingips/{rid(raw)}",
                    description=f"release floating IP {name_of(raw)}")



OPERATIONS = KindOperations("floating-ips", "floating IP", (
    Operation(
        "floating_ip.associate", "floating-ips", "Associate with a server…", always_available,
        _associate, _associate_cli,
        needs=Needs("Server port and fixed IP", "<port>", choices=port_choices),
        keywords=("attach", "bind", "server", "port"), single=True),
    Operation(
        "floating_ip.disassociate", "floating-ips", "Disassociate", _not_bound, _disassociate,
        lambda raw, _v: ["openstack", "floating", "ip", "unset", "--port", rid(raw)],
        destructive=True, keywords=("detach", "unbind")),
    Operation(
        "floating_ip.release", "floating-ips", "Release", always_available, _release,
        lambda raw, _v: ["openstack", "floating", "ip", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("delete", "remove")),
))
