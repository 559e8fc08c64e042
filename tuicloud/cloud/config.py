"""Finding and loading cloud configuration exactly the way the ``openstack`` CLI does.

openstacksdk's :class:`~openstack.config.loader.OpenStackConfig` does the real work: it reads the
first ``clouds.yaml`` found (``OS_CLIENT_CONFIG_FILE`` first, then the current directory,
``~/.config/openstack`` and ``/etc/openstack``), merges ``secure.yaml``, and adds an ``envvars``
cloud built from ``OS_*`` variables. This module only adds clear, one-line :class:`ConfigError`
messages where openstacksdk would log a warning and carry on (a malformed YAML file) or raise
something terse ("Cloud x was not found.").

tuicloud's own per-cloud options live under a ``tuicloud`` key of the cloud's entry, so they can
never collide with an openstacksdk option::

    clouds:
      production:
        auth: {...}
        tuicloud:
          read_only: true     # refuse every mutating call for this cloud
          protected: true     # destructive actions need the resource's name typed
          accent: "#d08770"   # colour of the header and frame for this cloud
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from typing import Any

import yaml
from openstack.config import loader
from openstack.config.cloud_region import CloudRegion

from tuicloud.cloud.errors import CloudError, ConfigError, cloud_error_from

__all__ = [
    "CloudOptions",
    "cloud_names",
    "cloud_options",
    "config_file_candidates",
    "describe_config_locations",
    "load_cloud_region",
]

APP_NAME = "tuicloud"

# openstacksdk 4.x warns about InfluxDB on every CloudRegion, configured or not; a warning
# printed to stderr would scribble over the TUI.
warnings.filterwarnings("ignore", message="Support for InfluxDB", module="openstack")
_PASSWORD_AUTH_TYPES = {None, "", "password", "v3password", "v2password"}


@dataclass(frozen=True)
class CloudOptions:
    """tuicloud's own settings for one cloud (the ``tuicloud:`` mapping of its entry)."""

    read_only: bool = False
    ssh_user: str | None = None  # overrides the user guessed from the image
    protected: bool = False  # destructive actions require typing the resource's name
    accent: str | None = None  # a colour for the header and frame ("#d08770", "red")
    problems: tuple[str, ...] = ()  # bad values, to report (a bad read_only/protected is on)


def _home_short(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if home != "/" and path.startswith(home + os.sep) else path


def config_file_candidates() -> list[str]:
    """Every path openstacksdk looks at for clouds.yaml, in the order it tries them."""
    files = list(loader.CONFIG_FILES)
    override = os.environ.get("OS_CLIENT_CONFIG_FILE")
    if override:
        files.insert(0, override)
    return files


def _secure_file_candidates() -> list[str]:
    files = list(loader.SECURE_FILES)
    override = os.environ.get("OS_CLIENT_SECURE_FILE")
    if override:
        files.insert(0, override)
    return files


def _first_existing(paths: list[str]) -> str | None:
    for path in paths:
        if os.path.exists(path):
            return path
    return None


def _check_parsable(path: str) -> None:
    """Raise ConfigError naming the file (and line) when it is not valid YAML/JSON.

    openstacksdk only logs "Skipping config file" and silently uses the next file, which leaves
    a user wondering why their cloud is unknown.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            if path.endswith("json"):
                data: Any = json.load(handle)
            else:
                data = yaml.safe_load(handle)
    except PermissionError:
        return  # openstacksdk skips unreadable files too
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{path}:{where}: invalid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON: "
                          f"{exc.msg}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'clouds' key at the top")
    if isinstance(data, dict) and not isinstance(data.get("clouds", {}), dict):
        raise ConfigError(f"{path}: 'clouds' must be a mapping of cloud names to settings")


def _open_config() -> loader.OpenStackConfig:
    for candidates in (config_file_candidates(), _secure_file_candidates()):
        found = _first_existing(candidates)
        if found is not None:
            _check_parsable(found)
    try:
        return loader.OpenStackConfig(app_name=APP_NAME)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one ConfigError
        error = cloud_error_from(exc)
        raise ConfigError(error.message) from exc


def _searched(config: loader.OpenStackConfig) -> str:
    if config.config_filename:
        return config.config_filename
    dirs = []
    for path in config_file_candidates():
        folder = _home_short(os.path.dirname(path) or ".")
        if folder not in dirs:
            dirs.append(folder)
    return "no clouds.yaml in " + ", ".join(dirs)


def _names(config: loader.OpenStackConfig) -> list[str]:
    names = list(config.get_cloud_names())
    # With no file and no OS_* variables, openstacksdk invents a cloud called "defaults".
    if names == ["defaults"] and config.default_cloud == "defaults" \
            and not config.config_filename:
        return []
    return names


def cloud_names() -> list[str]:
    """Names of the configured clouds (clouds.yaml + secure.yaml, plus "envvars" for OS_*)."""
    return _names(_open_config())


def describe_config_locations() -> list[str]:
    """Where configuration comes from, one line each, for help screens and error dialogs."""
    lines: list[str] = []
    used = _first_existing(config_file_candidates())
    override = os.environ.get("OS_CLIENT_CONFIG_FILE")
    if override:
        state = "in use" if used == override else "missing"
        lines.append(f"OS_CLIENT_CONFIG_FILE={override} ({state})")
    seen: set[str] = set()
    for path in loader.CONFIG_FILES:
        shown = path.endswith("clouds.yaml") or os.path.exists(path)
        folder = os.path.dirname(path)
        if not shown or (path != used and folder in seen and not os.path.exists(path)):
            continue
        seen.add(folder)
        state = " (in use)" if path == used else (" (exists)" if os.path.exists(path) else "")
        lines.append(_home_short(path) + state)
    secure = _first_existing(_secure_file_candidates())
    if secure:
        lines.append(f"{_home_short(secure)} (secrets merged)")
    if os.environ.get("OS_CLOUD"):
        lines.append(f"OS_CLOUD={os.environ['OS_CLOUD']}")
    if any(key.startswith("OS_AUTH_URL") or key == "OS_USERNAME" for key in os.environ):
        lines.append("OS_* variables (cloud 'envvars')")
    return lines


def _check_credentials(region: CloudRegion) -> None:
    config = region.config
    auth = config.get("auth") or {}
    if config.get("auth_type") in _PASSWORD_AUTH_TYPES and auth.get("auth_url") \
            and auth.get("username") and not auth.get("password"):
        name = region.name or "envvars"
        raise ConfigError(f"cloud '{name}' has no password (set it in clouds.yaml or "
                          "secure.yaml, or export OS_PASSWORD)")


def load_cloud_region(cloud: str | None, region: str | None = None,
                      project: str | None = None, *,
                      catalog_region: bool = False) -> CloudRegion:
    """Load one cloud's configuration as the ``openstack`` CLI would.

    ``project`` (a project name) replaces the cloud's own project scope, as
    ``--os-project-name`` does; the project's domain stays the cloud's. ``catalog_region``
    accepts a region that clouds.yaml does not list (one picked from the token's catalog, which
    the session checks once connected); openstacksdk would refuse it.

    ``cloud`` None means: ``OS_CLOUD`` if set, else the ``envvars`` cloud when ``OS_*``
    variables are set, else the only cloud in clouds.yaml. Raises :class:`ConfigError` for an
    unknown cloud (listing the known ones), malformed YAML (naming the file and line), an
    ambiguous choice, a missing auth_url or password, or an unknown region.
    """
    config = _open_config()
    names = _names(config)
    if cloud is not None and cloud not in config.get_cloud_names():
        known = ", ".join(names) if names else "none"
        raise ConfigError(f"cloud '{cloud}' not found in clouds.yaml (known: {known}); "
                          f"searched: {_searched(config)}")
    if cloud is None and config.default_cloud is None:
        raise ConfigError("no cloud chosen: set OS_CLOUD or pass --os-cloud "
                          f"(known: {', '.join(names)})")
    if cloud is None and not names:
        raise ConfigError("no cloud configured: no clouds.yaml and no OS_* variables "
                          f"({_searched(config)})")
    try:
        overrides: dict[str, Any] = {}
        if project:
            # Empty, not None (the loader would make that the string "None"): a project_id
            # from clouds.yaml would otherwise win over the name.
            overrides["auth"] = {"project_name": project, "project_id": ""}
        try:
            loaded = config.get_one(cloud=cloud, region_name=region or None, **overrides)
        except Exception as exc:
            if not (catalog_region and region and "not a valid region" in str(exc)):
                raise
            loaded = config.get_one(cloud=cloud, **overrides)
            loaded.config["region_name"] = region
    except CloudError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes one ConfigError
        error = cloud_error_from(exc)
        chosen = cloud or config.default_cloud or "default"
        raise ConfigError(f"cloud '{chosen}': {error.message}") from exc
    _check_credentials(loaded)
    return loaded


def cloud_options(region: CloudRegion) -> CloudOptions:
    """tuicloud's options for a loaded cloud (see the module docstring)."""
    raw = region.config.get("tuicloud")
    if not isinstance(raw, dict):
        return CloudOptions()
    ssh_user = raw.get("ssh_user")
    accent = raw.get("accent")
    problems: list[str] = []
    flags: dict[str, bool] = {}
    for key, names in (("read_only", ("read_only", "read-only")), ("protected", ("protected",))):
        flags[key] = False
        for name in names:
            if name in raw:
                value, ok = _flag(raw[name])
                flags[key] = flags[key] or value
                if not ok:
                    problems.append(f"clouds.yaml: cloud '{region.name}': tuicloud.{name}: "
                                    f"{raw[name]!r} is not true or false; counted as true")
    return CloudOptions(read_only=flags["read_only"],
                        ssh_user=str(ssh_user) if isinstance(ssh_user, str) and ssh_user else None,
                        protected=flags["protected"],
                        accent=accent.strip() if isinstance(accent, str) and accent.strip()
                        else None, problems=tuple(problems))


def _flag(value: object) -> tuple[bool, bool]:
    """(value, valid) of a YAML boolean, also accepting the strings people write ("yes", "on",
    "1"). Anything else is invalid and counts as true: these are safety settings (fail closed).
    """
    if isinstance(value, bool):
        return value, True
    if isinstance(value, int) and value in (0, 1):
        return bool(value), True
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("1", "true", "yes", "on"):
            return True, True
        if word in ("0", "false", "no", "off"):
            return False, True
    return True, False
