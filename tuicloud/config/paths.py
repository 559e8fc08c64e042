"""Where tuicloud keeps files (platformdirs): config, state, log and cache folders, created
readable by the user only."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import platformdirs

APP_NAME = "tuicloud"


def log_dir() -> Path:
    """The user log dir (e.g. ~/.local/state/tuicloud/log)."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The user config dir (e.g. ~/.config/tuicloud)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    """The user state dir (e.g. ~/.local/state/tuicloud)."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """The user cache dir (e.g. ~/.cache/tuicloud): what can be rebuilt from the cloud."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parent with mode 0700 (as the XDG base directory spec
    asks) and return it. tuicloud's own directories (config, state, log, cache, and what is under
    them) found wider are narrowed to 0700: ``mkdir(parents=True)`` used to create the state
    dir 0755 as the log dir's parent."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    roots = {config_dir(), state_dir(), log_dir(), cache_dir()}
    for folder in (path, *path.parents):
        if folder in roots or any(root in folder.parents for root in roots):
            with contextlib.suppress(OSError):
                if folder.stat().st_mode & 0o077:
                    os.chmod(folder, 0o700)
    return path
