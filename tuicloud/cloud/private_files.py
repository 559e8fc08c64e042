"""Files that hold a secret the user asked for (a private key, an application credential's
secret): created 0600, never over an existing file, and the only place the secret goes."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["new_file_problem", "write_private_file"]


def new_file_problem(path: str) -> str | None:
    """Why ``path`` cannot be a new private file (checked before anything is sent), or None."""
    if not path.strip():
        return "where it goes (it is shown nowhere)"
    file = Path(path.strip()).expanduser()
    if file.exists():
        return "the file exists: an existing file is never overwritten"
    if not file.parent.is_dir():
        return f"no folder {file.parent}"
    return None


def write_private_file(path: str, data: bytes) -> str | None:
    """Write ``data`` to ``path`` (created 0600, never over an existing file): why not, or
    None."""
    file = Path(path.strip()).expanduser()
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return "the file exists: an existing file is never overwritten"
    except OSError as error:
        return f"cannot create it: {error.strerror or error}"
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return None
