"""Router actions (Neutron): create (a form), set or clear the external gateway, add or remove
a subnet interface, delete (refused, with the subnets named, while interfaces remain).

Creating is a form (``screens/forms/create_router.py``); this module builds what it sends and
the ``openstack`` command it shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError
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

__all__ = ["OPERATIONS", "create_router", "create_router_command", "router_ports",
           "subnet_names"]

INTERFACE_OWNERS = ("network:router_interface", "network:router_interface_distributed",
                    "network:ha_router_replicated_interface")


def router_ports(session: CloudSession, router_id: str) -> list[dict[str, Any]]:
    """The router's ports: its interfaces and its gateway port."""
    body, _ = session.get_json("network", "/ports", {"device_id": router_id})
    return [p for p in body.get("ports", []) if isinstance(p, dict)]


def _interface_subnets(session: CloudSession, router_id: str) -> list[str]:
    return [str(ip.get("subnet_id")) for port in router_ports(session, router_id)
            if port.get("device_owner") in INTERFACE_OWNERS
            for ip in port.get("fixed_ips") or [] if isinstance(ip, dict)]


def subnet_names(session: CloudSession) -> dict[str, str]:
    """Every visible subnet's name (its CIDR when it has none), by id."""
    body, _ = session.get_json("network", "/subnets")
    return {str(s.get("id")): str(s.get("name") or s.get("cidr") or s.get("id"))
            for s in body.get("subnets", []) if isinstance(s, dict)}


def create_router_command(name: str, network: str | None) -> list[str]:
    """``openstack router create [--external-gateway NET] NAME``."""
    extra = ["--external-gateway", network] if network else []
    return ["openstack", "router", "create", *extra, name]


def create_router(session: CloudSession, name: str, network: str | None) -> str | None:
    """Create it (blocking; ReadOnlyError before sending): its id."""
    router: dict[str, Any] = {"name": name}
    if network:
        router["external_gateway_info"] = {"network_id": network}
    body, _ = session.request("POST", "network", "/routers", json={"router": router},
                              description=f"create router {name}")
    made = body.get("router") if isinstance(body, dict) else None
    return str(made["id"]) if isinstance(made, dict) and made.get("id") else None


# -- the gateway -----------------------------------------------------------------------------
def _external_choices(session: CloudSession, raw: Raw) -> list[Choice]:
    from tuicloud.cloud.kinds.routers import gateway_network
    from tuicloud.cloud.operations.floating_ips import external_networks

    current = gateway_network(raw)
    return [Choice(str(n["id"]), str(n.get("name") or n["id"]),
                   "the gateway now" if str(n["id"]) == current else None)
            for n in external_networks(session)]


def _set_gateway(session: CloudSession, raw: Raw, value: str | None) -> None:
    network = require(value, "an external network")
    session.request("PUT", "network", f"/routers/{rid(raw)}",
                    json={"router": {"external_gateway_info": {"network_id": network}}},
                    description=f"set the gateway of router {name_of(raw)}")


def _has_gateway(raw: Raw) -> str | None:
    from tuicloud.cloud.kinds.routers import gateway_network

    return None if gateway_network(raw) else "no external gateway"


def _clear_gateway(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("PUT", "network", f"/routers/{rid(raw)}",
                    json={"router": {"external_gateway_info": {}}},
                    description=f"clear the gateway of router {name_of(raw)}")


# -- interfaces ------------------------------------------------------------------------------
def _subnets_to_add(session: CloudSession, raw: Raw) -> list[Choice]:
    """The project's subnets; those the router is on already, greyed."""
    params = {"project_id": session.project_id} if session.project_id else {}
    body, _ = session.get_json("network", "/subnets", params)
    on = set(_interface_subnets(session, rid(raw)))
    choices = [Choice(str(s["id"]), f"{s.get('name') or s['id'][:8]}  {s.get('cidr')}",
                      "on this router already" if str(s["id"]) in on else None)
               for s in body.get("subnets", []) if isinstance(s, dict) and s.get("id")]
    choices.sort(key=lambda c: (c.disabled is not None, c.label))
    return choices


def _subnets_on(session: CloudSession, raw: Raw) -> list[Choice]:
    names = subnet_names(session)
    return [Choice(subnet, names.get(subnet, subnet))
            for subnet in dict.fromkeys(_interface_subnets(session, rid(raw)))]


def _add_interface(session: CloudSession, raw: Raw, value: str | None) -> None:
    subnet = require(value, "a subnet")
    session.request("PUT", "network", f"/routers/{rid(raw)}/add_router_interface",
                    json={"subnet_id": subnet},
                    description=f"add subnet {subnet} to router {name_of(raw)}")


def _remove_interface(session: CloudSession, raw: Raw, value: str | None) -> None:
    subnet = require(value, "a subnet")
    session.request("PUT", "network", f"/routers/{rid(raw)}/remove_router_interface",
                    json={"subnet_id": subnet},
                    description=f"remove subnet {subnet} from router {name_of(raw)}")


# -- delete ----------------------------------------------------------------------------------
def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.refuse_if_read_only(f"delete router {name_of(raw)}")
    on = _interface_subnets(session, rid(raw))
    if on:
        names = subnet_names(session)
        listed = ", ".join(names.get(s, s) for s in dict.fromkeys(on))
        raise CloudError(f"router {name_of(raw)} still has {len(on)} interface"
                         f"{'s' if len(on) > 1 else ''} (subnet {listed}): remove "
                         f"{'them' if len(on) > 1 else 'it'} first", status=409,
                         service="network")
    session.request("DELETE", "network", f"/routers/{rid(raw)}",
                    description=f"delete router {name_of(raw)}")



OPERATIONS = KindOperations("routers", "router", (
    Operation(
        "router.set_gateway", "routers", "Set external gateway…", always_available, _set_gateway,
        lambda raw, v: ["openstack", "router", "set", "--external-gateway", str(v), rid(raw)],
        needs=Needs("External network", "<network>", choices=_external_choices),
        keywords=("gateway", "external", "public"), single=True),
    Operation(
        "router.clear_gateway", "routers", "Clear external gateway", _has_gateway,
        _clear_gateway,
        lambda raw, _v: ["openstack", "router", "unset", "--external-gateway", rid(raw)],
        destructive=True, keywords=("gateway", "unset")),
    Operation(
        "router.add_subnet", "routers", "Add subnet interface…", always_available, _add_interface,
        lambda raw, v: ["openstack", "router", "add", "subnet", rid(raw), str(v)],
        needs=Needs("Subnet", "<subnet>", choices=_subnets_to_add),
        keywords=("interface", "attach"), single=True),
    Operation(
        "router.remove_subnet", "routers", "Remove subnet interface…", always_available,
        _remove_interface,
        lambda raw, v: ["openstack", "router", "remove", "subnet", rid(raw), str(v)],
        needs=Needs("Subnet", "<subnet>", choices=_subnets_on),
        destructive=True, keywords=("interface", "detach"), single=True),
    Operation(
        "router.delete", "routers", "Delete", always_available, _delete,
        lambda raw, _v: ["openstack", "router", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("remove",)),
))
