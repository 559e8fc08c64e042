"""Object storage's records: accounts, containers and objects, with the bytes on disk.

Object bytes live in files in a temporary folder of the sim (a multi-GB upload never sits in
memory); names, sizes, etags and metadata live here. A zero-byte object has no file, and a
generated one (``--objects N`` seeds 100,000 of them for the benchmark) makes its bytes from
its name when read, so a big container costs memory for its names only, no files. Each
container keeps its object names sorted, so a listing page is a bisect and a slice, not a sort
of 100,000 names.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# The rig's proxy lists at most 1,000 entries a page (upstream: 10,000): simcloud matches it.
LISTING_LIMIT = 1000
MAX_OBJECT_NAME = 1024
MAX_CONTAINER_NAME = 256
CHUNK = 1 << 16
# Past every name that starts with a given subdir: listings skip a pseudo-folder's contents.
_AFTER_ALL = "\U0010ffff"


@dataclass
class StoredObject:
    """One object: where its bytes are and what Swift says about it."""

    name: str
    path: str  # the file holding its bytes
    size: int
    etag: str
    content_type: str
    modified: float
    meta: dict[str, str] = field(default_factory=dict)  # lower-cased key -> value
    segments: list[dict[str, Any]] | None = None  # an SLO manifest's segments
    generated: bool = False  # bytes made from the name when read (no file)

    def listing(self) -> dict[str, Any]:
        """The object's entry in a JSON container listing."""
        entry: dict[str, Any] = {"bytes": self.size, "hash": self.etag, "name": self.name,
                                 "content_type": self.content_type,
                                 "last_modified": listing_time(self.modified)}
        if self.segments is not None:
            entry["slo_etag"] = f'"{self.etag}"'
        return entry


@dataclass
class Container:
    """A container: metadata, ACLs and its objects by sorted name."""

    name: str
    created: float
    modified: float
    meta: dict[str, str] = field(default_factory=dict)
    read_acl: str = ""
    write_acl: str = ""
    versions: bool | None = None  # X-Versions-Enabled, once set (object_versioning)
    objects: dict[str, StoredObject] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # sorted
    bytes_used: int = 0

    def put(self, obj: StoredObject) -> StoredObject | None:
        """Add or replace an object; returns the one replaced."""
        old = self.objects.get(obj.name)
        if old is None:
            bisect.insort(self.names, obj.name)
        else:
            self.bytes_used -= old.size
        self.objects[obj.name] = obj
        self.bytes_used += obj.size
        self.modified = time.time()
        return old

    def remove(self, name: str) -> StoredObject | None:
        """Drop an object; returns it (None when it was not there)."""
        obj = self.objects.pop(name, None)
        if obj is not None:
            index = bisect.bisect_left(self.names, name)
            del self.names[index]
            self.bytes_used -= obj.size
            self.modified = time.time()
        return obj

    def listing(self) -> dict[str, Any]:
        """The container's entry in a JSON account listing."""
        return {"name": self.name, "count": len(self.objects), "bytes": self.bytes_used,
                "last_modified": listing_time(self.modified), "storage_policy": "Policy-0"}


@dataclass
class Account:
    """``AUTH_<project id>``: created on first use, as Swift's account autocreate does."""

    name: str
    created: float
    meta: dict[str, str] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # sorted

    def add(self, container: Container) -> None:
        """Add a new container."""
        self.containers[container.name] = container
        bisect.insort(self.names, container.name)

    def remove(self, name: str) -> None:
        """Drop a container (empty: the caller checks)."""
        del self.containers[name]
        del self.names[bisect.bisect_left(self.names, name)]


def listing_time(when: float) -> str:
    """Swift's listing timestamp: ``2026-12-06T18:15:12.107730`` (UTC, no zone)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(when)) + f".{int(when % 1 * 1e6):06d}"


def page(names: list[str], *, limit: int, marker: str, end_marker: str, prefix: str,
         delimiter: str) -> Iterator[tuple[str, bool]]:
    """Walk sorted ``names`` as a Swift listing does: (name, is_subdir) after ``marker``,
    before ``end_marker``, starting with ``prefix``; names with ``delimiter`` after the
    prefix fold into one subdir entry (``photos/``)."""
    start = max(bisect.bisect_right(names, marker) if marker else 0,
                bisect.bisect_left(names, prefix) if prefix else 0)
    index, given = start, 0
    while index < len(names) and given < limit:
        name = names[index]
        if prefix and not name.startswith(prefix):
            return
        if end_marker and name >= end_marker:
            return
        cut = name.find(delimiter, len(prefix)) if delimiter else -1
        if cut >= 0:
            subdir = name[:cut + len(delimiter)]
            if subdir != marker:
                yield subdir, True
                given += 1
            index = bisect.bisect_right(names, subdir + _AFTER_ALL, index)
            continue
        yield name, False
        given += 1
        index += 1


def generated_bytes(name: str, size: int) -> bytes:
    """A generated object's bytes: its name and a newline, repeated to ``size``."""
    line = (name + "\n").encode()
    return (line * (size // len(line) + 1))[:size]


def generated_object(name: str, size: int, modified: float) -> StoredObject:
    """An object whose bytes are made from its name (no file), etag and all."""
    etag = hashlib.md5(generated_bytes(name, size), usedforsecurity=False).hexdigest()
    return StoredObject(name, "", size, etag, "application/json", modified, generated=True)


class ObjectFiles:
    """The temporary folder that holds every object's bytes."""

    def __init__(self) -> None:
        self.root = tempfile.mkdtemp(prefix="simcloud-swift-")

    def write(self, chunks: Iterable[bytes]) -> tuple[str, int, str]:
        """Stream ``chunks`` into a new file; returns (path, size, md5 hex). Nothing sent, no
        file: the path is "" (a zero-byte object is metadata only)."""
        path = os.path.join(self.root, uuid.uuid4().hex)
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        try:
            with open(path, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        except BaseException:
            self.discard(path)
            raise
        if size == 0:
            self.discard(path)
            path = ""
        return path, size, digest.hexdigest()

    def read_object(self, obj: StoredObject, start: int, length: int) -> Iterator[bytes]:
        """``length`` bytes of ``obj`` from ``start``, whatever holds them."""
        if obj.generated:
            return iter((generated_bytes(obj.name, obj.size)[start:start + length],))
        if not obj.path or length <= 0:
            return iter(())
        return self.read(obj.path, start, length)

    @staticmethod
    def read(path: str, start: int, length: int) -> Iterator[bytes]:
        """Stream ``length`` bytes of ``path`` from ``start``. The file is opened now, so an
        object deleted while it is being read still streams (POSIX keeps the open file)."""
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator

        def chunks() -> Iterator[bytes]:
            with handle:
                handle.seek(start)
                remaining = length
                while remaining > 0:
                    piece = handle.read(min(CHUNK, remaining))
                    if not piece:
                        return
                    remaining -= len(piece)
                    yield piece
        return chunks()

    @staticmethod
    def discard(path: str) -> None:
        """Remove an object's file (already gone, or none, is fine)."""
        if not path:
            return
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

    def close(self) -> None:
        """Remove the folder and every object in it."""
        shutil.rmtree(self.root, ignore_errors=True)
