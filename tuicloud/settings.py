"""Where tuicloud keeps files (platformdirs), and its log set-up.

Logs go to a file in the user log dir, never to the terminal (the TUI owns it). Files are created
readable by the user only. Nothing here ever writes a password or token: the cloud layer's log
lines carry method, path, status and request id only, and keystoneauth's body logging stays off.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import warnings
from pathlib import Path
from typing import Any

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


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Opens every log file it creates, a rollover's fresh one too, as 0600 (plain ``open``
    would make it 0644 under the usual umask)."""

    def _open(self) -> Any:
        os.close(os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        return super()._open()


def setup_logging(level: int = logging.INFO) -> Path:
    """Log to ``<log dir>/tuicloud.log`` (0600, rotated); route Python warnings there too."""
    path = private_dir(log_dir()) / "tuicloud.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=2,
                                         encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("tuicloud").setLevel(level)
    # keystoneauth logs request and response bodies at DEBUG (adminPass, user_data): keep off.
    for noisy in ("keystoneauth", "openstack", "urllib3", "stevedore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    return path
