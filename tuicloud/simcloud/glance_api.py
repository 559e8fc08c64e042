"""Glance v2 HTTP handlers (state and data handling in :mod:`glance`)."""

from __future__ import annotations

import uuid
from typing import Any, cast
from urllib.parse import urlencode

from tuicloud.simcloud import glance_members
from tuicloud.simcloud import glance_schema as schema
from tuicloud.simcloud.core import (
    ApiError,
    Request,
    Response,
    Router,
    SimCloud,
    Token,
    parse_time,
)
from tuicloud.simcloud.glance import Service

DEFAULT_LIMIT = 25  # Glance's limit_param_default
MAX_LIMIT = 1000  # Glance's api_limit_max
PATCH_TYPES = ("application/openstack-images-v2.1-json-patch",
               "application/openstack-images-v2.0-json-patch")
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at",
             "updated_at", "visibility", "owner", "min_disk", "min_ram", "virtual_size")
_LIST_PARAMS = {"limit", "marker", "sort", "sort_key", "sort_dir", "visibility", "member_status",
                "os_hidden", "tag", "size_min", "size_max", "created_at", "updated_at"}
_IN_FILTERS = ("id", "name", "status", "container_format", "disk_format")


def register(router: Router, service: str) -> None:
    """Register Glance's routes."""
    from tuicloud.simcloud import glance_data as data

    add = router.add
    base = "/image/v2"
    add("GET", "/image", versions, service=service, auth=False)
    add("GET", "/image/versions", versions_ok, service=service, auth=False)
    add("GET", base, versions, service=service, auth=False)
    add("GET", f"{base}/images", list_images, service=service)
    add("POST", f"{base}/images", create_image, service=service)
    add("GET", f"{base}/images/{{image_id}}", show_image, service=service)
    add("PATCH", f"{base}/images/{{image_id}}", update_image, service=service)
    add("DELETE", f"{base}/images/{{image_id}}", delete_image, service=service)
    add("PUT", f"{base}/images/{{image_id}}/file", data.upload_data, service=service,
        stream_body=True)
    add("GET", f"{base}/images/{{image_id}}/file", data.download_data, service=service)
    add("PUT", f"{base}/images/{{image_id}}/stage", data.stage_data, service=service,
        stream_body=True)
    add("POST", f"{base}/images/{{image_id}}/import", data.import_image, service=service)
    add("POST", f"{base}/images/{{image_id}}/actions/deactivate", deactivate, service=service)
    add("POST", f"{base}/images/{{image_id}}/actions/reactivate", reactivate, service=service)
    add("PUT", f"{base}/images/{{image_id}}/tags/{{tag}}", add_tag, service=service)
    add("DELETE", f"{base}/images/{{image_id}}/tags/{{tag}}", remove_tag, service=service)
    glance_members.register(router, service, base)
    for name, maker in (("image", schema.image_schema), ("images", schema.images_schema),
                        ("member", schema.member_schema), ("members", schema.members_schema)):
        add("GET", f"{base}/schemas/{name}", _schema_handler(maker), service=service)
    add("GET", f"{base}/info/import", import_info, service=service)
    add("GET", f"{base}/info/stores", stores_info, service=service)
    add("GET", f"{base}/info/usage", usage_info, service=service)


def _svc(cloud: SimCloud) -> Service:
    return cast(Service, cloud.service("image"))



# -- versions, schemas, info ------------------------------------------------------------------
def _versions_doc(cloud: SimCloud) -> dict[str, Any]:
    href = f"{cloud.base_url}/image/v2/"
    values = [{"id": f"v2.{minor}", "status": "CURRENT" if minor == 17 else "SUPPORTED",
               "links": [{"rel": "self", "href": href}]} for minor in range(17, -1, -1)]
    return {"versions": values}


def versions(cloud: SimCloud, request: Request) -> Response:
    """GET /image: the version list, 300 Multiple Choices as Glance answers."""
    return Response(300, _versions_doc(cloud))


def versions_ok(cloud: SimCloud, request: Request) -> Response:
    """GET /image/versions."""
    return Response(200, _versions_doc(cloud))


def _schema_handler(maker: Any) -> Any:
    def handler(cloud: SimCloud, request: Request) -> Response:
        return Response(200, maker())

    handler.__doc__ = "GET /v2/schemas/...: a Glance JSON schema."
    return handler


def import_info(cloud: SimCloud, request: Request) -> Response:
    """GET /v2/info/import: only glance-direct (stage, then import) is offered."""
    return Response(200, {"import-methods": {"description": "Import methods available.",
                                             "type": "array", "value": ["glance-direct"]}})


def stores_info(cloud: SimCloud, request: Request) -> Response:
    """GET /v2/info/stores: a single-store Glance has none to list."""
    raise ApiError(404, "Multi backend is not supported at this site.")


def usage_info(cloud: SimCloud, request: Request) -> Response:
    """GET /v2/info/usage: the project's image count and bytes (no limits: -1)."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        own = [r for r in svc.images.values() if r["owner"] == token.project_id]
        total = sum(r["size"] or 0 for r in own)
        staging = sum(1 for r in own if r["status"] in ("uploading", "importing", "saving"))
        staged = sum(svc.staged[r["id"]][2] for r in own if r["id"] in svc.staged)
    return Response(200, {"usage": {
        "image_size_total": {"limit": -1, "usage": total // (1 << 20)},
        "image_count_total": {"limit": -1, "usage": len(own)},
        "image_stage_total": {"limit": -1, "usage": staged // (1 << 20)},
        "image_count_uploading": {"limit": -1, "usage": staging}}})


# -- listing ----------------------------------------------------------------------------------
def _bool_arg(value: str, name: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise ApiError(400, f"Invalid value '{value}' for parameter '{name}': Unrecognized value.")


def _time_filter(value: str, name: str) -> tuple[str, float]:
    op, sep, text = value.partition(":")
    if not sep or op not in ("gt", "gte", "lt", "lte", "eq", "neq"):
        op, text = "eq", value
    try:
        return op, parse_time(text)
    except ValueError as exc:
        raise ApiError(400, f"Invalid time format for {name}.") from exc


def _compare(op: str, left: float, right: float) -> bool:
    return {"gt": left > right, "gte": left >= right, "lt": left < right,
            "lte": left <= right, "eq": left == right, "neq": left != right}[op]


def _in_values(value: str) -> list[str] | None:
    if not value.startswith("in:"):
        return None
    return [part.strip().strip('"') for part in value[3:].split(",")]


def _sort_spec(request: Request) -> list[tuple[str, str]]:
    sort = request.arg("sort")
    keys = request.query.get("sort_key", [])
    dirs = request.query.get("sort_dir", [])
    if sort and (keys or dirs):
        raise ApiError(400, "The 'sort' parameter is not compatible with 'sort_key' or "
                            "'sort_dir'.")
    spec: list[tuple[str, str]] = []
    if sort:
        for part in sort.split(","):
            key, _, direction = part.strip().partition(":")
            spec.append((key, direction or "desc"))
    else:
        for index, key in enumerate(keys):
            direction = dirs[index] if index < len(dirs) else (dirs[0] if dirs else "desc")
            spec.append((key, direction))
        if not keys and dirs:
            spec.append(("created_at", dirs[0]))
    for key, direction in spec:
        if key not in SORT_KEYS:
            raise ApiError(400, f"Invalid sort key: {key}. It should be one of the following: "
                                + ", ".join(SORT_KEYS) + ".")
        if direction not in ("asc", "desc"):
            raise ApiError(400, f"Invalid sort direction: {direction}")
    if not spec:
        spec = [("created_at", "desc")]
    if "id" not in (key for key, _ in spec):
        spec.append(("id", spec[-1][1]))  # a total order, so markers are stable
    return spec


def _matches(svc: Service, record: dict[str, Any], request: Request, token: Token) -> bool:
    visibility = request.arg("visibility")
    vis = record["visibility"]
    owner_ok = token.is_admin or record["owner"] == token.project_id
    # A shared image shows to its members whose status matches member_status (default
    # accepted), as Glance lists them.
    wanted_status = request.arg("member_status") or "accepted"
    status = glance_members.member_status(svc, record["id"], token.project_id)
    member_ok = vis == "shared" and status is not None and wanted_status in ("all", status)
    if visibility is None:
        if not (token.is_admin or vis == "public" or record["owner"] == token.project_id
                or member_ok):
            return False
    elif visibility == "all":
        if not (owner_ok or vis in ("public", "community") or member_ok):
            return False
    elif vis != visibility or not (owner_ok or vis in ("public", "community") or member_ok):
        return False
    hidden = request.arg("os_hidden")
    if bool(record.get("os_hidden")) != (_bool_arg(hidden, "os_hidden") if hidden else False):
        return False
    for tag in request.query.get("tag", []):
        if tag not in record["tags"]:
            return False
    for name in ("created_at", "updated_at"):
        value = request.arg(name)
        if value is not None:
            op, when = _time_filter(value, name)
            if not _compare(op, parse_time(record[name]), when):
                return False
    size = record.get("size")
    for name, op in (("size_min", "gte"), ("size_max", "lte")):
        value = request.arg(name)
        if value is not None:
            try:
                bound = int(value)
            except ValueError as exc:
                raise ApiError(400, f"Invalid value for {name}: {value}") from exc
            if size is None or not _compare(op, size, bound):
                return False
    for key, values in request.query.items():
        if key in _LIST_PARAMS:
            continue
        wanted = values[-1]
        listed = _in_values(wanted) if key in _IN_FILTERS else None
        actual = record.get(key)
        if isinstance(actual, bool):
            if actual != _bool_arg(wanted, key):
                return False
        elif listed is not None:
            if actual not in listed:
                return False
        elif actual is None or str(actual) != wanted:
            return False
    return True


def _sorted(records: list[dict[str, Any]], spec: list[tuple[str, str]]) -> list[dict[str, Any]]:
    ordered = list(records)
    for key, direction in reversed(spec):
        reverse = direction == "desc"
        present = [r for r in ordered if r.get(key) is not None]
        missing = [r for r in ordered if r.get(key) is None]
        present.sort(key=lambda r: r[key], reverse=reverse)
        ordered = present + missing if not reverse else missing + present
    return ordered


def list_images(cloud: SimCloud, request: Request) -> Response:
    """GET /v2/images: filters, sort, limit/marker, ``next`` link."""
    token = request.authed
    svc = _svc(cloud)
    limit_text = request.arg("limit")
    limit = DEFAULT_LIMIT
    if limit_text is not None:
        try:
            limit = int(limit_text)
        except ValueError as exc:
            raise ApiError(400, "limit param must be an integer") from exc
        if limit < 0:
            raise ApiError(400, "limit param must be positive")
    limit = min(limit, MAX_LIMIT)
    visibility = request.arg("visibility")
    if visibility is not None and visibility not in (*schema.VISIBILITIES, "all"):
        raise ApiError(400, f"Invalid visibility value: {visibility}")
    member_status = request.arg("member_status")
    if member_status is not None and member_status not in ("pending", "accepted", "rejected",
                                                           "all"):
        raise ApiError(400, f"Invalid status value: {member_status}")
    spec = _sort_spec(request)
    marker = request.arg("marker")
    with cloud.lock:
        found = [r for r in svc.images.values() if _matches(svc, r, request, token)]
        ordered = _sorted(found, spec)
        start = 0
        if marker is not None:
            ids = [r["id"] for r in ordered]
            if marker not in ids:
                raise ApiError(400, f"Invalid marker. Image {marker} could not be found.")
            start = ids.index(marker) + 1
        page = ordered[start:start + limit]
        docs = [svc.doc(r) for r in page]
        more = start + limit < len(ordered)
    params = [(k, v) for k, values in request.query.items() if k != "marker" for v in values]
    body: dict[str, Any] = {"images": docs, "schema": "/v2/schemas/images",
                            "first": "/v2/images" + (f"?{urlencode(params)}" if params else "")}
    if more and page:
        body["next"] = "/v2/images?" + urlencode(params + [("marker", page[-1]["id"])])
    return Response(200, body)


def show_image(cloud: SimCloud, request: Request) -> Response:
    """GET /v2/images/{id}."""
    svc = _svc(cloud)
    with cloud.lock:
        return Response(200, svc.doc(svc.visible(request.params["image_id"], request.authed)))


# -- create / update / delete -----------------------------------------------------------------
def _check_value(key: str, value: Any, token: Token) -> Any:
    """Validate one attribute against the schema; returns the value to store."""
    def bad(kind: str) -> ApiError:
        return ApiError(400, f"Provided object does not match schema 'image': {value!r} is not "
                             f"of type '{kind}'\n\nFailed validating 'type' in "
                             f"schema['properties']['{key}']")

    if key in ("protected", "os_hidden"):
        if not isinstance(value, bool):
            raise bad("boolean")
    elif key in ("min_disk", "min_ram"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("integer")
        if value < 0:
            raise ApiError(400, f"Invalid value for {key}: must be >= 0")
    elif key == "visibility":
        if value not in schema.VISIBILITIES:
            raise ApiError(400, f"Invalid visibility value: {value}")
        if value == "public" and not token.is_admin:
            raise ApiError(403, "You are not authorized to complete publicize_image action.")
    elif key == "tags":
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise bad("array")
        if any(len(t) > 255 for t in value):
            raise ApiError(400, "Tag too long: at most 255 characters")
        return list(dict.fromkeys(value))
    elif key in ("disk_format", "container_format"):
        allowed = schema.DISK_FORMATS if key == "disk_format" else schema.CONTAINER_FORMATS
        if value is not None and value not in allowed:
            raise ApiError(400, f"Invalid value '{value}' for {key}: must be one of "
                                + ", ".join(allowed))
    elif key == "name":
        if value is not None and not isinstance(value, str):
            raise bad("string")
        if value is not None and len(value) > 255:
            raise ApiError(400, "Image name too long: at most 255 characters")
    elif key == "owner":
        if value is not None and not isinstance(value, str):
            raise bad("string")
        if not token.is_admin and value != token.project_id:
            raise ApiError(403, "You are not permitted to create images owned by "
                                f"'{value}'.")
    elif not isinstance(value, str):
        raise bad("string")
    elif len(key) > 255 or len(value) > 65535:
        raise ApiError(400, f"Property {key[:40]} is too long")
    return value


def create_image(cloud: SimCloud, request: Request) -> Response:
    """POST /v2/images: a queued image (no data yet)."""
    token = request.authed
    body = request.json_object()
    svc = _svc(cloud)
    for key in body:
        if key in schema.RESERVED:
            raise ApiError(403, f"Attribute '{key}' is reserved.")
        if key in schema.READ_ONLY and key != "id":
            raise ApiError(403, f"Attribute '{key}' is read-only.")
    values = {key: _check_value(key, value, token) for key, value in body.items()
              if key != "id"}
    image_id = body.get("id")
    with cloud.lock:
        if image_id is not None:
            try:
                image_id = str(uuid.UUID(str(image_id)))
            except ValueError as exc:
                raise ApiError(400, f"Invalid image id: {image_id}") from exc
            if image_id in svc.images:
                raise ApiError(409, f"An image with identifier {image_id} already exists")
        else:
            image_id = str(uuid.uuid4())
        record = svc._new_record(image_id, values.pop("name", None),
                                 values.pop("owner", None) or token.project_id or "",
                                 visibility=values.pop("visibility", "shared"),
                                 disk_format=values.pop("disk_format", None),
                                 container_format=values.pop("container_format", None))
        record.update(values)
        svc.images[image_id] = record
        doc = svc.doc(record)
    return Response(201, doc, {"Location": f"{cloud.base_url}/image/v2/images/{image_id}",
                               "OpenStack-image-import-methods": "glance-direct"})


def _patch_ops(request: Request) -> list[tuple[str, str, Any]]:
    ctype = request.header("content-type").split(";")[0].strip().lower()
    if ctype not in PATCH_TYPES:
        raise ApiError(415, f"Unsupported Content-Type: {ctype or 'none'}",
                       headers={"Accept-Patch": ", ".join(PATCH_TYPES)})
    data = request.json()
    if not isinstance(data, list):
        raise ApiError(400, "Request body must be a JSON array of operation objects.")
    ops: list[tuple[str, str, Any]] = []
    for item in data:
        if not isinstance(item, dict):
            raise ApiError(400, "Operations must be JSON objects.")
        if "op" in item:
            op, path = item.get("op"), item.get("path")
        else:  # Glance's older form: {"replace": "/name", "value": ...}
            named = [k for k in ("add", "remove", "replace") if k in item]
            op, path = (named[0], item[named[0]]) if len(named) == 1 else (None, None)
        if op not in ("add", "remove", "replace"):
            raise ApiError(400, 'Operation objects must contain exactly one member named "add",'
                                ' "remove", or "replace".')
        if not isinstance(path, str) or not path.startswith("/") or path.count("/") != 1:
            raise ApiError(400, f"Invalid JSON pointer for this resource: '{path}'")
        if op != "remove" and "value" not in item:
            raise ApiError(400, f"Operation \"{op}\" requires a member named \"value\".")
        key = path[1:].replace("~1", "/").replace("~0", "~")
        ops.append((str(op), key, item.get("value")))
    return ops


def update_image(cloud: SimCloud, request: Request) -> Response:
    """PATCH /v2/images/{id}: JSON-patch add/replace/remove."""
    token = request.authed
    ops = _patch_ops(request)
    svc = _svc(cloud)
    base = {"name", "visibility", "protected", "os_hidden", "min_disk", "min_ram", "tags",
            "disk_format", "container_format", "owner"}
    with cloud.lock:
        record = svc.owned(request.params["image_id"], token, "modify_image")
        updated = dict(record)
        for op, key, value in ops:
            if key in schema.RESERVED:
                raise ApiError(403, f"Attribute '{key}' is reserved.")
            if key in schema.READ_ONLY or key == "locations":
                raise ApiError(403, f"Attribute '{key}' is read-only.")
            if key in ("disk_format", "container_format") and updated["status"] != "queued":
                raise ApiError(403, f"Attribute {key} can be only replaced for a queued image.")
            if op == "remove":
                if key in base:
                    raise ApiError(403, f"Attribute '{key}' is a base attribute and cannot be "
                                        "removed.")
                if key not in updated:
                    raise ApiError(409, f"Property {key} does not exist.")
                del updated[key]
                continue
            if op == "replace" and key not in base and key not in updated:
                raise ApiError(409, f"Property {key} does not exist.")
            if key == "visibility" and value == record["visibility"]:
                updated[key] = value
                continue
            updated[key] = _check_value(key, value, token)
        record.clear()
        record.update(updated)
        svc.touch(record)
        doc = svc.doc(record)
    return Response(200, doc)


def delete_image(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2/images/{id}: 204; 403 when protected."""
    svc = _svc(cloud)
    with cloud.lock:
        record = svc.owned(request.params["image_id"], request.authed, "delete_image")
        if record["protected"]:
            raise ApiError(403, f"Image {record['id']} is protected and cannot be deleted.")
        del svc.images[record["id"]]
        svc.members.pop(record["id"], None)
        svc.remove_data(record["id"])
    return Response(204)


# -- tags and members -------------------------------------------------------------------------
def add_tag(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2/images/{id}/tags/{tag}."""
    svc = _svc(cloud)
    tag = request.params["tag"]
    if len(tag) > 255:
        raise ApiError(400, "Tag too long: at most 255 characters")
    with cloud.lock:
        record = svc.owned(request.params["image_id"], request.authed, "modify_image")
        if tag not in record["tags"]:
            record["tags"].append(tag)
            svc.touch(record)
    return Response(204)


def remove_tag(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2/images/{id}/tags/{tag}: 404 when the image has no such tag."""
    svc = _svc(cloud)
    with cloud.lock:
        record = svc.owned(request.params["image_id"], request.authed, "modify_image")
        if request.params["tag"] not in record["tags"]:
            raise ApiError(404, f"Tag {request.params['tag']} not found")
        record["tags"].remove(request.params["tag"])
        svc.touch(record)
    return Response(204)


# -- actions ----------------------------------------------------------------------------------
def deactivate(cloud: SimCloud, request: Request) -> Response:
    """POST /v2/images/{id}/actions/deactivate: active -> deactivated (idempotent)."""
    svc = _svc(cloud)
    with cloud.lock:
        record = svc.owned(request.params["image_id"], request.authed, "deactivate")
        if record["status"] == "active":
            record["status"] = "deactivated"
            svc.touch(record)
        elif record["status"] != "deactivated":
            raise ApiError(400, "Not allowed to deactivate image in status "
                                f"'{record['status']}'")
    return Response(204)


def reactivate(cloud: SimCloud, request: Request) -> Response:
    """POST /v2/images/{id}/actions/reactivate: deactivated -> active (idempotent)."""
    svc = _svc(cloud)
    with cloud.lock:
        record = svc.owned(request.params["image_id"], request.authed, "reactivate")
        if record["status"] == "deactivated":
            record["status"] = "active"
            svc.touch(record)
        elif record["status"] != "active":
            raise ApiError(400, "Not allowed to reactivate image in status "
                                f"'{record['status']}'")
    return Response(204)
