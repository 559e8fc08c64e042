"""Containers (Swift): the account's listing with each container's object count, bytes and
last change, and whether its read ACL makes it public. Enter opens its objects."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.base import (
    GONE,
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    format_age,
    format_bytes,
    parse_time,
    text,
    time_field,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.lookups import Lookups

__all__ = ["CONTAINERS", "access_of", "container_from_headers", "user_meta"]

log = logging.getLogger("tuicloud.cloud")


def access_of(read_acl: object) -> str:
    """"public" when the read ACL lets any referrer read (``.r:*``), else "private"."""
    parts = {part.strip() for part in str(read_acl or "").split(",")}
    return "public" if any(part.startswith(".r:") and not part.startswith(".r:-")
                           for part in parts) else "private"


def user_meta(headers: Mapping[str, str], kind: str) -> dict[str, str]:
    """``X-<kind>-Meta-*`` headers as key -> value (names as Swift answers them)."""
    head = f"x-{kind}-meta-"
    return {name[len(head):]: value for name, value in headers.items()
            if name.lower().startswith(head)}


def container_from_headers(headers: Mapping[str, str], name: str) -> Raw:
    """A container's HEAD answer as the document the detail shows."""
    def number(key: str) -> int | None:
        try:
            return int(headers.get(key, ""))
        except ValueError:
            return None
    return {"name": name, "count": number("x-container-object-count"),
            "bytes": number("x-container-bytes-used"),
            "last_modified": headers.get("last-modified", ""),
            "storage_policy": headers.get("x-storage-policy", ""),
            "read_acl": headers.get("x-container-read", ""),
            "write_acl": headers.get("x-container-write", ""),
            "versions": headers.get("x-versions-enabled", ""),
            "quota_bytes": headers.get("x-container-meta-quota-bytes", ""),
            "quota_count": headers.get("x-container-meta-quota-count", ""),
            "meta": user_meta(headers, "container"),
            "headers": dict(headers)}


def add_read_acls(session: CloudSession, items: list[Raw]) -> None:
    """The listing has no ACLs: one HEAD per container gives its read ACL (what makes it
    public). A failed HEAD leaves the container's access unknown rather than failing the list."""
    for item in items:
        if "read_acl" in item:
            continue
        name = str(item.get("name") or "")
        try:
            headers, _info = session.head("object-store", "/" + quote(name, safe=""))
        except CloudError as exc:
            if exc.status == 404:  # deleted since the listing: not a row any more
                item[GONE] = True
                continue
            log.info("container %r: read ACL not read: %s", name, exc)
            item["read_acl"] = None
            continue
        item["read_acl"] = headers.get("x-container-read", "")


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A container's row, as `openstack container list --long` plus its access."""
    modified = raw.get("last_modified")
    acl = raw.get("read_acl")
    return {
        "name": text(raw.get("name")),
        "count": raw.get("count") if isinstance(raw.get("count"), int) else "",
        "bytes": format_bytes(raw.get("bytes")),
        "bytes_n": raw.get("bytes") if isinstance(raw.get("bytes"), int) else 0,
        "access": "?" if acl is None else access_of(acl),
        "modified": format_age(modified),
        "modified_ts": parse_time(modified),
        "policy": text(raw.get("storage_policy")),
    }


def status_class(value: object) -> StatusClass | None:
    """A public container stands out: anyone can read it."""
    return "warn" if value == "public" else None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The container's counts, ACLs, policy and metadata."""
    acl = raw.get("read_acl")
    sections: Sections = [("Container", [(k, v) for k, v in [
        ("Name", text(raw.get("name"))),
        ("Objects", text(raw.get("count"))),
        ("Bytes", f"{format_bytes(raw.get('bytes'))} ({text(raw.get('bytes'))})"
         if isinstance(raw.get("bytes"), int) else ""),
        ("Access", "" if acl is None else access_of(acl)),
        ("Read ACL", text(acl)),
        ("Write ACL", text(raw.get("write_acl"))),
        ("Storage policy", text(raw.get("storage_policy"))),
        ("Versioning", text(raw.get("versions"))),
        ("Quota (bytes)", f"{format_bytes(int(str(raw['quota_bytes'])))} "
                          f"({raw['quota_bytes']})"
         if str(raw.get("quota_bytes") or "").isdigit() else text(raw.get("quota_bytes"))),
        ("Quota (objects)", text(raw.get("quota_count"))),
        ("Last modified", time_field(raw.get("last_modified"))),
    ] if v])]
    meta = raw.get("meta")
    if isinstance(meta, dict) and meta:
        sections.append(("Metadata", sorted((str(k), text(v)) for k, v in meta.items())))
    headers = raw.get("headers")
    if isinstance(headers, dict) and headers:
        sections.append(("Headers", sorted((str(k), text(v)) for k, v in headers.items())))
    return sections


def _account_summary(session: CloudSession) -> str:
    from tuicloud.cloud.account_totals import account_summary

    return account_summary(session)


def _open_objects(ident: str) -> ResourceKind | None:
    from tuicloud.cloud.kinds.objects import objects_in

    return objects_in(ident, "")


CONTAINERS = ResourceKind(
    name="containers",
    title="Containers",
    aliases=("container", "co"),
    service_type="object-store",
    list_path="",
    list_key="",
    list_params=(("format", "json"),),
    show_path="/{id}",
    show_key="",
    show_from_headers=container_from_headers,
    id_key="name",
    columns=(
        Column("name", "Name", 28, 0),
        Column("count", "Objects", 9, 1, numeric=True),
        Column("bytes", "Bytes", 9, 1, numeric=True, sort_key="bytes_n"),
        Column("access", "Access", 8, 0),
        Column("modified", "Modified", 8, 2, sort_key="-modified_ts", age_of="modified_ts"),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key="access",
    enrich=add_read_acls,
    summary=_account_summary,
    opens=_open_objects,
    create_form="create_container",
)
