"""Every list view against the rig shows what the API reports, and each row's detail opens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, shown, table, wait_until
from tests.real import rig
from tuicloud.cloud.kinds.registry import kind_for
from tuicloud.screens.detail import DetailScreen
from tuicloud.screens.resource_list import ResourceListScreen


@pytest.fixture(scope="module")
def seeded(server: str, module_prefix: str, demo_sdk: Connection) -> Iterator[dict[str, str]]:
    """A server, a volume, its snapshot, a server group holding nothing, a key pair, a
    floating IP, a router, a network with a subnet and a port, an application credential, so
    that every demo list has a row of ours."""
    volume = demo_sdk.block_storage.create_volume(size=1, name=module_prefix + "vol")
    rig.volume_status(demo_sdk, volume.id, "available")
    snapshot = demo_sdk.block_storage.create_snapshot(volume_id=volume.id,
                                                      name=module_prefix + "snap")
    rig.wait_for(lambda: demo_sdk.block_storage.get_snapshot(snapshot.id).status == "available",
                 "snapshot available")
    group = demo_sdk.compute.create_server_group(name=module_prefix + "group",
                                                 policy="anti-affinity")
    demo_sdk.compute.create_keypair(name=module_prefix + "key")
    demo_sdk.network.find_security_group("default", project_id=demo_sdk.current_project_id)
    public = demo_sdk.network.find_network("public", ignore_missing=False)
    address = demo_sdk.network.create_ip(floating_network_id=public.id,
                                         description=module_prefix + "fip")
    router = demo_sdk.network.create_router(name=module_prefix + "router",
                                            external_gateway_info={"network_id": public.id})
    network = demo_sdk.network.create_network(name=module_prefix + "net")
    subnet = demo_sdk.network.create_subnet(network_id=network.id, name=module_prefix + "subnet",
                                            ip_version=4, cidr="10.81.0.0/24")
    port = demo_sdk.network.create_port(network_id=network.id, name=module_prefix + "port")
    credential = demo_sdk.identity.create_application_credential(
        demo_sdk.current_user_id, name=module_prefix + "cred", roles=[{"name": "reader"}])
    container = module_prefix + "container"
    demo_sdk.object_store.create_container(container)
    yield {"containers": container, "servers": server, "volumes": volume.id,
           "keypairs": module_prefix + "key",
           "snapshots": snapshot.id, "server-groups": group.id, "floating-ips": address.id,
           "routers": router.id, "subnets": subnet.id, "ports": port.id,
           "app-credentials": credential.id,
           # enter on another project would switch to it: the detail opens on the one in use
           "my-projects": str(demo_sdk.current_project_id)}
    demo_sdk.object_store.delete_container(container)  # Swift keeps no project's leftovers


def _ids(items: Any, key: str = "id") -> dict[str, str]:
    return {str(getattr(item, key)): str(item.name or "") for item in items}


# view -> what the API lists for the demo user (id -> name), by the SDK's own GETs.
API_LISTS: dict[str, Callable[[Connection], dict[str, str]]] = {
    "servers": lambda c: _ids(c.compute.servers()),
    "volumes": lambda c: _ids(c.block_storage.volumes()),
    "images": lambda c: _ids(c.image.images()),
    "flavors": lambda c: _ids(c.compute.flavors()),
    "networks": lambda c: _ids(c.network.networks()),
    "keypairs": lambda c: _ids(c.compute.keypairs(), "name"),
    "security-groups": lambda c: _ids(c.network.security_groups(
        project_id=c.current_project_id)),
    "snapshots": lambda c: _ids(c.block_storage.snapshots()),
    "server-groups": lambda c: _ids(c.compute.server_groups()),
    # No names: the address stands in the Name column.
    "floating-ips": lambda c: {str(a.id): str(a.floating_ip_address)
                               for a in c.network.ips(project_id=c.current_project_id)},
    "routers": lambda c: _ids(c.network.routers(project_id=c.current_project_id)),
    "subnets": lambda c: _ids(c.network.subnets()),
    # An unnamed port shows its short id, as `openstack port list` users know it.
    "ports": lambda c: {str(p.id): str(p.name or p.id[:8]) for p in c.network.ports()},
    # Rules have no name: their group's stands in (from the lookups, after the first page).
    "security-group-rules": lambda c: _rule_groups(c),
    # The demo user's own, in every project (Keystone keeps them under the user).
    "app-credentials": lambda c: _ids(c.identity.application_credentials(c.current_user_id)),
    # The projects the user may scope to (Keystone's own list of them).
    "my-projects": lambda c: _ids(c.identity.user_projects(c.current_user_id)),
    # A container's name is its id.
    "containers": lambda c: {str(x.name): str(x.name) for x in c.object_store.containers()},
}


def _rule_groups(conn: Connection) -> dict[str, str]:
    groups = {str(g.id): str(g.name) for g in conn.network.security_groups()}
    return {str(r.id): groups.get(str(r.security_group_id), str(r.security_group_id)[:8])
            for r in conn.network.security_group_rules()}


def _name(row: Any) -> str:
    value = (row or {}).get("name")
    return str(getattr(value, "plain", value) or "")


@pytest.mark.parametrize("view", list(API_LISTS))
async def test_list_shows_what_the_api_reports_and_details_open(
        view: str, seeded: dict[str, str], demo_sdk: Connection) -> None:
    expected = API_LISTS[view](demo_sdk)
    assert expected, f"the rig lists no {view}"
    app = make_app(cloud="real-demo", view=view)
    async with app.run_test(size=(160, 50)) as pilot:
        grid = await loaded(pilot, app)
        await wait_until(pilot, lambda: set(grid.visible_ids()) >= set(expected)
                         and all(_name(grid.get_row(i)) == n for i, n in expected.items()),
                         timeout=rig.SLOW, what=f"every {view} row, by name")
        named = {ident: _name(grid.get_row(ident)) for ident in grid.visible_ids()}
        # Rows beyond the API's answer could only be made since; none are ours to expect.
        assert {i: n for i, n in named.items() if i in expected} == expected
        target = seeded.get(view) or sorted(expected)[0]
        grid.cursor_id = target
        await pilot.press("enter")
        if kind_for(view).opens is not None:  # enter opens a list of its own (a container's
            # objects), backspace comes back to the row
            await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                             and app.screen.kind.nested
                             and app.screen.freshness.state == "fresh", timeout=rig.SLOW,
                             what="the inner list")
            await pilot.press("backspace")
            await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen)
                             and app.screen.kind.name == view, what="back")
            assert table(app).cursor_id == target
            return
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen)
                         and app.screen.raw is not None, timeout=rig.SLOW, what="detail")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        assert detail.raw is not None
        assert detail.kind.id_of(detail.raw) == target
        if expected[target]:
            await shown(pilot, app, expected[target][:20], timeout=rig.SLOW)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DetailScreen), what="back")
        assert table(app).cursor_id == target


async def test_server_and_volume_status_match_the_api(seeded: dict[str, str],
                                                      demo_sdk: Connection) -> None:
    """The Status cells say what Nova and Cinder report for the same resource."""
    server = demo_sdk.compute.get_server(seeded["servers"])
    app = make_app(cloud="real-demo", view="servers")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: rig.status_of(app, server.id) == server.status,
                         timeout=rig.SLOW, what="server status")
    volume = demo_sdk.block_storage.get_volume(seeded["volumes"])
    app = make_app(cloud="real-demo", view="volumes")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: rig.status_of(app, volume.id) == volume.status,
                         timeout=rig.SLOW, what="volume status")


def test_the_run_works_in_its_own_project(demo_sdk: Connection, run_clouds: object) -> None:
    """The SDK side of every comparison is the run's project, as the app's is."""
    project = demo_sdk.identity.get_project(demo_sdk.current_project_id)
    assert project.name.endswith("-project") and project.name.startswith("rt")


def test_every_view_is_checked_against_the_api() -> None:
    """A new kind joins the comparison above (or this fails). The admin-only kinds are the
    demo user's to be refused; test_real_operator_views compares them as admin."""
    from tuicloud.cloud.kinds.registry import all_kinds

    assert set(API_LISTS) == {kind.name for kind in all_kinds() if not kind.admin_only}
