"""Servers: list (paginated, filtered, changes-since), show, create, update, delete. Their
sub-resources are in :mod:`nova_server_parts`."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from tuicloud.simcloud.core import ApiError, Response, Router, parse_time
from tuicloud.simcloud.nova_lifecycle import (
    bad_input,
    check_image_fits,
    check_lock,
    check_metadata,
    check_name,
    check_quota,
    next_device,
    requested_nics,
    schedule_build,
    schedule_delete,
)
from tuicloud.simcloud.nova_model import (
    HOSTS,
    Ctx,
    Server,
    api,
    bool_arg,
    forbidden,
    limit_arg,
    links,
)
from tuicloud.simcloud.nova_validation import check_description, check_metadata_schema
from tuicloud.simcloud.nova_views import server_brief, server_doc

MAX_LIMIT = 1000
# sort_key -> value getter (Nova's SERVER_LIST_SORT_KEYS that map onto our records)
_SORT_KEYS: dict[str, Callable[[Server], Any]] = {
    "created_at": lambda s: s.seq, "updated_at": lambda s: s.updated,
    "display_name": lambda s: s.name, "uuid": lambda s: s.id, "vm_state": lambda s: s.vm_state,
    "task_state": lambda s: s.task_state or "", "power_state": lambda s: s.power_state,
    "availability_zone": lambda s: s.az, "launched_at": lambda s: s.launched_at or 0.0,
    "key_name": lambda s: s.key_name or "", "host": lambda s: s.host or "",
    "hostname": lambda s: s.hostname or s.name, "locked": lambda s: s.locked,
    "progress": lambda s: 0, "project_id": lambda s: s.project_id,
    "user_id": lambda s: s.user_id, "image_ref": lambda s: s.image_id,
    "instance_type_id": lambda s: s.flavor_id,
    "display_description": lambda s: s.description or "",
    "access_ip_v4": lambda s: s.access_ipv4, "access_ip_v6": lambda s: s.access_ipv6,
    "reservation_id": lambda s: s.reservation_id, "launch_index": lambda s: s.launch_index,
    "config_drive": lambda s: s.config_drive, "root_device_name": lambda s: "/dev/vda",
}


def register(router: Router, service: str) -> None:
    """Routes for servers and their sub-resources."""
    base = "/compute/v2.1/servers"
    one = base + "/{server_id}"
    for method, path, handler in (
        ("GET", base, list_servers), ("GET", base + "/detail", list_servers_detail),
        ("POST", base, create_server), ("GET", one, show_server), ("PUT", one, update_server),
        ("DELETE", one, delete_server),
    ):
        router.add(method, path, api(handler), service=service)


# -- list ---------------------------------------------------------------------------------------
def list_servers(ctx: Ctx) -> Response:
    """GET /servers."""
    return _list(ctx, detail=False)


def list_servers_detail(ctx: Ctx) -> Response:
    """GET /servers/detail."""
    return _list(ctx, detail=True)


def _time_arg(ctx: Ctx, name: str) -> float | None:
    raw = ctx.req.arg(name)
    if raw is None:
        return None
    try:
        return parse_time(raw)
    except ValueError as exc:
        raise ApiError(400, f"Invalid input for query parameters {name}. Value: {raw}. "
                            f"'{raw}' is not a 'date-time'") from exc


def _filters(ctx: Ctx) -> list[Callable[[Server], bool]]:
    """Predicates for the query's filters (those a non-admin may use at this microversion)."""
    req = ctx.req
    svc = ctx.svc
    checks: list[Callable[[Server], bool]] = []
    extended = ctx.is_admin or ctx.at_least(83)  # 2.83 opened these filters to everyone
    name = req.arg("name")
    if name:
        try:
            pattern = re.compile(name, re.IGNORECASE)
        except re.error as exc:
            raise ApiError(400, f"Invalid regular expression for name: {name}") from exc
        checks.append(lambda s: pattern.search(s.name) is not None)
    statuses = {v.upper() for v in req.query.get("status", []) if v}
    if statuses:
        checks.append(lambda s: s.status in statuses)
    for param, getter in (("flavor", lambda s: s.flavor_id), ("image", lambda s: s.image_id),
                          ("reservation_id", lambda s: s.reservation_id),
                          ("uuid", lambda s: s.id)):
        value = req.arg(param)
        if value:
            wanted = value.rstrip("/").rsplit("/", 1)[-1]
            checks.append(_equals(getter, wanted))
    if extended:
        for param, getter in (("availability_zone", lambda s: s.az),
                              ("key_name", lambda s: s.key_name),
                              ("user_id", lambda s: s.user_id),
                              ("vm_state", lambda s: s.vm_state),
                              ("task_state", lambda s: s.task_state),
                              ("power_state", lambda s: str(s.power_state))):
            value = req.arg(param)
            if value:
                checks.append(_equals(getter, value))
    if ctx.is_admin and req.arg("host"):
        host = req.arg("host")
        checks.append(lambda s: s.host == host)
    if ctx.at_least(73) and req.arg("locked") is not None:
        locked = bool_arg(req.arg("locked"))
        checks.append(lambda s: s.locked == locked)
    network = svc.network_service()
    for param in ("ip", "ip6"):
        value = req.arg(param)
        if value and network is not None:
            try:
                ip_re = re.compile(value)
            except re.error as exc:
                raise ApiError(400, f"Invalid regular expression for {param}: {value}") from exc
            checks.append(_ip_check(network, ip_re, param == "ip6"))
    if ctx.at_least(26):
        for param in ("tags", "tags-any", "not-tags", "not-tags-any"):
            raw = req.arg(param)
            if raw:
                wanted_tags = {t for t in raw.split(",") if t}
                checks.append(_tag_check(param, wanted_tags))
    return checks


def _equals(getter: Callable[[Server], Any], wanted: Any) -> Callable[[Server], bool]:
    return lambda s: bool(getter(s) == wanted)


def _ip_check(network: Any, pattern: re.Pattern[str], v6: bool) -> Callable[[Server], bool]:
    """Regex match on the server's fixed IPs (scans ports: filters may cost O(servers))."""
    def check(s: Server) -> bool:
        return any((":" in f["ip_address"]) == v6 and pattern.search(f["ip_address"])
                   for p in network.ports_for_device(s.id) for f in p["fixed_ips"])
    return check


def _tag_check(param: str, wanted: set[str]) -> Callable[[Server], bool]:
    def check(s: Server) -> bool:
        have = set(s.tags or ())
        if param == "tags":
            return wanted <= have
        if param == "tags-any":
            return bool(wanted & have)
        if param == "not-tags":
            return not wanted <= have
        return not wanted & have
    return check


def _sort_spec(ctx: Ctx) -> list[tuple[str, bool]]:
    keys = ctx.req.query.get("sort_key", [])
    dirs = ctx.req.query.get("sort_dir", [])
    spec: list[tuple[str, bool]] = []
    for index, key in enumerate(keys):
        if key not in _SORT_KEYS:
            raise ApiError(400, f"Invalid input for query parameters sort_key. Value: {key}.")
        direction = dirs[index] if index < len(dirs) else (dirs[0] if dirs else "desc")
        if direction not in ("asc", "desc"):
            raise ApiError(400, f"Invalid input for query parameters sort_dir. Value: "
                                f"{direction}. '{direction}' is not one of ['asc', 'desc']")
        spec.append((key, direction == "desc"))
    if not spec:
        direction = dirs[0] if dirs else "desc"
        if direction not in ("asc", "desc"):
            raise ApiError(400, f"Invalid input for query parameters sort_dir. Value: "
                                f"{direction}. '{direction}' is not one of ['asc', 'desc']")
        spec = [("created_at", direction == "desc")]
    return spec


def _list(ctx: Ctx, *, detail: bool) -> Response:
    req = ctx.req
    svc = ctx.svc
    limit = limit_arg(req)
    page_size = MAX_LIMIT if limit is None else min(limit, MAX_LIMIT)
    all_tenants = False
    if "all_tenants" in req.query:
        all_tenants = bool(bool_arg(req.arg("all_tenants")))
    if all_tenants and not ctx.is_admin:
        raise forbidden("os_compute_api:servers:%s:get_all_tenants"
                        % ("detail" if detail else "index"))
    project: str | None = ctx.project_id
    if all_tenants:
        project = req.arg("project_id") or req.arg("tenant_id") or None
    since = _time_arg(ctx, "changes-since")
    before = _time_arg(ctx, "changes-before") if ctx.at_least(66) else None
    if since is not None and before is not None and since > before:
        raise ApiError(400, "The value of changes-since must be less than or equal to "
                            "changes-before.")
    deleted_only = ctx.is_admin and bool(bool_arg(req.arg("deleted")))
    checks = _filters(ctx)
    spec = _sort_spec(ctx)
    marker_id = req.arg("marker")
    marker: Server | None = None
    if marker_id is not None:
        marker = svc.servers.get(marker_id) or svc.deleted.get(marker_id)
        if marker is None:
            raise ApiError(400, f"marker [{marker_id}] not found")

    def visible(s: Server) -> bool:
        return (project is None or s.project_id == project) and all(c(s) for c in checks)

    page: list[Server] = []
    fast = len(spec) == 1 and spec[0][0] == "created_at"
    if since is None and before is None and not deleted_only and fast:
        # O(page): walk the creation order from the marker.
        order = svc.order if project is None else svc.by_project.get(project)
        if order is not None and page_size > 0:
            for server in order.walk(marker.seq if marker else None, spec[0][1]):
                if all(c(server) for c in checks):
                    page.append(server)
                    if len(page) >= page_size:
                        break
    else:
        candidates: Iterable[Server]
        if since is not None:
            candidates = svc.changed_since(since)  # O(changes), deleted ones included
        elif deleted_only:
            candidates = list(svc.deleted.values())
        else:
            source = svc.order if project is None else svc.by_project.get(project)
            candidates = list(source.items) if source is not None else []
            if before is not None:  # like changes-since, changes-before shows deleted ones
                candidates.extend(svc.deleted.values())
        if deleted_only:
            candidates = [s for s in candidates if s.deleted]
        chosen = [s for s in candidates if visible(s)
                  and (before is None or s.updated <= before)]
        for key, descending in reversed(spec):  # stable sorts, last key first
            chosen.sort(key=_SORT_KEYS[key], reverse=descending)
        start = 0
        if marker is not None:
            start = next((i + 1 for i, s in enumerate(chosen) if s is marker), len(chosen))
        page = chosen[start:start + page_size]
    docs = [server_doc(ctx, s) if detail else server_brief(ctx, s) for s in page]
    body: dict[str, Any] = {"servers": docs}
    if page_size and len(page) == page_size:
        params = [(k, v) for k, values in req.query.items() if k != "marker" for v in values]
        params.append(("marker", page[-1].id))
        path = "servers/detail" if detail else "servers"
        body["servers_links"] = [{"rel": "next",
                                  "href": f"{ctx.base}/v2.1/{path}?{urlencode(params)}"}]
    return Response(200, body)


# -- show / update / delete ---------------------------------------------------------------------
def show_server(ctx: Ctx) -> Response:
    """GET /servers/{id}."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    return Response(200, {"server": server_doc(ctx, server, show=True)})


def update_server(ctx: Ctx) -> Response:
    """PUT /servers/{id}: name, description (2.19), accessIPv4/6, hostname (2.90)."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    body = ctx.req.json_object("server")
    allowed = {"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"}
    if ctx.at_least(19):
        allowed.add("description")
    if ctx.at_least(90):
        allowed.add("hostname")
    extra = set(body) - allowed
    if extra:
        raise ApiError(400, "Invalid input for field/attribute server. Value: "
                            f"{body}. Additional properties are not allowed "
                            f"({', '.join(repr(k) for k in sorted(extra))} were unexpected)")
    if "name" in body:
        server.name = check_name(body["name"], "server")
    if "description" in body:
        check_description(body["description"])
        server.description = body["description"]
    if "hostname" in body:
        server.hostname = str(body["hostname"])[:63]
    for field, attr in (("accessIPv4", "access_ipv4"), ("accessIPv6", "access_ipv6")):
        if field in body:
            setattr(server, attr, str(body[field] or ""))
    if body.get("OS-DCF:diskConfig") in ("AUTO", "MANUAL"):
        server.disk_config = body["OS-DCF:diskConfig"]
    ctx.svc.touch(server)
    return Response(200, {"server": server_doc(ctx, server, show=True)})


def delete_server(ctx: Ctx) -> Response:
    """DELETE /servers/{id}: task_state deleting, gone after the action delay."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    if server.task_state == "deleting":
        return Response(204)
    check_lock(ctx, server)
    schedule_delete(ctx, ctx.svc, server)
    return Response(204)


# -- create -------------------------------------------------------------------------------------


def _count(body: dict[str, Any], key: str, default: int = 1) -> int:
    value = body.get(key, default)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad_input(key, value, f"{value!r} is less than the minimum of 1")
    return value




def _bdms(body: dict[str, Any]) -> list[dict[str, Any]]:
    mappings = body.get("block_device_mapping_v2") or []
    if not isinstance(mappings, list) or not all(isinstance(m, dict) for m in mappings):
        raise bad_input("block_device_mapping_v2", mappings, "is not of type 'array'")
    return mappings


def create_server(ctx: Ctx) -> Response:
    """POST /servers: validate like Nova, charge quota, then BUILD (ACTIVE after build_delay)."""
    svc = ctx.svc
    data = ctx.req.json()
    if not isinstance(data, dict) or not isinstance(data.get("server"), dict):
        raise ApiError(400, f"Invalid input for field/attribute server. Value: {data}. "
                            "'server' is a required property")
    body: dict[str, Any] = data["server"]
    project_id, user_id = ctx.project_id, ctx.user_id
    if "name" not in body:
        raise ApiError(400, f"Invalid input for field/attribute server. Value: {body}. "
                            "'name' is a required property")
    name = check_name(body["name"], "server")
    if "metadata" in body:  # Nova's schema checks come before anything else
        check_metadata_schema(body["metadata"])
    if "description" in body and ctx.at_least(19):
        check_description(body["description"])
    if "flavorRef" not in body:
        raise ApiError(400, f"Invalid input for field/attribute server. Value: {body}. "
                            "'flavorRef' is a required property")
    flavor_id = str(body["flavorRef"]).rstrip("/").rsplit("/", 1)[-1]
    flavor = svc.flavor_visible(ctx, flavor_id)
    if flavor is None:
        raise ApiError(400, "Invalid flavorRef provided.")
    bdms = _bdms(body)
    # boot_index 0 to a volume is boot-from-volume; to "local" it is an image boot (the CLI
    # sends that BDM along with imageRef).
    root = next((m for m in bdms if str(m.get("boot_index", "")) == "0"), None)
    boot_bdm = root if root and root.get("destination_type") == "volume" else None
    image: dict[str, Any] | None = None
    image_id = ""
    glance = svc.image_service()
    if boot_bdm is None:
        ref = body.get("imageRef") or (root.get("uuid") if root else None)
        if not ref:
            raise ApiError(400, "Block Device Mapping is Invalid: Boot sequence for the "
                                "instance and image/block device mapping combination is not "
                                "valid.")
        image_id = str(ref).rstrip("/").rsplit("/", 1)[-1]
        if glance is not None:
            image = glance.image_visible_to(image_id, project_id, ctx.is_admin)
            if image is None:
                raise ApiError(400, "Can not find requested image")
            if image.get("status") != "active":
                raise ApiError(400, f"Image {image_id} is not active.")
            check_image_fits(flavor, image)
    key_name = body.get("key_name")
    if key_name is not None and key_name not in svc.keypairs.get(user_id, {}):
        raise ApiError(400, "Invalid key_name provided.")
    zone_spec = body.get("availability_zone")
    zone, pinned = "nova", None
    if zone_spec:
        zone = str(zone_spec).split(":", 1)[0] or "nova"
        if zone not in HOSTS:
            raise ApiError(400, "The requested availability zone is not available")
        pinned = zone
    user_data = body.get("user_data")
    if user_data is not None:
        if not isinstance(user_data, str) or len(user_data) > 65535:
            raise bad_input("user_data", str(user_data)[:64], "is too long or not a string")
        try:
            base64.b64decode(user_data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise bad_input("user_data", user_data[:64], f"{user_data[:64]!r} is not a 'base64'"
                       ) from exc
    metadata = body.get("metadata") or {}
    check_metadata(ctx, metadata)
    min_count = _count(body, "min_count")
    max_count = _count(body, "max_count", min_count)  # Nova: max_count defaults to min_count
    if min_count > max_count:
        raise ApiError(400, "min_count must be <= max_count")
    groups = body.get("security_groups") or [{"name": "default"}]
    if not isinstance(groups, list) or not all(isinstance(g, dict) and g.get("name")
                                               for g in groups):
        raise bad_input("security_groups", groups, "each item needs a 'name'")
    network = svc.network_service()
    group_names: list[str] = []
    for group in groups:
        group_name = str(group["name"])
        if network is not None:
            group_id = network.security_group_id(project_id, group_name)
            if group_name == group_id:
                group_name = network.security_group_name(group_id)
        if group_name not in group_names:
            group_names.append(group_name)
    nics = requested_nics(ctx, project_id, body.get("networks"), body)
    if max_count > 1 and any(n["port"] for n in nics):
        raise ApiError(400, "Unable to launch multiple instances with a single configured "
                            "port ID. Please launch your instance one by one with different "
                            "ports.")
    tags = body.get("tags") if ctx.at_least(52) else None
    if tags is not None and (not isinstance(tags, list) or len(tags) > 50):
        raise bad_input("tags", tags, "must be a list of at most 50 tags")
    # Quota: as many as fit between min_count and max_count.
    limits = svc.quota(project_id)
    used = svc.instance_usage(project_id)
    count = max_count
    while count > min_count and any(
            limits[r] >= 0 and used[r] + count * need > limits[r]
            for r, need in (("instances", 1), ("cores", flavor["vcpus"]),
                            ("ram", flavor["ram"]))):
        count -= 1
    check_quota(ctx, project_id, count, count * flavor["vcpus"], count * flavor["ram"])
    fail = _failure(metadata, image)
    reservation = "r-" + secrets.token_hex(4)
    password = body.get("adminPass") or secrets.token_urlsafe(9)
    created: list[Server] = []
    try:
        for index in range(count):
            now = max(time.time(), svc.order.items[-1].created if svc.order.items else 0.0)
            server = Server(
                seq=svc.new_seq(), id=str(uuid.uuid4()),
                name=name if count == 1 else f"{name}-{index + 1}", project_id=project_id,
                user_id=user_id, flavor_id=flavor_id, image_id=image_id, created=now,
                updated=now, az=zone, pinned_az=pinned, key_name=key_name,
                metadata={str(k): str(v) for k, v in metadata.items()} or None,
                security_groups=tuple(group_names), user_data=user_data,
                config_drive=bool(body.get("config_drive")),
                disk_config=body.get("OS-DCF:diskConfig") or "MANUAL",
                description=body.get("description") if ctx.at_least(19) else None,
                hostname=str(body["hostname"])[:63] if ctx.at_least(90)
                and body.get("hostname") else None,
                access_ipv4=str(body.get("accessIPv4") or ""),
                access_ipv6=str(body.get("accessIPv6") or ""),
                tags=list(dict.fromkeys(str(t) for t in tags)) if tags else None,
                reservation_id=reservation, launch_index=index)
            server.hostile = "simcloud:hostile-console" in (server.metadata or {})
            created.append(server)
            svc.add_server(server)
            _allocate(ctx, server, nics)
            _boot_volumes(ctx, server, bdms, name)
    except ApiError:
        _rollback(ctx, created)
        raise
    for server in created:
        schedule_build(svc, server, fail)
    first = created[0]
    headers = {"Location": f"{ctx.base}/v2.1/servers/{first.id}",
               "x-openstack-request-id": svc.create_request_id(first),
               "x-compute-request-id": svc.create_request_id(first)}
    if body.get("return_reservation_id"):
        return Response(202, {"reservation_id": reservation}, headers)
    return Response(202, {"server": {
        "id": first.id, "links": links(ctx, "servers", first.id),
        "OS-DCF:diskConfig": first.disk_config,
        "security_groups": [{"name": g} for g in first.security_groups],
        "adminPass": str(password)}}, headers)


def _failure(metadata: dict[str, Any], image: dict[str, Any] | None) -> str | None:
    """Why the build will fail (tests ask for it with metadata simcloud:fail), or None."""
    flag = metadata.get("simcloud:fail")
    if flag is not None:
        text = str(flag)
        return text if text not in ("", "1", "true", "yes") else (
            "No valid host was found. There are not enough hosts available.")
    if image is not None and "error" in str(image.get("name") or "").lower():
        return f"Build of instance aborted: image {image['id']} failed to download"
    return None


def _allocate(ctx: Ctx, server: Server, nics: list[dict[str, Any]]) -> None:
    network = ctx.svc.network_service()
    if network is None:
        return
    # The server's groups go on the ports Nova makes (a port given by the user keeps its own).
    groups = [network.security_group_id(server.project_id, name)
              for name in server.security_groups] or None
    try:
        for nic in nics:
            if nic["port"]:
                network.allocate_port(server.project_id, nic["net"], server.id,
                                      port_id=nic["port"])
            else:
                network.allocate_port(server.project_id, nic["net"], server.id,
                                      fixed_ip=nic["fixed_ip"], security_groups=groups)
    except ApiError as error:
        # Nova answers a bad port/network/IP in a create with 400 (409 for one in use).
        raise ApiError(409 if error.status == 409 else 400, error.message) from error


def _boot_volumes(ctx: Ctx, server: Server, bdms: list[dict[str, Any]], name: str) -> None:
    """Boot from volume: make or attach the BDM volumes (the root one as /dev/vda)."""
    volumes = [m for m in bdms if m.get("destination_type", "volume") == "volume"
               and m.get("source_type") in ("image", "volume")]
    if not volumes:
        return
    cinder = ctx.svc.volume_service()
    if cinder is None:
        raise ApiError(400, "Block Device Mapping is Invalid: the volume service is not "
                            "available.")
    server.volumes = []
    for mapping in sorted(volumes, key=lambda m: int(m.get("boot_index", 99) or 99)
                          if str(m.get("boot_index", "")).lstrip("-").isdigit() else 99):
        source_id = str(mapping.get("uuid") or "")
        if mapping["source_type"] == "image":
            size = mapping.get("volume_size")
            if not size:
                raise ApiError(400, "Block Device Mapping is Invalid: Images with "
                                    "destination_type 'volume' need to have a non-zero size "
                                    "specified")
            volume_id = cinder.create_boot_volume(server.project_id, source_id, int(size),
                                                  f"{name}-boot")
        else:
            volume_id = source_id
        device = next_device(server, mapping.get("device_name"))
        attachment_id = str(uuid.uuid4())
        cinder.attach(volume_id, server.id, device, attachment_id, server.project_id)
        server.volumes.append({"volume_id": volume_id, "device": device,
                               "attachment_id": attachment_id, "bdm_uuid": str(uuid.uuid4()),
                               "delete_on_termination": bool(
                                   mapping.get("delete_on_termination", False)),
                               "tag": mapping.get("tag")})




def _rollback(ctx: Ctx, servers: list[Server]) -> None:
    """A create failed half-way: give back ports and volumes, forget the servers."""
    network = ctx.svc.network_service()
    cinder = ctx.svc.volume_service()
    for server in servers:
        if network is not None:
            network.release_ports(server.id)
        for att in server.volumes or ():
            if cinder is not None:
                try:
                    cinder.detach(att["volume_id"], server.id)
                except ApiError:
                    pass
        ctx.svc.remove_server(server)
        ctx.svc.deleted.pop(server.id, None)
