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

PyYAML takes 12 ms to import, before the first frame: what a start needs of clouds.yaml (each
cloud's entry without its secrets) is kept in a digest in the user cache dir, used while the
file is the one digested (same path, size, times and inode). A file changed less than
:data:`RACY_SECONDS` before it was digested may change again within the file system's clock
tick: its digest is not trusted, as git does with racily clean files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import platformdirs

from tuicloud.config.paths import cache_dir
from tuicloud.config.state import UntrustedFile, atomic_write, read_private_json

__all__ = ["CacheScope", "clouds_file", "guess_scope", "plain_cloud_names"]

log = logging.getLogger("tuicloud.cache")

_SUFFIXES = (".yaml", ".yml", ".json")
# Key names whose values are secrets (or lead to one): left out of the fingerprint.
_SECRET_WORDS = ("password", "secret", "token", "passcode", "totp", "key")
# OS_* variables that only select a file or a cloud: already part of the scope.
_SELECTORS = {"OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE", "OS_CLOUD"}
RACY_SECONDS = 2.0
"""A clouds.yaml changed less than this before it was digested is read again (see above)."""
_DIGEST_VERSION = 1
_MAX_DIGEST_BYTES = 1 << 20


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


def digest_path() -> Path:
    """Where what a start needs of clouds.yaml is kept (see the module docstring)."""
    return cache_dir() / "clouds-digest.json"


def _identity(path: Path) -> dict[str, object] | None:
    """What tells this clouds.yaml from an edited one, or None when it cannot be told."""
    try:
        resolved = path.resolve()
        info = resolved.stat()
    except OSError:
        return None
    return {"file": str(resolved), "size": info.st_size, "mtime_ns": info.st_mtime_ns,
            "ctime_ns": info.st_ctime_ns, "inode": info.st_ino, "device": info.st_dev}


def _digested(identity: dict[str, object]) -> dict[str, Any] | None:
    """The digest's clouds when it was made from this very file (and not racily), else None."""
    try:
        data = read_private_json(digest_path(), _MAX_DIGEST_BYTES)
    except FileNotFoundError:
        return None
    except UntrustedFile as why:
        log.info("ignoring %s: %s", digest_path(), why)
        return None
    if (not isinstance(data, dict) or data.get("version") != _DIGEST_VERSION
            or data.get("identity") != identity or not isinstance(data.get("clouds"), dict)):
        return None
    digested_at, changed = data.get("digested_at"), identity["mtime_ns"]
    if (not isinstance(digested_at, int | float) or not isinstance(changed, int)
            or changed / 1e9 > digested_at - RACY_SECONDS):
        return None
    clouds: dict[str, Any] = data["clouds"]
    return clouds


def _digest(identity: dict[str, object], clouds: dict[str, Any]) -> None:
    """Keep the clouds' entries without their secrets for the next start, when JSON holds
    them exactly (YAML may have dates, or keys that are not text: then the file is read)."""
    kept = {name: _secretless(entry) for name, entry in clouds.items()}
    try:
        text = json.dumps({"version": _DIGEST_VERSION, "identity": identity,
                           "digested_at": time.time(), "clouds": kept})
        if json.loads(text)["clouds"] != kept or len(text) > _MAX_DIGEST_BYTES:
            return
        atomic_write(digest_path(), text)
    except (OSError, TypeError, ValueError) as error:
        log.info("cannot keep the digest of %s: %s", identity["file"], error)


def _load(path: Path, digest: bool) -> dict[str, Any] | None:
    """The clouds of ``path`` (their entries without secrets when they come from the digest:
    all that guess_scope and plain_cloud_names read), or None when it cannot be read.
    ``digest`` False (the settings' ``cache = false``) neither reads nor writes the digest."""
    identity = _identity(path) if digest else None
    if identity is not None:
        digested = _digested(identity)
        if digested is not None:
            return digested
    try:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception as error:  # noqa: BLE001 - openstacksdk will report the file itself
        log.info("cannot read %s without openstacksdk: %s", path, error.__class__.__name__)
        return None
    clouds = data.get("clouds") if isinstance(data, dict) else None
    if not isinstance(clouds, dict):
        return None
    if identity is not None and identity == _identity(path):  # not changed while read
        _digest(identity, clouds)
    return clouds


def plain_cloud_names(*, digest: bool = True) -> list[str] | None:
    """The clouds of a plain clouds.yaml, read without openstacksdk (0.3 s to import), or
    None when only openstacksdk can tell: no such file, one it cannot parse, a secure.yaml
    beside it, or ``OS_*`` variables (its ``envvars`` cloud)."""
    path = clouds_file()
    if path is None or _first_file("secure", "OS_CLIENT_SECURE_FILE") is not None:
        return None
    if any(name.startswith("OS_") and name not in _SELECTORS for name in os.environ):
        return None
    clouds = _load(path, digest)
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


def guess_scope(cloud: str, project: str | None = None, region: str | None = None, *,
                digest: bool = True) -> CacheScope | None:
    """The scope of ``cloud`` (with ``project`` / ``region`` replacing its own, as the
    connection does), or None when clouds.yaml does not describe it (the ``envvars`` cloud,
    no file, a file that cannot be read). Never raises."""
    path = clouds_file()
    clouds = _load(path, digest) if path is not None else None
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
