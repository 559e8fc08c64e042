"""What only an admin does to a server (Nova's default policy): migrate it cold (then confirm
or revert, as a resize), live-migrate it (to the scheduler's choice or a named host), evacuate
it from a dead host, reset its state, and force-delete it. Listed in the server's actions for
admins only; Nova answers 403 to anyone else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuicloud.cloud.operations.base import (
    Choice,
    Cli,
    Needs,
    Operation,
    Raw,
    Unavailable,
    name_of,
    require,
    rid,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["ADMIN_OPERATIONS", "SCHEDULER"]

SCHEDULER = "*"
"""The host picker's value for "let the scheduler choose"."""

HOST_KEY = "OS-EXT-SRV-ATTR:host"


def _settled_in(*states: str) -> Unavailable:
    def unavailable(raw: Raw) -> str | None:
        if raw.get("OS-EXT-STS:task_state"):
            return f"server is busy: {raw.get('OS-EXT-STS:task_state')}"
        current = str(raw.get("status") or "").upper()
        return None if current in states else f"server is {current}"
    return unavailable


def _hosts(session: CloudSession, raw: Raw) -> list[Choice]:
    """The scheduler's choice, then every compute host; where the server is, and a disabled
    or down host, shown but not pickable (the scheduler would refuse it too)."""
    body, _ = session.get_json("compute", "/os-services", {"binary": "nova-compute"})
    here = str(raw.get(HOST_KEY) or "")
    choices = [Choice(SCHEDULER, "the scheduler's choice")]
    for service in sorted(body.get("services", []), key=lambda s: str(s.get("host"))):
        host = str(service.get("host"))
        why = ("the server is here" if host == here
               else f"disabled: {service.get('disabled_reason') or 'no reason given'}"
               if service.get("status") == "disabled"
               else "its compute service is down" if service.get("state") != "up" else None)
        choices.append(Choice(host, host, why))
    return choices


def _host(value: str | None) -> str | None:
    chosen = require(value, "a host")
    return None if chosen == SCHEDULER else chosen


def _migrate(session: CloudSession, raw: Raw, value: str | None) -> None:
    host = _host(value)
    # A named host needs compute 2.56; the scheduler's choice works with any.
    body: dict[str, Any] = {"migrate": {"host": host} if host else None}
    session.request("POST", "compute", f"/servers/{rid(raw)}/action", json=body,
                    description=f"migrate server {name_of(raw)}")


def _live_migrate(session: CloudSession, raw: Raw, value: str | None) -> None:
    session.request("POST", "compute", f"/servers/{rid(raw)}/action",
                    json={"os-migrateLive": {"host": _host(value), "block_migration": "auto"}},
                    description=f"live-migrate server {name_of(raw)}")


def _migrate_cli(live: bool) -> Cli:
    def cli(raw: Raw, value: str | None) -> list[str]:
        command = ["openstack", "server", "migrate"]
        if live:
            command.append("--live-migration")
        if value and value != SCHEDULER:
            command += ["--host", value]
        return [*command, rid(raw)]
    return cli


def _reset(session: CloudSession, raw: Raw, value: str | None) -> None:
    state = require(value, "a state")
    session.request("POST", "compute", f"/servers/{rid(raw)}/action",
                    json={"os-resetState": {"state": state}},
                    description=f"reset the state of server {name_of(raw)} to {state}")


def _states(session: CloudSession, raw: Raw) -> list[Choice]:
    return [Choice("active", "active (Nova forgets the task; the hypervisor is not asked)"),
            Choice("error", "error (so it can be deleted or rebuilt)")]


def _host_down(raw: Raw) -> str | None:
    """Evacuation rebuilds a server elsewhere: only from a host whose compute service is down
    (Nova's host_status, admin-visible from compute 2.16; Nova refuses "still in use")."""
    status = str(raw.get("host_status") or "")
    if status in ("DOWN", "UNKNOWN"):
        return _settled_in("ACTIVE", "SHUTOFF", "ERROR")(raw)
    return (f"its host's compute service is {status or 'not known to be down'}: evacuate "
            "only from a down (or forced down) host")


def _evacuate(session: CloudSession, raw: Raw, value: str | None) -> None:
    host = _host(value)
    session.request("POST", "compute", f"/servers/{rid(raw)}/action",
                    json={"evacuate": {"host": host} if host else {}},
                    description=f"evacuate server {name_of(raw)}")


def _evacuate_cli(raw: Raw, value: str | None) -> list[str]:
    command = ["openstack", "server", "evacuate"]
    if value and value != SCHEDULER:
        command += ["--host", value]
    return [*command, rid(raw)]


def _force_delete(session: CloudSession, raw: Raw, value: str | None) -> None:
    session.request("POST", "compute", f"/servers/{rid(raw)}/action",
                    json={"forceDelete": None},
                    description=f"force-delete server {name_of(raw)}")


def _idle(raw: Raw) -> str | None:
    task = raw.get("OS-EXT-STS:task_state")
    return f"server is busy: {task} (Nova force-deletes only without a task)" if task else None


ADMIN_OPERATIONS = (
    Operation(
        "server.migrate", "servers", "Migrate (cold)…", _settled_in("ACTIVE", "SHUTOFF"),
        _migrate, _migrate_cli(False),
        needs=Needs("Move to", "<host>", choices=_hosts), destructive=True,
        transitional="resize_prep", keywords=("move", "host", "drain", "admin"), single=True,
        admin_only=True),
    Operation(
        "server.live_migrate", "servers", "Live-migrate…", _settled_in("ACTIVE", "PAUSED"),
        _live_migrate, _migrate_cli(True),
        needs=Needs("Move to", "<host>", choices=_hosts), destructive=True,
        transitional="migrating", keywords=("move", "host", "drain", "admin"), single=True,
        admin_only=True),
    Operation(
        "server.evacuate", "servers", "Evacuate…", _host_down, _evacuate, _evacuate_cli,
        needs=Needs("Rebuild on", "<host>", choices=_hosts), destructive=True,
        transitional="rebuilding", keywords=("dead", "down", "host", "rebuild", "admin"),
        single=True, admin_only=True),
    Operation(
        "server.force_delete", "servers", "Force delete", _idle, _force_delete,
        lambda raw, _v: ["openstack", "server", "delete", "--force", rid(raw)],
        destructive=True, deletes=True, transitional="deleting",
        keywords=("stuck", "remove", "admin"), admin_only=True),
    Operation(
        "server.reset_state", "servers", "Reset state…", lambda raw: None, _reset,
        lambda raw, v: ["openstack", "server", "set", "--state", str(v), rid(raw)],
        needs=Needs("Set the state to", "<state>", choices=_states), destructive=True,
        keywords=("stuck", "error", "admin"), single=True, admin_only=True),
)
