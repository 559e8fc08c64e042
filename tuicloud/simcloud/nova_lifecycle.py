"""A server's life in simcloud's Nova: the state machine (transitional task_state at once, the
final state after ``cloud.config.action_delay``), builds, deletes, console boots, and the checks
actions and creates share (lock, state, name, image fit, quota)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tuicloud.simcloud import nova_console
from tuicloud.simcloud.core import ApiError
from tuicloud.simcloud.nova_model import (
    HOSTS,
    NOSTATE,
    RUNNING,
    Ctx,
    Server,
    invalid_state,
)

if TYPE_CHECKING:
    from tuicloud.simcloud.nova import Service

Final = Callable[[], None]

# -- state machine ------------------------------------------------------------------------------
def new_boot(server: Server) -> None:
    """The server (re)booted: its console log starts over."""
    server.console_start = time.time()
    server.console_frozen = None
    server.console_extra = 0
    apply_burst(server)


def apply_burst(server: Server) -> None:
    """``simcloud:console-burst`` metadata: that many log lines appear at once."""
    burst = (server.metadata or {}).get("simcloud:console-burst")
    if burst is not None:
        try:
            server.console_extra += max(0, min(int(burst), nova_console.BURST_CAP))
        except ValueError:
            pass


def freeze_console(server: Server) -> None:
    """The guest stopped running: its log stops growing."""
    if server.console_start is not None and server.console_frozen is None:
        server.console_frozen = time.time() - server.console_start


def thaw_console(server: Server) -> None:
    """The guest runs again without a reboot (unpause, resume): the log goes on growing."""
    if server.console_start is not None and server.console_frozen is not None:
        server.console_start = time.time() - server.console_frozen
        server.console_frozen = None


def transition(ctx: Ctx | None, svc: Service, server: Server, action: str,
               task_state: str | None, final: Final, *, delay: float | None = None,
               request_id: str | None = None) -> None:
    """Show ``task_state`` now; run ``final`` (and clear the task) after the action delay."""
    server.task_state = task_state
    server.gen += 1
    gen = server.gen
    entry = svc.record_action(server, action, ctx, request_id=request_id)
    svc.touch(server)

    def done() -> None:
        if server.gen != gen or server.deleted:
            return
        final()
        if server.gen == gen:  # final() may have chained another transition
            server.task_state = None
        svc.finish_action(entry)
        svc.touch(server)

    svc.cloud.scheduler.call_later(
        svc.cloud.config.action_delay if delay is None else delay, done)


def schedule_build(svc: Service, server: Server, fail: str | None) -> None:
    """BUILD: scheduling -> networking -> spawning, then ACTIVE (or ERROR with ``fail``)."""
    delay = svc.cloud.config.build_delay
    gen = server.gen

    def step(task: str) -> Final:
        def run() -> None:
            if server.gen != gen or server.deleted:
                return
            server.task_state = task
            if task == "networking" and server.host is None:
                hosts = HOSTS[server.az]
                server.host = hosts[server.seq % len(hosts)]
            if task == "spawning" and fail is None:
                new_boot(server)
            svc.touch(server)
        return run

    scheduler = svc.cloud.scheduler
    scheduler.call_later(delay * 0.25, step("networking"))
    scheduler.call_later(delay * 0.5, step("spawning"))
    scheduler.call_later(delay, lambda: finish_build(svc, server, gen, fail))


def finish_build(svc: Service, server: Server, gen: int, fail: str | None) -> None:
    """The end of a build: ACTIVE and running, or ERROR with a fault."""
    if server.gen != gen or server.deleted:
        return
    now = time.time()
    server.task_state = None
    if fail is not None:
        server.vm_state, server.power_state, server.host = "error", NOSTATE, None
        server.console_start = None
        server.fault = (500, fail, now, "Traceback (most recent call last):\n  File "
                        "\"nova/compute/manager.py\", line 2583, in _build_and_run_instance\n"
                        "nova.exception.BuildAbortException: " + fail)
        network = svc.network_service()
        if network is not None:  # a failed build gives its ports back
            network.release_ports(server.id)
    else:
        server.vm_state, server.power_state = "active", RUNNING
        server.launched_at = now
        if server.console_start is None:
            new_boot(server)
    svc.touch(server)


def schedule_delete(ctx: Ctx, svc: Service, server: Server) -> None:
    """task_state deleting now; after the action delay ports, volumes and the record go."""

    def final() -> None:
        network = svc.network_service()
        if network is not None:
            network.release_ports(server.id)
        volume = svc.volume_service()
        for att in server.volumes or ():
            if volume is None:
                break
            try:
                volume.detach(att["volume_id"], server.id)
                if att["delete_on_termination"]:
                    volume.delete_if_requested(att["volume_id"])
            except ApiError:
                pass  # a volume already gone must not keep the server alive
        svc.remove_server(server)

    transition(ctx, svc, server, "delete", "deleting", final)


# -- checks -------------------------------------------------------------------------------------
def check_lock(ctx: Ctx, server: Server) -> None:
    """Locked servers refuse changes from non-admins."""
    if server.locked and not ctx.is_admin:
        raise ApiError(409, f"Instance {server.id} is locked")


def check_state(server: Server, action: str, vm_states: tuple[str, ...],
                task_states: tuple[str | None, ...] = (None,)) -> None:
    """409 in Nova's words when the server's state does not allow ``action``."""
    if server.vm_state not in vm_states:
        raise invalid_state(action, server)
    if server.task_state not in task_states:
        raise invalid_state(action, server, "task_state")


def image_for(ctx: Ctx, image_ref: Any) -> dict[str, Any] | None:
    """The active image a rebuild or rescue asks for (None while Glance is missing)."""
    glance = ctx.svc.image_service()
    if not isinstance(image_ref, str) or not image_ref:
        raise ApiError(400, "Invalid imageRef provided.")
    image_id = image_ref.rstrip("/").rsplit("/", 1)[-1]
    if glance is None:
        return None
    image = glance.image_visible_to(image_id, ctx.project_id, ctx.is_admin)
    if image is None:
        raise ApiError(400, f"Image {image_id} could not be found.")
    if image.get("status") != "active":
        raise ApiError(400, f"Image {image_id} is not active.")
    return dict(image)

def console_info(svc: Service, server: Server) -> nova_console.ConsoleInfo:
    """Name and first fixed IP/MAC for the log."""
    ip, mac = "10.0.0.2", "fa:16:3e:00:00:01"
    network = svc.network_service()
    if network is not None:
        for port in network.ports_for_device(server.id):
            if port.get("fixed_ips"):
                ip, mac = port["fixed_ips"][0]["ip_address"], port.get("mac_address", mac)
                break
    return nova_console.ConsoleInfo(server, svc.flavor_record(server.flavor_id), ip, mac)


# -- shared by create and resize ----------------------------------------------------------------
def check_name(name: Any, where: str) -> str:
    """A server name as Nova's schema accepts it (1-255 chars, not only spaces)."""
    if isinstance(name, str) and name.strip() and len(name) <= 255:
        return name
    if not isinstance(name, str) or not name:
        raise ApiError(400, f"Invalid input for field/attribute {where}. 'name' is a required "
                            "property")
    why = "is too long" if len(name) > 255 else "does not match '^(?! )[\\S ]*(?<! )$'"
    raise ApiError(400, f"Invalid input for field/attribute name. Value: {name[:64]}. "
                        f"{name[:64]!r} {why}")


def check_image_fits(flavor: dict[str, Any], image: dict[str, Any]) -> None:
    """Nova refuses flavors smaller than the image's min_disk/min_ram."""
    if flavor["disk"] and flavor["disk"] < int(image.get("min_disk") or 0):
        raise ApiError(400, "Flavor's disk is too small for requested image. Flavor disk is "
                            f"{flavor['disk'] << 30} bytes, minimum requested disk is "
                            f"{int(image['min_disk']) << 30} bytes.")
    if flavor["ram"] < int(image.get("min_ram") or 0):
        raise ApiError(400, "Flavor's memory is too small for requested image.")


def check_quota(ctx: Ctx, project_id: str, instances: int, cores: int, ram: int) -> None:
    """403 "Quota exceeded for ..." when the request does not fit the project's quota."""
    svc = ctx.svc
    limits = svc.quota(project_id)
    used = svc.instance_usage(project_id)
    over = [(res, want) for res, want in (("cores", cores), ("instances", instances),
                                          ("ram", ram))
            if want > 0 and limits[res] >= 0 and used[res] + want > limits[res]]
    if over:
        names = ", ".join(res for res, _ in over)
        raise ApiError(403, "Quota exceeded for {0}: Requested {1}, but already used {2} of "
                            "{3} {0}".format(names, ", ".join(str(w) for _, w in over),
                                             ", ".join(str(used[r]) for r, _ in over),
                                             ", ".join(str(limits[r]) for r, _ in over)))


def bad_input(field: str, value: Any, why: str) -> ApiError:
    """Nova's 400 for a request field its schema refuses."""
    return ApiError(400, f"Invalid input for field/attribute {field}. Value: {value}. {why}")


def requested_nics(ctx: Ctx, project_id: str, spec: Any,
                   server: Any = None) -> list[dict[str, Any]]:
    """The requested NICs as [{"net", "port", "fixed_ip"}]; [] for "none". ``server`` is the
    request's server body, which Nova quotes when it refuses one without networks."""
    network = ctx.svc.network_service()
    if spec is None and ctx.at_least(37):
        raise bad_input("server", server, "'networks' is a required property")
    if spec is None or spec == "auto":
        if network is None:
            return []
        # As the rig's Nova: the one network the project may use (its own or shared, not
        # external), else 409; several are never guessed between.
        usable = [n for n in network.networks_visible_to(project_id)
                  if not n["router:external"]]
        if len(usable) > 1:
            raise ApiError(409, "Multiple possible networks found, use a Network ID to be "
                                "more specific.")
        net_id = str(usable[0]["id"]) if usable else network.default_network_id(project_id)
        return [{"net": net_id, "port": None, "fixed_ip": None}]
    if spec == "none":
        return []
    if not isinstance(spec, list):
        raise bad_input("networks", spec, f"{spec!r} is not of type 'array'")
    visible = ({n["id"] for n in network.networks_visible_to(project_id)}
               if network is not None else set())
    nics: list[dict[str, Any]] = []
    for item in spec:
        if not isinstance(item, dict):
            raise bad_input("networks", spec, f"{item!r} is not of type 'object'")
        net_id, port_id, fixed = item.get("uuid"), item.get("port"), item.get("fixed_ip")
        if port_id is None and net_id is None:
            raise ApiError(400, "Bad networks format: network uuid is not in proper format "
                                f"({net_id})")
        if net_id is not None and port_id is None:
            if network is not None and (network.network(net_id) is None
                                        or (net_id not in visible and not ctx.is_admin)):
                raise ApiError(400, f"Network {net_id} could not be found.")
        nics.append({"net": net_id, "port": port_id, "fixed_ip": fixed})
    return nics


def next_device(server: Server, wanted: Any) -> str:
    """The device a new volume gets: the one asked for if free, else the next /dev/vdX."""
    taken = {att["device"] for att in server.volumes or ()}
    if server.image_id:  # booted from an image: its local root disk is vda
        taken.add("/dev/vda")
    if isinstance(wanted, str) and wanted.startswith("/dev/") and wanted not in taken:
        return wanted
    for letter in "abcdefghijklmnopqrstuvwxyz":
        device = f"/dev/vd{letter}"
        if device not in taken:
            return device
    raise ApiError(400, "No free disk device names for prefix 'vd'")


def check_metadata(ctx: Ctx, metadata: dict[str, Any]) -> None:
    """Metadata within the quota and Nova's key/value limits."""
    limit = ctx.svc.quota(ctx.project_id)["metadata_items"]
    if 0 <= limit < len(metadata):
        raise ApiError(403, f"Quota exceeded for metadata_items: Requested {len(metadata)}, "
                            f"but already used 0 of {limit} metadata_items")
    for key, value in metadata.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 255:
            raise ApiError(400, "Invalid input for field/attribute metadata. Metadata keys "
                                "must be 1 to 255 characters long")
        if not isinstance(value, str) or len(value) > 255:
            raise ApiError(400, f"Invalid input for field/attribute {key}. Value: {value}. "
                                "Metadata values must be strings of at most 255 characters")
