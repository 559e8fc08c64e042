"""Issue 15, deleting many objects: Swift's bulk delete (POST ?bulk-delete, 1,000 paths a
request) when /info lists bulk_delete, one DELETE each otherwise; a static large object with
its segments; an object that fails is named with its reason and the rest still go; a cancel
stops between batches; a non-empty container's delete empties it first and stays when
anything failed; read-only refuses it all before sending."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.ops import writes
from tuicloud.cloud.bulk_delete import (
    DeleteProgress,
    bulk_delete_limit,
    delete_objects,
    empty_container,
    objects_delete_command,
)
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError, ReadOnlyError
from tuicloud.cloud.large_objects import upload_large
from tuicloud.cloud.operations.containers import delete_container
from tuicloud.cloud.transfer import TransferCancelled
from tuicloud.simcloud import RunningSim
from tuicloud.simcloud.swift_store import Container, generated_object

MIB = 1 << 20


def _fill(sim: RunningSim, name: str, count: int) -> Container:
    """A container of ``count`` generated objects, straight into simcloud's store."""
    demo = sim.cloud.service("identity").project_by_name("demo")
    account = sim.cloud.service("object-store").account(f"AUTH_{demo.id}")
    now = time.time()
    container = Container(name, now, now)
    for index in range(count):
        container.put(generated_object(f"o{index:05d}", 10, now))
    account.add(container)
    return container


def _bulk_posts(sim: RunningSim, start: int) -> int:
    return sum(1 for r in list(sim.cloud.request_log)[start:]
               if r.method == "POST" and "bulk-delete" in r.query)


def test_bulk_delete_in_batches_with_a_failure_named(sim: RunningSim, tmp_path: Path) -> None:
    container = _fill(sim, "lots", 2100)
    source = tmp_path / "big"
    source.write_bytes(b"s" * (2 * MIB + 5))
    sim.cloud.faults.object_delete_failures.add("o00007")
    seen: list[DeleteProgress] = []
    with CloudSession.connect("simcloud") as session:
        upload_large(session, "lots", "big", source, threshold=MIB)
        assert bulk_delete_limit(session) == 1000  # /info: 10,000; batches of 1,000 here
        start = len(sim.cloud.request_log)
        names = [*(f"o{i:05d}" for i in range(2100)), "big", "never-there"]
        outcome = delete_objects(session, "lots", names, large={"big"},
                                 on_progress=lambda p: seen.append(DeleteProgress(
                                     p.total, p.done, p.failed)))
    assert _bulk_posts(sim, start) == 3  # 2,101 plain names in three requests
    assert outcome.failed == [("o00007", "503 Service Unavailable")]
    assert outcome.deleted == 2101  # the missing one counts as deleted
    assert sorted(container.objects) == ["o00007"]
    demo = sim.cloud.service("identity").project_by_name("demo")
    segments = sim.cloud.service("object-store").account(f"AUTH_{demo.id}").containers[
        "lots_segments"]
    assert not segments.objects  # the large object went with its segments
    assert seen[-1].done == seen[-1].total == 2102 and seen[-1].failed == 1
    assert "1 failed: o00007 (503 Service Unavailable)" in outcome.summary()
    assert objects_delete_command("c", ["a", "b"], large=False) == [
        "openstack", "object", "delete", "c", "a", "b"]
    assert objects_delete_command("c", ["a"], large=True) == ["swift", "delete", "c", "a"]


def test_one_delete_each_without_bulk_and_a_cancel_between_batches(sim: RunningSim) -> None:
    container = _fill(sim, "few", 30)
    with CloudSession.connect("simcloud") as session:
        start = len(sim.cloud.request_log)
        outcome = delete_objects(session, "few", ["o00000", "o00001", "gone"], batch=None)
        assert outcome.deleted == 3 and not outcome.failed
        assert _bulk_posts(sim, start) == 0
        deletes = [r for r in list(sim.cloud.request_log)[start:] if r.method == "DELETE"]
        assert len(deletes) == 3
        _fill(sim, "more", 2500)
        cancel = __import__("threading").Event()

        def stop(progress: DeleteProgress) -> None:
            cancel.set()

        with pytest.raises(TransferCancelled, match="1,000 deleted"):
            empty_container(session, "more", on_progress=stop, cancel=cancel)
    assert len(container.objects) == 28


def test_a_non_empty_container_stays_when_an_object_fails(sim: RunningSim) -> None:
    container = _fill(sim, "doomed", 1500)
    sim.cloud.faults.object_delete_failures.add("o01234")
    raw: dict[str, Any] = {"name": "doomed", "count": 1500, "bytes": 15000}
    with CloudSession.connect("simcloud") as session:
        with pytest.raises(CloudError, match=r"container doomed not deleted: 1,499 deleted; "
                                             r"1 failed: o01234 \(503"):
            delete_container(session, raw, None)
        assert list(container.objects) == ["o01234"]
        sim.cloud.faults.object_delete_failures.clear()
        delete_container(session, raw, None)
        with pytest.raises(CloudError) as gone:
            session.head("object-store", "/doomed")
        assert gone.value.status == 404


def test_read_only_refuses_a_bulk_delete_before_sending(sim: RunningSim) -> None:
    _fill(sim, "kept", 5)
    start = len(sim.cloud.request_log)
    with CloudSession.connect("simcloud", read_only=True) as session:
        with pytest.raises(ReadOnlyError):
            delete_objects(session, "kept", ["o00000"])
        with pytest.raises(ReadOnlyError):
            empty_container(session, "kept")
    assert writes(sim, start) == []
