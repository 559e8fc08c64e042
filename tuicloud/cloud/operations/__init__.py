"""Actions on existing servers, volumes and images: the only place that builds their requests.

Each :class:`Operation` is data (see :mod:`.base`); this module lists them per kind, fetches the
current state of one resource and says when a followed resource has settled and how it ended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.operations import images, servers, volumes
from tuicloud.cloud.operations.base import Choice, Needs, Operation, Raw, name_of

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["Choice", "Needs", "Operation", "Raw", "ends", "fetch", "find", "name_of",
           "operations_for", "settled", "supports"]

_BY_KIND: dict[str, tuple[Operation, ...]] = {
    "servers": servers.SERVER_OPERATIONS,
    "volumes": volumes.VOLUME_OPERATIONS,
    "images": images.IMAGE_OPERATIONS,
}
_BY_ID = {op.id: op for ops in _BY_KIND.values() for op in ops}


def supports(kind: str) -> bool:
    """True when resources of this kind have actions."""
    return kind in _BY_KIND


def operations_for(kind: str) -> tuple[Operation, ...]:
    """The operations on a kind, in menu order (empty for kinds without actions)."""
    return _BY_KIND.get(kind, ())


def find(op_id: str) -> Operation:
    """The operation with this id; KeyError when unknown."""
    return _BY_ID[op_id]


def fetch(session: CloudSession, kind: str, ident: str) -> Raw | None:
    """The resource's current JSON document (one GET of its show URL); None when it is gone."""
    from tuicloud.cloud.detail import fetch_raw
    from tuicloud.cloud.kinds.registry import kind_for

    try:
        return fetch_raw(session, kind_for(kind), ident)
    except CloudError as error:
        if error.status == 404:
            return None
        raise


def settled(kind: str, raw: Raw) -> bool:
    """True when the resource is in a resting state (following it can stop)."""
    if kind == "servers":
        return servers.settled(raw)
    if kind == "volumes":
        return volumes.settled(raw)
    if kind == "images":
        return images.settled(raw)
    return True


def ends(kind: str, raw: Raw) -> tuple[bool, str]:
    """How a settled resource ended: (ok, words for the user), with the API's fault message."""
    status = str(raw.get("status") or "unknown")
    if kind == "servers" and status.upper() == "ERROR":
        fault = raw.get("fault") if isinstance(raw.get("fault"), dict) else {}
        message = str((fault or {}).get("message") or "no fault message")
        code = (fault or {}).get("code")
        return False, f"ERROR: {message}" + (f" (code {code})" if code else "")
    if status.lower().startswith("error") or status == "killed":
        return False, status
    return True, status
