"""Servers (Nova): the busiest kind, refreshed with ``changes-since``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuicloud.cloud.kinds.base import (
    Column,
    Jump,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    format_age_since,
    format_mib,
    join_nonempty,
    pairs,
    parse_time,
    text,
    time_field,
    yes_no,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["SERVERS", "server_addresses", "server_status", "power_state_name"]

# Nova's power_state integers, named as the openstack CLI names them.
POWER_STATES = {0: "NOSTATE", 1: "Running", 3: "Paused", 4: "Shutdown", 6: "Crashed",
                7: "Suspended"}

_OK = {"ACTIVE"}
_BUSY = {"BUILD", "REBOOT", "HARD_REBOOT", "REBUILD", "RESIZE", "MIGRATING", "PASSWORD",
         "REVERT_RESIZE"}
_WARN = {"VERIFY_RESIZE", "RESCUE", "UNKNOWN"}
_MUTED = {"SHUTOFF", "SUSPENDED", "PAUSED", "SHELVED", "SHELVED_OFFLOADED", "DELETED",
          "SOFT_DELETED"}


def power_state_name(value: object) -> str:
    """The name of a Nova power state integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return POWER_STATES.get(value, str(value))
    return text(value)


def server_status(raw: Raw) -> str:
    """"ACTIVE", or with a task running "ACTIVE (powering-off)"."""
    status = text(raw.get("status")) or "UNKNOWN"
    task = raw.get("OS-EXT-STS:task_state")
    return f"{status} ({task})" if task else status


def server_addresses(raw: Raw) -> str:
    """Addresses as the CLI shows them: "private=10.0.0.5, 203.0.113.4; other=..."."""
    addresses = raw.get("addresses")
    if not isinstance(addresses, dict):
        return ""
    parts = []
    for network, entries in addresses.items():
        ips = [str(entry.get("addr")) for entry in entries or []
               if isinstance(entry, dict) and entry.get("addr")]
        parts.append(f"{network}={', '.join(ips)}")
    return "; ".join(parts)


def _flavor(raw: Raw, lookups: Lookups) -> str:
    flavor = raw.get("flavor")
    if not isinstance(flavor, dict):
        return ""
    # From microversion 2.47 the server embeds its flavor, name included.
    return text(flavor.get("original_name")) or lookups.flavor_name(flavor.get("id"))


def _image(raw: Raw, lookups: Lookups) -> str:
    image = raw.get("image")
    if not isinstance(image, dict) or not image.get("id"):
        return "(boot volume)"
    return lookups.image_name(image["id"])


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A server's display row."""
    created_ts = parse_time(raw.get("created"))  # once: the age is shown from it
    return {
        "id": text(raw.get("id")),
        "name": text(raw.get("name")),
        "status": server_status(raw),
        "power": power_state_name(raw.get("OS-EXT-STS:power_state")),
        "addresses": server_addresses(raw),
        "flavor": _flavor(raw, lookups),
        "image": _image(raw, lookups),
        "az": text(raw.get("OS-EXT-AZ:availability_zone")),
        "key_name": text(raw.get("key_name")),
        "age": format_age_since(created_ts),
        "created_ts": created_ts,
        "project": lookups.project_name(raw.get("tenant_id") or raw.get("project_id")),
        "fault": _fault_summary(raw),
    }


def _fault_summary(raw: Raw) -> str:
    fault = raw.get("fault")
    if not isinstance(fault, dict):
        return ""
    return join_nonempty([fault.get("code"), fault.get("message")], ": ")


def status_class(value: object) -> StatusClass | None:
    """Colour class for a server status cell."""
    status = str(value or "")
    if "(" in status:
        return "busy"
    if status in _OK:
        return "ok"
    if status == "ERROR":
        return "error"
    if status in _BUSY:
        return "busy"
    if status in _WARN:
        return "warn"
    if status in _MUTED:
        return "muted"
    return None


def _networks(raw: Raw) -> list[tuple[str, str]]:
    rows = []
    addresses = raw.get("addresses")
    if isinstance(addresses, dict):
        for network, entries in addresses.items():
            for entry in entries or []:
                if not isinstance(entry, dict):
                    continue
                kind = entry.get("OS-EXT-IPS:type") or ""
                mac = entry.get("OS-EXT-IPS-MAC:mac_addr") or ""
                rows.append((str(network), join_nonempty(
                    [entry.get("addr"), f"({kind})" if kind else "", mac], " ")))
    return rows


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Grouped fields for a server's detail view; an ERROR server leads with its fault."""
    sections: Sections = []
    fault = raw.get("fault")
    if isinstance(fault, dict) and (fault.get("message") or fault.get("code")):
        sections.append(("Fault", [
            ("Code", text(fault.get("code"))),
            ("Message", text(fault.get("message"))),
            ("Created", time_field(fault.get("created"))),
            *([("Details", text(fault["details"]))] if fault.get("details") else []),
        ]))
    sections.append(("Server", [
        ("Name", text(raw.get("name"))),
        ("ID", text(raw.get("id"))),
        ("Status", server_status(raw)),
        ("VM state", text(raw.get("OS-EXT-STS:vm_state"))),
        ("Task state", text(raw.get("OS-EXT-STS:task_state"))),
        ("Power state", power_state_name(raw.get("OS-EXT-STS:power_state"))),
        ("Locked", join_nonempty([yes_no(raw.get("locked")), raw.get("locked_reason")], " — ")),
        ("Description", text(raw.get("description"))),
        ("Availability zone", text(raw.get("OS-EXT-AZ:availability_zone"))),
        ("Host", text(raw.get("OS-EXT-SRV-ATTR:host"))),
        ("Hypervisor", text(raw.get("OS-EXT-SRV-ATTR:hypervisor_hostname"))),
        ("Key pair", text(raw.get("key_name"))),
        ("Project", lookups.project_name(raw.get("tenant_id"))),
        ("User", text(raw.get("user_id"))),
        ("Created", time_field(raw.get("created"))),
        ("Updated", time_field(raw.get("updated"))),
        ("Launched", time_field(raw.get("OS-SRV-USG:launched_at"))),
        ("Tags", ", ".join(str(t) for t in raw.get("tags") or [])),
    ]))
    flavor: Any = raw.get("flavor") or {}
    if isinstance(flavor, dict):
        sections.append(("Flavor", [
            ("Name", _flavor(raw, lookups)),
            ("vCPUs", text(flavor.get("vcpus"))),
            ("RAM", format_mib(flavor.get("ram"))),
            ("Disk", f"{flavor['disk']} GB" if flavor.get("disk") is not None else ""),
            ("Ephemeral", f"{flavor['ephemeral']} GB" if flavor.get("ephemeral") else ""),
            ("Swap", format_mib(flavor.get("swap")) if flavor.get("swap") else ""),
        ]))
    image = raw.get("image")
    sections.append(("Image", [("Name", _image(raw, lookups)),
                               ("ID", text(image.get("id")) if isinstance(image, dict) else "")]))
    sections.append(("Addresses", _networks(raw)))
    groups = raw.get("security_groups") or []
    sections.append(("Security groups", [(text(g.get("name")), "") for g in groups
                                         if isinstance(g, dict)]))
    volumes = raw.get("os-extended-volumes:volumes_attached") or []
    sections.append(("Volumes", [
        (text(v.get("id")), "delete on termination" if v.get("delete_on_termination") else "")
        for v in volumes if isinstance(v, dict)]))
    sections.append(("Metadata", pairs(raw.get("metadata"))))
    return [(title, [(k, v) for k, v in fields if k]) for title, fields in sections]


def jumps(raw: Raw, lookups: Lookups) -> list[Jump]:
    """Its volumes and its image."""
    found = [Jump("volumes", str(v["id"]), f"volume {lookups.name('volumes', v['id'])}")
             for v in raw.get("os-extended-volumes:volumes_attached") or []
             if isinstance(v, dict) and v.get("id")]
    image = raw.get("image")
    if isinstance(image, dict) and image.get("id"):
        found.append(Jump("images", str(image["id"]), f"image {_image(raw, lookups)}"))
    return found


SERVERS = ResourceKind(
    name="servers",
    title="Servers",
    aliases=("srv", "s", "server", "vm", "vms", "instances"),
    service_type="compute",
    list_path="/servers/detail",
    list_key="servers",
    show_path="/servers/{id}",
    show_key="server",
    columns=(
        Column("name", "Name", 24, 0),
        Column("status", "Status", 13, 0),
        Column("power", "Power", 9, 5),
        Column("addresses", "Addresses", 28, 2),
        Column("flavor", "Flavor", 12, 3),
        Column("image", "Image", 16, 4),
        Column("az", "AZ", 8, 7),
        Column("key_name", "Key pair", 10, 6),
        Column("age", "Age", 5, 1, sort_key="-created_ts", age_of="created_ts"),
    ),
    all_projects_column=Column("project", "Project", 12, 2),
    to_row=to_row,
    detail_sections=detail_sections,
    jumps=jumps,
    status_class=status_class,
    refresh="changes-since",
    all_projects_params=(("all_tenants", "1"),),
    lookups=frozenset({"flavors", "images", "projects"}),
    lookups_embedded_from=(("flavors", "2.47"),),
    names_table="servers",
    capabilities=frozenset({"console", "ssh", "reach"}),
    create_form="launch_server",
    list_fields=frozenset({
        "id", "name", "status", "tenant_id", "project_id", "image", "flavor", "created",
        "updated", "addresses", "OS-EXT-AZ:availability_zone", "key_name",
        "OS-EXT-STS:task_state", "OS-EXT-STS:vm_state", "OS-EXT-STS:power_state", "locked",
        "fault",
    }),
)
