"""Changing objects in place (Swift): their metadata and content type (one POST, which replaces
all the user metadata, so the whole set is always sent), and server-side copies and moves
(``X-Copy-From``; a move deletes the source only after the copy succeeded; an existing
destination is checked with HEAD: Swift applies ``If-None-Match`` to the copy's source).
Each has the command that does the same from a shell: ``openstack object`` where it can, the
``swift`` client where the openstack client has no such command (content type, copy)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.object_transfer import ObjectExists, object_path

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["ObjectCopy", "copy_command", "copy_object", "meta_command", "parse_meta",
           "set_object_metadata"]

META_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
MAX_KEY, MAX_VALUE, MAX_COUNT, MAX_TOTAL = 128, 256, 90, 4096  # Swift's /info defaults


def parse_meta(text: str) -> tuple[dict[str, str], str | None]:
    """``key: value`` lines (or ``key=value``) as metadata, and the problem when there is one.
    Keys as HTTP header names carry them (letters, digits, "-"); limits as Swift's."""
    meta: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or "=" in key:
            key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            return meta, f"line {number}: write key: value"
        if not META_KEY.match(key):
            return meta, f"line {number}: a key holds only letters, digits and -"
        if len(key) > MAX_KEY or len(value.encode()) > MAX_VALUE:
            return meta, f"line {number}: key at most {MAX_KEY}, value at most {MAX_VALUE} bytes"
        if not value.isprintable():
            return meta, f"line {number}: no control characters"
        if key.lower() in (k.lower() for k in meta):
            return meta, f"line {number}: {key} is there twice"
        meta[key] = value
    if len(meta) > MAX_COUNT:
        return meta, f"at most {MAX_COUNT} keys"
    if sum(len(k) + len(v.encode()) for k, v in meta.items()) > MAX_TOTAL:
        return meta, f"at most {MAX_TOTAL} bytes of metadata in all"
    return meta, None


def set_object_metadata(session: CloudSession, container: str, name: str,
                        meta: dict[str, str], content_type: str | None = None) -> None:
    """Replace the object's user metadata with ``meta`` (and its content type when given);
    ReadOnlyError before sending."""
    headers = {f"X-Object-Meta-{key}": value for key, value in meta.items()}
    if content_type:
        headers["Content-Type"] = content_type
    session.send_raw("POST", "object-store", object_path(container, name), headers=headers,
                     description=f"set metadata of object {name} in container {container}"
                     )[2].close()


def meta_command(container: str, name: str, meta: dict[str, str],
                 content_type: str | None = None) -> list[str]:
    """``openstack object set --property k=v … C O``; ``swift post`` when the content type
    changes or no key is left (the openstack client can do neither)."""
    if content_type or not meta:
        argv = ["swift", "post"]
        if content_type:
            argv += ["--header", f"Content-Type:{content_type}"]
        for key, value in meta.items():
            argv += ["--meta", f"{key}:{value}"]
        return [*argv, container, name]
    argv = ["openstack", "object", "set"]
    for key, value in meta.items():
        argv += ["--property", f"{key}={value}"]
    return [*argv, container, name]


@dataclass(frozen=True)
class ObjectCopy:
    """Copy (or move) ``container/name`` to ``dest_container/dest_name``."""

    container: str
    name: str
    dest_container: str
    dest_name: str
    move: bool = False


def copy_object(session: CloudSession, spec: ObjectCopy, *, overwrite: bool = False) -> None:
    """A server-side copy (``X-Copy-From``); without ``overwrite`` an existing destination is
    :class:`ObjectExists`. Swift's copy middleware applies ``If-None-Match`` to its read of
    the source (a 304 and no copy), so the destination is checked with a HEAD just before.
    A move then deletes the source (a 404 there counts as done). The bytes never pass here."""
    if (spec.container, spec.name) == (spec.dest_container, spec.dest_name):
        raise ValueError("the destination is the object itself")
    verb = "move" if spec.move else "copy"
    session.refuse_if_read_only(f"{verb} object {spec.name}")
    target = object_path(spec.dest_container, spec.dest_name)
    if not overwrite:
        try:
            session.head("object-store", target)
        except CloudError as exc:
            if exc.status != 404:
                raise
        else:
            raise ObjectExists(f"{spec.dest_name} exists in {spec.dest_container}", status=412,
                               service="object-store")
    headers = {"X-Copy-From": object_path(spec.container, spec.name), "Content-Length": "0"}
    _answer, info, resp = session.send_raw(
        "PUT", "object-store", target, headers=headers,
        description=f"{verb} object {spec.name} to {spec.dest_name}")
    resp.close()
    if info.status != 201:
        raise CloudError(f"the copy of {spec.name} answered {info.status}: nothing was copied",
                         status=info.status, request_id=info.request_id,
                         service="object-store")
    if spec.move:
        try:
            session.send_raw("DELETE", "object-store", object_path(spec.container, spec.name),
                             description=f"delete object {spec.name} (moved)")[2].close()
        except CloudError as exc:
            if exc.status != 404:
                raise CloudError(f"copied to {spec.dest_container}/{spec.dest_name}, but the "
                                 f"source was not deleted: {exc.message}", status=exc.status,
                                 request_id=exc.request_id, service="object-store") from exc


def copy_command(spec: ObjectCopy) -> str:
    """``swift copy --destination /C/O C O`` (the openstack client has no copy), then
    ``openstack object delete`` for a move."""
    import shlex

    text = shlex.join(["swift", "copy", "--destination",
                       f"/{spec.dest_container}/{spec.dest_name}", spec.container, spec.name])
    if spec.move:
        text += " && " + shlex.join(["openstack", "object", "delete", spec.container,
                                     spec.name])
    return text
