"""Hypervisors (Nova, admin only): each compute host's state and status, and how full it is.

Nova stopped reporting vCPUs, RAM and disk used at compute 2.88; placement is where they live
now (and where the scheduler reads them): a hypervisor's id is its resource provider's uuid,
whose inventories (total, reserved, allocation ratio) and usages give "used of capacity" as
the scheduler sees it. :func:`add_placement_usage` adds them to each listed hypervisor.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.base import (
    Column,
    Jump,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    text,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.lookups import Lookups

__all__ = ["HYPERVISORS", "add_placement_usage", "capacity", "usage_bar"]

log = logging.getLogger("tuicloud.cloud")

USAGE_KEY = "tuicloud:usage"
"""Where the placement figures go in a hypervisor's document: {class: (used, capacity)}."""

RESOURCES = (("VCPU", "vcpus", "vCPUs", 1), ("MEMORY_MB", "ram", "RAM GiB", 1024),
             ("DISK_GB", "disk", "Disk GB", 1))
"""(placement resource class, row key, what the user reads, unit shown)."""
BAR = 8


def capacity(inventory: dict[str, Any]) -> int:
    """What the scheduler may place: (total - reserved) × allocation ratio."""
    total = int(inventory.get("total") or 0)
    reserved = int(inventory.get("reserved") or 0)
    ratio = float(inventory.get("allocation_ratio") or 1.0)
    return max(0, int((total - reserved) * ratio))


PLACEMENT_WORKERS = 4
"""Hosts read from placement at once: two GETs each, so a 40-host cloud costs ten round trips
of latency instead of eighty."""


def _usage_of(session: CloudSession, ident: str) -> dict[str, tuple[int, int]] | None:
    """{resource class: (used, capacity)} of one provider; None when placement has none."""
    try:
        inventories, _ = session.get_json("placement",
                                          f"/resource_providers/{ident}/inventories")
        usages, _ = session.get_json("placement", f"/resource_providers/{ident}/usages")
    except CloudError as error:
        if error.status != 404:
            raise
        log.info("placement has no provider for hypervisor %s", ident)
        return None
    found = inventories.get("inventories") or {}
    used = usages.get("usages") or {}
    return {name: (int(used.get(name) or 0), capacity(found[name]))
            for name, _, _, _ in RESOURCES if isinstance(found.get(name), dict)}


def add_placement_usage(session: CloudSession, hypervisors: list[Raw]) -> None:
    """Add each hypervisor's {resource class: (used, capacity)} from placement (two GETs per
    hypervisor, ``PLACEMENT_WORKERS`` hosts at a time); a hypervisor placement does not know
    (or an old integer id) gets none. The first failure (not a 404) is raised."""
    from concurrent.futures import ThreadPoolExecutor

    if not session.has_service("placement"):
        return
    # Before compute 2.53 ids are integers, not provider uuids: nothing to ask placement.
    wanted = [h for h in hypervisors if "-" in str(h.get("id") or "")]
    if not wanted:
        return
    with ThreadPoolExecutor(max_workers=min(PLACEMENT_WORKERS, len(wanted)),
                            thread_name_prefix="placement") as pool:
        usages = list(pool.map(lambda h: _usage_of(session, str(h["id"])), wanted))
    for hypervisor, usage in zip(wanted, usages, strict=True):
        if usage is not None:
            hypervisor[USAGE_KEY] = usage


def _figures(raw: Raw, name: str) -> tuple[int, int] | None:
    usage = raw.get(USAGE_KEY)
    if isinstance(usage, dict) and name in usage:
        used, total = usage[name]
        return int(used), int(total)
    # Before compute 2.88 Nova reported them itself (without placement's ratios).
    legacy = {"VCPU": ("vcpus_used", "vcpus"), "MEMORY_MB": ("memory_mb_used", "memory_mb"),
              "DISK_GB": ("local_gb_used", "local_gb")}[name]
    if isinstance(raw.get(legacy[1]), int):
        return int(raw.get(legacy[0]) or 0), int(raw[legacy[1]])
    return None


def usage_bar(used: int, total: int, unit: int = 1) -> str:
    """"▇▇▇░░░░░ 40% 12/30": a bar a glance reads, then the figures (in ``unit``s)."""
    share = used / total if total else 0.0
    filled = min(BAR, round(share * BAR))
    return f"{'▇' * filled}{'░' * (BAR - filled)} {share:4.0%} {used // unit}/{total // unit}"


def _percent(raw: Raw, name: str) -> float:
    figures = _figures(raw, name)
    return figures[0] / figures[1] if figures and figures[1] else 0.0


def _servers(raw: Raw) -> list[Raw]:
    servers: Any = raw.get("servers") or []
    return [s for s in servers if isinstance(s, dict)]


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A hypervisor's row: host, state, status, the three bars, servers on it."""
    row: Row = {
        "name": text(raw.get("hypervisor_hostname")) or text(raw.get("id")),
        "state": text(raw.get("state")),
        "status": text(raw.get("status")),
        "servers": len(_servers(raw)) if "servers" in raw else raw.get("running_vms") or 0,
        "type": text(raw.get("hypervisor_type")),
        "host_ip": text(raw.get("host_ip")),
    }
    for name, key, _, unit in RESOURCES:
        figures = _figures(raw, name)
        row[key] = usage_bar(figures[0], figures[1], unit) if figures else ""
        row[f"{key}_share"] = _percent(raw, name)
    return row


def status_class(value: object) -> StatusClass | None:
    """The state column: up is fine, down is the fault an operator looks for."""
    classes: dict[str, StatusClass] = {"up": "ok", "down": "error"}
    return classes.get(str(value or ""))


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """The host, its usage from placement, its service."""
    service: Any = raw.get("service") or {}
    usage = []
    for name, _, label, unit in RESOURCES:
        figures = _figures(raw, name)
        if figures:
            usage.append((label, usage_bar(figures[0], figures[1], unit)))
    return [
        ("Hypervisor", [(k, v) for k, v in [
            ("Host name", text(raw.get("hypervisor_hostname"))),
            ("ID", text(raw.get("id"))),
            ("State", text(raw.get("state"))),
            ("Status", text(raw.get("status"))),
            ("Type", f"{text(raw.get('hypervisor_type'))} {text(raw.get('hypervisor_version'))}"
             .strip()),
            ("Host IP", text(raw.get("host_ip"))),
            ("Uptime", text(raw.get("uptime")).strip()),
        ] if v]),
        ("Usage (placement: used of capacity)", usage or [("unknown", "placement reports none")]),
        ("Compute service", [(k, v) for k, v in [
            ("Host", text(service.get("host")) if isinstance(service, dict) else ""),
            ("Disabled reason", text(service.get("disabled_reason"))
             if isinstance(service, dict) else ""),
        ] if v]),
        ("Servers", [(lookups.server_name(s.get("uuid")),
                      f"{text(s.get('uuid'))}  {text(s.get('name'))}") for s in _servers(raw)]
         or [("none", "")]),
    ]


def jumps(raw: Raw, lookups: Lookups) -> list[Jump]:
    """The servers running on it."""
    return [Jump("servers", text(s.get("uuid")), f"server {lookups.server_name(s.get('uuid'))}")
            for s in _servers(raw) if s.get("uuid")]


HYPERVISORS = ResourceKind(
    name="hypervisors",
    title="Hypervisors",
    aliases=("hypervisor", "hv", "hosts"),
    service_type="compute",
    list_path="/os-hypervisors/detail",
    list_key="hypervisors",
    list_params=(("with_servers", "true"),),
    show_path="/os-hypervisors/{id}?with_servers=true",
    show_key="hypervisor",
    columns=(
        Column("name", "Host", 20, 0),
        Column("state", "State", 5, 0),
        Column("status", "Status", 8, 1),
        Column("vcpus", "vCPUs used", 24, 0, sort_key="vcpus_share"),
        Column("ram", "RAM GiB used", 24, 1, sort_key="ram_share"),
        Column("disk", "Disk GB used", 24, 2, sort_key="disk_share"),
        Column("servers", "Servers", 7, 0, numeric=True),
        Column("type", "Type", 6, 4),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    jumps=jumps,
    status_class=status_class,
    status_key="state",
    page_size=None,
    admin_only=True,
    enrich=add_placement_usage,
    name_key="hypervisor_hostname",
    lookups=frozenset({"servers"}),
)
