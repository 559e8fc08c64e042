"""Host aggregate actions (Nova, admin): create (a form, ``screens/forms/create_aggregate.py``)
with an optional availability zone, add and remove a compute host, set a metadata key, and
delete (Nova refuses an aggregate that still has hosts, and says so)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.kinds.aggregates import aggregate_hosts
from tuicloud.cloud.operations.base import (
    Choice,
    KindOperations,
    Needs,
    Operation,
    Raw,
    always_available,
    name_of,
    require,
    rid,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "aggregate_command", "create_aggregate", "parse_property",
           "validate_zone"]

_KEY = re.compile(r"[a-zA-Z0-9-_:. ]{1,255}")  # Nova's schema for a metadata key


def validate_zone(text: str) -> str | None:
    """An availability zone name as Nova takes it (no ':', which separates zone and host)."""
    if ":" in text:
        return "no ':' in a zone name (Nova reads it as zone:host)"
    if len(text) > 255:
        return "at most 255 characters"
    return None


def aggregate_command(name: str, zone: str) -> list[str]:
    """``openstack aggregate create [--zone Z] NAME``."""
    return ["openstack", "aggregate", "create", *(["--zone", zone] if zone else []), name]


def create_aggregate(session: CloudSession, name: str, zone: str) -> str | None:
    """Create it; returns its id (blocking; ReadOnlyError before sending)."""
    aggregate: dict[str, Any] = {"name": name}
    if zone:
        aggregate["availability_zone"] = zone
    body, _ = session.request("POST", "compute", "/os-aggregates",
                              json={"aggregate": aggregate},
                              description=f"create host aggregate {name}")
    made = body.get("aggregate") if isinstance(body, dict) else None
    return str(made["id"]) if isinstance(made, dict) and made.get("id") is not None else None


def parse_property(text: str) -> tuple[str, str]:
    """"key=value" as (key, value); ValueError saying what is wrong."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep:
        raise ValueError("key=value (e.g. ssd=true)")
    if not _KEY.fullmatch(key):
        raise ValueError("a key of letters, digits, spaces and - _ : . (at most 255)")
    if len(value) > 255:
        raise ValueError("a value of at most 255 characters")
    return key, value.strip()


def _check_property(raw: Raw, text: str) -> str | None:
    try:
        parse_property(text)
    except ValueError as error:
        return str(error)
    return None


def _action(session: CloudSession, raw: Raw, body: dict[str, Any], what: str) -> None:
    session.request("POST", "compute", f"/os-aggregates/{rid(raw)}/action", json=body,
                    description=f"{what} host aggregate {name_of(raw)}")


def _hosts_to_add(session: CloudSession, raw: Raw) -> list[Choice]:
    """Every compute host; those in the aggregate already shown but not pickable."""
    body, _ = session.get_json("compute", "/os-services", {"binary": "nova-compute"})
    has = set(aggregate_hosts(raw))
    hosts = sorted({str(s.get("host")) for s in body.get("services", []) if s.get("host")})
    return [Choice(host, host, "in this aggregate already" if host in has else None)
            for host in hosts]


def _hosts_in(session: CloudSession, raw: Raw) -> list[Choice]:
    return [Choice(host, host) for host in aggregate_hosts(raw)]


def _no_hosts(raw: Raw) -> str | None:
    return None if aggregate_hosts(raw) else "no host in it"


def _add_host(session: CloudSession, raw: Raw, value: str | None) -> None:
    _action(session, raw, {"add_host": {"host": require(value, "a host")}}, "add a host to")


def _remove_host(session: CloudSession, raw: Raw, value: str | None) -> None:
    _action(session, raw, {"remove_host": {"host": require(value, "a host")}},
            "remove a host from")


def _set_property(session: CloudSession, raw: Raw, value: str | None) -> None:
    key, text = parse_property(require(value, "key=value"))
    _action(session, raw, {"set_metadata": {"metadata": {key: text}}}, "set metadata on")


def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "compute", f"/os-aggregates/{rid(raw)}",
                    description=f"delete host aggregate {name_of(raw)}")


def _cli(*words: str) -> list[str]:
    return ["openstack", "aggregate", *words]


OPERATIONS = KindOperations("aggregates", "host aggregate", (
    Operation(
        "aggregate.add_host", "aggregates", "Add host…", always_available, _add_host,
        lambda raw, v: _cli("add", "host", rid(raw), str(v)),
        needs=Needs("Host to add", "<host>", choices=_hosts_to_add),
        keywords=("host", "join"), single=True, admin_only=True),
    Operation(
        "aggregate.remove_host", "aggregates", "Remove host…", _no_hosts, _remove_host,
        lambda raw, v: _cli("remove", "host", rid(raw), str(v)),
        needs=Needs("Host to remove", "<host>", choices=_hosts_in),
        destructive=True, keywords=("host", "leave"), single=True, admin_only=True),
    Operation(
        "aggregate.set_property", "aggregates", "Set metadata…", always_available,
        _set_property, lambda raw, v: _cli("set", "--property", str(v), rid(raw)),
        needs=Needs("Metadata key=value", "<key=value>", validate=_check_property),
        keywords=("property", "metadata", "key"), admin_only=True),
    Operation(
        "aggregate.delete", "aggregates", "Delete", always_available, _delete,
        lambda raw, _v: _cli("delete", rid(raw)),
        destructive=True, deletes=True, keywords=("remove",), admin_only=True),
))
