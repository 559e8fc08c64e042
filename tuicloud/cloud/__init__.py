"""The cloud layer: the only package that imports openstacksdk and keystoneauth1.

Everything here is blocking code for the UI's thread workers; nothing imports Textual.

- :mod:`.config`: clouds.yaml / ``OS_*`` loading with clear :class:`ConfigError` messages.
- :mod:`.connection`: :class:`CloudSession` (authenticate, raw JSON reads, the read-only guard).
- :mod:`.errors`: :class:`CloudError` and :func:`cloud_error_from`.
- :mod:`.kinds`: resource kinds as data (columns, row builders, detail sections).
- :mod:`.lookups`: id -> name caches; :mod:`.poller`: incremental refresh;
  :mod:`.detail`: one resource plus its related resources.

Logging goes to the ``tuicloud.cloud`` logger. A NullHandler on it and on the SDK's loggers
keeps Python's last-resort handler from printing their warnings over the terminal UI when the
application has not configured logging; configured handlers still receive everything.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession, Page, ResponseInfo
    from tuicloud.cloud.errors import (
        AuthenticationError,
        CloudError,
        ConfigError,
        ReadOnlyError,
        ServiceUnavailableError,
        UnreachableError,
        cloud_error_from,
    )

for _name in ("tuicloud.cloud", "keystoneauth", "openstack", "stevedore"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

# Imported on first use, so that importing the pure parts (kinds) does not load openstacksdk.
_LAZY = {
    "CloudSession": "connection", "Page": "connection", "ResponseInfo": "connection",
    "AuthenticationError": "errors", "CloudError": "errors", "ConfigError": "errors",
    "ReadOnlyError": "errors", "ServiceUnavailableError": "errors",
    "UnreachableError": "errors", "cloud_error_from": "errors",
}

__all__ = [
    "AuthenticationError",
    "CloudError",
    "CloudSession",
    "ConfigError",
    "Page",
    "ReadOnlyError",
    "ResponseInfo",
    "ServiceUnavailableError",
    "UnreachableError",
    "cloud_error_from",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
