"""The view cache: the last rows of each list view, painted at the next start before the
connection is made (then replaced by the first poll).

One JSON file per view under ``<user cache dir>/views/``, named by the sha256 of the view's
key (cloud, auth URL, project, region, user, clouds.yaml fingerprint, kind, all projects: see
:mod:`tuicloud.config.clouds_guess`); the key is kept in the file too and compared on reading.
Files are 0600 in a 0700 folder, written atomically, at most :data:`MAX_ROWS` rows and
:data:`MAX_FILE_BYTES` each, the folder at most :data:`MAX_FOLDER_BYTES` (the oldest files
go first). Only display rows are kept, and of them only the keys the caller names (columns,
sort and age keys): never a raw API document, a token or a password.

A file that is corrupt, unreadable, not a regular file, not the user's own or readable by
others is ignored with a log line; nothing here raises to the caller.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tuicloud.config.paths import cache_dir
from tuicloud.config.state import UntrustedFile, atomic_write, private_problem, read_private_json

__all__ = ["MAX_ROWS", "CachedView", "ViewCache", "view_cache_dir"]

log = logging.getLogger("tuicloud.cache")

MAX_ROWS = 1000
MAX_FILE_BYTES = 1 << 20
MAX_FOLDER_BYTES = 16 << 20
_VERSION = 1

Key = Mapping[str, object]
CachedRow = dict[str, object]


def view_cache_dir() -> Path:
    """Where the views are kept (e.g. ~/.cache/tuicloud/views)."""
    return cache_dir() / "views"


@dataclass(frozen=True)
class CachedView:
    """Rows kept from an earlier poll, and when that poll was."""

    rows: list[CachedRow]
    saved_at: float


def _scalar(value: object) -> object:
    """JSON's own values as they are; anything else (a styled status) as its text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class ViewCache:
    """Reads and writes the view cache (see the module docstring). Thread-safe: every write
    goes to a temporary file first, and each view has its own file."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = view_cache_dir() if folder is None else folder

    def path_for(self, key: Key) -> Path:
        """The file of one view."""
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
        return self.folder / f"{digest}.json"

    # -- reading ------------------------------------------------------------------------------
    def load(self, key: Key) -> CachedView | None:
        """The view's rows, or None (none kept, or not trusted: then logged)."""
        path = self.path_for(key)
        try:
            folder = os.lstat(self.folder)
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("ignoring the view cache %s: %s", self.folder, error.strerror or error)
            return None
        why = "not a folder" if not stat.S_ISDIR(folder.st_mode) else private_problem(folder)
        if why:
            log.warning("ignoring the view cache %s: %s", self.folder, why)
            return None
        try:
            data = read_private_json(path, MAX_FILE_BYTES)
        except FileNotFoundError:
            return None
        except UntrustedFile as why_not:
            log.warning("ignoring the cached view %s: %s", path, why_not)
            return None
        try:
            return self._parse(data, key)
        except ValueError as error:
            log.warning("ignoring the cached view %s: %s", path, error)
            return None

    @staticmethod
    def _parse(data: object, key: Key) -> CachedView:
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            raise ValueError("not a cached view of this version")
        if data.get("key") != dict(key):
            raise ValueError("kept for another view")  # a hash collision or a copied file
        saved_at = data.get("saved_at")
        rows = data.get("rows")
        if isinstance(saved_at, bool) or not isinstance(saved_at, int | float):
            raise ValueError("no time")
        if not isinstance(rows, list) or len(rows) > MAX_ROWS:
            raise ValueError("no rows, or too many")
        kept: list[CachedRow] = []
        for row in rows:
            if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not row["id"]:
                raise ValueError("a row without an id")
            if any(isinstance(v, dict | list) for v in row.values()):
                raise ValueError("a row with a nested value")
            kept.append(row)
        return CachedView(kept, float(saved_at))

    # -- writing ------------------------------------------------------------------------------
    def save(self, key: Key, rows: Sequence[Mapping[str, object]],
             fields: Collection[str], *, now: float | None = None) -> bool:
        """Keep a view's rows (at most MAX_ROWS, only ``fields`` of each, the file at most
        MAX_FILE_BYTES); the oldest views go when the folder outgrows MAX_FOLDER_BYTES.
        False (and logged) when it could not be written."""
        wanted = set(fields) | {"id"}
        kept = [{k: _scalar(v) for k, v in row.items() if k in wanted}
                for row in rows[:MAX_ROWS]]
        kept = [row for row in kept if isinstance(row.get("id"), str) and row["id"]]
        document = {"version": _VERSION, "key": dict(key),
                    "saved_at": time.time() if now is None else now, "rows": kept}
        text = json.dumps(document, separators=(",", ":"))
        while len(text.encode()) > MAX_FILE_BYTES and document["rows"]:
            document["rows"] = kept = kept[:len(kept) // 2]
            text = json.dumps(document, separators=(",", ":"))
        path = self.path_for(key)
        try:
            atomic_write(path, text)
        except OSError as error:
            log.warning("cannot keep the view in %s: %s", path, error.strerror or error)
            return False
        self._evict(keep=path)
        return True

    def _evict(self, keep: Path) -> None:
        """Remove the oldest views until the folder is within MAX_FOLDER_BYTES."""
        try:
            entries = []
            for path in self.folder.glob("*.json"):
                with contextlib.suppress(FileNotFoundError):
                    info = path.lstat()
                    entries.append((info.st_mtime, info.st_size, path))
        except OSError as error:
            log.warning("cannot list the view cache %s: %s", self.folder, error)
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda entry: entry[0]):
            if total <= MAX_FOLDER_BYTES:
                break
            if path == keep:
                continue
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
