"""Making an application credential (Keystone): the request, its expiry in the words people
use ("30d", "never", a date), and the clouds.yaml entry that uses it. The secret Keystone
returns once goes only into that entry's file (0600), as a private key does."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["clouds_yaml_entry", "create_app_credential", "create_command", "parse_expiry"]

_SPAN = re.compile(r"^(\d{1,4})\s*([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_expiry(text: str, now: datetime | None = None) -> tuple[str | None, str | None]:
    """(ISO time in UTC or None for never, why not): "never", "12h", "30d", "8w",
    "2027-01-31" or "2027-01-31T18:00"."""
    now = now or datetime.now(timezone.utc)
    value = text.strip().lower()
    if value in ("", "never"):
        return None, None
    span = _SPAN.match(value)
    if span:
        if int(span.group(1)) == 0:
            return None, "at least 1"
        when = now + timedelta(**{_UNITS[span.group(2)]: int(span.group(1))})
    else:
        try:
            when = datetime.fromisoformat(text.strip())
        except ValueError:
            return None, 'e.g. 30d, 12h, 8w, 2027-01-31 or "never"'
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    if when <= now:
        return None, "that is in the past"
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"), None


def create_command(name: str, roles: list[str], expires_at: str | None, description: str,
                   unrestricted: bool) -> list[str]:
    """``openstack application credential create [--role R]... [--expiration T] NAME``."""
    argv = ["openstack", "application", "credential", "create"]
    for role in roles:
        argv += ["--role", role]
    if expires_at:
        argv += ["--expiration", expires_at]
    if description:
        argv += ["--description", description]
    if unrestricted:
        argv.append("--unrestricted")
    return [*argv, name]


def create_app_credential(session: CloudSession, name: str, roles: list[str],
                          expires_at: str | None, description: str,
                          unrestricted: bool) -> dict[str, Any]:
    """Create it for the signed-in user in the current project (blocking; ReadOnlyError
    before sending): Keystone's document, its one-time ``secret`` included."""
    spec: dict[str, Any] = {"name": name, "roles": [{"name": r} for r in roles],
                            "unrestricted": unrestricted}
    if expires_at:
        spec["expires_at"] = expires_at
    if description:
        spec["description"] = description
    body, _ = session.request("POST", "identity",
                              f"/users/{session.user_id}/application_credentials",
                              json={"application_credential": spec},
                              description=f"create application credential {name}")
    made = body.get("application_credential") if isinstance(body, dict) else None
    if not isinstance(made, dict) or not made.get("id") or not made.get("secret"):
        from tuicloud.cloud.errors import CloudError

        raise CloudError("Keystone answered without the credential", service="identity")
    return made


def clouds_yaml_entry(session: CloudSession, entry: str, made: dict[str, Any]) -> str:
    """A clouds.yaml holding one cloud, ``entry``, that signs in with the credential."""
    cloud: dict[str, Any] = {
        "auth_type": "v3applicationcredential",
        "auth": {"auth_url": session.auth_url,
                 "application_credential_id": str(made["id"]),
                 "application_credential_secret": str(made["secret"])},
        "identity_api_version": 3,
        "interface": session.interface,
    }
    if session.region:
        cloud["region_name"] = session.region
    if session.insecure:
        cloud["verify"] = False
    return str(yaml.safe_dump({"clouds": {entry: cloud}}, sort_keys=False))
