"""Neutron v2.0 at ``/networking``: networks, subnets, ports, security groups and rules,
floating IPs, routers, quotas, extensions. HTTP handlers live in :mod:`neutron_api`.

Ports are built for scale: nova seeds up to 50,000 servers through :meth:`Service.allocate_port`,
so allocation is O(1) (an address counter per subnet, dict + index updates, no scans) and port
listings page in O(page) from insertion-ordered id lists (one global, one per project).
"""

from __future__ import annotations

import ipaddress
import random
import time
from collections import Counter
from typing import Any

from tuicloud.simcloud.core import ApiError, Router, SimCloud, isotime
from tuicloud.simcloud.neutron_model import OrderedIds, Pool, Port, new_uuid

NAME = "network"

DEFAULT_QUOTAS = {"network": 100, "subnet": 100, "port": 500, "router": 10, "floatingip": 50,
                  "security_group": 10, "security_group_rule": 100, "rbac_policy": 10,
                  "subnetpool": -1}


class Service:
    """Neutron's records. Networks, subnets, security groups, rules, floating IPs and routers are
    plain dicts in Neutron's own field names; ports are :class:`Port` objects."""

    def __init__(self, cloud: SimCloud) -> None:
        self.cloud = cloud
        self.rng = random.Random(cloud.config.seed * 7919 + 17)
        self.networks: dict[str, dict[str, Any]] = {}
        self.subnets: dict[str, dict[str, Any]] = {}
        self.pools: dict[str, Pool] = {}
        self.ports: dict[str, Port] = {}
        self.port_order = OrderedIds()
        self.ports_by_project: dict[str, OrderedIds] = {}
        self.ports_by_device: dict[str, list[str]] = {}
        self.ports_by_network: dict[str, set[str]] = {}
        self.security_groups: dict[str, dict[str, Any]] = {}
        self.sg_rules: dict[str, dict[str, Any]] = {}
        self.sg_usage: Counter[str] = Counter()
        self.floating_ips: dict[str, dict[str, Any]] = {}
        self.fips_by_port: dict[str, list[str]] = {}
        self.routers: dict[str, dict[str, Any]] = {}
        self.router_subnets: dict[str, set[str]] = {}
        self.quotas: dict[str, dict[str, int]] = {}  # explicit per-project overrides
        self._port_defaults: dict[str, int] = {}
        self._mac = 0
        self._stamp_second = -1
        self._stamp = ""

    def register(self, router: Router) -> None:
        """Neutron's routes (handlers in :mod:`neutron_api`)."""
        from tuicloud.simcloud import neutron_api

        neutron_api.register(router, NAME)

    # -- helpers --------------------------------------------------------------------------------
    def new_id(self) -> str:
        """A resource id (deterministic sequence from the seed)."""
        return new_uuid(self.rng)

    def stamp(self) -> str:
        """The current time in Neutron's format, cached per second (ports are made in bulk)."""
        second = int(time.time())
        if second != self._stamp_second:
            self._stamp_second = second
            self._stamp = isotime(second)
        return self._stamp

    def _new_mac(self) -> str:
        self._mac = (self._mac + 1) & 0xFFFFFF
        n = self._mac
        return f"fa:16:3e:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}"

    def network_visible(self, network: dict[str, Any], project_id: str | None,
                        admin: bool) -> bool:
        """Own, shared or external networks (all for admins)."""
        return (admin or network["project_id"] == project_id or network["shared"]
                or network["router:external"])

    # -- seeding --------------------------------------------------------------------------------
    def seed(self) -> None:
        """Public (external) and shared private networks with routers, per-project networks,
        default security groups and a few floating IPs."""
        cloud = self.cloud
        self.rng = random.Random(cloud.rng.getrandbits(64))
        self._mac = self.rng.randrange(0x100000, 0xE00000)
        ids = {p.name: p.id for p in cloud.projects.values()}
        admin = ids["admin"]
        for project_id in cloud.projects:
            self.create_security_group(project_id, "default", "Default security group")
        public = self.create_network(admin, "public", external=True,
                                     description="Provider network for floating IPs")
        self.create_subnet(public["id"], admin, "public-subnet", "172.24.4.0/22",
                           enable_dhcp=False)
        private = self.create_network(admin, "private", shared=True,
                                      description="Shared tenant network")
        private_subnet = self.create_subnet(private["id"], admin, "private-subnet",
                                            "10.0.0.0/16")
        hub = self.create_router(admin, "router-private", public["id"])
        self.add_router_interface(hub["id"], private_subnet["id"])
        for index, name in enumerate(("demo", "ops", "research")):
            pid = ids.get(name)
            if pid is None:
                continue
            net = self.create_network(pid, f"{name}-net")
            subnet = self.create_subnet(net["id"], pid, f"{name}-subnet",
                                        f"192.168.{10 + index}.0/24")
            router = self.create_router(pid, f"{name}-router", public["id"])
            self.add_router_interface(router["id"], subnet["id"])
            for _ in range(3 - index):
                self.create_floating_ip(pid, public["id"])
        if "demo" in ids:
            isolated = self.create_network(ids["demo"], "demo-isolated",
                                           description="No router: no floating IPs here")
            self.create_subnet(isolated["id"], ids["demo"], "demo-isolated-subnet",
                               "192.168.100.0/24")
            web = self.create_security_group(ids["demo"], "web", "HTTP(S) and SSH from anywhere")
            for port in (22, 80, 443):
                self.create_rule(web["id"], "ingress", "IPv4", protocol="tcp", port_min=port,
                                 port_max=port, remote_ip_prefix="0.0.0.0/0")
        if "ops" in ids:
            ssh = self.create_security_group(ids["ops"], "ssh-only", "SSH from the office")
            self.create_rule(ssh["id"], "ingress", "IPv4", protocol="tcp", port_min=22,
                             port_max=22, remote_ip_prefix="203.0.113.0/24")

    def seed_after_compute(self) -> None:
        """Associate some seeded floating IPs with seeded servers' ports (called from cinder's
        seed, which runs after nova's, so servers exist)."""
        for fip in list(self.floating_ips.values()):
            if fip["port_id"] is not None or self.rng.random() < 0.34:
                continue
            order = self.ports_by_project.get(fip["project_id"])
            for port_id in order.after(None) if order else ():
                port = self.ports[port_id]
                if (port.device_owner.startswith("compute:") and port_id not in self.fips_by_port
                        and self.router_for(port, fip["floating_network_id"])):
                    self.associate_floating_ip(fip, port)
                    break

    # -- creation primitives (used by seeding and the API) --------------------------------------
    def create_network(self, project_id: str, name: str, *, shared: bool = False,
                       external: bool = False, description: str = "",
                       admin_state_up: bool = True, mtu: int = 1450,
                       port_security: bool = True) -> dict[str, Any]:
        """A network record."""
        now = self.stamp()
        network: dict[str, Any] = {
            "id": self.new_id(), "name": name, "project_id": project_id,
            "tenant_id": project_id, "admin_state_up": admin_state_up, "status": "ACTIVE",
            "shared": shared, "router:external": external, "subnets": [],
            "availability_zone_hints": [], "availability_zones": ["nova"],
            "ipv4_address_scope": None, "ipv6_address_scope": None, "l2_adjacency": True,
            "mtu": 1500 if external else mtu, "port_security_enabled": port_security,
            "qos_policy_id": None, "description": description, "tags": [],
            "created_at": now, "updated_at": now, "revision_number": 1,
            "is_default": external, "vlan_transparent": None,
            # ML2 as on the rig: external networks flat on physnet "public", the rest VXLAN.
            "provider:network_type": "flat" if external else "vxlan",
            "provider:physical_network": "public" if external else None,
            "provider:segmentation_id": None if external else 1000 + len(self.networks),
        }
        self.networks[network["id"]] = network
        self.ports_by_network[network["id"]] = set()
        return network

    def create_subnet(self, network_id: str, project_id: str, name: str, cidr: str, *,
                      gateway_ip: str | None = "", enable_dhcp: bool = True,
                      dns_nameservers: list[str] | None = None,
                      description: str = "",
                      allocation_pool: tuple[str, str] | None = None) -> dict[str, Any]:
        """A subnet with its address pool (gateway the bottom address; the pool the rest, or the
        requested range; a DHCP port takes the pool's first address)."""
        net = ipaddress.ip_network(cidr, strict=False)
        if net.version != 4 or net.prefixlen > 30:
            raise ApiError(400, f"Invalid input for operation: simcloud supports IPv4 subnets "
                                f"from /8 to /30, not {cidr}.", kind="InvalidInput")
        first = int(net.network_address) + 1
        last = int(net.broadcast_address) - 1
        gateway: str | None = (str(ipaddress.IPv4Address(first)) if gateway_ip == ""
                               else gateway_ip)
        start, end = first + 1, last
        if allocation_pool is not None:
            start, end = (int(ipaddress.IPv4Address(a)) for a in allocation_pool)
            if not first <= start <= end <= last:
                raise ApiError(400, f"The allocation pool {allocation_pool[0]}-"
                                    f"{allocation_pool[1]} spans beyond the subnet cidr {net}.",
                               kind="OutOfBoundsAllocationPool")
        pool = Pool(str(net), start, end)
        if gateway:
            try:
                pool.take(gateway, "gateway")
            except (ValueError, KeyError) as exc:
                raise ApiError(400, f"Invalid input for operation: Gateway IP {gateway} "
                                    f"is not in subnet {net}.", kind="InvalidInput") from exc
        now = self.stamp()
        subnet: dict[str, Any] = {
            "id": self.new_id(), "name": name, "network_id": network_id,
            "project_id": project_id, "tenant_id": project_id, "cidr": str(net),
            "ip_version": 4, "gateway_ip": gateway, "enable_dhcp": enable_dhcp,
            "allocation_pools": [{"start": str(ipaddress.IPv4Address(start)),
                                  "end": str(ipaddress.IPv4Address(end))}],
            "dns_nameservers": list(dns_nameservers or []), "host_routes": [],
            "ipv6_address_mode": None, "ipv6_ra_mode": None, "subnetpool_id": None,
            "segment_id": None, "service_types": [], "dns_publish_fixed_ip": False,
            "description": description, "tags": [], "created_at": now, "updated_at": now,
            "revision_number": 0,
        }
        self.subnets[subnet["id"]] = subnet
        self.pools[subnet["id"]] = pool
        network = self.networks[network_id]
        network["subnets"].append(subnet["id"])
        subnet["router:external"] = network["router:external"]
        if enable_dhcp:
            self.new_port(network["project_id"], network_id, f"dhcp{subnet['id'][:8]}",
                          device_owner="network:dhcp", fixed=[(subnet["id"], None)],
                          security=False, status="ACTIVE", host="network-1")
        return subnet

    def create_router(self, project_id: str, name: str,
                      gateway_network_id: str | None) -> dict[str, Any]:
        """A router, with a gateway port on the external network when given."""
        now = self.stamp()
        router: dict[str, Any] = {
            "id": self.new_id(), "name": name, "project_id": project_id,
            "tenant_id": project_id, "status": "ACTIVE", "admin_state_up": True,
            "external_gateway_info": None, "routes": [], "description": "",
            "availability_zone_hints": [], "availability_zones": ["nova"], "ha": False,
            "distributed": False, "flavor_id": None, "tags": [], "created_at": now,
            "updated_at": now, "revision_number": 1,
        }
        self.routers[router["id"]] = router
        self.router_subnets[router["id"]] = set()
        if gateway_network_id:
            self.set_router_gateway(router, gateway_network_id)
        return router

    def set_router_gateway(self, router: dict[str, Any], network_id: str | None) -> None:
        """Replace the router's gateway port: one address from the external network's first
        subnet, none when it has no subnet (as Neutron does); no gateway when ``network_id`` is
        None."""
        for port_id in list(self.ports_by_device.get(router["id"], ())):
            port = self.ports[port_id]
            if port.device_owner == "network:router_gateway":
                self.delete_port(port)
        router["external_gateway_info"] = None
        if network_id is None:
            return
        gateway_net = self.networks[network_id]
        fixed: list[tuple[str | None, str | None]] = (
            [(gateway_net["subnets"][0], None)] if gateway_net["subnets"] else [])
        port = self.new_port("", network_id, router["id"], device_owner="network:router_gateway",
                             fixed=fixed, security=False, status="ACTIVE", host="network-1")
        router["external_gateway_info"] = {
            "network_id": network_id, "enable_snat": True,
            "external_fixed_ips": [{"subnet_id": s, "ip_address": a} for s, a in port.fixed_ips]}

    def add_router_interface(self, router_id: str, subnet_id: str) -> Port:
        """Plug a subnet into a router on the subnet's gateway address."""
        router = self.routers[router_id]
        subnet = self.subnets[subnet_id]
        pool = self.pools[subnet_id]
        gateway = subnet["gateway_ip"]
        port = self.new_port(router["project_id"], subnet["network_id"], router_id,
                             device_owner="network:router_interface", fixed=[], security=False,
                             status="ACTIVE", host="network-1")
        if gateway and pool.used.get(int(ipaddress.ip_address(gateway))) == "gateway":
            pool.used[int(ipaddress.ip_address(gateway))] = port.id
            port.fixed_ips = [(subnet_id, gateway)]
        self.router_subnets[router_id].add(subnet_id)
        return port

    def create_security_group(self, project_id: str, name: str,
                              description: str = "") -> dict[str, Any]:
        """A security group with Neutron's default rules (egress all; "default" groups also
        allow ingress from members of the group)."""
        now = self.stamp()
        group: dict[str, Any] = {"id": self.new_id(), "name": name, "description": description,
                 "project_id": project_id, "tenant_id": project_id, "stateful": True,
                 "shared": False, "tags": [], "created_at": now, "updated_at": now,
                 "revision_number": 1, "rule_ids": []}
        self.security_groups[group["id"]] = group
        for ethertype in ("IPv4", "IPv6"):
            self.create_rule(group["id"], "egress", ethertype)
            if name == "default":
                self.create_rule(group["id"], "ingress", ethertype, remote_group_id=group["id"])
        return group

    def create_rule(self, group_id: str, direction: str, ethertype: str, *,
                    protocol: str | None = None, port_min: int | None = None,
                    port_max: int | None = None, remote_ip_prefix: str | None = None,
                    remote_group_id: str | None = None, description: str = "") -> dict[str, Any]:
        """A security group rule."""
        group = self.security_groups[group_id]
        now = self.stamp()
        rule: dict[str, Any] = {
                "id": self.new_id(), "security_group_id": group_id, "direction": direction,
                "ethertype": ethertype, "protocol": protocol, "port_range_min": port_min,
                "port_range_max": port_max, "remote_ip_prefix": remote_ip_prefix,
                "remote_group_id": remote_group_id, "remote_address_group_id": None,
                "normalized_cidr": remote_ip_prefix, "description": description,
                "project_id": group["project_id"], "tenant_id": group["project_id"],
                "tags": [], "created_at": now, "updated_at": now, "revision_number": 0,
                "belongs_to_default_sg": group["name"] == "default"}
        self.sg_rules[rule["id"]] = rule
        group["rule_ids"].append(rule["id"])
        return rule

    def create_floating_ip(self, project_id: str, network_id: str, *,
                           address: str | None = None, description: str = "") -> dict[str, Any]:
        """A floating IP from the external network's first subnet with free addresses."""
        network = self.networks[network_id]
        fip_id = self.new_id()
        chosen: tuple[str, str] | None = None
        for subnet_id in network["subnets"]:
            pool = self.pools[subnet_id]
            if address is not None:
                try:
                    pool.take(address, fip_id)
                except ValueError:
                    continue
                except KeyError as exc:
                    raise ApiError(409, f"IP address {address} already allocated in subnet "
                                        f"{subnet_id}", kind="IpAddressAlreadyAllocated") from exc
                chosen = (subnet_id, address)
                break
            allocated = pool.allocate(fip_id)
            if allocated:
                chosen = (subnet_id, allocated)
                break
        if chosen is None:
            if address is not None:
                raise ApiError(400, f"Invalid input for operation: IP address {address} is not "
                                    f"a valid IP for the specified subnet.",
                               kind="InvalidIpForSubnet")
            raise ApiError(409, f"No more IP addresses available on network {network_id}.",
                           kind="IpAddressGenerationFailure")
        now = self.stamp()
        fip: dict[str, Any] = {
               "id": fip_id, "floating_ip_address": chosen[1], "floating_network_id": network_id,
               "subnet_id": chosen[0], "router_id": None, "port_id": None,
               "fixed_ip_address": None, "status": "DOWN", "project_id": project_id,
               "tenant_id": project_id, "description": description, "dns_domain": "",
               "dns_name": "", "port_forwardings": [], "qos_policy_id": None,
               "qos_network_policy_id": None, "tags": [], "created_at": now, "updated_at": now,
               "revision_number": 0}
        self.floating_ips[fip_id] = fip
        return fip

    def router_for(self, port: Port, network_id: str) -> str | None:
        """The router connecting one of the port's subnets to that external network."""
        subnets = {s for s, _ in port.fixed_ips}
        for router_id, router in self.routers.items():
            gateway = router["external_gateway_info"]
            if gateway and gateway["network_id"] == network_id and (
                    subnets & self.router_subnets[router_id]):
                return router_id
        return None

    def associate_floating_ip(self, fip: dict[str, Any], port: Port | None,
                              fixed_ip: str | None = None) -> None:
        """Point a floating IP at a port (None disassociates)."""
        old = fip["port_id"]
        if old is not None:
            listed = self.fips_by_port.get(old, [])
            if fip["id"] in listed:
                listed.remove(fip["id"])
            if not listed:
                self.fips_by_port.pop(old, None)
        if port is None:
            fip.update(port_id=None, fixed_ip_address=None, router_id=None, status="DOWN")
        else:
            router_id = self.router_for(port, fip["floating_network_id"])
            if router_id is None:
                subnet = port.fixed_ips[0][0] if port.fixed_ips else "-"
                raise ApiError(404, f"External network {fip['floating_network_id']} is not "
                                    f"reachable from subnet {subnet}.  Therefore, cannot "
                                    f"associate Port {port.id} with a Floating IP.",
                               kind="ExternalGatewayForFloatingIPNotFound")
            address = fixed_ip or (port.fixed_ips[0][1] if port.fixed_ips else None)
            fip.update(port_id=port.id, fixed_ip_address=address, router_id=router_id,
                       status="ACTIVE")
            self.fips_by_port.setdefault(port.id, []).append(fip["id"])
        fip["updated_at"] = self.stamp()
        fip["revision_number"] += 1

    # -- ports ----------------------------------------------------------------------------------
    def new_port(self, project_id: str, network_id: str, device_id: str, *,
                 device_owner: str = "", fixed: list[tuple[str | None, str | None]] | None = None,
                 security: bool = True, security_groups: list[str] | None = None,
                 status: str | None = None, host: str = "", name: str = "",
                 port_id: str | None = None, user_created: bool = False,
                 admin_state_up: bool = True, description: str = "") -> Port:
        """Create a port with addresses: ``fixed`` is [(subnet id or None, address or None)]
        (default: one address from the network's first IPv4 subnet with room). O(1)."""
        network = self.networks.get(network_id)
        if network is None:
            raise ApiError(404, f"Network {network_id} could not be found.",
                           kind="NetworkNotFound")
        port_id = port_id or self.new_id()
        # By default one address, from the first subnet with room; none without a subnet.
        wanted = fixed if fixed is not None else [(None, None)] if network["subnets"] else []
        addresses: list[tuple[str, str]] = []
        try:
            for subnet_id, address in wanted:
                addresses.append(self._address(network, subnet_id, address, port_id))
        except ApiError:
            for subnet_id, address in addresses:
                self.pools[subnet_id].release(address)
            raise
        security_on = security and network["port_security_enabled"]
        groups = list(security_groups) if security_groups is not None else (
            [self.default_security_group(project_id)] if security_on and project_id else [])
        port = Port(id=port_id, network_id=network_id, project_id=project_id,
                    mac_address=self._new_mac(), fixed_ips=addresses, device_id=device_id,
                    device_owner=device_owner, created_at=self.stamp(), name=name,
                    status=status or ("ACTIVE" if device_id else "DOWN"),
                    security_groups=groups, host=host, port_security_enabled=security_on,
                    user_created=user_created, admin_state_up=admin_state_up,
                    description=description)
        self._index(port)
        return port

    def _address(self, network: dict[str, Any], subnet_id: str | None, address: str | None,
                 port_id: str) -> tuple[str, str]:
        candidates = [subnet_id] if subnet_id else list(network["subnets"])
        if subnet_id and subnet_id not in network["subnets"]:
            raise ApiError(400, f"Invalid input for operation: Failed to create port on network "
                                f"{network['id']}, because fixed_ips included invalid subnet "
                                f"{subnet_id}.", kind="InvalidInput")
        if address is not None:
            for candidate in candidates:
                try:
                    self.pools[candidate].take(address, port_id)
                except ValueError:
                    continue
                except KeyError as exc:
                    raise ApiError(409, f"IP address {address} already allocated in subnet "
                                        f"{candidate}", kind="IpAddressAlreadyAllocated") from exc
                return candidate, address
            if subnet_id is None:  # Neutron looked in every subnet of the network
                raise ApiError(400, f"IP address {address} is not a valid IP for any of the "
                                    "subnets on the specified network.",
                               kind="InvalidIpForNetwork")
            raise ApiError(400, f"IP address {address} is not a valid IP for the specified "
                                "subnet.", kind="InvalidIpForSubnet")
        for candidate in candidates:
            allocated = self.pools[candidate].allocate(port_id)
            if allocated is not None:
                return candidate, allocated
        raise ApiError(409, f"No more IP addresses available on network {network['id']}.",
                       kind="IpAddressGenerationFailure")

    def _index(self, port: Port) -> None:
        self.ports[port.id] = port
        self.port_order.add(port.id)
        self.ports_by_project.setdefault(port.project_id, OrderedIds()).add(port.id)
        self.ports_by_network[port.network_id].add(port.id)
        if port.device_id:
            self.ports_by_device.setdefault(port.device_id, []).append(port.id)
        for group in port.security_groups:
            self.sg_usage[group] += 1

    def set_device(self, port: Port, device_id: str, device_owner: str | None = None) -> None:
        """Re-point a port at another device, keeping the device index right."""
        if port.device_id:
            listed = self.ports_by_device.get(port.device_id, [])
            if port.id in listed:
                listed.remove(port.id)
            if not listed:
                self.ports_by_device.pop(port.device_id, None)
        port.device_id = device_id
        if device_owner is not None:
            port.device_owner = device_owner
        if device_id:
            self.ports_by_device.setdefault(device_id, []).append(port.id)

    def set_security_groups(self, port: Port, groups: list[str]) -> None:
        """Change a port's security groups, keeping usage counts right."""
        for group in port.security_groups:
            self.sg_usage[group] -= 1
        port.security_groups = list(groups)
        for group in groups:
            self.sg_usage[group] += 1

    def delete_port(self, port: Port) -> None:
        """Remove a port: addresses back to their pools, floating IPs disassociated."""
        for fip_id in list(self.fips_by_port.get(port.id, [])):
            self.associate_floating_ip(self.floating_ips[fip_id], None)
        for subnet_id, address in port.fixed_ips:
            pool = self.pools.get(subnet_id)
            if pool is not None:
                pool.release(address)
        self.set_device(port, "")
        self.set_security_groups(port, [])
        del self.ports[port.id]
        self.port_order.discard(port.id)
        self.ports_by_project[port.project_id].discard(port.id)
        self.ports_by_network[port.network_id].discard(port.id)

    def default_security_group(self, project_id: str) -> str:
        """The project's "default" group (made on first use, as Neutron does)."""
        for group in self.security_groups.values():
            if group["project_id"] == project_id and group["name"] == "default":
                return str(group["id"])
        return str(self.create_security_group(project_id, "default",
                                              "Default security group")["id"])

    # -- quotas ---------------------------------------------------------------------------------
    def usage(self, project_id: str) -> dict[str, int]:
        """Resources the project owns, by quota name."""
        def count(records: dict[str, dict[str, Any]]) -> int:
            return sum(1 for r in records.values() if r["project_id"] == project_id)

        return {"network": count(self.networks), "subnet": count(self.subnets),
                "port": len(self.ports_by_project.get(project_id, ())),
                "router": count(self.routers), "floatingip": count(self.floating_ips),
                "security_group": count(self.security_groups),
                "security_group_rule": count(self.sg_rules), "rbac_policy": 0,
                "subnetpool": 0}

    def limits(self, project_id: str) -> dict[str, int]:
        """The project's quota limits (a project seeded with many servers gets room for more
        ports, as its operator would have raised the quota)."""
        limits = dict(DEFAULT_QUOTAS)
        if project_id not in self._port_defaults:
            used = len(self.ports_by_project.get(project_id, ()))
            self._port_defaults[project_id] = max(500, (used // 500 + 2) * 500)
        limits["port"] = self._port_defaults[project_id]
        limits.update(self.quotas.get(project_id, {}))
        return limits

    def check_quota(self, project_id: str, resource: str, adding: int = 1) -> None:
        """409 OverQuota when creating ``adding`` more would exceed the limit."""
        limit = self.limits(project_id)[resource]
        if limit >= 0 and self.usage(project_id)[resource] + adding > limit:
            raise ApiError(409, f"Quota exceeded for resources: ['{resource}'].",
                           kind="OverQuota")

    # -- contract: other services call these (under cloud.lock) ---------------------------------
    def network(self, network_id: str) -> dict[str, Any] | None:
        """The network record (id, name, project_id, shared, subnets, ...), or None."""
        return self.networks.get(network_id)

    def networks_visible_to(self, project_id: str) -> list[dict[str, Any]]:
        """The project's own networks plus shared and external ones."""
        return [n for n in self.networks.values() if self.network_visible(n, project_id, False)]

    def default_network_id(self, project_id: str) -> str:
        """The network a server gets when none is asked for: the shared "private" one."""
        for network in self.networks.values():
            if network["name"] == "private" and network["shared"]:
                return str(network["id"])
        for network in self.networks.values():
            if network["project_id"] == project_id and not network["router:external"]:
                return str(network["id"])
        raise ApiError(409, "No network available for the server.", kind="NetworkNotFound")

    def allocate_port(self, project_id: str, network_id: str, device_id: str, *,
                      fixed_ip: str | None = None, device_owner: str = "compute:nova",
                      port_id: str | None = None,
                      security_groups: list[str] | None = None) -> dict[str, Any]:
        """Create a bound port for a server (or bind the given unbound port). O(1). A new port
        gets ``security_groups`` (ids; the project's default when None), as Nova asks."""
        if port_id is not None:
            port = self.ports.get(port_id)
            if port is None:
                raise ApiError(404, f"Port {port_id} could not be found.", kind="PortNotFound")
            if port.device_id:
                raise ApiError(409, f"Unable to complete operation on port {port_id} for network "
                                    f"{port.network_id}. Port already has an attached device "
                                    f"{port.device_id}.", kind="PortInUse")
            self.set_device(port, device_id, device_owner)
            port.status = "ACTIVE"
            port.host = "compute-1"
            port.updated_at = self.stamp()
            port.revision_number += 1
            return port.doc()
        network = self.networks.get(network_id)
        if network is None:
            raise ApiError(404, f"Network {network_id} could not be found.",
                           kind="NetworkNotFound")
        if not (network["project_id"] == project_id or network["shared"]):
            raise ApiError(400, f"Network {network_id} is not usable by project {project_id}.",
                           kind="BadRequest")
        host = f"compute-{self._mac % 8 + 1}"
        port = self.new_port(project_id, network_id, device_id, device_owner=device_owner,
                             fixed=[(None, fixed_ip)], status="ACTIVE", host=host,
                             user_created=False)
        if security_groups is not None and port.port_security_enabled:
            self.set_security_groups(port, list(security_groups))
        return port.doc()

    def ports_for_device(self, device_id: str) -> list[dict[str, Any]]:
        """The documents of the ports bound to a device (a server)."""
        return [self.ports[p].doc() for p in self.ports_by_device.get(device_id, ())]

    def port_records_for_device(self, device_id: str) -> list[Port]:
        """The records of the ports bound to a device: what a server's addresses read, on
        every server of every page (building each port's whole document was most of that)."""
        return [self.ports[p] for p in self.ports_by_device.get(device_id, ())]

    def release_ports(self, device_id: str) -> None:
        """A server is gone: delete the ports nova made, unbind the ones the user made."""
        for port_id in list(self.ports_by_device.get(device_id, ())):
            port = self.ports[port_id]
            if port.user_created:
                self.set_device(port, "", "")
                port.status = "DOWN"
                port.host = ""
                port.updated_at = self.stamp()
            elif port.device_owner.startswith("compute:"):
                self.delete_port(port)

    def floating_ips_for_port(self, port_id: str) -> list[str]:
        """Floating IP addresses associated with the port."""
        return [self.floating_ips[f]["floating_ip_address"]
                for f in self.fips_by_port.get(port_id, ())]

    def security_group_id(self, project_id: str, name_or_id: str) -> str:
        """A security group of the project by id or name; 400 as Nova words it if unknown."""
        group = self.security_groups.get(name_or_id)
        if group is not None and group["project_id"] == project_id:
            return str(group["id"])
        matches = [g for g in self.security_groups.values()
                   if g["project_id"] == project_id and g["name"] == name_or_id]
        if len(matches) == 1:
            return str(matches[0]["id"])
        if not matches and name_or_id == "default":
            return self.default_security_group(project_id)
        if len(matches) > 1:
            raise ApiError(409, f"Multiple security groups found matching '{name_or_id}'. "
                                "Use an ID to be more specific.")
        raise ApiError(400, f"Security group {name_or_id} not found for project "
                            f"{project_id}.")

    def security_group_name(self, sg_id: str) -> str:
        """A security group's name (the id when unknown)."""
        group = self.security_groups.get(sg_id)
        return str(group["name"]) if group else sg_id
