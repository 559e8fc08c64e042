"""Container actions (Swift): create (public or private), delete. Swift refuses to delete a
container that holds objects (409), so deleting a non-empty one deletes its objects first, as
``openstack container delete --recursive`` does, after a confirmation that names how many
objects and bytes go with it.

Creating is a form (``screens/forms/create_container.py``); this module builds what it sends
and the command it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.base import format_bytes
from tuicloud.cloud.operations.base import KindOperations, Operation, Raw, name_of

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "PUBLIC_READ_ACL", "ContainerSpec", "container_command",
           "create_container", "delete_container", "validate_container_name"]

PUBLIC_READ_ACL = ".r:*,.rlistings"
"""What ``openstack container create --public`` sets: anyone may read and list."""
MAX_NAME_BYTES = 256


@dataclass(frozen=True)
class ContainerSpec:
    """What the form collected."""

    name: str
    public: bool = False


def validate_container_name(name: str) -> str | None:
    """Swift's rules: not empty, no "/", at most 256 bytes of UTF-8, no control characters."""
    if not name.strip():
        return "a name is required"
    if "/" in name:
        return "no \"/\" in a container name (objects hold the folders)"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"at most {MAX_NAME_BYTES} bytes"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "no control characters"
    return None


def container_path(name: str) -> str:
    """A container's path on the account (its name quoted, whatever it holds)."""
    return "/" + quote(name, safe="")


def container_command(spec: ContainerSpec) -> list[str]:
    """``openstack container create [--public] NAME``."""
    return ["openstack", "container", "create", *(["--public"] if spec.public else []),
            spec.name]


def create_container(session: CloudSession, spec: ContainerSpec) -> str:
    """Create the container (blocking; ReadOnlyError before sending). Swift answers 202 for
    one that exists already, so that is checked first: an existing container is not changed."""
    problem = validate_container_name(spec.name)
    if problem:
        raise ValueError(problem)
    session.refuse_if_read_only(f"create container {spec.name}")
    try:
        session.head("object-store", container_path(spec.name))
    except CloudError as exc:
        if exc.status != 404:
            raise
    else:
        raise CloudError(f"a container named {spec.name} exists already", status=409,
                         service="object-store")
    headers = {"X-Container-Read": PUBLIC_READ_ACL} if spec.public else {}
    session.request("PUT", "object-store", container_path(spec.name), headers=headers,
                    description=f"create container {spec.name}")
    return spec.name


def _count(raw: Raw) -> int:
    count = raw.get("count")
    return count if isinstance(count, int) else 0


def describe(raw: Raw) -> str:
    """The container as the confirmation names it: with what goes with it."""
    count = _count(raw)
    if not count:
        return f"{name_of(raw)} (empty)"
    bytes_used = raw.get("bytes")
    size = format_bytes(bytes_used) if isinstance(bytes_used, int) else "? bytes"
    return f"{name_of(raw)} and its {count} object{'s' if count != 1 else ''} ({size})"


def delete_container(session: CloudSession, raw: Raw, _value: str | None) -> None:
    """Delete the container's objects (a page of the listing at a time, with Swift's bulk
    delete where /info offers it, large objects with their segments), then the container.
    An object already gone counts as deleted; when any failed, the container stays and the
    error names how many went and which failed, and why."""
    from tuicloud.cloud.bulk_delete import empty_container

    name = name_of(raw)
    session.refuse_if_read_only(f"delete container {name}")
    outcome = empty_container(session, name, count=_count(raw) or None)
    if outcome.failed:
        raise CloudError(f"container {name} not deleted: {outcome.summary()}",
                         service="object-store")
    session.request("DELETE", "object-store", container_path(name),
                    description=f"delete container {name}")


def _delete_cli(raw: Raw, _value: str | None) -> list[str]:
    recursive = ["--recursive"] if _count(raw) else []
    return ["openstack", "container", "delete", *recursive, name_of(raw)]


def _public(raw: Raw) -> bool:
    from tuicloud.cloud.kinds.containers import access_of

    return access_of(raw.get("read_acl")) == "public"


def make_public(session: CloudSession, raw: Raw, _value: str | None) -> None:
    """Anyone may read and list it (the read ACL ``.r:*,.rlistings``); a container POST
    changes only the headers sent."""
    name = name_of(raw)
    session.request("POST", "object-store", container_path(name),
                    headers={"X-Container-Read": PUBLIC_READ_ACL},
                    description=f"make container {name} public")


def make_private(session: CloudSession, raw: Raw, _value: str | None) -> None:
    """Only the project again: the read ACL removed."""
    name = name_of(raw)
    session.request("POST", "object-store", container_path(name),
                    headers={"X-Remove-Container-Read": "x"},
                    description=f"make container {name} private")


OPERATIONS = KindOperations("containers", "container", (
    Operation(
        "container.public", "containers", "Make public…",
        lambda raw: "already public" if _public(raw) else None, make_public,
        # The openstack client sets a read ACL only when it creates a container.
        lambda raw, _v: ["swift", "post", "--read-acl", PUBLIC_READ_ACL, name_of(raw)],
        destructive=True, keywords=("acl", "share", "read", "anonymous")),
    Operation(
        "container.private", "containers", "Make private",
        lambda raw: None if _public(raw) else "already private", make_private,
        lambda raw, _v: ["swift", "post", "--read-acl", "", name_of(raw)],
        keywords=("acl", "unshare", "read")),
    Operation(
        "container.delete", "containers", "Delete", lambda raw: None, delete_container,
        _delete_cli, destructive=True, deletes=True, keywords=("remove", "recursive"),
        describe=describe),
))
