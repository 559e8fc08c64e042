"""Neutron's compact building blocks: ordered id lists, ports and address pools."""

from __future__ import annotations

import ipaddress
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID string drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class OrderedIds:
    """Insertion-ordered ids: O(1) add/discard (tombstones, compacted when half are dead) and
    iteration after a marker in O(items walked)."""

    def __init__(self) -> None:
        self._ids: list[str | None] = []
        self._pos: dict[str, int] = {}
        self._dead = 0

    def add(self, item: str) -> None:
        """Append an id."""
        self._pos[item] = len(self._ids)
        self._ids.append(item)

    def discard(self, item: str) -> None:
        """Remove an id if present."""
        index = self._pos.pop(item, None)
        if index is None:
            return
        self._ids[index] = None
        self._dead += 1
        if self._dead > 64 and self._dead * 2 > len(self._ids):
            self._ids = [i for i in self._ids if i is not None]
            self._pos = {i: n for n, i in enumerate(self._ids)}  # type: ignore[misc]
            self._dead = 0

    def __contains__(self, item: object) -> bool:
        return item in self._pos

    def __len__(self) -> int:
        return len(self._pos)

    def after(self, marker: str | None) -> Iterator[str]:
        """The ids after ``marker`` (all when None) in insertion order."""
        start = 0 if marker is None else self._pos[marker] + 1
        ids = self._ids
        for index in range(start, len(ids)):
            item = ids[index]
            if item is not None:
                yield item


@dataclass(slots=True)
class Port:
    """A port, kept compact (50,000 of them); :meth:`doc` builds Neutron's document."""

    id: str
    network_id: str
    project_id: str
    mac_address: str
    fixed_ips: list[tuple[str, str]]  # (subnet id, address)
    device_id: str
    device_owner: str
    created_at: str
    name: str = ""
    status: str = "DOWN"
    security_groups: list[str] = field(default_factory=list)
    admin_state_up: bool = True
    description: str = ""
    revision_number: int = 1
    updated_at: str = ""
    host: str = ""
    port_security_enabled: bool = True
    tags: list[str] = field(default_factory=list)
    user_created: bool = True  # made through the API (nova unbinds these instead of deleting)

    def doc(self, admin: bool = True) -> dict[str, Any]:
        """Neutron's port document (binding details only for admins)."""
        doc: dict[str, Any] = {
            "id": self.id, "name": self.name, "network_id": self.network_id,
            "project_id": self.project_id, "tenant_id": self.project_id,
            "mac_address": self.mac_address, "admin_state_up": self.admin_state_up,
            "status": self.status, "device_id": self.device_id,
            "device_owner": self.device_owner,
            "fixed_ips": [{"subnet_id": s, "ip_address": a} for s, a in self.fixed_ips],
            "allowed_address_pairs": [], "extra_dhcp_opts": [],
            "security_groups": list(self.security_groups), "description": self.description,
            "binding:vnic_type": "normal", "port_security_enabled": self.port_security_enabled,
            "qos_policy_id": None, "qos_network_policy_id": None, "tags": list(self.tags),
            "created_at": self.created_at, "updated_at": self.updated_at or self.created_at,
            "revision_number": self.revision_number, "ip_allocation": "immediate",
            "propagate_uplink_status": False, "dns_name": "", "dns_assignment": [],
        }
        if admin:
            bound = bool(self.host)
            doc.update({"binding:host_id": self.host, "binding:profile": {},
                        "binding:vif_type": "ovs" if bound else "unbound",
                        "binding:vif_details": ({"port_filter": True, "connectivity": "l2",
                                                 "bridge_name": "br-int"} if bound else {})})
        return doc

    def attr(self, key: str) -> Any:
        """A filterable attribute without building the whole document (fast path)."""
        if key == "tenant_id":
            key = "project_id"
        if key == "updated_at":
            return self.updated_at or self.created_at
        if key == "created_at":
            return self.created_at
        if key in ("id", "name", "network_id", "project_id", "mac_address", "device_id",
                   "device_owner", "status", "admin_state_up", "description", "fixed_ips"):
            return getattr(self, key)
        return self.doc().get(key, MISSING)


MISSING = object()  # filter key the document does not have


class Pool:
    """Address allocation for one IPv4 subnet: a counter plus a free list, no scans."""

    def __init__(self, cidr: str, start: int, end: int) -> None:
        self.net = ipaddress.ip_network(cidr)
        self.next = start
        self.start = start
        self.end = end
        self.used: dict[int, str] = {}  # address -> port id (or "gateway")
        self.free: list[int] = []

    def allocate(self, owner: str) -> str | None:
        """The next free address (counter first, then released ones), or None when full."""
        while self.next <= self.end:
            address = self.next
            self.next += 1
            if address not in self.used:
                self.used[address] = owner
                return str(ipaddress.IPv4Address(address))
        while self.free:
            address = self.free.pop()
            if address not in self.used:
                self.used[address] = owner
                return str(ipaddress.IPv4Address(address))
        return None

    def take(self, text: str, owner: str) -> int:
        """Reserve a given address; raises ValueError if outside, KeyError if taken."""
        address = int(ipaddress.ip_address(text))
        if ipaddress.ip_address(text) not in self.net or address in (
                int(self.net.network_address), int(self.net.broadcast_address)):
            raise ValueError(text)
        if address in self.used:
            raise KeyError(self.used[address])
        self.used[address] = owner
        return address

    def release(self, text: str) -> None:
        """Give an address back."""
        address = int(ipaddress.ip_address(text))
        if self.used.pop(address, None) is not None and address < self.next:
            self.free.append(address)
