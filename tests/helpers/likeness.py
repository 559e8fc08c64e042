"""Checks that hold for real OpenStack services and must hold for simcloud too.

Each ``check_*`` takes SDK connections and runs the same assertions against whichever cloud they
reach: tests/simcloud/test_sim_likeness.py runs them on simcloud,
tests/real/test_sim_likeness_real.py on the real rig (`make test-real`). What they assert was
read off the rig first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import openstack
import pytest
import requests
from openstack import exceptions as os_exc
from openstack.connection import Connection

# Generous: the rig's fake drivers settle in a second or two; a busy 2-core machine is slower.
SETTLE = 120.0


def poll(predicate: Callable[[], Any], what: str, timeout: float = SETTLE) -> Any:
    """Call ``predicate`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def call(conn: Connection, service: str, method: str, path: str,
         version: str | None = None, **kwargs: Any) -> requests.Response:
    """A raw call to ``service``'s catalog endpoint with the connection's token, as sent."""
    endpoint = str(conn.session.get_endpoint(service_type=service, interface="public"))
    if service == "identity" and not endpoint.rstrip("/").endswith("/v3"):
        endpoint = endpoint.rstrip("/") + "/v3"  # simcloud's catalog names the unversioned URL
    headers = {"X-Auth-Token": conn.session.get_token(), **kwargs.pop("headers", {})}
    if version is not None:
        headers["OpenStack-API-Version"] = version
    return requests.request(method, endpoint.rstrip("/") + path, headers=headers, timeout=60,
                            **kwargs)


# -- deletions vanish at once ----------------------------------------------------------------
def check_deleted_volume_vanishes(conn: Connection, name: str, within: float) -> float:
    """A deleted volume leaves the list and answers 404 within ``within`` seconds (the rig:
    about 0.15 s); returns how long it took."""
    made = conn.block_storage.create_volume(size=1, name=name)
    poll(lambda: conn.block_storage.get_volume(made.id).status == "available",
         "volume available")
    started = time.monotonic()
    conn.block_storage.delete_volume(made.id)

    def gone() -> bool:
        listed = {v.id for v in conn.block_storage.volumes()}
        shown = call(conn, "block-storage", "GET", f"/volumes/{made.id}")
        return made.id not in listed and shown.status_code == 404

    poll(gone, "deleted volume gone", timeout=within)
    took = time.monotonic() - started
    missing = call(conn, "block-storage", "GET", f"/volumes/{made.id}").json()
    assert missing == {"itemNotFound": {
        "code": 404, "message": f"Volume {made.id} could not be found."}}
    return took


def check_deleted_image_vanishes(conn: Connection, name: str) -> None:
    """Glance deletes at once: the 204 means the image is already gone from list and GET."""
    made = conn.image.create_image(name=name, disk_format="raw", container_format="bare")
    answer = call(conn, "image", "DELETE", f"/v2/images/{made.id}")
    assert answer.status_code == 204 and answer.content == b""
    assert made.id not in {i.id for i in conn.image.images()}
    assert call(conn, "image", "GET", f"/v2/images/{made.id}").status_code == 404


# -- Glance's error bodies -------------------------------------------------------------------
GLANCE_403_HTML = (
    "<html>\n <head>\n  <title>403 Forbidden</title>\n </head>\n <body>\n"
    "  <h1>403 Forbidden</h1>\n"
    "  You are not authorized to complete publicize_image action.<br /><br />\n\n\n\n"
    " </body>\n</html>")


def check_glance_errors_html_unless_json(conn: Connection, name: str) -> None:
    """A non-admin making an image public: 403 as an HTML page by default, webob's JSON (code a
    string, HTML leftovers in message) with ``Accept: application/json``, plain text when the
    client takes neither."""
    made = conn.image.create_image(name=name, disk_format="raw", container_format="bare")
    try:
        def publicize(accept: str | None) -> requests.Response:
            headers = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
            if accept is not None:
                headers["Accept"] = accept
            return call(conn, "image", "PATCH", f"/v2/images/{made.id}", headers=headers,
                        data='[{"op": "replace", "path": "/visibility", "value": "public"}]')

        for accept in (None, "*/*", "text/html,application/json;q=0.9"):
            page = publicize(accept)
            assert page.status_code == 403
            assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
            assert page.text == GLANCE_403_HTML
        for accept in ("application/json", "application/json, text/plain"):
            answer = publicize(accept)
            assert (answer.status_code, answer.headers["Content-Type"]) == (
                403, "application/json")
            assert answer.json() == {
                "message": "You are not authorized to complete publicize_image action."
                           "<br /><br />\n\n\n",
                "code": "403 Forbidden", "title": "Forbidden"}
        plain = publicize("text/plain")
        assert plain.headers["Content-Type"] == "text/plain; charset=UTF-8"
        assert plain.text == ("403 Forbidden\n\n"
                              "You are not authorized to complete publicize_image action.\n\n   ")
        missing = call(conn, "image", "GET", "/v2/images/no-such-image",
                       headers={"Accept": "application/json"})
        assert missing.json() == {"message": "No image found with ID no-such-image"
                                             "<br /><br />\n\n\n",
                                  "code": "404 Not Found", "title": "Not Found"}
    finally:
        conn.image.delete_image(made.id)


# -- Nova: servers ---------------------------------------------------------------------------
def boot(conn: Connection, name: str, image_id: str, flavor_id: str) -> str:
    """Boot a server without a network; its id once ACTIVE."""
    made = conn.compute.create_server(name=name, image_id=image_id, flavor_id=flavor_id,
                                      networks="none")
    poll(lambda: _state(conn, made.id) == ("ACTIVE", None), "server ACTIVE")
    return str(made.id)


def _state(conn: Connection, server_id: str) -> tuple[str, str | None]:
    found = call(conn, "compute", "GET", f"/servers/{server_id}").json()["server"]
    if found["status"] == "ERROR":
        raise AssertionError(f"server went ERROR: {found.get('fault')}")
    return found["status"], found["OS-EXT-STS:task_state"]


def _states_until_active(conn: Connection, server_id: str) -> list[tuple[str, str | None]]:
    """The distinct (status, task_state) seen from now until ACTIVE with no task."""
    seen: list[tuple[str, str | None]] = []

    def settled() -> bool:
        state = _state(conn, server_id)
        if not seen or seen[-1] != state:
            seen.append(state)
        return state == ("ACTIVE", None)

    poll(settled, "server ACTIVE again")
    return seen


def _action(conn: Connection, server_id: str, body: dict[str, Any]) -> requests.Response:
    return call(conn, "compute", "POST", f"/servers/{server_id}/action", json=body)


def check_resize_confirm_and_revert(conn: Connection, server_id: str, bigger: str,
                                    smaller: str) -> tuple[list[Any], list[Any]]:
    """Confirm answers 204 and the server passes VERIFY_RESIZE (task null) before ACTIVE; revert
    answers 202 and passes REVERT_RESIZE/resize_reverting; neither is allowed on an ACTIVE
    server (409 in Nova's words). Returns the states seen after confirm and after revert."""
    for verb in ("confirmResize", "revertResize"):
        refused = _action(conn, server_id, {verb: None})
        assert refused.status_code == 409
        assert refused.json() == {"conflictingRequest": {"code": 409, "message": (
            f"Cannot '{verb}' instance {server_id} while it is in vm_state active")}}
    assert _action(conn, server_id, {"resize": {"flavorRef": bigger}}).status_code == 202
    poll(lambda: _state(conn, server_id) == ("VERIFY_RESIZE", None), "VERIFY_RESIZE")
    confirmed = _action(conn, server_id, {"confirmResize": None})
    assert (confirmed.status_code, confirmed.content) == (204, b"")
    after_confirm = _states_until_active(conn, server_id)
    assert after_confirm in ([("VERIFY_RESIZE", None), ("ACTIVE", None)], [("ACTIVE", None)])
    assert _action(conn, server_id, {"resize": {"flavorRef": smaller}}).status_code == 202
    poll(lambda: _state(conn, server_id) == ("VERIFY_RESIZE", None), "VERIFY_RESIZE")
    reverted = _action(conn, server_id, {"revertResize": None})
    assert (reverted.status_code, reverted.content) == (202, b"")
    after_revert = _states_until_active(conn, server_id)
    assert after_revert in ([("REVERT_RESIZE", "resize_reverting"), ("ACTIVE", None)],
                            [("ACTIVE", None)])
    shown = call(conn, "compute", "GET", f"/servers/{server_id}").json()["server"]
    assert shown["flavor"]["id"] == bigger  # reverted to the flavor before the second resize
    return after_confirm, after_revert


def check_console_ends_in_partial_line(conn: Connection, server_id: str) -> str:
    """The console output has no newline after its last line; ``length`` takes the last lines
    of the text split on newlines, so length 1 is that partial line. Returns the output."""
    def console(**args: Any) -> str:
        answer = _action(conn, server_id, {"os-getConsoleOutput": args})
        assert answer.status_code == 200
        return str(answer.json()["output"])

    full = console()
    assert full and not full.endswith("\n")
    last = console(length=1)
    assert last and "\n" not in last and full.endswith(last)
    assert console(length=0) == ""
    two = console(length=2)
    assert two.count("\n") == 1 and full.endswith(two.split("\n")[0] + "\n" + two.split("\n")[1])
    return full


def check_metadata_and_description_validation(conn: Connection, server_id: str) -> None:
    """Nova's schema refuses metadata keys outside ``^[a-zA-Z0-9-_:. ]{1,255}$``, non-string or
    long values, and descriptions with control characters, each with a 400 in its words."""
    from tuicloud.simcloud.nova_validation import description_pattern

    def answer(method: str, path: str, body: Any, version: str | None = None) -> Any:
        got = call(conn, "compute", method, f"/servers/{server_id}{path}", version, json=body)
        return got.status_code, got.json()

    def bad(message: str) -> tuple[int, Any]:
        return 400, {"badRequest": {"code": 400, "message": message}}

    regex = "'^[a-zA-Z0-9-_:. ]{1,255}$'"
    assert answer("POST", "/metadata", {"metadata": {"bad/key": "v"}}) == bad(
        "Invalid input for field/attribute metadata. Value: {'bad/key': 'v'}. 'bad/key' does "
        f"not match any of the regexes: {regex}")
    assert answer("PUT", "/metadata", {"metadata": {"": "v"}}) == bad(
        "Invalid input for field/attribute metadata. Value: {'': 'v'}. '' does not match any "
        f"of the regexes: {regex}")
    assert answer("PUT", "/metadata/a*b", {"meta": {"a*b": "v"}}) == bad(
        "Invalid input for field/attribute meta. Value: {'a*b': 'v'}. 'a*b' does not match "
        f"any of the regexes: {regex}")
    assert answer("POST", "/metadata", {"metadata": {"k": 5}}) == bad(
        "Invalid input for field/attribute k. Value: 5. 5 is not of type 'string'")
    assert answer("POST", "/metadata", {"metadata": {"ok key:.-_": "v"}}) == (
        200, {"metadata": {"ok key:.-_": "v"}})
    compute = "compute 2.19"
    assert answer("PUT", "", {"server": {"description": "line\nbreak"}}, compute) == bad(
        "Invalid input for field/attribute description. Value: line\nbreak. 'line\\nbreak' "
        f"does not match {description_pattern()!r}")
    assert answer("PUT", "", {"server": {"description": "bell\x07"}}, compute)[0] == 400
    status, body = answer("PUT", "", {"server": {"description": "fine ü"}}, compute)
    assert (status, body["server"]["description"]) == (200, "fine ü")


# -- Nova: hypervisors, server groups, the pre-2.36 proxies ----------------------------------
HYPERVISOR_DETAIL_KEYS = {
    "id", "hypervisor_hostname", "state", "status", "hypervisor_type", "hypervisor_version",
    "host_ip", "service", "vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used",
    "local_gb_used", "free_ram_mb", "free_disk_gb", "current_workload", "running_vms",
    "disk_available_least", "cpu_info"}


def check_hypervisor_show(admin: Connection, demo: Connection) -> None:
    """An id from the hypervisor list shows (integer ids before 2.53, UUIDs after; 2.88 drops
    the statistics and adds uptime); bad ids and non-admins are refused in Nova's words."""
    listed = call(admin, "compute", "GET", "/os-hypervisors", "compute 2.1").json()
    first = listed["hypervisors"][0]["id"]
    assert isinstance(first, int)
    shown = call(admin, "compute", "GET", f"/os-hypervisors/{first}", "compute 2.1").json()
    assert set(shown["hypervisor"]) == HYPERVISOR_DETAIL_KEYS
    assert set(shown["hypervisor"]["service"]) == {"id", "host", "disabled_reason"}
    new = call(admin, "compute", "GET", "/os-hypervisors", "compute 2.53").json()
    ident = new["hypervisors"][0]["id"]
    modern = call(admin, "compute", "GET", f"/os-hypervisors/{ident}", "compute 2.88").json()
    assert set(modern["hypervisor"]) == (HYPERVISOR_DETAIL_KEYS - {
        "vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used", "local_gb_used",
        "free_ram_mb", "free_disk_gb", "current_workload", "running_vms",
        "disk_available_least", "cpu_info"}) | {"uptime"}
    assert modern["hypervisor"]["id"] == ident
    bad = call(admin, "compute", "GET", "/os-hypervisors/nope", "compute 2.53")
    assert (bad.status_code, bad.json()) == (400, {"badRequest": {
        "code": 400, "message": "Invalid uuid nope"}})
    missing = call(admin, "compute", "GET", "/os-hypervisors/99999", "compute 2.1")
    assert (missing.status_code, missing.json()) == (404, {"itemNotFound": {
        "code": 404, "message": "Hypervisor with ID '99999' could not be found."}})
    refused = call(demo, "compute", "GET", f"/os-hypervisors/{first}", "compute 2.1")
    assert (refused.status_code, refused.json()) == (403, {"forbidden": {
        "code": 403,
        "message": "Policy doesn't allow os_compute_api:os-hypervisors:show to be performed."}})


def check_server_groups(conn: Connection, name: str) -> None:
    """Server groups: ``policies`` before 2.64, ``policy`` and ``rules`` after; a bad policy is
    a 400 listing the four; the group lists, shows and deletes."""
    made = []
    try:
        old = call(conn, "compute", "POST", "/os-server-groups", "compute 2.1", json={
            "server_group": {"name": name + "-old", "policies": ["anti-affinity"]}})
        assert old.status_code == 200
        made.append(old.json()["server_group"]["id"])
        assert {k: v for k, v in old.json()["server_group"].items() if k != "id"} == {
            "name": name + "-old", "policies": ["anti-affinity"], "metadata": {}, "members": []}
        new = call(conn, "compute", "POST", "/os-server-groups", "compute 2.64", json={
            "server_group": {"name": name + "-new", "policy": "anti-affinity",
                             "rules": {"max_server_per_host": 2}}})
        assert new.status_code == 200
        group = new.json()["server_group"]
        made.append(group["id"])
        assert set(group) == {"id", "name", "policy", "rules", "members", "project_id",
                              "user_id"}
        assert (group["policy"], group["rules"], group["project_id"]) == (
            "anti-affinity", {"max_server_per_host": 2}, conn.current_project_id)
        bad = call(conn, "compute", "POST", "/os-server-groups", "compute 2.64", json={
            "server_group": {"name": name + "-bad", "policy": "bogus"}})
        assert (bad.status_code, bad.json()) == (400, {"badRequest": {"code": 400, "message": (
            "Invalid input for field/attribute policy. Value: bogus. 'bogus' is not one of "
            "['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity']")}})
        listed = call(conn, "compute", "GET", "/os-server-groups", "compute 2.64").json()
        assert set(made) <= {g["id"] for g in listed["server_groups"]}
        shown = call(conn, "compute", "GET", f"/os-server-groups/{group['id']}",
                     "compute 2.64").json()
        assert shown == {"server_group": group}
    finally:
        for ident in made:
            gone = call(conn, "compute", "DELETE", f"/os-server-groups/{ident}")
            assert gone.status_code == 204
    assert call(conn, "compute", "GET", f"/os-server-groups/{made[-1]}").status_code == 404


IMAGE_PROXY_KEYS = {"id", "name", "minRam", "minDisk", "metadata", "created", "updated",
                    "status", "progress", "OS-EXT-IMG-SIZE:size", "links"}
REMOVED = {"itemNotFound": {"code": 404, "message": "The resource could not be found."}}


def check_pre_2_36_proxies(conn: Connection, external_network: str) -> None:
    """``/images`` and ``/os-floating-ip-pools`` answer before 2.36 (Glance's images in Nova's
    old shape, the external networks' names) and are gone (404) from 2.36."""
    pools = call(conn, "compute", "GET", "/os-floating-ip-pools", "compute 2.1").json()
    assert {"name": external_network} in pools["floating_ip_pools"]
    assert all(set(pool) == {"name"} for pool in pools["floating_ip_pools"])
    public = [i for i in conn.image.images() if i.status == "active"][0]
    detail = call(conn, "compute", "GET", "/images/detail", "compute 2.1").json()["images"]
    mine = next(i for i in detail if i["id"] == public.id)
    assert set(mine) - {"server"} == IMAGE_PROXY_KEYS
    assert (mine["status"], mine["progress"], mine["name"]) == ("ACTIVE", 100, public.name)
    assert [link["rel"] for link in mine["links"]] == ["self", "bookmark", "alternate"]
    brief = call(conn, "compute", "GET", "/images", "compute 2.1").json()["images"]
    assert set(next(i for i in brief if i["id"] == public.id)) == {"id", "name", "links"}
    one = call(conn, "compute", "GET", f"/images/{public.id}", "compute 2.1").json()
    assert one["image"] == mine
    for path in ("/os-floating-ip-pools", "/images/detail", f"/images/{public.id}"):
        gone = call(conn, "compute", "GET", path, "compute 2.36")
        assert (gone.status_code, gone.json()) == (404, REMOVED), path


# -- Cinder: volume types and quota updates --------------------------------------------------
def _cinder(conn: Connection, method: str, path: str, **kwargs: Any) -> requests.Response:
    return call(conn, "block-storage", method, path, "volume 3.71", **kwargs)


def check_volume_type_management(admin: Connection, demo: Connection, name: str) -> None:
    """Admins create, update, delete types and their extra specs; names are unique (409);
    members may not create (403) and see no extra specs."""
    made = _cinder(admin, "POST", "/types", json={"volume_type": {
        "name": name, "description": "d", "os-volume-type-access:is_public": True,
        "extra_specs": {"k": "v"}}})
    assert made.status_code == 200
    vtype = made.json()["volume_type"]
    type_id = vtype["id"]
    try:
        assert vtype == {"id": type_id, "name": name, "is_public": True,
                         "extra_specs": {"k": "v"}, "description": "d",
                         "os-volume-type-access:is_public": True}
        again = _cinder(admin, "POST", "/types", json={"volume_type": {"name": name}})
        assert (again.status_code, again.json()) == (409, {"conflictingRequest": {
            "code": 409, "message": f"Volume Type {name} already exists."}})
        refused = _cinder(demo, "POST", "/types", json={"volume_type": {"name": name + "x"}})
        assert (refused.status_code, refused.json()) == (403, {"forbidden": {
            "code": 403,
            "message": "Policy doesn't allow volume_extension:type_create to be performed."}})
        changed = _cinder(admin, "PUT", f"/types/{type_id}",
                          json={"volume_type": {"description": "new"}})
        assert (changed.status_code, changed.json()) == (200, {"volume_type": {
            "id": type_id, "name": name, "is_public": True, "extra_specs": {"k": "v"},
            "description": "new"}})
        added = _cinder(admin, "POST", f"/types/{type_id}/extra_specs",
                        json={"extra_specs": {"a": "b"}})
        assert (added.status_code, added.json()) == (200, {"extra_specs": {"a": "b"}})
        assert _cinder(admin, "GET", f"/types/{type_id}/extra_specs").json() == {
            "extra_specs": {"k": "v", "a": "b"}}
        assert _cinder(admin, "DELETE", f"/types/{type_id}/extra_specs/a").status_code == 202
        seen = _cinder(demo, "GET", f"/types/{type_id}").json()["volume_type"]
        assert (seen["description"], seen["extra_specs"]) == ("new", {})
    finally:
        assert _cinder(admin, "DELETE", f"/types/{type_id}").status_code == 202
    gone = _cinder(admin, "GET", f"/types/{type_id}")
    assert (gone.status_code, gone.json()) == (404, {"itemNotFound": {
        "code": 404, "message": f"Volume type {type_id} could not be found."}})


def check_volume_quota_update_rules(admin: Connection, project_id: str) -> None:
    """A quota update refuses unknown keys, non-integers and values below -1, in Cinder's
    words; a limit below what the project uses is refused once the project has its own limit
    for it (Cinder checks only those). The project's quotas are reset at the end."""
    path = f"/os-quota-sets/{project_id}"
    usage = _cinder(admin, "GET", path, params={"usage": "true"}).json()["quota_set"]
    in_use = usage["gigabytes"]["in_use"]
    own = _cinder(admin, "PUT", path, json={"quota_set": {"gigabytes": in_use + 100}})
    assert own.status_code == 200 and own.json()["quota_set"]["gigabytes"] == in_use + 100
    before = _cinder(admin, "GET", path).json()["quota_set"]

    def refused(change: dict[str, Any]) -> str:
        answer = _cinder(admin, "PUT", path, json={"quota_set": change})
        assert answer.status_code == 400, answer.text
        return str(answer.json()["badRequest"]["message"])

    assert refused({"bogus": 3}) == "Invalid input received: Bad key(s) in quota set: bogus"
    assert refused({"volumes": "lots"}) == "volumes must be an integer"
    assert refused({"volumes": -5}) == "volumes must be >= -1"
    try:
        if in_use > 0:
            assert refused({"gigabytes": in_use - 1}) == (
                "Quota gigabytes limit must be equal or greater than existing resources. "
                f"Current usage is {in_use} and the requested limit is {in_use - 1}.")
        assert _cinder(admin, "GET", path).json()["quota_set"] == before
    finally:
        assert _cinder(admin, "DELETE", path).status_code == 200


# -- Neutron: tags ---------------------------------------------------------------------------
def check_neutron_tags(conn: Connection, name: str) -> None:
    """Tags on a network: replace all (200), add one (201, JSON null), check (204), remove
    (204; 404 TagNotFound when absent), clear (204); shown sorted and usable as list filters."""
    def net(method: str, path: str, **kwargs: Any) -> requests.Response:
        return call(conn, "network", method, f"/v2.0/networks{path}", **kwargs)

    made = net("POST", "", json={"network": {"name": name}}).json()["network"]
    tags = f"/{made['id']}/tags"
    try:
        assert made["tags"] == []
        replaced = net("PUT", tags, json={"tags": ["b", "a"]})
        assert (replaced.status_code, sorted(replaced.json()["tags"])) == (200, ["a", "b"])
        added = net("PUT", tags + "/c")
        assert (added.status_code, added.json()) == (201, None)
        assert net("GET", tags).json() == {"tags": ["a", "b", "c"]}
        assert net("GET", tags + "/c").status_code == 204
        assert net("DELETE", tags + "/a").status_code == 204
        for method in ("GET", "DELETE"):
            absent = net(method, tags + "/a")
            assert (absent.status_code, absent.json()) == (404, {"NeutronError": {
                "type": "TagNotFound", "message": "Tag a could not be found.", "detail": ""}})
        bad = net("PUT", tags, json={"tags": "x"})
        assert (bad.status_code, bad.json()) == (400, {"NeutronError": {
            "type": "InvalidInput", "message": "Invalid input for operation: 'x' is not a list.",
            "detail": ""}})
        assert net("GET", f"/{made['id']}").json()["network"]["tags"] == ["b", "c"]
        found = net("GET", "", params={"tags": "b,c", "fields": "id"}).json()["networks"]
        assert {"id": made["id"]} in found
        assert net("GET", "", params={"not-tags": "b", "name": name}).json()["networks"] == []
        assert net("DELETE", tags).status_code == 204
        assert net("GET", tags).json() == {"tags": []}
    finally:
        assert net("DELETE", f"/{made['id']}").status_code == 204


# -- Glance: image members -------------------------------------------------------------------
def check_image_members(owner: Connection, other: Connection, name: str) -> None:
    """The owner shares a ``shared`` image with another project (pending, 409 when twice); the
    other project finds it with member_status=pending, accepts it (the owner may not), and
    then lists it; removing the member ends it; a private image has no members (403)."""
    def glance(conn: Connection, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        return call(conn, "image", method, f"/v2{path}", headers=headers, **kwargs)

    def message(answer: requests.Response) -> str:
        return str(answer.json()["message"]).removesuffix("<br /><br />\n\n\n")

    made = glance(owner, "POST", "/images", json={
        "name": name, "disk_format": "raw", "container_format": "bare"}).json()
    image, project = made["id"], other.current_project_id
    members = f"/images/{image}/members"
    try:
        assert made["visibility"] == "shared"
        added = glance(owner, "POST", members, json={"member": project})
        assert added.status_code == 200
        assert {k: v for k, v in added.json().items() if not k.endswith("_at")} == {
            "member_id": project, "image_id": image, "status": "pending",
            "schema": "/v2/schemas/member"}
        twice = glance(owner, "POST", members, json={"member": project})
        assert (twice.status_code, message(twice)) == (
            409, f"Member {project} is duplicated for image {image}")
        assert message(glance(owner, "POST", members, json={"nope": 1})) == (
            "Member to be added not specified")

        def listed(status: str | None) -> bool:
            params = {"member_status": status} if status else {}
            found = glance(other, "GET", "/images", params=params).json()["images"]
            return image in {i["id"] for i in found}

        assert listed("pending")  # (the rig's other project is admin's: it sees every image)
        assert glance(owner, "GET", members).json()["members"][0]["status"] == "pending"
        by_owner = glance(owner, "PUT", f"{members}/{project}", json={"status": "accepted"})
        assert (by_owner.status_code, message(by_owner)) == (
            403, "You are not authorized to complete modify_member action.")
        bad = glance(other, "PUT", f"{members}/{project}", json={"status": "maybe"})
        assert (bad.status_code, message(bad)) == (
            400, 'Incorrect request: Status must be "pending", "accepted" or "rejected".')
        accepted = glance(other, "PUT", f"{members}/{project}", json={"status": "accepted"})
        assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
        assert listed("accepted") and listed(None)
        assert glance(other, "GET", f"/images/{image}").status_code == 200
        assert glance(owner, "DELETE", f"{members}/{project}").status_code == 204
        gone = glance(owner, "GET", f"{members}/{project}")
        assert (gone.status_code, message(gone)) == (
            404, f"{project} not found in the member list of the image {image}.")
        private = glance(owner, "PATCH", f"/images/{image}", data=json_patch_visibility,
                         headers={"Content-Type": "application/openstack-images-v2.1-json-patch"})
        assert private.status_code == 200
        refused = glance(owner, "POST", members, json={"member": project})
        assert (refused.status_code, message(refused)) == (
            403, f"Not allowed to create members for image {image}.")
    finally:
        glance(owner, "DELETE", f"/images/{image}")


json_patch_visibility = '[{"op": "replace", "path": "/visibility", "value": "private"}]'


# -- Keystone: domains and system scope ------------------------------------------------------
def _password_auth(conn: Connection, scope: dict[str, Any]) -> requests.Response:
    auth = conn.config.get_auth_args()
    url = str(auth["auth_url"]).rstrip("/")
    url = url if url.endswith("/v3") else url + "/v3"
    user = {"name": auth["username"], "domain": {"id": "default"}, "password": auth["password"]}
    return requests.post(f"{url}/auth/tokens", timeout=60, json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": user}}, "scope": scope}})


def check_domains_and_system_scope(admin: Connection, demo: Connection) -> None:
    """Any token reads the default domain (404 for others); only admins list domains; the admin
    gets a system-scoped token (``system: {all: true}``, roles, a catalog, no project), a member
    is refused one (401)."""
    for conn in (admin, demo):
        shown = call(conn, "identity", "GET", "/domains/default")
        assert shown.status_code == 200
        domain = shown.json()["domain"]
        assert {k: v for k, v in domain.items() if k != "links"} == {
            "id": "default", "name": "Default", "description": "The default domain",
            "enabled": True, "tags": [], "options": {}}
        assert domain["links"]["self"].endswith("/v3/domains/default")
    missing = call(admin, "identity", "GET", "/domains/nope")
    assert (missing.status_code, missing.json()) == (404, {"error": {
        "code": 404, "message": "Could not find domain: nope.", "title": "Not Found"}})
    refused = call(demo, "identity", "GET", "/domains")
    assert (refused.status_code, refused.json()) == (403, {"error": {
        "code": 403, "title": "Forbidden",
        "message": "You are not authorized to perform the requested action: "
                   "identity:list_domains."}})
    issued = _password_auth(admin, {"system": {"all": True}})
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert token["system"] == {"all": True} and "project" not in token
    assert "admin" in {role["name"] for role in token["roles"]} and token["catalog"]
    system = issued.headers["X-Subject-Token"]
    domain_url = str(call(admin, "identity", "GET", "/domains/default").url)
    assert requests.get(domain_url, headers={"X-Auth-Token": system},
                        timeout=60).status_code == 200
    denied = _password_auth(demo, {"system": {"all": True}})
    assert (denied.status_code, denied.json()["error"]["code"]) == (401, 401)


# -- Neutron: subnets, ports, filters, router gateways ---------------------------------------
def check_neutron_networking(admin: Connection, demo: Connection, name: str) -> None:
    """A port on a network without a subnet has no fixed IPs; requested allocation pools are
    kept, the gateway is the bottom address, ports come from the pool, a pool outside the CIDR
    is refused; provider:network_type filters lists; a router's gateway is set and cleared by
    PUT, also on an external network without a subnet (no external fixed IPs)."""
    def neutron(conn: Connection, method: str, path: str, **kwargs: Any) -> requests.Response:
        return call(conn, "network", method, f"/v2.0{path}", **kwargs)

    net = neutron(demo, "POST", "/networks", json={"network": {"name": name}}).json()["network"]
    external = neutron(admin, "POST", "/networks", json={"network": {
        "name": name + "-ext", "router:external": True}}).json()["network"]
    router = neutron(demo, "POST", "/routers", json={"router": {"name": name}}).json()["router"]
    try:
        port = neutron(demo, "POST", "/ports", json={"port": {"network_id": net["id"]}})
        assert (port.status_code, port.json()["port"]["fixed_ips"]) == (201, [])
        assert neutron(demo, "DELETE", f"/ports/{port.json()['port']['id']}").status_code == 204
        pool = [{"start": "10.77.0.100", "end": "10.77.0.110"}]
        subnet = neutron(demo, "POST", "/subnets", json={"subnet": {
            "network_id": net["id"], "cidr": "10.77.0.0/24", "ip_version": 4,
            "allocation_pools": pool}})
        assert subnet.status_code == 201
        made = subnet.json()["subnet"]
        assert (made["allocation_pools"], made["gateway_ip"]) == (pool, "10.77.0.1")
        plain = neutron(demo, "POST", "/subnets", json={"subnet": {
            "network_id": net["id"], "cidr": "10.78.0.0/24", "ip_version": 4}}).json()["subnet"]
        assert (plain["gateway_ip"], plain["allocation_pools"]) == (
            "10.78.0.1", [{"start": "10.78.0.2", "end": "10.78.0.254"}])
        pooled = neutron(demo, "POST", "/ports", json={"port": {
            "network_id": net["id"], "fixed_ips": [{"subnet_id": made["id"]}]}}).json()["port"]
        address = pooled["fixed_ips"][0]["ip_address"]
        assert 100 <= int(address.rsplit(".", 1)[1]) <= 110, address
        neutron(demo, "DELETE", f"/ports/{pooled['id']}")
        outside = neutron(demo, "POST", "/subnets", json={"subnet": {
            "network_id": net["id"], "cidr": "10.79.0.0/24", "ip_version": 4,
            "allocation_pools": [{"start": "10.80.0.5", "end": "10.80.0.9"}]}})
        assert (outside.status_code, outside.json()) == (400, {"NeutronError": {
            "type": "OutOfBoundsAllocationPool", "detail": "",
            "message": "The allocation pool 10.80.0.5-10.80.0.9 spans beyond the subnet cidr "
                       "10.79.0.0/24."}})
        kinds = neutron(admin, "GET", "/networks", params=[
            ("provider:network_type", "flat"), ("fields", "id"),
            ("fields", "provider:network_type")]).json()["networks"]
        assert kinds and {n["provider:network_type"] for n in kinds} == {"flat"}
        both = neutron(admin, "GET", "/networks", params=[
            ("provider:network_type", "flat"), ("provider:network_type", "vxlan")])
        assert {n["id"] for n in both.json()["networks"]} >= {net["id"], kinds[0]["id"]}
        flat = neutron(demo, "GET", "/networks", params={
            "provider:network_type": "flat"}).json()["networks"]
        assert "public" in {n["name"] for n in flat}  # members filter on it, never see it
        assert not any("provider:network_type" in n for n in flat)
        public = neutron(demo, "GET", "/networks", params={
            "router:external": "true", "name": "public"}).json()["networks"][0]
        path = f"/routers/{router['id']}"
        gateway = neutron(demo, "PUT", path, json={"router": {
            "external_gateway_info": {"network_id": public["id"]}}})
        assert gateway.status_code == 200
        info = gateway.json()["router"]["external_gateway_info"]
        assert info["network_id"] == public["id"] and info["enable_snat"] is True
        assert len(info["external_fixed_ips"]) == 1
        cleared = neutron(demo, "PUT", path, json={"router": {"external_gateway_info": {}}})
        assert (cleared.status_code, cleared.json()["router"]["external_gateway_info"]) == (
            200, None)
        bare = neutron(demo, "PUT", path, json={"router": {
            "external_gateway_info": {"network_id": external["id"]}}})
        assert (bare.status_code, bare.json()["router"]["external_gateway_info"]) == (200, {
            "network_id": external["id"], "external_fixed_ips": [], "enable_snat": True})
    finally:
        neutron(demo, "PUT", f"/routers/{router['id']}",
                json={"router": {"external_gateway_info": {}}})
        neutron(demo, "DELETE", f"/routers/{router['id']}")
        neutron(admin, "DELETE", f"/networks/{external['id']}")
        neutron(demo, "DELETE", f"/networks/{net['id']}")


# -- Neutron: the errors the networking views show in Neutron's words --------------------------
def check_neutron_errors(conn: Connection, name: str) -> None:
    """Status, type and message of the refusals issue 14's views meet: a router with an
    interface (naming its ports), a gateway on an unknown or a non-external network, a fixed
    address taken, outside its subnet or outside every subnet, groups on a port without port
    security (400) and port security turned off under groups (409), a group or a subnet in
    use; a refused update changes nothing."""
    def neutron(method: str, path: str, **kwargs: Any) -> requests.Response:
        return call(conn, "network", method, f"/v2.0{path}", **kwargs)

    def refused(answer: requests.Response) -> tuple[int, str, str]:
        error = answer.json()["NeutronError"]
        return answer.status_code, error["type"], error["message"]

    net = neutron("POST", "/networks", json={"network": {"name": name}}).json()["network"]
    sub = neutron("POST", "/subnets", json={"subnet": {
        "network_id": net["id"], "cidr": "10.91.0.0/24", "ip_version": 4}}).json()["subnet"]
    router = neutron("POST", "/routers", json={"router": {"name": name}}).json()["router"]
    group = neutron("POST", "/security-groups", json={"security_group": {
        "name": name}}).json()["security_group"]
    port: dict[str, Any] = {}
    try:
        plugged = neutron("PUT", f"/routers/{router['id']}/add_router_interface",
                          json={"subnet_id": sub["id"]}).json()
        assert refused(neutron("DELETE", f"/routers/{router['id']}")) == (
            409, "RouterInUse", f"Router {router['id']} has ports still attached: "
                                f"{plugged['port_id']}")
        nowhere = "00000000-0000-0000-0000-000000000000"
        assert refused(neutron("PUT", f"/routers/{router['id']}", json={"router": {
            "external_gateway_info": {"network_id": nowhere}}})) == (
            404, "NetworkNotFound", f"Network {nowhere} could not be found.")
        assert refused(neutron("PUT", f"/routers/{router['id']}", json={"router": {
            "external_gateway_info": {"network_id": net["id"]}}})) == (
            400, "BadRequest", f"Bad router request: Network {net['id']} is not an external "
                               "network.")
        at = [{"subnet_id": sub["id"], "ip_address": "10.91.0.50"}]
        port = neutron("POST", "/ports", json={"port": {
            "network_id": net["id"], "fixed_ips": at, "security_groups": [group["id"]]}}
                       ).json()["port"]
        assert refused(neutron("POST", "/ports", json={"port": {
            "network_id": net["id"], "fixed_ips": at}})) == (
            409, "IpAddressAlreadyAllocated",
            f"IP address 10.91.0.50 already allocated in subnet {sub['id']}")
        assert refused(neutron("POST", "/ports", json={"port": {
            "network_id": net["id"], "fixed_ips": [{"subnet_id": sub["id"],
                                                    "ip_address": "10.92.0.50"}]}})) == (
            400, "InvalidIpForSubnet",
            "IP address 10.92.0.50 is not a valid IP for the specified subnet.")
        assert refused(neutron("POST", "/ports", json={"port": {
            "network_id": net["id"], "fixed_ips": [{"ip_address": "10.92.0.50"}]}})) == (
            400, "InvalidIpForNetwork", "IP address 10.92.0.50 is not a valid IP for any of "
                                        "the subnets on the specified network.")
        needs = "Port security must be enabled and port must have an IP address in order to " \
                "use security groups."
        assert refused(neutron("POST", "/ports", json={"port": {
            "network_id": net["id"], "port_security_enabled": False,
            "security_groups": [group["id"]]}})) == (
            400, "PortSecurityAndIPRequiredForSecurityGroups", needs)
        assert refused(neutron("PUT", f"/ports/{port['id']}", json={"port": {
            "port_security_enabled": False, "name": "renamed"}})) == (
            409, "PortSecurityPortHasSecurityGroup",
            "Port has security group associated. Cannot disable port security or IP address "
            "until security group is removed.")
        kept = neutron("GET", f"/ports/{port['id']}").json()["port"]
        assert (kept["name"], kept["port_security_enabled"]) == ("", True)
        bare = neutron("PUT", f"/ports/{port['id']}", json={"port": {
            "security_groups": [], "port_security_enabled": False}}).json()["port"]
        assert (bare["security_groups"], bare["port_security_enabled"]) == ([], False)
        assert refused(neutron("PUT", f"/ports/{port['id']}", json={"port": {
            "security_groups": [group["id"]]}})) == (
            400, "PortSecurityAndIPRequiredForSecurityGroups", needs)
        again = neutron("PUT", f"/ports/{port['id']}", json={"port": {
            "port_security_enabled": True}}).json()["port"]
        assert (again["security_groups"], again["port_security_enabled"]) == ([], True)
        neutron("PUT", f"/ports/{port['id']}", json={"port": {
            "security_groups": [group["id"]]}})
        assert refused(neutron("DELETE", f"/security-groups/{group['id']}")) == (
            409, "SecurityGroupInUse", f"Security Group {group['id']} in use.")
        assert refused(neutron("DELETE", f"/subnets/{sub['id']}")) == (
            409, "SubnetInUse", f"Unable to complete operation on subnet {sub['id']}: One or "
                                "more ports have an IP allocation from this subnet.")
    finally:
        if port:
            neutron("DELETE", f"/ports/{port['id']}")
        neutron("PUT", f"/routers/{router['id']}/remove_router_interface",
                json={"subnet_id": sub["id"]})
        neutron("DELETE", f"/routers/{router['id']}")
        neutron("DELETE", f"/security-groups/{group['id']}")
        neutron("DELETE", f"/networks/{net['id']}")


# -- Nova: updating a volume attachment (2.85) -----------------------------------------------
def check_volume_attachment_update(conn: Connection, server_id: str, name: str) -> None:
    """From 2.85 a member may change delete_on_termination with PUT (202); before 2.85 PUT is
    the admin-only volume swap (403); the body must name the attached volume."""
    volume = conn.block_storage.create_volume(size=1, name=name)
    path = f"/servers/{server_id}/os-volume_attachments/{volume.id}"
    try:
        poll(lambda: conn.block_storage.get_volume(volume.id).status == "available",
             "volume available")
        attached = call(conn, "compute", "POST", f"/servers/{server_id}/os-volume_attachments",
                        "compute 2.79", json={"volumeAttachment": {"volumeId": volume.id}})
        assert attached.status_code == 200
        assert attached.json()["volumeAttachment"]["delete_on_termination"] is False
        poll(lambda: conn.block_storage.get_volume(volume.id).status == "in-use", "in-use")

        def put(version: str, body: dict[str, Any]) -> requests.Response:
            return call(conn, "compute", "PUT", path, f"compute {version}",
                        json={"volumeAttachment": body})

        changed = put("2.85", {"volumeId": volume.id, "delete_on_termination": True})
        assert (changed.status_code, changed.content) == (202, b"")
        shown = call(conn, "compute", "GET", path, "compute 2.89").json()["volumeAttachment"]
        assert shown["delete_on_termination"] is True
        old = put("2.84", {"volumeId": volume.id})
        assert (old.status_code, old.json()) == (403, {"forbidden": {"code": 403, "message": (
            "Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be "
            "performed.")}})
        bad = put("2.85", {"volumeId": volume.id, "delete_on_termination": "maybe"})
        assert bad.status_code == 400
        detached = call(conn, "compute", "DELETE", path)
        assert detached.status_code == 202
        poll(lambda: conn.block_storage.get_volume(volume.id).status == "available",
             "volume available again")
    finally:
        conn.block_storage.delete_volume(volume.id)


# -- Nova: host aggregates -------------------------------------------------------------------
def check_aggregates(admin: Connection, demo: Connection, name: str) -> None:
    """Admins create (no hosts/metadata in that answer), add a compute host, set metadata, may
    not delete a non-empty aggregate, remove the host and delete; names are unique; members are
    refused."""
    def agg(conn: Connection, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        return call(conn, "compute", method, f"/os-aggregates{path}", "compute 2.41", **kwargs)

    refused = agg(demo, "GET")
    assert (refused.status_code, refused.json()) == (403, {"forbidden": {"code": 403, "message":
        "Policy doesn't allow os_compute_api:os-aggregates:index to be performed."}})
    hypervisors = call(admin, "compute", "GET", "/os-hypervisors/detail", "compute 2.53").json()
    host = hypervisors["hypervisors"][0]["service"]["host"]
    # No zone: Nova refuses a zone change for a host that already runs servers (409), and the
    # rig's one host usually does.
    made = agg(admin, "POST", json={"aggregate": {"name": name}})
    assert made.status_code == 200
    created = made.json()["aggregate"]
    ident = created["id"]
    try:
        assert isinstance(ident, int) and set(created) == {
            "id", "uuid", "name", "created_at", "updated_at", "deleted_at", "deleted",
            "availability_zone"}
        assert (created["name"], created["availability_zone"], created["deleted"]) == (
            name, None, False)
        twice = agg(admin, "POST", json={"aggregate": {"name": name}})
        assert (twice.status_code, twice.json()) == (409, {"conflictingRequest": {
            "code": 409, "message": f"Aggregate {name} already exists."}})
        added = agg(admin, "POST", f"/{ident}/action", json={"add_host": {"host": host}})
        assert (added.status_code, added.json()["aggregate"]["hosts"]) == (200, [host])
        nohost = agg(admin, "POST", f"/{ident}/action", json={"add_host": {"host": "nohost"}})
        assert (nohost.status_code, nohost.json()) == (404, {"itemNotFound": {
            "code": 404, "message": "Compute host nohost could not be found."}})
        meta = agg(admin, "POST", f"/{ident}/action",
                   json={"set_metadata": {"metadata": {"k": "v"}}})
        assert meta.json()["aggregate"]["metadata"] == {"k": "v"}
        busy = agg(admin, "DELETE", f"/{ident}")
        assert (busy.status_code, busy.json()) == (400, {"badRequest": {"code": 400, "message":
            f"Cannot remove host from aggregate {ident}. Reason: Host aggregate is not empty."}})
        removed = agg(admin, "POST", f"/{ident}/action", json={"remove_host": {"host": host}})
        assert removed.json()["aggregate"]["hosts"] == []
        again = agg(admin, "POST", f"/{ident}/action", json={"remove_host": {"host": host}})
        assert (again.status_code, again.json()) == (404, {"itemNotFound": {
            "code": 404, "message": f"Cannot remove host {host} in aggregate {ident}"}})
        empty = agg(admin, "POST", json={"aggregate": {"name": ""}})
        assert (empty.status_code, empty.json()) == (400, {"badRequest": {"code": 400,
            "message": "Invalid input for field/attribute name. Value: . '' should be "
                       "non-empty"}})
        badkey = agg(admin, "POST", f"/{ident}/action",
                     json={"set_metadata": {"metadata": {"": "x"}}})
        assert (badkey.status_code, badkey.json()) == (400, {"badRequest": {"code": 400,
            "message": "Invalid input for field/attribute metadata. Value: {'': 'x'}. '' does "
                       "not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'"}})
    finally:
        agg(admin, "POST", f"/{ident}/action", json={"remove_host": {"host": host}})
        gone = agg(admin, "DELETE", f"/{ident}")
    assert (gone.status_code, gone.content) == (200, b"")
    missing = agg(admin, "GET", f"/{ident}")
    assert (missing.status_code, missing.json()) == (404, {"itemNotFound": {
        "code": 404, "message": f"Aggregate {ident} could not be found."}})


# -- Nova: simple tenant usage ---------------------------------------------------------------
USAGE_TOTALS = {"tenant_id", "total_local_gb_usage", "total_vcpus_usage",
                "total_memory_mb_usage", "total_hours", "start", "stop"}
SERVER_USAGE = {"hours", "flavor", "instance_id", "name", "tenant_id", "memory_mb", "local_gb",
                "vcpus", "started_at", "ended_at", "state", "uptime"}


def check_simple_tenant_usage(admin: Connection, demo: Connection, server_id: str) -> None:
    """A member reads its own project's usage (totals and one row per server, the running one
    among them); the all-projects list is the admin's; bad times are a 400."""
    project = demo.current_project_id
    period = {"start": "2020-01-01T00:00:00", "end": "2100-01-01T00:00:00"}

    def counted() -> Any:  # a server just booted is counted once Nova has its launch time
        own = call(demo, "compute", "GET", f"/os-simple-tenant-usage/{project}",
                   "compute 2.1", params=period)
        assert own.status_code == 200
        found = own.json()["tenant_usage"]
        rows = found.get("server_usages", [])
        return found if any(r["instance_id"] == server_id for r in rows) else None

    usage = poll(counted, "the server in its project's usage")
    assert set(usage) == USAGE_TOTALS | {"server_usages"}
    row = next(r for r in usage["server_usages"] if r["instance_id"] == server_id)
    assert set(row) == SERVER_USAGE
    assert (row["state"], row["ended_at"], row["tenant_id"]) == ("active", None, project)
    assert row["hours"] > 0 and usage["total_hours"] >= row["hours"]
    refused = call(demo, "compute", "GET", "/os-simple-tenant-usage", "compute 2.1",
                   params=period)
    assert (refused.status_code, refused.json()) == (403, {"forbidden": {"code": 403, "message":
        "Policy doesn't allow os_compute_api:os-simple-tenant-usage:list to be performed."}})
    listed = call(admin, "compute", "GET", "/os-simple-tenant-usage", "compute 2.1",
                  params={**period, "detailed": "0"}).json()["tenant_usages"]
    mine = next(u for u in listed if u["tenant_id"] == project)
    assert set(mine) == USAGE_TOTALS
    bad = call(demo, "compute", "GET", f"/os-simple-tenant-usage/{project}", "compute 2.1",
               params={"start": "yesterday"})
    assert (bad.status_code, bad.json()) == (400, {"badRequest": {"code": 400, "message":
        "Invalid datetime string: Datetime is in invalid format"}})


# -- Cinder: the attachments API (3.27+) -----------------------------------------------------
def check_volume_attachments_api(conn: Connection, name: str) -> None:
    """Reserve a volume for an instance (volume reserved), give the attachment a connector,
    complete it (3.44; volume in-use), list and show it, delete it (volume available); not
    there before 3.27; bad ids in Cinder's words."""
    instance = "3f0e7d2c-0000-4000-8000-00000000abcd"
    volume = conn.block_storage.create_volume(size=1, name=name)
    try:
        poll(lambda: conn.block_storage.get_volume(volume.id).status == "available",
             "volume available")
        made = _cinder(conn, "POST", "/attachments", json={"attachment": {
            "volume_uuid": volume.id, "instance_uuid": instance}})
        assert made.status_code == 200
        att = made.json()["attachment"]
        assert {k: v for k, v in att.items() if k != "id"} == {
            "status": "reserved", "instance": instance, "volume_id": volume.id,
            "attached_at": "", "detached_at": "", "attach_mode": "null", "connection_info": {}}
        assert conn.block_storage.get_volume(volume.id).status == "reserved"
        path = f"/attachments/{att['id']}"
        listed = _cinder(conn, "GET", "/attachments").json()["attachments"]
        assert {"id": att["id"], "status": "reserved", "instance": instance,
                "volume_id": volume.id} in listed
        assert att in _cinder(conn, "GET", "/attachments/detail").json()["attachments"]
        connector = {"initiator": "iqn.x", "ip": "127.0.0.1", "platform": "x86_64",
                     "host": "h", "os_type": "linux", "multipath": False,
                     "mountpoint": "/dev/vdb"}
        updated = _cinder(conn, "PUT", path, json={"attachment": {"connector": connector}})
        info = updated.json()["attachment"]["connection_info"]
        assert (info["attachment_id"], info["access_mode"]) == (att["id"], "rw")
        done = _cinder(conn, "POST", f"{path}/action", json={"os-complete": None})
        assert (done.status_code, done.content) == (204, b"")
        assert conn.block_storage.get_volume(volume.id).status == "in-use"
        old = call(conn, "block-storage", "GET", "/attachments", "volume 3.26")
        assert (old.status_code, old.json()) == (404, REMOVED)
        missing = _cinder(conn, "GET", "/attachments/nope")
        assert (missing.status_code, missing.json()) == (404, {"itemNotFound": {
            "code": 404, "message": "Volume attachment could not be found with filter: "
                                    "attachment_id = nope."}})
        bad = _cinder(conn, "POST", "/attachments", json={"attachment": {
            "volume_uuid": "nope", "instance_uuid": instance}})
        assert (bad.status_code, bad.json()) == (400, {"badRequest": {"code": 400, "message":
            "Invalid input for field/attribute volume_uuid. Value: nope. 'nope' is not a "
            "'uuid'"}})
        gone = _cinder(conn, "DELETE", path)
        assert (gone.status_code, gone.json()) == (200, {"attachments": []})
        poll(lambda: conn.block_storage.get_volume(volume.id).status == "available",
             "volume available after the attachment is deleted")
    finally:
        conn.block_storage.delete_volume(volume.id)


MULTIPLE_NETWORKS = {"conflictingRequest": {"code": 409, "message": (
    "Multiple possible networks found, use a Network ID to be more specific.")}}


def check_boot_never_guesses_between_networks(conn: Connection, name: str, image_id: str,
                                              flavor_id: str) -> None:
    """With two networks the project may use, a boot that names none (2.1) or says "auto"
    (2.37) is refused (409, in Nova's words); from 2.37 ``networks`` is required (400)."""
    made = []
    try:
        for index in (1, 2):
            network = conn.network.create_network(name=f"{name}-{index}")
            conn.network.create_subnet(network_id=network.id, ip_version=4,
                                       cidr=f"10.6{index}.0.0/24")
            made.append(network)

        def boot_asking(version: str, networks: Any = None) -> requests.Response:
            server: dict[str, Any] = {"name": name, "imageRef": image_id, "flavorRef": flavor_id}
            if networks is not None:
                server["networks"] = networks
            return call(conn, "compute", "POST", "/servers", f"compute {version}",
                        json={"server": server})

        for answer in (boot_asking("2.1"), boot_asking("2.37", "auto")):
            assert (answer.status_code, answer.json()) == (409, MULTIPLE_NETWORKS)
        required = boot_asking("2.37")
        assert required.status_code == 400, required.text
        message = required.json()["badRequest"]["message"]
        assert message.startswith("Invalid input for field/attribute server. Value: {")
        assert message.endswith("'networks' is a required property")
    finally:
        for network in made:
            conn.network.delete_network(network)


def check_keystone_groups(admin: Connection, name: str) -> None:
    """Groups as Keystone answers: a duplicate name is a 409, members listed and checked, a
    role granted to the group listed as the group's (or, effective, as each member's with the
    membership linked), a member signing in with it until they leave, Keystone's 404 texts.
    Everything made is deleted again."""
    identity = admin.identity
    project = identity.create_project(name=name + "gproj", domain_id="default")
    user = identity.create_user(name=name + "guser", password=name + "pw-1", domain_id="default")
    group = identity.create_group(name=name + "group", description="made here",
                                  domain_id="default")
    try:
        with pytest.raises(os_exc.ConflictException, match="Duplicate entry found with name"):
            identity.create_group(name=name + "group", domain_id="default")
        identity.add_user_to_group(user, group)
        assert identity.check_user_in_group(user, group)
        assert [u.name for u in identity.group_users(group)] == [name + "guser"]
        role = identity.find_role("reader", ignore_missing=False)
        identity.assign_project_role_to_group(project, group, role)
        direct = list(identity.role_assignments(scope_project_id=project.id,
                                                include_names=True))
        assert [(a.group["name"], a.role["name"]) for a in direct] == [(name + "group",
                                                                         "reader")]
        effective = list(identity.role_assignments(scope_project_id=project.id,
                                                   effective=True, include_names=True))
        assert [(a.user["name"], a.role["name"]) for a in effective] == [(name + "guser",
                                                                          "reader")]
        assert effective[0].links["membership"].endswith(
            f"/groups/{group.id}/users/{user.id}")
        auth = dict(auth_url=admin.config.auth["auth_url"], username=name + "guser",
                    password=name + "pw-1", project_name=name + "gproj",
                    user_domain_name="Default", project_domain_name="Default")
        member = openstack.connect(**auth)
        assert member.session.auth.get_access(member.session).role_names == ["reader"]
        member.close()
        identity.remove_user_from_group(user, group)
        with pytest.raises(os_exc.NotFoundException, match="not found in group"):
            identity.remove_user_from_group(user, group)
        with pytest.raises(os_exc.SDKException):
            openstack.connect(**auth).authorize()
        identity.delete_group(group)
        with pytest.raises(os_exc.NotFoundException, match="Could not find group"):
            identity.get_group(group.id)
    finally:
        identity.delete_group(group, ignore_missing=True)
        identity.delete_user(user, ignore_missing=True)
        identity.delete_project(project, ignore_missing=True)


def check_microversion_errors(conn: Connection) -> None:
    """Nova and Cinder on a malformed microversion (400, Nova's text, no version headers) and
    one out of range (406 naming the range; the headers echo the version asked for)."""
    for service, path, bad in (("compute", "/servers", "compute 2.999"),
                               ("block-storage", "/volumes", "volume 3.999")):
        name = bad.split()[0]
        adapter = getattr(conn, "compute" if service == "compute" else "block_storage")
        answer = adapter.get(path, headers={"OpenStack-API-Version": f"{name} x.y"},
                             raise_exc=False, microversion=None)
        assert answer.status_code == 400, (service, answer.status_code)
        assert "API Version String x.y is of invalid format. Must be of format " \
               "MajorNum.MinorNum." in answer.text, answer.text
        assert "OpenStack-API-Version" not in answer.headers, dict(answer.headers)
        answer = adapter.get(path, headers={"OpenStack-API-Version": bad}, raise_exc=False,
                             microversion=None)
        assert answer.status_code == 406, (service, answer.status_code)
        assert "is not supported by the API. Minimum is" in answer.text, answer.text
        assert answer.headers["OpenStack-API-Version"] == bad, dict(answer.headers)
