"""simcloud's HTTP layer: a threaded HTTP/1.1 server on 127.0.0.1 that dispatches to the router.

It never answers with a Python traceback, always closes or answers a malformed request, and can be
switched "down" (listening socket closed, so clients get connection refused) and back up on the
same port.
"""

from __future__ import annotations

import collections
import json
import logging
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO, cast
from urllib.parse import parse_qs, unquote, urlsplit

from tuicloud.simcloud import latency
from tuicloud.simcloud.core import ApiError, Request, Response, SimCloud
from tuicloud.simcloud.glance_errors import glance_error

# "tuicloud.simcloud": `tuicloud --demo` logs it to its log file; run alone, logging's
# last-resort handler prints it to stderr as before.
log = logging.getLogger("tuicloud.simcloud")

ERROR_TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 411: "Length Required",
    412: "Precondition Failed", 413: "Request Entity Too Large", 415: "Unsupported Media Type",
    416: "Requested Range Not Satisfiable", 422: "Unprocessable Entity",
    500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
}


def error_body(service: str, error: ApiError) -> dict[str, Any]:
    """The error document each service answers with (shapes from the API references)."""
    title = ERROR_TITLES.get(error.status, "Error")
    if service == "identity":
        return {"error": {"code": error.status, "message": error.message, "title": title}}
    if service == "network":
        kind = error.kind or {404: "NotFound", 409: "Conflict", 400: "BadRequest",
                              403: "Forbidden", 401: "Unauthorized"}.get(error.status, "Error")
        return {"NeutronError": {"type": kind, "message": error.message, "detail": ""}}
    if service == "placement":
        return {"errors": [{"status": error.status, "title": error.kind or title,
                            "detail": error.message}]}
    if service == "image":
        # Glance answers webob's JSON error document.
        return {"code": error.status, "title": title, "message": error.message,
                "error": {"code": error.status, "title": title, "message": error.message}}
    key = error.kind or ApiError.TITLES.get(error.status, "computeFault")
    return {key: {"code": error.status, "message": error.message}}


def error_response(service: str, error: ApiError, request: Request) -> Response:
    """The error as the service answers it; Glance's depends on the Accept header."""
    if service == "image":
        return glance_error(error, request.header("accept"))
    if service == "object-store":  # Swift answers a small HTML page
        title = ERROR_TITLES.get(error.status, "Error")
        page = f"<html><h1>{title}</h1><p>{escape(error.message)}</p></html>".encode()
        return Response(error.status, page,
                        {"Content-Type": "text/html; charset=UTF-8", **error.headers})
    return Response(error.status, error_body(service, error), dict(error.headers))


@dataclass
class LoggedRequest:
    """One served request, for tests and benchmarks that count traffic."""

    method: str
    path: str
    query: str
    status: int
    bytes_out: int
    service: str
    started: float = 0.0  # time.monotonic() when the request was read
    answered: float = 0.0  # time.monotonic() when its answer started going out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "simcloud/1.0"
    timeout = 60  # a client that stops sending mid-request does not hold a thread forever
    # Headers and body go out in separate writes; with Nagle and the client's delayed ACK
    # every kept-alive request would wait ~40 ms for the second one.
    disable_nagle_algorithm = True
    cloud: SimCloud  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr access log."""

    def handle_one_request(self) -> None:
        """Refuse requests on kept-alive connections while the cloud is "down"."""
        if self.cloud.faults.down:
            self.close_connection = True
            return
        try:
            super().handle_one_request()
        except (ConnectionError, socket.timeout, TimeoutError):
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """Errors the HTTP layer finds itself (a garbage request line, an unknown method, a header
        too long): a real status line and a JSON error document, then close the connection.

        The stdlib answers these with HTML, and with no status line at all when the request line
        did not name an HTTP version (it takes the request for HTTP/0.9).
        """
        if self.request_version == "HTTP/0.9":
            self.request_version = self.protocol_version
        short = self.responses.get(code, ("Error", ""))[0]
        path = self.path if isinstance(getattr(self, "path", None), str) else "/"
        body = error_body(_service_of(path), ApiError(code, message or short))
        payload = json.dumps(body, separators=(",", ":")).encode()
        self.send_response_only(code, short)
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _dispatch(self) -> None:
        started = time.monotonic()
        cloud = self.cloud
        if cloud.faults.down:  # a kept-alive connection that was waiting when the cloud went down
            self.close_connection = True
            return
        split = urlsplit(self.path)
        path = unquote(split.path) or "/"
        # A Swift object name may end in "/" (a folder marker): keep it.
        if len(path) > 1 and path.endswith("/") and not path.startswith("/object-store/"):
            path = path.rstrip("/")
        headers = {k.lower(): v for k, v in self.headers.items()}
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length: int | None = None
        if "content-length" in headers:
            try:
                length = int(headers["content-length"])
                if length < 0:
                    raise ValueError
            except ValueError:
                self._send_raw(400,
                               b'{"badRequest": {"code": 400, "message": "Bad Content-Length"}}',
                               {"Content-Type": "application/json"}, close=True)
                return
        # Swift's flags come without a value (?bulk-delete, ?extract-archive=tar has one).
        query = parse_qs(split.query, keep_blank_values=path.startswith("/object-store/"))
        request = Request(method=self.command, path=path, query=query,
                          headers=headers, body_stream=cast(BinaryIO, self.rfile),
                          content_length=length, chunked=chunked)
        route, params, other_method = cloud.router.match(self.command, path)
        service = route.service if route else _service_of(path)
        request_id = "req-" + str(uuid.uuid4())
        response: Response
        try:
            delay = cloud.faults.latency_for(service)
            if delay > 0:
                time.sleep(delay)
            if route is None:
                if other_method:
                    raise ApiError(405, "The method specified is not allowed for this resource.")
                raise ApiError(404, "The resource could not be found.")
            request.params = params
            if route.auth:
                token = cloud.validate_token(request.header("x-auth-token"))
                if token is None:
                    raise ApiError(401, "The request you have made requires authentication.",
                                   headers={"WWW-Authenticate":
                                            f'Keystone uri="{cloud.base_url}/identity"'})
                request.token = token
            injected = cloud.should_fail(service)
            if injected is not None:
                raise ApiError(injected, "Injected fault: the service is having a bad moment.")
            response = route.handler(cloud, request)
        except ApiError as error:
            response = error_response(service, error, request)
        except (TimeoutError, ConnectionError):
            raise  # the client stalled or hung up mid-body: drop the connection, no answer
        except Exception:  # noqa: BLE001 - never a traceback in a response body
            # To the log, not stderr: in `tuicloud --demo` stderr is the TUI's screen.
            log.exception("%s %s: unexpected error in simcloud's handler", self.command, path)
            response = error_response(service, ApiError(
                500, "Unexpected error in simcloud; see its log."), request)
        # Drain an unread request body so a kept-alive connection stays in sync.
        if request._body is None and (length or chunked) and not (route and route.stream_body
                                                                   and response.status < 300):
            try:
                for _ in request.iter_body():
                    pass
            except ApiError:
                self.close_connection = True
        # The latency model (when installed) prices the answer and holds it that long.
        latency.charge(cloud, self.command, service, path, response, started)
        response.headers.setdefault("x-openstack-request-id", request_id)
        if service == "compute":
            response.headers.setdefault("x-compute-request-id", request_id)
        if service == "object-store":
            response.headers.setdefault("X-Trans-Id", request_id)
        self._send(response, service, started)

    def _send(self, response: Response, service: str, started: float = 0.0) -> None:
        body = response.body
        headers = dict(response.headers)
        chunks: Any
        if body is None:
            payload = b""
            chunks = None
        elif isinstance(body, (bytes, bytearray)):
            payload = bytes(body)
            chunks = None
        elif isinstance(body, (dict, list)):
            payload = json.dumps(body, separators=(",", ":")).encode()
            headers.setdefault("Content-Type", "application/json")
            chunks = None
        else:
            payload = b""
            chunks = body
        if response.status in (204, 304):
            payload, chunks = b"", None
        size = response.content_length if chunks is not None else len(payload)
        entry = LoggedRequest(self.command, self.path.split("?")[0], self.path.partition("?")[2],
                              response.status, 0, service, started)
        self._send_raw(response.status, payload, headers, size=size, chunks=chunks, log=entry)

    def _log(self, entry: LoggedRequest, sent: int, *, new: bool) -> None:
        cloud = self.cloud
        with cloud.lock:
            if new:
                entry.answered = time.monotonic()
                cloud.request_count += 1
                cloud.request_log.append(entry)
            entry.bytes_out += sent
            cloud.bytes_sent += sent

    def _send_raw(self, status: int, payload: bytes, headers: dict[str, str], *,
                  size: int | None = None, chunks: Any = None, close: bool = False,
                  log: LoggedRequest | None = None) -> int:
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        for name, value in headers.items():
            self.send_header(name, value)
        if chunks is not None and size is None:
            self.send_header("Transfer-Encoding", "chunked")
        elif status not in (204, 304):
            self.send_header("Content-Length", str(size if size is not None else len(payload)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        header_bytes = sum(len(line) for line in getattr(self, "_headers_buffer", []))
        # Log before the response's last byte goes out: a client that has its answer must find
        # the request in the log. A streamed body counts its announced size, corrected at the end.
        announced = 0 if self.command == "HEAD" else len(payload) if chunks is None else size or 0
        if log is not None:
            self._log(log, header_bytes + announced, new=True)
        self.end_headers()
        sent = header_bytes
        if self.command == "HEAD":
            return sent
        if chunks is None:
            self.wfile.write(payload)
            return sent + len(payload)
        for piece in chunks:
            if not piece:
                continue
            if size is None:
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            else:
                self.wfile.write(piece)
            sent += len(piece)
        if log is not None and sent - header_bytes != announced:
            self._log(log, sent - header_bytes - announced, new=False)
        if size is None:
            self.wfile.write(b"0\r\n\r\n")
        return sent

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_COPY = _dispatch


def _service_of(path: str) -> str:
    prefix = path.strip("/").split("/")[0]
    return {"identity": "identity", "compute": "compute", "image": "image", "volume": "volume",
            "networking": "network", "object-store": "object-store"}.get(prefix, "identity")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    ssl_context: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        """With TLS, the handshake runs here, in the connection's own thread: a client that
        never completes it holds only its thread, never the accept loop."""
        if self.ssl_context is not None:
            request.settimeout(_Handler.timeout)
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return  # e.g. the client rejected our certificate: nothing to answer
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """To the log (the --demo log file), not stderr (the TUI's screen)."""
        log.exception("error serving a request from %s", client_address[0])


class SimServer:
    """Serves a :class:`SimCloud` on 127.0.0.1 in a background thread; can go down and up.

    ``tls`` (certificate file, key file) serves HTTPS instead of HTTP; the catalog's URLs follow.
    """

    def __init__(self, cloud: SimCloud, port: int = 0,
                 tls: tuple[str, str] | None = None) -> None:
        self.cloud = cloud
        self._ssl: ssl.SSLContext | None = None
        if tls is not None:
            self._ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._ssl.load_cert_chain(str(tls[0]), str(tls[1]))
        cloud.request_log = collections.deque(maxlen=20000)
        self._handler = type("Handler", (_Handler,), {"cloud": cloud})
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = port
        self._start_listening()
        cloud.base_url = self.url

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:PORT (https:// with TLS)."""
        scheme = "https" if self._ssl is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def auth_url(self) -> str:
        """Keystone's URL for clouds.yaml."""
        return f"{self.url}/identity/v3"

    def _start_listening(self) -> None:
        self._httpd = _Server(("127.0.0.1", self.port), self._handler)
        self._httpd.ssl_context = self._ssl
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name=f"simcloud-{self.port}", daemon=True)
        self._thread.start()

    def _stop_listening(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def set_down(self, down: bool) -> None:
        """Refuse connections (True) or serve again on the same port (False)."""
        if down == self.cloud.faults.down:
            return
        self.cloud.faults.down = down
        if down:
            self._stop_listening()
        else:
            self._start_listening()

    def close(self) -> None:
        """Stop serving and stop the cloud's background threads."""
        self._stop_listening()
        self.cloud.close()
