"""A connected, authenticated cloud session: the only door between tuicloud and a cloud.

:class:`CloudSession` wraps an :class:`openstack.connection.Connection`. Reads go through the
SDK's own per-service proxies (keystoneauth Adapters, so endpoint discovery, re-authentication on
expiry or 401, TLS settings and the user agent are the SDK's) but return plain JSON: building an
SDK ``Resource`` per row costs milliseconds, which is far too slow for 10,000 servers.

Every mutating call goes through :meth:`CloudSession.mutate` or :meth:`CloudSession.request`;
in read-only mode they raise :class:`ReadOnlyError` before anything is sent. As a second line of
defence, a read-only session also refuses any non-GET request made through ``session.conn``.

Everything here blocks; the UI calls it from thread workers. A session may be used from several
threads at once.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import openstack.connection
import os_service_types
import requests
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from openstack.config.cloud_region import CloudRegion

from tuicloud.cloud.config import cloud_options, load_cloud_region
from tuicloud.cloud.errors import (
    CloudError,
    ConfigError,
    ReadOnlyError,
    ServiceUnavailableError,
    SessionClosedError,
    cloud_error_from,
    error_message,
    request_id_from_headers,
    scrub_secrets,
)
from tuicloud.cloud.paging import (
    Page,
    Params,
    ResponseInfo,
    next_query,
    params_list,
    response_info,
    swift_items,
    swift_next_query,
    with_limit,
)

__all__ = ["AUTO", "CloudSession", "Page", "Params", "ResponseInfo", "canonical_service_type"]

log = logging.getLogger("tuicloud.cloud")

_PageRead = tuple[list[Any], list[tuple[str, Any]] | None, ResponseInfo]
"""A page as read: its items, the query of the next page (None: the last), the answer."""

T = TypeVar("T")


_TOKEN_RACE_RETRIES = 3


def _lost_token_race(error: AssertionError) -> bool:
    """True for keystoneauth's ``assert self.auth_ref is not None`` in ``get_access``: its lock
    covers renewing the token, not reading it back, so a thread whose request met a 401 can
    drop (``invalidate()``) the token another thread has just got, before that one reads it.
    Raised before the request goes out (or after a 401, which did nothing on the server):
    sending again is safe, for writes too."""
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    code = trace.tb_frame.f_code if trace is not None else None
    return (code is not None and code.co_name == "get_access"
            and "keystoneauth1" in code.co_filename)


def _in_background(call: Callable[[], T]) -> Future[T]:
    """Run ``call`` in a daemon thread (a hung request must not hold the app's exit)."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(call())
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on it
            future.set_exception(exc)

    threading.Thread(target=run, name="tuicloud-next-page", daemon=True).start()
    return future


AUTO: Literal["auto"] = "auto"
"""Use the microversion negotiated for the service (see :meth:`CloudSession.microversion`)."""

DEFAULT_API_TIMEOUT = 60.0
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_STALE_CONNECTION = re.compile(r"RemoteDisconnected|Connection aborted|Connection reset")
_SDK_ERRORS = (sdk_exc.SDKException, ks_exc.ClientException, requests.RequestException)

# The SDK's proxy attribute on Connection for each canonical service type.
_PROXY_ATTRS = {
    "compute": "compute",
    "image": "image",
    "block-storage": "block_storage",
    "network": "network",
    "identity": "identity",
    "placement": "placement",
    "object-store": "object_store",
}
# The microversion tuicloud asks for, per service (lowered to what the cloud offers). Compute
# 2.96 has the embedded flavor (2.47), locked_reason (2.73) and the pinned AZ; later ones only
# grow the list payload. Block storage 3.71 is the newest the SDK knows; 3.60 is the first with
# the updated_at filter the volume poller uses.
MICROVERSION_TARGETS = {"compute": "2.96", "block-storage": "3.71"}
_LABELS = {"compute": "compute (Nova)", "image": "image (Glance)",
           "block-storage": "block storage (Cinder)", "network": "network (Neutron)",
           "identity": "identity (Keystone)", "placement": "placement",
           "object-store": "object storage (Swift)"}
_service_types = os_service_types.ServiceTypes()


def canonical_service_type(service_type: str) -> str:
    """The official service type for an alias: "volume"/"volumev3" -> "block-storage"."""
    name = service_type.replace("_", "-")
    official = _service_types.get_service_type(name)
    return str(official) if official else name


def _version_tuple(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)


class CloudSession:
    """An authenticated connection to one cloud and region; create it with :meth:`connect`.

    Identity fields come from the token: ``cloud_name``, ``region``, ``project_name``,
    ``project_id``, ``user_name``, ``user_id``, ``roles``, ``is_admin``. ``insecure`` is True when
    TLS verification is off; ``read_only`` is True when asked for or when the cloud's entry in
    clouds.yaml says ``tuicloud: {read_only: true}`` (it may be switched on later; the guard
    reads it on every request). ``conn`` is the openstacksdk Connection for detail views and
    actions that use the SDK's resource layer.
    """

    def __init__(self, conn: openstack.connection.Connection, region: CloudRegion, *,
                 read_only: bool) -> None:
        self.conn = conn
        self._config = region
        options = cloud_options(region)
        self.read_only = read_only or options.read_only
        self.ssh_user = options.ssh_user
        self.protected = options.protected
        self.accent = options.accent
        self.option_problems = options.problems  # reported by the app (switching.py)
        # (image-name pattern, ssh user) pairs from the settings file, set by the app.
        self.ssh_user_rules: tuple[tuple[str, str], ...] = ()
        self._lock = threading.RLock()
        self._local = threading.local()
        self._microversions: dict[str, str | None] = {}
        # One version discovery per service: workers that start together (the first page, the
        # lookups, the microversion probe) would each fetch the same version document.
        self._discovery_locks: dict[str, threading.Lock] = {}
        self._discovered: set[str] = set()
        self._closed = False
        self._install_read_only_guard()
        access = self._access()
        self.cloud_name: str = region.name or "envvars"
        self.region: str | None = region.region_name or None
        self.project_name: str | None = access.project_name
        self.project_id: str | None = access.project_id
        self.user_name: str | None = access.username
        self.user_id: str | None = access.user_id
        self.roles: tuple[str, ...] = tuple(access.role_names or ())
        self.is_admin: bool = "admin" in self.roles
        verify, _cert = region.get_requests_verify_args()
        self.insecure: bool = verify is False
        self.interface: str = str(region.get_interface() or "public")
        self._catalog = self._read_catalog(access.service_catalog.catalog or [])

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def connect(cls, cloud: str | None, region: str | None = None, *,
                read_only: bool = False, project: str | None = None,
                catalog_region: bool = False) -> CloudSession:
        """Load the cloud's configuration, authenticate and read the catalog (blocking).

        ``cloud`` None follows ``OS_CLOUD`` / ``OS_*`` like the ``openstack`` CLI. Raises
        :class:`~tuicloud.cloud.errors.ConfigError` for configuration problems and
        :class:`CloudError` (``AuthenticationError``, ``UnreachableError`` ...) otherwise.
        ``project`` (a name) rescopes to another project the user is a member of;
        ``catalog_region`` allows a region from the catalog that clouds.yaml does not list.
        """
        loaded = load_cloud_region(cloud, region, project, catalog_region=catalog_region)
        return cls.from_cloud_region(loaded, read_only=read_only)

    @classmethod
    def from_cloud_region(cls, region: CloudRegion, *, read_only: bool = False) -> CloudSession:
        """Connect with an already loaded :class:`CloudRegion` (blocking)."""
        if region.config.get("api_timeout") is None:
            # Without a timeout a hung endpoint would hold a worker thread forever.
            region.config["api_timeout"] = DEFAULT_API_TIMEOUT
        started = time.monotonic()
        conn: openstack.connection.Connection | None = None
        try:
            conn = openstack.connection.Connection(config=region)
            session = cls(conn, region, read_only=read_only)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one CloudError
            if conn is not None:
                conn.close()
            error = exc if isinstance(exc, CloudError) else cloud_error_from(exc, "identity")
            password = (region.config.get("auth") or {}).get("password")
            error.message = scrub_secrets(error.message, [str(password)] if password else [])
            log.warning("cannot connect to %s: %r", region.name or "envvars", error)
            if error is exc:
                raise
            raise error from exc
        log.info("connected to %s as %s/%s (admin=%s, read_only=%s) in %.2fs",
                 session.cloud_name, session.user_name, session.project_name,
                 session.is_admin, session.read_only, time.monotonic() - started)
        return session

    def close(self, *, refuse_later: bool = True) -> None:
        """Release the HTTP connections.

        Later requests then raise SessionClosedError at once, so a worker still looping over
        pages or tables stops at its next request. ``refuse_later=False`` (a cloud switch)
        lets operations already started on this session follow their resource to the end.
        """
        self._closed = refuse_later
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - closing must never raise
            log.debug("error while closing the connection", exc_info=True)

    def __enter__(self) -> CloudSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"CloudSession(cloud={self.cloud_name!r}, region={self.region!r}, "
                f"project={self.project_name!r}, user={self.user_name!r}, "
                f"read_only={self.read_only})")

    def _access(self) -> Any:
        """The current token's AccessInfo (re-authenticates when it is about to expire)."""
        session = self.conn.session
        auth: Any = session.auth
        return auth.get_access(session)

    def _read_catalog(self, catalog: list[dict[str, Any]]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for entry in catalog:
            urls = [str(ep.get("url")) for ep in entry.get("endpoints", [])
                    if (self.region is None or ep.get("region_id", ep.get("region"))
                        in (None, self.region))
                    and ep.get("interface", self.interface) == self.interface]
            if urls:
                found.setdefault(canonical_service_type(str(entry.get("type"))), []).extend(urls)
        if catalog and not (set(found) - {"identity"}):
            regions = sorted({str(ep.get("region_id") or ep.get("region"))
                              for entry in catalog for ep in entry.get("endpoints", [])
                              if ep.get("region_id") or ep.get("region")})
            raise ConfigError(f"the catalog has no {self.interface} endpoints in region "
                              f"'{self.region}' (regions: {', '.join(regions) or 'none'})")
        return found

    def _secrets(self) -> list[str]:
        found: list[str] = []
        auth_ref = getattr(self.conn.session.auth, "auth_ref", None)
        token = getattr(auth_ref, "auth_token", None)
        if token:
            found.append(str(token))
        password = (self._config.config.get("auth") or {}).get("password")
        if password:
            found.append(str(password))
        return found

    def _error(self, exc: BaseException, service: str | None) -> CloudError:
        error = cloud_error_from(exc, service)
        error.message = scrub_secrets(error.message, self._secrets())
        log.info("%s request failed: %r", service or "cloud", error)
        return error

    # -- services ----------------------------------------------------------------------------
    def has_service(self, service_type: str) -> bool:
        """True when the catalog has an endpoint for the service in this region/interface."""
        return canonical_service_type(service_type) in self._catalog

    def service_label(self, service_type: str) -> str:
        """A human name for a service type, e.g. "block storage (Cinder)"."""
        name = canonical_service_type(service_type)
        return _LABELS.get(name, name)

    def adapter(self, service_type: str) -> Any:
        """The SDK proxy (a keystoneauth Adapter) for a service; discovers its endpoint once."""
        name = canonical_service_type(service_type)
        if not self.has_service(name):
            raise ServiceUnavailableError(
                f"the cloud offers no {self.service_label(name)} service", service=name)
        attr = _PROXY_ATTRS.get(name)
        if attr is None:
            raise ServiceUnavailableError(f"tuicloud does not support the {name} service",
                                          service=name)
        with self._lock:
            try:
                proxy = getattr(self.conn, attr)
            except Exception as exc:  # noqa: BLE001 - discovery failures become CloudErrors
                raise self._error(exc, name) from exc
            if name in self._discovered:
                return proxy
            discovery_lock = self._discovery_locks.setdefault(name, threading.Lock())
        with discovery_lock:
            if name not in self._discovered:
                try:
                    proxy.get_endpoint_data()  # cached by keystoneauth for every later request
                except Exception as exc:  # noqa: BLE001
                    raise self._error(exc, name) from exc
                self._discovered.add(name)
        return proxy

    def endpoint(self, service_type: str) -> str | None:
        """The discovered, versioned endpoint URL of a service (e.g. ``.../compute/v2.1``)."""
        adapter = self.adapter(service_type)
        try:
            endpoint = adapter.get_endpoint()
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc, canonical_service_type(service_type)) from exc
        return str(endpoint) if endpoint else None

    def microversion(self, service_type: str) -> str | None:
        """The microversion sent to a service: the lower of the server's maximum and tuicloud's
        target (see ``MICROVERSION_TARGETS``); None for services without microversions."""
        name = canonical_service_type(service_type)
        with self._lock:
            if name in self._microversions:
                return self._microversions[name]
        target = MICROVERSION_TARGETS.get(name)
        chosen: str | None = None
        if target is not None:
            adapter = self.adapter(name)
            try:
                data = adapter.get_endpoint_data()
            except Exception as exc:  # noqa: BLE001
                raise self._error(exc, name) from exc
            high = getattr(data, "max_microversion", None) if data else None
            low = getattr(data, "min_microversion", None) if data else None
            if high:
                best = min(_version_tuple(target), (int(high[0]), int(high[1])))
                if not low or best >= (int(low[0]), int(low[1])):
                    chosen = f"{best[0]}.{best[1]}"
        with self._lock:
            self._microversions[name] = chosen
        log.debug("microversion for %s: %s", name, chosen)
        return chosen

    def supports_microversion(self, service_type: str, version: str) -> bool:
        """True when the negotiated microversion is at least ``version`` (e.g. "3.60")."""
        chosen = self.microversion(service_type)
        return chosen is not None and _version_tuple(chosen) >= _version_tuple(version)

    # -- reading -----------------------------------------------------------------------------
    def _send(self, method: str, service_type: str, path: str, *, params: Params | None,
              json: Any, headers: Mapping[str, str] | None,
              microversion: str | None, data: Any = None,
              reauth: bool = True) -> tuple[Any, ResponseInfo]:
        if self._closed:
            raise SessionClosedError(f"{method} {path}: the session is closed",
                                     service=service_type)
        name = canonical_service_type(service_type)
        adapter = self.adapter(name)
        version = self.microversion(name) if microversion == AUTO else microversion
        kwargs: dict[str, Any] = {}
        if version:
            kwargs["microversion"] = version
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data  # a streamed body (image upload): an iterable with __len__
        # Ask for JSON: without it Glance (webob) answers errors as HTML pages.
        kwargs["headers"] = {"Accept": "application/json", **(headers or {})}
        started = time.monotonic()
        # A read on a kept-alive connection the server has since closed fails at once; one
        # retry on a fresh connection is safe for reads (never for writes).
        stale_retries = 1 if method in _READ_METHODS else 0
        race_retries = _TOKEN_RACE_RETRIES if data is None else 0
        while True:
            try:
                resp = adapter.request(path, method, params=params_list(params) or None,
                                       **kwargs)
                content = resp.content
                break
            except CloudError:
                raise
            except ks_exc.ConnectFailure as exc:
                if stale_retries and _STALE_CONNECTION.search(str(exc)):
                    stale_retries -= 1
                    log.debug("%s %s %s: stale connection, retrying", name, method, path)
                    continue
                raise self._error(exc, name) from exc
            except AssertionError as exc:
                if race_retries and _lost_token_race(exc):
                    race_retries -= 1
                    log.debug("%s %s %s: token dropped by another thread, sending again",
                              name, method, path)
                    continue
                raise self._error(exc, name) from exc
            except Exception as exc:  # noqa: BLE001 - every failure becomes one CloudError
                raise self._error(exc, name) from exc
        if resp.status_code == 401 and reauth and data is None:
            # keystoneauth re-authenticates once on a 401, but a thread that meets the 401
            # while another is fetching the new token gives up (its invalidate() finds no
            # token to drop). A 401 did nothing on the server, so sending again (now with the
            # token the other thread got) is safe, for writes too.
            log.debug("%s %s %s: 401, sending again with a fresh token", name, method, path)
            return self._send(method, service_type, path, params=params, json=json,
                              headers=headers, microversion=microversion, reauth=False)
        info = response_info(resp, method, path, time.monotonic() - started)
        log.debug("%s %s %s -> %d, %d bytes, %.3fs, %s", name, method, path, info.status,
                  info.bytes, info.elapsed, info.request_id)
        if resp.status_code >= 400:
            message = (error_message(content, resp.headers.get("content-type"))
                       or resp.reason or "no message")
            error = CloudError(scrub_secrets(message, self._secrets()), status=resp.status_code,
                               request_id=info.request_id, service=name)
            log.info("%s %s %s failed: %s", name, method, path, error)
            raise error
        if not content:
            return None, info
        try:
            return resp.json(), info
        except ValueError as exc:
            raise CloudError(f"the {self.service_label(name)} service answered {path} with "
                             "something that is not JSON", status=resp.status_code,
                             request_id=info.request_id, service=name) from exc

    def get_json(self, service_type: str, path: str, params: Params | None = None, *,
                 microversion: str | None = AUTO,
                 headers: Mapping[str, str] | None = None) -> tuple[Any, ResponseInfo]:
        """GET ``path`` (relative to the service's endpoint) and return (parsed JSON, info).

        Raises :class:`CloudError` with the API's status, message and request id on failure.
        """
        return self._send("GET", service_type, path, params=params, json=None,
                          headers=headers, microversion=microversion)

    def iter_pages(self, service_type: str, path: str, key: str, params: Params | None = None,
                   *, page_size: int | None = None, first_page_size: int | None = None,
                   max_items: int | None = None, microversion: str | None = AUTO,
                   prefetch: bool = False) -> Iterator[Page]:
        """Yield the pages of a list as plain dicts, following the service's next links.

        ``key`` is the list's key in the body ("servers", "images" ...). ``page_size`` sets
        ``limit`` (None: a ``limit`` in ``params``, else the server's default);
        ``first_page_size`` sets it for the first request only, so a table can fill at once.
        ``max_items`` stops after that many items. Next links are reduced to their query
        (marker, filters) and re-sent to ``path`` on our own endpoint, so a service that
        advertises a wrong host or scheme in its links still works. With ``prefetch`` the
        next page is requested (in a thread) before this one is yielded, so the cloud
        prepares it while the caller works on this one: a long list then takes about the
        longer of the two, not their sum.
        """
        base = params_list(params)
        given_limit = next((int(v) for k, v in base if k == "limit"), None)
        size = page_size if page_size is not None else given_limit
        query = with_limit(base, first_page_size if first_page_size is not None else size)
        seen_queries = {tuple((str(k), str(v)) for k, v in query)}
        count = 0
        number = 0
        ahead: Future[_PageRead] | None = None
        try:
            while True:
                read = ahead.result() if ahead is not None else self._read_page(
                    service_type, path, key, query, microversion)
                ahead = None
                items, following, info = read
                if max_items is not None and count + len(items) > max_items:
                    items = items[:max_items - count]
                count += len(items)
                if following is not None:
                    following = with_limit(following, size)
                    frozen = tuple((str(k), str(v)) for k, v in following)
                    if frozen in seen_queries or not items:
                        following = None  # a server repeating itself must not loop us forever
                    seen_queries.add(frozen)
                done = following is None or (max_items is not None and count >= max_items)
                if prefetch and not done and following is not None:
                    ahead = _in_background(functools.partial(
                        self._read_page, service_type, path, key, following, microversion))
                yield Page(items=items, info=info, number=number, has_more=not done)
                if following is None or done:
                    return
                query = following
                number += 1
        finally:
            if ahead is not None:
                ahead.cancel()  # the caller stopped early: a page in flight is dropped

    def _read_page(self, service_type: str, path: str, key: str, query: list[tuple[str, str]],
                   microversion: str | None) -> _PageRead:
        """One page: its items, the query of the next one (None: the last) and the answer."""
        body, info = self.get_json(service_type, path, query, microversion=microversion)
        following: list[tuple[str, str]] | None
        if isinstance(body, list):  # Swift: a bare list, paged by the last name
            items = swift_items(body)
            following = swift_next_query(query, items)
        else:
            items = body.get(key, []) if isinstance(body, dict) else []
            following = next_query(body, key) if isinstance(body, dict) else None
        if not isinstance(items, list):
            items = []
        return items, following, info

    def list_raw(self, service_type: str, path: str, key: str, params: Params | None = None,
                 *, page_size: int | None, first_page_size: int | None = None,
                 max_items: int | None = None) -> Iterator[list[dict[str, Any]]]:
        """Yield each page of a list as plain dicts (see :meth:`iter_pages`)."""
        for page in self.iter_pages(service_type, path, key, params, page_size=page_size,
                                    first_page_size=first_page_size, max_items=max_items):
            yield page.items

    @property
    def auth_url(self) -> str:
        """The identity URL this cloud signs in at (for a clouds.yaml entry made from it)."""
        auth = self._config.config.get("auth") or {}
        return str(auth.get("auth_url") or "")

    def head(self, service_type: str, path: str,
             params: Params | None = None) -> tuple[dict[str, str], ResponseInfo]:
        """HEAD ``path``: the response's headers (Swift keeps counts, ACLs and metadata
        there), with lower-cased names. Raises :class:`CloudError` as the other reads do."""
        return self.send_raw("HEAD", service_type, path, params=params)[:2]

    def send_raw(self, method: str, service_type: str, path: str, *,
                 params: Params | None = None, headers: Mapping[str, str] | None = None,
                 data: Any = None, stream: bool = False,
                 description: str | None = None) -> tuple[dict[str, str], ResponseInfo, Any]:
        """Send a request whose answer is headers and bytes, not JSON (Swift's objects):
        (lower-cased headers, info, the requests.Response for ``stream``). A write passes the
        read-only check first; errors become :class:`CloudError`."""
        method = method.upper()
        if method not in _READ_METHODS:
            self._refuse_if_read_only(description or f"{method} {path}")
            log.info("mutate: %s", description or f"{method} {path}")
        if self._closed:
            raise SessionClosedError(f"{method} {path}: the session is closed",
                                     service=service_type)
        name = canonical_service_type(service_type)
        adapter = self.adapter(name)
        kwargs: dict[str, Any] = {"headers": dict(headers or {}), "stream": stream}
        if data is not None:
            kwargs["data"] = data
        started = time.monotonic()
        try:
            resp = adapter.request(path, method, params=params_list(params) or None, **kwargs)
        except CloudError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes one CloudError
            raise self._error(exc, name) from exc
        if resp.status_code >= 400:
            content = resp.content
            info = response_info(resp, method, path, time.monotonic() - started)
            message = (error_message(content, resp.headers.get("content-type"))
                       or resp.reason or "no message")
            raise CloudError(scrub_secrets(message, self._secrets()), status=resp.status_code,
                             request_id=info.request_id, service=name)
        header_bytes = 17 + sum(len(k) + len(v) + 4 for k, v in resp.headers.items())
        info = ResponseInfo(status=resp.status_code, bytes=header_bytes,
                            elapsed=time.monotonic() - started,
                            request_id=request_id_from_headers(resp.headers), server_date=None,
                            method=method, path=path)
        lowered = {k.lower(): v for k, v in resp.headers.items()}
        return lowered, info, resp

    # -- mutating ----------------------------------------------------------------------------
    def refuse_if_read_only(self, description: str) -> None:
        """Raise ReadOnlyError now, for an action that reads before it writes (so read-only
        refuses it before the reads, not with whatever the reads find)."""
        self._refuse_if_read_only(description)

    def _refuse_if_read_only(self, description: str) -> None:
        if self.read_only:
            log.info("read-only: refused to %s", description)
            raise ReadOnlyError(f"read-only mode: refusing to {description}")

    def mutate(self, description: str, fn: Callable[[openstack.connection.Connection], T]) -> T:
        """Run ``fn(conn)``, a call that changes the cloud ("delete server web-1").

        In read-only mode raises :class:`ReadOnlyError` before ``fn`` runs, so nothing is
        sent. SDK and HTTP errors from ``fn`` become :class:`CloudError`.
        """
        self._refuse_if_read_only(description)
        log.info("mutate: %s", description)
        try:
            return fn(self.conn)
        except CloudError:
            raise
        except _SDK_ERRORS as exc:
            raise self._error(exc, None) from exc

    def request(self, method: str, service_type: str, path: str, *, json: Any = None,
                params: Params | None = None, headers: Mapping[str, str] | None = None,
                microversion: str | None = AUTO, description: str | None = None,
                reads_only: bool = False, data: Any = None) -> tuple[Any, ResponseInfo]:
        """Send any request; non-GET requests are mutations and pass the read-only check.

        ``description`` names the change for the read-only refusal ("reboot server web-1").
        ``reads_only=True`` marks a POST that reads (Nova's ``os-getConsoleOutput`` action),
        which a read-only session still allows.
        """
        method = method.upper()
        if method not in _READ_METHODS and not reads_only:
            self._refuse_if_read_only(description or f"{method} {path}")
            log.info("mutate: %s", description or f"{method} {path}")
        self._local.allow_write = reads_only
        try:
            return self._send(method, service_type, path, params=params, json=json,
                              headers=headers, microversion=microversion, data=data)
        finally:
            self._local.allow_write = False

    def _install_read_only_guard(self) -> None:
        """Make the keystoneauth session itself refuse writes when the session is read-only.

        This catches SDK calls made on ``conn`` without :meth:`mutate`. Authentication
        requests (``authenticated=False``) still pass, so tokens can be renewed.
        """
        session = self.conn.session
        original = session.request

        def guarded(url: str, method: str, *args: Any, **kwargs: Any) -> Any:
            if (self.read_only and method.upper() not in _READ_METHODS
                    and kwargs.get("authenticated") is not False
                    and not getattr(self._local, "allow_write", False)):
                path = urlsplit(url).path or url
                raise ReadOnlyError(f"read-only mode: refusing to {method.upper()} {path}")
            return original(url, method, *args, **kwargs)

        setattr(session, "request", guarded)  # noqa: B010 - an instance attribute on purpose
