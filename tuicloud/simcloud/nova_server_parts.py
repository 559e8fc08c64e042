"""A server's sub-resources: metadata, tags (2.26), IPs, interfaces and volume attachments."""

from __future__ import annotations

import uuid
from typing import Any

from tuicloud.simcloud.core import ApiError, Response, Router
from tuicloud.simcloud.nova_lifecycle import (
    apply_burst,
    bad_input,
    check_lock,
    check_metadata,
    check_state,
    next_device,
    requested_nics,
)
from tuicloud.simcloud.nova_model import Ctx, Server, api, forbidden, limit_arg
from tuicloud.simcloud.nova_validation import check_metadata_schema
from tuicloud.simcloud.nova_views import addresses

_METADATA_STATES = ("active", "paused", "suspended", "stopped", "shelved",
                    "shelved_offloaded", "error", "building", "rescued", "resized")
_ATTACH_STATES = ("active", "paused", "stopped", "suspended", "shelved", "shelved_offloaded",
                  "resized")


def register(router: Router, service: str) -> None:
    """Routes under /servers/{id}/ other than actions."""
    one = "/compute/v2.1/servers/{server_id}"
    for method, path, handler in (
        ("GET", "/metadata", show_metadata), ("POST", "/metadata", merge_metadata),
        ("PUT", "/metadata", replace_metadata), ("GET", "/metadata/{key}", show_meta_item),
        ("PUT", "/metadata/{key}", set_meta_item),
        ("DELETE", "/metadata/{key}", delete_meta_item),
        ("GET", "/tags", list_tags), ("PUT", "/tags", replace_tags),
        ("DELETE", "/tags", clear_tags), ("GET", "/tags/{tag}", check_tag),
        ("PUT", "/tags/{tag}", add_tag), ("DELETE", "/tags/{tag}", delete_tag),
        ("GET", "/ips", list_ips), ("GET", "/ips/{network}", show_ips),
        ("GET", "/os-interface", list_interfaces), ("POST", "/os-interface", attach_interface),
        ("GET", "/os-interface/{port_id}", show_interface),
        ("GET", "/os-volume_attachments", list_attachments),
        ("POST", "/os-volume_attachments", attach_volume),
        ("GET", "/os-volume_attachments/{volume_id}", show_attachment),
        ("DELETE", "/os-volume_attachments/{volume_id}", detach_volume),
        ("PUT", "/os-volume_attachments/{volume_id}", update_attachment),
    ):
        router.add(method, one + path, api(handler), service=service)


# -- metadata -----------------------------------------------------------------------------------


def _metadata_server(ctx: Ctx, change: bool) -> Server:
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    if change:
        check_lock(ctx, server)
        check_state(server, "update metadata", _METADATA_STATES,
                    (None, "image_snapshot", "powering-off", "powering-on"))
    return server


def _set_metadata(ctx: Ctx, server: Server, metadata: dict[str, str]) -> None:
    old = server.metadata or {}
    server.metadata = metadata or None
    server.hostile = "simcloud:hostile-console" in metadata
    if "simcloud:console-burst" in metadata and (
            old.get("simcloud:console-burst") is None or metadata != old):
        apply_burst(server)
    ctx.svc.touch(server)


def show_metadata(ctx: Ctx) -> Response:
    """GET /servers/{id}/metadata."""
    server = _metadata_server(ctx, False)
    return Response(200, {"metadata": dict(server.metadata or {})})


def _metadata_body(ctx: Ctx, key: str = "metadata") -> dict[str, str]:
    body = ctx.req.json_object()
    inner = body.get(key)
    if not isinstance(inner, dict):
        raise ApiError(400, f"Invalid input for field/attribute {key}. Value: {body}. "
                            f"'{key}' is a required property")
    check_metadata_schema(inner, key)
    check_metadata(ctx, inner)
    return {str(k): str(v) for k, v in inner.items()}


def merge_metadata(ctx: Ctx) -> Response:
    """POST /servers/{id}/metadata: add or change items."""
    server = _metadata_server(ctx, True)
    merged = dict(server.metadata or {})
    merged.update(_metadata_body(ctx))
    check_metadata(ctx, merged)
    _set_metadata(ctx, server, merged)
    return Response(200, {"metadata": dict(merged)})


def replace_metadata(ctx: Ctx) -> Response:
    """PUT /servers/{id}/metadata: replace all items."""
    server = _metadata_server(ctx, True)
    new = _metadata_body(ctx)
    _set_metadata(ctx, server, new)
    return Response(200, {"metadata": dict(new)})


def show_meta_item(ctx: Ctx) -> Response:
    """GET /servers/{id}/metadata/{key}."""
    server = _metadata_server(ctx, False)
    key = ctx.param("key")
    if key not in (server.metadata or {}):
        raise ApiError(404, "Metadata item was not found")
    return Response(200, {"meta": {key: (server.metadata or {})[key]}})


def set_meta_item(ctx: Ctx) -> Response:
    """PUT /servers/{id}/metadata/{key}: one item; the body's key must match the URL's."""
    server = _metadata_server(ctx, True)
    key = ctx.param("key")
    item = _metadata_body(ctx, "meta")
    if len(item) > 1:
        raise ApiError(400, "Request body contains too many items")
    if key not in item:
        raise ApiError(400, "Request body and URI mismatch")
    merged = dict(server.metadata or {})
    merged[key] = item[key]
    check_metadata(ctx, merged)
    _set_metadata(ctx, server, merged)
    return Response(200, {"meta": {key: item[key]}})


def delete_meta_item(ctx: Ctx) -> Response:
    """DELETE /servers/{id}/metadata/{key}."""
    server = _metadata_server(ctx, True)
    key = ctx.param("key")
    merged = dict(server.metadata or {})
    if merged.pop(key, None) is None:
        raise ApiError(404, "Metadata item was not found")
    _set_metadata(ctx, server, merged)
    return Response(204)


# -- tags (2.26) --------------------------------------------------------------------------------
def _tag_server(ctx: Ctx, change: bool) -> Server:
    if not ctx.at_least(26):
        raise ApiError(404, "The resource could not be found.")
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    if change:
        check_lock(ctx, server)
    return server


def _valid_tag(tag: Any) -> str:
    if not isinstance(tag, str) or not 1 <= len(tag) <= 60 or "," in tag or "/" in tag:
        raise ApiError(400, f"Invalid input for field/attribute tag. Value: {tag}. Tags must "
                            "be 1 to 60 characters without ',' or '/'")
    return tag


def list_tags(ctx: Ctx) -> Response:
    """GET /servers/{id}/tags."""
    return Response(200, {"tags": list(_tag_server(ctx, False).tags or ())})


def replace_tags(ctx: Ctx) -> Response:
    """PUT /servers/{id}/tags."""
    server = _tag_server(ctx, True)
    tags = ctx.req.json_object().get("tags")
    if not isinstance(tags, list) or len(tags) > 50:
        raise ApiError(400, "Invalid input for field/attribute tags.")
    server.tags = list(dict.fromkeys(_valid_tag(t) for t in tags)) or None
    ctx.svc.touch(server)
    return Response(200, {"tags": list(server.tags or ())})


def clear_tags(ctx: Ctx) -> Response:
    """DELETE /servers/{id}/tags."""
    server = _tag_server(ctx, True)
    server.tags = None
    ctx.svc.touch(server)
    return Response(204)


def check_tag(ctx: Ctx) -> Response:
    """GET /servers/{id}/tags/{tag}: 204 if present."""
    server = _tag_server(ctx, False)
    tag = ctx.param("tag")
    if tag not in (server.tags or ()):
        raise ApiError(404, f"Tag {tag} could not be found.")
    return Response(204)


def add_tag(ctx: Ctx) -> Response:
    """PUT /servers/{id}/tags/{tag}: 201 when new, 204 when already there."""
    server = _tag_server(ctx, True)
    tag = _valid_tag(ctx.param("tag"))
    tags = list(server.tags or ())
    if tag in tags:
        return Response(204)
    if len(tags) >= 50:
        raise ApiError(400, "The number of tags exceeded the per-server limit 50")
    server.tags = tags + [tag]
    ctx.svc.touch(server)
    return Response(201, None, {"Location": f"{ctx.base}/v2.1/servers/{server.id}/tags/{tag}"})


def delete_tag(ctx: Ctx) -> Response:
    """DELETE /servers/{id}/tags/{tag}."""
    server = _tag_server(ctx, True)
    tag = ctx.param("tag")
    if tag not in (server.tags or ()):
        raise ApiError(404, f"Tag {tag} could not be found.")
    server.tags = [t for t in server.tags or () if t != tag] or None
    ctx.svc.touch(server)
    return Response(204)


# -- ips and interfaces -------------------------------------------------------------------------
def list_ips(ctx: Ctx) -> Response:
    """GET /servers/{id}/ips."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    return Response(200, {"addresses": addresses(ctx, server, extended=False)})


def show_ips(ctx: Ctx) -> Response:
    """GET /servers/{id}/ips/{network label}."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    label = ctx.param("network")
    found = addresses(ctx, server, extended=False)
    if label not in found:
        raise ApiError(404, "Instance is not a member of specified network")
    return Response(200, {label: found[label]})


def _interface_doc(ctx: Ctx, port: dict[str, Any]) -> dict[str, Any]:
    doc = {"port_state": str(port.get("status", "ACTIVE")),
           "fixed_ips": [{"subnet_id": f["subnet_id"], "ip_address": f["ip_address"]}
                         for f in port.get("fixed_ips", ())],
           "port_id": port["id"], "net_id": port["network_id"],
           "mac_addr": port.get("mac_address", "")}
    if ctx.at_least(70):
        doc["tag"] = None
    return doc


def _ports(ctx: Ctx, server: Server) -> list[dict[str, Any]]:
    network = ctx.svc.network_service()
    return list(network.ports_for_device(server.id)) if network is not None else []


def list_interfaces(ctx: Ctx) -> Response:
    """GET /servers/{id}/os-interface."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    return Response(200, {"interfaceAttachments": [_interface_doc(ctx, p)
                                                   for p in _ports(ctx, server)]})


def show_interface(ctx: Ctx) -> Response:
    """GET /servers/{id}/os-interface/{port_id}."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    port_id = ctx.param("port_id")
    for port in _ports(ctx, server):
        if port["id"] == port_id:
            return Response(200, {"interfaceAttachment": _interface_doc(ctx, port)})
    raise ApiError(404, f"Port {port_id} is not attached")


def attach_interface(ctx: Ctx) -> Response:
    """POST /servers/{id}/os-interface: a port on a network (or an existing port)."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    body = ctx.req.json_object("interfaceAttachment") if ctx.req.body.strip() else {}
    check_lock(ctx, server)
    check_state(server, "attach_interface", ("active", "paused", "stopped"))
    network = ctx.svc.network_service()
    if network is None:
        raise ApiError(503, "The network service is not available.")
    fixed = body.get("fixed_ips") or []
    fixed_ip = fixed[0].get("ip_address") if fixed and isinstance(fixed[0], dict) else None
    if body.get("port_id"):
        port = network.allocate_port(server.project_id, body.get("net_id"), server.id,
                                     port_id=body["port_id"])
    else:
        nics = requested_nics(ctx, server.project_id,
                         [{"uuid": body["net_id"]}] if body.get("net_id") else "auto")
        port = network.allocate_port(server.project_id, nics[0]["net"], server.id,
                                     fixed_ip=fixed_ip)
    ctx.svc.touch(server)
    return Response(200, {"interfaceAttachment": _interface_doc(ctx, port)})


# -- volume attachments -------------------------------------------------------------------------
def _attachment_doc(ctx: Ctx, server: Server, att: dict[str, Any], *,
                    created: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {"device": att["device"], "serverId": server.id,
                           "volumeId": att["volume_id"]}
    if created or not ctx.at_least(89):
        doc["id"] = att["volume_id"]
    if ctx.at_least(70):
        doc["tag"] = att["tag"]
    if ctx.at_least(79):
        doc["delete_on_termination"] = att["delete_on_termination"]
    if ctx.at_least(89) and not created:
        doc["attachment_id"] = att["attachment_id"]
        doc["bdm_uuid"] = att["bdm_uuid"]
    return doc


def list_attachments(ctx: Ctx) -> Response:
    """GET /servers/{id}/os-volume_attachments."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    atts = list(server.volumes or ())
    offset = int(ctx.req.arg("offset") or 0)
    limit = limit_arg(ctx.req)
    atts = atts[offset:offset + limit] if limit is not None else atts[offset:]
    return Response(200, {"volumeAttachments": [_attachment_doc(ctx, server, a)
                                                for a in atts]})


def _attachment(ctx: Ctx, server: Server) -> dict[str, Any]:
    volume_id = ctx.param("volume_id")
    for att in server.volumes or ():
        if att["volume_id"] == volume_id:
            return att
    raise ApiError(404, f"Instance {server.id} is not attached to volume {volume_id}")


def show_attachment(ctx: Ctx) -> Response:
    """GET /servers/{id}/os-volume_attachments/{volume_id}."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    return Response(200, {"volumeAttachment": _attachment_doc(ctx, server,
                                                              _attachment(ctx, server))})


def attach_volume(ctx: Ctx) -> Response:
    """POST /servers/{id}/os-volume_attachments: attach through Cinder (/dev/vdb, vdc ...)."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    body = ctx.req.json_object("volumeAttachment")
    volume_id = body.get("volumeId")
    if not isinstance(volume_id, str) or not volume_id:
        raise bad_input("volumeAttachment", body, "'volumeId' is a required property")
    check_lock(ctx, server)
    check_state(server, "attach_volume", _ATTACH_STATES)
    if any(a["volume_id"] == volume_id for a in server.volumes or ()):
        raise ApiError(409, f"Volume {volume_id} is already attached to instance "
                            f"{server.id}")
    cinder = ctx.svc.volume_service()
    if cinder is None:
        raise ApiError(503, "The volume service is not available.")
    device = next_device(server, body.get("device"))
    attachment_id = str(uuid.uuid4())
    cinder.attach(volume_id, server.id, device, attachment_id, server.project_id)
    att = {"volume_id": volume_id, "device": device, "attachment_id": attachment_id,
           "bdm_uuid": str(uuid.uuid4()),
           "delete_on_termination": bool(body.get("delete_on_termination", False))
           if ctx.at_least(79) else False,
           "tag": body.get("tag") if ctx.at_least(49) else None}
    if server.volumes is None:
        server.volumes = []
    server.volumes.append(att)
    ctx.svc.finish_action(ctx.svc.record_action(server, "attach_volume", ctx))
    ctx.svc.touch(server)
    return Response(200, {"volumeAttachment": _attachment_doc(ctx, server, att, created=True)})


def detach_volume(ctx: Ctx) -> Response:
    """DELETE /servers/{id}/os-volume_attachments/{volume_id}: detach through Cinder."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    att = _attachment(ctx, server)
    check_lock(ctx, server)
    check_state(server, "detach_volume", _ATTACH_STATES)
    if att["device"] == "/dev/vda" and not server.image_id:
        raise ApiError(400, "Cannot detach a root device volume")
    cinder = ctx.svc.volume_service()
    if cinder is not None:
        cinder.detach(att["volume_id"], server.id)
    server.volumes = [a for a in server.volumes or () if a is not att] or None
    ctx.svc.finish_action(ctx.svc.record_action(server, "detach_volume", ctx))
    ctx.svc.touch(server)
    return Response(202)


_TRUE = (True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes")
_FALSE = (False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no")


def update_attachment(ctx: Ctx) -> Response:
    """PUT /servers/{id}/os-volume_attachments/{volume_id}: from 2.85 a member may change
    delete_on_termination (202); anything else, and every PUT before 2.85, is the admin-only
    volume swap, which simcloud does not do."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    body = ctx.req.json_object("volumeAttachment")
    volume_id = body.get("volumeId")
    if not isinstance(volume_id, str) or not volume_id:
        raise bad_input("volumeAttachment", body, "'volumeId' is a required property")
    swap = not ctx.at_least(85) or volume_id != ctx.param("volume_id")
    if swap and not ctx.is_admin:
        raise forbidden("os_compute_api:os-volumes-attachments:swap")
    att = _attachment(ctx, server)
    if swap:
        raise ApiError(400, "Swapping volumes is not supported by simcloud.")
    if "delete_on_termination" in body:
        flag = body["delete_on_termination"]
        if flag not in _TRUE and flag not in _FALSE or isinstance(flag, int) and not isinstance(
                flag, bool):
            raise bad_input("delete_on_termination", flag,
                            f"{flag!r} is not one of {list(_TRUE + _FALSE)}")
        att["delete_on_termination"] = flag in _TRUE
    check_lock(ctx, server)
    ctx.svc.touch(server)
    return Response(202)
