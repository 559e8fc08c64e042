"""Placement at ``/placement``, read-only and admin-only as its default policy is: one resource
provider per compute host (its uuid is the host's hypervisor id), with the inventories the
scheduler reads (total, reserved, allocation ratio) and usages summed from the flavors of the
servers Nova placed there. Shapes and errors as the rig's placement answers them."""

from __future__ import annotations

from typing import Any

from tuicloud.simcloud.core import ApiError, Request, Response, Router, SimCloud

NAME = "placement"

# A simcloud host: 64 cores at 4× overcommit, 256 GiB (512 MiB reserved), 2 TB of disk.
INVENTORY = {
    "VCPU": {"total": 64, "reserved": 0, "allocation_ratio": 4.0},
    "MEMORY_MB": {"total": 262144, "reserved": 512, "allocation_ratio": 1.0},
    "DISK_GB": {"total": 2000, "reserved": 0, "allocation_ratio": 1.0},
}


class Service:
    """Placement keeps nothing of its own: it reads Nova's hosts and servers."""

    def __init__(self, cloud: SimCloud) -> None:
        self.cloud = cloud

    def register(self, router: Router) -> None:
        """Placement's routes."""
        router.add("GET", "/placement", _versions, service=NAME, auth=False)
        for path, handler in (("/resource_providers", _list_providers),
                              ("/resource_providers/{uuid}", _show_provider),
                              ("/resource_providers/{uuid}/inventories", _inventories),
                              ("/resource_providers/{uuid}/usages", _usages)):
            router.add("GET", "/placement" + path, handler, service=NAME)

    def seed(self) -> None:
        """Nothing to seed."""


def _error(status: int, title: str, detail: str) -> ApiError:
    # Placement's errors are {"errors": [...]}: the server shapes them by service name.
    return ApiError(status, f"{detail}", kind=title)


def _admin(cloud: SimCloud, request: Request, rule: str) -> None:
    assert request.token is not None
    if not request.token.is_admin:
        raise _error(403, "Forbidden", "Access was denied to this resource.\n\n Policy does not "
                                       f"allow placement:{rule} to be performed.  ")


def _providers(cloud: SimCloud) -> dict[str, str]:
    """uuid -> host name."""
    from tuicloud.simcloud.nova_hosts import hypervisor_id
    from tuicloud.simcloud.nova_model import HOST_ZONE

    return {hypervisor_id(index): host for index, host in enumerate(HOST_ZONE)}


def _provider(cloud: SimCloud, request: Request) -> tuple[str, str]:
    uuid = request.params["uuid"]
    host = _providers(cloud).get(uuid)
    if host is None:
        raise _error(404, "Not Found", "The resource could not be found.\n\n No resource "
                                       f"provider with uuid {uuid} found: No resource provider "
                                       f"with uuid {uuid} found  ")
    return uuid, host


def _provider_doc(uuid: str, host: str) -> dict[str, Any]:
    base = f"/resource_providers/{uuid}"
    return {"uuid": uuid, "name": host, "generation": 1,
            "links": [{"rel": "self", "href": base},
                      {"rel": "inventories", "href": f"{base}/inventories"},
                      {"rel": "usages", "href": f"{base}/usages"}]}


def _versions(cloud: SimCloud, request: Request) -> Response:
    return Response(200, {"versions": [{"id": "v1.0", "max_version": "1.39",
                                        "min_version": "1.0", "status": "CURRENT",
                                        "links": [{"rel": "self", "href": ""}]}]})


def _list_providers(cloud: SimCloud, request: Request) -> Response:
    _admin(cloud, request, "resource_providers:list")
    wanted = request.arg("name")
    return Response(200, {"resource_providers": [
        _provider_doc(uuid, host) for uuid, host in _providers(cloud).items()
        if wanted is None or wanted == host]})


def _show_provider(cloud: SimCloud, request: Request) -> Response:
    _admin(cloud, request, "resource_providers:show")
    return Response(200, _provider_doc(*_provider(cloud, request)))


def _inventories(cloud: SimCloud, request: Request) -> Response:
    _admin(cloud, request, "resource_providers:inventories:list")
    _provider(cloud, request)
    return Response(200, {"resource_provider_generation": 1, "inventories": {
        name: {**figures, "min_unit": 1, "max_unit": figures["total"], "step_size": 1}
        for name, figures in INVENTORY.items()}})


def _usages(cloud: SimCloud, request: Request) -> Response:
    _admin(cloud, request, "resource_providers:usages")
    _, host = _provider(cloud, request)
    from tuicloud.simcloud.nova_hosts import servers_on

    nova = cloud.service("compute")
    used = dict.fromkeys(INVENTORY, 0)
    with cloud.lock:
        for server in servers_on(nova, host):
            flavor = nova.flavors.get(server.flavor_id) or {}
            used["VCPU"] += int(flavor.get("vcpus") or 0)
            used["MEMORY_MB"] += int(flavor.get("ram") or 0)
            used["DISK_GB"] += int(flavor.get("disk") or 0)
    return Response(200, {"resource_provider_generation": 1, "usages": used})
