"""Volume operations: extend, attach/detach, snapshot, upload to image, delete (Cinder v3)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.operations.base import (
    Choice,
    KindOperations,
    Needs,
    Operation,
    Raw,
    check_name,
    name_of,
    require,
    rid,
)

log = logging.getLogger("tuicloud.cloud")

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

BUSY = frozenset({"creating", "attaching", "detaching", "extending", "deleting",
                  "downloading", "uploading", "backing-up", "restoring-backup", "reserved",
                  "retyping", "maintenance", "awaiting-transfer"})
_DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")


def status(raw: Raw) -> str:
    """The volume's status ("in-use")."""
    return str(raw.get("status") or "unknown")


def settled(raw: Raw) -> bool:
    """True when the volume is in no transitional state."""
    return status(raw) not in BUSY



def _usable(raw: Raw) -> str | None:
    return None if status(raw) in ("available", "in-use") else f"volume is {status(raw)}"


def _attachable(raw: Raw) -> str | None:
    if status(raw) == "available" or (status(raw) == "in-use" and raw.get("multiattach")):
        return None
    if status(raw) == "in-use":
        return "volume is in-use (not multiattach): detach it first"
    return f"volume is {status(raw)}"


def _detachable(raw: Raw) -> str | None:
    return None if status(raw) == "in-use" and raw.get("attachments") else "volume is not attached"


def _deletable(raw: Raw) -> str | None:
    if status(raw) == "in-use":
        return "volume is in-use: detach it first"
    return None if status(raw) in _DELETABLE else f"volume is {status(raw)}"


def _check_size(raw: Raw, text: str) -> str | None:
    try:
        size = int(text.strip())
    except ValueError:
        return "a whole number of GB"
    current = int(raw.get("size") or 0)
    if size <= current:
        return f"must be larger than the current {current} GB"
    return None


def _server_choices(session: CloudSession, raw: Raw) -> list[Choice]:
    body, _ = session.get_json("compute", "/servers/detail", {"limit": 1000})
    choices = []
    attachable = ("ACTIVE", "PAUSED", "SHUTOFF", "SUSPENDED", "SHELVED", "SHELVED_OFFLOADED")
    for server in body.get("servers", []):
        state = str(server.get("status"))
        choices.append(Choice(str(server.get("id")), f"{server.get('name')}  {state}",
                              None if state in attachable else f"server is {state}"))
    choices.sort(key=lambda c: (c.disabled is not None, c.label))
    return choices


def _attachment_choices(session: CloudSession, raw: Raw) -> list[Choice]:
    choices = []
    for attachment in raw.get("attachments") or []:
        server_id = str(attachment.get("server_id"))
        label = server_id
        try:
            body, _ = session.get_json("compute", f"/servers/{server_id}")
            label = f"{body['server'].get('name')}  ({attachment.get('device')})"
        except CloudError:
            pass  # the id is enough to detach
        except Exception:  # noqa: BLE001 - a bug must leave its trace; the id still detaches
            log.exception("reading server %s for a detach choice failed", server_id)
        choices.append(Choice(server_id, label))
    return choices


def _only_server(raw: Raw) -> str:
    attachments = raw.get("attachments") or []
    return str(attachments[0].get("server_id")) if len(attachments) == 1 else ""


def _action(session: CloudSession, raw: Raw, body: dict[str, object], what: str) -> None:
    session.request("POST", "block-storage", f"/volumes/{rid(raw)}/action", json=body,
                    description=f"{what} volume {name_of(raw)}")


def _extend(session: CloudSession, raw: Raw, value: str | None) -> None:
    _action(session, raw, {"os-extend": {"new_size": int(require(value, "a size"))}}, "extend")


def _attach(session: CloudSession, raw: Raw, value: str | None) -> None:
    server = require(value, "a server")
    session.request("POST", "compute", f"/servers/{server}/os-volume_attachments",
                    json={"volumeAttachment": {"volumeId": rid(raw)}},
                    description=f"attach volume {name_of(raw)}")


def _detach(session: CloudSession, raw: Raw, value: str | None) -> None:
    server = require(value, "a server")
    session.request("DELETE", "compute", f"/servers/{server}/os-volume_attachments/{rid(raw)}",
                    description=f"detach volume {name_of(raw)}")


# From 3.66 Cinder snapshots in-use volumes without being asked and refuses any ``force``
# false with a 400 ("the 'force' flag is invalid for this request"), so it is left out.
SNAPSHOT_FORCE_DROPPED = "3.66"
FORCE_UPLOAD_REFUSED = ("Cinder uploads an attached volume only where the operator enabled "
                        "enable_force_upload (off by default): detach it first")


def snapshot_body(session: CloudSession, raw: Raw, name: str) -> dict[str, dict[str, object]]:
    """The body of ``POST /snapshots`` at the session's negotiated microversion."""
    snapshot: dict[str, object] = {"volume_id": rid(raw), "name": name}
    if not session.supports_microversion("block-storage", SNAPSHOT_FORCE_DROPPED):
        snapshot["force"] = status(raw) == "in-use"
    return {"snapshot": snapshot}


def _snapshot(session: CloudSession, raw: Raw, value: str | None) -> None:
    session.request("POST", "block-storage", "/snapshots",
                    json=snapshot_body(session, raw, require(value, "a name")),
                    description=f"snapshot volume {name_of(raw)}")


def _upload(session: CloudSession, raw: Raw, value: str | None) -> None:
    in_use = status(raw) == "in-use"
    body: dict[str, object] = {"os-volume_upload_image": {
        "image_name": require(value, "an image name"), "force": in_use,
        "disk_format": "raw", "container_format": "bare"}}
    try:
        _action(session, raw, body, "upload to an image")
    except CloudError as error:
        # Cinder ignores ``force`` unless enable_force_upload is set and then answers only
        # "status must be available": say why, since the menu offered the action.
        if in_use and error.status == 400:
            raise CloudError(f"{error.message}; {FORCE_UPLOAD_REFUSED}", status=error.status,
                             request_id=error.request_id, service=error.service) from error
        raise


def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "block-storage", f"/volumes/{rid(raw)}",
                    description=f"delete volume {name_of(raw)}")


def _force(raw: Raw) -> list[str]:
    return ["--force"] if status(raw) == "in-use" else []


VOLUME_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "volume.extend", "volumes", "Extend…", _usable, _extend,
        lambda raw, v: ["openstack", "volume", "set", "--size", str(v), rid(raw)],
        needs=Needs("New size in GB (must grow)", "<size>", validate=_check_size,
                    default=lambda raw: str(int(raw.get("size") or 0) + 1)),
        transitional="extending", keywords=("grow", "size")),
    Operation(
        "volume.attach", "volumes", "Attach to server…", _attachable, _attach,
        lambda raw, v: ["openstack", "server", "add", "volume", str(v), rid(raw)],
        needs=Needs("Attach to server", "<server>", choices=_server_choices),
        transitional="attaching", single=True),
    Operation(
        "volume.detach", "volumes", "Detach from server…", _detachable, _detach,
        lambda raw, v: ["openstack", "server", "remove", "volume", str(v), rid(raw)],
        needs=Needs("Detach from server", "<server>", choices=_attachment_choices,
                    default=_only_server),
        destructive=True, transitional="detaching", single=True),
    Operation(
        "volume.snapshot", "volumes", "Create snapshot…", _usable, _snapshot,
        lambda raw, v: ["openstack", "volume", "snapshot", "create", "--volume", rid(raw),
                        *_force(raw), str(v)],
        needs=Needs("Snapshot name", "<name>", validate=check_name,
                    default=lambda raw: f"{name_of(raw)}-snap"), keywords=("backup",)),
    Operation(
        "volume.upload_image", "volumes", "Upload to image…", _usable, _upload,
        lambda raw, v: ["openstack", "image", "create", "--volume", rid(raw), *_force(raw),
                        str(v)],
        needs=Needs("Image name", "<image-name>", validate=check_name,
                    default=lambda raw: f"{name_of(raw)}-image"),
        transitional="uploading", keywords=("glance",)),
    Operation(
        "volume.delete", "volumes", "Delete", _deletable, _delete,
        lambda raw, _v: ["openstack", "volume", "delete", rid(raw)],
        destructive=True, transitional="deleting", deletes=True, keywords=("remove",)),
)

OPERATIONS = KindOperations("volumes", "volume", VOLUME_OPERATIONS, settled)
