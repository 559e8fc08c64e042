"""Cinder's attachments API (3.27+): reserve a volume for an instance, give it a connector,
complete (3.44), delete; shaped as the rig answers (a reservation makes the volume
``reserved``, completing makes it ``in-use``)."""

from __future__ import annotations

import uuid
from typing import Any

from tuicloud.simcloud.cinder_api import Version, VersionedHandler, svc_of
from tuicloud.simcloud.core import ApiError, Request, Response, SimCloud, isotime

NOT_FOUND = "The resource could not be found."


def routes() -> list[tuple[str, str, VersionedHandler]]:
    """(method, path under /v3, handler); ``detail`` before ``{id}``."""
    return [
        ("GET", "/attachments", list_summary), ("GET", "/attachments/detail", list_detail),
        ("POST", "/attachments", create), ("GET", "/attachments/{attachment_id}", show),
        ("PUT", "/attachments/{attachment_id}", update),
        ("POST", "/attachments/{attachment_id}/action", action),
        ("DELETE", "/attachments/{attachment_id}", delete),
    ]


def _since(version: Version, minimum: Version) -> None:
    if version < minimum:
        raise ApiError(404, NOT_FOUND)


def _store(cloud: SimCloud) -> dict[str, dict[str, Any]]:
    store: dict[str, dict[str, Any]] = svc_of(cloud).__dict__.setdefault("api_attachments", {})
    return store


def _visible(cloud: SimCloud, request: Request) -> list[dict[str, Any]]:
    token = request.authed
    return [a for a in _store(cloud).values()
            if token.is_admin or a["project_id"] == token.project_id]


def _doc(att: dict[str, Any], detail: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": att["id"], "status": att["status"], "instance": att["instance"],
           "volume_id": att["volume_id"]}
    if detail:
        doc.update({"attached_at": att["attached_at"], "detached_at": "",
                    "attach_mode": att["attach_mode"],
                    "connection_info": dict(att["connection_info"])})
    return doc


def _one(cloud: SimCloud, request: Request) -> dict[str, Any]:
    wanted = request.params["attachment_id"]
    for att in _visible(cloud, request):
        if att["id"] == wanted:
            return att
    raise ApiError(404, "Volume attachment could not be found with filter: attachment_id = "
                        f"{wanted}.")


def list_summary(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/attachments."""
    _since(version, (3, 27))
    with cloud.lock:
        return Response(200, {"attachments": [_doc(a, False) for a in _visible(cloud, request)]})


def list_detail(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/attachments/detail."""
    _since(version, (3, 27))
    with cloud.lock:
        return Response(200, {"attachments": [_doc(a) for a in _visible(cloud, request)]})


def show(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/attachments/{id}."""
    _since(version, (3, 27))
    with cloud.lock:
        return Response(200, {"attachment": _doc(_one(cloud, request))})


def _uuid(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    try:
        uuid.UUID(str(value))
    except ValueError as exc:
        raise ApiError(400, f"Invalid input for field/attribute {field}. Value: {value}. "
                            f"'{value}' is not a 'uuid'") from exc
    return str(value)


def create(cloud: SimCloud, request: Request, version: Version) -> Response:
    """POST /v3/attachments: reserve an available volume for an instance."""
    _since(version, (3, 27))
    body = request.json_object("attachment")
    volume_id, instance = _uuid(body, "volume_uuid"), _uuid(body, "instance_uuid")
    token = request.authed
    with cloud.lock:
        svc = svc_of(cloud)
        volume = svc.volumes.get(volume_id)
        if volume is None or not (token.is_admin or volume["project_id"] == token.project_id):
            raise ApiError(404, f"Volume {volume_id} could not be found.")
        if volume["status"] != "available":
            raise ApiError(400, f"Invalid volume: Volume {volume_id} status must be available "
                                f"or downloading to reserve, but the current status is "
                                f"{volume['status']}.")
        att = {"id": str(uuid.uuid4()), "status": "reserved", "instance": instance,
               "volume_id": volume_id, "attached_at": "", "attach_mode": "null",
               "connection_info": {}, "project_id": volume["project_id"]}
        _store(cloud)[att["id"]] = att
        volume["status"] = "reserved"
        svc.touch(volume)
        return Response(200, {"attachment": _doc(att)})


def update(cloud: SimCloud, request: Request, version: Version) -> Response:
    """PUT /v3/attachments/{id} with a connector: the connection info is filled in."""
    _since(version, (3, 27))
    connector = request.json_object("attachment").get("connector")
    if not isinstance(connector, dict):
        raise ApiError(400, "Invalid input for field/attribute attachment. 'connector' is a "
                            "required property")
    with cloud.lock:
        att = _one(cloud, request)
        att["mountpoint"] = str(connector.get("mountpoint") or "")
        att["connection_info"] = {
            "access_mode": "rw", "qos_specs": None, "encrypted": False, "cacheable": False,
            "driver_volume_type": "iscsi", "attachment_id": att["id"],
            "enforce_multipath": False}
        return Response(200, {"attachment": _doc(att)})


def action(cloud: SimCloud, request: Request, version: Version) -> Response:
    """POST /v3/attachments/{id}/action {"os-complete": null} (3.44): the volume is in-use."""
    _since(version, (3, 44))
    body = request.json_object()
    if "os-complete" not in body:
        raise ApiError(400, "Invalid request: only os-complete is an attachment action.")
    with cloud.lock:
        att = _one(cloud, request)
        svc = svc_of(cloud)
        volume = svc.volumes[att["volume_id"]]
        att.update(status="attached", attached_at=isotime(micro=True)[:-1], attach_mode="rw")
        svc._attach_record(volume, att["instance"], att.get("mountpoint", ""),  # noqa: SLF001
                           att["id"])
    return Response(204)


def delete(cloud: SimCloud, request: Request, version: Version) -> Response:
    """DELETE /v3/attachments/{id}: the volume is available again (or still in-use for its
    other attachments); answers the volume's remaining attachments."""
    _since(version, (3, 27))
    with cloud.lock:
        att = _one(cloud, request)
        del _store(cloud)[att["id"]]
        svc = svc_of(cloud)
        volume = svc.volumes.get(att["volume_id"])
        remaining: list[dict[str, Any]] = []
        if volume is not None:
            volume["attachments"] = [a for a in volume["attachments"]
                                     if a.get("attachment_id") != att["id"]]
            volume["status"] = "in-use" if volume["attachments"] else "available"
            svc.touch(volume)
            remaining = [_doc(a) for a in _store(cloud).values()
                         if a["volume_id"] == volume["id"]]
    return Response(200, {"attachments": remaining})
