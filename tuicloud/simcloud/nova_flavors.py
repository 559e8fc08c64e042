"""Nova's flavors: list (public/private, minDisk/minRam, pagination), show, create/delete
(admin), extra specs and project access."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from tuicloud.simcloud.core import ApiError, Response, Router
from tuicloud.simcloud.nova_model import Ctx, api, body_object, limit_arg, require_admin
from tuicloud.simcloud.nova_views import flavor_doc

MAX_LIMIT = 1000


def register(router: Router, service: str) -> None:
    """Flavor routes (fixed paths before ``{flavor_id}``: the router takes the first match)."""
    base = "/compute/v2.1/flavors"
    for method, path, handler in (
        ("GET", "", list_flavors), ("GET", "/detail", list_flavors_detail),
        ("POST", "", create_flavor), ("GET", "/{flavor_id}", show_flavor),
        ("PUT", "/{flavor_id}", update_flavor), ("DELETE", "/{flavor_id}", delete_flavor),
        ("POST", "/{flavor_id}/action", flavor_action),
        ("GET", "/{flavor_id}/os-flavor-access", flavor_access),
        ("GET", "/{flavor_id}/os-extra_specs", list_extra_specs),
        ("POST", "/{flavor_id}/os-extra_specs", add_extra_specs),
        ("GET", "/{flavor_id}/os-extra_specs/{key}", show_extra_spec),
        ("PUT", "/{flavor_id}/os-extra_specs/{key}", set_extra_spec),
        ("DELETE", "/{flavor_id}/os-extra_specs/{key}", delete_extra_spec),
    ):
        router.add(method, base + path, api(handler), service=service)


# -- flavors ------------------------------------------------------------------------------------

def _flavor(ctx: Ctx) -> dict[str, Any]:
    flavor_id = ctx.param("flavor_id")
    flavor = ctx.svc.flavor_visible(ctx, flavor_id)
    if flavor is None:
        raise ApiError(404, f"Flavor {flavor_id} could not be found.")
    return flavor


def _list_flavors(ctx: Ctx, detail: bool) -> Response:
    req = ctx.req
    svc = ctx.svc
    public: bool | None = True
    if ctx.is_admin:
        flag = (req.arg("is_public") or "true").lower()
        public = None if flag == "none" else flag in ("1", "t", "true", "yes", "y", "on")
    flavors = [f for f in svc.flavors.values() if not f["deleted"]]
    if public is None:
        chosen = flavors
    elif ctx.is_admin:
        chosen = [f for f in flavors if f["is_public"] == public]
    else:
        chosen = [f for f in flavors if f["is_public"]
                  or ctx.project_id in svc.flavor_access.get(f["id"], ())]
    for param, field in (("minDisk", "disk"), ("minRam", "ram")):
        raw = req.arg(param)
        if raw is not None:
            try:
                minimum = int(raw)
            except ValueError as exc:
                raise ApiError(400, f"Invalid {param} filter [{raw}]") from exc
            chosen = [f for f in chosen if f[field] >= minimum]
    sort_keys = {"flavorid": "id", "id": "id", "name": "name", "memory_mb": "ram",
                 "ram": "ram", "vcpus": "vcpus", "root_gb": "disk", "disk": "disk"}
    key = sort_keys.get(req.arg("sort_key") or "flavorid")
    if key is None:
        raise ApiError(400, f"Invalid input for query parameters sort_key. Value: "
                            f"{req.arg('sort_key')}.")
    sort_field: str = key
    chosen.sort(key=lambda f: f[sort_field], reverse=(req.arg("sort_dir") or "asc") == "desc")
    marker = req.arg("marker")
    start = 0
    if marker is not None:
        ids = [f["id"] for f in chosen]
        if marker not in ids:
            raise ApiError(400, f"marker [{marker}] not found")
        start = ids.index(marker) + 1
    limit = limit_arg(req)
    size = MAX_LIMIT if limit is None else min(limit, MAX_LIMIT)
    page = chosen[start:start + size]
    body: dict[str, Any] = {"flavors": [flavor_doc(ctx, f, detail) for f in page]}
    if size and len(page) == size:
        params = [(k, v) for k, vals in req.query.items() if k != "marker" for v in vals]
        params.append(("marker", page[-1]["id"]))
        path = "flavors/detail" if detail else "flavors"
        body["flavors_links"] = [{"rel": "next",
                                  "href": f"{ctx.base}/v2.1/{path}?{urlencode(params)}"}]
    return Response(200, body)


def list_flavors(ctx: Ctx) -> Response:
    """GET /flavors."""
    return _list_flavors(ctx, False)


def list_flavors_detail(ctx: Ctx) -> Response:
    """GET /flavors/detail."""
    return _list_flavors(ctx, True)


def show_flavor(ctx: Ctx) -> Response:
    """GET /flavors/{id}."""
    return Response(200, {"flavor": flavor_doc(ctx, _flavor(ctx))})


def create_flavor(ctx: Ctx) -> Response:
    """POST /flavors (admin)."""
    require_admin(ctx, "os_compute_api:os-flavor-manage:create")
    body = body_object(ctx, "flavor")
    svc = ctx.svc
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise ApiError(400, "Invalid input for field/attribute name.")
    values: dict[str, int] = {}
    for field, minimum in (("ram", 1), ("vcpus", 1), ("disk", 0), ("swap", 0),
                           ("OS-FLV-EXT-DATA:ephemeral", 0)):
        raw = body.get(field, 0 if field in ("swap", "OS-FLV-EXT-DATA:ephemeral") else None)
        try:
            number = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"Invalid input for field/attribute {field}. Value: "
                                f"{raw}.") from exc
        if number < minimum:
            raise ApiError(400, f"Invalid input for field/attribute {field}. Value: {raw}. "
                                f"{raw} is less than the minimum of {minimum}")
        values[field] = number
    live = [f for f in svc.flavors.values() if not f["deleted"]]
    flavor_id = str(body.get("id") or "") or str(
        max((int(f["id"]) for f in svc.flavors.values() if f["id"].isdigit()), default=0) + 1)
    if any(f["name"] == name for f in live):
        raise ApiError(409, f"Flavor with name {name} already exists.")
    if flavor_id in svc.flavors:
        raise ApiError(409, f"Flavor with ID {flavor_id} already exists.")
    svc.flavors[flavor_id] = {
        "id": flavor_id, "name": name, "vcpus": values["vcpus"], "ram": values["ram"],
        "disk": values["disk"], "ephemeral": values["OS-FLV-EXT-DATA:ephemeral"],
        "swap": values["swap"], "is_public": bool(body.get("os-flavor-access:is_public", True)),
        "description": body.get("description") if ctx.at_least(55) else None,
        "extra_specs": {}, "rxtx_factor": float(body.get("rxtx_factor", 1.0)),
        "disabled": False, "deleted": False}
    return Response(200, {"flavor": flavor_doc(ctx, svc.flavors[flavor_id])})


def update_flavor(ctx: Ctx) -> Response:
    """PUT /flavors/{id} (2.55, admin): the description."""
    if not ctx.at_least(55):
        raise ApiError(405, "The method specified is not allowed for this resource.")
    require_admin(ctx, "os_compute_api:os-flavor-manage:update")
    flavor = _flavor(ctx)
    body = body_object(ctx, "flavor")
    if set(body) != {"description"}:
        raise ApiError(400, "Invalid input for field/attribute flavor. 'description' is a "
                            "required property")
    flavor["description"] = body["description"]
    return Response(200, {"flavor": flavor_doc(ctx, flavor)})


def delete_flavor(ctx: Ctx) -> Response:
    """DELETE /flavors/{id} (admin); servers keep showing their flavor."""
    require_admin(ctx, "os_compute_api:os-flavor-manage:delete")
    _flavor(ctx)["deleted"] = True
    return Response(202)


def flavor_access(ctx: Ctx) -> Response:
    """GET /flavors/{id}/os-flavor-access (admin)."""
    require_admin(ctx, "os_compute_api:os-flavor-access")
    flavor = _flavor(ctx)
    if flavor["is_public"]:
        raise ApiError(404, "Access list not available for public flavors.")
    projects = sorted(ctx.svc.flavor_access.get(flavor["id"], ()))
    return Response(200, {"flavor_access": [{"flavor_id": flavor["id"], "tenant_id": p}
                                            for p in projects]})


def flavor_action(ctx: Ctx) -> Response:
    """POST /flavors/{id}/action: addTenantAccess / removeTenantAccess (admin)."""
    require_admin(ctx, "os_compute_api:os-flavor-access:add_tenant_access")
    flavor = _flavor(ctx)
    body = ctx.req.json_object()
    access = ctx.svc.flavor_access.setdefault(flavor["id"], set())
    for action, adding in (("addTenantAccess", True), ("removeTenantAccess", False)):
        if isinstance(body.get(action), dict):
            tenant = str(body[action].get("tenant", ""))
            if flavor["is_public"]:
                raise ApiError(409, "Can not add access to a public flavor.")
            if adding:
                if tenant in access:
                    raise ApiError(409, f"Flavor access already exists for flavor "
                                        f"{flavor['id']} and project {tenant} combination.")
                access.add(tenant)
            else:
                if tenant not in access:
                    raise ApiError(404, f"Flavor access not found for {flavor['id']} / "
                                        f"{tenant} combination.")
                access.discard(tenant)
            return Response(200, {"flavor_access": [
                {"flavor_id": flavor["id"], "tenant_id": p} for p in sorted(access)]})
    raise ApiError(400, f"There is no such action: {next(iter(body), '')}")


def list_extra_specs(ctx: Ctx) -> Response:
    """GET /flavors/{id}/os-extra_specs."""
    return Response(200, {"extra_specs": dict(_flavor(ctx)["extra_specs"])})


def _specs_body(ctx: Ctx) -> dict[str, str]:
    body = ctx.req.json_object()
    specs = body.get("extra_specs", body)
    if not isinstance(specs, dict) or not specs:
        raise ApiError(400, "Invalid input for field/attribute extra_specs.")
    for key, value in specs.items():
        if not re.fullmatch(r"[\w.:-]{1,255}", str(key)) or not isinstance(
                value, (str, int, float, bool)):
            raise ApiError(400, f"Invalid input for field/attribute extra_specs. Value: "
                                f"{key}.")
    if ctx.at_least(86):  # Nova validates the specs it knows from 2.86
        policy = specs.get("hw:cpu_policy")
        if policy is not None and policy not in _CPU_POLICIES:
            raise ApiError(400, f"Validation failed; '{policy}' is not one of: "
                                f"{', '.join(_CPU_POLICIES)}.")
    return {str(k): str(v) for k, v in specs.items()}


_CPU_POLICIES = ("dedicated", "shared", "mixed")


def add_extra_specs(ctx: Ctx) -> Response:
    """POST /flavors/{id}/os-extra_specs (admin)."""
    require_admin(ctx, "os_compute_api:os-flavor-extra-specs:create")
    flavor = _flavor(ctx)
    specs = _specs_body(ctx)
    flavor["extra_specs"].update(specs)
    return Response(200, {"extra_specs": specs})


def show_extra_spec(ctx: Ctx) -> Response:
    """GET /flavors/{id}/os-extra_specs/{key}."""
    flavor = _flavor(ctx)
    key = ctx.param("key")
    if key not in flavor["extra_specs"]:
        raise ApiError(404, f"Flavor {flavor['id']} has no extra specs with key {key}.")
    return Response(200, {key: flavor["extra_specs"][key]})


def set_extra_spec(ctx: Ctx) -> Response:
    """PUT /flavors/{id}/os-extra_specs/{key} (admin)."""
    require_admin(ctx, "os_compute_api:os-flavor-extra-specs:update")
    flavor = _flavor(ctx)
    key = ctx.param("key")
    specs = _specs_body(ctx)
    if key not in specs:
        raise ApiError(400, "Request body and URI mismatch")
    if len(specs) > 1:
        raise ApiError(400, "Request body contains too many items")
    flavor["extra_specs"][key] = specs[key]
    return Response(200, {key: specs[key]})


def delete_extra_spec(ctx: Ctx) -> Response:
    """DELETE /flavors/{id}/os-extra_specs/{key} (admin)."""
    require_admin(ctx, "os_compute_api:os-flavor-extra-specs:delete")
    flavor = _flavor(ctx)
    key = ctx.param("key")
    if flavor["extra_specs"].pop(key, None) is None:
        raise ApiError(404, f"Flavor {flavor['id']} has no extra specs with key {key}.")
    return Response(202)
