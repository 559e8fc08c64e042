"""simcloud behaves as the real services do (issue 11): the checks of tests/helpers/likeness.py,
which tests/real/test_sim_likeness_real.py runs against the rig, here against simcloud."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openstack
import pytest
from openstack.config.loader import OpenStackConfig
from openstack.connection import Connection

from tests.helpers import likeness
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud

# One simcloud for the module (tests make their own resources). Actions take 2 s and a
# confirmed resize lingers 4 s, so a client polling right after the answer sees them.
MODULE_SIMCLOUD = SimConfig(servers=6, volumes=4, images=4, build_delay=0.2, action_delay=2.0,
                            confirm_resize_delay=4.0)


@pytest.fixture
def slow_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connection]:
    """The demo user on a simcloud whose actions take 30 s: what must be quick stays quick."""
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=2, volumes=2, images=2, build_delay=0.2,
                                action_delay=30.0), clouds_yaml=clouds) as running:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(running.clouds_yaml))
        connection = openstack.connect(cloud="simcloud")
        yield connection
        connection.close()


def test_deleted_volume_vanishes_at_once(slow_actions: Connection) -> None:
    # The rig takes ~0.15 s; 3 s leaves room for a busy machine, 30 s would be the old model.
    likeness.check_deleted_volume_vanishes(slow_actions, "likeness-gone", within=3.0)


def test_deleted_image_vanishes_at_once(conn: Connection) -> None:
    likeness.check_deleted_image_vanishes(conn, "likeness-image-gone")


def test_glance_errors_html_unless_json(conn: Connection) -> None:
    likeness.check_glance_errors_html_unless_json(conn, "likeness-publicize")


@pytest.fixture(scope="module")
def server_id(msim: RunningSim) -> Iterator[str]:
    """An ACTIVE m1.tiny server (cirros) of the demo project, without a network."""
    config = OpenStackConfig(config_files=[str(msim.clouds_yaml)])
    connection = Connection(config=config.get_one(cloud="simcloud"))
    image = connection.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
    tiny = connection.compute.find_flavor("m1.tiny", ignore_missing=False)
    ident = likeness.boot(connection, "likeness-vm", image.id, tiny.id)
    yield ident
    connection.compute.delete_server(ident)
    connection.close()


def test_resize_confirm_lingers_and_revert_passes_revert_resize(conn: Connection,
                                                                server_id: str) -> None:
    small = conn.compute.find_flavor("m1.small", ignore_missing=False)
    tiny = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
    confirm, revert = likeness.check_resize_confirm_and_revert(conn, server_id, small.id,
                                                               tiny.id)
    # Polled at once, simcloud's windows (4 s and 2 s here) are always seen.
    assert confirm == [("VERIFY_RESIZE", None), ("ACTIVE", None)]
    assert revert == [("REVERT_RESIZE", "resize_reverting"), ("ACTIVE", None)]


def test_confirm_twice_is_refused_while_it_settles(conn: Connection, server_id: str) -> None:
    small = conn.compute.find_flavor("m1.small", ignore_missing=False)
    tiny = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
    current = conn.compute.get_server(server_id).flavor
    target = tiny.id if current.original_name == "m1.small" else small.id
    conn.compute.resize_server(server_id, target)
    likeness.poll(lambda: conn.compute.get_server(server_id).status == "VERIFY_RESIZE",
                  "VERIFY_RESIZE")
    conn.compute.confirm_server_resize(server_id)
    for verb in ("confirmResize", "revertResize"):
        again = likeness.call(conn, "compute", "POST", f"/servers/{server_id}/action",
                              json={verb: None})
        assert again.json() == {"badRequest": {"code": 400,
                                               "message": "Instance has not been resized."}}
    likeness.poll(lambda: conn.compute.get_server(server_id).status == "ACTIVE", "ACTIVE")


def test_console_ends_in_partial_line(conn: Connection, server_id: str) -> None:
    full = likeness.check_console_ends_in_partial_line(conn, server_id)
    assert "likeness-vm login: " in full


def test_metadata_and_description_validation(conn: Connection, server_id: str) -> None:
    likeness.check_metadata_and_description_validation(conn, server_id)


def test_hypervisor_show(conn: Connection, admin: Connection) -> None:
    likeness.check_hypervisor_show(admin, conn)


def test_server_groups(conn: Connection) -> None:
    likeness.check_server_groups(conn, "likeness-group")


def test_pre_2_36_proxies(conn: Connection) -> None:
    likeness.check_pre_2_36_proxies(conn, "public")


def test_volume_type_management(conn: Connection, admin: Connection) -> None:
    likeness.check_volume_type_management(admin, conn, "likeness-type")


def test_volume_quota_update_rules(conn: Connection, admin: Connection) -> None:
    likeness.check_volume_quota_update_rules(admin, conn.current_project_id)


def test_neutron_tags(conn: Connection) -> None:
    likeness.check_neutron_tags(conn, "likeness-tags")


def test_image_members(conn: Connection, admin: Connection) -> None:
    likeness.check_image_members(conn, admin, "likeness-shared")


def test_domains_and_system_scope(conn: Connection, admin: Connection) -> None:
    likeness.check_domains_and_system_scope(admin, conn)


def test_neutron_networking(conn: Connection, admin: Connection) -> None:
    likeness.check_neutron_networking(admin, conn, "likeness-net")


def test_neutron_errors(conn: Connection) -> None:
    likeness.check_neutron_errors(conn, "likeness-errors")


def test_volume_attachment_update(conn: Connection, server_id: str) -> None:
    likeness.check_volume_attachment_update(conn, server_id, "likeness-vol")


def test_aggregates(conn: Connection, admin: Connection) -> None:
    likeness.check_aggregates(admin, conn, "likeness-agg")


def test_simple_tenant_usage(conn: Connection, admin: Connection, server_id: str) -> None:
    likeness.check_simple_tenant_usage(admin, conn, server_id)


def test_volume_attachments_api(conn: Connection) -> None:
    likeness.check_volume_attachments_api(conn, "likeness-att")


def test_boot_never_guesses_between_networks(conn: Connection) -> None:
    image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
    tiny = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
    likeness.check_boot_never_guesses_between_networks(conn, "likeness-net", image.id, tiny.id)


def test_microversion_errors(conn: Connection) -> None:
    likeness.check_microversion_errors(conn)
