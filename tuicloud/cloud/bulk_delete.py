"""Deleting many objects (Swift): with the bulk middleware when the cluster's /info lists
``bulk_delete`` (``POST ?bulk-delete``, a newline list of ``/container/object`` paths, up to
1,000 a request here so progress and cancel stay close), else one DELETE each. A static large
object goes with its segments (``?multipart-manifest=delete``). An object already gone counts
as deleted, as Swift's own clients count it; what failed is named in the outcome."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.large_objects import delete_large
from tuicloud.cloud.transfer import TransferCancelled

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["BULK_BATCH", "DeleteOutcome", "DeleteProgress", "bulk_delete_limit",
           "delete_objects", "empty_container", "objects_delete_command"]

log = logging.getLogger("tuicloud.cloud")

BULK_BATCH = 1000
"""Paths per bulk request (the rig allows 10,000): a cancel waits for one batch at most."""


@dataclass
class DeleteProgress:
    """How far a delete has gone, in objects."""

    total: int | None
    done: int = 0
    failed: int = 0

    def text(self) -> str:
        """"1,200 of 5,000 objects"."""
        total = f" of {self.total:,}" if self.total is not None else ""
        failed = f", {self.failed:,} failed" if self.failed else ""
        return f"{self.done:,}{total} objects{failed}"


@dataclass
class DeleteOutcome:
    """What a delete did: deleted (gone already counts), and each failure with its reason."""

    deleted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """"3 deleted; 1 failed: a.txt (409 Conflict)"."""
        text = f"{self.deleted:,} deleted"
        if self.failed:
            shown = "; ".join(f"{name} ({why})" for name, why in self.failed[:5])
            more = f" and {len(self.failed) - 5} more" if len(self.failed) > 5 else ""
            text += f"; {len(self.failed):,} failed: {shown}{more}"
        return text


def bulk_delete_limit(session: CloudSession) -> int | None:
    """Paths a bulk delete may carry, from /info (None: no bulk delete on this cluster)."""
    from tuicloud.cloud.temp_url import object_store_info

    try:
        info = object_store_info(session)
    except CloudError as exc:
        log.info("object store /info not read (%s): deleting one object at a time", exc)
        return None
    bulk: Any = info.get("bulk_delete")
    if not isinstance(bulk, dict):
        return None
    limit = bulk.get("max_deletes_per_request")
    return min(BULK_BATCH, limit) if isinstance(limit, int) and limit > 0 else BULK_BATCH


def _path(container: str, name: str) -> str:
    return f"/{quote(container, safe='')}/{quote(name, safe='')}"


def _bulk(session: CloudSession, container: str, names: list[str],
          outcome: DeleteOutcome) -> None:
    """One ``?bulk-delete`` request; its per-path errors land in the outcome."""
    body = "\n".join(_path(container, name) for name in names).encode()
    _headers, _info, resp = session.send_raw(
        "POST", "object-store", "", params=[("bulk-delete", "true")], data=body,
        headers={"Content-Type": "text/plain", "Accept": "application/json"},
        description=f"delete {len(names)} objects of container {container}")
    try:
        answer = resp.json()
    except ValueError as exc:
        raise CloudError(f"bulk delete in {container}: an answer that is not JSON",
                         service="object-store") from exc
    finally:
        resp.close()
    failed = {}
    for entry in answer.get("Errors") or []:
        if isinstance(entry, list) and len(entry) >= 2:
            path = str(entry[0])
            failed[path] = str(entry[1])
    status = str(answer.get("Response Status", ""))
    if not failed and status and not status.startswith("2"):
        # The whole request refused (400 for too many paths, 401, 5xx): nothing is known.
        outcome.failed.extend((name, status) for name in names)
        return
    by_path = {unquote(p).lstrip("/"): why for p, why in failed.items()}
    for name in names:
        why = by_path.get(f"{container}/{name}")
        if why is None:
            outcome.deleted += 1
        else:
            outcome.failed.append((name, why))


def _one(session: CloudSession, container: str, name: str, large: bool,
         outcome: DeleteOutcome) -> None:
    try:
        if large:
            delete_large(session, container, name)
        else:
            session.send_raw("DELETE", "object-store", _path(container, name),
                             description=f"delete object {name} of container {container}"
                             )[2].close()
    except CloudError as exc:
        if exc.status != 404:
            outcome.failed.append((name, exc.short))
            return
    outcome.deleted += 1


def delete_objects(session: CloudSession, container: str, names: list[str], *,
                   large: set[str] | frozenset[str] = frozenset(),
                   on_progress: Callable[[DeleteProgress], None] | None = None,
                   cancel: threading.Event | None = None,
                   total: int | None = None, outcome: DeleteOutcome | None = None,
                   batch: int | None = -1) -> DeleteOutcome:
    """Delete ``names`` in ``container`` (blocking); ``large`` names are static large objects
    (their segments go too). Raises TransferCancelled between batches when ``cancel`` is set
    (the outcome so far in its message). ``batch``: paths per bulk request, None for one
    DELETE each, -1 to read /info."""
    session.refuse_if_read_only(f"delete objects of container {container}")
    cancel = cancel or threading.Event()
    outcome = outcome if outcome is not None else DeleteOutcome()
    if batch == -1:
        batch = bulk_delete_limit(session)
    progress = DeleteProgress(total if total is not None else len(names))

    def report() -> None:
        progress.done = outcome.deleted + len(outcome.failed)
        progress.failed = len(outcome.failed)
        if on_progress is not None:
            on_progress(progress)

    plain = [name for name in names if name not in large]
    for name in [name for name in names if name in large]:
        _check(cancel, outcome)
        _one(session, container, name, True, outcome)
        report()
    for start in range(0, len(plain), batch or 1):
        _check(cancel, outcome)
        chunk = plain[start:start + (batch or 1)]
        if batch:
            _bulk(session, container, chunk, outcome)
        else:
            _one(session, container, chunk[0], False, outcome)
        report()
    return outcome


def _check(cancel: threading.Event, outcome: DeleteOutcome) -> None:
    if cancel.is_set():
        raise TransferCancelled(f"delete cancelled: {outcome.summary()}")


def _pages(session: CloudSession, container: str) -> Iterator[list[dict[str, Any]]]:
    """The container's objects a page at a time, from the start each time (what was deleted
    is no longer listed; what failed is skipped by the marker)."""
    marker = ""
    while True:
        params: list[tuple[str, Any]] = [("format", "json"), ("limit", 1000)]
        if marker:
            params.append(("marker", marker))
        body, _info = session.get_json("object-store", "/" + quote(container, safe=""), params)
        items = [i for i in body or [] if isinstance(i, dict) and i.get("name") is not None]
        if not items:
            return
        yield items
        marker = str(items[-1]["name"])


def empty_container(session: CloudSession, container: str, *, count: int | None = None,
                    on_progress: Callable[[DeleteProgress], None] | None = None,
                    cancel: threading.Event | None = None) -> DeleteOutcome:
    """Delete every object of ``container`` (a page of the listing at a time, never all of
    it held), large objects with their segments; the outcome names what failed."""
    session.refuse_if_read_only(f"delete the objects of container {container}")
    outcome = DeleteOutcome()
    limit = bulk_delete_limit(session)
    for items in _pages(session, container):
        names = [str(i["name"]) for i in items]
        large = {str(i["name"]) for i in items if i.get("slo_etag")}
        delete_objects(session, container, names, large=large, on_progress=on_progress,
                       cancel=cancel, total=count, outcome=outcome, batch=limit)
    return outcome


def objects_delete_command(container: str, names: list[str], *, large: bool) -> list[str]:
    """``openstack object delete C O…``; the swift client's ``delete`` when a large object is
    among them (it takes the segments too; the openstack client leaves them)."""
    if large:
        return ["swift", "delete", container, *names]
    return ["openstack", "object", "delete", container, *names]
