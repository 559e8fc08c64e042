"""Fetching one resource for a detail view, with the related resources that explain it.

For a server: its volume attachments (``os-volume_attachments``), its ports (Neutron
``ports?device_id=``) and its recent instance actions (``os-instance-actions``). For a network:
its subnets. A related list that cannot be fetched (service missing, policy) does not fail the
detail view: it is left empty and its error is listed under ``related["errors"]``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.base import Raw, ResourceKind
from tuicloud.cloud.kinds.volumes import VOLUMES

__all__ = ["Related", "fetch_detail", "fetch_raw"]

log = logging.getLogger("tuicloud.cloud")

Related = dict[str, list[dict[str, Any]]]


def fetch_raw(session: CloudSession, kind: ResourceKind, ident: str) -> Raw:
    """GET one resource by id and return its JSON document (unwrapped). Raises CloudError."""
    if kind.show_from_list:
        body, _info = session.get_json(kind.service_type, kind.list_path_for(session.user_id))
        items = body.get(kind.list_key) if isinstance(body, dict) else None
        raw = next((kind.item(i) for i in items or [] if isinstance(i, dict)
                    and kind.id_of(kind.item(i)) == ident), None)
        if raw is None:
            raise CloudError(f"{kind.name} {ident} could not be found", status=404,
                             service=kind.service_type)
    elif kind.show_from_headers is not None:
        path = kind.show_path.format(id=quote(ident, safe=""))
        headers, _info = session.head(kind.service_type, path)
        raw = kind.show_from_headers(headers, ident)
    else:
        path = kind.show_path_for(ident, session.user_id)
        body, _info = session.get_json(kind.service_type, path)
        raw = body.get(kind.show_key) if kind.show_key and isinstance(body, dict) else body
    if not isinstance(raw, dict):
        raise CloudError(f"unexpected answer for {kind.name} {ident}", service=kind.service_type)
    if kind.enrich is not None:
        kind.enrich(session, [raw])
    return raw


def _related_list(session: CloudSession, related: Related, name: str, service: str,
                  path: str, key: str, params: list[tuple[str, str]] | None = None,
                  transform: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
                  | None = None) -> None:
    if not session.has_service(service):
        related[name] = []
        return
    try:
        body, _info = session.get_json(service, path, params)
    except CloudError as error:
        log.info("detail: %s not fetched: %s", name, error)
        related[name] = []
        related.setdefault("errors", []).append({"source": name, "message": str(error),
                                                 "status": error.status})
        return
    items = body.get(key, []) if isinstance(body, dict) else []
    items = [item for item in items if isinstance(item, dict)]
    related[name] = transform(items) if transform else items


MAX_NAMED_ATTACHMENTS = 20  # one GET each for the volume's name


def _volume_name(session: CloudSession, volume_id: str) -> str:
    if not session.has_service(VOLUMES.service_type):
        return ""
    try:
        body, _info = session.get_json(VOLUMES.service_type,
                                       f"/volumes/{quote(volume_id, safe='')}")
    except CloudError as error:
        log.info("detail: volume %s not named: %s", volume_id, error)
        return ""
    volume = body.get("volume") if isinstance(body, dict) else None
    return str(volume.get("name") or "") if isinstance(volume, dict) else ""


def _attachments(session: CloudSession) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    """Each attached volume by name, with its device, as `openstack server show` would."""
    def transform(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for index, item in enumerate(items):
            volume_id = str(item.get("volumeId") or item.get("volume_id") or "")
            name = _volume_name(session, volume_id) if index < MAX_NAMED_ATTACHMENTS else ""
            rows.append({"volume": name or "-", "device": item.get("device"),
                         "volume id": volume_id,
                         "delete on termination": item.get("delete_on_termination")})
        return rows
    return transform


def _ports(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a port is to its server: addresses and MAC, not its project ids."""
    return [{"name": item.get("name") or "-",
             "fixed IPs": ", ".join(str(ip.get("ip_address")) for ip in item.get("fixed_ips") or []
                                    if isinstance(ip, dict)) or "-",
             "MAC": item.get("mac_address"), "status": item.get("status"),
             "port id": item.get("id")} for item in items]


def _actions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest first: what was done, when, by whom, with the request id to grep logs for."""
    ordered = sorted(items, key=lambda a: str(a.get("start_time")), reverse=True)
    return [{"action": item.get("action"), "started": item.get("start_time"),
             "request id": item.get("request_id"), "user": item.get("user_id"),
             "message": item.get("message")} for item in ordered]


def _server_related(session: CloudSession, raw: Raw) -> Related:
    ident = quote(str(raw.get("id", "")), safe="")
    related: Related = {}
    _related_list(session, related, "volume_attachments", "compute",
                  f"/servers/{ident}/os-volume_attachments", "volumeAttachments",
                  transform=_attachments(session))
    _related_list(session, related, "ports", "network", "/ports",
                  "ports", [("device_id", str(raw.get("id", "")))], transform=_ports)
    _related_list(session, related, "actions", "compute",
                  f"/servers/{ident}/os-instance-actions", "instanceActions",
                  transform=_actions)
    return related


def _network_related(session: CloudSession, raw: Raw) -> Related:
    related: Related = {}
    _related_list(session, related, "subnets", "network", "/subnets", "subnets",
                  [("network_id", str(raw.get("id", "")))])
    return related


def _router_related(session: CloudSession, raw: Raw) -> Related:
    """Its interfaces (and gateway port): subnet by name, address, port."""
    from tuicloud.cloud.operations.routers import router_ports, subnet_names

    related: Related = {}
    try:
        ports = router_ports(session, str(raw.get("id", "")))
        names = subnet_names(session)
    except CloudError as error:
        log.info("detail: router interfaces not fetched: %s", error)
        related["interfaces"] = []
        related.setdefault("errors", []).append({"source": "interfaces", "message": str(error),
                                                 "status": error.status})
        return related
    related["interfaces"] = [
        {"subnet": names.get(str(ip.get("subnet_id")), str(ip.get("subnet_id"))),
         "address": ip.get("ip_address"),
         "kind": "gateway" if port.get("device_owner") == "network:router_gateway"
         else "interface",
         "port id": port.get("id"), "status": port.get("status")}
        for port in ports for ip in port.get("fixed_ips") or [] if isinstance(ip, dict)]
    return related


def _project_related(session: CloudSession, raw: Raw) -> Related:
    """The project's quotas with what it uses, service by service (admin)."""
    from tuicloud.cloud.project_quotas import project_quotas

    quotas, failed = project_quotas(session, str(raw.get("id", "")))
    related: Related = {"quotas": [
        {"service": q.service, "quota": q.key, "used": q.used,
         "limit": "unlimited" if q.limit < 0 else q.limit} for q in quotas]}
    for source, message in failed.items():
        related.setdefault("errors", []).append({"source": f"{source} quotas",
                                                 "message": message})
    return related


def _group_related(session: CloudSession, raw: Raw) -> Related:
    """Its members, by name."""
    related: Related = {}
    _related_list(session, related, "members", "identity",
                  f"/groups/{quote(str(raw.get('id', '')), safe='')}/users", "users",
                  transform=lambda users: [{"name": u.get("name"), "email": u.get("email") or "",
                                            "enabled": u.get("enabled"), "user id": u.get("id")}
                                           for u in users])
    return related


_RELATED: dict[str, Callable[[CloudSession, Raw], Related]] = {
    "servers": _server_related,
    "networks": _network_related,
    "routers": _router_related,
    "projects": _project_related,
    "groups": _group_related,
}


def fetch_detail(session: CloudSession, kind: ResourceKind, ident: str) -> tuple[Raw, Related]:
    """The resource's raw JSON plus related lists by name (blocking).

    Raises CloudError when the resource itself cannot be fetched (e.g. 404 with the API's
    message); related lists never raise (see the module docstring).
    """
    raw = fetch_raw(session, kind, ident)
    builder = _RELATED.get(kind.name)
    related = builder(session, raw) if builder is not None else {}
    return raw, related
