"""simcloud's object storage through the real openstacksdk (``object_store``) and plain HTTP:
accounts, containers, objects, listings, metadata, ACLs, ranges, copies, SLOs and errors, with
the statuses and headers the rig's Swift answers."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from openstack import exceptions as sdk_exc
from openstack.connection import Connection

from tuicloud.simcloud import RunningSim, SimConfig

# One small simcloud for the module (each test uses containers of its own).
MODULE_SIMCLOUD = SimConfig(servers=2, volumes=1, images=1)
OPENSTACK_CLI = Path(sys.executable).with_name("openstack")


def account_url(conn: Connection) -> str:
    """The object-store endpoint from the catalog: ``…/v1/AUTH_<project id>``."""
    return str(conn.object_store.get_endpoint()).rstrip("/")


def raw(conn: Connection, method: str, path: str = "", **kwargs: Any) -> requests.Response:
    """A plain HTTP call on the account with the connection's token."""
    headers = {"X-Auth-Token": conn.session.get_token(), **kwargs.pop("headers", {})}
    url = account_url(conn) + (("/" + path) if path else "")
    return requests.request(method, url, headers=headers, timeout=30, **kwargs)


def test_catalog_names_the_projects_account(conn: Connection) -> None:
    assert account_url(conn).endswith(f"/object-store/v1/AUTH_{conn.current_project_id}")
    head = raw(conn, "HEAD")
    assert head.status_code == 204  # autocreate: a never-used account answers with zeros
    assert head.headers["X-Account-Container-Count"] == "0" or int(
        head.headers["X-Account-Container-Count"]) >= 0


def test_containers_objects_and_counts_through_the_sdk(conn: Connection,
                                                       tmp_path: Path) -> None:
    store = conn.object_store
    store.create_container("sdk-c1")
    store.create_object("sdk-c1", "hello.txt", data=b"hello world")
    store.create_object("sdk-c1", "logs/a.log", data=b"a" * 10)
    container = store.get_container_metadata("sdk-c1")
    assert (container.object_count, container.bytes_used) == (2, 21)
    names = sorted(obj.name for obj in store.objects("sdk-c1"))
    assert names == ["hello.txt", "logs/a.log"]
    obj = store.get_object_metadata("hello.txt", container="sdk-c1")
    assert obj.etag == hashlib.md5(b"hello world").hexdigest()
    assert obj.content_type == "text/plain"
    assert store.download_object("hello.txt", container="sdk-c1") == b"hello world"
    listed = {c.name: c for c in store.containers()}
    assert listed["sdk-c1"].count == 2 and listed["sdk-c1"].bytes == 21
    account = store.get_account_metadata()
    assert account.account_object_count >= 2
    with pytest.raises(sdk_exc.ConflictException):
        store.delete_container("sdk-c1")
    store.delete_object("hello.txt", container="sdk-c1")
    store.delete_object("logs/a.log", container="sdk-c1")
    store.delete_container("sdk-c1")
    with pytest.raises(sdk_exc.NotFoundException):
        store.get_container_metadata("sdk-c1")


def test_listing_pages_with_markers_prefix_and_delimiter(conn: Connection) -> None:
    assert raw(conn, "PUT", "list-c").status_code == 201
    assert raw(conn, "PUT", "list-c").status_code == 202  # already there
    names = ["a/1", "a/2", "a/b/3", "b", "c/4", "d"]
    for name in names:
        assert raw(conn, "PUT", f"list-c/{name}", data=b"x").status_code == 201
    listing = raw(conn, "GET", "list-c", params={"format": "json", "delimiter": "/"}).json()
    assert [e.get("name") or e.get("subdir") for e in listing] == ["a/", "b", "c/", "d"]
    inner = raw(conn, "GET", "list-c", params={"format": "json", "delimiter": "/",
                                               "prefix": "a/"}).json()
    assert [e.get("name") or e.get("subdir") for e in inner] == ["a/1", "a/2", "a/b/"]
    first = raw(conn, "GET", "list-c", params={"format": "json", "limit": 2}).json()
    assert [e["name"] for e in first] == ["a/1", "a/2"]
    rest = raw(conn, "GET", "list-c", params={"format": "json", "marker": "a/2",
                                              "end_marker": "d"}).json()
    assert [e["name"] for e in rest] == ["a/b/3", "b", "c/4"]
    entry = first[0]
    assert set(entry) == {"bytes", "hash", "name", "content_type", "last_modified"}
    plain = raw(conn, "GET", "list-c")
    assert plain.text.splitlines() == names
    assert raw(conn, "GET", "list-c", params={"limit": 5000}).status_code == 412
    # The SDK follows markers past the rig's page size of 1,000.
    sdk_names = [obj.name for obj in conn.object_store.objects("list-c", prefix="a/")]
    assert sdk_names == ["a/1", "a/2", "a/b/3"]


def test_listing_pages_of_a_thousand(conn: Connection) -> None:
    raw(conn, "PUT", "big-c")
    for index in range(1005):
        raw(conn, "PUT", f"big-c/o{index:05d}", data=b"")
    page = raw(conn, "GET", "big-c", params={"format": "json"}).json()
    assert len(page) == 1000
    assert len(list(conn.object_store.objects("big-c"))) == 1005


def test_metadata_acl_and_anonymous_reads(conn: Connection) -> None:
    assert raw(conn, "PUT", "pub-c", headers={"X-Container-Meta-Owner": "ops"}).ok
    raw(conn, "PUT", "pub-c/doc", data=b"public", headers={"X-Object-Meta-Color": "Blue",
                                                          "Content-Type": "text/x-doc"})
    head = raw(conn, "HEAD", "pub-c")
    assert head.headers["X-Container-Meta-Owner"] == "ops"
    assert "X-Container-Read" not in head.headers
    url = account_url(conn) + "/pub-c/doc"
    anonymous = requests.get(url, timeout=10)
    assert anonymous.status_code == 401 and anonymous.text.startswith("<html><h1>Unauthorized")
    assert raw(conn, "POST", "pub-c", headers={"X-Container-Read": ".r:*,.rlistings"}
               ).status_code == 204
    assert raw(conn, "HEAD", "pub-c").headers["X-Container-Read"] == ".r:*,.rlistings"
    assert requests.get(url, timeout=10).content == b"public"
    obj = raw(conn, "HEAD", "pub-c/doc")
    assert obj.headers["X-Object-Meta-Color"] == "Blue"
    assert obj.headers["Content-Type"] == "text/x-doc"
    # An object POST replaces all its user metadata, as Swift's does.
    assert raw(conn, "POST", "pub-c/doc", headers={"X-Object-Meta-Size": "L"}).status_code == 202
    after = raw(conn, "HEAD", "pub-c/doc").headers
    assert after["X-Object-Meta-Size"] == "L" and "X-Object-Meta-Color" not in after


def test_ranges_conditions_copies_and_errors(conn: Connection) -> None:
    raw(conn, "PUT", "r-c")
    assert raw(conn, "PUT", "r-c/obj", data=b"hello world").status_code == 201
    part = raw(conn, "GET", "r-c/obj", headers={"Range": "bytes=2-4"})
    assert (part.status_code, part.content) == (206, b"llo")
    assert part.headers["Content-Range"] == "bytes 2-4/11"
    assert raw(conn, "GET", "r-c/obj", headers={"Range": "bytes=-3"}).content == b"rld"
    beyond = raw(conn, "GET", "r-c/obj", headers={"Range": "bytes=50-60"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == "bytes */11"
    guarded = raw(conn, "PUT", "r-c/obj", data=b"x", headers={"If-None-Match": "*"})
    assert guarded.status_code == 412
    assert raw(conn, "GET", "r-c/obj").content == b"hello world"
    bad_etag = raw(conn, "PUT", "r-c/bad", data=b"x", headers={"ETag": "0" * 32})
    assert bad_etag.status_code == 422
    copied = raw(conn, "PUT", "r-c/copy", headers={"X-Copy-From": "r-c/obj",
                                                   "Content-Length": "0"})
    assert copied.status_code == 201 and copied.headers["X-Copied-From"] == "r-c/obj"
    moved = raw(conn, "COPY", "r-c/obj", headers={"Destination": "r-c/copy2"})
    assert moved.status_code == 201
    assert raw(conn, "GET", "r-c/copy2").content == b"hello world"
    missing = raw(conn, "GET", "r-c/nope")
    assert missing.status_code == 404
    assert missing.text == "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"
    assert raw(conn, "DELETE", "r-c/nope").status_code == 404
    assert raw(conn, "GET", "no-such-container", params={"format": "json"}).status_code == 404
    assert raw(conn, "DELETE", "r-c").status_code == 409
    assert "X-Trans-Id" in missing.headers


def test_hostile_object_names_round_trip(conn: Connection) -> None:
    raw(conn, "PUT", "h-c")
    names = ["dir/", "a b?c#d%e", "ünïcødé/ファイル", "\x1b]0;title\x07", "x" * 1024]
    for name in names:
        quoted = requests.utils.quote(name, safe="/")
        assert raw(conn, "PUT", f"h-c/{quoted}", data=name.encode()).status_code == 201, name
    listed = [obj.name for obj in conn.object_store.objects("h-c")]
    assert sorted(listed) == sorted(names)
    too_long = raw(conn, "PUT", "h-c/" + "y" * 1025, data=b"")
    assert too_long.status_code == 400


def test_bytes_stream_to_disk(msim: RunningSim, conn: Connection) -> None:
    """A 20 MB upload ends up in simcloud's folder, not in memory, and streams back."""
    raw(conn, "PUT", "disk-c")
    blob = os.urandom(1 << 20) * 20
    conn.object_store.upload_object(container="disk-c", name="big", data=io.BytesIO(blob))
    folder = msim.cloud.service("object-store").files.root
    sizes = [os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)]
    assert len(blob) in sizes
    got = raw(conn, "GET", "disk-c/big", stream=True)
    digest = hashlib.md5()
    for chunk in got.iter_content(1 << 16):
        digest.update(chunk)
    assert digest.hexdigest() == got.headers["Etag"] == hashlib.md5(blob).hexdigest()


def test_static_large_object(conn: Connection) -> None:
    raw(conn, "PUT", "slo-c")
    raw(conn, "PUT", "slo-c_segments")
    pieces = [b"a" * 5, b"b" * 7]
    manifest = []
    for index, piece in enumerate(pieces):
        raw(conn, "PUT", f"slo-c_segments/big/{index}", data=piece)
        manifest.append({"path": f"/slo-c_segments/big/{index}",
                         "etag": hashlib.md5(piece).hexdigest(), "size_bytes": len(piece)})
    put = raw(conn, "PUT", "slo-c/big", params={"multipart-manifest": "put"}, json=manifest)
    assert put.status_code == 201
    head = raw(conn, "HEAD", "slo-c/big")
    assert head.headers["X-Static-Large-Object"] == "True"
    assert head.headers["Content-Length"] == "12"
    assert raw(conn, "GET", "slo-c/big").content == b"aaaaabbbbbbb"
    assert raw(conn, "GET", "slo-c/big", headers={"Range": "bytes=3-6"}).content == b"aabb"
    listing = raw(conn, "GET", "slo-c", params={"format": "json"}).json()
    assert listing[0]["bytes"] == 12 and "slo_etag" in listing[0]
    segments = raw(conn, "GET", "slo-c/big", params={"multipart-manifest": "get"}).json()
    assert [s["bytes"] for s in segments] == [5, 7]
    bad = raw(conn, "PUT", "slo-c/bad", params={"multipart-manifest": "put"},
              json=[{"path": "/slo-c_segments/none"}])
    assert bad.status_code == 400
    deleted = raw(conn, "DELETE", "slo-c/big", params={"multipart-manifest": "delete"},
                  headers={"Accept": "application/json"})
    assert deleted.status_code == 200 and deleted.json()["Number Deleted"] == 3
    assert raw(conn, "GET", "slo-c_segments", params={"format": "json"}).json() == []


def test_another_projects_account_is_forbidden(msim: RunningSim, conn: Connection,
                                               admin: Connection) -> None:
    other = account_url(admin)
    answer = requests.get(other, headers={"X-Auth-Token": conn.session.get_token()},
                          timeout=10)
    assert answer.status_code == 403


def _cli(msim: RunningSim, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(msim.clouds_yaml), "OS_CLOUD": "simcloud"}
    return subprocess.run([str(OPENSTACK_CLI), *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_cli_container_and_object_commands(msim: RunningSim, tmp_path: Path) -> None:
    """openstack container/object create, list, show, save and delete, as on the rig."""
    data = os.urandom(300_000)
    source = tmp_path / "cli.bin"
    source.write_bytes(data)
    made = _cli(msim, "container", "create", "cli-box", "-f", "json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)[0]["container"] == "cli-box"
    put = _cli(msim, "object", "create", "--name", "dir/cli.bin", "cli-box", str(source),
               "-f", "json")
    assert put.returncode == 0, put.stderr
    assert json.loads(put.stdout)[0]["etag"] == hashlib.md5(data).hexdigest()
    listed = _cli(msim, "container", "list", "-f", "value", "-c", "Name")
    assert "cli-box" in listed.stdout.splitlines(), listed.stderr
    objects = _cli(msim, "object", "list", "cli-box", "-f", "json", "--long")
    assert objects.returncode == 0, objects.stderr
    [entry] = json.loads(objects.stdout)
    assert (entry["Name"], entry["Bytes"]) == ("dir/cli.bin", len(data))
    shown = _cli(msim, "container", "show", "cli-box", "-f", "json")
    doc = json.loads(shown.stdout)
    assert (int(doc["object_count"]), int(doc["bytes_used"])) == (1, len(data)), shown.stderr
    show = _cli(msim, "object", "show", "cli-box", "dir/cli.bin", "-f", "json")
    assert json.loads(show.stdout)["etag"] == hashlib.md5(data).hexdigest(), show.stderr
    target = tmp_path / "saved.bin"
    saved = _cli(msim, "object", "save", "--file", str(target), "cli-box", "dir/cli.bin")
    assert saved.returncode == 0, saved.stderr
    assert target.read_bytes() == data
    refused = _cli(msim, "container", "delete", "cli-box")
    assert refused.returncode != 0  # Swift's 409: not empty
    gone = _cli(msim, "object", "delete", "cli-box", "dir/cli.bin")
    assert gone.returncode == 0, gone.stderr
    deleted = _cli(msim, "container", "delete", "cli-box")
    assert deleted.returncode == 0, deleted.stderr
    assert "cli-box" not in _cli(msim, "container", "list", "-f", "value").stdout.split()


def test_cli_recursive_container_delete_uses_bulk_or_each(msim: RunningSim) -> None:
    for name in ("a", "b/c"):
        assert _cli(msim, "container", "create", "cli-rec").returncode == 0
        tmp = Path(msim.clouds_yaml).parent / f"f-{name.replace('/', '_')}"
        tmp.write_bytes(name.encode())
        put = _cli(msim, "object", "create", "--name", name, "cli-rec", str(tmp))
        assert put.returncode == 0, put.stderr
    deleted = _cli(msim, "container", "delete", "--recursive", "cli-rec")
    assert deleted.returncode == 0, deleted.stderr
    assert "cli-rec" not in _cli(msim, "container", "list", "-f", "value").stdout.split()


SWIFT_CLI = Path("/opt/realcloud/client/bin/swift")


@pytest.mark.skipif(not SWIFT_CLI.exists(), reason="python-swiftclient is not installed here")
def test_swift_client_bulk_delete_and_slo(msim: RunningSim, tmp_path: Path) -> None:
    """The swift client's --use-slo upload and its delete (?bulk-delete, as /info offers it)
    pass against simcloud as against the rig; a bulk delete takes a large object's manifest
    only, its segments stay (the rig's too: tuicloud deletes large objects on their own)."""
    import yaml

    auth = yaml.safe_load(msim.clouds_yaml.read_text())["clouds"]["simcloud"]["auth"]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OS_")},
           "OS_AUTH_URL": auth["auth_url"], "OS_USERNAME": auth["username"],
           "OS_PASSWORD": auth["password"], "OS_PROJECT_NAME": auth["project_name"],
           "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
           "OS_IDENTITY_API_VERSION": "3"}
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(3 * 65536 + 5))
    for index in range(25):  # more than 20: fewer the client deletes one at a time
        (tmp_path / f"small{index:02d}").write_bytes(b"s")

    def swift(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(SWIFT_CLI), *args], env=env, capture_output=True,
                              text=True, timeout=60, check=False, cwd=tmp_path)

    up = swift("upload", "--use-slo", "-S", "65536", "sw-box", "big.bin",
               *(f"small{index:02d}" for index in range(25)))
    assert up.returncode == 0, up.stderr
    start = len(msim.cloud.request_log)
    down = swift("delete", "sw-box")
    assert down.returncode == 0, down.stderr
    posts = [r for r in list(msim.cloud.request_log)[start:]
             if r.method == "POST" and "bulk-delete" in r.query]
    assert posts  # the client saw bulk_delete in /info and used it
    demo = msim.cloud.service("identity").project_by_name("demo")
    account = msim.cloud.service("object-store").accounts[f"AUTH_{demo.id}"]
    assert "sw-box" not in account.containers
    segments = account.containers["sw-box_segments"]
    assert len(segments.objects) == 4  # left behind, as the rig leaves them
