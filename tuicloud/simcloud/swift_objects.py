"""Swift's objects: PUT streamed to disk (md5 as it goes), GET streamed back with ranges,
HEAD, POST (replaces the user metadata), DELETE, COPY and ``X-Copy-From``, conditional
requests, and static large objects (``multipart-manifest=put/get/delete``)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

from tuicloud.simcloud.core import ApiError, Request, Response
from tuicloud.simcloud.swift import (
    Service,
    check_object_name,
    find_container,
    guess_type,
    merge_meta,
    object_headers,
    read_meta,
    split_path,
)
from tuicloud.simcloud.swift_store import Account, StoredObject

HTML = {"Content-Type": "text/html; charset=UTF-8"}


def handle(service: Service, request: Request, account: Account, container_name: str,
           name: str) -> Response:
    """One object request."""
    method = request.method
    if method == "PUT":
        return _put(service, request, account, container_name, name)
    if method == "COPY":
        destination = request.header("destination")
        if not destination:
            raise ApiError(412, "You must provide a Destination header")
        target_container, target = split_path(destination)
        return _copy(service, request, account, (container_name, name),
                     target_container, target)
    with service.cloud.lock:
        obj = _find(account, container_name, name)
        if method in ("GET", "HEAD"):
            return _get(service, request, account, obj)
        if method == "POST":
            meta: dict[str, str] = {}
            merge_meta(meta, read_meta(request, "object"))
            obj.meta = meta  # a POST replaces all the user metadata, as Swift's does
            if request.header("content-type"):
                obj.content_type = request.header("content-type")
            return Response(202, None, HTML)
        if method == "DELETE":
            if name in service.cloud.faults.object_delete_failures:
                raise ApiError(503, "The server is currently unavailable. Please try again "
                                    "at a later time.")
            if request.arg("multipart-manifest") == "delete" and obj.segments is not None:
                return _delete_manifest(service, account, container_name, obj)
            _remove(service, account, container_name, name)
            return Response(204, None, HTML)
    raise ApiError(405, "The method is not allowed for this resource.")


def _find(account: Account, container_name: str, name: str) -> StoredObject:
    obj = find_container(account, container_name).objects.get(name)
    if obj is None:
        raise ApiError(404, "The resource could not be found.")
    return obj


def _remove(service: Service, account: Account, container_name: str, name: str) -> None:
    obj = find_container(account, container_name).remove(name)
    if obj is not None and obj.path:
        service.files.discard(obj.path)


def _store(service: Service, account: Account, container_name: str, obj: StoredObject) -> None:
    """Put ``obj`` in its container under the lock; the object it replaces loses its file."""
    with service.cloud.lock:
        try:
            container = find_container(account, container_name)
        except ApiError:
            service.files.discard(obj.path)
            raise
        old = container.put(obj)
    if old is not None and old.path:
        service.files.discard(old.path)


def _put(service: Service, request: Request, account: Account, container_name: str,
         name: str) -> Response:
    check_object_name(name)
    with service.cloud.lock:
        exists = name in find_container(account, container_name).objects
        failures = service.cloud.faults.object_put_failures
        for suffix, left in failures.items():
            if left > 0 and name.endswith(suffix):
                failures[suffix] = left - 1
                raise ApiError(503, "The server is currently unavailable. Please try again "
                                    "at a later time.")
    copy_from = request.header("x-copy-from")
    if copy_from:
        return _copy(service, request, account, _split(copy_from), container_name, name)
    if exists and request.header("if-none-match").strip() == "*":
        raise ApiError(412, "A precondition for this request was not met.")
    if request.arg("multipart-manifest") == "put":
        return _put_manifest(service, request, account, container_name, name)
    if request.content_length is None and not request.chunked:
        raise ApiError(411, "Missing Content-Length or Transfer-Encoding: chunked")
    meta: dict[str, str] = {}
    merge_meta(meta, read_meta(request, "object"))
    path, size, etag = service.files.write(request.iter_body())
    given = request.header("etag").strip('"').lower()
    if given and given != etag:
        service.files.discard(path)
        raise ApiError(422, "The request could not be processed: the Etag did not match.")
    now = time.time()
    obj = StoredObject(name, path, size, etag, guess_type(name, request.header("content-type")),
                       now, meta)
    _store(service, account, container_name, obj)
    return Response(201, None, {**HTML, "Etag": etag,
                                "Last-Modified": _http_date(now)})


def _split(value: str) -> tuple[str, str]:
    return split_path(value)


def _copy(service: Service, request: Request, account: Account, source: tuple[str, str],
          container_name: str, name: str) -> Response:
    """A server-side copy: the bytes (an SLO's concatenated), content type and metadata,
    with the request's metadata on top."""
    check_object_name(name)
    with service.cloud.lock:
        obj = _find(account, *source)
        parts = _parts(service, account, obj)
        find_container(account, container_name)
    # The copy middleware sends the request's conditions with its GET of the source, so
    # "If-None-Match: *" answers 304 and copies nothing, whatever the destination holds.
    none_match = request.header("if-none-match")
    if none_match and (none_match.strip() == "*" or obj.etag in none_match):
        return Response(304, None, {"Etag": f'"{obj.etag}"'})
    path, size, etag = service.files.write(_read(service, parts, 0, obj.size))
    meta = dict(obj.meta)
    merge_meta(meta, read_meta(request, "object"))
    now = time.time()
    content_type = request.header("content-type") or obj.content_type
    _store(service, account, container_name,
           StoredObject(name, path, size, etag, content_type, now, meta))
    return Response(201, None, {
        **HTML, "Etag": etag, "Last-Modified": _http_date(now),
        "X-Copied-From-Account": account.name, "X-Copied-From": f"{source[0]}/{source[1]}",
        "X-Copied-From-Last-Modified": _http_date(obj.modified)})


def _http_date(when: float) -> str:
    from tuicloud.simcloud.swift import http_date

    return http_date(when)


# -- reading -----------------------------------------------------------------------------------
def _parts(service: Service, account: Account, obj: StoredObject) -> list[StoredObject]:
    """Each piece of an object: itself, or an SLO's segments (under the lock)."""
    if obj.segments is None:
        return [obj]
    parts = []
    for segment in obj.segments:
        container_name, _, segment_name = segment["name"].lstrip("/").partition("/")
        container = account.containers.get(container_name)
        piece = container.objects.get(segment_name) if container else None
        if piece is None or piece.segments is not None:
            raise ApiError(409, f"Segment {segment['name']} of the manifest is missing.")
        parts.append(piece)
    return parts


def _read(service: Service, parts: list[StoredObject], start: int,
          length: int) -> Iterator[bytes]:
    """Stream ``length`` bytes from ``start`` across ``parts``."""
    for piece in parts:
        size = piece.size
        if length <= 0:
            return
        if start >= size:
            start -= size
            continue
        take = min(size - start, length)
        yield from service.files.read_object(piece, start, take)
        length -= take
        start = 0


def _range(header: str, size: int) -> tuple[int, int] | None:
    """One ``bytes=a-b`` range as (start, length); None to send it all (no or several ranges,
    which HTTP lets a server ignore); a 416 when it cannot be satisfied."""
    if not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if first == "":
            count = int(last)
            start, end = max(size - count, 0), size - 1
            if count == 0:
                raise _unsatisfiable(size)
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        raise _unsatisfiable(size)
    return start, end - start + 1


def _unsatisfiable(size: int) -> ApiError:
    return ApiError(416, "The Range requested is not available.",
                    headers={"Content-Range": f"bytes */{size}"})


def _get(service: Service, request: Request, account: Account, obj: StoredObject) -> Response:
    headers = object_headers(obj)
    quoted = f'"{obj.etag}"'
    match = request.header("if-match")
    if match and match.strip() != "*" and quoted not in match and obj.etag not in match:
        raise ApiError(412, "A precondition for this request was not met.")
    none_match = request.header("if-none-match")
    if none_match and (none_match.strip() == "*" or obj.etag in none_match):
        return Response(304, None, {"Etag": headers["Etag"]})
    if request.arg("multipart-manifest") == "get" and obj.segments is not None:
        manifest = json.dumps(obj.segments).encode()
        return Response(200, manifest, {
            **headers, "Content-Type": "application/json; charset=utf-8",
            "Etag": hashlib.md5(manifest, usedforsecurity=False).hexdigest()})
    parts = _parts(service, account, obj)
    wanted = _range(request.header("range"), obj.size) if request.header("range") else None
    start, length, status = 0, obj.size, 200
    if wanted is not None:
        start, length = wanted
        status = 206
        headers["Content-Range"] = f"bytes {start}-{start + length - 1}/{obj.size}"
    body: Any = iter(()) if request.method == "HEAD" else _read(service, parts, start, length)
    return Response(status, body, headers, content_length=length)


# -- static large objects ----------------------------------------------------------------------
def _put_manifest(service: Service, request: Request, account: Account, container_name: str,
                  name: str) -> Response:
    try:
        entries = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "Manifest must be valid JSON.") from exc
    if not isinstance(entries, list) or not entries:
        raise ApiError(400, "Manifest must be a list of segments.")
    if len(entries) > 1000:
        raise ApiError(400, "Too many segments: max 1000.")
    segments: list[dict[str, Any]] = []
    errors: list[str] = []
    with service.cloud.lock:
        for entry in entries:
            path = str(entry.get("path", "")) if isinstance(entry, dict) else ""
            seg_container, _, seg_name = path.lstrip("/").partition("/")
            container = account.containers.get(seg_container)
            piece = container.objects.get(seg_name) if container else None
            if piece is None:
                errors.append(f"{path}, 404 Not Found")
                continue
            etag = entry.get("etag")
            if etag and str(etag).strip('"') != piece.etag:
                errors.append(f"{path}, Etag Mismatch")
            size = entry.get("size_bytes")
            if size is not None and size != piece.size:
                errors.append(f"{path}, Size Mismatch")
            segments.append({"name": "/" + path.lstrip("/"), "bytes": piece.size,
                             "hash": piece.etag, "content_type": piece.content_type,
                             "last_modified": piece.listing()["last_modified"]})
    if errors:
        raise ApiError(400, "Errors:\n" + "\n".join(errors))
    etag = hashlib.md5("".join(s["hash"] for s in segments).encode(),
                       usedforsecurity=False).hexdigest()
    meta: dict[str, str] = {}
    merge_meta(meta, read_meta(request, "object"))
    now = time.time()
    obj = StoredObject(name, "", sum(s["bytes"] for s in segments), etag,
                       guess_type(name, request.header("content-type")), now, meta, segments)
    _store(service, account, container_name, obj)
    return Response(201, None, {**HTML, "Etag": f'"{etag}"', "Last-Modified": _http_date(now)})


def _delete_manifest(service: Service, account: Account, container_name: str,
                     obj: StoredObject) -> Response:
    """Delete the segments, then the manifest; Swift's bulk-style summary."""
    deleted = missing = 0
    for segment in obj.segments or ():
        seg_container, _, seg_name = segment["name"].lstrip("/").partition("/")
        container = account.containers.get(seg_container)
        if container is None or seg_name not in container.objects:
            missing += 1
            continue
        _remove(service, account, seg_container, seg_name)
        deleted += 1
    _remove(service, account, container_name, obj.name)
    return Response(200, {"Number Deleted": deleted + 1, "Number Not Found": missing,
                          "Response Body": "", "Response Status": "200 OK", "Errors": []})
