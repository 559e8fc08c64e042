"""Where tuicloud keeps files (platformdirs), and its log set-up.

Logs go to a file in the user log dir, never to the terminal (the TUI owns it). Files are created
readable by the user only. Nothing here ever writes a password or token: the cloud layer's log
lines carry method, path, status and request id only, and keystoneauth's body logging stays off.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import warnings
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


def private_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700) if missing and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def setup_logging(level: int = logging.INFO) -> Path:
    """Log to ``<log dir>/tuicloud.log`` (0600, rotated); route Python warnings there too."""
    path = private_dir(log_dir()) / "tuicloud.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2,
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
