"""The cloud layer of operations (tuicloud/cloud/operations) against simcloud over HTTP:
every action runs and settles, the reasons an action cannot run, the API's error classes,
the equivalent `openstack` commands, and the read-only refusal of every operation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.osc import osc_parser_for
from tuicloud.cloud import operations as ops
from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError, ReadOnlyError
from tuicloud.simcloud import RunningSim, SimConfig

# One simcloud for the module (tests pick different resources).
MODULE_SIMCLOUD = SimConfig(servers=30, volumes=10, images=8, build_delay=0.2,
                            action_delay=0.1)


@pytest.fixture
def session(msim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudSession]:
    """The demo user's session."""
    assert msim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(msim.clouds_yaml))
    with CloudSession.connect("simcloud") as connected:
        yield connected


def settle(session: CloudSession, kind: str, ident: str, timeout: float = 15.0,
           op: ops.Operation | None = None) -> dict[str, Any] | None:
    """Fetch the resource until it has settled, and reached what ``op`` leads to (None once
    it is gone)."""
    deadline = time.monotonic() + timeout
    while True:
        raw = ops.fetch(session, kind, ident)
        if raw is None or (ops.settled(kind, raw) and ops.reached(op, raw)):
            return raw
        assert time.monotonic() < deadline, f"{kind} {ident} never settled: {raw.get('status')}"
        time.sleep(0.05)


def servers_in(session: CloudSession, status: str) -> list[dict[str, Any]]:
    body, _ = session.get_json("compute", "/servers/detail", {"status": status})
    return [s for s in body["servers"] if not s.get("locked")
            and not s.get("OS-EXT-STS:task_state")]


def do(session: CloudSession, op_id: str, raw: dict[str, Any] | None, value: str | None = None,
       expect: str | None = None) -> dict[str, Any] | None:
    """Run an operation that must be available now; wait for the resource to settle."""
    assert raw is not None
    op = ops.find(op_id)
    assert op.unavailable(raw) is None, (op_id, op.unavailable(raw))
    if op.needs is not None and value is None:
        if op.needs.choices is not None:
            value = next(c.value for c in op.needs.choices(session, raw) if not c.disabled)
        else:
            assert op.needs.default is not None
            value = op.needs.default(raw)
    argv = op.cli(raw, value)
    assert argv[0] == "openstack" and (raw["id"] in argv or value in argv)
    op.run(session, raw, value)
    after = settle(session, op.kind, raw["id"], op=op)
    if expect is not None:
        assert after is not None and after["status"] == expect, (op_id, after and after["status"])
    return after


def test_every_server_operation(session: CloudSession) -> None:
    raw: dict[str, Any] | None = servers_in(session, "ACTIVE")[0]
    steps = [("server.stop", None, "SHUTOFF"), ("server.start", None, "ACTIVE"),
             ("server.reboot", None, "ACTIVE"), ("server.reboot_hard", None, "ACTIVE"),
             ("server.pause", None, "PAUSED"), ("server.unpause", None, "ACTIVE"),
             ("server.suspend", None, "SUSPENDED"), ("server.resume", None, "ACTIVE"),
             ("server.lock", None, "ACTIVE"), ("server.unlock", None, "ACTIVE"),
             ("server.rescue", None, "RESCUE"), ("server.unrescue", None, "ACTIVE"),
             ("server.resize", None, "VERIFY_RESIZE"),
             ("server.resize_confirm", None, "ACTIVE"),
             ("server.resize", None, "VERIFY_RESIZE"), ("server.resize_revert", None, "ACTIVE"),
             ("server.rebuild", None, "ACTIVE"), ("server.snapshot", "snap-of-it", "ACTIVE"),
             ("server.rename", "renamed-by-ops", "ACTIVE"),
             ("server.attach_volume", None, "ACTIVE"), ("server.detach_volume", None, "ACTIVE"),
             ("server.add_floating_ip", None, "ACTIVE"),
             ("server.remove_floating_ip", None, "ACTIVE"),
             ("server.shelve", None, "SHELVED_OFFLOADED"),
             ("server.unshelve", None, "ACTIVE")]
    for op_id, value, expect in steps:
        assert raw is not None
        before = raw
        raw = do(session, op_id, raw, value, expect)
        assert raw is not None
        if op_id == "server.lock":
            assert raw["locked"] and ops.find("server.stop").unavailable(raw) == \
                "server is locked: unlock it first"
        if op_id == "server.rename":
            assert raw["name"] == "renamed-by-ops"
        if op_id == "server.attach_volume":
            assert raw["os-extended-volumes:volumes_attached"]
        if op_id == "server.detach_volume":
            assert not raw["os-extended-volumes:volumes_attached"]
        if op_id == "server.add_floating_ip":
            assert any(a.get("OS-EXT-IPS:type") == "floating"
                       for nets in raw["addresses"].values() for a in nets)
        if op_id == "server.remove_floating_ip":
            assert ops.find("server.remove_floating_ip").unavailable(raw) == \
                "no floating IP associated"
        if op_id == "server.resize_revert":
            assert raw["flavor"] == before["flavor"] or raw["flavor"]["original_name"]
    body, _ = session.get_json("image", "/images", {"name": "snap-of-it"})
    assert body["images"], "the snapshot image exists"
    assert raw is not None
    assert do(session, "server.delete", raw) is None


def test_every_volume_operation(session: CloudSession) -> None:
    body, _ = session.get_json("block-storage", "/volumes/detail", {"status": "available"})
    raw: dict[str, Any] | None = body["volumes"][0]
    assert raw is not None
    size = raw["size"]
    raw = do(session, "volume.extend", raw, str(size + 2), "available")
    assert raw is not None and raw["size"] == size + 2
    server = servers_in(session, "ACTIVE")[-1]
    raw = do(session, "volume.attach", raw, server["id"], "in-use")
    assert raw is not None and raw["attachments"][0]["server_id"] == server["id"]
    assert ops.find("volume.delete").unavailable(raw) == "volume is in-use: detach it first"
    assert ops.find("volume.snapshot").cli(raw, "s1")[-2:] == ["--force", "s1"]
    raw = do(session, "volume.snapshot", raw, "vol-snap-1", "in-use")
    raw = do(session, "volume.upload_image", raw, "vol-image-1", "in-use")
    assert raw is not None
    assert ops.find("volume.detach").needs.default(raw) == server["id"]  # type: ignore[union-attr,misc]
    raw = do(session, "volume.detach", raw, None, "available")
    assert raw is not None
    snaps, _ = session.get_json("block-storage", "/snapshots/detail")
    mine = [s for s in snaps["snapshots"] if s["volume_id"] == raw["id"]]
    images, _ = session.get_json("image", "/images", {"name": "vol-image-1"})
    assert "vol-snap-1" in [s["name"] for s in mine] and images["images"]
    # Cinder refuses to delete a volume with snapshots: delete the snapshot first.
    for snap in mine:
        session.request("DELETE", "block-storage", f"/snapshots/{snap['id']}",
                        description="delete snapshot")
    deadline = time.monotonic() + 10
    while any(s["volume_id"] == raw["id"] for s in
              session.get_json("block-storage", "/snapshots")[0]["snapshots"]):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert raw is not None
    assert do(session, "volume.delete", raw) is None


def test_every_image_operation(session: CloudSession) -> None:
    body, _ = session.get_json("image", "/images", {"owner": session.project_id,
                                                    "status": "active"})
    raw: dict[str, Any] | None = body["images"][0]
    raw = do(session, "image.deactivate", raw, None, "deactivated")
    raw = do(session, "image.reactivate", raw, None, "active")
    raw = do(session, "image.protect", raw, None, "active")
    assert raw is not None and raw["protected"]
    assert ops.find("image.delete").unavailable(raw) == "image is protected: unprotect it first"
    raw = do(session, "image.unprotect", raw, None, "active")
    assert raw is not None
    choices = ops.find("image.visibility").needs.choices(session, raw)  # type: ignore[union-attr,misc]
    assert [c.value for c in choices if c.disabled] == [raw["visibility"]]
    raw = do(session, "image.visibility", raw, "shared", "active")
    assert raw is not None and raw["visibility"] == "shared"
    assert do(session, "image.delete", raw) is None


def test_reasons_an_action_cannot_run(session: CloudSession) -> None:
    shutoff = servers_in(session, "SHUTOFF")[0]
    assert ops.find("server.reboot").unavailable(shutoff) == "server is SHUTOFF"
    assert ops.find("server.start").unavailable(shutoff) is None
    busy = dict(shutoff, **{"OS-EXT-STS:task_state": "powering-on"})
    assert ops.find("server.stop").unavailable(busy) == "server is busy: powering-on"
    verify = {"id": "x", "status": "VERIFY_RESIZE"}
    assert ops.find("server.resize_confirm").unavailable(verify) is None
    assert ops.find("server.resize").unavailable(verify) == "server is VERIFY_RESIZE"
    assert ops.find("server.detach_volume").unavailable({"status": "ACTIVE"}) == \
        "no volume attached"
    volume = {"id": "v", "status": "in-use", "size": 5, "attachments": [{"server_id": "s"}]}
    assert ops.find("volume.delete").unavailable(volume) == "volume is in-use: detach it first"
    assert ops.find("volume.attach").unavailable(volume) == \
        "volume is in-use (not multiattach): detach it first"
    extend = ops.find("volume.extend").needs
    assert extend is not None and extend.validate is not None
    assert extend.validate(volume, "5") == "must be larger than the current 5 GB"
    assert extend.validate(volume, "big") == "a whole number of GB"
    assert extend.validate(volume, "6") is None
    image = {"id": "i", "status": "active", "protected": True}
    assert ops.find("image.delete").unavailable(image) == "image is protected: unprotect it first"
    assert ops.find("image.reactivate").unavailable(image) == "image is active"


def test_api_error_classes(session: CloudSession, msim: RunningSim) -> None:
    """400, 403, 404, 409 and 413 come back as CloudErrors with the API's message and id."""
    active = servers_in(session, "ACTIVE")[1]
    same_flavor = ops.find("server.resize")
    flavors, _ = session.get_json("compute", "/flavors/detail")
    current = next(f["id"] for f in flavors["flavors"]
                   if f["name"] == active["flavor"]["original_name"])
    errors: dict[int, CloudError] = {}
    with pytest.raises(CloudError) as caught:
        same_flavor.run(session, active, current)
    errors[400] = caught.value
    public, _ = session.get_json("image", "/images", {"visibility": "public"})
    foreign = next(i for i in public["images"] if i["owner"] != session.project_id)
    with pytest.raises(CloudError) as caught:
        ops.find("image.protect").run(session, foreign, None)
    errors[403] = caught.value
    with pytest.raises(CloudError) as caught:
        ops.find("server.stop").run(session, dict(active, id="0" * 32), None)
    errors[404] = caught.value
    shutoff = servers_in(session, "SHUTOFF")[0]
    with pytest.raises(CloudError) as caught:
        ops.find("server.reboot").run(session, shutoff, None)
    errors[409] = caught.value
    volumes, _ = session.get_json("block-storage", "/volumes/detail", {"status": "available"})
    volume = volumes["volumes"][0]
    cinder = msim.cloud.service("volume")
    assert session.project_id is not None
    used = cinder.usage(session.project_id)["gigabytes"] if hasattr(cinder, "usage") else 0
    cinder.quotas[session.project_id] = {"gigabytes": max(used, 1)}
    try:
        with pytest.raises(CloudError) as caught:
            ops.find("volume.extend").run(session, volume, str(volume["size"] + 500))
        errors[413] = caught.value
    finally:
        cinder.quotas.pop(session.project_id, None)
    for status, error in errors.items():
        assert error.status == status, (status, repr(error))
        assert error.request_id and error.request_id.startswith("req-")
        assert error.message and error.message != "no message"
    assert "must change flavor" in errors[400].message
    assert "not authorized" in errors[403].message
    assert "vm_state stopped" in errors[409].message or "SHUTOFF" in errors[409].message \
        or "stopped" in errors[409].message
    assert str(errors[413]).startswith("413 Request Entity Too Large: ")
    # Each class gets a few words of meaning before the API's own message and request id.
    meanings = {400: "400 Bad Request (the cloud rejected the request): ",
                403: "403 Forbidden (not allowed): ",
                404: "404 Not Found (not found (deleted meanwhile?)): ",
                409: "409 Conflict (conflicts with the resource's current state): ",
                413: "413 Request Entity Too Large (over a quota or limit): "}
    for status, prefix in meanings.items():
        text = ops.explain(errors[status])
        assert text.startswith(prefix), text
        assert text.endswith(f"({errors[status].request_id})")
        assert errors[status].message in text
    refused = ReadOnlyError("read-only mode: refusing to stop server web")
    assert ops.explain(refused) == ("read-only mode: refusing to stop server web "
                                    "(read-only session: nothing was sent)")


def test_equivalent_commands() -> None:
    server = {"id": "S1", "name": "web", "status": "ACTIVE"}
    assert ops.find("server.reboot_hard").command(server) == "openstack server reboot --hard S1"
    assert ops.find("server.resize").command(server, "m1.big") == \
        "openstack server resize --flavor m1.big S1"
    assert ops.find("server.resize").command(server) == \
        "openstack server resize --flavor '<flavor>' S1"
    assert ops.find("server.resize_confirm").command(server) == \
        "openstack server resize confirm S1"
    assert ops.find("server.attach_volume").command(server, "V1") == \
        "openstack server add volume S1 V1"
    assert ops.find("server.add_floating_ip").command(server, "172.24.4.9") == \
        "openstack server add floating ip S1 172.24.4.9"
    assert ops.find("server.snapshot").command(server, "my snap") == \
        "openstack server image create --name 'my snap' S1"
    assert ops.find("server.rename").command(server, "a;rm -rf /") == \
        "openstack server set --name 'a;rm -rf /' S1"
    volume = {"id": "V1", "status": "available", "size": 1}
    assert ops.find("volume.extend").command(volume, "10") == "openstack volume set --size 10 V1"
    assert ops.find("volume.attach").command(volume, "S1") == "openstack server add volume S1 V1"
    image = {"id": "I1", "status": "active"}
    assert ops.find("image.protect").command(image) == "openstack image set --protected I1"
    assert ops.find("image.deactivate").command(image) == "openstack image set --deactivate I1"
    assert ops.find("image.visibility").command(image, "public") == \
        "openstack image set --public I1"


def _sample(session: CloudSession, kind: str) -> dict[str, Any]:
    path = {"servers": ("compute", "/servers/detail", "servers"),
            "volumes": ("block-storage", "/volumes/detail", "volumes"),
            "images": ("image", "/images", "images"),
            "floating-ips": ("network", "/floatingips", "floatingips"),
            "routers": ("network", "/routers", "routers"),
            "security-groups": ("network", "/security-groups", "security_groups"),
            "keypairs": ("compute", "/os-keypairs", "keypairs"),
            "networks": ("network", "/networks", "networks"),
            "subnets": ("network", "/subnets", "subnets"),
            "ports": ("network", "/ports", "ports")}[kind]
    body, _ = session.get_json(path[0], path[1])
    return dict(body[path[2]][0])


def test_read_only_refuses_every_operation(msim: RunningSim, session: CloudSession,
                                           monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    """Called directly on the cloud layer: every operation raises ReadOnlyError and simcloud
    sees no request other than reads (and authentication)."""
    fips, _ = session.get_json("network", "/floatingips")
    address = fips["floatingips"][0]["floating_ip_address"]
    with CloudSession.connect("simcloud", read_only=True) as read_only:
        samples = {kind: _sample(read_only, kind)
                   for kind in ("servers", "volumes", "images", "floating-ips", "routers",
                                "security-groups", "keypairs", "networks", "subnets",
                                "ports")}
        start = len(msim.cloud.request_log)
        count = 0
        for kind, raw in samples.items():
            for op in ops.operations_for(kind):
                value = {"volume.extend": "999", "image.visibility": "public",
                         "floating_ip.associate": "P1 10.0.0.5"}.get(op.id)
                if op.id.endswith("floating_ip"):
                    value = address
                with pytest.raises(ReadOnlyError, match="read-only mode: refusing to"):
                    op.run(read_only, raw, value if value is not None else "x")
                count += 1
        assert count == sum(len(ops.operations_for(kind)) for kind in samples)
        sent = list(msim.cloud.request_log)[start:]
        writes = [(r.method, r.path) for r in sent
                  if r.method not in ("GET", "HEAD") and r.service != "identity"]
        assert writes == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # osc_lib's own, on import
def test_every_command_parses_with_the_openstack_cli() -> None:
    """Each operation's command is valid python-openstackclient syntax, naming the resource."""
    samples: dict[str, dict[str, Any]] = {
               "servers": {"id": "S1", "name": "web", "status": "ACTIVE"},
               "volumes": {"id": "V1", "name": "data", "status": "in-use", "size": 1},
               "images": {"id": "I1", "name": "img", "status": "active"},
               "floating-ips": {"id": "F1", "floating_ip_address": "203.0.113.5",
                                "port_id": "P1"},
               "routers": {"id": "R1", "name": "edge", "status": "ACTIVE",
                           "external_gateway_info": {"network_id": "N1"}},
               "security-groups": {"id": "G1", "name": "web", "security_group_rules": []},
               "keypairs": {"id": "laptop", "name": "laptop"},
               "networks": {"id": "N1", "name": "app-net"},
               "subnets": {"id": "S1", "name": "app-subnet"},
               "ports": {"id": "P1", "device_owner": ""},
               "projects": {"id": "PR1", "name": "lab", "enabled": True},
               "users": {"id": "U1", "name": "ann", "enabled": False},
               "app-credentials": {"id": "AC1", "name": "ci"},
               "aggregates": {"id": "7", "name": "ssd-hosts", "hosts": ["compute-01"]},
               "flavors": {"id": "FL1", "name": "m9.pinned",
                           "os-flavor-access:is_public": False}}
    values = {"image.visibility": "community", "volume.extend": "5",
              "floating_ip.associate": "P2 10.0.0.5",
              # Rules are typed as the detail shows them; the command spells them out.
              "security_group.add_preset": "tcp 22 from 0.0.0.0/0",
              "security_group.add_rule": "udp 53 from 10.0.0.0/8",
              "network.add_subnet": "10.0.1.0/24", "server.reset_state": "error",
              "aggregate.add_host": "compute-02", "aggregate.remove_host": "compute-01",
              "aggregate.set_property": "ssd=true", "project.set_quota": "cores=40"}
    spelled = {"security_group.add_preset": {"tcp", "0.0.0.0/0", "(22, 22)"},
               "security_group.add_rule": {"udp", "10.0.0.0/8", "(53, 53)"},
               "aggregate.set_property": {"{'ssd': 'true'}"}, "project.set_quota": {"40"}}
    for kind, raw in samples.items():
        for op in ops.operations_for(kind):
            value = values.get(op.id, "VALUE") if op.needs else None
            argv = op.cli(raw, value)
            parser, rest = osc_parser_for(argv)
            parsed = vars(parser.parse_args(rest))  # exits (SystemExit) on bad syntax
            flat = [str(v) for v in parsed.values() if not isinstance(v, list)] + \
                [str(x) for v in parsed.values() if isinstance(v, list) for x in v]
            if op.id != "security_group.delete_rule":  # names the rule (its value) alone
                assert raw["id"] in flat, (op.id, parsed)
            if op.id in spelled:
                assert spelled[op.id] <= set(flat) | {str(v) for v in parsed.values()}, (
                    op.id, parsed)
            elif op.needs is not None and op.needs.secret:  # a password: never in the command
                assert value not in " ".join(argv) and parsed["password_prompt"], (op.id, argv)
            elif value is not None and op.id != "image.visibility":
                assert set(value.split()) <= set(flat), (op.id, parsed)
    parser, rest = osc_parser_for(ops.find("image.visibility").cli(samples["images"],
                                                                     "community"))
    assert vars(parser.parse_args(rest))["visibility"] == "community"


def test_commands_do_the_same_with_the_real_cli(msim: RunningSim, session: CloudSession,
                                                tmp_path: Path) -> None:
    """Two commands run by the unmodified `openstack` CLI (one interactive process) against
    simcloud have the effect the operations have."""
    import os
    import shlex
    import subprocess
    import sys

    server = servers_in(session, "ACTIVE")[-2]
    lines = [ops.find("server.stop").cli(server, None), ops.find("server.lock").cli(server, None)]
    script = "".join(shlex.join(argv[1:]) + "\n" for argv in lines)
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(msim.clouds_yaml), OS_CLOUD="simcloud")
    cli = Path(sys.executable).with_name("openstack")
    done = subprocess.run([str(cli)], input=script, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    # (cliff's interactive mode ends with status 1 at end of input; errors would be on stderr)
    assert not done.stderr.strip(), done.stderr[-2000:]
    after = settle(session, "servers", server["id"])
    assert after is not None and after["status"] == "SHUTOFF" and after["locked"]
    assert ops.find("server.start").unavailable(after) == "server is locked: unlock it first"
    do(session, "server.unlock", after)
