"""simcloud's core: requests, responses, errors, routing, tokens, faults and the shared state.

Each OpenStack service is a module (keystone, nova, glance, cinder, neutron) that registers its
routes on a :class:`Router` and keeps its own records on the :class:`SimCloud`. One re-entrant lock
guards every record, so handlers running in the HTTP server's threads see consistent state.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import heapq
import itertools
import json
import random
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

JSON = dict[str, Any]


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.timezone.utc)


def isotime(when: dt.datetime | float | None = None, *, micro: bool = False) -> str:
    """Format a time the way Nova/Cinder/Glance do: ``2026-11-25T13:27:00Z``."""
    if when is None:
        when = utcnow()
    elif isinstance(when, (int, float)):
        return _epoch_isotime(float(when), micro)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ"
    return when.astimezone(dt.timezone.utc).strftime(fmt)


@functools.lru_cache(maxsize=200_000)
def _epoch_isotime(when: float, micro: bool) -> str:
    # A list of 50,000 servers formats each one's times on every page: a record's times
    # rarely change, so formatting each once keeps simcloud's fast mode fast.
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ"
    return dt.datetime.fromtimestamp(when, dt.timezone.utc).strftime(fmt)


def parse_time(text: str) -> float:
    """Parse an ISO 8601 time as the APIs accept it (``Z``, offsets, or naive UTC) to epoch seconds.

    Raises ValueError for anything else, which handlers turn into a 400.
    """
    text = text.strip().replace(" ", "+") if "T" in text else text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.timestamp()


def new_id() -> str:
    """A random UUID string, as OpenStack services use for resource ids."""
    return str(uuid.uuid4())


class ApiError(Exception):
    """An error answered in the shape of the service that raised it (see ``Router.error_body``)."""

    TITLES = {
        400: "badRequest",
        401: "unauthorized",
        403: "forbidden",
        404: "itemNotFound",
        405: "badMethod",
        409: "conflictingRequest",
        413: "overLimit",
        415: "unsupportedMediaType",
        500: "computeFault",
        501: "notImplemented",
        503: "serviceUnavailable",
    }

    def __init__(self, status: int, message: str, *, kind: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind  # service-specific error type, e.g. Neutron's "NetworkNotFound"
        self.headers = headers or {}


def not_found(what: str, ident: str) -> ApiError:
    """A 404 naming the missing resource, as Nova words it."""
    return ApiError(404, f"{what} {ident} could not be found.")


def bad_request(message: str) -> ApiError:
    """A 400 with the given message."""
    return ApiError(400, message)


@dataclass
class Request:
    """One HTTP request as a handler sees it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body_stream: BinaryIO | None
    content_length: int | None
    chunked: bool
    params: dict[str, str] = field(default_factory=dict)  # from the route pattern
    token: Token | None = None
    _body: bytes | None = None

    @property
    def authed(self) -> Token:
        """The request's token, on the routes that require one (the router checked it)."""
        assert self.token is not None, "a route that needs a token was served without one"
        return self.token

    def header(self, name: str, default: str = "") -> str:
        """A request header, case-insensitively."""
        return self.headers.get(name.lower(), default)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter."""
        values = self.query.get(name)
        return values[-1] if values else default

    def iter_body(self, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        """Stream the request body (Content-Length or chunked) without holding it in memory."""
        yield from self._read_body(chunk_size)
        if self._body is None:
            self._body = b""  # read to the end: nothing left for the server to drain

    def _read_body(self, chunk_size: int) -> Iterator[bytes]:
        stream = self.body_stream
        if stream is None:
            return
        if self.chunked:
            while True:
                line = stream.readline(1024)
                if not line:
                    raise bad_request("Truncated chunked body")
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError as exc:
                    raise bad_request("Malformed chunked body") from exc
                if size == 0:
                    while stream.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                remaining = size
                while remaining:
                    piece = stream.read(min(remaining, chunk_size))
                    if not piece:
                        raise bad_request("Truncated chunked body")
                    remaining -= len(piece)
                    yield piece
                stream.readline(1024)
            return
        remaining = self.content_length or 0
        while remaining > 0:
            piece = stream.read(min(remaining, chunk_size))
            if not piece:
                raise bad_request("Truncated body")
            remaining -= len(piece)
            yield piece

    @property
    def body(self) -> bytes:
        """The whole body (for JSON requests, which are small)."""
        if self._body is None:
            self._body = b"".join(self.iter_body())
        return self._body

    def json(self) -> Any:
        """The body parsed as JSON; a 400 in the service's shape when it is not."""
        raw = self.body
        if not raw.strip():
            raise bad_request("Malformed request body: empty body")
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"Malformed request body: {exc.__class__.__name__}") from exc

    def json_object(self, key: str | None = None) -> JSON:
        """The body as a JSON object, optionally the object under ``key`` (e.g. ``server``)."""
        data = self.json()
        if not isinstance(data, dict):
            raise bad_request("Malformed request body: expected a JSON object")
        if key is None:
            return data
        inner = data.get(key)
        if not isinstance(inner, dict):
            raise bad_request(f"Malformed request body: missing '{key}' object")
        return inner


@dataclass
class Response:
    """What a handler returns: a status, a JSON-able body or raw bytes/iterator, and headers."""

    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes; Iterable[bytes] with content_length; None -> empty
    headers: dict[str, str] = field(default_factory=dict)
    content_length: int | None = None


Handler = Callable[["SimCloud", Request], Response]


@dataclass
class Route:
    """One registered route."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    service: str
    auth: bool
    stream_body: bool


class Router:
    """Maps method + path to handlers; ``{name}`` segments match one path segment."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self._by_prefix: dict[str, list[Route]] = {}

    def add(self, method: str, path: str, handler: Handler, *, service: str,
            auth: bool = True, stream_body: bool = False) -> None:
        """Register ``handler`` for ``method path``; path like ``/compute/v2.1/servers/{id}``."""
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path.rstrip("/") or "/") + "/?$"
        route = Route(method, re.compile(regex), handler, service, auth, stream_body)
        self.routes.append(route)
        prefix = path.strip("/").split("/")[0]
        self._by_prefix.setdefault(prefix, []).append(route)

    def add_regex(self, method: str, regex: str, handler: Handler, *, service: str, prefix: str,
                  auth: bool = True, stream_body: bool = False) -> None:
        """Register ``handler`` for paths matching ``regex`` under ``/prefix``: Swift's object
        names hold slashes, which ``{name}`` segments cannot."""
        route = Route(method, re.compile(regex), handler, service, auth, stream_body)
        self.routes.append(route)
        self._by_prefix.setdefault(prefix, []).append(route)

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """Find the route; returns (route, params, path_exists_for_other_method)."""
        prefix = path.strip("/").split("/")[0]
        other_method = False
        for route in self._by_prefix.get(prefix, ()):
            found = route.pattern.match(path)
            if found:
                if route.method == method:
                    return route, found.groupdict(), False
                other_method = True
        return None, {}, other_method


@dataclass
class Token:
    """An issued Keystone token (project-scoped, or unscoped when project_id is None)."""

    id: str
    user_id: str
    project_id: str | None
    roles: list[str]
    issued_at: float
    expires_at: float
    methods: list[str]

    @property
    def is_admin(self) -> bool:
        """Admins see every project's resources."""
        return "admin" in self.roles


@dataclass
class Faults:
    """Fault injection, switchable at run time from tests or the command line."""

    latency: dict[str, float] = field(default_factory=dict)  # service ("*" = all) -> seconds
    error_rate: float = 0.0  # fraction of requests answered 500/503
    error_services: set[str] | None = None  # None = every service
    down: bool = False  # refuse connections (the server closes its listening socket)
    token_ttl: float = 3600.0  # seconds a token lives
    catalog_omit: set[str] = field(default_factory=set)  # service types left out of the catalog
    failing_migrations: set[str] = field(default_factory=set)  # server ids whose migrations fail
    # Swift: object names ending so -> how many of their next PUTs answer 503 (a segment retried)
    object_put_failures: dict[str, int] = field(default_factory=dict)
    # Swift: object names whose DELETE answers 503 (alone or in a bulk delete)
    object_delete_failures: set[str] = field(default_factory=set)

    def latency_for(self, service: str) -> float:
        """Added latency for one service."""
        return self.latency.get(service, self.latency.get("*", 0.0))


class Scheduler:
    """Runs delayed state transitions (BUILD -> ACTIVE, creating -> available ...) on one thread."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._wake = threading.Condition(threading.Lock())
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="simcloud-scheduler", daemon=True)
        self._thread.start()

    def call_later(self, delay: float, action: Callable[[], None]) -> None:
        """Run ``action`` (under the state lock) after ``delay`` seconds."""
        with self._wake:
            heapq.heappush(self._queue, (time.monotonic() + max(delay, 0.0),
                                         next(self._counter), action))
            self._wake.notify()

    def stop(self) -> None:
        """Stop the thread; pending transitions are dropped."""
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (
                        not self._queue or self._queue[0][0] > time.monotonic()):
                    timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._wake.wait(timeout)
                if self._stopped:
                    return
                _, _, action = heapq.heappop(self._queue)
            with self._lock:
                try:
                    action()
                except Exception:  # noqa: BLE001 - a broken transition must not kill the thread
                    import traceback

                    traceback.print_exc()


@dataclass
class User:
    """A Keystone user with role assignments per project."""

    id: str
    name: str
    password: str
    domain_id: str = "default"
    roles: dict[str, list[str]] = field(default_factory=dict)  # project id -> role names
    enabled: bool = True
    email: str = ""
    description: str = ""
    default_project_id: str | None = None


@dataclass
class Group:
    """A Keystone group: its members get the roles granted to it, on each project."""

    id: str
    name: str
    description: str = ""
    domain_id: str = "default"
    members: set[str] = field(default_factory=set)  # user ids
    roles: dict[str, list[str]] = field(default_factory=dict)  # project id -> role names


@dataclass
class Project:
    """A Keystone project."""

    id: str
    name: str
    domain_id: str = "default"
    description: str = ""
    enabled: bool = True


@dataclass
class SimConfig:
    """What to seed and how to behave; deterministic from these values."""

    servers: int = 50
    volumes: int = 20
    images: int = 10
    objects: int = 0  # generated objects in the demo account's "many" container (0: none)
    seed: int = 42
    build_delay: float = 2.0  # seconds a server stays in BUILD, a volume in creating, ...
    action_delay: float = 1.0  # seconds an action's transitional state lasts
    console_interval: float = 1.0  # seconds between new console lines of a running server
    confirm_resize_delay: float | None = None  # VERIFY_RESIZE after a confirm; None: 1.5 actions
    live_migration_delay: float | None = None  # seconds a live migration runs; None: 4 actions
    region: str = "RegionOne"
    extra_regions: tuple[str, ...] = ()  # more catalog regions (same endpoints), for switching

    def confirm_resize_seconds(self) -> float:
        """How long a confirmed resize stays VERIFY_RESIZE (real Nova: until the compute
        service has cleaned up the source, 0.3 s to a few seconds)."""
        if self.confirm_resize_delay is not None:
            return self.confirm_resize_delay
        return 1.5 * self.action_delay

    def live_migration_seconds(self) -> float:
        """How long a live migration takes from the POST to ``completed`` (real clouds: tens
        of seconds per server, copying its memory while it runs)."""
        if self.live_migration_delay is not None:
            return self.live_migration_delay
        return 4.0 * self.action_delay


class SimCloud:
    """The whole simulated cloud: config, lock, scheduler, router, Keystone data and services.

    Service modules attach their state as attributes (``self.nova``, ``self.glance`` ...). Use
    :func:`tuicloud.simcloud.run_simcloud` to serve it over HTTP.
    """

    def __init__(self, config: SimConfig | None = None, faults: Faults | None = None) -> None:
        self.config = config or SimConfig()
        self.faults = faults or Faults()
        self.lock = threading.RLock()
        self.rng = random.Random(self.config.seed)
        self.scheduler = Scheduler(self.lock)
        self.router = Router()
        self.base_url = ""  # set by the server once it is bound, e.g. http://127.0.0.1:PORT
        self.users: dict[str, User] = {}
        self.projects: dict[str, Project] = {}
        self.groups: dict[str, Group] = {}
        self.tokens: dict[str, Token] = {}
        self.services: dict[str, Any] = {}
        self.request_count = 0
        self.bytes_sent = 0
        self.request_log: collections.deque[Any] = collections.deque(maxlen=20000)
        self._fault_rng = random.Random(self.config.seed + 1)
        from tuicloud.simcloud import cinder, glance, keystone, neutron, nova, placement, swift

        # Order matters for seeding: identity first, then what others reference.
        for module in (keystone, neutron, glance, nova, cinder, placement, swift):
            service = module.Service(self)
            self.services[module.NAME] = service
            service.register(self.router)
        for service in self.services.values():
            service.seed()

    def service(self, name: str) -> Any:
        """A service's state by name ("identity", "compute", "image", "volume", "network")."""
        return self.services[name]

    # -- tokens -------------------------------------------------------------------------------
    def effective_roles(self, user: User, project_id: str) -> list[str]:
        """The user's roles on a project: their own, then those of their groups."""
        roles = list(user.roles.get(project_id, []))
        for group in self.groups.values():
            if user.id in group.members:
                roles += [r for r in group.roles.get(project_id, []) if r not in roles]
        return roles

    def projects_of(self, user: User) -> list[str]:
        """The projects where the user holds a role, directly or through a group."""
        found = [p for p, roles in user.roles.items() if roles]
        for group in self.groups.values():
            if user.id in group.members:
                found += [p for p, roles in group.roles.items() if roles and p not in found]
        return found

    def issue_token(self, user: User, project_id: str | None, methods: list[str]) -> Token:
        """Create a token for ``user`` scoped to ``project_id``."""
        now = time.time()
        roles = self.effective_roles(user, project_id) if project_id else []
        token = Token(id="gAAAAA" + secrets.token_urlsafe(48), user_id=user.id,
                      project_id=project_id, roles=list(roles), issued_at=now,
                      expires_at=now + self.faults.token_ttl, methods=methods)
        with self.lock:
            self.tokens[token.id] = token
            # Forget long-expired tokens so short lifetimes in tests do not grow memory.
            if len(self.tokens) > 10000:
                for key in [k for k, t in self.tokens.items() if t.expires_at < now - 60]:
                    del self.tokens[key]
        return token

    def validate_token(self, token_id: str) -> Token | None:
        """The live token with this id, or None when unknown or expired."""
        token = self.tokens.get(token_id)
        if token is None or token.expires_at <= time.time():
            return None
        return token

    def should_fail(self, service: str) -> int | None:
        """Fault injection: a status to answer instead of the real response, or None."""
        faults = self.faults
        if faults.error_rate <= 0:
            return None
        if faults.error_services is not None and service not in faults.error_services:
            return None
        with self.lock:
            roll = self._fault_rng.random()
            code = self._fault_rng.choice((500, 503))
        return code if roll < faults.error_rate else None

    def close(self) -> None:
        """Stop background threads and let services clean up (e.g. Glance's temp dir)."""
        self.scheduler.stop()
        for service in self.services.values():
            closer = getattr(service, "close", None)
            if callable(closer):
                closer()


def paginate(items: list[Any], limit: int | None, marker_index: int | None,
             max_limit: int = 1000) -> tuple[list[Any], bool]:
    """Slice ``items`` after ``marker_index`` to at most ``limit``; returns (page, more)."""
    start = 0 if marker_index is None else marker_index + 1
    size = max_limit if limit is None else max(0, min(limit, max_limit))
    page = items[start:start + size]
    return page, start + size < len(items)


def int_arg(request: Request, name: str, *, minimum: int = 0) -> int | None:
    """An integer query argument, or a 400 naming it."""
    value = request.arg(name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise bad_request(f"Invalid value '{value}' for {name}: must be an integer") from exc
    if number < minimum:
        raise bad_request(f"Invalid value '{value}' for {name}: must be >= {minimum}")
    return number


def link_with(url: str, params: Iterable[tuple[str, str]]) -> str:
    """``url`` with a query string built from ``params``."""
    from urllib.parse import urlencode

    query = urlencode(list(params))
    return f"{url}?{query}" if query else url
