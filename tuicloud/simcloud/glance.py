"""Glance v2 at ``/image``: images (list/show/create/patch/delete, data upload and download,
deactivate/reactivate, tags, glance-direct import), schemas, info, members (read-only).

Image data never sits in memory: uploads stream to a temp dir on disk (removed at
``cloud.close()``) while size, md5 and sha512 are computed; seeded images' data is synthesized on
the fly from a deterministic pattern. The HTTP handlers live in :mod:`glance_api`.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
import shutil
import tempfile
import time
import zlib
from collections.abc import Iterator
from typing import Any

from tuicloud.simcloud.core import (
    ApiError,
    Request,
    Router,
    SimCloud,
    Token,
    isotime,
)

NAME = "image"

_BLOCK = 1 << 16
_PIECE_BLOCKS = 4  # synthesized data is yielded 256 KiB at a time
HASH_LIMIT = 64 << 20  # seeded images larger than this carry no checksum (external location)

# A seeded image: name, disk_format, size (bytes), min_disk, min_ram, visibility, owner project
# ("admin" for the cloud's public images), extra attributes, custom properties.
_Seed = tuple[str, str, int, int, int, str, str, dict[str, Any], dict[str, str]]

_BASE_SEEDS: tuple[_Seed, ...] = (
    ("cirros-0.6.2-x86_64-disk", "qcow2", 21430272, 1, 0, "public", "admin", {},
     {"os_distro": "cirros", "os_version": "0.6.2", "architecture": "x86_64",
      "os_admin_user": "cirros", "hw_disk_bus": "virtio"}),
    ("ubuntu-24.04-server-cloudimg-amd64", "qcow2", 3_912_704, 10, 512, "public", "admin", {},
     {"os_distro": "ubuntu", "os_version": "24.04", "architecture": "x86_64",
      "os_admin_user": "ubuntu", "hw_qemu_guest_agent": "yes"}),
    ("fedora-cloud-base-41", "qcow2", 2_883_584, 5, 512, "public", "admin", {},
     {"os_distro": "fedora", "os_version": "41", "architecture": "x86_64",
      "os_admin_user": "fedora"}),
    ("debian-12-genericcloud-amd64", "qcow2", 2_359_296, 3, 256, "public", "admin", {},
     {"os_distro": "debian", "os_version": "12", "architecture": "x86_64",
      "os_admin_user": "debian"}),
    ("demo-app-golden", "qcow2", 1_441_792, 10, 1024, "private", "demo", {},
     {"os_distro": "ubuntu", "os_version": "24.04", "os_admin_user": "ubuntu"}),
    ("windows-server-2022-datacenter", "qcow2", 9_663_676_416, 40, 4096, "public", "admin", {},
     {"os_distro": "windows", "os_type": "windows", "os_version": "2022",
      "architecture": "x86_64", "os_admin_user": "Administrator", "hw_machine_type": "q35",
      "os_secure_boot": "required"}),
    ("centos-7-x86_64-eol", "qcow2", 1_048_576, 8, 512, "public", "admin",
     {"status": "deactivated"},
     {"os_distro": "centos", "os_version": "7", "os_admin_user": "centos"}),
    ("rocky-9-golden", "qcow2", 2_097_152, 10, 1024, "public", "admin", {"protected": True},
     {"os_distro": "rocky", "os_version": "9", "os_admin_user": "rocky"}),
    ("ops-bastion-base", "raw", 1_310_720, 5, 512, "private", "ops", {},
     {"os_distro": "debian", "os_version": "12", "os_admin_user": "debian"}),
    ("research-gpu-base", "qcow2", 1_703_936, 20, 8192, "private", "research", {},
     {"os_distro": "ubuntu", "os_version": "22.04", "os_admin_user": "ubuntu",
      "hw_machine_type": "q35", "img_hide_hypervisor_id": "true"}),
    ("admin-rescue", "raw", 786_432, 1, 256, "private", "admin", {},
     {"os_distro": "alpine", "os_version": "3.20", "os_admin_user": "root"}),
    ("amphora-x64-haproxy", "qcow2", 1_179_648, 2, 1024, "private", "admin",
     {"os_hidden": True, "tags": ["amphora"]}, {"os_distro": "ubuntu"}),
    ("kali-linux-2024.4-community", "qcow2", 917_504, 20, 2048, "community", "research", {},
     {"os_distro": "kali", "os_admin_user": "kali"}),
)
_EXTRA_NAMES = ("alpine-3.20-x86_64", "almalinux-9", "opensuse-leap-15.6", "archlinux",
                "freebsd-14.1", "flatcar-stable", "talos-1.8", "openeuler-24.03")


# -- deterministic synthesized data -----------------------------------------------------------
@functools.lru_cache(maxsize=128)
def _synth_block(key: str) -> bytes:
    return random.Random(key).randbytes(_BLOCK)


def synth_chunks(key: str, size: int) -> Iterator[bytes]:
    """The bytes of a synthesized image: 64 KiB blocks of one random pattern, each stamped with
    its index so no two blocks are equal; yielded 256 KiB at a time, never all at once."""
    block = _synth_block(key)
    tail = block[8:]
    sent = 0
    index = 0
    while sent < size:
        parts = []
        for _ in range(_PIECE_BLOCKS):
            parts.append(index.to_bytes(8, "big"))
            parts.append(tail)
            index += 1
        piece = b"".join(parts)
        piece = piece[:size - sent]
        sent += len(piece)
        yield piece


@functools.lru_cache(maxsize=512)
def synth_digests(key: str, size: int) -> tuple[str, str]:
    """(md5, sha512) of :func:`synth_chunks`; memoized process-wide since the data is fixed."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha512()
    for piece in synth_chunks(key, size):
        md5.update(piece)
        sha.update(piece)
    return md5.hexdigest(), sha.hexdigest()


def file_chunks(handle: Any, chunk_size: int = 1 << 18) -> Iterator[bytes]:
    """Read an open file in chunks and close it at the end (or when the client goes away)."""
    try:
        while True:
            piece = handle.read(chunk_size)
            if not piece:
                return
            yield piece
    finally:
        handle.close()


class Service:
    """Glance's records: ``images`` (id -> record dict in Glance's own field names, custom
    properties at top level) and where each image's data comes from."""

    def __init__(self, cloud: SimCloud) -> None:
        self.cloud = cloud
        self.images: dict[str, dict[str, Any]] = {}
        # image id -> ("synth", key, size) | ("file", path, size): where the bytes come from
        self.data: dict[str, tuple[str, str, int]] = {}
        self.staged: dict[str, tuple[str, str, int]] = {}  # glance-direct staging area
        self.image_size_cap = 4 << 30  # bytes; uploads beyond this are answered 413
        # image id -> member project id -> member document (see glance_members)
        self.members: dict[str, dict[str, dict[str, Any]]] = {}
        self._tmpdir: str | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        """Glance's routes (handlers in :mod:`glance_api`)."""
        from tuicloud.simcloud import glance_api

        glance_api.register(router, NAME)

    def seed(self) -> None:
        """The seeded images (``cloud.config.images`` of them), deterministic from cloud.rng."""
        cloud = self.cloud
        rng = random.Random(cloud.rng.getrandbits(64))
        projects = {p.name: p.id for p in cloud.projects.values()}
        now = time.time()
        count = cloud.config.images
        seeds = list(_BASE_SEEDS[:count])
        for index in range(max(0, count - len(_BASE_SEEDS))):
            base = _EXTRA_NAMES[index % len(_EXTRA_NAMES)]
            name = base if index < len(_EXTRA_NAMES) else f"{base}-{index // len(_EXTRA_NAMES)}"
            seeds.append((name, "qcow2", rng.randrange(512, 2048) * 1024, rng.choice((1, 5, 10)),
                          rng.choice((0, 256, 512)), "public", "admin", {},
                          {"os_distro": base.split("-")[0]}))
        for (name, disk_format, size, min_disk, min_ram, visibility, owner, extra,
             props) in seeds:
            image_id = str(_uuid(rng))
            created = now - rng.uniform(5, 400) * 86400
            updated = created + rng.uniform(0, 3) * 86400
            checksum: str | None = None
            sha: str | None = None
            if size <= HASH_LIMIT:
                checksum, sha = synth_digests(name, size)
            # else: no checksum, as for an image "registered from an external location"
            record = self._new_record(image_id, name, projects.get(owner, projects["admin"]),
                                      visibility=visibility, disk_format=disk_format,
                                      container_format="bare", min_disk=min_disk,
                                      min_ram=min_ram, created=created)
            record.update(status="active", size=size, checksum=checksum,
                          os_hash_algo="sha512" if sha else None, os_hash_value=sha,
                          virtual_size=size if disk_format == "raw" else None,
                          updated_at=isotime(updated))
            record.update(extra)
            record.update(props)
            self.images[image_id] = record
            self.data[image_id] = ("synth", name, size)

    def close(self) -> None:
        """Remove the uploaded data."""
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def tmpdir(self) -> str:
        """The directory uploaded image data is stored in (made on first use)."""
        with self.cloud.lock:  # two first uploads at once must share one directory
            if self._tmpdir is None:
                self._tmpdir = tempfile.mkdtemp(prefix="simcloud-glance-")
            return self._tmpdir

    # -- records --------------------------------------------------------------------------------
    def _new_record(self, image_id: str, name: str | None, owner: str, *, visibility: str,
                    disk_format: str | None, container_format: str | None, min_disk: int = 0,
                    min_ram: int = 0, created: float | None = None) -> dict[str, Any]:
        stamp = isotime(created)
        return {"id": image_id, "name": name, "status": "queued", "visibility": visibility,
                "protected": False, "os_hidden": False, "owner": owner, "checksum": None,
                "os_hash_algo": None, "os_hash_value": None, "size": None,
                "virtual_size": None, "min_disk": min_disk, "min_ram": min_ram,
                "disk_format": disk_format, "container_format": container_format,
                "created_at": stamp, "updated_at": stamp, "tags": []}

    def doc(self, record: dict[str, Any]) -> dict[str, Any]:
        """The API document of an image."""
        doc = dict(record)
        doc["tags"] = list(record["tags"])
        image_id = record["id"]
        doc["self"] = f"/v2/images/{image_id}"
        doc["file"] = f"/v2/images/{image_id}/file"
        doc["schema"] = "/v2/schemas/image"
        return doc

    def touch(self, record: dict[str, Any]) -> None:
        """Bump updated_at (what ``updated_at=gte:`` polling sees)."""
        record["updated_at"] = isotime()

    def remove_data(self, image_id: str) -> None:
        """Forget (and delete from disk) an image's uploaded or staged data."""
        for store in (self.data, self.staged):
            source = store.pop(image_id, None)
            if source and source[0] == "file":
                try:
                    os.unlink(source[1])
                except OSError:
                    pass

    # -- access ---------------------------------------------------------------------------------
    def can_see(self, record: dict[str, Any], project_id: str | None, is_admin: bool) -> bool:
        """Glance's visibility rules for showing one image: a shared image's members see it
        whatever their membership status."""
        if is_admin or record["owner"] == project_id:
            return True
        if record["visibility"] == "shared" and project_id is not None:
            return project_id in self.members.get(record["id"], {})
        return record["visibility"] in ("public", "community")

    def visible(self, image_id: str, token: Token) -> dict[str, Any]:
        """The image the token may see, or Glance's 404."""
        record = self.images.get(image_id)
        if record is None or not self.can_see(record, token.project_id, token.is_admin):
            raise ApiError(404, f"No image found with ID {image_id}")
        return record

    def owned(self, image_id: str, token: Token, action: str) -> dict[str, Any]:
        """The image the token may change (owner or admin): 404 if invisible, else 403."""
        record = self.visible(image_id, token)
        if not token.is_admin and record["owner"] != token.project_id:
            raise ApiError(403, f"You are not authorized to complete {action} action.")
        return record

    # -- contract: other services call these (under cloud.lock) ---------------------------------
    def image(self, image_id: str) -> dict[str, Any] | None:
        """The image record, or None."""
        return self.images.get(image_id)

    def image_visible_to(self, image_id: str, project_id: str | None,
                         is_admin: bool) -> dict[str, Any] | None:
        """The image if that project (or an admin) may use it, else None."""
        record = self.images.get(image_id)
        if record is None or not self.can_see(record, project_id, is_admin):
            return None
        return record

    def create_server_snapshot(self, project_id: str, name: str, server_id: str,
                               metadata: dict[str, Any]) -> str:
        """A snapshot image of a server: queued, then saving, then active after
        cloud.config.action_delay. Returns the new image id."""
        props: dict[str, Any] = {"image_type": "snapshot", "instance_uuid": server_id}
        ints: dict[str, int] = {}
        for key, value in (metadata or {}).items():
            if key in ("min_disk", "min_ram"):
                ints[key] = int(value)
            elif key not in self._protected_keys():
                props[str(key)] = "" if value is None else str(value)
        size = 1_572_864 + zlib.crc32(server_id.encode()) % 64 * 16384
        return self._create_async_image(project_id, name, "qcow2", "bare", "private", False,
                                        props, size=size, **ints)

    def create_volume_image(self, project_id: str, name: str, *, volume_id: str,
                            disk_format: str, container_format: str, visibility: str,
                            protected: bool, min_disk: int) -> str:
        """The image Cinder's ``os-volume_upload_image`` makes: saving, then active."""
        return self._create_async_image(project_id, name, disk_format, container_format,
                                        visibility, protected, {}, size=1_048_576 + min_disk,
                                        min_disk=min_disk)

    @staticmethod
    def _protected_keys() -> frozenset[str]:
        from tuicloud.simcloud.glance_schema import READ_ONLY, RESERVED

        return READ_ONLY | RESERVED | {"name", "visibility", "owner", "protected", "tags",
                                       "disk_format", "container_format", "os_hidden"}

    def _create_async_image(self, project_id: str, name: str, disk_format: str,
                            container_format: str, visibility: str, protected: bool,
                            props: dict[str, Any], *, size: int, min_disk: int = 0,
                            min_ram: int = 0) -> str:
        cloud = self.cloud
        with cloud.lock:
            image_id = str(_uuid(cloud.rng))
            record = self._new_record(image_id, name, project_id, visibility=visibility,
                                      disk_format=disk_format,
                                      container_format=container_format, min_disk=min_disk,
                                      min_ram=min_ram)
            record["protected"] = protected
            record.update(props)
            self.images[image_id] = record

        def saving() -> None:
            if self.images.get(image_id) is record and record["status"] == "queued":
                record["status"] = "saving"
                self.touch(record)

        def active() -> None:
            if self.images.get(image_id) is not record or record["status"] != "saving":
                return
            checksum, sha = synth_digests(image_id, size)
            record.update(status="active", size=size, checksum=checksum,
                          os_hash_algo="sha512", os_hash_value=sha)
            self.data[image_id] = ("synth", image_id, size)
            self.touch(record)

        delay = cloud.config.action_delay
        cloud.scheduler.call_later(min(0.05, delay / 4), saving)
        cloud.scheduler.call_later(delay, active)
        return image_id

    # -- data -----------------------------------------------------------------------------------
    def receive(self, request: Request, image_id: str, *, staging: bool) -> tuple[str, int, str,
                                                                                  str]:
        """Stream a request body to a file (without holding the lock); returns
        (path, size, md5, sha512). 413 beyond ``image_size_cap``."""
        cap = self.image_size_cap
        if request.content_length is not None and request.content_length > cap:
            raise ApiError(413, "The provided image is too large.")
        fd, path = tempfile.mkstemp(prefix=("stage-" if staging else "") + image_id + "-",
                                    dir=self.tmpdir())
        md5 = hashlib.md5(usedforsecurity=False)
        sha = hashlib.sha512()
        size = 0
        body = request.iter_body(1 << 18)
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in body:
                    size += len(piece)
                    if size > cap:
                        # Read the rest so the kept-alive connection stays in sync.
                        for _ in body:
                            pass
                        raise ApiError(413, "The provided image is too large.")
                    md5.update(piece)
                    sha.update(piece)
                    out.write(piece)
        except BaseException as exc:
            os.unlink(path)
            request._body = b""  # consumed (or broken): the server must not drain it again
            if isinstance(exc, ApiError) and exc.status == 400:
                exc.headers["Connection"] = "close"  # a truncated body: the stream is lost
            raise
        request._body = b""
        return path, size, md5.hexdigest(), sha.hexdigest()


def _uuid(rng: random.Random) -> str:
    """A version-4 UUID string drawn from ``rng`` (deterministic when seeded)."""
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
