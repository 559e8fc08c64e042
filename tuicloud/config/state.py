"""The state file: where the user was (cloud, project, region, view), restored at next start.

JSON in the user state dir. Writes are atomic (a temporary file in the same directory, fsync,
rename), so a crash leaves the old file or the new one, never half of one. The file is 0600 and
its directory 0700. A corrupt or unreadable file is ignored with a log line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuicloud.config.paths import private_dir, state_dir

__all__ = ["CloudState", "State", "atomic_write", "load_state", "save_state", "state_path"]

log = logging.getLogger("tuicloud.state")
STATE_NAME = "state.json"
_VERSION = 1


def state_path() -> Path:
    """Where the state file lives (e.g. ~/.local/state/tuicloud/state.json)."""
    return state_dir() / STATE_NAME


@dataclass
class CloudState:
    """The last project and region used on one cloud."""

    project: str | None = None
    region: str | None = None


@dataclass
class State:
    """The last cloud and view, and per cloud the last project and region."""

    cloud: str | None = None
    view: str | None = None
    clouds: dict[str, CloudState] = field(default_factory=dict)

    def for_cloud(self, name: str) -> CloudState:
        """The cloud's entry (an empty one when it has none)."""
        return self.clouds.get(name, CloudState())

    def to_json(self) -> dict[str, Any]:
        """The file's content."""
        return {"version": _VERSION, "cloud": self.cloud, "view": self.view,
                "clouds": {name: {"project": c.project, "region": c.region}
                           for name, c in sorted(self.clouds.items())}}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _from_json(data: object) -> State:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    clouds: dict[str, CloudState] = {}
    raw_clouds = data.get("clouds")
    if isinstance(raw_clouds, dict):
        for name, entry in raw_clouds.items():
            if isinstance(name, str) and isinstance(entry, dict):
                clouds[name] = CloudState(_text(entry.get("project")),
                                          _text(entry.get("region")))
    return State(cloud=_text(data.get("cloud")), view=_text(data.get("view")), clouds=clouds)


def load_state(path: Path | None = None) -> State:
    """The saved state; an empty one when the file is missing, unreadable or corrupt."""
    path = state_path() if path is None else path
    try:
        return _from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return State()
    except (OSError, UnicodeDecodeError, ValueError) as error:
        log.warning("ignoring the state file %s: %s", path, error)
        return State()


def save_state(state: State, path: Path | None = None) -> None:
    """Write the state atomically; a failure (disk full, read-only home) is logged, not raised."""
    path = state_path() if path is None else path
    try:
        atomic_write(path, json.dumps(state.to_json(), indent=1, sort_keys=True) + "\n")
    except OSError as error:
        log.warning("cannot save the state file %s: %s", path, error.strerror or error)


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: temp file in the same dir (0600), fsync, rename."""
    folder = private_dir(path.parent)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class UntrustedFile(Exception):
    """A kept file that is not read; the message says why."""


def private_problem(info: os.stat_result) -> str | None:
    """Why a file or folder with this stat may not be trusted (another owner, readable or
    writable by others), or None."""
    if info.st_uid != os.getuid():
        return f"owned by uid {info.st_uid}, not {os.getuid()}"
    if stat.S_IMODE(info.st_mode) & 0o077:
        return f"mode {stat.S_IMODE(info.st_mode):o} lets others read or write it"
    return None


def read_private_json(path: Path, max_bytes: int) -> Any:
    """The JSON in ``path`` as written by :func:`atomic_write`. Raises FileNotFoundError when
    there is no such file, and :class:`UntrustedFile` for a symlink, something not a regular
    file, one another user owns or others may read, one over ``max_bytes``, or not JSON."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as error:  # a symlink (ELOOP), no permission …
        raise UntrustedFile(error.strerror or str(error)) from error
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            why = "not a regular file" if not stat.S_ISREG(info.st_mode) else private_problem(info)
            if why is None and info.st_size > max_bytes:
                why = f"{info.st_size} bytes, more than {max_bytes}"
            if why:
                raise UntrustedFile(why)
            return json.loads(handle.read(max_bytes + 1).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UntrustedFile(str(error)) from error
