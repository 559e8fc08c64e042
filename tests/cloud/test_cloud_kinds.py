"""Resource kinds are data: pure row builders, detail sections, status classes, the registry."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tuicloud.cloud.kinds import all_kinds, kind_for
from tuicloud.cloud.kinds.base import format_age, format_bytes, format_mib, parse_time
from tuicloud.cloud.lookups import Lookups

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "openstack-api-samples"


def _ago(**delta: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def server(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": "f5dc173b-6804-445a-a6d8-c705dad5b5eb",
        "name": "web-1",
        "status": "ACTIVE",
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:vm_state": "active",
        "OS-EXT-STS:power_state": 1,
        "addresses": {"private": [
            {"addr": "10.0.0.5", "OS-EXT-IPS:type": "fixed", "version": 4},
            {"addr": "203.0.113.4", "OS-EXT-IPS:type": "floating", "version": 4}]},
        "flavor": {"original_name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20},
        "image": {"id": "img-1"},
        "OS-EXT-AZ:availability_zone": "nova",
        "key_name": "ops",
        "created": _ago(days=3, hours=1),
        "tenant_id": "proj-1",
        "metadata": {},
    }
    raw.update(overrides)
    return raw


@pytest.fixture
def lookups() -> Lookups:
    found = Lookups()
    found.set_names("images", {"img-1": "ubuntu-24.04"})
    found.set_names("flavors", {"fl-1": "m1.large"})
    found.set_names("projects", {"proj-1": "demo"})
    found.set_names("servers", {"srv-1": "db-1"})
    return found


def test_server_row(lookups: Lookups) -> None:
    kind = kind_for("servers")
    row = kind.row(server(), lookups)
    assert row["name"] == "web-1"
    assert row["status"] == "ACTIVE"
    assert row["power"] == "Running"
    assert row["addresses"] == "private=10.0.0.5, 203.0.113.4"
    assert row["flavor"] == "m1.small"
    assert row["image"] == "ubuntu-24.04"
    assert row["az"] == "nova"
    assert row["key_name"] == "ops"
    assert row["age"] == "3d"
    assert isinstance(row["created_ts"], float)
    assert row["project"] == "demo"
    assert row["id"] == "f5dc173b-6804-445a-a6d8-c705dad5b5eb"
    assert all(isinstance(v, (str, int, float, type(None))) for v in row.values())


def test_server_row_variants(lookups: Lookups) -> None:
    kind = kind_for("srv")
    busy = kind.row(server(**{"OS-EXT-STS:task_state": "powering-off"}), lookups)
    assert busy["status"] == "ACTIVE (powering-off)"
    assert kind.status_class(busy["status"]) == "busy"
    old_nova = kind.row(server(flavor={"id": "fl-1"}, image=""), lookups)
    assert old_nova["flavor"] == "m1.large"
    assert old_nova["image"] == "(boot volume)"
    unknown = kind.row(server(flavor={"id": "0123456789abcdef"}, tenant_id="zzzzzzzzzzzz"),
                       lookups)
    assert unknown["flavor"] == "01234567"
    assert unknown["project"] == "zzzzzzzz"
    assert kind.status_class("ACTIVE") == "ok"
    assert kind.status_class("ERROR") == "error"
    assert kind.status_class("SHUTOFF") == "muted"
    assert kind.status_class("VERIFY_RESIZE") == "warn"


def test_server_in_error_shows_its_fault(lookups: Lookups) -> None:
    kind = kind_for("servers")
    raw = server(status="ERROR", fault={
        "code": 500, "created": "2026-11-25T10:00:00Z",
        "message": "No valid host was found. There are not enough hosts available."})
    row = kind.row(raw, lookups)
    assert "No valid host" in str(row["fault"])
    sections = dict(kind.detail_sections(raw, lookups))
    assert list(dict(kind.detail_sections(raw, lookups)))[0] == "Fault"
    fault = dict(sections["Fault"])
    assert fault["Code"] == "500"
    assert fault["Message"].startswith("No valid host was found")


def test_hostile_names_are_kept_verbatim(lookups: Lookups) -> None:
    hostile = "\x1b[2J\x1b]52;c;ZXZpbA==\x07[bold red]pwn[/] \u202eevil\n" + "x" * 5000
    for kind in all_kinds():
        raw: dict[str, Any] = {"id": "id-1", "name": hostile, "status": hostile,
                               "description": hostile, kind.name_key or "name": hostile}
        if kind.unwrap:
            raw = {kind.unwrap: raw}
        row = kind.row(kind.item(raw), lookups)
        if kind.name_key is not None:  # else the first column names another resource
            assert row["name"] == hostile, kind.name
        for section, fields in kind.detail_sections(kind.item(raw), lookups):
            assert isinstance(section, str)
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in fields)


def test_every_kind_builds_rows_from_empty_dicts(lookups: Lookups) -> None:
    for kind in all_kinds():
        row = kind.row({"id": "x"}, lookups)
        keys = {c.key for c in kind.columns_for(all_projects=True)}
        assert keys <= set(row), f"{kind.name} lacks {keys - set(row)}"
        for column in kind.columns:
            if column.sort_key:
                assert column.sort_key.removeprefix("-") in row
        kind.detail_sections({"id": "x"}, lookups)


def test_volume_row(lookups: Lookups) -> None:
    kind = kind_for("vol")
    raw = {"id": "vol-1", "name": None, "status": "in-use", "size": 20, "volume_type": "ssd",
           "bootable": "true", "availability_zone": "nova", "created_at": _ago(hours=5),
           "attachments": [{"server_id": "srv-1", "device": "/dev/vdb",
                            "attachment_id": "a"}],
           "os-vol-tenant-attr:tenant_id": "proj-1"}
    row = kind.row(raw, lookups)
    assert row["name"] == "vol-1"
    assert row["size"] == 20
    assert row["bootable"] == "yes"
    assert row["attached"] == "db-1 on /dev/vdb"
    assert row["age"] == "5h"
    assert kind.status_class("in-use") == "ok"
    assert kind.status_class("error_deleting") == "error"
    assert kind.status_class("attaching") == "busy"


def test_image_row(lookups: Lookups) -> None:
    kind = kind_for("images")
    raw = {"id": "img-9", "name": "cirros", "status": "active", "visibility": "public",
           "protected": False, "disk_format": "qcow2", "size": 21430272, "min_disk": 1,
           "min_ram": 512, "created_at": _ago(days=400), "owner": "proj-1",
           "os_distro": "cirros"}
    row = kind.row(raw, lookups)
    assert row["size"] == "21 MB"
    assert row["size_bytes"] == 21430272
    assert row["min"] == "1 GB / 512 MB"
    assert row["protected"] == "no"
    assert row["age"] == "1y"
    assert row["project"] == "demo"
    properties = dict(dict(kind.detail_sections(raw, lookups))["Properties"])
    assert properties == {"os_distro": "cirros"}
    assert kind.status_class("killed") == "error"


def test_other_kinds(lookups: Lookups) -> None:
    flavor = kind_for("flavors").row({"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512,
                                      "disk": 1, "os-flavor-access:is_public": True}, lookups)
    assert (flavor["ram"], flavor["public"]) == ("512 MB", "yes")
    keypair_kind = kind_for("kp")
    keypair = keypair_kind.row(keypair_kind.item(
        {"keypair": {"name": "ops", "fingerprint": "aa:bb", "type": "ssh",
                     "public_key": "ssh-ed25519 AAAA me@host"}}), lookups)
    assert (keypair["id"], keypair["comment"]) == ("ops", "me@host")
    sg = kind_for("sg").row({"id": "sg", "name": "default", "security_group_rules": [
        {"direction": "ingress", "protocol": "tcp", "port_range_min": 22,
         "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0", "ethertype": "IPv4"},
        {"direction": "egress", "ethertype": "IPv4"}]}, lookups)
    assert sg["rules"] == 2
    network = kind_for("net")
    assert network.in_project is not None
    assert network.in_project({"project_id": "other", "shared": True}, "mine")
    assert not network.in_project({"project_id": "other", "shared": False}, "mine")


def test_registry() -> None:
    names = [kind.name for kind in all_kinds()]
    assert names[:3] == ["servers", "volumes", "images"]
    assert {"flavors", "networks", "keypairs", "security-groups"} <= set(names)
    assert kind_for(":s").name == "servers"
    assert kind_for("SG").name == "security-groups"
    with pytest.raises(KeyError, match="known"):
        kind_for("load-balancers")


def test_narrow_terminals_keep_name_and_status() -> None:
    for kind in all_kinds():
        always = [c for c in kind.columns if c.priority == 0]
        assert {"name"} <= {c.key for c in always}, kind.name
        assert sum(c.width + 1 for c in always) <= 80, kind.name


def test_formatting_helpers() -> None:
    now = time.time()
    assert format_age(None) == ""
    assert format_age(_ago(seconds=30), now) in ("30s", "31s", "29s")
    assert format_age("2016-03-08T20:19:41", now).endswith("y")
    assert parse_time("2018-11-28T06:25:15.288987") is not None
    assert parse_time("garbage") is None
    assert format_bytes(999) == "999 B"
    assert format_bytes(1_500_000_000) == "1.5 GB"
    assert format_mib(2048) == "2 GB"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/data (API samples) is absent")
def test_rows_from_the_api_reference_samples(lookups: Lookups) -> None:
    servers = json.loads((SAMPLES / "compute/servers/v2.96/servers-details-resp.json")
                         .read_text())["servers"]
    row = kind_for("servers").row(servers[0], lookups)
    assert row["name"] == "new-server-test"
    assert row["flavor"] == "m1.tiny"
    assert row["addresses"] == "private=192.168.1.30"
    images = json.loads((SAMPLES / "image/v2/images-list-response.json").read_text())["images"]
    assert kind_for("images").row(images[0], lookups)["size"] == "13 MB"
    volumes = json.loads((SAMPLES / "block-storage/v3/volumes/volumes-list-detailed-response"
                          ".json").read_text())["volumes"]
    assert kind_for("volumes").row(volumes[0], lookups)["status"] == "creating"
