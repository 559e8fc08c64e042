"""Volume snapshot operations: delete (Cinder v3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.operations.base import KindOperations, Operation, Raw, name_of, rid

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

BUSY = frozenset({"creating", "deleting", "restoring", "unmanaging", "backing-up"})
# Cinder refuses the rest with 400 "Snapshot status must be available or error".
_DELETABLE = ("available", "error", "error_deleting")


def status(raw: Raw) -> str:
    """The snapshot's status ("available")."""
    return str(raw.get("status") or "unknown")


def settled(raw: Raw) -> bool:
    """True when the snapshot is in no transitional state."""
    return status(raw) not in BUSY


def _deletable(raw: Raw) -> str | None:
    return None if status(raw) in _DELETABLE else f"snapshot is {status(raw)}"


def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "block-storage", f"/snapshots/{rid(raw)}",
                    description=f"delete volume snapshot {name_of(raw)}")


OPERATIONS = KindOperations("snapshots", "snapshot", (
    Operation(
        "snapshot.delete", "snapshots", "Delete", _deletable, _delete,
        lambda raw, _v: ["openstack", "volume", "snapshot", "delete", rid(raw)],
        destructive=True, transitional="deleting", deletes=True, keywords=("remove",)),
), settled)
