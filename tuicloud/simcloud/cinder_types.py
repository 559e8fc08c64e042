"""Cinder volume type management (admin): create, update, delete and extra specs, shaped as the
rig's Cinder answers them."""

from __future__ import annotations

from typing import Any

from tuicloud.simcloud.cinder_api import Version, VersionedHandler, bool_arg, svc_of
from tuicloud.simcloud.core import ApiError, Request, Response, SimCloud, new_id


def routes() -> list[tuple[str, str, VersionedHandler]]:
    """(method, path under /v3, handler) for the type management calls."""
    return [
        ("POST", "/types", create_type),
        ("PUT", "/types/{type_id}", update_type),
        ("DELETE", "/types/{type_id}", delete_type),
        ("GET", "/types/{type_id}/extra_specs", list_extra_specs),
        ("POST", "/types/{type_id}/extra_specs", set_extra_specs),
        ("DELETE", "/types/{type_id}/extra_specs/{key}", delete_extra_spec),
    ]


def _admin(request: Request, rule: str) -> None:
    if not request.authed.is_admin:
        raise ApiError(403, f"Policy doesn't allow volume_extension:{rule} to be performed.")


def _vtype(cloud: SimCloud, request: Request) -> dict[str, Any]:
    vtype: dict[str, Any] | None = svc_of(cloud).types.get(request.params["type_id"])
    if vtype is None:
        raise ApiError(404, f"Volume type {request.params['type_id']} could not be found.")
    return vtype


def _specs(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 255 and len(v) <= 255
            for k, v in value.items()):
        raise ApiError(400, f"Invalid input for field/attribute extra_specs. Value: {value}.")
    return dict(value)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise ApiError(400, f"Invalid input for field/attribute name. Value: {value}.")
    return value.strip()


def _doc(vtype: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in vtype.items() if k != "qos_specs_id"} | {
        "extra_specs": dict(vtype["extra_specs"])}


def create_type(cloud: SimCloud, request: Request, version: Version) -> Response:
    """POST /v3/types (admin): 200; 409 for a name in use."""
    _admin(request, "type_create")
    body = request.json_object("volume_type")
    name = _name(body.get("name"))
    public = bool_arg(body.get("os-volume-type-access:is_public", True), "is_public")
    specs = _specs(body.get("extra_specs") or {})
    with cloud.lock:
        svc = svc_of(cloud)
        if any(t["name"] == name for t in svc.types.values()):
            raise ApiError(409, f"Volume Type {name} already exists.")
        vtype: dict[str, Any] = {
            "id": new_id(), "name": name, "is_public": public, "extra_specs": specs,
            "description": body.get("description"),
            "os-volume-type-access:is_public": public, "qos_specs_id": None}
        svc.types[vtype["id"]] = vtype
        return Response(200, {"volume_type": _doc(vtype)})


def update_type(cloud: SimCloud, request: Request, version: Version) -> Response:
    """PUT /v3/types/{id} (admin): name, description, is_public."""
    _admin(request, "type_update")
    body = request.json_object("volume_type")
    with cloud.lock:
        vtype = _vtype(cloud, request)
        if "name" in body:
            name = _name(body["name"])
            if any(t["name"] == name and t is not vtype for t in svc_of(cloud).types.values()):
                raise ApiError(409, f"Volume Type {name} already exists.")
            vtype["name"] = name
        if "description" in body:
            vtype["description"] = body["description"]
        if "is_public" in body:
            vtype["is_public"] = bool_arg(body["is_public"], "is_public")
        doc = {k: v for k, v in _doc(vtype).items() if k != "os-volume-type-access:is_public"}
        return Response(200, {"volume_type": doc})


def delete_type(cloud: SimCloud, request: Request, version: Version) -> Response:
    """DELETE /v3/types/{id} (admin): 202; 400 while volumes use it."""
    _admin(request, "type_delete")
    with cloud.lock:
        svc = svc_of(cloud)
        vtype = _vtype(cloud, request)
        if vtype["name"] == "__DEFAULT__" or any(
                v["volume_type_id"] == vtype["id"] for v in svc.volumes.values()):
            raise ApiError(400, "Target volume type is still in use.")
        del svc.types[vtype["id"]]
    return Response(202)


def list_extra_specs(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/types/{id}/extra_specs (admin)."""
    _admin(request, "types_extra_specs:index")
    with cloud.lock:
        return Response(200, {"extra_specs": dict(_vtype(cloud, request)["extra_specs"])})


def set_extra_specs(cloud: SimCloud, request: Request, version: Version) -> Response:
    """POST /v3/types/{id}/extra_specs (admin): merge; answers what was sent."""
    _admin(request, "types_extra_specs:create")
    specs = _specs(request.json_object("extra_specs"))
    with cloud.lock:
        _vtype(cloud, request)["extra_specs"].update(specs)
    return Response(200, {"extra_specs": specs})


def delete_extra_spec(cloud: SimCloud, request: Request, version: Version) -> Response:
    """DELETE /v3/types/{id}/extra_specs/{key} (admin): 202; 404 for an unknown key."""
    _admin(request, "types_extra_specs:delete")
    key = request.params["key"]
    with cloud.lock:
        vtype = _vtype(cloud, request)
        if key not in vtype["extra_specs"]:
            raise ApiError(404, f"Volume Type {vtype['id']} has no extra specs with key {key}.")
        del vtype["extra_specs"][key]
    return Response(202)
