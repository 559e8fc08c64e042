"""Nova's smaller resources: version discovery, key pairs, limits, quota sets, availability
zones, server groups, hypervisors and services (flavors are in :mod:`nova_flavors`)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
import time
from typing import Any
from urllib.parse import urlencode

from tuicloud.simcloud.core import ApiError, Request, Response, Router, SimCloud
from tuicloud.simcloud.microversions import version_string
from tuicloud.simcloud.nova_hosts import list_migrations, update_service
from tuicloud.simcloud.nova_model import (
    HOST_ZONE,
    HOSTS,
    MAX_VERSION,
    MIN_VERSION,
    Ctx,
    api,
    body_object,
    forbidden,
    limit_arg,
    require_admin,
)
from tuicloud.simcloud.nova_views import keypair_doc, usage_time

MAX_LIMIT = 1000


def register(router: Router, service: str) -> None:
    """Routes for everything but servers."""
    add = router.add
    add("GET", "/compute", versions, service=service, auth=False)
    add("GET", "/compute/v2.1", version_v21, service=service, auth=False)
    add("GET", "/compute/v2", version_v20, service=service, auth=False)
    v = "/compute/v2.1"
    for method, path, handler in (
        ("GET", "/os-keypairs", list_keypairs), ("POST", "/os-keypairs", create_keypair),
        ("GET", "/os-keypairs/{name}", show_keypair),
        ("DELETE", "/os-keypairs/{name}", delete_keypair),
        ("GET", "/limits", show_limits),
        ("GET", "/os-quota-sets/{project_id}", show_quota),
        ("GET", "/os-quota-sets/{project_id}/detail", show_quota_detail),
        ("GET", "/os-quota-sets/{project_id}/defaults", show_quota_defaults),
        ("PUT", "/os-quota-sets/{project_id}", update_quota),
        ("DELETE", "/os-quota-sets/{project_id}", reset_quota),
        ("GET", "/os-availability-zone", list_zones),
        ("GET", "/os-availability-zone/detail", list_zones_detail),
        ("GET", "/os-hypervisors", list_hypervisors),
        ("GET", "/os-hypervisors/detail", list_hypervisors_detail),
        ("GET", "/os-services", list_services),
        ("PUT", "/os-services/{service_id}", update_service),
        ("GET", "/os-migrations", list_migrations),
    ):
        add(method, v + path, api(handler), service=service)


# -- versions -----------------------------------------------------------------------------------
def _version(cloud: SimCloud, v21: bool) -> dict[str, Any]:
    path, ident = ("v2.1", "v2.1") if v21 else ("v2", "v2.0")
    return {
        "id": ident, "status": "CURRENT" if v21 else "DEPRECATED",
        "version": version_string(MAX_VERSION) if v21 else "",
        "min_version": version_string(MIN_VERSION) if v21 else "",
        "updated": "2013-07-23T11:33:21Z" if v21 else "2025-07-04T12:00:00Z",
        "links": [{"rel": "self", "href": f"{cloud.base_url}/compute/{path}/"},
                  {"rel": "describedby", "type": "text/html",
                   "href": "http://docs.openstack.org/"}],
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.compute+json;version="
                                 + ("2.1" if v21 else "2")}],
    }


def versions(cloud: SimCloud, request: Request) -> Response:
    """GET /compute: the version list (200, as Nova answers at its root)."""
    return Response(200, {"versions": [_version(cloud, False), _version(cloud, True)]})


def version_v21(cloud: SimCloud, request: Request) -> Response:
    """GET /compute/v2.1: the microversion range."""
    return Response(200, {"version": _version(cloud, True)})


def version_v20(cloud: SimCloud, request: Request) -> Response:
    """GET /compute/v2: the deprecated v2.0 document."""
    return Response(200, {"version": _version(cloud, False)})



# -- key pairs ----------------------------------------------------------------------------------
def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def fake_public_key(raw: bytes, kind: str, comment: str) -> str:
    """A well-formed OpenSSH public key line from random bytes (no private key behind it)."""
    if kind == "rsa":
        modulus = b"\x00" + bytes([raw[0] | 0x80]) + raw[1:]
        blob = _ssh_string(b"ssh-rsa") + _ssh_string(b"\x01\x00\x01") + _ssh_string(modulus)
        return f"ssh-rsa {base64.b64encode(blob).decode()} {comment}"
    blob = _ssh_string(b"ssh-ed25519") + _ssh_string(raw[:32].ljust(32, b"\0"))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def fingerprint(public_key: str) -> str:
    """Nova's fingerprint: MD5 of the key blob as colon-separated hex."""
    parts = public_key.split()
    try:
        blob = base64.b64decode(parts[1], validate=True) if len(parts) > 1 else b""
    except (binascii.Error, ValueError):
        blob = public_key.encode()
    digest = hashlib.md5(blob or public_key.encode()).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


_SSH_TYPES = ("ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-nistp256",
              "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
              "sk-ecdsa-sha2-nistp256@openssh.com")


def _valid_public_key(text: str, key_type: str) -> bool:
    if key_type == "x509":
        return "-----BEGIN CERTIFICATE-----" in text and "-----END CERTIFICATE-----" in text
    parts = text.strip().split()
    if len(parts) < 2 or parts[0] not in _SSH_TYPES:
        return False
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(blob) < 4:
        return False
    (size,) = struct.unpack(">I", blob[:4])
    return blob[4:4 + size] == parts[0].encode()


def generate_keypair(comment: str) -> tuple[str, str]:
    """A new ed25519 key pair (public line, private PEM); real when ``cryptography`` is there."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError:  # pragma: no cover - openstacksdk pulls cryptography in
        import secrets

        public = fake_public_key(secrets.token_bytes(32), "ed25519", comment)
        body = base64.encodebytes(b"openssh-key-v1\0" + secrets.token_bytes(200)).decode()
        return public, ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + body
                        + "-----END OPENSSH PRIVATE KEY-----\n")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return f"{public} {comment}", private


def _keypair_user(ctx: Ctx) -> str:
    user_id = ctx.req.arg("user_id")
    if user_id and user_id != ctx.user_id:
        if not ctx.at_least(10) or not ctx.is_admin:
            raise forbidden("os_compute_api:os-keypairs:index")
        return user_id
    return ctx.user_id


def list_keypairs(ctx: Ctx) -> Response:
    """GET /os-keypairs: the user's key pairs (admins may ask for another user, 2.10)."""
    user_id = _keypair_user(ctx)
    pairs = sorted(ctx.svc.keypairs.get(user_id, {}).values(), key=lambda k: k["name"])
    body: dict[str, Any] = {}
    if ctx.at_least(35):
        marker = ctx.req.arg("marker")
        if marker is not None:
            names = [k["name"] for k in pairs]
            if marker not in names:
                raise ApiError(400, f"marker [{marker}] not found")
            pairs = pairs[names.index(marker) + 1:]
        limit = limit_arg(ctx.req)
        if limit is not None:
            pairs = pairs[:limit]
            if limit and len(pairs) == limit:
                params = [(k, v) for k, vals in ctx.req.query.items() if k != "marker"
                          for v in vals] + [("marker", pairs[-1]["name"])]
                body["keypairs_links"] = [{"rel": "next", "href":
                                           f"{ctx.base}/v2.1/os-keypairs?{urlencode(params)}"}]
    body["keypairs"] = [{"keypair": keypair_doc(ctx, k, full=False)} for k in pairs]
    return Response(200, body)


def _keypair(ctx: Ctx) -> dict[str, Any]:
    user_id = _keypair_user(ctx)
    name = ctx.param("name")
    record = ctx.svc.keypairs.get(user_id, {}).get(name)
    if record is None:
        raise ApiError(404, f"Keypair {name} not found for user {user_id}")
    return record


def show_keypair(ctx: Ctx) -> Response:
    """GET /os-keypairs/{name}."""
    return Response(200, {"keypair": keypair_doc(ctx, _keypair(ctx), full=True)})


def create_keypair(ctx: Ctx) -> Response:
    """POST /os-keypairs: import (public_key given) or generate (before 2.92)."""
    body = body_object(ctx, "keypair")
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 255:
        raise ApiError(400, f"Invalid input for field/attribute name. Value: {name}.")
    allowed = r"[A-Za-z0-9 _@.\-]+" if ctx.at_least(92) else r"[A-Za-z0-9 _\-]+"
    if not re.fullmatch(allowed, name):
        raise ApiError(400, "Keypair data is invalid: Keypair name contains unsafe characters")
    key_type = body.get("type", "ssh") if ctx.at_least(2) else "ssh"
    if key_type not in ("ssh", "x509"):
        raise ApiError(400, f"Invalid input for field/attribute type. Value: {key_type}. "
                            f"{key_type!r} is not one of ['ssh', 'x509']")
    user_id = ctx.user_id
    if body.get("user_id") and body["user_id"] != ctx.user_id:
        if not ctx.at_least(10) or not ctx.is_admin:
            raise forbidden("os_compute_api:os-keypairs:create")
        user_id = str(body["user_id"])
    svc = ctx.svc
    existing = svc.keypairs.get(user_id, {})
    if name in existing:
        raise ApiError(409, f"Key pair '{name}' already exists.")
    if len(existing) >= svc.quota(ctx.project_id)["key_pairs"] >= 0:
        raise ApiError(403, "Quota exceeded, too many key pairs.")
    public = body.get("public_key")
    private: str | None = None
    if public is None:
        if ctx.at_least(92):
            raise ApiError(400, f"Invalid input for field/attribute keypair. Value: {body}. "
                                "'public_key' is a required property")
        if key_type == "x509":
            raise ApiError(400, "Keypair data is invalid: x509 keys must be imported")
        public, private = generate_keypair("Generated-by-Nova")
    elif not isinstance(public, str) or not _valid_public_key(public, key_type):
        raise ApiError(400, "Keypair data is invalid: failed to generate fingerprint")
    record = svc.add_keypair(user_id, name, public.strip() if key_type == "ssh" else public,
                             key_type)
    doc = keypair_doc(ctx, record, full=False)
    doc["user_id"] = user_id
    if private is not None:
        doc["private_key"] = private
    return Response(201 if ctx.at_least(2) else 200, {"keypair": doc})


def delete_keypair(ctx: Ctx) -> Response:
    """DELETE /os-keypairs/{name}: 202 at 2.1, 204 from 2.2."""
    record = _keypair(ctx)
    del ctx.svc.keypairs[record["user_id"]][record["name"]]
    return Response(204 if ctx.at_least(2) else 202)


# -- limits and quotas --------------------------------------------------------------------------
def _quota_keys(ctx: Ctx) -> list[str]:
    keys = ["cores", "instances", "key_pairs", "metadata_items", "ram", "server_groups",
            "server_group_members"]
    if not ctx.at_least(57):
        keys += ["injected_files", "injected_file_content_bytes", "injected_file_path_bytes"]
    if not ctx.at_least(36):
        keys += ["fixed_ips", "floating_ips", "security_group_rules", "security_groups"]
    return sorted(keys)


def _quota_values(ctx: Ctx, project_id: str) -> dict[str, int]:
    limits = ctx.svc.quota(project_id)
    return {k: limits.get(k, -1) for k in _quota_keys(ctx)}


def _usage(ctx: Ctx, project_id: str) -> dict[str, int]:
    used = ctx.svc.instance_usage(project_id)
    keypairs = len(ctx.svc.keypairs.get(ctx.user_id, {}))
    return {"cores": used["cores"], "instances": used["instances"], "ram": used["ram"],
            "key_pairs": keypairs}


def show_limits(ctx: Ctx) -> Response:
    """GET /limits: the project's quota limits and what it uses, per microversion."""
    project_id = ctx.project_id
    if ctx.req.arg("tenant_id") and ctx.is_admin:
        project_id = str(ctx.req.arg("tenant_id"))
    limits = ctx.svc.quota(project_id)
    used = _usage(ctx, project_id)
    absolute: dict[str, int] = {
        "maxServerMeta": limits["metadata_items"], "maxTotalCores": limits["cores"],
        "maxTotalInstances": limits["instances"], "maxTotalKeypairs": limits["key_pairs"],
        "maxTotalRAMSize": limits["ram"], "maxServerGroups": limits["server_groups"],
        "maxServerGroupMembers": limits["server_group_members"],
        "totalCoresUsed": used["cores"], "totalInstancesUsed": used["instances"],
        "totalRAMUsed": used["ram"], "totalServerGroupsUsed": 0,
    }
    if not ctx.at_least(39):
        absolute["maxImageMeta"] = limits["metadata_items"]
    if not ctx.at_least(57):
        absolute["maxPersonality"] = limits["injected_files"]
        absolute["maxPersonalitySize"] = limits["injected_file_content_bytes"]
    if not ctx.at_least(36):
        absolute.update({"maxSecurityGroupRules": -1, "maxSecurityGroups": -1,
                         "maxTotalFloatingIps": -1, "totalSecurityGroupsUsed": 0,
                         "totalFloatingIpsUsed": 0})
    return Response(200, {"limits": {"absolute": absolute, "rate": []}})


def _quota_project(ctx: Ctx, rule: str) -> str:
    project_id = ctx.param("project_id")
    if not ctx.is_admin and project_id != ctx.project_id:
        raise forbidden(rule)
    return project_id


def show_quota(ctx: Ctx) -> Response:
    """GET /os-quota-sets/{project}."""
    project_id = _quota_project(ctx, "os_compute_api:os-quota-sets:show")
    return Response(200, {"quota_set": {"id": project_id, **_quota_values(ctx, project_id)}})


def show_quota_detail(ctx: Ctx) -> Response:
    """GET /os-quota-sets/{project}/detail: limit, in_use and reserved per resource."""
    project_id = _quota_project(ctx, "os_compute_api:os-quota-sets:detail")
    used = _usage(ctx, project_id)
    detail: dict[str, Any] = {"id": project_id}
    for key, limit in _quota_values(ctx, project_id).items():
        detail[key] = {"in_use": used.get(key, 0), "limit": limit, "reserved": 0}
    return Response(200, {"quota_set": detail})


def show_quota_defaults(ctx: Ctx) -> Response:
    """GET /os-quota-sets/{project}/defaults."""
    from tuicloud.simcloud.nova import DEFAULT_QUOTAS

    project_id = ctx.param("project_id")
    values = {k: DEFAULT_QUOTAS.get(k, -1) for k in _quota_keys(ctx)}
    return Response(200, {"quota_set": {"id": project_id, **values}})


def update_quota(ctx: Ctx) -> Response:
    """PUT /os-quota-sets/{project} (admin): refuses limits below usage unless ``force``."""
    require_admin(ctx, "os_compute_api:os-quota-sets:update")
    project_id = ctx.param("project_id")
    body = body_object(ctx, "quota_set")
    force = str(body.pop("force", False)).lower() in ("true", "1")
    keys = set(_quota_keys(ctx))
    used = _usage(ctx, project_id)
    changes: dict[str, int] = {}
    for key, raw in body.items():
        if key not in keys:
            raise ApiError(400, f"Invalid input for field/attribute quota_set. Value: {body}. "
                                f"Additional properties are not allowed ('{key}' was "
                                "unexpected)")
        try:
            value = int(raw)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"Invalid input for field/attribute {key}. Value: {raw}."
                           ) from exc
        if value < -1:
            raise ApiError(400, f"Invalid input for field/attribute {key}. Value: {raw}. "
                                f"{raw} is less than the minimum of -1")
        if not force and value >= 0 and used.get(key, 0) > value:
            raise ApiError(400, f"Quota limit {value} for {key} must be greater than or "
                                f"equal to already used and reserved {used[key]}.")
        changes[key] = value
    ctx.svc.quotas.setdefault(project_id, {}).update(changes)
    return Response(200, {"quota_set": _quota_values(ctx, project_id)})


def reset_quota(ctx: Ctx) -> Response:
    """DELETE /os-quota-sets/{project} (admin): back to the defaults."""
    require_admin(ctx, "os_compute_api:os-quota-sets:delete")
    ctx.svc.quotas.pop(ctx.param("project_id"), None)
    return Response(202)


# -- zones, groups, hypervisors, services -------------------------------------------------------
def list_zones(ctx: Ctx) -> Response:
    """GET /os-availability-zone."""
    return Response(200, {"availabilityZoneInfo": [
        {"zoneName": zone, "zoneState": {"available": True}, "hosts": None}
        for zone in HOSTS]})


def list_zones_detail(ctx: Ctx) -> Response:
    """GET /os-availability-zone/detail (admin), as Nova builds it: each zone with an enabled
    service lists its hosts and their enabled services (``available``: the service is up;
    ``active``: not disabled, so always true here); a zone whose services are all disabled is
    unavailable, with no hosts."""
    from tuicloud.simcloud.nova_hosts import compute_service

    require_admin(ctx, "os_compute_api:os-availability-zone:detail")
    stamp = usage_time(time.time() - 5)
    zones: list[dict[str, Any]] = [{
        "zoneName": "internal", "zoneState": {"available": True},
        "hosts": {"controller": {
            binary: {"available": True, "active": True, "updated_at": stamp}
            for binary in ("nova-conductor", "nova-scheduler")}}}]
    unavailable = []
    for zone, hosts in HOSTS.items():
        listed: dict[str, Any] = {}
        for host in hosts:
            record = compute_service(ctx.svc, host)
            if record["status"] == "disabled":
                continue
            listed[host] = {"nova-compute": {
                "available": not record["forced_down"], "active": True,
                "updated_at": record["updated"] or stamp}}
        if listed:
            zones.append({"zoneName": zone, "zoneState": {"available": True}, "hosts": listed})
        else:
            unavailable.append({"zoneName": zone, "zoneState": {"available": False},
                                "hosts": None})
    return Response(200, {"availabilityZoneInfo": zones + unavailable})


def hypervisor_docs(ctx: Ctx, detail: bool) -> list[dict[str, Any]]:
    """Every host's hypervisor; its status and state follow its nova-compute service."""
    from tuicloud.simcloud.nova_hosts import compute_service, hypervisor_id, servers_on

    require_admin(ctx, "os_compute_api:os-hypervisors:list")
    with_servers = ctx.at_least(53) and str(ctx.req.arg("with_servers", "")).lower() in (
        "true", "1", "yes")
    result = []
    for index, host in enumerate(HOST_ZONE):
        service = compute_service(ctx.svc, host)
        on_host = servers_on(ctx.svc, host) if detail or with_servers else []
        doc: dict[str, Any] = {"id": hypervisor_id(index) if ctx.at_least(53) else index + 1,
                               "hypervisor_hostname": f"{host}.simcloud.local",
                               "state": "down" if service["forced_down"] else "up",
                               "status": service["status"]}
        if detail:
            doc.update({"host_ip": f"192.168.10.{index + 11}", "hypervisor_type": "QEMU",
                        "hypervisor_version": 8002000,
                        "service": {"host": host, "id": service["id"],
                                    "disabled_reason": service["disabled_reason"]}})
            if not ctx.at_least(88):
                count = len(on_host)
                doc.update({"vcpus": 64, "memory_mb": 262144, "local_gb": 2000,
                            "vcpus_used": min(64, count),
                            "memory_mb_used": min(262144, count * 2048),
                            "local_gb_used": min(2000, count * 20),
                            "free_ram_mb": max(0, 262144 - count * 2048),
                            "free_disk_gb": max(0, 2000 - count * 20),
                            "current_workload": 0, "running_vms": count,
                            "disk_available_least": 1800, "cpu_info": "{}"})
        if with_servers and (on_host or ctx.at_least(75)):
            doc["servers"] = [{"name": f"instance-{s.seq:08x}", "uuid": s.id} for s in on_host]
        result.append(doc)
    return result


def list_hypervisors(ctx: Ctx) -> Response:
    """GET /os-hypervisors (admin)."""
    return Response(200, {"hypervisors": hypervisor_docs(ctx, False)})


def list_hypervisors_detail(ctx: Ctx) -> Response:
    """GET /os-hypervisors/detail (admin)."""
    return Response(200, {"hypervisors": hypervisor_docs(ctx, True)})


def list_services(ctx: Ctx) -> Response:
    """GET /os-services (admin): conductor, scheduler and one nova-compute per host."""
    from tuicloud.simcloud.nova_hosts import service_docs

    require_admin(ctx, "os_compute_api:os-services:list")
    for name in ctx.req.query:
        if name not in ("host", "binary"):  # Nova's query schema: nothing else, no paging
            raise ApiError(400, f"Additional properties are not allowed ('{name}' was "
                                "unexpected)")
    host, binary = ctx.req.arg("host"), ctx.req.arg("binary")
    return Response(200, {"services": [
        doc for doc in service_docs(ctx)
        if (host is None or doc["host"] == host) and (binary is None or doc["binary"] == binary)]})
