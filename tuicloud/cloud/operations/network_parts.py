"""Subnet and port actions (Neutron): delete, after confirmation. Neutron refuses a subnet
whose addresses are in use (409, its words shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.operations.base import (
    KindOperations,
    Operation,
    Raw,
    always_available,
    name_of,
    rid,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["PORT_OPERATIONS", "SUBNET_OPERATIONS"]



def _delete_subnet(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "network", f"/subnets/{rid(raw)}",
                    description=f"delete subnet {name_of(raw)}")


def _port_deletable(raw: Raw) -> str | None:
    owner = str(raw.get("device_owner") or "")
    if owner.startswith("network:"):
        return f"Neutron owns it ({owner.removeprefix('network:')}): remove it from its router " \
               "or network instead"
    return None


def _delete_port(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "network", f"/ports/{rid(raw)}",
                    description=f"delete port {name_of(raw)}")


SUBNET_OPERATIONS = KindOperations("subnets", "subnet", (
    Operation(
        "subnet.delete", "subnets", "Delete", always_available, _delete_subnet,
        lambda raw, _v: ["openstack", "subnet", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("remove",)),
))

PORT_OPERATIONS = KindOperations("ports", "port", (
    Operation(
        "port.delete", "ports", "Delete", _port_deletable, _delete_port,
        lambda raw, _v: ["openstack", "port", "delete", rid(raw)],
        destructive=True, deletes=True, keywords=("remove", "detach")),
))
