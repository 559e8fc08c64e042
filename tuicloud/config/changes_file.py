"""The change log's file: the overview's "Changes, last 30 min", and the states they are found
from, outlive a restart (tuicloud/cloud/changes.py says what is kept).

JSON beside the state file, written atomically and 0600 like it. Resource ids, names and
statuses only: nothing secret. A corrupt or foreign file is ignored with a log line and
replaced at the next save.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from tuicloud.cloud.changes import ChangeLog
from tuicloud.config.paths import state_dir
from tuicloud.config.state import atomic_write

__all__ = ["changes_path", "load_changes", "save_changes"]

log = logging.getLogger("tuicloud.state")
CHANGES_NAME = "changes.json"


def changes_path() -> Path:
    """Where the change log is kept (e.g. ~/.local/state/tuicloud/changes.json)."""
    return state_dir() / CHANGES_NAME


def load_changes(changes: ChangeLog, path: Path | None = None) -> None:
    """Read the file into ``changes``; a missing file is a first start, a bad one is logged."""
    path = changes_path() if path is None else path
    try:
        skipped = changes.load_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError, ValueError) as error:
        log.warning("ignoring the change log %s: %s", path, error)
        return
    if skipped:
        log.warning("the change log %s: %d entries did not read right and were skipped",
                    path, skipped)


def save_changes(changes: ChangeLog, path: Path | None = None) -> None:
    """Write the file; a failure (disk full, read-only home) is logged, not raised."""
    path = changes_path() if path is None else path
    try:
        atomic_write(path, json.dumps(changes.to_json(), separators=(",", ":")) + "\n")
    except OSError as error:
        log.warning("cannot save the change log %s: %s", path, error.strerror or error)
