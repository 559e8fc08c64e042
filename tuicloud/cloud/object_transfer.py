"""Moving an object's bytes (Swift): download streamed to ``FILE.part``, checked against the
etag, then renamed; upload streamed from disk, never over an existing object unless asked
(``If-None-Match: *``), its etag checked against what was sent. Neither holds a file in
memory: one chunk at a time."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tuicloud.cloud.errors import CloudError, cloud_error_from
from tuicloud.cloud.large_objects import SegmentCheck, manifest_segments
from tuicloud.cloud.transfer import (
    CHUNK,
    Progress,
    ProgressCallback,
    TransferCancelled,
    _FileBody,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

Raw = dict[str, Any]

__all__ = ["ObjectExists", "Planned", "UploadOutcome", "download_command", "download_many",
           "download_object", "list_objects", "object_create_command", "object_path",
           "object_save_command", "plan_download", "plan_upload", "upload_command",
           "upload_many", "upload_object"]


class ObjectExists(CloudError):
    """The object is there already and overwriting was not asked for."""


def object_path(container: str, name: str) -> str:
    """An object's path on the account; both names quoted, whatever they hold."""
    return f"/{quote(container, safe='')}/{quote(name, safe='')}"


def object_save_command(container: str, name: str, path: str) -> list[str]:
    """``openstack object save --file PATH CONTAINER OBJECT``."""
    return ["openstack", "object", "save", "--file", path, container, name]


def object_create_command(container: str, name: str, path: str) -> list[str]:
    """``openstack object create --name OBJECT CONTAINER PATH``."""
    return ["openstack", "object", "create", "--name", name, container, path]


def _large(headers: Mapping[str, str]) -> bool:
    return (headers.get("x-static-large-object", "").lower() == "true"
            or bool(headers.get("x-object-manifest")))


def _hash_file(path: Path, md5: Any, cancel: threading.Event) -> int:
    """Feed the file to ``md5`` a chunk at a time; its size."""
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            if cancel.is_set():
                raise TransferCancelled("download cancelled")
            md5.update(chunk)
            size += len(chunk)
    return size


def download_object(session: CloudSession, container: str, name: str, dest: str | Path, *,
                    overwrite: bool = False, on_progress: ProgressCallback | None = None,
                    cancel: threading.Event | None = None, resume: bool = True) -> bool:
    """Stream the object to ``dest`` (blocking); True when its md5 was checked against the
    etag, or a static large object's segments against its manifest (a dynamic one has
    neither: not checked). Writes
    ``dest.part`` and renames at the end, so a failed or cancelled download never leaves a
    truncated file under the chosen name. Refuses an existing ``dest`` unless ``overwrite``.

    An interrupted or cancelled download keeps ``dest.part``; the next one (``resume``) asks
    only for the rest with a range, ``If-Match`` the etag read just before, and checks the
    md5 of the whole file at the end: a part left by another version of the object fails that
    check and is removed. A large object (no md5 to check) always starts again."""
    cancel = cancel or threading.Event()
    target = Path(dest).expanduser()
    if target.exists() and not overwrite:
        raise FileExistsError(str(target))
    if target.is_dir():
        raise IsADirectoryError(str(target))
    partial = target.with_name(target.name + ".part")
    md5 = hashlib.md5(usedforsecurity=False)
    have = 0
    request_headers: dict[str, str] = {}
    if resume and partial.is_file() and partial.stat().st_size > 0:
        head, _info = session.head("object-store", object_path(container, name))
        etag = head.get("etag", "").strip('"')
        size = head.get("content-length", "")
        if (etag and not _large(head) and size.isdigit()
                and 0 < partial.stat().st_size <= int(size)):
            have = partial.stat().st_size
            if have == int(size):  # all there: only the check and the rename are left
                request_headers = {"If-Match": etag}
            else:
                request_headers = {"Range": f"bytes={have}-", "If-Match": etag}
    try:
        headers, _info, resp = session.send_raw("GET", "object-store",
                                                object_path(container, name),
                                                headers=request_headers, stream=True)
    except CloudError as exc:
        if exc.status == 412 and have:  # changed since the HEAD: start again from nothing
            return download_object(session, container, name, target, overwrite=overwrite,
                                   on_progress=on_progress, cancel=cancel, resume=False)
        raise
    try:
        if resp.status_code == 206 and have:
            progress = Progress(total=have + int(headers.get("content-length", "0")),
                                done=have, skipped=have)
            _hash_file(partial, md5, cancel)
            mode = "ab"
        else:  # the whole object (a fresh start, or a cloud that ignores ranges)
            length = headers.get("content-length", "")
            total = int(length) if length.isdigit() else None
            if have and total == have:  # the If-Match GET of a complete part: hash it
                progress = Progress(total=total, done=have, skipped=have)
                if _hash_file(partial, md5, cancel) == have:
                    resp.close()
                    return _finish(partial, target, name, headers, md5, progress)
                md5 = hashlib.md5(usedforsecurity=False)
            progress = Progress(total=total)
            mode = "wb"
        check = _segment_check(session, container, name, headers) if mode == "wb" else None
        with open(partial, mode) as out:
            for chunk in resp.iter_content(CHUNK):
                if cancel.is_set():
                    raise TransferCancelled(f"download of {name} cancelled; "
                                            f"{partial.name} kept to resume")
                out.write(chunk)
                md5.update(chunk)
                if check is not None:
                    check.feed(chunk)
                progress.done += len(chunk)
                if on_progress is not None:
                    on_progress(progress)
        return _finish(partial, target, name, headers, md5, progress, check)
    except (CloudError, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 - a broken stream keeps the part to resume
        raise cloud_error_from(exc, "object-store") from exc
    finally:
        resp.close()


def _segment_check(session: CloudSession, container: str, name: str,
                   headers: Mapping[str, str]) -> SegmentCheck | None:
    """A static large object's segments from its manifest, to check as the bytes pass."""
    if headers.get("x-static-large-object", "").lower() != "true":
        return None
    return SegmentCheck(manifest_segments(session, container, name))


def _finish(partial: Path, target: Path, name: str, headers: Mapping[str, str], md5: Any,
            progress: Progress, check: SegmentCheck | None = None) -> bool:
    """Check the part against the size and etag, or a large object's against its segments
    (removing it when wrong), then rename."""
    etag = headers.get("etag", "").strip('"').lower()
    large = _large(headers)
    if progress.total is not None and progress.done != progress.total:
        raise CloudError(f"{name}: got {progress.done} of {progress.total} bytes; "
                         f"{partial.name} kept to resume", service="object-store")
    if check is not None:
        if check.failed or not check.complete:
            partial.unlink(missing_ok=True)
            raise CloudError(f"{name}: {check.failed or 'fewer bytes than its segments'}; "
                             "the partial file was removed", service="object-store")
        os.replace(partial, target)
        return True
    if etag and not large and md5.hexdigest() != etag:
        partial.unlink(missing_ok=True)
        raise CloudError(f"{name}: checksum mismatch (md5 {md5.hexdigest()}, etag {etag}); "
                         "the partial file was removed", service="object-store")
    os.replace(partial, target)
    return bool(etag) and not large


@dataclass(frozen=True)
class Planned:
    """One object to move: its name, the local file, its size."""

    name: str
    path: Path
    size: int


def list_objects(session: CloudSession, container: str, prefix: str) -> Iterator[Raw]:
    """Every object under ``prefix`` (no delimiter: the whole tree), a page at a time."""
    marker = ""
    while True:
        params: list[tuple[str, Any]] = [("format", "json"), ("prefix", prefix),
                                         ("limit", 1000)]
        if marker:
            params.append(("marker", marker))
        body, _info = session.get_json("object-store", "/" + quote(container, safe=""),
                                       params)
        items = [item for item in body or [] if isinstance(item, dict) and "name" in item]
        if not items:
            return
        yield from items
        marker = str(items[-1]["name"])


def plan_download(session: CloudSession, container: str, name: str,
                  dest: str | Path) -> list[Planned]:
    """What downloading ``name`` to ``dest`` writes. An object: one file. A pseudo-folder
    (``name`` ends in "/"): each object under it at its path relative to the folder, inside
    the directory ``dest``; names that would land outside it ("../x") are refused, and
    "dir/" markers (empty objects named like folders) make no file."""
    target = Path(dest).expanduser()
    if not name.endswith("/"):
        head, _info = session.head("object-store", object_path(container, name))
        length = head.get("content-length", "0")
        return [Planned(name, target, int(length) if length.isdigit() else 0)]
    root = target.resolve()
    planned: list[Planned] = []
    for item in list_objects(session, container, name):
        full = str(item["name"])
        relative = full[len(name):]
        if not relative or relative.endswith("/"):
            continue
        local = (root / relative).resolve()
        if not local.is_relative_to(root):
            raise CloudError(f"{full}: its name would write outside {root}; not downloaded",
                             service="object-store")
        size = item.get("bytes")
        planned.append(Planned(full, local, size if isinstance(size, int) else 0))
    if not planned:
        raise CloudError(f"no objects under {name}", status=404, service="object-store")
    return planned


def plan_upload(source: str | Path, name: str) -> list[Planned]:
    """What uploading ``source`` as ``name`` sends. A file: one object. A directory: each
    regular file under it (symlinks not followed) as ``name`` + its relative path with "/"."""
    path = Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"no such file or directory: {path}")
    if path.is_file():
        return [Planned(name, path, path.stat().st_size)]
    if not path.is_dir():
        raise OSError(f"not a regular file or a directory: {path}")
    prefix = name if name.endswith("/") or not name else name + "/"
    planned: list[Planned] = []
    for folder, dirs, files in os.walk(path):
        dirs.sort()
        for file in sorted(files):
            local = Path(folder) / file
            if local.is_symlink() or not local.is_file():
                continue
            relative = local.relative_to(path).as_posix()
            planned.append(Planned(prefix + relative, local, local.stat().st_size))
    return planned


class _Overall:
    """One progress over several files: each file's progress added to what went before."""

    def __init__(self, items: list[Planned], on_progress: ProgressCallback | None) -> None:
        self.progress = Progress(total=sum(item.size for item in items))
        self.before = 0
        self.skipped_before = 0
        self.skipped_now = 0
        self.on_progress = on_progress

    def file_done(self, size: int) -> None:
        """One more file moved (or resumed) whole."""
        self.before += size
        self.skipped_before += self.skipped_now
        self.skipped_now = 0
        self.progress.done = self.before
        if self.on_progress is not None:
            self.on_progress(self.progress)

    def callback(self, part: Progress) -> None:
        """The current file's progress."""
        self.skipped_now = part.skipped
        self.progress.done = self.before + part.done
        self.progress.skipped = self.skipped_before + part.skipped
        if self.on_progress is not None:
            self.on_progress(self.progress)


def download_many(session: CloudSession, container: str, items: list[Planned], *,
                  overwrite: bool = False, on_progress: ProgressCallback | None = None,
                  cancel: threading.Event | None = None) -> int:
    """Download each planned object (blocking), making folders as needed; how many were
    checked against their etag. Every file is checked for existence first, so nothing is
    written when one exists and ``overwrite`` is not given."""
    cancel = cancel or threading.Event()
    if not overwrite:
        existing = [str(item.path) for item in items if item.path.exists()]
        if existing:
            raise FileExistsError(", ".join(existing[:3])
                                  + (f" and {len(existing) - 3} more" if len(existing) > 3
                                     else ""))
    overall = _Overall(items, on_progress)
    checked = 0
    for item in items:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        checked += download_object(session, container, item.name, item.path,
                                   overwrite=overwrite, on_progress=overall.callback,
                                   cancel=cancel)
        overall.file_done(item.size)
    return checked


def download_command(container: str, name: str, dest: str) -> list[str]:
    """``openstack object save`` for an object; for a folder, the swift client's
    ``download --prefix`` (the openstack client saves one object at a time)."""
    if name.endswith("/"):
        return ["swift", "download", "--prefix", name, "--remove-prefix",
                "--output-dir", dest, container]
    return object_save_command(container, name, dest)


class _HashedBody(_FileBody):
    """The file's chunks as they go out, with their md5 kept for the etag check."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.md5 = hashlib.md5(usedforsecurity=False)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in super().__iter__():
            self.md5.update(chunk)
            yield chunk


def upload_object(session: CloudSession, container: str, name: str, source: str | Path, *,
                  overwrite: bool = False, on_progress: ProgressCallback | None = None,
                  cancel: threading.Event | None = None) -> str:
    """Stream ``source`` to the object (blocking); returns its etag. Without ``overwrite``
    an existing object is refused by Swift itself (``If-None-Match: *``, 412) and reported
    as :class:`ObjectExists`, so there is no window between a check and the write."""
    path = Path(source).expanduser()
    size = path.stat().st_size
    body = _HashedBody(path, size, Progress(total=size), on_progress,
                       cancel or threading.Event())
    headers = {"Content-Type": mimetypes.guess_type(name)[0] or "application/octet-stream"}
    if not overwrite:
        headers["If-None-Match"] = "*"
    try:
        answer, _info, resp = session.send_raw(
            "PUT", "object-store", object_path(container, name), headers=headers, data=body,
            description=f"upload object {name} to container {container}")
    except CloudError as exc:
        if exc.status == 412 and not overwrite:
            raise ObjectExists(f"{name} exists in {container}", status=412,
                               request_id=exc.request_id, service="object-store") from exc
        raise
    resp.close()
    etag = answer.get("etag", "").strip('"').lower()
    if etag and etag != body.md5.hexdigest():
        raise CloudError(f"{name}: the cloud's etag {etag} is not the md5 of the file sent "
                         f"({body.md5.hexdigest()})", service="object-store")
    return etag


@dataclass
class UploadOutcome:
    """What an upload of several files did: the objects sent, and those skipped because
    they exist (to ask about, then send again with ``overwrite``)."""

    sent: list[str]
    existing: list[Planned]


def upload_many(session: CloudSession, container: str, items: list[Planned], *,
                overwrite: bool = False, on_progress: ProgressCallback | None = None,
                cancel: threading.Event | None = None,
                large_threshold: int | None = None) -> UploadOutcome:
    """Upload each planned file (blocking); one above ``large_threshold`` bytes as a static
    large object in segments of that size (large_objects.py). Without ``overwrite`` an
    object that exists is skipped (Swift's 412 for ``If-None-Match: *``) and named in the
    outcome."""
    from tuicloud.cloud.large_objects import upload_large

    cancel = cancel or threading.Event()
    session.refuse_if_read_only(f"upload to container {container}")
    overall = _Overall(items, on_progress)
    outcome = UploadOutcome([], [])
    for item in items:
        try:
            if large_threshold is not None and item.size > large_threshold:
                upload_large(session, container, item.name, item.path,
                             threshold=large_threshold, overwrite=overwrite,
                             on_progress=overall.callback, cancel=cancel)
            else:
                upload_object(session, container, item.name, item.path, overwrite=overwrite,
                              on_progress=overall.callback, cancel=cancel)
        except ObjectExists:
            outcome.existing.append(item)
        else:
            outcome.sent.append(item.name)
        overall.file_done(item.size)
    return outcome


def upload_command(container: str, name: str, source: str, *, folder: bool,
                   segment_size: int | None = None) -> list[str]:
    """``openstack object create --name`` for a file; for a folder, the swift client's
    ``upload --object-name`` (the openstack client sends one file at a time); with
    ``segment_size`` (a file above the threshold, or a folder that holds one) the swift
    client's ``--use-slo --segment-size`` (the openstack client makes no large objects)."""
    if folder or segment_size is not None:
        slo = ["--use-slo", "--segment-size", str(segment_size)] if segment_size else []
        return ["swift", "upload", *slo, "--object-name", name.rstrip("/"), container, source]
    return object_create_command(container, name, source)
