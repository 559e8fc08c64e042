"""Object storage (Swift) at ``/object-store/v1/AUTH_<project id>``: accounts, containers and
objects with GET/HEAD/PUT/POST/DELETE (and COPY), JSON and plain listings with limit, marker,
end_marker, prefix and delimiter, metadata headers, read ACLs, ranges, ``If-None-Match: *``,
server-side copies and static large objects. Shapes, statuses and headers as the rig's Swift
2.38.3 answers them (errors are small HTML pages)."""

from __future__ import annotations

import email.utils
import json
import mimetypes
import random
import time
from typing import Any
from urllib.parse import unquote

from tuicloud.simcloud.core import ApiError, Request, Response, Router, SimCloud
from tuicloud.simcloud.swift_store import (
    LISTING_LIMIT,
    MAX_CONTAINER_NAME,
    MAX_OBJECT_NAME,
    Account,
    Container,
    ObjectFiles,
    StoredObject,
    generated_object,
    page,
)

NAME = "object-store"
PREFIX = "/object-store/v1/"
PATH = (r"^/object-store/v1/(?P<account>[^/]+)"
        r"(?:/(?P<container>[^/]+)(?:/(?P<object>.+))?)?/?$")
OPERATOR_ROLES = {"admin", "member"}  # the rig's keystoneauth operator_roles
READER_ROLES = {"reader"}


class Service:
    """Swift's accounts by name, and the folder that holds object bytes."""

    def __init__(self, cloud: SimCloud) -> None:
        self.cloud = cloud
        self.accounts: dict[str, Account] = {}
        self.files = ObjectFiles()

    def register(self, router: Router) -> None:
        """Swift's routes: /info (anonymous) and one pattern for account, container, object."""
        router.add("GET", "/object-store/info", _info, service=NAME, auth=False)
        for method in ("GET", "HEAD", "PUT", "POST", "DELETE", "COPY"):
            # auth=False: a public container (``.r:*``) is read without a token.
            router.add_regex(method, PATH, _dispatch, service=NAME, prefix="object-store",
                             auth=False, stream_body=method == "PUT")

    def seed(self) -> None:
        """A few containers in the demo project's account, so the demo has something to
        browse: backups with folders, a public site, an empty one."""
        demo = self.cloud.service("identity").project_by_name("demo")
        account = self.account(f"AUTH_{demo.id}")
        rng = self.cloud.rng
        seeds = {"backups": ("db/2026-12-01.sql.gz", "db/2026-12-02.sql.gz",
                             "etc/nginx/nginx.conf", "README.txt"),
                 "public-assets": ("index.html", "css/site.css", "img/logo.png"),
                 "logs": ()}
        for name, objects in seeds.items():
            now = time.time()
            container = Container(name, now, now)
            if name == "public-assets":
                container.read_acl = ".r:*,.rlistings"
            for object_name in objects:
                body = rng.randbytes(rng.randint(100, 5000))
                path, size, etag = self.files.write([body])
                container.put(StoredObject(object_name, path, size, etag,
                                           guess_type(object_name, ""), now))
            account.add(container)
        if self.cloud.config.objects:
            account.add(self._many(self.cloud.config.objects))

    def _many(self, count: int) -> Container:
        """A container of ``count`` generated objects (names, sizes and etags only), for the
        benchmark of a big listing. Its own random numbers: the other seeds stay as they are."""
        rng = random.Random(self.cloud.config.seed + count)
        now = time.time()
        container = Container("many", now, now)
        for index in range(count):
            name = f"event-{index:06d}.json"
            container.objects[name] = generated_object(name, rng.randint(0, 2048), now)
            container.bytes_used += container.objects[name].size
        container.names = sorted(container.objects)
        return container

    def close(self) -> None:
        """Remove the object files."""
        self.files.close()

    def account(self, name: str) -> Account:
        """An account, created on first use."""
        account = self.accounts.get(name)
        if account is None:
            account = self.accounts[name] = Account(name, time.time())
        return account


def _info(cloud: SimCloud, request: Request) -> Response:
    from tuicloud.simcloud import swift_tempurl

    return Response(200, {
        "swift": {"version": "2.38.3", "account_autocreate": True,
                  "container_listing_limit": LISTING_LIMIT,
                  "account_listing_limit": LISTING_LIMIT, "max_file_size": 5368709122,
                  "max_object_name_length": MAX_OBJECT_NAME,
                  "max_container_name_length": MAX_CONTAINER_NAME,
                  "max_meta_name_length": 128, "max_meta_value_length": 256,
                  "max_meta_count": 90, "max_meta_overall_size": 4096,
                  "policies": [{"name": "Policy-0", "aliases": "Policy-0", "default": True}]},
        "slo": {"max_manifest_segments": 1000, "max_manifest_size": 8388608,
                "min_segment_size": 1},
        "bulk_delete": {"max_deletes_per_request": 10000, "max_failed_deletes": 1000},
        "tempurl": swift_tempurl.INFO,
    })


def http_date(when: float) -> str:
    """``Sun, 06 Dec 2026 18:15:12 GMT``."""
    return email.utils.formatdate(when, usegmt=True)


def _authorize(cloud: SimCloud, request: Request, account: str,
               container: Container | None, obj: bool) -> None:
    """keystoneauth as the rig runs it: operators own their project's account, readers read
    it, a public container's read ACL lets anyone read (``.rlistings`` lists it)."""
    token = cloud.validate_token(request.header("x-auth-token"))
    request.token = token
    reading = request.method in ("GET", "HEAD")
    if token is not None and token.project_id and account == f"AUTH_{token.project_id}":
        roles = set(token.roles)
        if roles & OPERATOR_ROLES or (reading and roles & READER_ROLES):
            return
        raise ApiError(403, "Access was denied to this resource.")
    if reading and container is not None and _public(container, listing=not obj):
        return
    if token is None:
        raise ApiError(401, "This server could not verify that you are authorized to access "
                            "the document you requested.",
                       headers={"WWW-Authenticate": f'Keystone uri="{cloud.base_url}/identity"'})
    raise ApiError(403, "Access was denied to this resource.")


def _public(container: Container, *, listing: bool) -> bool:
    parts = {part.strip() for part in container.read_acl.split(",")}
    return bool(parts & {".r:*"}) and (not listing or ".rlistings" in parts)


def _dispatch(cloud: SimCloud, request: Request) -> Response:
    service: Service = cloud.service(NAME)
    account_name = request.params["account"]
    container_name = request.params.get("container")
    object_name = request.params.get("object")
    with cloud.lock:
        account = service.accounts.get(account_name)
        container = account.containers.get(container_name) if (
            account and container_name) else None
    from tuicloud.simcloud import swift_tempurl

    if swift_tempurl.wants_tempurl(request):
        if account is None or container_name is None:
            raise ApiError(401, "Temp URL invalid")
        swift_tempurl.check(request, account, container, container_name, object_name)
    else:
        _authorize(cloud, request, account_name, container, object_name is not None)
    if container_name is None:
        return _account(service, request, service.account(account_name))
    account = service.account(account_name)
    if object_name is None:
        return _container(service, request, account, container_name)
    from tuicloud.simcloud import swift_objects

    return swift_objects.handle(service, request, account, container_name, object_name)


# -- metadata ----------------------------------------------------------------------------------
def read_meta(request: Request, kind: str) -> dict[str, str]:
    """``X-<kind>-Meta-*`` headers (lower-cased names; empty values mean remove) and
    ``X-Remove-<kind>-Meta-*``."""
    meta: dict[str, str] = {}
    head, remove = f"x-{kind}-meta-", f"x-remove-{kind}-meta-"
    for name, value in request.headers.items():
        if name.startswith(head) and len(name) > len(head):
            meta[name[len(head):]] = value
        elif name.startswith(remove) and len(name) > len(remove):
            meta[name[len(remove):]] = ""
    for key, value in meta.items():
        if len(key) > 128 or len(value) > 256:
            raise ApiError(400, f"Metadata name or value too long: {key[:40]}")
    return meta


def merge_meta(current: dict[str, str], changes: dict[str, str]) -> None:
    """Set the keys sent; an empty value removes a key. Totals as /info limits them."""
    for key, value in changes.items():
        if value:
            current[key] = value
        else:
            current.pop(key, None)
    if len(current) > 90 or sum(len(k) + len(v) for k, v in current.items()) > 4096:
        raise ApiError(400, "Too many metadata items; max 90, total 4096 bytes")


def meta_headers(kind: str, meta: dict[str, str]) -> dict[str, str]:
    """Metadata as response headers, names title-cased as Swift answers them."""
    return {f"X-{kind}-Meta-{key.title()}": value for key, value in meta.items()}


# -- listings ----------------------------------------------------------------------------------
def listing_args(request: Request) -> dict[str, Any]:
    """limit, marker, end_marker, prefix, delimiter; a bad limit is Swift's 412."""
    raw = request.arg("limit")
    limit = LISTING_LIMIT
    if raw:
        try:
            limit = int(raw)
        except ValueError as exc:
            raise ApiError(400, f"Invalid limit: {raw}") from exc
        if limit < 0 or limit > LISTING_LIMIT:
            raise ApiError(412, f"Maximum limit is {LISTING_LIMIT}")
    delimiter = request.arg("delimiter") or ""
    if len(delimiter) > 1:
        raise ApiError(412, "Bad delimiter")
    return {"limit": limit, "marker": request.arg("marker") or "",
            "end_marker": request.arg("end_marker") or "",
            "prefix": request.arg("prefix") or "", "delimiter": delimiter}


def wants_json(request: Request) -> bool:
    """format=json, or an Accept header asking for JSON."""
    fmt = (request.arg("format") or "").lower()
    if fmt:
        return fmt == "json"
    return "application/json" in request.header("accept")


def listing_response(request: Request, entries: list[dict[str, Any]],
                     headers: dict[str, str]) -> Response:
    """A listing as JSON or as plain names, one a line; 204 when empty as plain text."""
    if request.method == "HEAD":
        return Response(204, None, {"Content-Type": "text/plain; charset=utf-8", **headers})
    if wants_json(request):
        body = json.dumps(entries).encode()
        return Response(200, body, {"Content-Type": "application/json; charset=utf-8",
                                    **headers})
    if not entries:
        return Response(204, None, {"Content-Type": "text/plain; charset=utf-8", **headers})
    text = "".join((entry.get("name") or entry.get("subdir") or "") + "\n" for entry in entries)
    return Response(200, text.encode(), {"Content-Type": "text/plain; charset=utf-8",
                                         **headers})


# -- account -----------------------------------------------------------------------------------
def _account_headers(account: Account) -> dict[str, str]:
    containers = account.containers.values()
    objects = sum(len(c.objects) for c in containers)
    used = sum(c.bytes_used for c in containers)
    return {"X-Account-Container-Count": str(len(account.containers)),
            "X-Account-Object-Count": str(objects), "X-Account-Bytes-Used": str(used),
            "X-Timestamp": f"{account.created:.5f}", "Accept-Ranges": "bytes",
            **meta_headers("Account", account.meta)}


def _account(service: Service, request: Request, account: Account) -> Response:
    with service.cloud.lock:
        if request.method in ("GET", "HEAD"):
            args = listing_args(request)
            entries = [{"subdir": name} if subdir else account.containers[name].listing()
                       for name, subdir in page(account.names, **args)]
            return listing_response(request, entries, _account_headers(account))
        if request.method == "POST" and "bulk-delete" in request.query:
            return _bulk_delete(service, request, account)
        if request.method == "POST":
            merge_meta(account.meta, read_meta(request, "account"))
            return Response(204, None, {"Content-Type": "text/html; charset=UTF-8"})
    raise ApiError(405, "The method is not allowed for this resource.")


MAX_BULK_DELETES = 10000


def _bulk_delete(service: Service, request: Request, account: Account) -> Response:
    """The bulk middleware's delete: a newline list of quoted /container[/object] paths; each
    deleted, not found, or an error ([path, status]); 400 as the response status when any
    failed. JSON when the client accepts it, else Swift's plain lines."""
    paths = [line.strip() for line in request.body.decode("utf-8", "replace").splitlines()
             if line.strip()]
    if len(paths) > MAX_BULK_DELETES:
        raise ApiError(413, f"Maximum Bulk Deletes: {MAX_BULK_DELETES} per request")
    deleted = not_found = 0
    errors: list[list[str]] = []
    failing = service.cloud.faults.object_delete_failures
    for raw in paths:
        container_name, _, name = unquote(raw).lstrip("/").partition("/")
        container = account.containers.get(container_name)
        if name:
            if container is None or name not in container.objects:
                not_found += 1
            elif name in failing:
                errors.append([raw, "503 Service Unavailable"])
            else:
                obj = container.remove(name)
                if obj is not None:
                    service.files.discard(obj.path)
                deleted += 1
        elif container is None:
            not_found += 1
        elif container.objects:
            errors.append([raw, "409 Conflict"])
        else:
            account.remove(container_name)
            deleted += 1
    answer = {"Number Deleted": deleted, "Number Not Found": not_found, "Response Body": "",
              "Response Status": "400 Bad Request" if errors else "200 OK", "Errors": errors}
    if "application/json" in request.header("accept"):
        return Response(200, json.dumps(answer).encode(),
                        {"Content-Type": "application/json; charset=utf-8"})
    lines = [f"{key}: {value}" for key, value in answer.items() if key != "Errors"]
    lines += ["Errors:", *(f"{path}, {status}" for path, status in errors)]
    return Response(200, ("\n".join(lines) + "\n").encode(),
                    {"Content-Type": "text/plain; charset=utf-8"})


# -- containers --------------------------------------------------------------------------------
def container_headers(container: Container) -> dict[str, str]:
    """A container's HEAD/GET headers."""
    headers = {"X-Container-Object-Count": str(len(container.objects)),
               "X-Container-Bytes-Used": str(container.bytes_used),
               "X-Timestamp": f"{container.created:.5f}",
               "Last-Modified": http_date(container.modified), "Accept-Ranges": "bytes",
               "X-Storage-Policy": "Policy-0", **meta_headers("Container", container.meta)}
    if container.read_acl:
        headers["X-Container-Read"] = container.read_acl
    if container.write_acl:
        headers["X-Container-Write"] = container.write_acl
    if container.versions is not None:
        headers["X-Versions-Enabled"] = str(container.versions)
    return headers


def find_container(account: Account, name: str) -> Container:
    """A container, or Swift's 404."""
    container = account.containers.get(name)
    if container is None:
        raise ApiError(404, "The resource could not be found.")
    return container


def _acls(request: Request, container: Container) -> None:
    for header, attr in (("x-container-read", "read_acl"), ("x-container-write", "write_acl")):
        if header in request.headers:
            setattr(container, attr, request.headers[header].strip())
        if f"x-remove-{header[2:]}" in request.headers:
            setattr(container, attr, "")
    versions = request.header("x-versions-enabled").strip().lower()
    if versions:
        if versions not in ("true", "false", "yes", "no", "1", "0", "on", "off", "t", "f"):
            raise ApiError(400, "Values allowed are \"true\" and \"false\" only")
        container.versions = versions in ("true", "yes", "1", "on", "t")


def _container(service: Service, request: Request, account: Account, name: str) -> Response:
    method = request.method
    html = {"Content-Type": "text/html; charset=UTF-8"}
    with service.cloud.lock:
        if method == "PUT":
            if len(name) > MAX_CONTAINER_NAME:
                raise ApiError(400, f"Container name length of {len(name)} longer than "
                                    f"{MAX_CONTAINER_NAME}")
            container = account.containers.get(name)
            created = container is None
            if container is None:
                now = time.time()
                container = Container(name, now, now)
            merge_meta(container.meta, read_meta(request, "container"))
            _acls(request, container)
            if created:
                account.add(container)
            return Response(201 if created else 202, None, html)
        container = find_container(account, name)
        if method in ("GET", "HEAD"):
            args = listing_args(request)
            entries = [{"subdir": entry} if subdir else container.objects[entry].listing()
                       for entry, subdir in page(container.names, **args)]
            return listing_response(request, entries, container_headers(container))
        if method == "POST":
            merge_meta(container.meta, read_meta(request, "container"))
            _acls(request, container)
            return Response(204, None, html)
        if method == "DELETE":
            if container.objects:
                raise ApiError(409, "There was a conflict when trying to complete your "
                                    "request.")
            account.remove(name)
            return Response(204, None, html)
    raise ApiError(405, "The method is not allowed for this resource.")


# -- objects (shared with swift_objects) -------------------------------------------------------
def object_headers(obj: StoredObject) -> dict[str, str]:
    """An object's GET/HEAD headers."""
    headers = {"Content-Type": obj.content_type, "Etag": obj.etag,
               "Last-Modified": http_date(obj.modified), "X-Timestamp": f"{obj.modified:.5f}",
               "Accept-Ranges": "bytes", **meta_headers("Object", obj.meta)}
    if obj.segments is not None:
        headers["X-Static-Large-Object"] = "True"
        headers["Etag"] = f'"{obj.etag}"'
    return headers


def guess_type(name: str, given: str) -> str:
    """The Content-Type sent, else guessed from the name as Swift does."""
    if given and given != "application/x-www-form-urlencoded; charset=utf-8":
        return given
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def split_path(value: str) -> tuple[str, str]:
    """``container/object`` (URL-quoted, a leading ``/`` allowed) as X-Copy-From and
    Destination name them; a 412 otherwise, as Swift answers."""
    text = unquote(value).lstrip("/")
    container, _, obj = text.partition("/")
    if not container or not obj:
        raise ApiError(412, "Bad copy from/destination: must be container/object")
    return container, obj


def check_object_name(name: str) -> None:
    """Swift's object name limit."""
    if len(name) > MAX_OBJECT_NAME:
        raise ApiError(400, f"Object name length of {len(name)} longer than {MAX_OBJECT_NAME}")
