"""Cinder v3 HTTP handlers (state in :mod:`cinder`). Microversions 3.0-3.71 via the
``OpenStack-API-Version: volume 3.x`` header, echoed back with ``Vary``."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from tuicloud.simcloud.cinder import CANNOT_DELETE, DELETABLE, Service
from tuicloud.simcloud.core import ApiError, Request, Response, Router, SimCloud, Token, parse_time
from tuicloud.simcloud.microversions import Microversions

V3 = "/volume/v3"
MIN_VERSION = (3, 0)
MAX_VERSION = (3, 71)
MAX_LIMIT = 1000
Version = tuple[int, int]
VersionedHandler = Callable[[SimCloud, Request, Version], Response]
STATUSES = ("creating", "available", "reserved", "attaching", "detaching", "in-use",
            "maintenance", "deleting", "awaiting-transfer", "error", "error_deleting",
            "backing-up", "restoring-backup", "error_backing-up", "error_restoring",
            "error_extending", "downloading", "uploading", "retyping", "extending")
_VOLUME_FILTERS = {"name", "status", "metadata", "bootable", "migration_status",
                   "availability_zone", "group_id", "size", "created_at", "updated_at",
                   "user_id", "volume_type", "id"}
_LIST_PARAMS = {"limit", "marker", "sort", "sort_key", "sort_dir", "offset", "all_tenants",
                "project_id", "with_count"}


VOLUME_VERSIONS = Microversions("volume", MIN_VERSION, MAX_VERSION)


def versioned(handler: VersionedHandler) -> Callable[[SimCloud, Request], Response]:
    """Negotiate the microversion and echo it on the response (errors included)."""
    @functools.wraps(handler)
    def wrapper(cloud: SimCloud, request: Request) -> Response:
        version = VOLUME_VERSIONS.negotiate(request)
        headers = VOLUME_VERSIONS.headers(version)
        try:
            response = handler(cloud, request, version)
        except ApiError as error:
            for key, value in headers.items():
                error.headers.setdefault(key, value)
            raise
        for key, value in headers.items():
            response.headers.setdefault(key, value)
        return response

    return wrapper


def register(router: Router, service: str) -> None:
    """Register Cinder's routes (fixed paths before ``{id}`` ones: the router takes the first
    match)."""
    from tuicloud.simcloud import cinder_attachments, cinder_services, cinder_types
    from tuicloud.simcloud import cinder_extra as extra

    def add(method: str, path: str, handler: VersionedHandler, auth: bool = True) -> None:
        router.add(method, f"{V3}{path}", versioned(handler), service=service, auth=auth)

    router.add("GET", "/volume", versions, service=service, auth=False)
    add("GET", "", version_doc, auth=False)
    add("GET", "/volumes", list_volumes_summary)
    add("GET", "/volumes/detail", list_volumes)
    add("POST", "/volumes", create_volume)
    add("GET", "/volumes/{volume_id}", show_volume)
    add("PUT", "/volumes/{volume_id}", update_volume)
    add("DELETE", "/volumes/{volume_id}", delete_volume)
    add("POST", "/volumes/{volume_id}/action", extra.volume_action)
    add("GET", "/volumes/{volume_id}/metadata", extra.get_metadata)
    add("POST", "/volumes/{volume_id}/metadata", extra.merge_metadata)
    add("PUT", "/volumes/{volume_id}/metadata", extra.replace_metadata)
    add("GET", "/volumes/{volume_id}/metadata/{key}", extra.get_metadata_item)
    add("PUT", "/volumes/{volume_id}/metadata/{key}", extra.set_metadata_item)
    add("DELETE", "/volumes/{volume_id}/metadata/{key}", extra.delete_metadata_item)
    add("GET", "/snapshots", extra.list_snapshots_summary)
    add("GET", "/snapshots/detail", extra.list_snapshots)
    add("POST", "/snapshots", extra.create_snapshot)
    add("GET", "/snapshots/{snapshot_id}", extra.show_snapshot)
    add("PUT", "/snapshots/{snapshot_id}", extra.update_snapshot)
    add("DELETE", "/snapshots/{snapshot_id}", extra.delete_snapshot)
    add("GET", "/types", extra.list_types)
    add("GET", "/types/default", extra.default_type)
    add("GET", "/types/{type_id}", extra.show_type)
    for method, path, handler in (*cinder_types.routes(), *cinder_attachments.routes(),
                                  *cinder_services.routes()):
        add(method, path, handler)
    add("GET", "/limits", extra.limits)
    add("GET", "/os-quota-sets/{project_id}/defaults", extra.quota_defaults)
    add("GET", "/os-quota-sets/{project_id}", extra.show_quota)
    add("PUT", "/os-quota-sets/{project_id}", extra.update_quota)
    add("DELETE", "/os-quota-sets/{project_id}", extra.reset_quota)
    add("GET", "/os-availability-zone", extra.availability_zones)
    add("GET", "/extensions", extra.extensions)


def svc_of(cloud: SimCloud) -> Service:
    """The Cinder service object."""
    return cast(Service, cloud.service("volume"))



# -- versions ---------------------------------------------------------------------------------
def _version_entry(cloud: SimCloud) -> dict[str, Any]:
    return {"id": "v3.0", "status": "CURRENT", "version": "3.71", "min_version": "3.0",
            "updated": "2023-08-31T00:00:00Z",
            "links": [{"href": "https://docs.openstack.org/", "rel": "describedby",
                       "type": "text/html"},
                      {"href": f"{cloud.base_url}{V3}/", "rel": "self"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.volume+json;version=3"}]}


def versions(cloud: SimCloud, request: Request) -> Response:
    """GET /volume: the version list (300 Multiple Choices)."""
    return Response(300, {"versions": [_version_entry(cloud)]})


def version_doc(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /volume/v3."""
    return Response(200, {"versions": [_version_entry(cloud)]})


# -- shared list machinery --------------------------------------------------------------------
def bool_arg(value: Any, what: str) -> bool:
    """Cinder's lenient booleans ("true", "1", "yes", ...)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "t", "on"):
        return True
    if text in ("false", "0", "no", "n", "f", "off"):
        return False
    raise ApiError(400, f"Invalid input received: Invalid value '{value}' for {what}.")


def _time_ok(actual: str | None, value: str, name: str, version: Version) -> bool:
    if actual is None:
        return False
    op, sep, text = value.partition(":")
    if not sep or version < (3, 60) or op not in ("gt", "gte", "lt", "lte", "eq", "neq"):
        op, text = "eq", value
    try:
        when = parse_time(text)
    except ValueError as exc:
        raise ApiError(400, f"Invalid input received: Invalid time value '{value}' for "
                            f"{name}.") from exc
    moment = parse_time(actual)
    return {"gt": moment > when, "gte": moment >= when, "lt": moment < when,
            "lte": moment <= when, "eq": moment == when, "neq": moment != when}[op]


def scoped(records: list[dict[str, Any]], request: Request, token: Token) -> list[dict[str, Any]]:
    """The records the token may list: own project; admins with all_tenants see all (or the
    ``project_id`` asked for)."""
    everyone = token.is_admin and bool_arg(request.arg("all_tenants") or "0", "all_tenants")
    project = request.arg("project_id")
    if token.is_admin and project:
        return [r for r in records if r["project_id"] == project]
    if everyone:
        return records
    return [r for r in records if r["project_id"] == token.project_id]


def filtered(records: list[dict[str, Any]], request: Request, version: Version,
             allowed: set[str]) -> list[dict[str, Any]]:
    """Apply Cinder's filters (unknown ones are a 400 from 3.34, ignored before)."""
    result = records
    for key, values in request.query.items():
        if key in _LIST_PARAMS:
            continue
        value = values[-1]
        if key not in allowed:
            if version >= (3, 34):
                raise ApiError(400, f"Invalid input received: Invalid filters {key} are found "
                                    "in query options.")
            continue
        if key in ("created_at", "updated_at"):
            result = [r for r in result if _time_ok(r[key], value, key, version)]
        elif key == "metadata":
            try:
                wanted = ast.literal_eval(value)
            except (ValueError, SyntaxError) as exc:
                raise ApiError(400, f"Invalid input received: Invalid metadata filter "
                                    f"'{value}'.") from exc
            if not isinstance(wanted, dict):
                raise ApiError(400, "Invalid input received: metadata filter must be a dict.")
            result = [r for r in result if all(r["metadata"].get(str(k)) == str(v)
                                               for k, v in wanted.items())]
        elif key == "bootable":
            flag = "true" if bool_arg(value, key) else "false"
            result = [r for r in result if r.get("bootable") == flag]
        elif key == "name" and value.endswith("~"):  # Cinder's "like" filter (3.34)
            result = [r for r in result if value[:-1] in (r.get("name") or "")]
        else:
            result = [r for r in result if str(r.get(key)) == value]
    return result


def sort_spec(request: Request) -> list[tuple[str, str]]:
    """``sort=key:dir,...`` or ``sort_key``/``sort_dir`` (default created_at desc, then id)."""
    sort = request.arg("sort")
    spec: list[tuple[str, str]] = []
    if sort:
        for part in sort.split(","):
            key, _, direction = part.strip().partition(":")
            spec.append((key, direction or "desc"))
    else:
        keys = request.query.get("sort_key", [])
        dirs = request.query.get("sort_dir", [])
        for index, key in enumerate(keys):
            spec.append((key, dirs[index] if index < len(dirs) else "desc"))
    allowed = ("created_at", "updated_at", "name", "size", "status", "id", "availability_zone",
               "volume_type", "bootable", "display_name")
    for key, direction in spec:
        if key not in allowed:
            raise ApiError(400, f"Invalid input received: Invalid sort key {key}.")
        if direction not in ("asc", "desc"):
            raise ApiError(400, f"Invalid input received: Unknown sort direction, must be "
                                f"'desc' or 'asc': {direction}")
    spec = [("name" if k == "display_name" else k, d) for k, d in spec] or [("created_at",
                                                                              "desc")]
    if all(k != "id" for k, _ in spec):
        spec.append(("id", spec[-1][1]))
    return spec


def page(cloud: SimCloud, request: Request, records: list[dict[str, Any]], path: str,
         not_found: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Sort and page; returns (page, ``*_links``)."""
    ordered = list(records)
    for key, direction in reversed(sort_spec(request)):
        present = [r for r in ordered if r.get(key) is not None]
        missing = [r for r in ordered if r.get(key) is None]
        present.sort(key=lambda r: r[key], reverse=direction == "desc")
        ordered = present + missing
    limit_text = request.arg("limit")
    limit = MAX_LIMIT
    if limit_text is not None:
        try:
            limit = int(limit_text)
        except ValueError as exc:
            raise ApiError(400, f"Invalid input received: limit '{limit_text}' must be an "
                                "integer") from exc
        if limit < 0:
            raise ApiError(400, "Invalid input received: limit must be >= 0")
        limit = min(limit, MAX_LIMIT)
    start = 0
    marker = request.arg("marker")
    if marker:
        ids = [r["id"] for r in ordered]
        if marker not in ids:
            raise ApiError(404, not_found.format(marker))
        start = ids.index(marker) + 1
    offset = request.arg("offset")
    if offset and offset.isdigit():
        start += int(offset)
    chunk = ordered[start:start + limit]
    links: list[dict[str, str]] = []
    if chunk and start + limit < len(ordered):
        params = [(k, v) for k, values in request.query.items() if k not in ("marker", "offset")
                  for v in values]
        if "limit" not in request.query:
            params.append(("limit", str(limit)))
        params.append(("marker", chunk[-1]["id"]))
        links.append({"href": f"{cloud.base_url}{V3}/{path}?{urlencode(params)}",
                      "rel": "next"})
    return chunk, links


# -- volumes ----------------------------------------------------------------------------------
def volume_doc(cloud: SimCloud, volume: dict[str, Any], version: Version,
               admin: bool) -> dict[str, Any]:
    """Cinder's volume document at this microversion (admin-only fields for admins)."""
    href = f"{cloud.base_url}{V3}/volumes/{volume['id']}"
    doc: dict[str, Any] = {
        "id": volume["id"], "name": volume["name"], "description": volume["description"],
        "status": volume["status"], "size": volume["size"],
        "availability_zone": volume["availability_zone"], "bootable": volume["bootable"],
        "encrypted": volume["encrypted"], "multiattach": volume["multiattach"],
        "attachments": [dict(a) for a in volume["attachments"]],
        "metadata": dict(volume["metadata"]), "volume_type": volume["volume_type"],
        "snapshot_id": volume["snapshot_id"], "source_volid": volume["source_volid"],
        "consistencygroup_id": volume["consistencygroup_id"],
        "replication_status": volume["replication_status"],
        "os-vol-tenant-attr:tenant_id": volume["project_id"], "user_id": volume["user_id"],
        "created_at": volume["created_at"], "updated_at": volume["updated_at"],
        "migration_status": volume["migration_status"],
        "links": [{"href": href, "rel": "self"},
                  {"href": f"{cloud.base_url}/volumes/{volume['id']}", "rel": "bookmark"}],
    }
    if volume["volume_image_metadata"] is not None:
        doc["volume_image_metadata"] = dict(volume["volume_image_metadata"])
    if admin:
        doc.update({"os-vol-host-attr:host": volume["host"],
                    "os-vol-mig-status-attr:migstat": volume["migration_status"],
                    "os-vol-mig-status-attr:name_id": None})
    if version >= (3, 13):
        doc["group_id"] = volume["group_id"]
    if version >= (3, 21) and admin:
        doc["provider_id"] = None
    if version >= (3, 48):
        doc["service_uuid"] = "2f3a8e2c-5c6e-4b6c-9a8b-0c6f1f7e9d10" if admin else None
        doc["shared_targets"] = False
    if version >= (3, 61) and admin:
        doc["cluster_name"] = None
    if version >= (3, 63):
        doc["volume_type_id"] = volume["volume_type_id"]
    if version >= (3, 65):
        doc["consumes_quota"] = True
    return doc


def visible_volume(svc: Service, volume_id: str, token: Token) -> dict[str, Any]:
    """The volume if the token's project owns it (or admin), else Cinder's 404."""
    volume = svc.volumes.get(volume_id)
    if volume is None or not (token.is_admin or volume["project_id"] == token.project_id):
        raise ApiError(404, f"Volume {volume_id} could not be found.")
    return volume


def _listing(cloud: SimCloud, request: Request, version: Version, detail: bool) -> Response:
    token = request.authed
    svc = svc_of(cloud)
    with cloud.lock:
        records = scoped(list(svc.volumes.values()), request, token)
        records = filtered(records, request, version, _VOLUME_FILTERS)
        chunk, links = page(cloud, request, records, "volumes/detail" if detail else "volumes",
                            "Marker {} could not be found.")
        docs = [volume_doc(cloud, v, version, token.is_admin) for v in chunk]
        if not detail:
            docs = [{"id": d["id"], "name": d["name"], "links": d["links"]} for d in docs]
        body: dict[str, Any] = {"volumes": docs}
        if links:
            body["volumes_links"] = links
        if version >= (3, 45) and bool_arg(request.arg("with_count") or "false", "with_count"):
            body["count"] = len(records)
    return Response(200, body)


def list_volumes(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/volumes/detail."""
    return _listing(cloud, request, version, True)


def list_volumes_summary(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/volumes: id, name, links."""
    return _listing(cloud, request, version, False)


def show_volume(cloud: SimCloud, request: Request, version: Version) -> Response:
    """GET /v3/volumes/{id}."""
    token = request.authed
    svc = svc_of(cloud)
    with cloud.lock:
        volume = visible_volume(svc, request.params["volume_id"], token)
        return Response(200, {"volume": volume_doc(cloud, volume, version, token.is_admin)})


def _size(value: Any, what: str = "size") -> int:
    if isinstance(value, bool) or value is None:
        raise ApiError(400, f"Invalid input for field/attribute {what}. Value: {value}. "
                            f"{value} is not of type 'integer'")
    try:
        size = int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, f"Invalid input for field/attribute {what}. Value: {value}. "
                            f"'{value}' is not a valid integer") from exc
    if size < 1:
        raise ApiError(400, f"Invalid input for field/attribute {what}. Value: {value}. "
                            f"{value} is less than the minimum of 1")
    return size


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ApiError(400, "Invalid input received: metadata must be a dict of strings.")
    for key, item in value.items():
        if not key or len(key) > 255 or not isinstance(item, str) or len(item) > 255:
            raise ApiError(400, "Invalid input received: metadata keys and values must be "
                                "strings of 1-255 characters.")
    return {str(k): str(v) for k, v in value.items()}


def create_volume(cloud: SimCloud, request: Request, version: Version) -> Response:
    """POST /v3/volumes: 202, creating -> available after build_delay."""
    token = request.authed
    body = request.json_object("volume")
    svc = svc_of(cloud)
    project = token.project_id or ""
    zone = body.get("availability_zone")
    if zone not in (None, "nova"):
        raise ApiError(400, f"Invalid input received: Availability zone '{zone}' is invalid.")
    metadata = _metadata(body.get("metadata"))
    with cloud.lock:
        image = snapshot = source = None
        size = _size(body["size"]) if body.get("size") is not None else None
        vtype_ref = body.get("volume_type")
        if body.get("snapshot_id"):
            snapshot = svc.snapshots.get(str(body["snapshot_id"]))
            if snapshot is None or not (token.is_admin or snapshot["project_id"] == project):
                raise ApiError(404, f"Snapshot {body['snapshot_id']} could not be found.")
            if snapshot["status"] != "available":
                raise ApiError(400, "Invalid snapshot: Originating snapshot status must be one "
                                    "of 'available' values")
            size = size or snapshot["size"]
            if size < snapshot["size"]:
                raise ApiError(400, f"Invalid input received: Volume size '{size}'GB cannot be "
                                    f"smaller than the snapshot size {snapshot['size']}GB. They "
                                    "must be >= original snapshot size.")
            vtype_ref = vtype_ref or snapshot["volume_type_id"]
        elif body.get("source_volid"):
            source = visible_volume(svc, str(body["source_volid"]), token)
            if source["status"] not in ("available", "in-use"):
                raise ApiError(400, "Invalid volume: Source volume status must be available or "
                                    "in-use.")
            size = size or source["size"]
            if size < source["size"]:
                raise ApiError(400, f"Invalid input received: Volume size '{size}'GB cannot be "
                                    f"smaller than original volume size {source['size']}GB. "
                                    "They must be >= original volume size.")
            vtype_ref = vtype_ref or source["volume_type_id"]
        elif body.get("imageRef"):
            image, size = svc.image_check(str(body["imageRef"]), project, token.is_admin, size)
        if size is None:
            raise ApiError(400, "Invalid input for field/attribute size. Value: None. None is "
                                "not of type 'integer'")
        vtype = svc.type_by_name_or_id(vtype_ref)
        svc.check_quota(project, volumes=1, gigabytes=size)
        volume = svc.new_volume(project, token.user_id, size, name=body.get("name"),
                                description=body.get("description"), vtype=vtype,
                                metadata=metadata)
        volume["multiattach"] = bool(body.get("multiattach", False))
        if snapshot is not None:
            volume["snapshot_id"] = snapshot["id"]
            origin = svc.volumes.get(snapshot["volume_id"])
            if origin and origin["volume_image_metadata"]:
                volume["bootable"] = "true"
                volume["volume_image_metadata"] = dict(origin["volume_image_metadata"])
        if source is not None:
            volume["source_volid"] = source["id"]
            volume["bootable"] = source["bootable"]
            if source["volume_image_metadata"]:
                volume["volume_image_metadata"] = dict(source["volume_image_metadata"])
        if image is not None:
            svc.make_bootable(volume, image)
        svc.later(cloud.config.build_delay, volume, svc.volumes, "creating",
                  lambda v: v.update(status="available"))
        doc = volume_doc(cloud, volume, version, token.is_admin)
    return Response(202, {"volume": doc})


def update_volume(cloud: SimCloud, request: Request, version: Version) -> Response:
    """PUT /v3/volumes/{id}: name, description, metadata."""
    token = request.authed
    body = request.json_object("volume")
    svc = svc_of(cloud)
    for key in body:
        if key not in ("name", "description", "metadata", "display_name",
                       "display_description"):
            raise ApiError(400, f"Invalid input for field/attribute volume. Additional "
                                f"properties are not allowed ('{key}' was unexpected)")
    with cloud.lock:
        volume = visible_volume(svc, request.params["volume_id"], token)
        for key, field in (("name", "name"), ("display_name", "name"),
                           ("description", "description"),
                           ("display_description", "description")):
            if key in body:
                value = body[key]
                if value is not None and (not isinstance(value, str) or len(value) > 255):
                    raise ApiError(400, f"Invalid input for field/attribute {key}.")
                volume[field] = value
        if "metadata" in body:
            volume["metadata"] = _metadata(body["metadata"])
        svc.touch(volume)
        return Response(200, {"volume": volume_doc(cloud, volume, version, token.is_admin)})


def delete_volume(cloud: SimCloud, request: Request, version: Version) -> Response:
    """DELETE /v3/volumes/{id}: 202; 400 while attached, busy or with snapshots."""
    token = request.authed
    svc = svc_of(cloud)
    cascade = bool_arg(request.arg("cascade") or "false", "cascade")
    with cloud.lock:
        volume = visible_volume(svc, request.params["volume_id"], token)
        has_snapshots = any(s["volume_id"] == volume["id"] for s in svc.snapshots.values())
        if volume["status"] not in DELETABLE or volume["attachments"] or (
                has_snapshots and not cascade):
            raise ApiError(400, CANNOT_DELETE)
        svc.start_delete(volume, cascade=cascade)
    return Response(202)

