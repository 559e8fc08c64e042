"""Static large objects (Swift's SLO): a file above the threshold is sent in segments to
``<container>_segments`` (named as python-swiftclient names them:
``<object>/slo/<mtime>/<size>/<segment size>/<index>``), each segment retried on its own,
then the manifest PUT with ``?multipart-manifest=put``. A download checks each segment's md5
against the manifest (``?multipart-manifest=get``) as the bytes pass, and a delete with
``?multipart-manifest=delete`` takes the segments with the manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.transfer import CHUNK, Progress, ProgressCallback, TransferCancelled

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["MAX_SEGMENTS", "SEGMENT_TRIES", "SegmentCheck", "delete_large", "manifest_segments",
           "segment_size_for", "segments_container", "upload_large"]

log = logging.getLogger("tuicloud.cloud")

MAX_SEGMENTS = 1000
"""Swift's default ``max_manifest_segments`` (/info ``slo``)."""
SEGMENT_TRIES = 3
"""Each segment is sent up to this many times (a 5xx or a broken connection, or an etag
that is not the md5 sent) before the upload gives up."""


def segments_container(container: str) -> str:
    """Where the segments go: ``<container>_segments``, as the swift client puts them."""
    return f"{container}_segments"


def segment_size_for(size: int, threshold: int) -> int:
    """Segments of ``threshold`` bytes, larger when that would make more than Swift's
    1,000 segments."""
    return max(threshold, -(-size // MAX_SEGMENTS))


def _path(container: str, name: str) -> str:
    return f"/{quote(container, safe='')}/{quote(name, safe='')}"


class _SliceBody:
    """``length`` bytes of a file from ``start``, read a chunk at a time as they are sent,
    their md5 kept; progress is the whole upload's."""

    def __init__(self, path: Path, start: int, length: int, progress: Progress,
                 on_progress: ProgressCallback | None, cancel: threading.Event) -> None:
        self.path, self.start, self.length = path, start, length
        self.progress, self.on_progress, self.cancel = progress, on_progress, cancel
        self.md5 = hashlib.md5(usedforsecurity=False)

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:  # keystoneauth's debug log prints the body: never the data
        return f"<{self.length} bytes of {self.path.name} from {self.start}>"

    def __iter__(self) -> Iterator[bytes]:
        self.md5 = hashlib.md5(usedforsecurity=False)
        sent = 0
        base = self.progress.done
        with open(self.path, "rb") as handle:
            handle.seek(self.start)
            while sent < self.length:
                if self.cancel.is_set():
                    raise TransferCancelled("upload cancelled")
                chunk = handle.read(min(CHUNK, self.length - sent))
                if not chunk:
                    raise OSError(f"{self.path} shrank while it was being uploaded")
                sent += len(chunk)
                self.md5.update(chunk)
                self.progress.done = base + sent
                if self.on_progress is not None:
                    self.on_progress(self.progress)
                yield chunk


def _ensure_container(session: CloudSession, container: str) -> None:
    """Make the segments' container unless it is there (a PUT on one that is there would
    answer 202 and could change nothing, but a HEAD first says so without writing)."""
    try:
        session.head("object-store", "/" + quote(container, safe=""))
    except CloudError as exc:
        if exc.status != 404:
            raise
        session.send_raw("PUT", "object-store", "/" + quote(container, safe=""),
                         description=f"create container {container}")[2].close()


def _put_segment(session: CloudSession, container: str, name: str, body: _SliceBody) -> str:
    """One segment, retried: its etag (the md5 of what was sent)."""
    done_before = body.progress.done
    for attempt in range(1, SEGMENT_TRIES + 1):
        body.progress.done = done_before
        try:
            answer, _info, resp = session.send_raw(
                "PUT", "object-store", _path(container, name), data=body,
                headers={"Content-Type": "application/octet-stream"},
                description=f"upload segment {name} to container {container}")
            resp.close()
        except CloudError as exc:
            if attempt == SEGMENT_TRIES or (exc.status is not None and exc.status < 500):
                raise
            log.info("segment %s: try %d failed (%s); sending it again", name, attempt, exc)
            continue
        etag = answer.get("etag", "").strip('"').lower()
        if etag == body.md5.hexdigest():
            return etag
        if attempt == SEGMENT_TRIES:
            raise CloudError(f"segment {name}: the cloud's etag {etag} is not the md5 sent "
                             f"({body.md5.hexdigest()}) after {SEGMENT_TRIES} tries",
                             service="object-store")
        log.info("segment %s: etag %s is not the md5 sent; sending it again", name, etag)
    raise AssertionError("unreachable")


def upload_large(session: CloudSession, container: str, name: str, source: str | Path, *,
                 threshold: int, overwrite: bool = False,
                 on_progress: ProgressCallback | None = None,
                 cancel: threading.Event | None = None) -> str:
    """Upload ``source`` as a static large object (blocking); returns the manifest's etag.
    Without ``overwrite`` an existing object is refused before any segment is sent (a HEAD)
    and again by Swift at the manifest (``If-None-Match: *``). A failed or cancelled upload
    deletes the segments it sent."""
    from tuicloud.cloud.object_transfer import ObjectExists

    cancel = cancel or threading.Event()
    session.refuse_if_read_only(f"upload large object {name} to container {container}")
    path = Path(source).expanduser()
    stat = path.stat()
    size = stat.st_size
    if not overwrite and _exists(session, container, name):
        raise ObjectExists(f"{name} exists in {container}", status=412, service="object-store")
    seg_container = segments_container(container)
    _ensure_container(session, seg_container)
    segment = segment_size_for(size, threshold)
    mtime = f"{stat.st_mtime:f}"
    prefix = f"{name}/slo/{mtime}/{size}/{segment}/"
    progress = Progress(total=size)
    sent: list[dict[str, Any]] = []
    try:
        for index, start in enumerate(range(0, size, segment)):
            length = min(segment, size - start)
            seg_name = f"{prefix}{index:08d}"
            body = _SliceBody(path, start, length, progress, on_progress, cancel)
            etag = _put_segment(session, seg_container, seg_name, body)
            sent.append({"path": f"/{seg_container}/{seg_name}", "etag": etag,
                         "size_bytes": length})
        headers = {"Content-Type": mimetypes.guess_type(name)[0] or "application/octet-stream",
                   "X-Object-Meta-Mtime": mtime}
        if not overwrite:
            headers["If-None-Match"] = "*"
        answer, _info, resp = session.send_raw(
            "PUT", "object-store", _path(container, name),
            params=[("multipart-manifest", "put")], headers=headers,
            data=json.dumps(sent).encode(),
            description=f"upload large object {name} to container {container}")
        resp.close()
    except BaseException as exc:
        _discard(session, sent)
        if isinstance(exc, CloudError) and exc.status == 412 and not overwrite:
            raise ObjectExists(f"{name} exists in {container}", status=412,
                               request_id=exc.request_id, service="object-store") from exc
        raise
    return answer.get("etag", "").strip('"').lower()


def _exists(session: CloudSession, container: str, name: str) -> bool:
    try:
        session.head("object-store", _path(container, name))
    except CloudError as exc:
        if exc.status == 404:
            return False
        raise
    return True


def _discard(session: CloudSession, sent: list[dict[str, Any]]) -> None:
    """Best effort: the segments of an upload that did not finish."""
    for entry in sent:
        seg_container, _, seg_name = str(entry["path"]).lstrip("/").partition("/")
        try:
            session.send_raw("DELETE", "object-store", _path(seg_container, seg_name),
                             description=f"delete segment {seg_name}")[2].close()
        except CloudError as exc:
            log.info("segment %s of an unfinished upload not deleted: %s", seg_name, exc)


def manifest_segments(session: CloudSession, container: str, name: str) -> list[dict[str, Any]]:
    """A static large object's segments (name, bytes, hash), from its manifest."""
    body, _info = session.get_json("object-store", _path(container, name),
                                   [("multipart-manifest", "get")])
    if not isinstance(body, list):
        raise CloudError(f"{name}: its manifest is not a list of segments",
                         service="object-store")
    return [entry for entry in body if isinstance(entry, dict)]


def delete_large(session: CloudSession, container: str, name: str) -> None:
    """Delete a static large object with its segments (``?multipart-manifest=delete``)."""
    _headers, _info, resp = session.send_raw(
        "DELETE", "object-store", _path(container, name),
        params=[("multipart-manifest", "delete")], headers={"Accept": "application/json"},
        description=f"delete large object {name} in container {container} with its segments")
    try:
        body = resp.json() if resp.content else {}
    except ValueError:
        body = {}
    finally:
        resp.close()
    errors = body.get("Errors") if isinstance(body, dict) else None
    status = str(body.get("Response Status", "")) if isinstance(body, dict) else ""
    if errors or (status and not status.startswith("2")):
        raise CloudError(f"{name}: {status or 'not all deleted'}: "
                         + "; ".join(" ".join(map(str, e)) for e in errors or []),
                         service="object-store")


@dataclass
class SegmentCheck:
    """Checks a large object's bytes as they pass: each segment's md5 against the manifest's
    hash, at each segment's end. Start it at byte 0 (a large download starts again)."""

    segments: list[dict[str, Any]]
    index: int = 0
    left: int = -1
    md5: Any = None
    failed: str = ""

    def __post_init__(self) -> None:
        self._next()

    def _next(self) -> None:
        while self.index < len(self.segments):
            size = self.segments[self.index].get("bytes")
            self.left = size if isinstance(size, int) else 0
            self.md5 = hashlib.md5(usedforsecurity=False)
            if self.left > 0:
                return
            self.index += 1

    def feed(self, chunk: bytes) -> None:
        """The next bytes of the object."""
        view = memoryview(chunk)
        while view and self.index < len(self.segments):
            take = view[:self.left]
            self.md5.update(take)
            self.left -= len(take)
            view = view[len(take):]
            if self.left == 0:
                want = str(self.segments[self.index].get("hash", "")).strip('"').lower()
                if want and self.md5.hexdigest() != want and not self.failed:
                    where = self.segments[self.index].get("name")
                    self.failed = (f"segment {self.index + 1} ({where}): md5 "
                                   f"{self.md5.hexdigest()}, manifest {want}")
                self.index += 1
                self._next()

    @property
    def complete(self) -> bool:
        """True when every segment's bytes came."""
        return self.index >= len(self.segments)

