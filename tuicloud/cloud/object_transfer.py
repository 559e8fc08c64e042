"""Moving an object's bytes (Swift): download streamed to ``FILE.part``, checked against the
etag, then renamed; upload streamed from disk, never over an existing object unless asked
(``If-None-Match: *``), its etag checked against what was sent. Neither holds a file in
memory: one chunk at a time."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from tuicloud.cloud.errors import CloudError, cloud_error_from
from tuicloud.cloud.transfer import (
    CHUNK,
    Progress,
    ProgressCallback,
    TransferCancelled,
    _FileBody,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["ObjectExists", "download_object", "object_create_command", "object_path",
           "object_save_command", "upload_object"]


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


def download_object(session: CloudSession, container: str, name: str, dest: str | Path, *,
                    overwrite: bool = False, on_progress: ProgressCallback | None = None,
                    cancel: threading.Event | None = None) -> bool:
    """Stream the object to ``dest`` (blocking); True when its md5 was checked against the
    etag (a large object's etag is not the md5 of its bytes: not checked). Writes
    ``dest.part`` and renames at the end, so a failed or cancelled download never leaves a
    truncated file under the chosen name. Refuses an existing ``dest`` unless ``overwrite``."""
    cancel = cancel or threading.Event()
    target = Path(dest).expanduser()
    if target.exists() and not overwrite:
        raise FileExistsError(str(target))
    headers, _info, resp = session.send_raw("GET", "object-store", object_path(container, name),
                                            stream=True)
    partial = target.with_name(target.name + ".part")
    try:
        length = headers.get("content-length", "")
        progress = Progress(total=int(length) if length.isdigit() else None)
        md5 = hashlib.md5(usedforsecurity=False)
        with open(partial, "wb") as out:
            for chunk in resp.iter_content(CHUNK):
                if cancel.is_set():
                    raise TransferCancelled(f"download of {name} cancelled")
                out.write(chunk)
                md5.update(chunk)
                progress.done += len(chunk)
                if on_progress is not None:
                    on_progress(progress)
        large = (headers.get("x-static-large-object", "").lower() == "true"
                 or bool(headers.get("x-object-manifest")))
        etag = headers.get("etag", "").strip('"').lower()
        if progress.total is not None and progress.done != progress.total:
            raise CloudError(f"{name}: got {progress.done} of {progress.total} bytes; "
                             "the partial file was removed", service="object-store")
        if etag and not large and md5.hexdigest() != etag:
            raise CloudError(f"{name}: checksum mismatch (md5 {md5.hexdigest()}, etag {etag}); "
                             "the partial file was removed", service="object-store")
        os.replace(partial, target)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, CloudError | OSError):
            raise
        raise cloud_error_from(exc, "object-store") from exc
    finally:
        resp.close()
    return bool(etag) and not large


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
