"""python-openstackclient's own parser, to check the commands tuicloud shows (no network)."""

from __future__ import annotations

from typing import Any


def osc_parser_for(argv: list[str]) -> Any:
    """python-openstackclient's own parser for an `openstack ...` argv (no network)."""
    from openstackclient.shell import OpenStackShell

    shell = OpenStackShell()
    for group in ("openstack.common", "openstack.compute.v2", "openstack.image.v2",
                  "openstack.volume.v3", "openstack.network.v2", "openstack.identity.v3"):
        shell.command_manager.add_command_group(group)
    factory, name, rest = shell.command_manager.find_command(argv[1:])
    command = factory(shell, None, cmd_name=name)
    return command.get_parser(f"openstack {name}"), rest
