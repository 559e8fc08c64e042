"""HTTP plumbing shared by the session: response accounting and next-page links.

:class:`ResponseInfo` records what one exchange cost (bytes, seconds) and the server's ``Date``
(incremental polls use the server's clock, never the client's). The helpers read the next-page
link in each service's shape (Nova/Cinder/Neutron ``<key>_links``, Glance ``next``, Keystone
``links.next``) and reduce it to its query, so a link advertising a wrong host or scheme (a
common proxy misconfiguration) cannot derail pagination.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from tuicloud.cloud.errors import request_id_from_headers

__all__ = ["Page", "Params", "ResponseInfo", "next_query", "params_list", "response_info",
           "swift_items", "swift_next_query", "with_limit"]

Params = Mapping[str, Any] | Sequence[tuple[str, Any]]
"""Query parameters: a mapping, or (name, value) pairs when a name repeats."""


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What one HTTP exchange cost and when the server said it happened."""

    status: int
    bytes: int
    """Response body length plus an estimate of the status line and headers."""
    elapsed: float
    """Seconds from sending the request to having the whole body."""
    request_id: str | None
    server_date: datetime | None
    """The response's ``Date`` header (UTC); cursors use it to avoid client clock skew."""
    method: str = "GET"
    path: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: plain dicts, the response's cost, and its position."""

    items: list[dict[str, Any]]
    info: ResponseInfo
    number: int
    """0 for the first page."""
    has_more: bool
    """True when the server offered a next page (it is fetched if the iteration continues)."""


def response_info(resp: requests.Response, method: str, path: str,
                  elapsed: float) -> ResponseInfo:
    """Measure a response: body plus estimated status line and headers, Date parsed."""
    headers = resp.headers
    header_bytes = 17 + sum(len(k) + len(v) + 4 for k, v in headers.items()) + 2
    date: datetime | None = None
    raw_date = headers.get("Date")
    if raw_date:
        try:
            date = email.utils.parsedate_to_datetime(raw_date)
        except (TypeError, ValueError, IndexError):
            date = None
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=timezone.utc)
    return ResponseInfo(status=resp.status_code, bytes=len(resp.content) + header_bytes,
                        elapsed=elapsed, request_id=request_id_from_headers(headers),
                        server_date=date, method=method, path=path)


def next_query(body: Mapping[str, Any], key: str) -> list[tuple[str, str]] | None:
    """Query parameters of the next page link, in whichever shape the service uses."""
    href: Any = None
    links = body.get(f"{key}_links")  # Nova, Cinder, Neutron
    if isinstance(links, list):
        for link in links:
            if isinstance(link, dict) and link.get("rel") == "next":
                href = link.get("href")
                break
    if href is None and isinstance(body.get("next"), str):  # Glance
        href = body["next"]
    if href is None and isinstance(body.get("links"), dict):  # Keystone
        href = body["links"].get("next")
    if not isinstance(href, str) or not href:
        return None
    return parse_qsl(urlsplit(href).query, keep_blank_values=True)


def params_list(params: Params | None) -> list[tuple[str, Any]]:
    """Query parameters as (name, value) pairs, dropping None values."""
    if params is None:
        return []
    if isinstance(params, Mapping):
        return [(k, v) for k, v in params.items() if v is not None]
    return [(k, v) for k, v in params if v is not None]


def with_limit(pairs: list[tuple[str, Any]], limit: int | None) -> list[tuple[str, Any]]:
    """The pairs with ``limit`` replaced (or removed when None)."""
    kept = [(k, v) for k, v in pairs if k != "limit"]
    if limit is not None:
        kept.append(("limit", str(limit)))
    return kept


def swift_items(body: list[Any]) -> list[dict[str, Any]]:
    """A Swift listing's entries; a pseudo-folder (``{"subdir": "a/"}``) also carries its
    path as ``name``, so folders and objects are keyed and sorted alike."""
    items = []
    for entry in body:
        if isinstance(entry, dict):
            if "subdir" in entry and "name" not in entry:
                entry = {"name": entry["subdir"], **entry}
            items.append(entry)
    return items


def swift_next_query(query: list[tuple[str, Any]],
                     items: list[dict[str, Any]]) -> list[tuple[str, Any]] | None:
    """The next page of a Swift listing: after the last name, while pages come back full
    (Swift has no next link; an account can cap pages below the limit asked, so a short
    page ends the list only when it is shorter than the cloud's own page, 1,000 or more)."""
    if not items:
        return None
    limit = next((int(v) for k, v in query if k == "limit"), None)
    if limit is not None and len(items) < min(limit, 1000):
        return None
    last = str(items[-1].get("name") or "")
    return [(k, v) for k, v in query if k != "marker"] + [("marker", last)]
