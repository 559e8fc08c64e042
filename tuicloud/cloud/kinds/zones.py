"""Compute availability zones (Nova, admin only: the detail needs the admin role): each zone's
state and its hosts with their services, as ``openstack availability zone list --long`` for
compute. Nova lists a zone's enabled services only; a zone whose services are all disabled is
unavailable and lists no host."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.kinds.base import Column, Raw, ResourceKind, Row, Sections, StatusClass, text

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["ZONES", "zone_hosts"]


def _hosts(raw: Raw) -> dict[str, dict[str, Any]]:
    hosts = raw.get("hosts")
    return {str(h): s for h, s in hosts.items() if isinstance(s, dict)} \
        if isinstance(hosts, dict) else {}


def zone_hosts(raw: Raw) -> list[str]:
    """The zone's hosts, by name."""
    return sorted(_hosts(raw))


def _state(raw: Raw) -> str:
    state = raw.get("zoneState")
    if not isinstance(state, Mapping) or state.get("available") is None:
        return ""
    return "available" if state.get("available") else "unavailable"


def _services(raw: Raw) -> list[tuple[str, str, bool]]:
    """(host, binary, up) for each service Nova lists in the zone."""
    return [(host, str(binary), bool(isinstance(info, Mapping) and info.get("available")))
            for host, services in sorted(_hosts(raw).items())
            for binary, info in sorted(services.items())]


def _services_summary(raw: Raw) -> str:
    services = _services(raw)
    down = sum(1 for _h, _b, up in services if not up)
    if not services:
        return ""
    return f"{len(services) - down} up" + (f", {down} down" if down else "")


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A zone's row: state, its hosts and how many of their services are up."""
    hosts = zone_hosts(raw)
    return {
        "name": text(raw.get("zoneName")),
        "state": _state(raw),
        "count": len(hosts),
        "services": _services_summary(raw),
        "hosts": ", ".join(hosts),
    }


def status_class(value: object) -> StatusClass | None:
    """Available is fine; an unavailable zone takes no server."""
    value = str(value or "")
    if value == "available":
        return "ok"
    return "error" if value == "unavailable" else None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The zone, then each host's services and whether each is up."""
    sections: Sections = [("Zone", [(k, v) for k, v in [
        ("Name", text(raw.get("zoneName"))),
        ("State", _state(raw)),
        ("Hosts", str(len(zone_hosts(raw)))),
    ] if v])]
    by_host: dict[str, list[str]] = {}
    for host, binary, up in _services(raw):
        by_host.setdefault(host, []).append(f"{binary} {'up' if up else 'down'}")
    if by_host:  # Nova lists enabled services only
        sections.append(("Hosts", [(host, ", ".join(words))
                                   for host, words in by_host.items()]))
    return sections


ZONES = ResourceKind(
    name="zones",
    title="Availability zones",
    aliases=("availability-zones", "az", "zone"),
    service_type="compute",
    list_path="/os-availability-zone/detail",
    list_key="availabilityZoneInfo",
    show_path="/os-availability-zone/detail",
    show_key="availabilityZoneInfo",
    show_from_list=True,
    paged=False,
    page_size=None,
    columns=(
        Column("name", "Zone", 16, 0),
        Column("state", "State", 11, 0),
        Column("count", "Hosts", 5, 1, numeric=True),
        Column("services", "Services", 14, 1),
        Column("hosts", "Host names", 40, 2),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key="state",
    id_key="zoneName",
    admin_only=True,
    name_key="zoneName",
)
