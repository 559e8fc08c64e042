"""Host aggregates (Nova, admin only): groups of compute hosts with metadata the scheduler
matches against flavors, and the availability zone an aggregate makes of its hosts, as
``openstack aggregate list --long``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    pairs,
    text,
    time_field,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["AGGREGATES", "aggregate_hosts", "properties"]

ZONE_KEY = "availability_zone"  # kept in the metadata; shown in a column of its own


def aggregate_hosts(raw: Raw) -> list[str]:
    """The aggregate's hosts (the create answer has none)."""
    hosts = raw.get("hosts")
    return [str(h) for h in hosts] if isinstance(hosts, list) else []


def properties(raw: Raw) -> list[tuple[str, str]]:
    """The metadata but the zone, as (key, value) pairs."""
    return [(k, v) for k, v in pairs(raw.get("metadata")) if k != ZONE_KEY]


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """An aggregate's row."""
    hosts = aggregate_hosts(raw)
    return {
        "name": text(raw.get("name")),
        "zone": text(raw.get(ZONE_KEY)),
        "count": len(hosts),
        "hosts": ", ".join(hosts),
        "properties": ", ".join(f"{k}={v}" for k, v in properties(raw)),
    }


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The aggregate, its hosts and its metadata."""
    sections: Sections = [("Aggregate", [(k, v) for k, v in [
        ("Name", text(raw.get("name"))),
        ("ID", text(raw.get("id"))),
        ("UUID", text(raw.get("uuid"))),
        ("Availability zone", text(raw.get(ZONE_KEY))),
        ("Created", time_field(raw.get("created_at"))),
        ("Updated", time_field(raw.get("updated_at"))),
    ] if v])]
    hosts = aggregate_hosts(raw)
    sections.append(("Hosts", [(host, "") for host in hosts] or [("(none)", "")]))
    metadata = properties(raw)
    if metadata:
        sections.append(("Metadata", metadata))
    return sections


AGGREGATES = ResourceKind(
    name="aggregates",
    title="Host aggregates",
    aliases=("aggregate", "agg", "host-aggregates"),
    service_type="compute",
    list_path="/os-aggregates",
    list_key="aggregates",
    show_path="/os-aggregates/{id}",
    show_key="aggregate",
    paged=False,  # Nova takes no limit here
    page_size=None,
    columns=(
        Column("name", "Name", 20, 0),
        Column("zone", "Zone", 12, 0),
        Column("count", "Hosts", 5, 0, numeric=True),
        Column("hosts", "Host names", 30, 1),
        Column("properties", "Metadata", 30, 2),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=lambda _value: None,
    status_key=None,
    admin_only=True,
    create_form="create_aggregate",
)
