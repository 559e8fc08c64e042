"""Nova's records, request context and small helpers shared by the nova_* handler modules.

Servers are slotted objects (50,000 of them must stay small); flavors, key pairs and quotas are
plain dicts. Everything here runs under ``cloud.lock`` (the :func:`api` wrapper takes it).
"""

from __future__ import annotations

import functools
import re
import uuid
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuicloud.simcloud.core import ApiError, Request, Response, SimCloud, Token
from tuicloud.simcloud.microversions import Microversions

if TYPE_CHECKING:
    from tuicloud.simcloud.nova import Service

NAME = "compute"
MIN_VERSION = (2, 1)
MAX_VERSION = (2, 96)
ZONES = ("nova", "az-2")
# Compute hosts per availability zone; servers are spread over them.
HOSTS = {"nova": ("compute-01", "compute-02", "compute-03", "compute-04", "compute-05"),
         "az-2": ("compute-06", "compute-07", "compute-08")}
HOST_ZONE = {host: zone for zone, hosts in HOSTS.items() for host in hosts}

# Power states (nova.compute.power_state).
NOSTATE, RUNNING, PAUSED, SHUTDOWN = 0, 1, 3, 4

# (vm_state, task_state) -> API status, after nova.api.openstack.common._STATE_MAP.
_STATUS_BY_TASK = {
    "active": {"rebooting": "REBOOT", "reboot_pending": "REBOOT", "reboot_started": "REBOOT",
               "rebooting_hard": "HARD_REBOOT", "reboot_pending_hard": "HARD_REBOOT",
               "reboot_started_hard": "HARD_REBOOT", "updating_password": "PASSWORD",
               "rebuilding": "REBUILD", "rebuild_spawning": "REBUILD", "migrating": "MIGRATING",
               "resize_prep": "RESIZE", "resize_migrating": "RESIZE",
               "resize_migrated": "RESIZE", "resize_finish": "RESIZE"},
    "stopped": {"resize_prep": "RESIZE", "resize_migrating": "RESIZE",
                "resize_migrated": "RESIZE", "resize_finish": "RESIZE",
                "rebuilding": "REBUILD", "rebooting_hard": "HARD_REBOOT"},
    "resized": {"resize_reverting": "REVERT_RESIZE"},
    "error": {"rebuilding": "REBUILD"},
}
_STATUS_DEFAULT = {
    "active": "ACTIVE", "building": "BUILD", "stopped": "SHUTOFF", "resized": "VERIFY_RESIZE",
    "paused": "PAUSED", "suspended": "SUSPENDED", "rescued": "RESCUE", "error": "ERROR",
    "deleted": "DELETED", "soft-delete": "SOFT_DELETED", "shelved": "SHELVED",
    "shelved_offloaded": "SHELVED_OFFLOADED",
}
STATUSES = frozenset(_STATUS_DEFAULT.values()) | {
    "REBOOT", "HARD_REBOOT", "PASSWORD", "REBUILD", "MIGRATING", "RESIZE", "REVERT_RESIZE"}


def status_of(vm_state: str, task_state: str | None) -> str:
    """The API status Nova derives from vm_state and task_state."""
    if task_state:
        mapped = _STATUS_BY_TASK.get(vm_state, {}).get(task_state)
        if mapped:
            return mapped
    return _STATUS_DEFAULT.get(vm_state, "UNKNOWN")


@dataclass(slots=True, eq=False)
class Server:
    """One instance. Optional parts stay None so 50,000 records stay small."""

    seq: int  # creation order, Nova's integer id: the list order is (created, seq)
    id: str
    name: str
    project_id: str
    user_id: str
    flavor_id: str
    image_id: str  # "" when booted from volume
    created: float
    updated: float
    vm_state: str = "building"
    task_state: str | None = "scheduling"
    power_state: int = NOSTATE
    az: str = "nova"
    pinned_az: str | None = None
    host: str | None = None
    key_name: str | None = None
    metadata: dict[str, str] | None = None
    security_groups: tuple[str, ...] = ("default",)
    launched_at: float | None = None
    terminated_at: float | None = None
    locked_by: str | None = None  # "owner" or "admin"
    locked_reason: str | None = None
    description: str | None = None
    fault: tuple[int, str, float, str] | None = None  # code, message, created, details
    volumes: list[dict[str, Any]] | None = None  # attachments, root volume first
    old_flavor_id: str | None = None  # while VERIFY_RESIZE
    prior_vm_state: str | None = None  # what to go back to after rescue/resize
    tags: list[str] | None = None
    access_ipv4: str = ""
    access_ipv6: str = ""
    user_data: str | None = None
    config_drive: bool = False
    disk_config: str = "MANUAL"
    hostname: str | None = None
    reservation_id: str = ""
    launch_index: int = 0
    console_start: float | None = None  # when the current boot's log started
    console_frozen: float | None = None  # seconds of log when it stopped growing
    console_extra: int = 0  # burst lines added on top of the timed ones
    hostile: bool = False  # console carries escape sequences and other nasties
    gen: int = 0  # bumped by every transition, so stale timers do nothing
    actions: list[dict[str, Any]] | None = None  # instance actions after "create"
    deleted: bool = False

    @property
    def status(self) -> str:
        """The API status."""
        return status_of(self.vm_state, self.task_state)

    @property
    def locked(self) -> bool:
        """Whether the server is locked."""
        return self.locked_by is not None


class Order:
    """Servers sorted by seq (= by created, as creation times never go back)."""

    __slots__ = ("seqs", "items")

    def __init__(self) -> None:
        self.seqs: array[int] = array("q")
        self.items: list[Server] = []

    def add(self, server: Server) -> None:
        """Insert (appending is the common case: new servers are the newest)."""
        if not self.seqs or server.seq > self.seqs[-1]:
            self.seqs.append(server.seq)
            self.items.append(server)
            return
        index = bisect_left(self.seqs, server.seq)
        self.seqs.insert(index, server.seq)
        self.items.insert(index, server)

    def remove(self, server: Server) -> None:
        """Drop a server, O(log n) to find it."""
        index = bisect_left(self.seqs, server.seq)
        if index < len(self.seqs) and self.seqs[index] == server.seq:
            del self.seqs[index]
            del self.items[index]

    def walk(self, marker_seq: int | None, descending: bool) -> Iterator[Server]:
        """Servers after the marker in list order, newest first when descending."""
        items = self.items
        if descending:
            start = len(items) if marker_seq is None else bisect_left(self.seqs, marker_seq)
            for index in range(start - 1, -1, -1):
                yield items[index]
        else:
            start = 0 if marker_seq is None else bisect_right(self.seqs, marker_seq)
            for index in range(start, len(items)):
                yield items[index]

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class Ctx:
    """What a compute handler gets: the service, the request, its token and microversion."""

    svc: Service
    cloud: SimCloud
    req: Request
    token: Token
    version: tuple[int, int]
    request_id: str = ""  # answered in x-openstack-request-id; instance actions record it

    @property
    def is_admin(self) -> bool:
        """Admin role on the token's project."""
        return self.token.is_admin

    @property
    def project_id(self) -> str:
        """The token's project."""
        return self.token.project_id or ""

    @property
    def user_id(self) -> str:
        """The token's user."""
        return self.token.user_id

    def at_least(self, minor: int) -> bool:
        """Whether the request's microversion is 2.``minor`` or later."""
        return self.version >= (2, minor)

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT/compute."""
        return self.cloud.base_url + "/compute"

    def param(self, name: str) -> str:
        """A path parameter."""
        return self.req.params[name]


COMPUTE_VERSIONS = Microversions("compute", MIN_VERSION, MAX_VERSION,
                                 legacy_header="x-openstack-nova-api-version")


def negotiate(request: Request) -> tuple[int, int]:
    """The microversion asked for by OpenStack-API-Version or X-OpenStack-Nova-API-Version."""
    return COMPUTE_VERSIONS.negotiate(request)


def version_headers(version: tuple[int, int]) -> dict[str, str]:
    """The headers Nova answers every microversioned request with."""
    return COMPUTE_VERSIONS.headers(version)


def api(fn: Callable[[Ctx], Response]) -> Callable[[SimCloud, Request], Response]:
    """Wrap a compute handler: negotiate the microversion, hold the lock, add version headers."""

    @functools.wraps(fn)
    def handler(cloud: SimCloud, request: Request) -> Response:
        version = negotiate(request)  # its 406 names the version asked for
        headers = version_headers(version)
        request_id = f"req-{uuid.uuid4()}"
        headers["x-openstack-request-id"] = headers["x-compute-request-id"] = request_id
        assert request.token is not None  # routes are registered with auth
        ctx = Ctx(cloud.service(NAME), cloud, request, request.token, version, request_id)
        try:
            if request.content_length or request.chunked:
                request.body  # noqa: B018 - read it now: a stalled client must not hold the lock
            with cloud.lock:
                response = fn(ctx)
        except ApiError as error:
            error.headers.update(headers)
            error.kind = None  # a peer's error type (e.g. Neutron's) is not Nova's shape
            raise
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    return handler


def forbidden(rule: str) -> ApiError:
    """Nova's 403 for a policy check that failed."""
    return ApiError(403, f"Policy doesn't allow {rule} to be performed.")


def require_admin(ctx: Ctx, rule: str) -> None:
    """Nova's 403 unless the request is an admin's."""
    if not ctx.is_admin:
        raise forbidden(rule)


def invalid_state(action: str, server: Server, attr: str = "vm_state") -> ApiError:
    """409 "Cannot 'start' instance X while it is in vm_state active"."""
    state = server.vm_state if attr == "vm_state" else server.task_state
    return ApiError(409, f"Cannot '{action}' instance {server.id} while it is in "
                         f"{attr} {state}")


def body_object(ctx: Ctx, key: str) -> dict[str, Any]:
    """The JSON body's ``key`` object, 400 in Nova's words otherwise."""
    data = ctx.req.json()
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise ApiError(400, f"Invalid input for field/attribute {key}. Value: "
                            f"{str(data)[:200]}. '{key}' is a required property")
    inner: dict[str, Any] = data[key]
    return inner


def bool_arg(value: str | None) -> bool | None:
    """A query flag the way Nova reads it (1/true/yes/on; 0/false/no/off)."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("1", "t", "true", "on", "y", "yes", ""):
        return True
    if lowered in ("0", "f", "false", "off", "n", "no"):
        return False
    raise ApiError(400, f"Unrecognized value '{value}', acceptable values are: '0', '1', "
                        "'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'")


def limit_arg(request: Request) -> int | None:
    """The ``limit`` query parameter, checked as Nova does."""
    raw = request.arg("limit")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(400, "limit param must be an integer") from exc
    if value < 0:
        raise ApiError(400, "limit param must be positive")
    return value


def links(ctx: Ctx, collection: str, ident: str) -> list[dict[str, str]]:
    """A resource's self and bookmark links."""
    return [{"rel": "self", "href": f"{ctx.base}/v2.1/{collection}/{ident}"},
            {"rel": "bookmark", "href": f"{ctx.base}/{collection}/{ident}"}]


@functools.lru_cache(maxsize=65_536)
def hostname_for(name: str) -> str:
    """Nova's default hostname: the name sanitized to a DNS label."""
    text = re.sub(r"[^a-z0-9.-]+", "-", name.lower().replace("_", "-")).strip("-.")
    return text[:63].rstrip("-.") or "server"
