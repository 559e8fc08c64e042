"""Nova's JSON documents, built per request from the compact records (shapes follow the API
samples for the request's microversion)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Any

from tuicloud.simcloud.core import isotime
from tuicloud.simcloud.nova_model import Ctx, Server, hostname_for, links


@functools.lru_cache(maxsize=200_000)
def usage_time(when: float | None) -> str | None:
    """OS-SRV-USG times: naive ISO with microseconds, as Nova shows them."""
    if when is None:
        return None
    return dt.datetime.fromtimestamp(when, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


@functools.lru_cache(maxsize=4096)
def host_id(project_id: str, host: str | None) -> str:
    """Nova's hostId: sha224 of project and host, so tenants can't see host names."""
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def flavor_embedded(flavor: dict[str, Any]) -> dict[str, Any]:
    """The flavor as embedded in a server from 2.47."""
    return {"vcpus": flavor["vcpus"], "ram": flavor["ram"], "disk": flavor["disk"],
            "ephemeral": flavor["ephemeral"], "swap": flavor["swap"],
            "original_name": flavor["name"], "extra_specs": dict(flavor["extra_specs"])}


def flavor_doc(ctx: Ctx, flavor: dict[str, Any], detail: bool = True) -> dict[str, Any]:
    """A flavor in /flavors (detail or not) for the request's microversion."""
    doc: dict[str, Any] = {"id": flavor["id"], "name": flavor["name"],
                           "links": links(ctx, "flavors", flavor["id"])}
    if ctx.at_least(55):
        doc["description"] = flavor["description"]
    if not detail:
        return doc
    doc.update({
        "ram": flavor["ram"], "disk": flavor["disk"], "vcpus": flavor["vcpus"],
        # Before 2.75 Nova shows no swap as "".
        "swap": flavor["swap"] if flavor["swap"] or ctx.at_least(75) else "",
        "OS-FLV-EXT-DATA:ephemeral": flavor["ephemeral"],
        "OS-FLV-DISABLED:disabled": flavor["disabled"],
        "os-flavor-access:is_public": flavor["is_public"],
        "rxtx_factor": flavor["rxtx_factor"],
    })
    if ctx.at_least(61):
        doc["extra_specs"] = dict(flavor["extra_specs"])
    return doc


def addresses(ctx: Ctx, server: Server, *, extended: bool = True) -> dict[str, list[Any]]:
    """{network name: [addresses]} from Neutron's ports bound to the server."""
    network = ctx.svc.network_service()
    if network is None or server.deleted:
        return {}
    result: dict[str, list[Any]] = {}
    for port in network.port_records_for_device(server.id):
        net = network.network(port.network_id)
        label = net["name"] if net else port.network_id
        entries = result.setdefault(label, [])
        mac = port.mac_address
        for _subnet, addr in port.fixed_ips:
            entry: dict[str, Any] = {"addr": addr, "version": 6 if ":" in addr else 4}
            if extended:
                entry["OS-EXT-IPS:type"] = "fixed"
                entry["OS-EXT-IPS-MAC:mac_addr"] = mac
            entries.append(entry)
        for addr in network.floating_ips_for_port(port.id):
            entry = {"addr": addr, "version": 6 if ":" in addr else 4}
            if extended:
                entry["OS-EXT-IPS:type"] = "floating"
                entry["OS-EXT-IPS-MAC:mac_addr"] = mac
            entries.append(entry)
    return result


def server_brief(ctx: Ctx, server: Server) -> dict[str, Any]:
    """A server in GET /servers: id, name, links."""
    return {"id": server.id, "name": server.name, "links": links(ctx, "servers", server.id)}


def _host_status(svc: Any, host: str | None) -> str:
    """Nova's host_status: DOWN (service down or forced down), MAINTENANCE (disabled), UP."""
    if not host:
        return ""
    record = (svc.__dict__.get("compute_services") or {}).get(host) or {}
    if record.get("forced_down"):
        return "DOWN"
    return "MAINTENANCE" if record.get("status") == "disabled" else "UP"


def server_doc(ctx: Ctx, server: Server, *, show: bool = False) -> dict[str, Any]:
    """A server in GET /servers/detail and GET /servers/{id} for the request's microversion."""
    svc = ctx.svc
    admin = ctx.is_admin
    flavor = svc.flavor_record(server.flavor_id)
    if ctx.at_least(47):
        flavor_part: dict[str, Any] = flavor_embedded(flavor)
    else:
        flavor_part = {"id": server.flavor_id,
                       "links": [{"rel": "bookmark",
                                  "href": f"{ctx.base}/flavors/{server.flavor_id}"}]}
    image_part: Any = ""
    if server.image_id:
        image_part = {"id": server.image_id,
                      "links": [{"rel": "bookmark",
                                 "href": f"{ctx.base}/images/{server.image_id}"}]}
    doc: dict[str, Any] = {
        "id": server.id,
        "name": server.name,
        "status": server.status,
        "tenant_id": server.project_id,
        "user_id": server.user_id,
        "metadata": dict(server.metadata or {}),
        "hostId": host_id(server.project_id, server.host),
        "image": image_part,
        "flavor": flavor_part,
        "created": isotime(server.created),
        "updated": isotime(server.updated),
        "addresses": addresses(ctx, server),
        "accessIPv4": server.access_ipv4,
        "accessIPv6": server.access_ipv6,
        "links": links(ctx, "servers", server.id),
        "OS-DCF:diskConfig": server.disk_config,
        "progress": svc.progress(server),
        "OS-EXT-AZ:availability_zone": server.az,
        "config_drive": "True" if server.config_drive else "",
        "key_name": server.key_name,
        "OS-SRV-USG:launched_at": usage_time(server.launched_at),
        "OS-SRV-USG:terminated_at": usage_time(server.terminated_at),
        "security_groups": [{"name": name} for name in server.security_groups],
        "OS-EXT-STS:task_state": server.task_state,
        "OS-EXT-STS:vm_state": server.vm_state,
        "OS-EXT-STS:power_state": server.power_state,
        "os-extended-volumes:volumes_attached": [
            ({"id": att["volume_id"], "delete_on_termination": att["delete_on_termination"]}
             if ctx.at_least(3) else {"id": att["volume_id"]})
            for att in server.volumes or ()],
    }
    if admin:
        doc["OS-EXT-SRV-ATTR:host"] = server.host
        doc["OS-EXT-SRV-ATTR:hypervisor_hostname"] = (
            f"{server.host}.simcloud.local" if server.host else None)
        doc["OS-EXT-SRV-ATTR:instance_name"] = f"instance-{server.seq:08x}"
        if ctx.at_least(3):
            doc.update({
                "OS-EXT-SRV-ATTR:reservation_id": server.reservation_id,
                "OS-EXT-SRV-ATTR:launch_index": server.launch_index,
                "OS-EXT-SRV-ATTR:kernel_id": "",
                "OS-EXT-SRV-ATTR:ramdisk_id": "",
                "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
                "OS-EXT-SRV-ATTR:user_data": server.user_data,
            })
    if (admin and ctx.at_least(3)) or ctx.at_least(90):
        doc["OS-EXT-SRV-ATTR:hostname"] = server.hostname or hostname_for(server.name)
    if ctx.at_least(9):
        doc["locked"] = server.locked
    if ctx.at_least(16) and admin:
        doc["host_status"] = _host_status(svc, server.host)
    if ctx.at_least(19):
        doc["description"] = server.description
    if ctx.at_least(26):
        doc["tags"] = list(server.tags or ())
    if ctx.at_least(63):
        doc["trusted_image_certificates"] = None
    if ctx.at_least(71) and show:
        doc["server_groups"] = []
    if ctx.at_least(73):
        doc["locked_reason"] = server.locked_reason
    if ctx.at_least(96):
        doc["pinned_availability_zone"] = server.pinned_az
    if server.fault is not None and server.vm_state in ("error", "deleted"):
        code, message, created, details = server.fault
        fault: dict[str, Any] = {"code": code, "message": message, "created": isotime(created)}
        if admin or code != 500:
            fault["details"] = details
        doc["fault"] = fault
    return doc


def keypair_doc(ctx: Ctx, keypair: dict[str, Any], *, full: bool) -> dict[str, Any]:
    """A key pair: the list shape, or the show/create shape when ``full``."""
    doc: dict[str, Any] = {"name": keypair["name"], "public_key": keypair["public_key"],
                           "fingerprint": keypair["fingerprint"]}
    if ctx.at_least(2):
        doc["type"] = keypair["type"]
    if full:
        doc.update({"user_id": keypair["user_id"], "deleted": False,
                    "created_at": usage_time(keypair["created_at"]), "updated_at": None,
                    "deleted_at": None, "id": keypair["num"]})
    return doc
