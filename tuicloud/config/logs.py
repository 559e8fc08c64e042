"""tuicloud's log: a file in the user log dir, never the terminal (the TUI owns it), readable by
the user only. Nothing here ever writes a password or token: the cloud layer's log lines carry
method, path, status and request id only, and keystoneauth's body logging stays off."""

from __future__ import annotations

import logging
import logging.handlers
import os
import warnings
from pathlib import Path
from typing import Any

from tuicloud.config.paths import log_dir, private_dir


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
