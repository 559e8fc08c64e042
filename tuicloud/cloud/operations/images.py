"""Image operations: deactivate/reactivate, protect/unprotect, visibility, delete (Glance v2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tuicloud.cloud.operations.base import (
    Choice,
    KindOperations,
    Needs,
    Operation,
    Raw,
    name_of,
    require,
    rid,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

BUSY = frozenset({"saving", "importing", "uploading", "pending_delete"})
VISIBILITIES = ("public", "private", "shared", "community")
_PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}


def status(raw: Raw) -> str:
    """The image's status ("active")."""
    return str(raw.get("status") or "unknown")


def settled(raw: Raw) -> bool:
    """True when the image is not being written or deleted."""
    return status(raw) not in BUSY


def _in(state: str) -> Callable[[Raw], str | None]:
    def check(raw: Raw) -> str | None:
        return None if status(raw) == state else f"image is {status(raw)}"
    return check


def _protected(want: bool) -> Callable[[Raw], str | None]:
    def check(raw: Raw) -> str | None:
        if bool(raw.get("protected")) != want:
            return None
        return "image is already protected" if want else "image is not protected"
    return check


def _deletable(raw: Raw) -> str | None:
    if raw.get("protected"):
        return "image is protected: unprotect it first"
    return "image is being deleted" if status(raw) == "pending_delete" else None


def _patch(session: CloudSession, raw: Raw, field: str, value: object, what: str) -> None:
    session.request("PATCH", "image", f"/images/{rid(raw)}", headers=_PATCH,
                    json=[{"op": "replace", "path": f"/{field}", "value": value}],
                    description=f"{what} image {name_of(raw)}")


def _post(path: str, what: str) -> Callable[[CloudSession, Raw, str | None], None]:
    def run(session: CloudSession, raw: Raw, _value: str | None) -> None:
        session.request("POST", "image", f"/images/{rid(raw)}/actions/{path}",
                        description=f"{what} image {name_of(raw)}")
    return run


def _visibility_choices(session: CloudSession, raw: Raw) -> list[Choice]:
    current = raw.get("visibility")
    return [Choice(v, v, "the current visibility" if v == current else None)
            for v in VISIBILITIES]


def _set_visibility(session: CloudSession, raw: Raw, value: str | None) -> None:
    visibility = require(value, "a visibility")
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    _patch(session, raw, "visibility", visibility, f"make {visibility}")


def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "image", f"/images/{rid(raw)}",
                    description=f"delete image {name_of(raw)}")


IMAGE_OPERATIONS: tuple[Operation, ...] = (
    Operation("image.deactivate", "images", "Deactivate", _in("active"),
              _post("deactivate", "deactivate"),
              lambda raw, _v: ["openstack", "image", "set", "--deactivate", rid(raw)],
              destructive=True, keywords=("disable",)),
    Operation("image.reactivate", "images", "Reactivate", _in("deactivated"),
              _post("reactivate", "reactivate"),
              lambda raw, _v: ["openstack", "image", "set", "--activate", rid(raw)],
              keywords=("activate", "enable")),
    Operation("image.protect", "images", "Protect", _protected(True),
              lambda s, raw, _v: _patch(s, raw, "protected", True, "protect"),
              lambda raw, _v: ["openstack", "image", "set", "--protected", rid(raw)]),
    Operation("image.unprotect", "images", "Unprotect", _protected(False),
              lambda s, raw, _v: _patch(s, raw, "protected", False, "unprotect"),
              lambda raw, _v: ["openstack", "image", "set", "--unprotected", rid(raw)]),
    Operation("image.visibility", "images", "Visibility…", lambda raw: None, _set_visibility,
              lambda raw, v: ["openstack", "image", "set", f"--{v}", rid(raw)],
              needs=Needs("Visibility", "<visibility>", choices=_visibility_choices),
              keywords=("public", "private", "shared", "community")),
    Operation("image.delete", "images", "Delete", _deletable, _delete,
              lambda raw, _v: ["openstack", "image", "delete", rid(raw)],
              destructive=True, deletes=True, keywords=("remove",)),
)

OPERATIONS = KindOperations("images", "image", IMAGE_OPERATIONS, settled)
