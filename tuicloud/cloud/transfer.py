"""Image data: upload a local file to a new Glance image, and download an image to a file.

Both stream: the upload sends the file in 1 MiB chunks read as the socket takes them, and the
download writes each chunk as it arrives, so a 2 GB image never sits in memory. Both report
progress through a callback (called from the worker thread) and stop when a
:class:`threading.Event` is set. A cancelled or failed upload deletes the half-made image; if
that deletion fails too, the error says so and names the image left behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import (
    CloudError,
    ReadOnlyError,
    cloud_error_from,
    error_message,
    request_id_from_headers,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["CHUNK", "ImageSpec", "Progress", "TransferCancelled", "download_image",
           "guess_formats", "image_create_command", "image_save_command", "upload_image"]

log = logging.getLogger("tuicloud.cloud")

CHUNK = 1 << 20
DISK_FORMATS = ("raw", "qcow2", "vmdk", "vhd", "vhdx", "vdi", "iso", "ploop", "ami", "ari",
                "aki")
CONTAINER_FORMATS = ("bare", "ovf", "ova", "docker", "ami", "ari", "aki", "compressed")


class TransferCancelled(CloudError):
    """The user cancelled an upload or download."""

    @property
    def label(self) -> str:
        """Short label."""
        return "cancelled"

    @property
    def retryable(self) -> bool:
        """Never on its own."""
        return False


def guess_formats(path: str | Path) -> tuple[str, str]:
    """(disk_format, container_format) from the file's magic bytes: qcow2 ("QFI\\xfb"), ISO
    9660 ("CD001" at 0x8001), VMDK ("KDMV"), VHD ("conectix" at the start or in the footer),
    VHDX ("vhdxfile"), VDI; raw otherwise. Raises OSError when the file cannot be read."""
    with open(path, "rb") as handle:
        head = handle.read(0x8006)
        size = os.fstat(handle.fileno()).st_size
        footer = b""
        if size >= 512:
            handle.seek(size - 512)
            footer = handle.read(512)
    if head.startswith(b"QFI\xfb"):
        return "qcow2", "bare"
    if head[0x8001:0x8006] == b"CD001":
        return "iso", "bare"
    if head.startswith(b"KDMV") or head.startswith(b"# Disk DescriptorFile"):
        return "vmdk", "bare"
    if head.startswith(b"conectix") or footer.startswith(b"conectix"):
        return "vhd", "bare"
    if head.startswith(b"vhdxfile"):
        return "vhdx", "bare"
    if head[0x40:0x44] == b"\x7f\x10\xda\xbe":
        return "vdi", "bare"
    return "raw", "bare"


@dataclass
class Progress:
    """Bytes moved so far, with rate and ETA from the start."""

    total: int | None
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    skipped: int = 0  # bytes counted in ``done`` that did not move now (a resumed download)

    @property
    def rate(self) -> float:
        """Bytes per second so far."""
        elapsed = time.monotonic() - self.started
        return (self.done - self.skipped) / elapsed if elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, or None when unknown."""
        rate = self.rate
        if not self.total or rate <= 0:
            return None
        return max(0.0, (self.total - self.done) / rate)

    def text(self) -> str:
        """ "120 MB of 2.0 GB, 45 MB/s, 0:42 left"."""
        parts = [human_bytes(self.done) + (f" of {human_bytes(self.total)}"
                                           if self.total is not None else "")]
        parts.append(f"{human_bytes(int(self.rate))}/s")
        eta = self.eta
        if eta is not None:
            minutes, seconds = divmod(int(eta + 0.5), 60)
            parts.append(f"{minutes}:{seconds:02d} left")
        return ", ".join(parts)


def human_bytes(count: int) -> str:
    """1536 -> "1.5 KB" (powers of 1024, as image sizes are usually shown)."""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"


ProgressCallback = Callable[[Progress], None]


class _FileBody:
    """A request body that reads the file chunk by chunk as the socket sends it.

    requests sends an iterable with ``__len__`` with a Content-Length (not chunked), and
    urllib3 iterates it: at most one chunk is in memory at a time.
    """

    def __init__(self, path: Path, size: int, progress: Progress,
                 on_progress: ProgressCallback | None, cancel: threading.Event) -> None:
        self.path = path
        self.size = size
        self.progress = progress
        self.on_progress = on_progress
        self.cancel = cancel

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:  # keystoneauth's debug log prints the body: never the data
        return f"<{self.size} bytes from {self.path.name}>"

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        with open(self.path, "rb") as handle:
            while sent < self.size:
                if self.cancel.is_set():
                    raise TransferCancelled("upload cancelled")
                chunk = handle.read(min(CHUNK, self.size - sent))
                if not chunk:
                    raise OSError(f"{self.path} shrank while it was being uploaded")
                sent += len(chunk)
                self.progress.done = sent
                if self.on_progress is not None:
                    self.on_progress(self.progress)
                yield chunk


@dataclass
class ImageSpec:
    """A new image from a local file."""

    path: str
    name: str
    disk_format: str
    container_format: str = "bare"
    visibility: str = "private"
    min_disk: int = 0
    min_ram: int = 0
    properties: dict[str, str] = field(default_factory=dict)


def image_create_command(spec: ImageSpec) -> list[str]:
    """``openstack image create ...`` for the spec."""
    argv = ["openstack", "image", "create", "--file", spec.path,
            "--disk-format", spec.disk_format, "--container-format", spec.container_format,
            f"--{spec.visibility}"]
    if spec.min_disk:
        argv += ["--min-disk", str(spec.min_disk)]
    if spec.min_ram:
        argv += ["--min-ram", str(spec.min_ram)]
    for key, value in spec.properties.items():
        argv += ["--property", f"{key}={value}"]
    return argv + (["--", spec.name] if spec.name.startswith("-") else [spec.name])


def image_save_command(image: str, path: str) -> list[str]:
    """``openstack image save --file PATH IMAGE``."""
    return ["openstack", "image", "save", "--file", path, image]


@dataclass
class UploadResult:
    """A finished upload: the image's id."""

    image_id: str


def upload_image(session: CloudSession, spec: ImageSpec, *,
                 on_progress: ProgressCallback | None = None,
                 cancel: threading.Event | None = None,
                 on_created: Callable[[str], None] | None = None) -> UploadResult:
    """Create a queued image, then stream the file into it (blocking).

    Read-only sessions are refused before the file is opened or anything is sent. On cancel
    (``cancel`` set) raises :class:`TransferCancelled`; on failure :class:`CloudError`. In both
    cases the image record is deleted; when that fails, the error's message names the image
    left queued. ``on_created`` gets the new image's id as soon as it exists.
    """
    if session.read_only:
        # request() would refuse too; refuse before the file is even opened.
        raise ReadOnlyError(f"read-only mode: refusing to upload image {spec.name}")
    cancel = cancel or threading.Event()
    path = Path(spec.path).expanduser()
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass  # readable?
    except OSError as exc:
        raise CloudError(f"cannot read {spec.path}: {exc.strerror or exc}") from exc
    record: dict[str, Any] = {"name": spec.name, "disk_format": spec.disk_format,
                              "container_format": spec.container_format,
                              "visibility": spec.visibility, "min_disk": spec.min_disk,
                              "min_ram": spec.min_ram}
    record.update(spec.properties)
    body, _ = session.request("POST", "image", "/images", json=record,
                              description=f"create image {spec.name}")
    image_id = str((body or {}).get("id") or "")
    if not image_id:
        raise CloudError("the image service did not return the new image's id",
                         service="image")
    if on_created is not None:
        on_created(image_id)
    progress = Progress(total=size)
    stream = _FileBody(path, size, progress, on_progress, cancel)
    try:
        if cancel.is_set():
            raise TransferCancelled("upload cancelled")
        session.request("PUT", "image", f"/images/{image_id}/file", data=stream,
                        headers={"Content-Type": "application/octet-stream"},
                        description=f"upload image data to {spec.name}")
    except BaseException as exc:
        error: CloudError
        if cancel.is_set():
            error = TransferCancelled(f"upload of {spec.name} cancelled after "
                                      f"{human_bytes(progress.done)}")
        elif isinstance(exc, CloudError):
            error = exc
        else:
            error = cloud_error_from(exc, "image")
        _discard(session, image_id, spec.name, error)
        raise error from exc
    return UploadResult(image_id)


def _discard(session: CloudSession, image_id: str, name: str, error: CloudError) -> None:
    """Delete a half-made image; on failure, say in ``error`` which image is left."""
    try:
        session.request("DELETE", "image", f"/images/{image_id}",
                        description=f"delete half-uploaded image {name}")
        error.message += "; the half-made image was deleted"
    except CloudError as failure:
        log.warning("could not delete half-uploaded image %s: %s", image_id, failure)
        error.message += (f"; the half-made image {name} ({image_id}) could NOT be deleted "
                          f"and is left queued ({failure.short}): delete it by hand")


def download_image(session: CloudSession, image_id: str, dest: str | Path, *,
                   overwrite: bool = False, on_progress: ProgressCallback | None = None,
                   cancel: threading.Event | None = None) -> dict[str, Any]:
    """Stream an image's data to ``dest`` and verify it against the image's checksum and
    os_hash when the image has them (blocking). Returns the image record.

    Refuses an existing ``dest`` unless ``overwrite``. Writes to ``dest.part`` first and
    renames at the end, so a failed or cancelled download never leaves a truncated file
    under the chosen name.
    """
    cancel = cancel or threading.Event()
    target = Path(dest).expanduser()
    if target.exists() and not overwrite:
        raise FileExistsError(str(target))
    image, _ = session.get_json("image", f"/images/{image_id}")
    image = image if isinstance(image, dict) else {}
    adapter = session.adapter("image")
    try:
        resp = adapter.request(f"/images/{image_id}/file", "GET", stream=True,
                               raise_exc=False)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a CloudError
        raise cloud_error_from(exc, "image") from exc
    partial = target.with_name(target.name + ".part")
    try:
        if resp.status_code >= 400:
            message = error_message(resp.content, resp.headers.get("content-type"))
            raise CloudError(message or resp.reason or "no message",
                             status=resp.status_code,
                             request_id=request_id_from_headers(resp.headers), service="image")
        if resp.status_code == 204:
            raise CloudError(f"image {image.get('name') or image_id} has no data",
                             status=204, service="image")
        length = resp.headers.get("Content-Length")
        progress = Progress(total=int(length) if length and length.isdigit() else
                            (int(image["size"]) if image.get("size") else None))
        md5 = hashlib.md5(usedforsecurity=False)
        algo = str(image.get("os_hash_algo") or "")
        other = hashlib.new(algo) if algo in hashlib.algorithms_available else None
        with open(partial, "wb") as out:
            for chunk in resp.iter_content(CHUNK):
                if cancel.is_set():
                    raise TransferCancelled(f"download of {image.get('name') or image_id} "
                                            "cancelled")
                out.write(chunk)
                md5.update(chunk)
                if other is not None:
                    other.update(chunk)
                progress.done += len(chunk)
                if on_progress is not None:
                    on_progress(progress)
        _verify(image, md5.hexdigest(), other.hexdigest() if other else None)
        os.replace(partial, target)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, CloudError | OSError | TransferCancelled):
            raise
        raise cloud_error_from(exc, "image") from exc
    finally:
        resp.close()
    return image


def _verify(image: dict[str, Any], md5: str, other: str | None) -> None:
    checksum = image.get("checksum")
    if checksum and checksum != md5:
        raise CloudError(f"checksum mismatch: the image says md5 {checksum}, the data is {md5}",
                         service="image")
    wanted = image.get("os_hash_value")
    if wanted and other is not None and wanted != other:
        raise CloudError(f"{image.get('os_hash_algo')} mismatch: the downloaded data does not "
                         "match the image's os_hash_value", service="image")
