"""Actions on existing servers, volumes and images: the only place that builds their requests.

Each :class:`Operation` is data (see :mod:`.base`); this module lists them per kind, fetches the
current state of one resource and says when a followed resource has settled and how it ended.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.operations.base import Choice, KindOperations, Needs, Operation, Raw, name_of

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["Choice", "KindOperations", "Needs", "Operation", "Raw", "all_operations",
           "direct_operations", "ends", "explain", "fetch", "find", "last_request_id",
           "name_of", "operations_for", "reached", "settled", "singular", "supports"]

# A kind with actions is one module here, declaring its KindOperations; nothing else names it
# but this table (kind -> module, attribute). The modules are imported when a kind's actions
# are first asked for: the first list view imports its own kind's, not all 20 (about 40 ms).
_DECLARED: dict[str, tuple[str, str]] = {
    "servers": ("servers", "OPERATIONS"),
    "volumes": ("volumes", "OPERATIONS"),
    "snapshots": ("volume_snapshots", "OPERATIONS"),
    "images": ("images", "OPERATIONS"),
    "server-groups": ("server_groups", "OPERATIONS"),
    "floating-ips": ("floating_ips", "OPERATIONS"),
    "routers": ("routers", "OPERATIONS"),
    "keypairs": ("keypairs", "OPERATIONS"),
    "security-groups": ("security_groups", "OPERATIONS"),
    "security-group-rules": ("security_groups", "RULE_OPERATIONS"),
    "subnets": ("network_parts", "SUBNET_OPERATIONS"),
    "ports": ("network_parts", "PORT_OPERATIONS"),
    "networks": ("networks", "OPERATIONS"),
    "compute-services": ("compute_services", "OPERATIONS"),
    "projects": ("identity", "PROJECT_OPERATIONS"),
    "users": ("identity", "USER_OPERATIONS"),
    "role-assignments": ("identity", "ASSIGNMENT_OPERATIONS"),
    "app-credentials": ("identity", "APP_CREDENTIAL_OPERATIONS"),
    "containers": ("containers", "OPERATIONS"),
    "aggregates": ("aggregates", "OPERATIONS"),
    "flavors": ("flavors", "OPERATIONS"),
    "hypervisors": ("hypervisors", "OPERATIONS"),
    "groups": ("groups", "OPERATIONS"),
}
DIRECT_KEY_KINDS = ("servers",)
"""The kinds whose operations have direct keys on the list view (``Operation.key``): every
list screen binds them, so these kinds' operations load with the first view."""
_loaded: dict[str, KindOperations] = {}
_by_id: dict[str, Operation] = {}


def _declared(kind: str) -> KindOperations | None:
    """The kind's declared operations (its module imported on first use); None without."""
    found = _loaded.get(kind)
    if found is None and kind in _DECLARED:
        module, attribute = _DECLARED[kind]
        found = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
        assert isinstance(found, KindOperations) and found.kind == kind, (kind, module)
        _loaded[kind] = found
        _by_id.update((op.id, op) for op in found.operations)
    return found


def load_all() -> None:
    """Import every kind's operations (after the first paint, so no key press waits)."""
    for kind in _DECLARED:
        _declared(kind)


def supports(kind: str) -> bool:
    """True when resources of this kind have actions."""
    return kind in _DECLARED


def operations_for(kind: str) -> tuple[Operation, ...]:
    """The operations on a kind, in menu order (empty for kinds without actions)."""
    declared = _declared(kind)
    return declared.operations if declared is not None else ()


def all_operations() -> tuple[Operation, ...]:
    """Every kind's operations (in the table's order)."""
    return tuple(op for kind in _DECLARED for op in operations_for(kind))


def direct_operations() -> tuple[Operation, ...]:
    """The operations with a direct key on the list view (see DIRECT_KEY_KINDS)."""
    return tuple(op for kind in DIRECT_KEY_KINDS for op in operations_for(kind) if op.key)


def singular(kind: str) -> str:
    """The word for one resource of the kind ("server"); "resource" for kinds without actions."""
    declared = _declared(kind)
    return declared.singular if declared is not None else "resource"


def find(op_id: str) -> Operation:
    """The operation with this id; KeyError when unknown."""
    if op_id not in _by_id:
        load_all()
    return _by_id[op_id]


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
    declared = _declared(kind)
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
