"""Where a connection will go, read from clouds.yaml before connecting (without openstacksdk).

Authentication takes 0.4 s or more, and importing openstacksdk 0.3 s: the view cache is keyed
by what clouds.yaml says instead (cloud name, auth URL, project, region, user) plus a
fingerprint of the cloud's whole entry and of the ``OS_*`` variables, so an edited entry (or
another environment) never reuses rows kept for the old one. The files are looked for where
openstacksdk looks (``OS_CLIENT_CONFIG_FILE`` first). Secrets never enter the fingerprint: it
names a file on disk.

The same function gives the scope at start (a guess) and once connected (with the project and
region the connection used), so the two agree whenever the connection went where it was
expected to.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import platformdirs

__all__ = ["CacheScope", "clouds_file", "guess_scope", "plain_cloud_names"]

log = logging.getLogger("tuicloud.cache")

_SUFFIXES = (".yaml", ".yml", ".json")
# Key names whose values are secrets (or lead to one): left out of the fingerprint.
_SECRET_WORDS = ("password", "secret", "token", "passcode", "totp", "key")
# OS_* variables that only select a file or a cloud: already part of the scope.
_SELECTORS = {"OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE", "OS_CLOUD"}


@dataclass(frozen=True)
class CacheScope:
    """One cloud, project, region and user as far as they are known before connecting."""

    cloud: str
    auth_url: str
    project: str
    region: str
    user: str
    config: str  # the fingerprint of the cloud's clouds.yaml entry and the OS_* variables

    def key(self, kind: str, all_projects: bool) -> dict[str, object]:
        """The key of one view's rows (kept in the file too, and compared on reading)."""
        return {**asdict(self), "kind": kind, "all_projects": all_projects}


def _search_path() -> list[Path]:
    """openstacksdk's own order: the current directory, the user's, the site's."""
    openstack_dirs = platformdirs.PlatformDirs("openstack", "OpenStack", multipath=True)
    real_home = os.environ.get("SNAP_REAL_HOME")
    unix_home = (Path(real_home) / ".config" / "openstack" if real_home
                 else Path.home() / ".config" / "openstack")
    return [Path.cwd(), Path(openstack_dirs.user_config_dir), unix_home,
            *(Path(p) for p in openstack_dirs.site_config_dir.split(os.pathsep)),
            Path("/etc/openstack")]


def _first_file(stem: str, override: str) -> Path | None:
    chosen = os.environ.get(override)
    candidates = [Path(chosen)] if chosen else []
    candidates += [folder / f"{stem}{suffix}" for folder in _search_path()
                   for suffix in _SUFFIXES]
    return next((path for path in candidates if path.is_file()), None)


def clouds_file() -> Path | None:
    """The clouds.yaml openstacksdk would read, or None."""
    return _first_file("clouds", "OS_CLIENT_CONFIG_FILE")


def _load(path: Path) -> dict[str, Any] | None:
    try:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception as error:  # noqa: BLE001 - openstacksdk will report the file itself
        log.info("cannot read %s without openstacksdk: %s", path, error.__class__.__name__)
        return None
    clouds = data.get("clouds") if isinstance(data, dict) else None
    return clouds if isinstance(clouds, dict) else None


def plain_cloud_names() -> list[str] | None:
    """The clouds of a plain clouds.yaml, read without openstacksdk (0.3 s to import), or
    None when only openstacksdk can tell: no such file, one it cannot parse, a secure.yaml
    beside it, or ``OS_*`` variables (its ``envvars`` cloud)."""
    path = clouds_file()
    if path is None or _first_file("secure", "OS_CLIENT_SECURE_FILE") is not None:
        return None
    if any(name.startswith("OS_") and name not in _SELECTORS for name in os.environ):
        return None
    clouds = _load(path)
    return [str(name) for name in clouds] if clouds is not None else None


def _secretless(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _secretless(v) for k, v in value.items()
                if not any(word in str(k).lower() for word in _SECRET_WORDS)}
    if isinstance(value, list):
        return [_secretless(v) for v in value]
    return value


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first_region(value: object) -> str:
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    return _text(value).split(",")[0].strip()


def _environment() -> dict[str, str]:
    return {name: value for name, value in sorted(os.environ.items())
            if name.startswith("OS_") and name not in _SELECTORS
            and not any(word in name.lower() for word in _SECRET_WORDS)}


def guess_scope(cloud: str, project: str | None = None,
                region: str | None = None) -> CacheScope | None:
    """The scope of ``cloud`` (with ``project`` / ``region`` replacing its own, as the
    connection does), or None when clouds.yaml does not describe it (the ``envvars`` cloud,
    no file, a file that cannot be read). Never raises."""
    path = clouds_file()
    clouds = _load(path) if path is not None else None
    if path is None or clouds is None:
        return None
    entry = clouds.get(cloud)
    if not isinstance(entry, dict):
        return None
    auth: dict[str, Any] = entry["auth"] if isinstance(entry.get("auth"), dict) else {}
    project_domain = (_text(auth.get("project_domain_id"))
                      or _text(auth.get("project_domain_name"))
                      or _text(auth.get("domain_id")) or _text(auth.get("domain_name")))
    own_project = _text(auth.get("project_id")) or _text(auth.get("project_name"))
    chosen = project or own_project
    user = (_text(auth.get("user_id")) or _text(auth.get("username"))
            or _text(auth.get("application_credential_id"))
            or _text(auth.get("application_credential_name")))
    user_domain = _text(auth.get("user_domain_id")) or _text(auth.get("user_domain_name"))
    fingerprint = hashlib.sha256(json.dumps(
        {"file": str(path.resolve()), "entry": _secretless(entry), "env": _environment()},
        sort_keys=True, default=str).encode()).hexdigest()
    return CacheScope(cloud=cloud, auth_url=_text(auth.get("auth_url")),
                      project=f"{chosen}@{project_domain}" if chosen else "",
                      region=region or _first_region(entry.get("region_name")),
                      user=f"{user}@{user_domain}" if user else "", config=fingerprint)
