"""Glance v2 image data handlers: upload, glance-direct stage + import, download (state in
:mod:`glance`)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from tuicloud.simcloud.core import ApiError, Request, Response, SimCloud
from tuicloud.simcloud.glance import file_chunks, synth_chunks
from tuicloud.simcloud.glance_api import _svc


# -- data -------------------------------------------------------------------------------------
def _start_upload(cloud: SimCloud, request: Request, expected: str,
                  transitional: str) -> dict[str, Any]:
    svc = _svc(cloud)
    ctype = request.header("content-type").split(";")[0].strip().lower()
    if ctype != "application/octet-stream":
        raise ApiError(415, f"Content-Type '{ctype or 'none'}' is not supported: use "
                            "application/octet-stream")
    with cloud.lock:
        record = svc.owned(request.params["image_id"], request.authed, "upload_image")
        if record["status"] != expected:
            raise ApiError(409, f"Image status transition from {record['status']} to "
                                f"{transitional} is not allowed")
        missing = [k for k in ("disk_format", "container_format") if record.get(k) is None]
        if missing:
            raise ApiError(400, f"Properties {', '.join(missing)} must be set prior to saving "
                                "data.")
        record["status"] = transitional
        svc.touch(record)
        return record


def _finish_upload(cloud: SimCloud, request: Request, record: dict[str, Any], expected: str,
                   *, staging: bool) -> Response:
    svc = _svc(cloud)
    image_id = record["id"]
    try:
        path, size, md5, sha = svc.receive(request, image_id, staging=staging)
    except BaseException:
        with cloud.lock:
            if svc.images.get(image_id) is record and record["status"] == expected:
                record["status"] = "queued"  # Glance lets the upload be retried
                svc.touch(record)
        raise
    with cloud.lock:
        if svc.images.get(image_id) is not record:
            os.unlink(path)
            raise ApiError(410, f"Image {image_id} could not be found after upload. The image "
                                "may have been deleted during the upload.")
        if staging:
            svc.staged[image_id] = ("file", path, size)
            record["status"] = "uploading"
        else:
            svc.data[image_id] = ("file", path, size)
            record.update(status="active", size=size, checksum=md5, os_hash_algo="sha512",
                          os_hash_value=sha,
                          virtual_size=size if record["disk_format"] in ("raw", "iso") else None)
        svc.touch(record)
    return Response(204)


def upload_data(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2/images/{id}/file: stream the body to disk; queued -> saving -> active."""
    record = _start_upload(cloud, request, "queued", "saving")
    return _finish_upload(cloud, request, record, "saving", staging=False)


def stage_data(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2/images/{id}/stage (glance-direct step 1): queued -> uploading."""
    record = _start_upload(cloud, request, "queued", "uploading")
    return _finish_upload(cloud, request, record, "uploading", staging=True)


def import_image(cloud: SimCloud, request: Request) -> Response:
    """POST /v2/images/{id}/import (glance-direct step 2): importing, then active."""
    body = request.json_object()
    method = body.get("method")
    name = method.get("name") if isinstance(method, dict) else None
    if name != "glance-direct":
        raise ApiError(400, f"Import method {name} is not supported at this site.")
    svc = _svc(cloud)
    with cloud.lock:
        record = svc.owned(request.params["image_id"], request.authed, "import_image")
        image_id = record["id"]
        if record["status"] != "uploading" or image_id not in svc.staged:
            raise ApiError(409, f"Image needs to be staged before 'glance-direct' method can "
                                f"be used (status: {record['status']})")
        record["status"] = "importing"
        svc.touch(record)

    def done() -> None:
        staged = svc.staged.pop(image_id, None)
        if svc.images.get(image_id) is not record or staged is None:
            return
        md5 = hashlib.md5(usedforsecurity=False)
        sha = hashlib.sha512()
        with open(staged[1], "rb") as handle:
            for piece in iter(lambda: handle.read(1 << 20), b""):
                md5.update(piece)
                sha.update(piece)
        svc.data[image_id] = staged
        record.update(status="active", size=staged[2], checksum=md5.hexdigest(),
                      os_hash_algo="sha512", os_hash_value=sha.hexdigest())
        svc.touch(record)

    cloud.scheduler.call_later(cloud.config.action_delay, done)
    return Response(202)


def download_data(cloud: SimCloud, request: Request) -> Response:
    """GET /v2/images/{id}/file: the data streamed from disk or synthesized; 204 when none."""
    token = request.authed
    svc = _svc(cloud)
    with cloud.lock:
        record = svc.visible(request.params["image_id"], token)
        if record["status"] == "deactivated" and not token.is_admin:
            raise ApiError(403, "The requested image has been deactivated. Image data download "
                                "is forbidden.")
        source = svc.data.get(record["id"])
        if source is None or record["status"] not in ("active", "deactivated"):
            return Response(204)
        kind, where, size = source
        headers = {"Content-Type": "application/octet-stream"}
        if record.get("checksum"):
            headers["Content-MD5"] = record["checksum"]
        if kind == "file":
            chunks = file_chunks(open(where, "rb"))  # opened now: a later delete can't break it
        else:
            chunks = synth_chunks(where, size)
    return Response(200, chunks, headers, content_length=size)

