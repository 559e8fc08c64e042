"""The likeness checks (tests/helpers/likeness.py) against the real rig: what simcloud is held to in
tests/simcloud/test_sim_likeness.py must hold for the real services (`make test-real`)."""

from __future__ import annotations

from openstack.connection import Connection

from tests.helpers import likeness


def test_deleted_volume_vanishes_at_once(demo_sdk: Connection, prefix: str) -> None:
    took = likeness.check_deleted_volume_vanishes(demo_sdk, prefix + "gone", within=30.0)
    print(f"volume gone {took:.2f} s after DELETE")


def test_deleted_image_vanishes_at_once(demo_sdk: Connection, prefix: str) -> None:
    likeness.check_deleted_image_vanishes(demo_sdk, prefix + "image-gone")


def test_glance_errors_html_unless_json(demo_sdk: Connection, prefix: str) -> None:
    likeness.check_glance_errors_html_unless_json(demo_sdk, prefix + "publicize")


def test_resize_confirm_and_revert(demo_sdk: Connection, server: str) -> None:
    small = demo_sdk.compute.find_flavor("m1.small", ignore_missing=False)
    tiny = demo_sdk.compute.find_flavor("m1.tiny", ignore_missing=False)
    confirm, revert = likeness.check_resize_confirm_and_revert(demo_sdk, server, small.id,
                                                               tiny.id)
    print(f"after confirm: {confirm}; after revert: {revert}")


def test_console_ends_in_partial_line(demo_sdk: Connection, server: str) -> None:
    assert likeness.check_console_ends_in_partial_line(demo_sdk, server) == (
        "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE")


def test_metadata_and_description_validation(demo_sdk: Connection, server: str) -> None:
    likeness.check_metadata_and_description_validation(demo_sdk, server)


def test_hypervisor_show(admin_sdk: Connection, demo_sdk: Connection) -> None:
    likeness.check_hypervisor_show(admin_sdk, demo_sdk)


def test_server_groups(demo_sdk: Connection, prefix: str) -> None:
    likeness.check_server_groups(demo_sdk, prefix + "group")


def test_pre_2_36_proxies(demo_sdk: Connection) -> None:
    likeness.check_pre_2_36_proxies(demo_sdk, "public")


def test_volume_type_management(admin_sdk: Connection, demo_sdk: Connection,
                                prefix: str) -> None:
    likeness.check_volume_type_management(admin_sdk, demo_sdk, prefix + "type")


def test_volume_quota_update_rules(admin_sdk: Connection, demo_sdk: Connection) -> None:
    likeness.check_volume_quota_update_rules(admin_sdk, demo_sdk.current_project_id)


def test_neutron_tags(demo_sdk: Connection, prefix: str) -> None:
    likeness.check_neutron_tags(demo_sdk, prefix + "tags")


def test_image_members(demo_sdk: Connection, admin_sdk: Connection, prefix: str) -> None:
    likeness.check_image_members(demo_sdk, admin_sdk, prefix + "shared")


def test_domains_and_system_scope(admin_sdk: Connection, demo_sdk: Connection) -> None:
    likeness.check_domains_and_system_scope(admin_sdk, demo_sdk)


def test_neutron_networking(admin_sdk: Connection, demo_sdk: Connection, prefix: str) -> None:
    likeness.check_neutron_networking(admin_sdk, demo_sdk, prefix + "net")


def test_neutron_errors(demo_sdk: Connection, prefix: str) -> None:
    likeness.check_neutron_errors(demo_sdk, prefix + "errors")


def test_volume_attachment_update(demo_sdk: Connection, server: str, prefix: str) -> None:
    likeness.check_volume_attachment_update(demo_sdk, server, prefix + "vol")


def test_aggregates(admin_sdk: Connection, demo_sdk: Connection, prefix: str) -> None:
    likeness.check_aggregates(admin_sdk, demo_sdk, prefix + "agg")


def test_simple_tenant_usage(admin_sdk: Connection, demo_sdk: Connection, server: str) -> None:
    likeness.check_simple_tenant_usage(admin_sdk, demo_sdk, server)


def test_volume_attachments_api(demo_sdk: Connection, prefix: str) -> None:
    likeness.check_volume_attachments_api(demo_sdk, prefix + "att")


def test_boot_never_guesses_between_networks(demo_sdk: Connection, prefix: str) -> None:
    image = demo_sdk.image.find_image("fake-image", ignore_missing=False)
    tiny = demo_sdk.compute.find_flavor("m1.tiny", ignore_missing=False)
    likeness.check_boot_never_guesses_between_networks(demo_sdk, prefix + "net", image.id,
                                                       tiny.id)


def test_keystone_groups(admin_sdk: Connection, prefix: str) -> None:
    likeness.check_keystone_groups(admin_sdk, prefix)


def test_microversion_errors(demo_sdk: Connection) -> None:
    likeness.check_microversion_errors(demo_sdk)
