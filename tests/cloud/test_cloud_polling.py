"""Raw pagination, incremental polls, lookups and detail fetches against simcloud over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.detail import fetch_detail
from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds import all_kinds, kind_for
from tuicloud.cloud.lookups import Lookups, tables_for
from tuicloud.cloud.packed import Packed
from tuicloud.cloud.poller import OVERLAP, Poller
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud


def _connect(sim: RunningSim, cloud: str, monkeypatch: pytest.MonkeyPatch) -> CloudSession:
    assert sim.clouds_yaml is not None
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sim.clouds_yaml))
    monkeypatch.delenv("OS_CLOUD", raising=False)
    return CloudSession.connect(cloud)


def _requests_since(sim: RunningSim, mark: int) -> list[Any]:
    return list(sim.cloud.request_log)[mark:]


def _wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def _nothing_changed_within_overlap(admin: CloudSession) -> bool:
    """No server changed within the poll cursor's overlap (plus a second of margin)."""
    since = (datetime.now(timezone.utc) - OVERLAP - timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    return not any(page for page in admin.list_raw(
        "compute", "/servers", "servers", {"all_tenants": "1", "changes-since": since},
        page_size=1000))


@pytest.fixture(scope="module")
def big_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    clouds = tmp_path_factory.mktemp("big") / "clouds.yaml"
    with run_simcloud(SimConfig(servers=5000, volumes=10, images=6, build_delay=0.1),
                      clouds_yaml=clouds) as running:
        yield running


@pytest.fixture
def admin(big_sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudSession]:
    with _connect(big_sim, "simcloud-admin", monkeypatch) as session:
        yield session


def test_list_raw_paginates_each_server_once(big_sim: RunningSim, admin: CloudSession) -> None:
    mark = len(big_sim.cloud.request_log)
    seen: list[str] = []
    for page in admin.list_raw("compute", "/servers/detail", "servers",
                               {"all_tenants": "1", "limit": 2500}, page_size=1000,
                               max_items=2500):
        seen.extend(item["id"] for item in page)
    assert len(seen) == 2500
    assert len(set(seen)) == 2500
    gets = [r for r in _requests_since(big_sim, mark) if r.path.endswith("/servers/detail")]
    assert len(gets) <= 3


def test_list_raw_follows_next_links_to_the_end(big_sim: RunningSim,
                                                admin: CloudSession) -> None:
    total = sum(len(page) for page in admin.list_raw(
        "compute", "/servers", "servers", {"all_tenants": "1"}, page_size=1000))
    assert total >= 5000
    pages = list(admin.iter_pages("compute", "/servers/detail", "servers",
                                  {"all_tenants": "1"}, page_size=1000, first_page_size=50,
                                  max_items=1050))
    assert [len(p.items) for p in pages] == [50, 1000]
    assert pages[0].has_more and not pages[-1].has_more


def test_quiet_servers_poll_is_tiny(big_sim: RunningSim, admin: CloudSession) -> None:
    # Let the seeded BUILD servers finish, and their changes fall out of the cursor's overlap.
    _wait_for(lambda: not any(page for page in admin.list_raw(
        "compute", "/servers", "servers", {"all_tenants": "1", "status": "BUILD"},
        page_size=1000)))
    _wait_for(lambda: _nothing_changed_within_overlap(admin))
    lookups = Lookups()
    poller = Poller(admin, kind_for("servers"), all_projects=True, lookups=lookups)
    first = poller.poll()
    assert first.full and len(first.upserts) >= 5000
    assert lookups.name("servers", next(iter(first.upserts))) != ""
    held, names = poller._known, lookups._maps["servers"]
    mark = len(big_sim.cloud.request_log)
    quiet = poller.poll()
    assert not quiet.full and not quiet.upserts and not quiet.removals
    # Nothing changed, nothing copied: copying the state and the names table of a quiet
    # poll of 50,000 servers held the interpreter lock ~10 ms under the user's keys.
    assert poller._known is held and lookups._maps["servers"] is names
    sent = sum(r.bytes_out for r in _requests_since(big_sim, mark))
    assert quiet.requests == 1
    assert sent < 2048, sent
    assert quiet.bytes < 2048


@pytest.fixture
def small(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudSession]:
    with _connect(sim, "simcloud", monkeypatch) as session:
        yield session


def _create_server(session: CloudSession, name: str) -> str:
    images, _ = session.get_json("image", "/images")
    flavors, _ = session.get_json("compute", "/flavors")
    image = next(i for i in images["images"] if i["status"] == "active"
                 and i.get("visibility") == "public" and (i.get("min_ram") or 0) <= 512)
    flavor = min(flavors["flavors"], key=lambda f: (str(f["name"]) != "m1.small", f["id"]))
    # Named: the demo project sees several networks, and Nova never guesses between them.
    networks, _ = session.get_json("network", "/networks", {"name": "private"})
    body, _ = session.request("POST", "compute", "/servers", json={"server": {
        "name": name, "imageRef": image["id"], "flavorRef": flavor["id"],
        "networks": [{"uuid": networks["networks"][0]["id"]}]}},
        description=f"create server {name}")
    return str(body["server"]["id"])


def _settled(session: CloudSession) -> bool:
    body, _ = session.get_json("compute", "/servers", {"status": "BUILD"})
    return not body["servers"]


def test_servers_poll_full_then_incremental(sim: RunningSim, small: CloudSession) -> None:
    _wait_for(lambda: _settled(small))
    poller = Poller(small, kind_for("servers"))
    pages: list[dict[str, Any]] = []
    first = poller.poll(on_page=pages.append)
    assert first.full and first.upserts
    assert pages and sum(len(p) for p in pages) == len(first.upserts)
    assert not poller.poll().changed

    new_id = _create_server(small, "poll-me")
    before = poller.states
    found = poller.poll()
    assert not found.full and new_id in found.upserts
    # A poll that changes something makes a new state: one read before it stays whole.
    assert new_id not in before and new_id in poller.states
    _wait_for(lambda: small.get_json("compute", f"/servers/{new_id}")[0]["server"]["status"]
              == "ACTIVE")
    became_active = poller.poll()
    assert became_active.upserts[new_id]["status"] == "ACTIVE"

    small.request("POST", "compute", f"/servers/{new_id}/action", json={"os-stop": None},
                  description="stop poll-me")
    _wait_for(lambda: small.get_json("compute", f"/servers/{new_id}")[0]["server"]["status"]
              == "SHUTOFF")
    stopped = poller.poll()
    assert stopped.upserts[new_id]["status"] == "SHUTOFF"

    small.request("DELETE", "compute", f"/servers/{new_id}", description="delete poll-me")
    _wait_for(lambda: _gone(small, new_id))
    before = poller.states
    removed = poller.poll()
    assert new_id in removed.removals
    assert new_id not in poller.known_ids and new_id in before


def test_a_packing_poller_keeps_bytes_and_sees_the_same_changes(
        sim: RunningSim, small: CloudSession) -> None:
    """A list of 50,000 keeps packed JSON, not parsed dicts: the whole set comes packed, the
    pages still bring parsed dicts, and later polls see changes as a raw poller does."""
    _wait_for(lambda: _settled(small))
    poller = Poller(small, kind_for("servers"), packed=True)
    pages: list[dict[str, Any]] = []
    first = poller.poll(on_page=pages.append)
    assert first.full and not first.upserts and first.packed
    assert set(first.packed) == {k for page in pages for k in page} == poller.known_ids
    some = next(iter(first.packed))
    state = poller.states[some]
    assert isinstance(state, Packed) and state.raw() == next(
        page[some] for page in pages if some in page)
    assert state["status"] == state.status and state.get("name") == state.raw()["name"]
    assert not poller.poll().changed
    assert poller.states[some] is state  # an unchanged server keeps the object held

    new_id = _create_server(small, "packed-poll")
    found = poller.poll()
    assert not found.full and found.upserts[new_id]["name"] == "packed-poll"
    assert found.packed[new_id] == found.upserts[new_id]
    small.request("DELETE", "compute", f"/servers/{new_id}", description="delete it")
    _wait_for(lambda: _gone(small, new_id))
    assert new_id in poller.poll().removals and new_id not in poller.known_ids


def _gone(session: CloudSession, ident: str) -> bool:
    try:
        session.get_json("compute", f"/servers/{ident}")
    except CloudError as error:
        return error.status == 404
    return False


def test_images_incremental_and_deletions(sim: RunningSim, small: CloudSession) -> None:
    # More images than a full list per poll is worth: Glance's updated_at filter.
    poller = Poller(small, kind_for("images"), resync_every=4, cheap_full_list=0)
    assert poller.strategy == "updated_at"
    assert poller.poll().full
    body, _ = small.request("POST", "image", "/images", json={
        "name": "poll-image", "disk_format": "qcow2", "container_format": "bare"},
        description="create image poll-image")
    ident = body["id"]
    mark = len(sim.cloud.request_log)
    found = poller.poll()
    assert not found.full and ident in found.upserts
    assert any("updated_at=gte" in r.query for r in _requests_since(sim, mark))
    small.request("DELETE", "image", f"/images/{ident}", description="delete poll-image")
    assert ident not in poller.poll().removals  # Glance's filter cannot see a deletion ...
    poller.watch_deletion({ident})
    assert ident in poller.poll().removals  # ... unless asked to look
    assert poller.poll().full  # and every resync_every-th poll is a full one


def test_volume_deletion_seen_without_waiting_for_resync(sim: RunningSim,
                                                         small: CloudSession) -> None:
    poller = Poller(small, kind_for("volumes"))
    assert poller.strategy == "updated_at"
    poller.poll()
    body, _ = small.request("POST", "block-storage", "/volumes",
                            json={"volume": {"size": 1, "name": "poll-volume"}},
                            description="create volume poll-volume")
    ident = body["volume"]["id"]
    assert ident in poller.poll().upserts
    _wait_for(lambda: small.get_json("volume", f"/volumes/{ident}")[0]["volume"]["status"]
              == "available")
    small.request("DELETE", "volume", f"/volumes/{ident}", description="delete poll-volume")
    removed: set[str] = set()

    def gone() -> bool:
        removed.update(poller.poll().removals)
        return ident in removed

    _wait_for(gone)
    assert ident not in poller.known_ids


def test_other_kinds_poll(sim: RunningSim, small: CloudSession) -> None:
    for name in ("volumes", "images", "flavors", "networks", "keypairs", "security-groups"):
        poller = Poller(small, kind_for(name))
        first = poller.poll()
        assert first.full, name
        again = poller.poll()
        assert not again.removals, name
        if poller.strategy == "full":
            assert again.full, name


def test_lookups_refresh_uses_one_list_per_table(sim: RunningSim, small: CloudSession) -> None:
    lookups = Lookups()
    mark = len(sim.cloud.request_log)
    result = lookups.refresh(small, ("flavors", "images", "networks", "projects", "servers"))
    assert not result.errors, result.errors
    assert result.requests == len(_requests_since(sim, mark)) - sum(
        1 for r in _requests_since(sim, mark) if r.path.rstrip("/").endswith(
            ("/identity", "/v3", "/image", "/networking", "/networking/v2.0", "/compute/v2.1",
             "/auth/tokens")))  # version discovery and tokens are not lookups
    assert result.requests <= 6
    body, _ = small.get_json("compute", "/flavors")
    flavor = body["flavors"][0]
    assert lookups.flavor_name(flavor["id"]) == flavor["name"]
    assert lookups.project_name(small.project_id) == "demo"
    assert lookups.name("images", "0123456789-unknown") == "01234567"


def test_server_detail_with_related(sim: RunningSim, small: CloudSession) -> None:
    body, _ = small.get_json("compute", "/servers")
    ident = body["servers"][0]["id"]
    raw, related = fetch_detail(small, kind_for("servers"), ident)
    assert raw["id"] == ident
    assert {"volume_attachments", "ports", "actions"} <= set(related)
    assert related["actions"], "a seeded server has at least its create action"
    ports, _ = small.get_json("network", "/ports", [("device_id", ident)])
    assert {p["port id"] for p in related["ports"]} == {p["id"] for p in ports["ports"]}
    for port in related["ports"]:  # addresses and MAC, not the port's project ids
        listed = next(p for p in ports["ports"] if p["id"] == port["port id"])
        assert port["fixed IPs"] == ", ".join(ip["ip_address"] for ip in listed["fixed_ips"])
        assert port["MAC"] == listed["mac_address"] and "tenant_id" not in port
    # An attached volume by name, as `openstack server show` gives it.
    volumes, _ = small.get_json("block-storage", "/volumes/detail")
    attached = next(v for v in volumes["volumes"] if v["attachments"] and v["name"])
    _raw, related = fetch_detail(small, kind_for("servers"),
                                 attached["attachments"][0]["server_id"])
    assert any(row["volume"] == attached["name"] and row["volume id"] == attached["id"]
               for row in related["volume_attachments"]), related["volume_attachments"]
    with pytest.raises(CloudError) as caught:
        fetch_detail(small, kind_for("servers"), "00000000-0000-0000-0000-000000000000")
    assert caught.value.status == 404


def test_rows_and_details_from_live_data(sim: RunningSim, small: CloudSession) -> None:
    lookups = Lookups()
    # `small` is a member: the admin-only kinds are refused, as test_kind_operator_views checks.
    for kind in (kind for kind in all_kinds() if not kind.admin_only):
        lookups.refresh(small, tables_for(kind, small, all_projects=False))
        poller = Poller(small, kind, lookups=lookups)
        result = poller.poll()
        assert result.upserts, kind.name
        for raw in result.upserts.values():
            row = kind.row(raw, lookups)
            assert row["id"] == kind.id_of(raw)
            assert all(isinstance(v, (str, int, float, type(None))) for v in row.values())
        ident = next(iter(result.upserts))
        raw, _related = fetch_detail(small, kind, ident)
        assert kind.detail_sections(raw, lookups), kind.name
    servers = Poller(small, kind_for("servers")).poll().upserts.values()
    broken = next(s for s in servers if s["status"] == "ERROR")
    row = kind_for("servers").row(broken, lookups)
    assert row["fault"]
    sections = kind_for("servers").detail_sections(fetch_detail(
        small, kind_for("servers"), broken["id"])[0], lookups)
    assert sections[0][0] == "Fault"
    assert dict(sections[0][1])["Message"]
    assert "flavors" not in tables_for(kind_for("servers"), small, all_projects=True)


def test_admin_rows_and_details_from_live_data(sim: RunningSim,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin-only kinds read as an admin, row and detail, as the others read as a member."""
    lookups = Lookups()
    with _connect(sim, "simcloud-admin", monkeypatch) as session:
        for kind in (kind for kind in all_kinds() if kind.admin_only):
            lookups.refresh(session, tables_for(kind, session, all_projects=True))
            result = Poller(session, kind, lookups=lookups, all_projects=True).poll()
            assert result.upserts, kind.name
            for raw in result.upserts.values():
                assert kind.row(raw, lookups)["id"] == kind.id_of(raw)
            raw, _related = fetch_detail(session, kind, next(iter(result.upserts)))
            assert kind.detail_sections(raw, lookups), kind.name


def test_network_detail_lists_subnets(sim: RunningSim, small: CloudSession) -> None:
    network = next(iter(Poller(small, kind_for("networks")).poll().upserts.values()))
    raw, related = fetch_detail(small, kind_for("networks"), network["id"])
    assert related["subnets"]
    assert {s["id"] for s in related["subnets"]} == set(raw["subnets"])


def test_prefetch_asks_for_the_next_page_while_the_caller_works(big_sim: RunningSim,
                                                                 admin: CloudSession) -> None:
    """A long list costs about the longer of the cloud's time and ours, not their sum: the
    next page is on its way while the caller works on this one; the pages are the same."""
    params = {"all_tenants": "1"}
    plain = [item["id"] for page in admin.iter_pages("compute", "/servers/detail", "servers",
                                                     params, page_size=1000)
             for item in page.items]
    mark = len(big_sim.cloud.request_log)

    def lists_read() -> int:
        return sum(1 for r in _requests_since(big_sim, mark)
                   if r.path.endswith("/servers/detail"))

    pages = admin.iter_pages("compute", "/servers/detail", "servers", params, page_size=1000,
                             prefetch=True)
    first = next(pages)
    _wait_for(lambda: lists_read() == 2)  # the second page asked for before we ask
    fetched = [item["id"] for item in first.items]
    fetched += [item["id"] for page in pages for item in page.items]
    assert fetched == plain
    # A caller that stops early drops the page in flight without an error.
    stopped = admin.iter_pages("compute", "/servers/detail", "servers", params,
                               page_size=1000, prefetch=True)
    assert len(next(stopped).items) == 1000
    stopped.close()
