"""A packed resource (cloud/packed.py): what a list of 50,000 keeps of each resource."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from tuicloud.cloud.packed import Packed, unpacked

SERVER_JSON = ('{"id": "s1", "name": "web-1", "status": "ACTIVE", "locked": false, '
               '"OS-EXT-STS:task_state": null, "flavor": {"vcpus": 1, "ram": 512, "disk": 0}, '
               '"addresses": {"private": [{"version": 4, "addr": "10.0.0.5"}]}, '
               '"created": "2026-12-01T10:00:00Z", "updated": "2026-12-01T10:00:00Z"}')


def test_equal_resources_pack_equal_whatever_their_objects() -> None:
    parsed = json.loads(SERVER_JSON)
    # The same data built another way: shared string objects, keys made in code, a copy.
    built = {key: value for key, value in json.loads(SERVER_JSON).items()}
    built["updated"] = built["created"]  # one object twice, as a back-reference would see
    assert Packed(parsed) == Packed(built)
    assert Packed(parsed).blob == Packed(built).blob
    changed = dict(parsed, status="SHUTOFF")
    assert Packed(parsed) != Packed(changed)


def test_reads_back_whole_and_unpacks_a_fresh_copy() -> None:
    raw = json.loads(SERVER_JSON)
    packed = Packed(raw)
    assert packed.raw() == raw
    assert unpacked(packed) == raw
    copy = packed.raw()
    copy["flavor"]["ram"] = 1
    assert packed["flavor"]["ram"] == 512  # the caller's change does not reach the packed
    assert packed.get("name") == "web-1" and packed["status"] == "ACTIVE"
    assert packed.get("missing", "default") == "default"
    assert sorted(packed) == sorted(raw) and len(packed) == len(raw)
    assert packed == raw and bool(packed) and not Packed({})


def test_a_value_json_would_write_as_text_is_kept_as_text() -> None:
    when = datetime(2026, 12, 1, tzinfo=timezone.utc)
    packed = Packed({"id": "x", "when": when, "nested": {"also": when}})
    assert packed["when"] == str(when)
    assert packed["nested"] == {"also": str(when)}
