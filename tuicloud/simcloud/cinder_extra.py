"""Cinder v3 handlers, second half: volume actions, metadata, snapshots, types, limits, quota
sets, availability zones, extensions (state in :mod:`cinder`, shared helpers in
:mod:`cinder_api`)."""

from __future__ import annotations

from typing import Any

from tuicloud.simcloud.cinder import DEFAULT_QUOTAS, Service, cinder_time
from tuicloud.simcloud.cinder_api import (
    STATUSES,
    Version,
    _metadata,
    _size,
    bool_arg,
    filtered,
    page,
    scoped,
    svc_of,
    visible_volume,
)
from tuicloud.simcloud.core import ApiError, Request, Response, SimCloud, Token

_SNAPSHOT_FILTERS = {"name", "status", "volume_id", "metadata", "created_at", "updated_at",
                     "user_id", "id", "group_snapshot_id"}


def _admin_only(token: Token, action: str) -> None:
    if not token.is_admin:
        raise ApiError(403, f"Policy doesn't allow {action} to be performed.")


# -- actions ----------------------------------------------------------------------------------
def volume_action(cloud: SimCloud, request: Request, version: Version) -> Response:
    """POST /v3/volumes/{id}/action: one action per body."""
    token = request.authed
    body = request.json_object()
    if len(body) != 1:
        raise ApiError(400, "Invalid input received: exactly one action is expected.")
    name, args = next(iter(body.items()))
    handler = _ACTIONS.get(name)
    if handler is None:
        raise ApiError(400, f"There is no such action: {name}")
    args = args if isinstance(args, dict) else {}
    svc = svc_of(cloud)
    with cloud.lock:
        volume = visible_volume(svc, request.params["volume_id"], token)
        response: Response = handler(cloud, svc, volume, args, token, version)
        return response


def _extend(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
            token: Token, version: Version) -> Response:
    new_size = _size(args.get("new_size"), "new_size")
    allowed = ("available", "in-use") if version >= (3, 42) else ("available",)
    if volume["status"] not in allowed:
        raise ApiError(400, f"Invalid volume: Volume {volume['id']} status must be "
                            f"{' or '.join(allowed)} to extend, currently {volume['status']}.")
    if new_size <= volume["size"]:
        raise ApiError(400, "Invalid input received: New size for extend must be greater than "
                            f"current size. (current: {volume['size']}, extended: {new_size}).")
    svc.check_quota(volume["project_id"], gigabytes=new_size - volume["size"])
    previous = volume["status"]
    volume["status"] = "extending"
    svc.touch(volume)
    svc.later(cloud.config.action_delay, volume, svc.volumes, "extending",
              lambda v: v.update(status=previous, size=new_size))
    return Response(202)


def _reset_status(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
                  token: Token, version: Version) -> Response:
    _admin_only(token, "volume_extension:volume_admin_actions:reset_status")
    status = args.get("status")
    if status is not None and status not in STATUSES:
        raise ApiError(400, f"Invalid input received: Must specify a valid status ({status}).")
    attach_status = args.get("attach_status")
    if attach_status not in (None, "attached", "detached"):
        raise ApiError(400, f"Invalid input received: Must specify a valid attach status "
                            f"({attach_status}).")
    if status is None and attach_status is None and "migration_status" not in args:
        raise ApiError(400, "Invalid input received: Must specify 'status', 'attach_status' or "
                            "'migration_status' for update.")
    if status is not None:
        volume["status"] = status
    if attach_status == "detached":
        volume["attachments"] = []
    if "migration_status" in args:
        volume["migration_status"] = args["migration_status"]
    svc.touch(volume)
    return Response(202)


def _set_bootable(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
                  token: Token, version: Version) -> Response:
    if "bootable" not in args:
        raise ApiError(400, "Invalid input received: Must specify bootable in request.")
    volume["bootable"] = "true" if bool_arg(args["bootable"], "bootable") else "false"
    svc.touch(volume)
    return Response(200)


def _attach(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
            token: Token, version: Version) -> Response:
    server_id = args.get("instance_uuid")
    host = args.get("host_name")
    if not server_id and not host:
        raise ApiError(400, "Invalid request to attach volume to an invalid target")
    if volume["status"] not in ("available", "attaching", "reserved") and not (
            volume["multiattach"] and volume["status"] == "in-use"):
        raise ApiError(400, f"Invalid volume: Volume {volume['id']} status must be available "
                            f"or reserved to attach, currently {volume['status']}.")
    volume["attachments"].append({
        "id": volume["id"], "attachment_id": svc.new_id(), "volume_id": volume["id"],
        "server_id": server_id, "host_name": host, "device": args.get("mountpoint"),
        "attached_at": cinder_time()})
    volume["status"] = "in-use"
    svc.touch(volume)
    return Response(202)


def _detach(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
            token: Token, version: Version) -> Response:
    attachment = args.get("attachment_id")
    keep = [a for a in volume["attachments"] if attachment and a["attachment_id"] != attachment]
    if attachment and len(keep) == len(volume["attachments"]):
        raise ApiError(404, f"Volume attachment {attachment} could not be found.")
    volume["attachments"] = keep
    svc.finish_attach_state(volume)
    svc.touch(volume)
    return Response(202)


def _flip(expected: tuple[str, ...], new: str) -> Any:
    def action(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
               token: Token, version: Version) -> Response:
        if volume["status"] not in expected:
            raise ApiError(400, f"Invalid volume: Volume status must be {' or '.join(expected)}"
                                f", currently {volume['status']}.")
        volume["status"] = new
        svc.touch(volume)
        return Response(202)

    return action


def _force_delete(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
                  token: Token, version: Version) -> Response:
    _admin_only(token, "volume_extension:volume_admin_actions:force_delete")
    volume["attachments"] = []
    svc.start_delete(volume, cascade=True)
    return Response(202)


def _upload_image(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
                  token: Token, version: Version) -> Response:
    name = args.get("image_name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "Invalid input received: No image_name was specified in request.")
    force = bool_arg(args.get("force", False), "force")
    allowed = ("available", "in-use") if force else ("available",)
    if volume["status"] not in allowed:
        raise ApiError(400, f"Invalid volume: Volume {volume['id']} status must be "
                            f"{' or '.join(allowed)}, but current status is: "
                            f"{volume['status']}.")
    visibility = args.get("visibility", "private")
    if visibility not in ("private", "public", "shared", "community"):
        raise ApiError(400, f"Invalid input received: Invalid visibility '{visibility}'.")
    if visibility == "public" and not token.is_admin:
        raise ApiError(403, "Policy doesn't allow volume_extension:volume_actions:upload_public "
                            "to be performed.")
    protected = bool_arg(args.get("protected", False), "protected")
    disk_format = args.get("disk_format") or "raw"
    container_format = args.get("container_format") or "bare"
    image_id = cloud.service("image").create_volume_image(
        volume["project_id"], name, volume_id=volume["id"], disk_format=disk_format,
        container_format=container_format, visibility=visibility, protected=protected,
        min_disk=volume["size"])
    previous = volume["status"]
    volume["status"] = "uploading"
    svc.touch(volume)
    svc.later(cloud.config.action_delay, volume, svc.volumes, "uploading",
              lambda v: v.update(status=previous))
    vtype = svc.types.get(volume["volume_type_id"]) or svc.default_type()
    return Response(202, {"os-volume_upload_image": {
        "id": volume["id"], "updated_at": volume["updated_at"], "status": "uploading",
        "display_description": volume["description"], "size": volume["size"],
        "volume_type": {k: v for k, v in vtype.items() if k != "os-volume-type-access:is_public"},
        "image_id": image_id, "container_format": container_format,
        "disk_format": disk_format, "image_name": name, "protected": protected,
        "visibility": visibility}})


def _set_image_metadata(cloud: SimCloud, svc: Service, volume: dict[str, Any],
                        args: dict[str, Any], token: Token, version: Version) -> Response:
    meta = _metadata(args.get("metadata"))
    volume["volume_image_metadata"] = {**(volume["volume_image_metadata"] or {}), **meta}
    svc.touch(volume)
    return Response(200, {"metadata": dict(volume["volume_image_metadata"])})


def _unset_image_metadata(cloud: SimCloud, svc: Service, volume: dict[str, Any],
                          args: dict[str, Any], token: Token, version: Version) -> Response:
    key = args.get("key")
    current = volume["volume_image_metadata"] or {}
    if key not in current:
        raise ApiError(404, f"Glance metadata for volume {volume['id']} with key {key} "
                            "could not be found.")
    del current[key]
    svc.touch(volume)
    return Response(200)


def _retype(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
            token: Token, version: Version) -> Response:
    vtype = svc.type_by_name_or_id(str(args.get("new_type")))
    if volume["status"] not in ("available", "in-use"):
        raise ApiError(400, f"Invalid volume: Volume {volume['id']} status must be available "
                            f"or in-use to retype, currently {volume['status']}.")
    volume["volume_type"] = vtype["name"]
    volume["volume_type_id"] = vtype["id"]
    svc.touch(volume)
    return Response(202)


def _noop(cloud: SimCloud, svc: Service, volume: dict[str, Any], args: dict[str, Any],
          token: Token, version: Version) -> Response:
    return Response(202)


_ACTIONS: dict[str, Any] = {
    "os-extend": _extend, "os-reset_status": _reset_status, "os-set_bootable": _set_bootable,
    "os-attach": _attach, "os-detach": _detach,
    "os-reserve": _flip(("available",), "attaching"),
    "os-unreserve": _flip(("attaching", "reserved"), "available"),
    "os-begin_detaching": _flip(("in-use",), "detaching"),
    "os-roll_detaching": _flip(("detaching",), "in-use"),
    "os-force_delete": _force_delete, "os-volume_upload_image": _upload_image,
    "os-set_image_metadata": _set_image_metadata,
    "os-unset_image_metadata": _unset_image_metadata, "os-retype": _retype,
    "os-update_readonly_flag": _noop,
}


# -- metadata ---------------------------------------------------------------------------------
def _meta_volume(cloud: SimCloud, request: Request) -> dict[str, Any]:
    return visible_volume(svc_of(cloud), request.params["volume_id"], request.authed)


def get_metadata(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/volumes/{id}/metadata."""
    with cloud.lock:
        return Response(200, {"metadata": dict(_meta_volume(cloud, request)["metadata"])})


def merge_metadata(cloud: SimCloud, request: Request, version: Version) -> Response:
    """POST /v3/volumes/{id}/metadata: add/overwrite keys."""
    data = request.json_object()
    meta = _metadata(data.get("metadata"))
    with cloud.lock:
        volume = _meta_volume(cloud, request)
        volume["metadata"].update(meta)
        svc_of(cloud).touch(volume)
        return Response(200, {"metadata": dict(volume["metadata"])})


def replace_metadata(cloud: SimCloud, request: Request, version: Version) -> Response:
    """PUT /v3/volumes/{id}/metadata: replace all keys."""
    data = request.json_object()
    meta = _metadata(data.get("metadata"))
    with cloud.lock:
        volume = _meta_volume(cloud, request)
        volume["metadata"] = meta
        svc_of(cloud).touch(volume)
        return Response(200, {"metadata": dict(meta)})


def get_metadata_item(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/volumes/{id}/metadata/{key}."""
    key = request.params["key"]
    with cloud.lock:
        volume = _meta_volume(cloud, request)
        if key not in volume["metadata"]:
            raise ApiError(404, "Metadata item was not found")
        return Response(200, {"meta": {key: volume["metadata"][key]}})


def set_metadata_item(cloud: SimCloud, request: Request, version: Version) -> Response:
    """PUT /v3/volumes/{id}/metadata/{key} {"meta": {key: value}}."""
    key = request.params["key"]
    meta = _metadata(request.json_object().get("meta"))
    if list(meta) != [key]:
        raise ApiError(400, "Request body and URI mismatch")
    with cloud.lock:
        volume = _meta_volume(cloud, request)
        volume["metadata"][key] = meta[key]
        svc_of(cloud).touch(volume)
    return Response(200, {"meta": meta})


def delete_metadata_item(cloud: SimCloud, request: Request, version: Version) -> Response:
    """DELETE /v3/volumes/{id}/metadata/{key}."""
    key = request.params["key"]
    with cloud.lock:
        volume = _meta_volume(cloud, request)
        if key not in volume["metadata"]:
            raise ApiError(404, "Metadata item was not found")
        del volume["metadata"][key]
        svc_of(cloud).touch(volume)
    return Response(200)


# -- snapshots --------------------------------------------------------------------------------
def snapshot_doc(snap: dict[str, Any], version: Version) -> dict[str, Any]:
    """Cinder's snapshot document at this microversion."""
    doc = {"id": snap["id"], "name": snap["name"], "description": snap["description"],
           "status": snap["status"], "size": snap["size"], "volume_id": snap["volume_id"],
           "metadata": dict(snap["metadata"]), "created_at": snap["created_at"],
           "updated_at": snap["updated_at"],
           "os-extended-snapshot-attributes:progress": snap["progress"],
           "os-extended-snapshot-attributes:project_id": snap["project_id"]}
    if version >= (3, 14):
        doc["group_snapshot_id"] = snap["group_snapshot_id"]
    if version >= (3, 41):
        doc["user_id"] = snap["user_id"]
    if version >= (3, 65):
        doc["consumes_quota"] = True
    return doc


def _visible_snapshot(svc: Service, snapshot_id: str, token: Token) -> dict[str, Any]:
    snap = svc.snapshots.get(snapshot_id)
    if snap is None or not (token.is_admin or snap["project_id"] == token.project_id):
        raise ApiError(404, f"Snapshot {snapshot_id} could not be found.")
    return snap


def _snapshot_listing(cloud: SimCloud, request: Request, version: Version,
                      detail: bool) -> Response:
    token = request.authed
    svc = svc_of(cloud)
    with cloud.lock:
        records = scoped(list(svc.snapshots.values()), request, token)
        records = filtered(records, request, version, _SNAPSHOT_FILTERS)
        chunk, links = page(cloud, request, records,
                            "snapshots/detail" if detail else "snapshots",
                            "Marker {} could not be found.")
        docs = [snapshot_doc(s, version) for s in chunk]
    if not detail:
        for doc in docs:
            doc.pop("os-extended-snapshot-attributes:progress")
            doc.pop("os-extended-snapshot-attributes:project_id")
    body: dict[str, Any] = {"snapshots": docs}
    if links:
        body["snapshots_links"] = links
    return Response(200, body)


def list_snapshots(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/snapshots/detail."""
    return _snapshot_listing(cloud, request, version, True)


def list_snapshots_summary(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/snapshots."""
    return _snapshot_listing(cloud, request, version, False)


def show_snapshot(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/snapshots/{id}."""
    with cloud.lock:
        snap = _visible_snapshot(svc_of(cloud), request.params["snapshot_id"],
                                 request.authed)
        return Response(200, {"snapshot": snapshot_doc(snap, version)})


FORCE_INVALID_366 = (
    "Since microversion 3.66 the 'force' flag is invalid for this request.  For backward "
    "compatability, however, when the 'force' flag is passed with a value evaluating to True, "
    "it is silently ignored.")
_FORCE_WORDS = ("[True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', "
                "'y', 't', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', "
                "'No', 'no', 'n', 'f']")


def _snapshot_force(value: Any) -> bool:
    """The snapshot ``force`` flag, refused in the words of Cinder's schema when not boolean."""
    try:
        return bool_arg(value, "force")
    except ApiError as exc:
        raise ApiError(400, f"Invalid input for field/attribute force. Value: {value}. "
                            f"'{value}' is not one of {_FORCE_WORDS}") from exc


def create_snapshot(cloud: SimCloud, request: Request, version: Version) -> Response:
    """POST /v3/snapshots: 202, creating -> available; 400 for an in-use volume unless
    force. From 3.66 in-use volumes need no force, and ``force`` false is a 400."""
    token = request.authed
    body = request.json_object("snapshot")
    svc = svc_of(cloud)
    flag = body.get("force")
    force = False if flag is None else _snapshot_force(flag)
    if version >= (3, 66):
        if flag is not None and not force:
            raise ApiError(400, FORCE_INVALID_366)
        force = True
    metadata = _metadata(body.get("metadata"))
    with cloud.lock:
        volume = visible_volume(svc, str(body.get("volume_id")), token)
        allowed = ("available", "in-use") if force else ("available",)
        if volume["status"] not in allowed:
            raise ApiError(400, f"Invalid volume: Volume {volume['id']} status must be "
                                f"{' or '.join(allowed)}, but current status is: "
                                f"{volume['status']}.")
        svc.check_quota(volume["project_id"], snapshots=1, gigabytes=volume["size"])
        snap = svc.new_snapshot(volume, body.get("name") or body.get("display_name"),
                                description=body.get("description"), metadata=metadata,
                                user_id=token.user_id)
        svc.later(cloud.config.build_delay, snap, svc.snapshots, "creating",
                  lambda s: s.update(status="available", progress="100%"))
        return Response(202, {"snapshot": snapshot_doc(snap, version)})


def update_snapshot(cloud: SimCloud, request: Request, version: Version) -> Response:
    """PUT /v3/snapshots/{id}: name, description."""
    body = request.json_object("snapshot")
    svc = svc_of(cloud)
    with cloud.lock:
        snap = _visible_snapshot(svc, request.params["snapshot_id"], request.authed)
        for key in ("name", "description"):
            if key in body:
                snap[key] = body[key]
        svc.touch(snap)
        return Response(200, {"snapshot": snapshot_doc(snap, version)})


def delete_snapshot(cloud: SimCloud, request: Request, version: Version) -> Response:
    """DELETE /v3/snapshots/{id}: deleting, then gone."""
    svc = svc_of(cloud)
    with cloud.lock:
        snap = _visible_snapshot(svc, request.params["snapshot_id"], request.authed)
        if snap["status"] not in ("available", "error", "error_deleting"):
            raise ApiError(400, "Invalid snapshot: Volume Snapshot status must be available or "
                                "error or error_deleting")
        snap["status"] = "deleting"
        svc.touch(snap)
        svc.later(svc.delete_delay(), snap, svc.snapshots, "deleting",
                  lambda s: svc.snapshots.pop(s["id"], None))
    return Response(202)


# -- types, limits, quotas, zones -------------------------------------------------------------
def _type_doc(vtype: dict[str, Any], token: Token) -> dict[str, Any]:
    doc = dict(vtype)
    doc["extra_specs"] = dict(vtype["extra_specs"]) if token.is_admin else {}
    return doc


def list_types(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/types."""
    token = request.authed
    svc = svc_of(cloud)
    return Response(200, {"volume_types": [_type_doc(t, token) for t in svc.types.values()]})


def show_type(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/types/{id}."""
    svc = svc_of(cloud)
    vtype = svc.types.get(request.params["type_id"])
    if vtype is None:
        raise ApiError(404, f"Volume type {request.params['type_id']} could not be found.")
    return Response(200, {"volume_type": _type_doc(vtype, request.authed)})


def default_type(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/types/default."""
    return Response(200, {"volume_type": _type_doc(svc_of(cloud).default_type(),
                                                   request.authed)})


def limits(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/limits: absolute limits and usage of the token's project."""
    token = request.authed
    project = token.project_id or ""
    if token.is_admin and request.arg("project_id") and version >= (3, 39):
        project = str(request.arg("project_id"))
    svc = svc_of(cloud)
    with cloud.lock:
        quota = svc.limits(project)
        used = svc.usage(project)
    return Response(200, {"limits": {"rate": [], "absolute": {
        "maxTotalVolumes": quota["volumes"], "maxTotalSnapshots": quota["snapshots"],
        "maxTotalVolumeGigabytes": quota["gigabytes"], "maxTotalBackups": quota["backups"],
        "maxTotalBackupGigabytes": quota["backup_gigabytes"],
        "totalVolumesUsed": used["volumes"], "totalSnapshotsUsed": used["snapshots"],
        "totalGigabytesUsed": used["gigabytes"], "totalBackupsUsed": 0,
        "totalBackupGigabytesUsed": 0}}})


def _quota_project(request: Request) -> str:
    token = request.authed
    project_id = request.params["project_id"]
    if project_id != token.project_id and not token.is_admin:
        raise ApiError(403, "Policy doesn't allow volume_extension:quotas:show to be "
                            "performed.")
    return project_id


def show_quota(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/os-quota-sets/{project_id}[?usage=true]."""
    project_id = _quota_project(request)
    svc = svc_of(cloud)
    with cloud.lock:
        quota = svc.limits(project_id)
        used = svc.usage(project_id)
    body: dict[str, Any] = {"id": project_id}
    if bool_arg(request.arg("usage") or "false", "usage"):
        body.update({k: {"limit": v, "in_use": used.get(k, 0), "reserved": 0}
                     for k, v in quota.items()})
    else:
        body.update(quota)
    return Response(200, {"quota_set": body})


def quota_defaults(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/os-quota-sets/{project_id}/defaults."""
    svc = svc_of(cloud)
    body: dict[str, Any] = {"id": request.params["project_id"], **DEFAULT_QUOTAS}
    for vtype in svc.types.values():
        for kind in ("volumes", "gigabytes", "snapshots"):
            body[f"{kind}_{vtype['name']}"] = -1
    return Response(200, {"quota_set": body})


def update_quota(cloud: SimCloud, request: Request, version: Version) -> Response:
    """PUT /v3/os-quota-sets/{project_id} (admin)."""
    token = request.authed
    _admin_only(token, "volume_extension:quotas:update")
    body = request.json_object("quota_set")
    svc = svc_of(cloud)
    project_id = request.params["project_id"]
    with cloud.lock:
        known = svc.limits(project_id)
        changes: dict[str, int] = {}
        for key, value in body.items():
            if key not in known:
                raise ApiError(400, f"Invalid input received: Bad key(s) in quota set: {key}")
            try:
                number = int(value)
            except (TypeError, ValueError) as exc:
                raise ApiError(400, f"{key} must be an integer") from exc
            if number < -1:
                raise ApiError(400, f"{key} must be >= -1")
            # Cinder compares with usage only where the project already has its own limit
            # (get_project_quotas(defaults=False)); a first override is never refused.
            in_use = svc.usage(project_id).get(key, 0)
            explicit = key in svc.quotas.get(project_id, {})
            if explicit and number != -1 and number < in_use:
                raise ApiError(400, f"Quota {key} limit must be equal or greater than existing "
                                    f"resources. Current usage is {in_use} and the requested "
                                    f"limit is {number}.")
            changes[key] = number
        svc.quotas.setdefault(project_id, {}).update(changes)
        return Response(200, {"quota_set": svc.limits(project_id)})


def reset_quota(cloud: SimCloud, request: Request, version: Version) -> Response:
    """DELETE /v3/os-quota-sets/{project_id} (admin): back to defaults."""
    _admin_only(request.authed, "volume_extension:quotas:delete")
    with cloud.lock:
        svc_of(cloud).quotas.pop(request.params["project_id"], None)
    return Response(200)


def availability_zones(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/os-availability-zone."""
    return Response(200, {"availabilityZoneInfo": [{"zoneName": "nova",
                                                     "zoneState": {"available": True}}]})


def extensions(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/extensions: the handful of extensions simcloud implements."""
    names = (("os-extended-snapshot-attributes", "ExtendedSnapshotAttributes"),
             ("os-vol-tenant-attr", "VolumeTenantAttribute"),
             ("os-vol-host-attr", "VolumeHostAttribute"),
             ("os-volume-actions", "VolumeActions"), ("os-admin-actions", "AdminActions"),
             ("os-quota-sets", "Quotas"), ("os-availability-zone", "AvailabilityZones"),
             ("os-vol-image-meta", "VolumeImageMetadata"))
    return Response(200, {"extensions": [
        {"alias": alias, "name": name, "description": f"{name} support.", "links": [],
         "updated": "2023-01-01T00:00:00+00:00"} for alias, name in names]})
