"""Temporary URLs for objects (Swift's tempurl middleware): anyone holding the URL may GET the
object until it expires, without a token. The URL is the HMAC of ``GET\\nEXPIRES\\n/v1/...`` under
the account's ``Temp-URL-Key``, sha256 when the cluster's /info allows it (sha1 otherwise).

The key and the URL are secrets: neither is logged nor put in an error message, and the command
shown names the key as ``$TEMP_URL_KEY``. Setting a key (when the account has none) is a change
the read-only session refuses."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from tuicloud.cloud.errors import CloudError

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["EXPIRIES", "TempUrlSetup", "make_temp_url", "parse_expiry", "set_temp_url_key",
           "temp_url_command", "temp_url_setup"]

EXPIRIES = (("1 hour", "1h"), ("1 day", "1d"), ("7 days", "7d"))
_UNITS = {"m": 60, "h": 3600, "d": 86400}
MAX_SECONDS = 365 * 86400


def parse_expiry(text: str) -> int | None:
    """"90m", "1h", "7d" (or plain seconds) -> seconds; None when not understood."""
    found = re.fullmatch(r"\s*(\d+)\s*([mhd]?)\s*", text.lower())
    if not found:
        return None
    seconds = int(found.group(1)) * _UNITS.get(found.group(2), 1)
    return seconds if 0 < seconds <= MAX_SECONDS else None


@dataclass(frozen=True)
class TempUrlSetup:
    """What signing needs: the object store's endpoint, the key (None: the account has none)
    and the digest the cluster accepts."""

    endpoint: str
    key: str | None
    digest: str

    def __repr__(self) -> str:  # never the key, in a log or a traceback
        return f"TempUrlSetup(endpoint={self.endpoint!r}, key={'set' if self.key else None}, " \
               f"digest={self.digest!r})"


def _info_url(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    root = parts.path.split("/v1/", 1)[0] if "/v1/" in parts.path else ""
    return urlunsplit((parts.scheme, parts.netloc, root + "/info", "", ""))


def object_store_info(session: CloudSession) -> dict[str, Any]:
    """The object store's /info (anonymous; the middlewares it runs and their limits)."""
    endpoint = (session.endpoint("object-store") or "").rstrip("/")
    info, _info = session.get_json("object-store", _info_url(endpoint))
    return info if isinstance(info, dict) else {}


def temp_url_setup(session: CloudSession) -> TempUrlSetup:
    """Read the endpoint, the account's key (HEAD) and the allowed digests (/info)."""
    endpoint = (session.endpoint("object-store") or "").rstrip("/")
    if "/v1/" not in urlsplit(endpoint).path + "/":
        raise CloudError(f"the object store's endpoint has no /v1/ path: {endpoint}",
                         service="object-store")
    try:
        info, _info = session.get_json("object-store", _info_url(endpoint))
    except CloudError as exc:
        raise CloudError(f"cannot read the object store's /info: {exc.message}",
                         status=exc.status, service="object-store") from exc
    tempurl: Any = (info or {}).get("tempurl") if isinstance(info, dict) else None
    if not isinstance(tempurl, dict):
        raise CloudError("this object store does not offer temporary URLs (no tempurl "
                         "middleware in its /info)", service="object-store")
    allowed = [str(d) for d in tempurl.get("allowed_digests") or ["sha1"]]
    digest = next((d for d in ("sha256", "sha512", "sha1") if d in allowed), "")
    if not digest:
        raise CloudError(f"no digest tuicloud can sign with: {', '.join(allowed)}",
                         service="object-store")
    headers, _resp_info = session.head("object-store", "")
    key = headers.get("x-account-meta-temp-url-key") or None
    return TempUrlSetup(endpoint, key, digest)


def set_temp_url_key(session: CloudSession) -> str:
    """Give the account a new random key (blocking; ReadOnlyError before sending)."""
    key = secrets.token_urlsafe(32)
    session.send_raw("POST", "object-store", "",
                     headers={"X-Account-Meta-Temp-URL-Key": key},
                     description="set the account's temporary URL key")[2].close()
    return key


def _paths(endpoint: str, container: str, name: str) -> tuple[str, str]:
    """(the path signed, from /v1/ and not quoted, as Swift sees it; the path in the URL)."""
    path = urlsplit(endpoint).path.rstrip("/")
    signed = path[path.index("/v1/"):] + f"/{container}/{name}"
    return signed, f"{path}/{quote(container, safe='')}/{quote(name, safe='/')}"


def make_temp_url(setup: TempUrlSetup, container: str, name: str, seconds: int, *,
                  key: str | None = None, now: float | None = None) -> str:
    """The URL that GETs ``container/name`` for ``seconds`` from now."""
    secret = key or setup.key
    if not secret:
        raise CloudError("the account has no temporary URL key", service="object-store")
    expires = int((time.time() if now is None else now) + seconds)
    signed, in_url = _paths(setup.endpoint, container, name)
    sig = hmac.new(secret.encode(), f"GET\n{expires}\n{signed}".encode(),
                   getattr(hashlib, setup.digest)).hexdigest()
    parts = urlsplit(setup.endpoint)
    return urlunsplit((parts.scheme, parts.netloc, in_url,
                       f"temp_url_sig={sig}&temp_url_expires={expires}", ""))


def temp_url_command(endpoint: str, container: str, name: str, seconds: int,
                     digest: str = "sha256") -> list[str]:
    """``swift tempurl --digest D GET SECONDS /v1/... $TEMP_URL_KEY`` (the key never shown)."""
    signed = (_paths(endpoint, container, name)[0] if "/v1/" in endpoint
              else f"/v1/AUTH_<project>/{container}/{name}")
    return ["swift", "tempurl", "--digest", digest, "GET", str(seconds), signed,
            "$TEMP_URL_KEY"]
