"""Actions on existing servers, volumes and images: the only place that builds their requests.

Each :class:`Operation` is data (see :mod:`.base`); this module lists them per kind, fetches the
current state of one resource and says when a followed resource has settled and how it ended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.operations import (
    aggregates,
    compute_services,
    containers,
    flavors,
    floating_ips,
    groups,
    hypervisors,
    identity,
    images,
    keypairs,
    network_parts,
    networks,
    routers,
    security_groups,
    server_groups,
    servers,
    volume_snapshots,
    volumes,
)
from tuicloud.cloud.operations.base import Choice, KindOperations, Needs, Operation, Raw, name_of

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["Choice", "KindOperations", "Needs", "Operation", "Raw", "all_operations", "ends",
           "explain", "fetch", "find", "last_request_id", "name_of", "operations_for",
           "reached", "settled", "singular", "supports"]

# A kind with actions is one module here, declaring its KindOperations; nothing else names it.
_BY_KIND: dict[str, KindOperations] = {
    declared.kind: declared
    for declared in (servers.OPERATIONS, volumes.OPERATIONS, volume_snapshots.OPERATIONS,
                     images.OPERATIONS, server_groups.OPERATIONS, floating_ips.OPERATIONS,
                     routers.OPERATIONS, keypairs.OPERATIONS, security_groups.OPERATIONS,
                     security_groups.RULE_OPERATIONS,
                     network_parts.SUBNET_OPERATIONS, network_parts.PORT_OPERATIONS,
                     networks.OPERATIONS, compute_services.OPERATIONS,
                     identity.PROJECT_OPERATIONS, identity.USER_OPERATIONS,
                     identity.ASSIGNMENT_OPERATIONS, identity.APP_CREDENTIAL_OPERATIONS,
                     containers.OPERATIONS, aggregates.OPERATIONS,
                     flavors.OPERATIONS, hypervisors.OPERATIONS, groups.OPERATIONS)
}
_BY_ID = {op.id: op for declared in _BY_KIND.values() for op in declared.operations}


def supports(kind: str) -> bool:
    """True when resources of this kind have actions."""
    return kind in _BY_KIND


def operations_for(kind: str) -> tuple[Operation, ...]:
    """The operations on a kind, in menu order (empty for kinds without actions)."""
    declared = _BY_KIND.get(kind)
    return declared.operations if declared is not None else ()


def all_operations() -> tuple[Operation, ...]:
    """Every kind's operations (the list view's direct keys come from these)."""
    return tuple(_BY_ID.values())


def singular(kind: str) -> str:
    """The word for one resource of the kind ("server"); "resource" for kinds without actions."""
    declared = _BY_KIND.get(kind)
    return declared.singular if declared is not None else "resource"


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


def reached(op: Operation | None, raw: Raw) -> bool:
    """True when the resource has reached the state ``op`` leads to (see
    :attr:`Operation.until`); always True without an operation or such a state."""
    return op is None or op.until is None or op.until(raw)


def settled(kind: str, raw: Raw) -> bool:
    """True when the resource is in a resting state (following it can stop)."""
    declared = _BY_KIND.get(kind)
    return declared is None or declared.settled(raw)


def ends(kind: str, raw: Raw) -> tuple[bool, str]:
    """How a settled resource ended: (ok, words for the user), with the API's fault message."""
    status = str(raw.get("status") or "unknown")
    if status == "ERROR":  # Nova's upper-case status, with its fault (Cinder says "error")
        fault = raw.get("fault") if isinstance(raw.get("fault"), dict) else {}
        message = str((fault or {}).get("message") or "no fault message")
        code = (fault or {}).get("code")
        return False, f"ERROR: {message}" + (f" (code {code})" if code else "")
    if status.lower().startswith("error") or status == "killed":
        return False, status
    return True, status


_MEANINGS = {400: "the cloud rejected the request", 401: "not authenticated",
             403: "not allowed", 404: "not found (deleted meanwhile?)",
             409: "conflicts with the resource's current state",
             413: "over a quota or limit", 429: "too many requests: try again later"}


def explain(error: CloudError) -> str:
    """One line for a failed action: what the status means, the API's own message, the
    request id ("409 Conflict (conflicts with …): Cannot 'reboot' instance … (req-…)")."""
    from tuicloud.cloud.errors import ReadOnlyError

    if isinstance(error, ReadOnlyError):
        return f"{error.message} (read-only session: nothing was sent)"
    if error.status is None:
        return str(error)
    meaning = _MEANINGS.get(error.status) or ("the cloud failed" if error.status >= 500 else "")
    text = error.short + (f" ({meaning})" if meaning else "") + f": {error.message}"
    return text + (f" ({error.request_id})" if error.request_id else "")


def last_request_id(session: CloudSession, raw: Raw) -> str | None:
    """The request id of a server's latest instance action (where Nova records why an
    asynchronous action failed); None for other kinds or when it cannot be read."""
    try:
        body, _ = session.get_json("compute", f"/servers/{raw.get('id')}/os-instance-actions")
    except CloudError:
        return None
    actions = body.get("instanceActions") if isinstance(body, dict) else None
    if not actions:
        return None
    latest = max(actions, key=lambda a: str(a.get("start_time") or ""))
    return str(latest.get("request_id")) if latest.get("request_id") else None
