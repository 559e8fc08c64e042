"""Server operations: power, pause/suspend/shelve, lock, rescue, resize, rebuild, snapshot,
rename, volumes, floating IPs, delete (Nova ``/servers/{id}/action`` and friends)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.operations.base import (
    Choice,
    KindOperations,
    Needs,
    Operation,
    Raw,
    name_of,
    require,
    rid,
)
from tuicloud.cloud.operations.server_admin import ADMIN_OPERATIONS
from tuicloud.cloud.validation import check_server_name

log = logging.getLogger("tuicloud.cloud")

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

ALL_STATES = frozenset({"ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "SHELVED",
                        "SHELVED_OFFLOADED", "RESCUE", "VERIFY_RESIZE", "ERROR"})
SETTLED = ALL_STATES | {"DELETED", "SOFT_DELETED", "UNKNOWN"}
_ATTACH = ("ACTIVE", "PAUSED", "SHUTOFF", "SUSPENDED", "SHELVED", "SHELVED_OFFLOADED",
           "VERIFY_RESIZE")


def status(raw: Raw) -> str:
    """The server's status ("ACTIVE")."""
    return str(raw.get("status") or "UNKNOWN").upper()


def task(raw: Raw) -> str | None:
    """The server's task_state ("rebooting"), or None when idle."""
    value = raw.get("OS-EXT-STS:task_state")
    return str(value) if value else None


def settled(raw: Raw) -> bool:
    """True when no task runs on the server and its status is a resting one."""
    return task(raw) is None and status(raw) in SETTLED


def left_verify_resize(raw: Raw) -> bool:
    """True once a confirmed or reverted resize is over: Nova keeps VERIFY_RESIZE (no task)
    for a few seconds after answering 204, until the compute service has finished."""
    return status(raw) != "VERIFY_RESIZE"


def _in(*states: str, lock: bool = True) -> Callable[[Raw], str | None]:
    """Allowed only in these statuses, with no task running (and not locked)."""

    def check(raw: Raw) -> str | None:
        if task(raw):
            return f"server is busy: {task(raw)}"
        if lock and raw.get("locked"):
            return "server is locked: unlock it first"
        if status(raw) not in states:
            return f"server is {status(raw)}"
        return None

    return check


def _post_action(session: CloudSession, raw: Raw, body: dict[str, Any], what: str) -> None:
    session.request("POST", "compute", f"/servers/{rid(raw)}/action", json=body,
                    description=f"{what} server {name_of(raw)}")


def _simple(op_id: str, label: str, body: dict[str, Any], cli: list[str],
            states: tuple[str, ...], transitional: str, **extra: Any) -> Operation:
    verb = label.lower()
    return Operation(
        id=op_id, kind="servers", label=label, unavailable=_in(*states),
        run=lambda s, raw, _v: _post_action(s, raw, body, verb),
        cli=lambda raw, _v: ["openstack", "server", *cli, rid(raw)],
        transitional=transitional, **extra)


# -- inputs --------------------------------------------------------------------------------------
def _flavor_choices(session: CloudSession, raw: Raw) -> list[Choice]:
    body, _ = session.get_json("compute", "/flavors/detail", {"limit": 1000})
    current = raw.get("flavor") or {}
    current_name = current.get("original_name") or current.get("id")
    choices = []
    for flavor in sorted(body.get("flavors", []), key=lambda f: (f.get("vcpus", 0),
                                                                f.get("ram", 0))):
        label = (f"{flavor.get('name')}  {flavor.get('vcpus')} vCPU, "
                 f"{flavor.get('ram')} MiB RAM, {flavor.get('disk')} GB disk")
        same = flavor.get("name") == current_name or flavor.get("id") == current_name
        choices.append(Choice(str(flavor.get("id")), label,
                              "the current flavor" if same else None))
    return choices


def _image_choices(session: CloudSession, raw: Raw) -> list[Choice]:
    images = []
    for page in session.iter_pages("image", "/images", "images",
                                   {"status": "active", "sort": "name:asc"}, page_size=500):
        images.extend(page.items)
    return [Choice(str(i.get("id")), f"{i.get('name') or i.get('id')}  "
                   f"({i.get('disk_format') or '?'}, min disk {i.get('min_disk') or 0} GB)")
            for i in images]


def _attachable_volumes(session: CloudSession, raw: Raw) -> list[Choice]:
    body, _ = session.get_json("block-storage", "/volumes/detail", {"limit": 1000})
    choices = []
    for volume in body.get("volumes", []):
        state = str(volume.get("status"))
        multi = bool(volume.get("multiattach")) and state == "in-use"
        reason = None if state == "available" or multi else f"volume is {state}"
        choices.append(Choice(str(volume.get("id")),
                              f"{volume.get('name') or volume.get('id')}  "
                              f"{volume.get('size')} GB  {state}", reason))
    choices.sort(key=lambda c: (c.disabled is not None, c.label))
    return choices


def _attached_volumes(raw: Raw) -> list[str]:
    return [str(v.get("id")) for v in raw.get("os-extended-volumes:volumes_attached") or []
            if isinstance(v, dict) and v.get("id")]


def _detachable_volumes(session: CloudSession, raw: Raw) -> list[Choice]:
    choices = []
    for volume_id in _attached_volumes(raw):
        try:
            body, _ = session.get_json("block-storage", f"/volumes/{volume_id}")
            volume = body.get("volume", {})
            label = f"{volume.get('name') or volume_id}  {volume.get('size')} GB"
            boot = any(a.get("device") in ("/dev/vda", "/dev/sda")
                       for a in volume.get("attachments") or [])
        except CloudError:
            label, boot = volume_id, False  # a name we cannot read still leaves the id
        except Exception:  # noqa: BLE001 - a bug must leave its trace; the id still detaches
            log.exception("reading volume %s for a detach choice failed", volume_id)
            label, boot = volume_id, False
        choices.append(Choice(volume_id, label, "the root disk" if boot else None))
    return choices


def _floating_ips(raw: Raw) -> list[str]:
    found = []
    for entries in (raw.get("addresses") or {}).values():
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("OS-EXT-IPS:type") == "floating":
                found.append(str(entry.get("addr")))
    return found


NEW_ADDRESS = "new"
"""A choice's value starts with this when it allocates an address: "new NETWORK PORT"."""


def _free_floating_ips(session: CloudSession, raw: Raw) -> list[Choice]:
    """The project's free addresses first, then a new one from each external network (what
    runs when none is free), then the addresses in use, greyed."""
    from tuicloud.cloud.operations.floating_ips import external_networks

    params: dict[str, str] = {}
    if session.project_id:
        params["project_id"] = session.project_id
    body, _ = session.get_json("network", "/floatingips", params)
    choices = []
    for fip in body.get("floatingips", []):
        used = fip.get("port_id")
        address = str(fip.get("floating_ip_address"))
        note = str(fip.get("description") or "")
        choices.append(Choice(address, f"{address}  {note}".rstrip(),
                              "already associated" if used else None))
    choices.sort(key=lambda c: (c.disabled is not None, c.label))
    ports, _ = session.get_json("network", "/ports", {"device_id": rid(raw)})
    port = next((str(p["id"]) for p in ports.get("ports", []) if p.get("id")), None)
    fresh = [Choice(f"{NEW_ADDRESS} {net['id']} {port or '-'}",
                    f"allocate a new address from {net.get('name') or net['id']}",
                    None if port else "the server has no port")
             for net in external_networks(session)]
    free = [c for c in choices if c.disabled is None]
    return free + fresh + [c for c in choices if c.disabled is not None]


def _add_fip_cli(raw: Raw, value: str | None) -> list[str]:
    if value and value.startswith(NEW_ADDRESS + " "):
        _, network, port = value.split(" ")
        return ["openstack", "floating", "ip", "create", "--port", port, network]
    return ["openstack", "server", "add", "floating", "ip", rid(raw), str(value)]


def _server_floating_ips(session: CloudSession, raw: Raw) -> list[Choice]:
    return [Choice(ip, ip) for ip in _floating_ips(raw)]


# -- runners -------------------------------------------------------------------------------------
def _find_fip(session: CloudSession, address: str) -> dict[str, Any]:
    body, _ = session.get_json("network", "/floatingips",
                               {"floating_ip_address": address})
    found = body.get("floatingips", [])
    if not found:
        raise CloudError(f"no floating IP {address} in this project", status=404,
                         service="network")
    return dict(found[0])


def _add_fip(session: CloudSession, raw: Raw, value: str | None) -> None:
    address = require(value, "a floating IP")
    if address.startswith(NEW_ADDRESS + " "):
        # Allocated and bound in one request, as `openstack floating ip create --port` does.
        _, network, port = address.split(" ")
        session.request("POST", "network", "/floatingips", json={"floatingip": {
            "floating_network_id": network, "port_id": port}},
            description=f"allocate a floating IP for server {name_of(raw)}")
        return
    fip = _find_fip(session, address)
    ports, _ = session.get_json("network", "/ports", {"device_id": rid(raw)})
    if not ports.get("ports"):
        raise CloudError(f"server {name_of(raw)} has no port to attach {address} to",
                         status=409, service="network")
    session.request("PUT", "network", f"/floatingips/{fip['id']}",
                    json={"floatingip": {"port_id": ports["ports"][0]["id"]}},
                    description=f"associate {address} with server {name_of(raw)}")


def _remove_fip(session: CloudSession, raw: Raw, value: str | None) -> None:
    address = require(value, "a floating IP")
    fip = _find_fip(session, address)
    session.request("PUT", "network", f"/floatingips/{fip['id']}",
                    json={"floatingip": {"port_id": None}},
                    description=f"disassociate {address} from server {name_of(raw)}")


def _rename(session: CloudSession, raw: Raw, value: str | None) -> None:
    session.request("PUT", "compute", f"/servers/{rid(raw)}",
                    json={"server": {"name": require(value, "a name")}},
                    description=f"rename server {name_of(raw)}")


def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "compute", f"/servers/{rid(raw)}",
                    description=f"delete server {name_of(raw)}")


def _attach(session: CloudSession, raw: Raw, value: str | None) -> None:
    session.request("POST", "compute", f"/servers/{rid(raw)}/os-volume_attachments",
                    json={"volumeAttachment": {"volumeId": require(value, "a volume")}},
                    description=f"attach a volume to server {name_of(raw)}")


def _detach(session: CloudSession, raw: Raw, value: str | None) -> None:
    volume = require(value, "a volume")
    session.request("DELETE", "compute", f"/servers/{rid(raw)}/os-volume_attachments/{volume}",
                    description=f"detach volume {volume} from server {name_of(raw)}")


def _needs_attached(raw: Raw) -> str | None:
    return _in(*_ATTACH)(raw) or (None if _attached_volumes(raw) else "no volume attached")


def _needs_fip(raw: Raw) -> str | None:
    if task(raw):
        return f"server is busy: {task(raw)}"
    return None if _floating_ips(raw) else "no floating IP associated"


def _server_groups(raw: Raw) -> list[str]:
    """The names of the server's security groups (Nova lists one per port: deduplicated)."""
    return list(dict.fromkeys(str(g.get("name")) for g in raw.get("security_groups") or []
                              if isinstance(g, dict) and g.get("name")))


def _groups_to_add(session: CloudSession, raw: Raw) -> list[Choice]:
    params = {"project_id": session.project_id} if session.project_id else {}
    body, _ = session.get_json("network", "/security-groups", params)
    has = set(_server_groups(raw))
    choices = [Choice(str(g["name"]), f"{g['name']}  {g.get('description') or ''}".rstrip(),
                      "on the server already" if g["name"] in has else None)
               for g in body.get("security_groups", []) if isinstance(g, dict) and g.get("name")]
    choices.sort(key=lambda c: (c.disabled is not None, c.label))
    return choices


def _groups_on(session: CloudSession, raw: Raw) -> list[Choice]:
    return [Choice(name, name) for name in _server_groups(raw)]


def _group_action(action: str, verb: str) -> Callable[[CloudSession, Raw, str | None], None]:
    def run(session: CloudSession, raw: Raw, value: str | None) -> None:
        group = require(value, "a security group")
        session.request("POST", "compute", f"/servers/{rid(raw)}/action",
                        json={action: {"name": group}},
                        description=f"{verb} security group {group} on server {name_of(raw)}")
    return run


def _has_groups(raw: Raw) -> str | None:
    return None if _server_groups(raw) else "the server has no security group"


def _not_busy(raw: Raw) -> str | None:
    return f"server is busy: {task(raw)}" if task(raw) else None


def _lockable(locked: bool) -> Callable[[Raw], str | None]:
    def check(raw: Raw) -> str | None:
        if bool(raw.get("locked")) == locked:
            return None
        return "server is not locked" if locked else "server is already locked"
    return check


def _deletable(raw: Raw) -> str | None:
    return "server is locked: unlock it first" if raw.get("locked") else None


def _check_server_name(raw: Raw, text: str) -> str | None:
    return check_server_name(text)  # Nova's rule: refused inline, not by a 400 after sending


SERVER_OPERATIONS: tuple[Operation, ...] = (
    _simple("server.start", "Start", {"os-start": None}, ["start"], ("SHUTOFF",),
            "powering-on", key="o", keywords=("power on", "boot")),
    _simple("server.stop", "Stop", {"os-stop": None}, ["stop"], ("ACTIVE", "RESCUE", "ERROR"),
            "powering-off", key="x", destructive=True,
            keywords=("shutdown", "power off")),
    _simple("server.reboot", "Reboot (soft)", {"reboot": {"type": "SOFT"}},
            ["reboot", "--soft"], ("ACTIVE",), "REBOOT", key="b", destructive=True,
            keywords=("restart",)),
    _simple("server.reboot_hard", "Reboot (hard)", {"reboot": {"type": "HARD"}},
            ["reboot", "--hard"], ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "ERROR"),
            "HARD_REBOOT", destructive=True, keywords=("restart", "reset")),
    _simple("server.pause", "Pause", {"pause": None}, ["pause"], ("ACTIVE",),
            "pausing"),
    _simple("server.unpause", "Unpause", {"unpause": None}, ["unpause"], ("PAUSED",),
            "unpausing"),
    _simple("server.suspend", "Suspend", {"suspend": None}, ["suspend"], ("ACTIVE",),
            "suspending"),
    _simple("server.resume", "Resume", {"resume": None}, ["resume"], ("SUSPENDED",),
            "resuming"),
    _simple("server.shelve", "Shelve", {"shelve": None}, ["shelve"],
            ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"), "shelving",
            destructive=True),
    _simple("server.unshelve", "Unshelve", {"unshelve": None}, ["unshelve"],
            ("SHELVED", "SHELVED_OFFLOADED"), "unshelving"),
    Operation("server.lock", "servers", "Lock", _lockable(False),
              lambda s, raw, _v: _post_action(s, raw, {"lock": None}, "lock"),
              lambda raw, _v: ["openstack", "server", "lock", rid(raw)]),
    Operation("server.unlock", "servers", "Unlock", _lockable(True),
              lambda s, raw, _v: _post_action(s, raw, {"unlock": None}, "unlock"),
              lambda raw, _v: ["openstack", "server", "unlock", rid(raw)]),
    _simple("server.rescue", "Rescue", {"rescue": None}, ["rescue"],
            ("ACTIVE", "SHUTOFF", "ERROR"), "rescuing", destructive=True),
    _simple("server.unrescue", "Unrescue", {"unrescue": None}, ["unrescue"], ("RESCUE",),
            "unrescuing"),
    Operation(
        "server.resize", "servers", "Resize…", _in("ACTIVE", "SHUTOFF"),
        lambda s, raw, v: _post_action(s, raw, {"resize": {"flavorRef": require(v, "a flavor")}},
                                       "resize"),
        lambda raw, v: ["openstack", "server", "resize", "--flavor", str(v), rid(raw)],
        needs=Needs("New flavor", "<flavor>", choices=_flavor_choices),
        transitional="RESIZE", keywords=("flavor",)),
    _simple("server.resize_confirm", "Confirm resize", {"confirmResize": None},
            ["resize", "confirm"], ("VERIFY_RESIZE",), "confirming", until=left_verify_resize),
    _simple("server.resize_revert", "Revert resize", {"revertResize": None},
            ["resize", "revert"], ("VERIFY_RESIZE",), "REVERT_RESIZE", destructive=True,
            until=left_verify_resize),
    Operation(
        "server.rebuild", "servers", "Rebuild…", _in("ACTIVE", "SHUTOFF", "ERROR"),
        lambda s, raw, v: _post_action(s, raw, {"rebuild": {"imageRef": require(v, "an image")}},
                                       "rebuild"),
        lambda raw, v: ["openstack", "server", "rebuild", "--image", str(v), rid(raw)],
        needs=Needs("Rebuild from image (the disk is wiped)", "<image>",
                    choices=_image_choices),
        destructive=True, transitional="REBUILD", keywords=("reinstall", "image")),
    Operation(
        "server.snapshot", "servers", "Create snapshot image…",
        _in("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", lock=False),
        lambda s, raw, v: _post_action(s, raw, {"createImage": {"name": require(v, "a name")}},
                                       "snapshot"),
        lambda raw, v: ["openstack", "server", "image", "create", "--name", str(v), rid(raw)],
        needs=Needs("Snapshot image name", "<name>", validate=_check_server_name,
                    default=lambda raw: f"{name_of(raw)}-snapshot"),
        transitional="image_snapshot", keywords=("backup", "image")),
    Operation(
        "server.rename", "servers", "Rename…", _not_busy, _rename,
        lambda raw, v: ["openstack", "server", "set", "--name", str(v), rid(raw)],
        needs=Needs("New name", "<name>", validate=_check_server_name, default=name_of),
        single=True),
    Operation(
        "server.attach_volume", "servers", "Attach volume…", _in(*_ATTACH), _attach,
        lambda raw, v: ["openstack", "server", "add", "volume", rid(raw), str(v)],
        needs=Needs("Volume to attach", "<volume>", choices=_attachable_volumes), single=True),
    Operation(
        "server.detach_volume", "servers", "Detach volume…", _needs_attached, _detach,
        lambda raw, v: ["openstack", "server", "remove", "volume", rid(raw), str(v)],
        needs=Needs("Volume to detach", "<volume>", choices=_detachable_volumes),
        destructive=True, single=True),
    Operation(
        "server.add_floating_ip", "servers", "Associate floating IP…", _not_busy, _add_fip,
        _add_fip_cli,
        needs=Needs("Floating IP", "<ip-address>", choices=_free_floating_ips),
        keywords=("fip", "public"), single=True),
    Operation(
        "server.remove_floating_ip", "servers", "Disassociate floating IP…", _needs_fip,
        _remove_fip,
        lambda raw, v: ["openstack", "server", "remove", "floating", "ip", rid(raw), str(v)],
        needs=Needs("Floating IP", "<ip-address>", choices=_server_floating_ips),
        destructive=True, keywords=("fip", "public"), single=True),
    Operation(
        "server.add_security_group", "servers", "Add security group…", _not_busy,
        _group_action("addSecurityGroup", "add"),
        lambda raw, v: ["openstack", "server", "add", "security", "group", rid(raw), str(v)],
        needs=Needs("Security group", "<group>", choices=_groups_to_add),
        keywords=("sg", "firewall", "rules"), single=True),
    Operation(
        "server.remove_security_group", "servers", "Remove security group…", _has_groups,
        _group_action("removeSecurityGroup", "remove"),
        lambda raw, v: ["openstack", "server", "remove", "security", "group", rid(raw),
                        str(v)],
        needs=Needs("Security group", "<group>", choices=_groups_on),
        destructive=True, keywords=("sg", "firewall", "rules"), single=True),
    *ADMIN_OPERATIONS,
    Operation(
        "server.delete", "servers", "Delete", _deletable, _delete,
        lambda raw, _v: ["openstack", "server", "delete", rid(raw)],
        destructive=True, transitional="deleting", deletes=True,
        keywords=("remove", "destroy", "terminate")),
)

OPERATIONS = KindOperations("servers", "server", SERVER_OPERATIONS, settled)
