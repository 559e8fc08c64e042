"""Nova's smaller APIs, shaped as the rig answers them: one hypervisor, server groups, and the
proxies to Glance and Neutron that microversion 2.36 removed (``/images``,
``/os-floating-ip-pools``)."""

from __future__ import annotations

import uuid
from typing import Any

from tuicloud.simcloud.core import ApiError, Response, Router, new_id
from tuicloud.simcloud.nova_model import Ctx, api, forbidden

POLICIES = ("anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity")
_IMAGE_STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING",
                 "deleted": "DELETED", "pending_delete": "DELETED", "killed": "ERROR"}
_IMAGE_PROGRESS = {"queued": 25, "saving": 50, "active": 100}
_IMAGE_CORE = frozenset((
    "id", "name", "status", "visibility", "protected", "os_hidden", "owner", "checksum",
    "os_hash_algo", "os_hash_value", "size", "virtual_size", "min_disk", "min_ram",
    "disk_format", "container_format", "created_at", "updated_at", "tags", "locations",
    "direct_url", "stores"))


def register(router: Router, service: str) -> None:
    """Routes for hypervisor show, server groups and the pre-2.36 proxies."""
    v = "/compute/v2.1"
    for method, path, handler in (
        ("GET", "/os-hypervisors/{hypervisor_id}", show_hypervisor),
        ("GET", "/os-server-groups", list_server_groups),
        ("POST", "/os-server-groups", create_server_group),
        ("GET", "/os-server-groups/{group_id}", show_server_group),
        ("DELETE", "/os-server-groups/{group_id}", delete_server_group),
        ("GET", "/os-floating-ip-pools", list_floating_ip_pools),
        ("GET", "/images", list_images),
        ("GET", "/images/detail", list_images_detail),
        ("GET", "/images/{image_id}", show_image),
    ):
        router.add(method, v + path, api(handler), service=service)


def _removed_at_2_36(ctx: Ctx) -> None:
    if ctx.at_least(36):
        raise ApiError(404, "The resource could not be found.")


# -- hypervisors ------------------------------------------------------------------------------
def show_hypervisor(ctx: Ctx) -> Response:
    """GET /os-hypervisors/{id} (admin): the detail document of one hypervisor; an integer id
    before 2.53, a UUID from then on."""
    from tuicloud.simcloud.nova_misc import hypervisor_docs

    if not ctx.is_admin:
        raise forbidden("os_compute_api:os-hypervisors:show")
    wanted = ctx.param("hypervisor_id")
    if ctx.at_least(53):
        try:
            uuid.UUID(wanted)
        except ValueError as exc:
            raise ApiError(400, f"Invalid uuid {wanted}") from exc
    for doc in hypervisor_docs(ctx, True):
        if str(doc["id"]) == wanted:
            if ctx.at_least(88):
                doc["uptime"] = (" 00:00:00 up 1 day,  0:00,  0 users,  load average: 0.00, "
                                 "0.00, 0.00")
            return Response(200, {"hypervisor": doc})
    raise ApiError(404, f"Hypervisor with ID '{wanted}' could not be found.")


# -- server groups ----------------------------------------------------------------------------
def _groups(ctx: Ctx) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = ctx.svc.__dict__.setdefault("server_groups", {})
    return groups


def _group_doc(ctx: Ctx, group: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": group["id"], "name": group["name"]}
    if ctx.at_least(64):
        doc.update(policy=group["policy"], rules=dict(group["rules"]))
    else:
        doc.update(policies=[group["policy"]], metadata={})
    doc["members"] = list(group["members"])
    if ctx.at_least(13):
        doc.update(project_id=group["project_id"], user_id=group["user_id"])
    return doc


def _group_policy(ctx: Ctx, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    allowed = list(POLICIES if ctx.at_least(15) else POLICIES[:2])
    if ctx.at_least(64):
        policy = body.get("policy")
        if policy not in allowed:
            raise ApiError(400, f"Invalid input for field/attribute policy. Value: {policy}. "
                                f"{policy!r} is not one of {allowed}")
        rules = body.get("rules") or {}
        if not isinstance(rules, dict):
            raise ApiError(400, f"Invalid input for field/attribute rules. Value: {rules}. "
                                f"{rules!r} is not of type 'object'")
        return str(policy), rules
    policies = body.get("policies")
    if not isinstance(policies, list) or len(policies) != 1 or policies[0] not in allowed:
        raise ApiError(400, f"Invalid input for field/attribute policies. Value: {policies}. "
                            f"{policies!r} is not valid under any of the given schemas")
    return str(policies[0]), {}


def create_server_group(ctx: Ctx) -> Response:
    """POST /os-server-groups: 200 with the group (``policies`` before 2.64, then ``policy``
    and ``rules``)."""
    body = ctx.req.json_object("server_group")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise ApiError(400, f"Invalid input for field/attribute name. Value: {name}. "
                            f"{name!r} is not a valid name")
    policy, rules = _group_policy(ctx, body)
    group: dict[str, Any] = {
        "id": new_id(), "name": name, "policy": policy, "rules": rules, "members": [],
        "project_id": ctx.project_id, "user_id": ctx.user_id}
    _groups(ctx)[group["id"]] = group
    return Response(200, {"server_group": _group_doc(ctx, group)})


def list_server_groups(ctx: Ctx) -> Response:
    """GET /os-server-groups: the project's groups (every project's with all_projects)."""
    everyone = ctx.is_admin and ctx.req.arg("all_projects", "") not in ("", "0", "false")
    groups = [g for g in _groups(ctx).values() if everyone or g["project_id"] == ctx.project_id]
    return Response(200, {"server_groups": [_group_doc(ctx, g) for g in groups]})


def _group(ctx: Ctx) -> dict[str, Any]:
    group = _groups(ctx).get(ctx.param("group_id"))
    if group is None or (group["project_id"] != ctx.project_id and not ctx.is_admin):
        raise ApiError(404, f"Instance group {ctx.param('group_id')} could not be found.")
    return group


def show_server_group(ctx: Ctx) -> Response:
    """GET /os-server-groups/{id}."""
    return Response(200, {"server_group": _group_doc(ctx, _group(ctx))})


def delete_server_group(ctx: Ctx) -> Response:
    """DELETE /os-server-groups/{id}: 204."""
    del _groups(ctx)[_group(ctx)["id"]]
    return Response(204)


# -- proxies removed at 2.36 ------------------------------------------------------------------
def list_floating_ip_pools(ctx: Ctx) -> Response:
    """GET /os-floating-ip-pools (before 2.36): the external networks' names."""
    _removed_at_2_36(ctx)
    neutron = ctx.cloud.services.get("network")
    networks = list(neutron.networks.values()) if neutron is not None else []
    pools = [{"name": n["name"]} for n in networks if n.get("router:external")]
    return Response(200, {"floating_ip_pools": pools})


def _image_doc(ctx: Ctx, record: dict[str, Any], detail: bool) -> dict[str, Any]:
    image_id = record["id"]
    links = [
        {"rel": "self", "href": f"{ctx.base}/v2.1/images/{image_id}"},
        {"rel": "bookmark", "href": f"{ctx.base}/images/{image_id}"},
        {"rel": "alternate", "type": "application/vnd.openstack.image",
         "href": f"{ctx.cloud.base_url}/image/images/{image_id}"},
    ]
    doc: dict[str, Any] = {"id": image_id, "name": record["name"]}
    if detail:
        status = record["status"]
        metadata = {k: v for k, v in record.items()
                    if k not in _IMAGE_CORE and isinstance(v, str)}
        doc.update({
            "minRam": record.get("min_ram") or 0, "minDisk": record.get("min_disk") or 0,
            "metadata": metadata,
            "created": str(record["created_at"])[:19] + "Z",
            "updated": str(record["updated_at"])[:19] + "Z",
            "status": _IMAGE_STATUS.get(status, "UNKNOWN"),
            "progress": _IMAGE_PROGRESS.get(status, 0),
            "OS-EXT-IMG-SIZE:size": record.get("size") or 0,
        })
        server_id = record.get("instance_uuid")
        if isinstance(server_id, str):
            doc["server"] = {"id": server_id, "links": [
                {"rel": "self", "href": f"{ctx.base}/v2.1/servers/{server_id}"},
                {"rel": "bookmark", "href": f"{ctx.base}/servers/{server_id}"}]}
    doc["links"] = links
    return doc


def _images(ctx: Ctx, detail: bool) -> Response:
    _removed_at_2_36(ctx)
    glance = ctx.svc.image_service()
    records = [] if glance is None else [
        r for r in glance.images.values()
        if glance.can_see(r, ctx.project_id, ctx.is_admin)]
    records.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return Response(200, {"images": [_image_doc(ctx, r, detail) for r in records]})


def list_images(ctx: Ctx) -> Response:
    """GET /images (before 2.36): Nova's proxy of Glance's list."""
    return _images(ctx, False)


def list_images_detail(ctx: Ctx) -> Response:
    """GET /images/detail (before 2.36)."""
    return _images(ctx, True)


def show_image(ctx: Ctx) -> Response:
    """GET /images/{id} (before 2.36)."""
    _removed_at_2_36(ctx)
    glance = ctx.svc.image_service()
    record = None if glance is None else glance.image_visible_to(
        ctx.param("image_id"), ctx.project_id, ctx.is_admin)
    if record is None:
        raise ApiError(404, "Image not found.")
    return Response(200, {"image": _image_doc(ctx, record, True)})

