"""``POST /servers/{id}/action`` (start, stop, reboot, pause, shelve, resize, rebuild, snapshot,
console output ...), ``os-instance-actions`` and remote consoles."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tuicloud.simcloud import nova_console
from tuicloud.simcloud.core import ApiError, Request, Response, Router, SimCloud
from tuicloud.simcloud.nova_hosts import (
    compute_service,
    last_migration,
    record_migration,
    server_migrations,
    set_migration,
    start_live_migration,
    target_host,
    usable_host,
)
from tuicloud.simcloud.nova_lifecycle import (
    check_image_fits,
    check_lock,
    check_name,
    check_quota,
    check_state,
    console_info,
    freeze_console,
    image_for,
    new_boot,
    schedule_delete,
    thaw_console,
    transition,
)
from tuicloud.simcloud.nova_model import (
    HOST_ZONE,
    HOSTS,
    NOSTATE,
    PAUSED,
    RUNNING,
    SHUTDOWN,
    Ctx,
    Server,
    api,
    forbidden,
    invalid_state,
)
from tuicloud.simcloud.nova_validation import check_description, check_metadata_schema
from tuicloud.simcloud.nova_views import server_doc, usage_time

if TYPE_CHECKING:
    from tuicloud.simcloud.nova import Service



def register(router: Router, service: str) -> None:
    """Routes for actions, instance actions, remote consoles."""
    base = "/compute/v2.1/servers/{server_id}"
    router.add("POST", base + "/action", api(server_action), service=service)
    router.add("GET", base + "/os-instance-actions", api(list_instance_actions),
               service=service)
    router.add("GET", base + "/os-instance-actions/{request_id}", api(show_instance_action),
               service=service)
    router.add("GET", base + "/migrations", api(server_migrations), service=service)
    router.add("POST", base + "/remote-consoles", api(create_remote_console), service=service)
    router.add("GET", "/vnc_auto.html", vnc_page, service=service, auth=False)



# -- action handlers ----------------------------------------------------------------------------
def _start(ctx: Ctx, server: Server, body: Any) -> Response:
    check_lock(ctx, server)
    check_state(server, "start", ("stopped",))

    def final() -> None:
        server.vm_state, server.power_state = "active", RUNNING
        new_boot(server)
    transition(ctx, ctx.svc, server, "start", "powering-on", final)
    return Response(202)


def _stop(ctx: Ctx, server: Server, body: Any) -> Response:
    check_lock(ctx, server)
    check_state(server, "stop", ("active", "rescued", "error"))

    def final() -> None:
        server.vm_state, server.power_state = "stopped", SHUTDOWN
        freeze_console(server)
    transition(ctx, ctx.svc, server, "stop", "powering-off", final)
    return Response(202)


def _reboot(ctx: Ctx, server: Server, body: Any) -> Response:
    kind = body.get("type") if isinstance(body, dict) else None
    if not isinstance(kind, str) or kind.upper() not in ("SOFT", "HARD"):
        raise ApiError(400, "Invalid input for field/attribute type. Value: "
                            f"{kind}. '{kind}' is not one of ['HARD', 'Hard', 'hard', "
                            "'SOFT', 'Soft', 'soft']")
    hard = kind.upper() == "HARD"
    check_lock(ctx, server)
    allowed = ("active", "stopped", "paused", "suspended", "error") if hard else ("active",)
    check_state(server, "reboot", allowed,
                (None, "rebooting", "reboot_pending", "reboot_started") if hard else (None,))

    def final() -> None:
        server.vm_state, server.power_state = "active", RUNNING
        new_boot(server)
    transition(ctx, ctx.svc, server, "reboot", "rebooting_hard" if hard else "rebooting", final)
    return Response(202)


def _simple(action: str, vm_states: tuple[str, ...], task: str, end_state: str, power: int,
            console: Callable[[Server], None] | None) -> Callable[[Ctx, Server, Any], Response]:
    """An action that only moves vm_state (pause, unpause, suspend, resume)."""

    def handle(ctx: Ctx, server: Server, body: Any) -> Response:
        check_lock(ctx, server)
        check_state(server, action, vm_states)

        def final() -> None:
            server.vm_state, server.power_state = end_state, power
            if console is not None:
                console(server)
        transition(ctx, ctx.svc, server, action, task, final)
        return Response(202)

    return handle


def _offload(ctx: Ctx | None, svc: Service, server: Server) -> None:
    def final() -> None:
        server.vm_state, server.power_state, server.host = "shelved_offloaded", NOSTATE, None
        server.console_start = server.console_frozen = None
    transition(ctx, svc, server, "shelveOffload", "shelving_offloading", final)


def _shelve(ctx: Ctx, server: Server, body: Any) -> Response:
    check_lock(ctx, server)
    check_state(server, "shelve", ("active", "stopped", "paused", "suspended"))
    svc = ctx.svc

    def final() -> None:
        server.vm_state, server.power_state = "shelved", SHUTDOWN
        freeze_console(server)
        _offload(None, svc, server)  # shelved_offload_time = 0: offload right after
    transition(ctx, svc, server, "shelve", "shelving", final)
    return Response(202)


def _shelve_offload(ctx: Ctx, server: Server, body: Any) -> Response:
    check_lock(ctx, server)
    check_state(server, "shelveOffload", ("shelved",))
    _offload(ctx, ctx.svc, server)
    return Response(202)


def _unshelve(ctx: Ctx, server: Server, body: Any) -> Response:
    check_lock(ctx, server)
    check_state(server, "unshelve", ("shelved", "shelved_offloaded"))
    zone = body.get("availability_zone") if isinstance(body, dict) else None
    if zone is not None:
        if not ctx.at_least(77):
            raise ApiError(400, "Invalid input for field/attribute unshelve. Value: "
                                f"{body}. Additional properties are not allowed")
        if zone not in HOSTS:
            raise ApiError(400, "The requested availability zone is not available")
        server.az = server.pinned_az = zone

    def final() -> None:
        hosts = HOSTS[server.az]
        server.vm_state, server.power_state = "active", RUNNING
        server.host = server.host or hosts[server.seq % len(hosts)]
        new_boot(server)
    transition(ctx, ctx.svc, server, "unshelve", "unshelving", final)
    return Response(202)


def _lock(ctx: Ctx, server: Server, body: Any) -> Response:
    reason = body.get("locked_reason") if isinstance(body, dict) else None
    if reason is not None and (not ctx.at_least(73) or not isinstance(reason, str)
                               or len(reason) > 255):
        raise ApiError(400, "Invalid input for field/attribute lock. Value: "
                            f"{body}. Additional properties are not allowed")
    admin_lock = ctx.is_admin and server.project_id != ctx.project_id
    server.locked_by = "admin" if admin_lock else "owner"
    server.locked_reason = reason
    ctx.svc.finish_action(ctx.svc.record_action(server, "lock", ctx))
    ctx.svc.touch(server)
    return Response(202)


def _unlock(ctx: Ctx, server: Server, body: Any) -> Response:
    if server.locked_by == "admin" and not ctx.is_admin:
        raise forbidden("os_compute_api:os-lock-server:unlock:unlock_override")
    server.locked_by = server.locked_reason = None
    ctx.svc.finish_action(ctx.svc.record_action(server, "unlock", ctx))
    ctx.svc.touch(server)
    return Response(202)


def _rescue(ctx: Ctx, server: Server, body: Any) -> Response:
    body = body if isinstance(body, dict) else {}
    check_lock(ctx, server)
    check_state(server, "rescue", ("active", "stopped", "error"))
    if body.get("rescue_image_ref") is not None:
        image_for(ctx, body["rescue_image_ref"])
    password = body.get("adminPass") or secrets.token_urlsafe(9)
    prior = server.vm_state

    def final() -> None:
        server.prior_vm_state = prior
        server.vm_state, server.power_state = "rescued", RUNNING
        new_boot(server)
    transition(ctx, ctx.svc, server, "rescue", "rescuing", final)
    return Response(200, {"adminPass": str(password)})


def _unrescue(ctx: Ctx, server: Server, body: Any) -> Response:
    check_lock(ctx, server)
    check_state(server, "unrescue", ("rescued",))

    def final() -> None:
        server.vm_state, server.power_state = "active", RUNNING
        server.prior_vm_state = None
        new_boot(server)
    transition(ctx, ctx.svc, server, "unrescue", "unrescuing", final)
    return Response(202)


def _resize_to(ctx: Ctx, server: Server, flavor_id: str, action: str, task: str,
               host: Any = None) -> None:
    svc = ctx.svc
    prior = server.vm_state
    old = server.flavor_id
    source = server.host
    if action == "migrate":
        dest = target_host(svc, server, host)
    else:
        hosts = HOSTS[server.az]
        dest = hosts[(hosts.index(server.host) + 1) % len(hosts)] \
            if server.host in hosts else hosts[0]
    record = record_migration(svc, server, "migration" if action == "migrate" else "resize",
                              source, None, "migrating")

    fails = server.id in ctx.cloud.faults.failing_migrations

    def final() -> None:
        if dest is None or fails:  # no valid host: the server stays where it was
            set_migration(record, "error")
            return
        svc.charge(server.project_id, old, -1)
        svc.charge(server.project_id, flavor_id, 1)
        server.old_flavor_id, server.flavor_id = old, flavor_id
        server.prior_vm_state = prior
        server.vm_state = "resized"
        server.host = dest
        set_migration(record, "finished", dest)
        if prior == "active":
            new_boot(server)
    transition(ctx, svc, server, action, task, final)


def _resize(ctx: Ctx, server: Server, body: Any) -> Response:
    if not isinstance(body, dict) or "flavorRef" not in body:
        raise ApiError(400, "Invalid input for field/attribute resize. Value: "
                            f"{body}. 'flavorRef' is a required property")
    check_lock(ctx, server)
    check_state(server, "resize", ("active", "stopped"))
    flavor_id = str(body["flavorRef"]).rstrip("/").rsplit("/", 1)[-1]
    flavor = ctx.svc.flavor_visible(ctx, flavor_id)
    if flavor is None:
        raise ApiError(400, f"Flavor {flavor_id} could not be found.")
    if flavor_id == server.flavor_id:
        raise ApiError(400, "When resizing, instances must change flavor!")
    current = ctx.svc.flavor_record(server.flavor_id)
    check_quota(ctx, server.project_id, 0, flavor["vcpus"] - current["vcpus"],
                flavor["ram"] - current["ram"])
    _resize_to(ctx, server, flavor_id, "resize", "resize_prep")
    return Response(202)


def _migrate(ctx: Ctx, server: Server, body: Any) -> Response:
    if not ctx.is_admin:
        raise forbidden("os_compute_api:os-migrate-server:migrate")
    check_state(server, "migrate", ("active", "stopped"))
    wanted = body.get("host") if isinstance(body, dict) and ctx.at_least(56) else None
    _resize_to(ctx, server, server.flavor_id, "migrate", "resize_prep", wanted)
    return Response(202)


def _live_migrate(ctx: Ctx, server: Server, body: Any) -> Response:
    if not ctx.is_admin:
        raise forbidden("os_compute_api:os-migrate-server:migrate_live")
    specs = ctx.svc.flavor_record(server.flavor_id).get("extra_specs") or {}
    if str(specs.get("hw:mem_encryption", "")).lower() in ("true", "1", "yes"):
        # Nova refuses before checking the state (reject_mem_enc_instances; a NotSupported: 400).
        raise ApiError(400, "Operation 'live-migration' not supported for mem encryption "
                            f"enabled instance ({server.id}).")
    check_state(server, "os-migrateLive", ("active", "paused"))
    wanted = body.get("host") if isinstance(body, dict) else None
    dest = target_host(ctx.svc, server, wanted)
    start_live_migration(ctx, server, dest, server.id in ctx.cloud.faults.failing_migrations)
    return Response(202)


def _evacuate(ctx: Ctx, server: Server, body: Any) -> Response:
    """Rebuild a server of a down host elsewhere (admin). From 2.95 it ends stopped there."""
    if not ctx.is_admin:
        raise forbidden("os_compute_api:os-evacuate")
    wanted = body.get("host") if isinstance(body, dict) else None
    if wanted is not None:
        if wanted not in HOST_ZONE:
            raise ApiError(404, f"Compute host {wanted} not found.")
        if wanted == server.host:
            raise ApiError(400, "The target host can't be the same one.")
    check_state(server, "evacuate", ("active", "stopped", "error"))
    if not compute_service(ctx.svc, str(server.host))["forced_down"]:
        # simcloud's services are up unless forced down (Nova: its heartbeat is recent).
        raise ApiError(400, f"Compute service of {server.host} is still in use.")
    svc = ctx.svc
    dest = target_host(svc, server, wanted) if wanted is None else (
        str(wanted) if usable_host(svc, str(wanted)) else None)
    record = record_migration(svc, server, "evacuation", server.host, None, "accepted")
    stop = ctx.at_least(95)

    def final() -> None:
        if dest is None:  # NoValidHost: the server stays on its dead host
            set_migration(record, "error")
            return
        server.host = dest
        set_migration(record, "done", dest)
        if stop or server.vm_state == "stopped":
            server.vm_state, server.power_state = "stopped", SHUTDOWN
        elif server.vm_state != "error":
            server.vm_state, server.power_state = "active", RUNNING
            new_boot(server)
    transition(ctx, svc, server, "evacuate", "rebuilding", final)
    return Response(200)


def _force_delete(ctx: Ctx, server: Server, body: Any) -> Response:
    """Delete at once whatever the vm_state (no task may be running), as the deferred-delete
    cleanup would."""
    check_lock(ctx, server)
    if server.task_state is not None:
        raise invalid_state("forceDelete", server, "task_state")
    schedule_delete(ctx, ctx.svc, server)
    return Response(202)


def _confirm_resize(ctx: Ctx, server: Server, body: Any) -> Response:
    """204 at once, but the server stays VERIFY_RESIZE (task_state null) while the compute
    service cleans up the source, as real Nova does; a second confirm meanwhile is a 400."""
    check_lock(ctx, server)
    check_state(server, "confirmResize", ("resized",))
    if server.old_flavor_id is None:  # already confirming: no migration left to confirm
        raise ApiError(400, "Instance has not been resized.")
    svc = ctx.svc
    server.old_flavor_id = None
    record = last_migration(svc, server, "finished")
    if record is not None:
        set_migration(record, "confirmed")
    gen = server.gen = server.gen + 1
    entry = svc.record_action(server, "confirmResize", ctx)
    svc.touch(server)

    def settle() -> None:
        if server.gen != gen or server.deleted:
            return
        server.vm_state = server.prior_vm_state or "active"
        server.power_state = RUNNING if server.vm_state == "active" else SHUTDOWN
        server.prior_vm_state = None
        server.gen += 1
        svc.finish_action(entry)
        svc.touch(server)
    svc.cloud.scheduler.call_later(svc.cloud.config.confirm_resize_seconds(), settle)
    return Response(204)


def _revert_resize(ctx: Ctx, server: Server, body: Any) -> Response:
    check_lock(ctx, server)
    check_state(server, "revertResize", ("resized",))
    if server.old_flavor_id is None:  # being confirmed
        raise ApiError(400, "Instance has not been resized.")
    svc = ctx.svc
    old = server.old_flavor_id

    def final() -> None:
        svc.charge(server.project_id, server.flavor_id, -1)
        svc.charge(server.project_id, old, 1)
        server.flavor_id, server.old_flavor_id = old, None
        record = last_migration(svc, server, "finished")
        if record is not None:
            server.host = record["source_compute"] or server.host
            set_migration(record, "reverted")
        server.vm_state = server.prior_vm_state or "active"
        server.power_state = RUNNING if server.vm_state == "active" else SHUTDOWN
        server.prior_vm_state = None
    transition(ctx, svc, server, "revertResize", "resize_reverting", final)
    return Response(202)


def _rebuild(ctx: Ctx, server: Server, body: Any) -> Response:
    if not isinstance(body, dict) or "imageRef" not in body:
        raise ApiError(400, "Invalid input for field/attribute rebuild. Value: "
                            f"{body}. 'imageRef' is a required property")
    if "metadata" in body:
        check_metadata_schema(body["metadata"])
    if "description" in body and ctx.at_least(19):
        check_description(body["description"])
    check_lock(ctx, server)
    check_state(server, "rebuild", ("active", "stopped", "error"))
    image = image_for(ctx, body["imageRef"])
    image_id = image["id"] if image else str(body["imageRef"]).rsplit("/", 1)[-1]
    if image is not None:
        check_image_fits(ctx.svc.flavor_record(server.flavor_id), image)
    if "name" in body:
        server.name = check_name(body["name"], "rebuild")
    if isinstance(body.get("metadata"), dict):
        server.metadata = {str(k): str(v) for k, v in body["metadata"].items()} or None
    if "description" in body and ctx.at_least(19):
        server.description = body["description"]
    if "key_name" in body and ctx.at_least(54):
        server.key_name = body["key_name"]
    for field, attr in (("accessIPv4", "access_ipv4"), ("accessIPv6", "access_ipv6")):
        if isinstance(body.get(field), str):
            setattr(server, attr, body[field])
    password = body.get("adminPass") or secrets.token_urlsafe(9)
    server.image_id = image_id
    prior = server.vm_state
    server.fault = None if prior != "error" else server.fault

    def final() -> None:
        server.fault = None
        server.vm_state = "stopped" if prior == "stopped" else "active"
        server.power_state = SHUTDOWN if prior == "stopped" else RUNNING
        new_boot(server)
        if prior == "stopped":
            freeze_console(server)
    transition(ctx, ctx.svc, server, "rebuild", "rebuilding", final)
    doc = server_doc(ctx, server, show=True)
    doc["adminPass"] = str(password)
    return Response(202, {"server": doc})


def _create_image(ctx: Ctx, server: Server, body: Any) -> Response:
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) \
            or not body["name"].strip():
        raise ApiError(400, "Invalid input for field/attribute createImage. Value: "
                            f"{body}. 'name' is a required property")
    metadata = body.get("metadata") or {}
    check_metadata_schema(metadata)
    check_state(server, "createImage", ("active", "stopped", "paused", "suspended"))
    glance = ctx.svc.image_service()
    if glance is None:
        raise ApiError(503, "The image service is not available.")
    image_id = glance.create_server_snapshot(server.project_id, body["name"], server.id,
                                             dict(metadata))
    transition(ctx, ctx.svc, server, "createImage", "image_snapshot", lambda: None)
    if ctx.at_least(45):
        return Response(202, {"image_id": image_id})
    return Response(202, None, {"Location": f"{ctx.cloud.base_url}/image/v2/images/{image_id}"})


def _console_output(ctx: Ctx, server: Server, body: Any) -> Response:
    raw = body.get("length") if isinstance(body, dict) else None
    length: int | None = None
    if raw is not None:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)) or (
                isinstance(raw, str) and not re.fullmatch(r"-?[0-9]+", raw)):
            raise ApiError(400, f"Invalid input for field/attribute length. Value: {raw}. "
                                f"{raw!r} does not match '^-?[0-9]+$'")
        length = int(raw)
        if length < -1:
            raise ApiError(400, f"Invalid input for field/attribute length. Value: {raw}. "
                                f"{raw} is less than the minimum of -1")
    if server.host is None or server.console_start is None:
        raise ApiError(409, f"Instance {server.id} is not ready.")
    info = console_info(ctx.svc, server)
    text = nova_console.output(server, info, ctx.cloud.config.console_interval, length)
    return Response(200, {"output": text})




def _security_group(add: bool) -> Callable[[Ctx, Server, Any], Response]:
    def handle(ctx: Ctx, server: Server, body: Any) -> Response:
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name:
            raise ApiError(400, "Missing parameter name")
        network = ctx.svc.network_service()
        if network is not None:
            try:
                group_id = network.security_group_id(server.project_id, name)
                name = network.security_group_name(group_id) if name == group_id else name
            except ApiError as error:
                raise ApiError(404, error.message) from error
        groups = list(server.security_groups)
        if add and name in groups:
            raise ApiError(400, f"Security group {name} is already associated with the "
                                f"instance {server.id}")
        if not add and name not in groups:
            raise ApiError(400, f"Security group {name} not associated with the instance "
                                f"{server.id}")
        server.security_groups = tuple(groups + [name]) if add else tuple(
            g for g in groups if g != name)
        if network is not None:  # as Nova: the change goes onto the server's ports
            ids = [network.security_group_id(server.project_id, g)
                   for g in server.security_groups]
            for port_id in list(network.ports_by_device.get(server.id, ())):
                port = network.ports[port_id]
                if port.port_security_enabled:
                    network.set_security_groups(port, ids)
        ctx.svc.touch(server)
        return Response(202)
    return handle


def _change_password(ctx: Ctx, server: Server, body: Any) -> Response:
    if not isinstance(body, dict) or not isinstance(body.get("adminPass"), str):
        raise ApiError(400, "Invalid input for field/attribute changePassword. Value: "
                            f"{body}. 'adminPass' is a required property")
    check_lock(ctx, server)
    check_state(server, "changePassword", ("active",))
    transition(ctx, ctx.svc, server, "changePassword", "updating_password", lambda: None)
    return Response(202)


def _reset_state(ctx: Ctx, server: Server, body: Any) -> Response:
    if not ctx.is_admin:
        raise forbidden("os_compute_api:os-admin-actions:reset_state")
    state = body.get("state") if isinstance(body, dict) else None
    if state not in ("active", "error"):
        raise ApiError(400, f"Invalid input for field/attribute state. Value: {state}. "
                            f"{state!r} is not one of ['active', 'error']")
    server.vm_state, server.task_state = state, None
    server.gen += 1
    ctx.svc.touch(server)
    return Response(202)


_CONSOLES = {"novnc": "vnc", "xvpvnc": "vnc", "spice-html5": "spice", "serial": "serial"}


def _console_url(ctx: Ctx, server: Server, console_type: str) -> str:
    if console_type not in _CONSOLES:
        raise ApiError(400, f"Unavailable console type {console_type}.")
    if server.vm_state not in ("active", "rescued", "paused") or server.host is None:
        raise ApiError(409, f"Instance {server.id} is not ready.")
    token = secrets.token_hex(16)
    if console_type == "serial":
        return f"ws://127.0.0.1:{ctx.cloud.base_url.rsplit(':', 1)[-1]}/?token={token}"
    return f"{ctx.cloud.base_url}/vnc_auto.html?path=%3Ftoken%3D{token}"


def _legacy_console(ctx: Ctx, server: Server, body: Any) -> Response:
    kind = body.get("type") if isinstance(body, dict) else None
    if not isinstance(kind, str):
        raise ApiError(400, "Invalid input for field/attribute type. 'type' is a required "
                            "property")
    return Response(200, {"console": {"type": kind, "url": _console_url(ctx, server, kind)}})


ACTIONS: dict[str, Callable[[Ctx, Server, Any], Response]] = {
    "os-start": _start,
    "os-stop": _stop,
    "reboot": _reboot,
    "pause": _simple("pause", ("active",), "pausing", "paused", PAUSED, freeze_console),
    "unpause": _simple("unpause", ("paused",), "unpausing", "active", RUNNING, thaw_console),
    "suspend": _simple("suspend", ("active",), "suspending", "suspended", SHUTDOWN,
                       freeze_console),
    "resume": _simple("resume", ("suspended",), "resuming", "active", RUNNING, thaw_console),
    "shelve": _shelve,
    "shelveOffload": _shelve_offload,
    "unshelve": _unshelve,
    "lock": _lock,
    "unlock": _unlock,
    "rescue": _rescue,
    "unrescue": _unrescue,
    "resize": _resize,
    "confirmResize": _confirm_resize,
    "revertResize": _revert_resize,
    "migrate": _migrate,
    "os-migrateLive": _live_migrate,
    "evacuate": _evacuate,
    "forceDelete": _force_delete,
    "rebuild": _rebuild,
    "createImage": _create_image,
    "os-getConsoleOutput": _console_output,
    "addSecurityGroup": _security_group(True),
    "removeSecurityGroup": _security_group(False),
    "changePassword": _change_password,
    "os-resetState": _reset_state,
    "os-getVNCConsole": _legacy_console,
    "os-getSerialConsole": _legacy_console,
    "os-getSPICEConsole": _legacy_console,
}


def server_action(ctx: Ctx) -> Response:
    """POST /servers/{id}/action: the body's single key names the action."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    body = ctx.req.json()
    if not isinstance(body, dict) or not body:
        raise ApiError(400, "Malformed request body")
    name = next(iter(body))
    handler = ACTIONS.get(name)
    if handler is None:
        raise ApiError(400, f"There is no such action: {name}")
    if server.task_state == "deleting" and name != "os-getConsoleOutput":
        raise invalid_state(name, server, "task_state")
    return handler(ctx, server, body[name])



# -- instance actions ---------------------------------------------------------------------------
def _create_entry(svc: Service, server: Server) -> dict[str, Any]:
    failed = server.fault is not None and server.launched_at is None
    finish = server.launched_at or (server.fault[2] if server.fault else None)
    return {"action": "create", "request_id": svc.create_request_id(server),
            "user_id": server.user_id, "project_id": server.project_id,
            "start_time": server.created, "finish_time": finish,
            "message": "Error" if failed else None,
            "event": "compute__do_build_and_run_instance",
            "result": None if finish is None else ("Error" if failed else "Success"),
            "host": server.host}


def _entries(svc: Service, server: Server) -> list[dict[str, Any]]:
    return [_create_entry(svc, server), *(server.actions or ())]


def _action_doc(ctx: Ctx, server: Server, entry: dict[str, Any],
                events: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {"action": entry["action"], "instance_uuid": server.id,
                           "message": entry["message"], "project_id": entry["project_id"],
                           "request_id": entry["request_id"],
                           "start_time": usage_time(entry["start_time"]),
                           "user_id": entry["user_id"]}
    if ctx.at_least(58):
        doc["updated_at"] = usage_time(entry["finish_time"] or entry["start_time"])
    if events:
        event: dict[str, Any] = {"event": entry["event"],
                                 "start_time": usage_time(entry["start_time"]),
                                 "finish_time": usage_time(entry["finish_time"]),
                                 "result": entry["result"]}
        if ctx.is_admin:
            event["traceback"] = None
        if ctx.at_least(62):
            from tuicloud.simcloud.nova_views import host_id

            event["hostId"] = host_id(server.project_id, entry["host"])
            if ctx.is_admin:
                event["host"] = entry["host"]
        if ctx.at_least(84) and ctx.is_admin:
            event["details"] = entry.get("details")
        doc["events"] = [event]
    return doc


def list_instance_actions(ctx: Ctx) -> Response:
    """GET /servers/{id}/os-instance-actions: newest first."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    entries = _entries(ctx.svc, server)
    entries.reverse()
    return Response(200, {"instanceActions": [_action_doc(ctx, server, e, False)
                                              for e in entries]})


def show_instance_action(ctx: Ctx) -> Response:
    """GET /servers/{id}/os-instance-actions/{request_id}."""
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    request_id = ctx.param("request_id")
    for entry in _entries(ctx.svc, server):
        if entry["request_id"] == request_id:
            return Response(200, {"instanceAction": _action_doc(ctx, server, entry, True)})
    raise ApiError(404, f"Action for request_id {request_id} on instance {server.id} not found")


# -- remote consoles ----------------------------------------------------------------------------
def create_remote_console(ctx: Ctx) -> Response:
    """POST /servers/{id}/remote-consoles (2.6+)."""
    if not ctx.at_least(6):
        raise ApiError(404, "The resource could not be found.")
    server = ctx.svc.find(ctx, ctx.param("server_id"))
    body = ctx.req.json_object("remote_console")
    protocol, kind = body.get("protocol"), body.get("type")
    if protocol not in ("vnc", "spice", "serial", "rdp", "mks"):
        raise ApiError(400, f"Invalid input for field/attribute protocol. Value: {protocol}. "
                            f"{protocol!r} is not one of ['vnc', 'spice', 'rdp', 'serial', "
                            "'mks']")
    if not isinstance(kind, str) or _CONSOLES.get(kind) != protocol:
        raise ApiError(400, f"Unavailable console type {kind}.")
    url = _console_url(ctx, server, kind)
    return Response(200, {"remote_console": {"protocol": protocol, "type": kind, "url": url}})


def vnc_page(cloud: SimCloud, request: Request) -> Response:
    """GET /vnc_auto.html: a stand-in for noVNC."""
    page = (b"<!DOCTYPE html><html><head><title>simcloud console</title></head><body>"
            b"<p>simcloud has no graphical console; this page stands in for noVNC.</p>"
            b"</body></html>")
    return Response(200, page, {"Content-Type": "text/html; charset=utf-8"})
