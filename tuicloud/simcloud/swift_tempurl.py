"""Swift's tempurl middleware as the rig runs it: a GET or HEAD with ``temp_url_sig`` and
``temp_url_expires`` needs no token when the signature is the HMAC of ``METHOD\\nEXPIRES\\nPATH``
(PATH from ``/v1/``) under the account's (or the container's) ``Temp-URL-Key`` or
``Temp-URL-Key-2``, with sha1, sha256 or sha512 (hex, or ``sha512:<base64>``), and the expiry
is in the future. Anything else is 401, as Swift answers it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from tuicloud.simcloud.core import ApiError, Request
from tuicloud.simcloud.swift_store import Account, Container

ALLOWED = ("sha1", "sha256", "sha512")
HEX_LENGTHS = {40: "sha1", 64: "sha256", 128: "sha512"}
KEYS = ("temp-url-key", "temp-url-key-2")

INFO = {"methods": ["GET", "HEAD", "PUT", "POST", "DELETE"],
        "incoming_remove_headers": ["x-timestamp", "x-open-expired"],
        "incoming_allow_headers": [], "outgoing_remove_headers": ["x-object-meta-*"],
        "outgoing_allow_headers": ["x-object-meta-public-*"],
        "allowed_digests": list(ALLOWED), "deprecated_digests": ["sha1"]}


def wants_tempurl(request: Request) -> bool:
    """The request carries a temp URL signature (checked instead of a token)."""
    return bool(request.arg("temp_url_sig") or request.arg("temp_url_expires"))


def _unauthorized() -> ApiError:
    return ApiError(401, "Temp URL invalid")


def _digest_and_sig(sig: str) -> tuple[str, str]:
    """(digest name, hex signature) from a hex or ``name:base64`` signature."""
    if ":" in sig:
        name, _, encoded = sig.partition(":")
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError as exc:
            raise _unauthorized() from exc
        return name, raw.hex()
    name = HEX_LENGTHS.get(len(sig), "")
    return name, sig.lower()


def check(request: Request, account: Account, container: Container | None,
          container_name: str, object_name: str | None) -> None:
    """Let a signed GET/HEAD through, or raise 401."""
    if request.method not in ("GET", "HEAD") or object_name is None:
        raise _unauthorized()
    raw_expires = request.arg("temp_url_expires") or ""
    if not raw_expires.isdigit() or int(raw_expires) < time.time():
        raise _unauthorized()
    digest, sig = _digest_and_sig(request.arg("temp_url_sig") or "")
    if digest not in ALLOWED:
        raise _unauthorized()
    keys = [account.meta[k] for k in KEYS if account.meta.get(k)]
    if container is not None:
        keys += [container.meta[k] for k in KEYS if container.meta.get(k)]
    path = f"/v1/{account.name}/{container_name}/{object_name}"
    # A GET signature opens a HEAD too, as Swift allows.
    methods = ("HEAD", "GET") if request.method == "HEAD" else ("GET",)
    for key in keys:
        for method in methods:
            expected = hmac.new(key.encode(), f"{method}\n{raw_expires}\n{path}".encode(),
                                getattr(hashlib, digest)).hexdigest()
            if hmac.compare_digest(expected, sig):
                return
    raise _unauthorized()
