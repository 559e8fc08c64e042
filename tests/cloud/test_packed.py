"""A packed resource (cloud/packed.py): what a list of 50,000 keeps of each resource."""

from __future__ import annotations

import json
import marshal
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


def test_keys_are_kept_once_for_the_shape_not_in_each_resource() -> None:
    raw = json.loads(SERVER_JSON)
    packed = Packed(raw)
    assert b"task_state" not in packed.blob and b"created" not in packed.blob
    other = Packed(dict(raw, id="s2", name="web-2"))  # the same shape, other values
    assert other.raw() == dict(raw, id="s2", name="web-2")
    whole = marshal.dumps(dict(raw, id="s2", name="web-2"), 2)  # as it packed before
    assert len(other.blob) <= len(whole) - sum(len(key) for key in raw)


def test_a_shape_past_the_limit_packs_whole_and_still_reads_back(monkeypatch) -> None:
    from tuicloud.cloud import packed as packing

    monkeypatch.setattr(packing, "MAX_SHAPES", len(packing._shapes))
    raw = {"id": "n1", "a never seen key": [1, {"b": None}], "name": "odd"}
    first, second = Packed(raw), Packed(dict(raw))
    assert b"a never seen key" in first.blob  # no number left: the keys are in the bytes
    assert first == second and first.raw() == raw and first["a never seen key"][1] == {"b": None}
    assert Packed(json.loads(SERVER_JSON)).raw() == json.loads(SERVER_JSON)  # known shapes go on
