"""One error type for everything that can go wrong talking to a cloud.

Every exception raised by openstacksdk, keystoneauth1 or requests is converted by
:func:`cloud_error_from` into a :class:`CloudError` carrying the HTTP status (when there is one),
the API's own message, the request id and the service. Messages never contain a request body, a
header, a password or a token: they are built from the response body's message field and from
URLs with any user info removed, and then scrubbed once more.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # imported where an exception is converted: `import tuicloud.app` and the
    # first paint (the view cache) do without openstacksdk, keystoneauth1 and requests
    import requests
    from keystoneauth1 import exceptions as ks_exc

log = logging.getLogger("tuicloud.cloud")

__all__ = [
    "AuthenticationError",
    "CloudError",
    "ConfigError",
    "ReadOnlyError",
    "NotConnectedError",
    "ServiceUnavailableError",
    "TlsError",
    "UnreachableError",
    "cloud_error_from",
    "error_message",
    "message_from_body",
    "request_id_from_headers",
    "scrub_secrets",
    "text_of_html",
]

# The patterns are compiled when first used, not at import: this module loads before the first
# frame, and its 14 patterns cost 2 ms there.


@functools.cache
def _token_patterns() -> tuple[re.Pattern[str], ...]:
    """Fernet tokens start with gAAAA; JWS tokens are three base64url parts starting with eyJ."""
    return (
        re.compile(r"gAAAA[A-Za-z0-9_\-=]{16,}"),
        re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
        re.compile(r"(?i)((?:x-auth-token|x-subject-token|authorization)\s*[:=]\s*)[^\s,;'\"]+"),
        re.compile(r"(?i)(\"?(?:password|secret)\"?\s*[:=]\s*\"?)[^\s,;'\"}]+"),
        re.compile(r"(?i)(token\"?\s*[:=]?\s*\"?)[A-Za-z0-9_\-]{16,}"),
        # A temporary URL's signature lets anyone read the object: never in a message or log.
        re.compile(r"(?i)(temp_url_sig=)[^&\s'\"]+"),
        re.compile(r"(?i)(temp-url-key\"?\s*[:=]\s*\"?)[^\s,;'\"}]+"),
    )


_regex = functools.cache(re.compile)
"""A pattern compiled at its first use (the ones below are the patterns' texts)."""
_URL_USERINFO = r"(?i)(\b[a-z][a-z0-9+.\-]*://)[^/@\s]+@"
_UNABLE_TO_CONNECT = r"(?:Unable to establish connection to|connecting to) (\S+?):? "
_TIMED_OUT_URL = r"Request to (\S+) timed out"


def scrub_secrets(text: str, extra: Iterable[str] = ()) -> str:
    """Remove tokens, passwords and URL user info from ``text``.

    ``extra`` lists known secrets (the session's current token, its password) replaced verbatim.
    """
    for secret in extra:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _regex(_URL_USERINFO).sub(r"\1", text)
    for index, pattern in enumerate(_token_patterns()):
        text = pattern.sub("***" if index < 2 else r"\1***", text)
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _strip_url(url: str) -> str:
    """A URL without user info, query or fragment (for messages)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _host_of(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return parts.netloc.rpartition("@")[2] or url


class CloudError(Exception):
    """An error from the cloud (or from reaching it), ready to show to a user.

    ``status`` is the HTTP status when the cloud answered; ``message`` is the API's own message
    (e.g. Nova's "Cannot 'start' instance X while it is in vm_state active"); ``request_id`` is
    the ``x-openstack-request-id`` (or ``x-compute-request-id``) of the failed request;
    ``service`` is the service type that failed ("compute", "identity" ...).
    """

    def __init__(self, message: str, *, status: int | None = None,
                 request_id: str | None = None, service: str | None = None) -> None:
        self.message = _one_line(scrub_secrets(message)) or "unknown error"
        self.status = status
        self.request_id = request_id
        self.service = service
        super().__init__(self.message)

    @property
    def reason(self) -> str | None:
        """The HTTP reason phrase for ``status`` ("Conflict"), or None."""
        if self.status is None:
            return None
        try:
            import http  # its status enum: built when an error first needs a phrase

            return http.HTTPStatus(self.status).phrase
        except ValueError:
            return None

    @property
    def short(self) -> str:
        """A few words for a header or status line: "503 Service Unavailable", "read-only"."""
        if self.status is not None:
            return f"{self.status} {self.reason}" if self.reason else f"HTTP {self.status}"
        return self.label

    @property
    def label(self) -> str:
        """What kind of failure this is, when there is no HTTP status."""
        return "error"

    @property
    def retryable(self) -> bool:
        """True when trying again later may help (5xx, 429, connection failures)."""
        return self.status is None or self.status >= 500 or self.status == 429

    def __str__(self) -> str:
        text = f"{self.short}: {self.message}" if self.status is not None else self.message
        if self.request_id:
            text += f" ({self.request_id})"
        return text

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
                f"request_id={self.request_id!r}, service={self.service!r})")


class ReadOnlyError(CloudError):
    """A mutating call was refused because the session is read-only; nothing was sent."""

    @property
    def label(self) -> str:
        """Short label."""
        return "read-only"

    @property
    def retryable(self) -> bool:
        """Never: the session stays read-only."""
        return False


class ConfigError(CloudError):
    """clouds.yaml or the OS_* variables are wrong: unknown cloud, bad YAML, missing auth_url."""

    @property
    def label(self) -> str:
        """Short label."""
        return "configuration error"

    @property
    def retryable(self) -> bool:
        """Never: the configuration must be fixed first."""
        return False


class ServiceUnavailableError(CloudError):
    """The cloud's catalog has no endpoint for the service (e.g. no block storage)."""

    @property
    def label(self) -> str:
        """Short label."""
        return "service missing"

    @property
    def retryable(self) -> bool:
        """Never: the catalog will not grow an endpoint by itself."""
        return False


class SessionClosedError(CloudError):
    """The session was closed (the app is leaving, or the cloud was switched): no new request."""

    @property
    def label(self) -> str:
        """Short label."""
        return "closed"

    @property
    def retryable(self) -> bool:
        """Never: a closed session stays closed."""
        return False


class AuthenticationError(CloudError):
    """Keystone refused the credentials (wrong password, unknown user or project)."""

    @property
    def label(self) -> str:
        """Short label."""
        return "authentication failed"

    @property
    def retryable(self) -> bool:
        """Never: the credentials must change first."""
        return False


class UnreachableError(CloudError):
    """No HTTP answer at all: connection refused, DNS failure, timeout, TLS failure."""

    @property
    def label(self) -> str:
        """Short label."""
        return "unreachable"


class TlsError(UnreachableError):
    """The TLS handshake failed: an untrusted or mismatched certificate, a protocol mismatch.

    Not retryable: the certificate, ``cacert`` or ``verify`` setting must change first.
    """

    @property
    def label(self) -> str:
        """Short label."""
        return "TLS failure"

    @property
    def retryable(self) -> bool:
        """Never: trying again meets the same certificate."""
        return False


def request_id_from_headers(headers: Any) -> str | None:
    """The request id an OpenStack service put in its response headers, if any."""
    if headers is None:
        return None
    for name in ("x-openstack-request-id", "x-compute-request-id", "openstack-request-id"):
        value = headers.get(name)
        if value:
            return str(value)
    return None


_TAG = r"<[^>]*>"
_HIDDEN_ELEMENTS = r"(?is)<(head|title|script|style)\b.*?</\1\s*>"
_HEADING = r"(?is)<h1\b[^>]*>(.*?)</h1\s*>"
_STATUS_LINE = r"^(?:\d{3}\b)?[\s\w'-]*$"


def _without_tags(text: str) -> str:
    """Markup reduced to its words: tags dropped, entities decoded, one line."""
    import html  # its table of entities: loaded when an error page first needs it

    return _one_line(html.unescape(_regex(_TAG).sub(" ", text)))


def text_of_html(page: str) -> str:
    """The words of an HTML error page: no head or title, and no ``<h1>`` that only repeats
    the status ("403 Forbidden") unless the page says nothing else."""
    page = _regex(_HIDDEN_ELEMENTS).sub(" ", page)
    headings: list[str] = []

    def heading(found: re.Match[str]) -> str:
        words = _without_tags(found.group(1))
        headings.append(words)
        return " " if _regex(_STATUS_LINE).match(words) and len(words) <= 40 else f" {words}: "

    words = _without_tags(_regex(_HEADING).sub(heading, page)).strip(" :")
    return words or " ".join(headings)


def _clean(message: str) -> str:
    """An API message without the HTML leftovers some services keep in their JSON ("...action.
    <br /><br />" from Glance)."""
    return _without_tags(message) if "<" in message else message


def _message_in(obj: Any) -> str | None:
    if isinstance(obj, dict):
        for key in ("message", "faultstring", "detail", "title"):
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                return _clean(value) or None
    return None


def message_from_body(body: Any) -> str | None:
    """The human message in an OpenStack error document, whatever the service's shape.

    Nova/Cinder ``{"conflictingRequest": {"message": ...}}``, Neutron ``{"NeutronError":
    {"message": ...}}``, Keystone ``{"error": {"message": ...}}``, Glance ``{"message":
    "...<br /><br />", "code": "403 Forbidden", "title": "Forbidden"}`` (tags removed).
    """
    if isinstance(body, (bytes, bytearray)):
        try:
            body = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return None
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if not isinstance(body, dict):
        return None
    for value in body.values():
        found = _message_in(value)
        if found:
            return found
    return _message_in(body)


def error_message(content: bytes | None, content_type: str | None) -> str | None:
    """The message of an error response body: JSON in any service's shape, an HTML page's
    words (Glance and Swift answer HTML unless asked for JSON), or plain text; None when
    the body says nothing."""
    if not content:
        return None
    kind = (content_type or "").lower()
    text = content[:20000].decode("utf-8", "replace").strip()
    if "json" in kind or text.startswith(("{", "[")):
        found = message_from_body(text)
        if found or "json" in kind:
            return found
    if "html" in kind or text.lower().startswith(("<html", "<!doctype", "<h1", "<?xml")):
        return text_of_html(text) or None
    if not kind or kind.startswith("text/"):
        return _one_line(text[:2000]) or None
    return None


def _response_message(response: requests.Response | None) -> str | None:
    if response is None:
        return None
    try:
        content = response.content
    except Exception:  # noqa: BLE001 - a broken body must not hide the status
        return None
    return error_message(content, response.headers.get("content-type"))


def _connection_problem(text: str) -> str:
    """A short reason from a requests/urllib3 connection error text."""
    lowered = text.lower()
    if "connection refused" in lowered or "errno 111" in lowered:
        return "connection refused"
    if ("name or service not known" in lowered or "nodename nor servname" in lowered
            or "temporary failure in name resolution" in lowered or "getaddrinfo" in lowered):
        return "host name not found"
    if "timed out" in lowered or "timeout" in lowered:
        return "timed out"
    if "no route to host" in lowered:
        return "no route to host"
    if "network is unreachable" in lowered:
        return "network is unreachable"
    if "connection reset" in lowered or "remotedisconnected" in lowered:
        return "connection reset by the server"
    if "connection aborted" in lowered:
        return "connection aborted"
    return "connection failed"


def _tls_problem(text: str) -> str:
    found = re.search(r"certificate verify failed: ([^()'\"]+)", text)
    if found:
        return "certificate verify failed: " + found.group(1).strip().rstrip(".,")
    found = re.search(r"\[SSL: ([A-Z_]+)\][^'\"()]*", text)
    if found:
        return found.group(0).strip()
    if "hostname" in text and "doesn't match" in text:
        return "certificate does not match the host name"
    return "TLS handshake failed"


def _url_in(text: str) -> str | None:
    found = _regex(_UNABLE_TO_CONNECT).search(text) or _regex(_TIMED_OUT_URL).search(text)
    if found:
        return found.group(1).rstrip(":")
    found = re.search(r"https?://[^\s'\"]+", text)
    return found.group(0).rstrip(":.,") if found else None


def _from_connection(text: str, service: str | None, url: str | None = None) -> CloudError:
    url = url or _url_in(text)
    where = _strip_url(url) if url else "the cloud"
    if "ssl" in text.lower() or "certificate" in text.lower():
        host = _host_of(url) if url else "the cloud"
        return TlsError(f"TLS verification failed for {host}: {_tls_problem(text)}",
                        service=service)
    problem = _connection_problem(text)
    if problem == "timed out":
        return UnreachableError(f"timed out talking to {where}", service=service)
    return UnreachableError(f"cannot reach {where}: {problem}", service=service)


def _from_http(status: int | None, response: requests.Response | None, fallback: str | None,
               request_id: str | None, url: str | None, service: str | None) -> CloudError:
    message = _response_message(response) or fallback or "no message"
    if response is not None:
        request_id = request_id_from_headers(response.headers) or request_id
    if status == 401 and url and "/auth/tokens" in url:
        return AuthenticationError("authentication failed: wrong user name or password "
                                   "(or unknown user, project or domain)",
                                   status=status, request_id=request_id, service="identity")
    return CloudError(message, status=status, request_id=request_id, service=service)


def _missing_options(exc: ks_exc.MissingRequiredOptions) -> ConfigError:
    names = [str(getattr(opt, "dest", None) or getattr(opt, "name", opt)) for opt in exc.options]
    if "auth_url" in names:
        return ConfigError("the cloud's configuration has no auth_url (set auth: auth_url: in "
                           "clouds.yaml or OS_AUTH_URL)")
    return ConfigError("the cloud's configuration lacks " + ", ".join(names))


def cloud_error_from(exc: BaseException, service: str | None = None) -> CloudError:
    """Convert any exception raised while talking to a cloud into a :class:`CloudError`.

    Handles openstacksdk (HttpException, ConfigException, SDKException), keystoneauth1
    (HTTP errors, connection failures, TLS errors, discovery and catalog errors, missing plugin
    options) and requests exceptions. Anything else becomes a CloudError naming its type.
    """
    if isinstance(exc, CloudError):
        if exc.service is None:
            exc.service = service
        return exc
    import requests  # loaded already when one of theirs is raised (see the imports above)
    from keystoneauth1 import exceptions as ks_exc
    from openstack import exceptions as sdk_exc

    if isinstance(exc, sdk_exc.HttpException):
        return _from_http(exc.status_code, exc.response, exc.details or exc.message,
                          getattr(exc, "request_id", None),
                          exc.url if isinstance(exc.url, str) else None, service)
    if isinstance(exc, ks_exc.HttpError):
        return _from_http(exc.http_status or None, exc.response, exc.details or exc.message,
                          exc.request_id, exc.url, service)
    if isinstance(exc, ks_exc.SSLError | requests.exceptions.SSLError):
        return _from_connection(str(exc) + " ssl", service)
    if isinstance(exc, ks_exc.ConnectionError | requests.exceptions.ConnectionError
                  | requests.exceptions.Timeout):
        return _from_connection(str(exc), service)
    if isinstance(exc, ks_exc.DiscoveryFailure):
        text = str(exc)
        if "Unable to establish connection" in text or "SSL exception" in text:
            return _from_connection(text, service)
        if re.search(r"\(HTTP \d{3}\)", text):  # the service answered, with an error
            return _from_sdk_message(text, service)
        return CloudError(f"cannot find a usable API version: {text}", service=service)
    if isinstance(exc, ks_exc.EndpointNotFound | sdk_exc.EndpointNotFound
                  | sdk_exc.ServiceDisabledException):
        name = service or "requested"
        return ServiceUnavailableError(f"the cloud offers no {name} service", service=service)
    if isinstance(exc, ks_exc.MissingRequiredOptions):
        return _missing_options(exc)
    if isinstance(exc, ks_exc.NoMatchingPlugin):
        return ConfigError(f"unknown auth type: {exc}")
    if isinstance(exc, ks_exc.AuthorizationFailure | ks_exc.MissingAuthMethods):
        return AuthenticationError(f"authentication failed: {exc}", service="identity")
    if isinstance(exc, sdk_exc.ConfigException):
        return ConfigError(exc.message)
    if isinstance(exc, sdk_exc.SDKException):
        return _from_sdk_message(exc.message, service)
    if isinstance(exc, ks_exc.ClientException | requests.exceptions.RequestException):
        return CloudError(str(exc), service=service)
    # Not a cloud's answer: a bug here or in the SDK. The user sees one line; the log the trace.
    # Scrubbed: the exception's text may quote a request (token pattern, URL user info).
    trace = scrub_secrets("".join(traceback.format_exception(exc)))
    log.error("unexpected %s talking to %s\n%s", type(exc).__name__, service or "the cloud",
              trace.rstrip())
    return CloudError(f"{type(exc).__name__}: {exc}", service=service)


def _from_sdk_message(text: str, service: str | None) -> CloudError:
    """SDKException wraps keystoneauth errors as text only (Connection.authorize does)."""
    if "Unable to establish connection" in text or "SSL exception" in text:
        return _from_connection(text, service)
    found = re.search(r"\(HTTP (\d{3})\)(?: \(Request-ID: (\S+?)\))?", text)
    if found:
        status = int(found.group(1))
        message = text[:found.start()].strip()
        if status == 401:
            return AuthenticationError("authentication failed: wrong user name or password "
                                       "(or unknown user, project or domain)", status=status,
                                       request_id=found.group(2), service="identity")
        return CloudError(message, status=status, request_id=found.group(2), service=service)
    return CloudError(text, service=service)


class NotConnectedError(CloudError):
    """An action or poll needs the session before the first connection succeeded."""

    def __init__(self) -> None:
        super().__init__("Not connected yet.")

    @property
    def label(self) -> str:
        """Shown in the header like any failure: "not connected"."""
        return "not connected"
