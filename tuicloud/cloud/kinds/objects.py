"""Objects in one container (Swift), as a file manager shows a folder: the listing at one path
with the "/" delimiter, so pseudo-folders come first as ``name/`` (enter goes in, backspace
goes up) and objects show their size, content type, last change and etag. Read lazily by
marker, 1,000 names a page (the rig's listing limit), the first page small so rows show at
once, further pages only as the user scrolls or filters (cloud/window_poller.py).

Not a registered view: ``objects_in(container, path)`` makes the list of one container at one
path, opened from a container's row (or a folder's)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.base import (
    Column,
    Enricher,
    Raw,
    ResourceKind,
    Row,
    RowBuilder,
    Sections,
    StatusClass,
    format_age,
    format_bytes,
    parse_time,
    text,
    time_field,
)
from tuicloud.cloud.kinds.containers import user_meta

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.lookups import Lookups

__all__ = ["OBJECTS", "object_from_headers", "object_location", "objects_in"]

FOLDER = "folder"


def object_from_headers(headers: Mapping[str, str], name: str) -> Raw:
    """An object's HEAD answer as the document the detail shows."""
    try:
        size: int | None = int(headers.get("content-length", ""))
    except ValueError:
        size = None
    large = headers.get("x-static-large-object", "").lower() == "true"
    return {"name": name, "bytes": size, "hash": headers.get("etag", "").strip('"'),
            "content_type": headers.get("content-type", ""),
            "last_modified": headers.get("last-modified", ""),
            "large": "static (SLO)" if large else (
                "dynamic (DLO)" if headers.get("x-object-manifest") else ""),
            "meta": user_meta(headers, "object"), "headers": dict(headers)}


def _segments_of(container: str) -> Enricher:
    """A shown static large object's segments, from its manifest (one GET of a small JSON
    list); listed items are left alone (their detail reads them)."""
    def enrich(session: CloudSession, items: list[Raw]) -> None:
        from tuicloud.cloud.large_objects import manifest_segments

        for item in items:
            if "headers" not in item or not str(item.get("large", "")).startswith("static"):
                continue
            try:
                item["segments"] = manifest_segments(session, container, str(item["name"]))
            except CloudError as exc:
                item["segments_error"] = exc.short
    return enrich


def _row_for(prefix: str) -> RowBuilder:
    def to_row(raw: Raw, lookups: Lookups) -> Row:
        name = text(raw.get("name"))
        shown = name[len(prefix):] if name.startswith(prefix) else name
        if "subdir" in raw:
            # Folders first whichever way the name column sorts: a hidden key leads with 0.
            return {"name": shown, "size": "", "size_n": -1, "type": FOLDER, "modified": "",
                    "modified_ts": None, "etag": "", "order": f"0{shown}"}
        modified = raw.get("last_modified")
        size = raw.get("bytes")
        # A static large object's listing entry carries slo_etag; its bytes are the total.
        large = "SLO · " if raw.get("slo_etag") else ""
        return {
            "name": shown,
            "size": format_bytes(size),
            "size_n": size if isinstance(size, int) else 0,
            "type": large + text(raw.get("content_type")),
            "modified": format_age(modified),
            "modified_ts": parse_time(modified),
            "etag": text(raw.get("slo_etag") or raw.get("hash")).strip('"'),
            "order": f"1{shown}",
        }
    return to_row


def status_class(value: object) -> StatusClass | None:
    """Folders are quieter than objects."""
    return "muted" if value == FOLDER else None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The object's size, type, etag, large-object kind, metadata and every header."""
    size = raw.get("bytes")
    sections: Sections = [("Object", [(k, v) for k, v in [
        ("Name", text(raw.get("name"))),
        ("Size", f"{format_bytes(size)} ({size} bytes)" if isinstance(size, int) else ""),
        ("Content type", text(raw.get("content_type"))),
        ("Etag", text(raw.get("hash"))),
        ("Large object", text(raw.get("large"))),
        ("Last modified", time_field(raw.get("last_modified"))),
    ] if v])]
    meta = raw.get("meta")
    if isinstance(meta, dict) and meta:
        sections.append(("Metadata", sorted((str(k), text(v)) for k, v in meta.items())))
    segments = raw.get("segments")
    if isinstance(segments, list) and segments:
        sections.append((f"Segments ({len(segments)})", [
            (f"{index:>4}", f"{text(seg.get('name'))}  {format_bytes(seg.get('bytes'))}  "
                            f"{text(seg.get('hash'))}")
            for index, seg in enumerate(segments, 1) if isinstance(seg, dict)]))
    elif raw.get("segments_error"):
        sections.append(("Segments", [("not read", text(raw.get("segments_error")))]))
    headers = raw.get("headers")
    if isinstance(headers, dict) and headers:
        sections.append(("Headers", sorted((str(k), text(v)) for k, v in headers.items())))
    return sections


OBJECTS = ResourceKind(
    name="objects",
    title="Objects",
    aliases=(),
    service_type="object-store",
    list_path="/{container}",
    list_key="",
    show_path="/{container}/{id}",
    show_key="",
    show_from_headers=object_from_headers,
    id_key="name",
    columns=(
        Column("name", "Name", 32, 0, sort_key="order"),
        Column("size", "Size", 9, 1, numeric=True, sort_key="size_n"),
        Column("type", "Type", 18, 2),
        Column("modified", "Modified", 8, 2, sort_key="-modified_ts", age_of="modified_ts"),
        Column("etag", "Etag", 32, 3),
    ),
    to_row=_row_for(""),
    detail_sections=detail_sections,
    status_class=status_class,
    status_key="type",
    default_sort="name",
    nested=True,
    refresh="window",  # read lazily as the user scrolls (cloud/window_poller.py)
)


def objects_in(container: str, prefix: str) -> ResourceKind:
    """The list of ``container`` at ``prefix`` ("" for its top, else ending in "/")."""
    quoted = quote(container, safe="")

    def opens(ident: str) -> ResourceKind | None:
        # A folder goes one level down; an object (a "dir/" marker at its own path too)
        # opens its detail.
        if ident.endswith("/") and ident != prefix and ident.startswith(prefix):
            return objects_in(container, ident)
        return None

    return dataclasses.replace(
        OBJECTS,
        title=f"Objects {container}/{prefix}",
        list_path=f"/{quoted}",
        show_path=f"/{quoted}/{{id}}",
        list_params=(("format", "json"), ("delimiter", "/"), ("prefix", prefix)),
        to_row=_row_for(prefix),
        opens=opens,
        enrich=_segments_of(container),
    )


def object_location(kind: ResourceKind) -> tuple[str, str] | None:
    """(container, prefix) of a list made by :func:`objects_in`; None for another kind."""
    if kind.name != OBJECTS.name or not kind.list_path.startswith("/"):
        return None
    prefix = next((str(v) for k, v in kind.list_params if k == "prefix"), "")
    return unquote(kind.list_path[1:]), prefix
