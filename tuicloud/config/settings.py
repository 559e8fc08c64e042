"""The settings file: ``settings.toml`` in the user config dir, read once at start.

Every key is optional. A bad value is reported (file, line, key, what is wrong) and only that
key falls back to its default; a TOML syntax error is reported with its line and then every
key has its default. The safety settings ``read_only`` and ``protected`` fail closed instead: a
bad value counts as true, and a file that cannot be parsed but sets one of them makes it true
for every cloud (until the file is fixed). Nothing here imports Textual widgets or the cloud
layer.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tuicloud.config.locate import find_line
from tuicloud.config.paths import config_dir

__all__ = [
    "DEFAULT_CONSOLE_LOG_LINES",
    "DEFAULT_DRAIN_CONCURRENCY",
    "DEFAULT_REFRESH",
    "DEFAULT_VIEW",
    "EXTRA_VIEWS",
    "CloudSettings",
    "Problem",
    "Settings",
    "load_settings",
    "settings_path",
]

SETTINGS_NAME = "settings.toml"
DEFAULT_REFRESH = 5.0
DEFAULT_VIEW = "overview"
DEFAULT_CONSOLE_LOG_LINES = 100_000
DEFAULT_DRAIN_CONCURRENCY = 2
MAX_DRAIN_CONCURRENCY = 16
DEFAULT_LARGE_OBJECT_THRESHOLD = 1 << 30
"""Files above this many bytes are uploaded as Swift static large objects, in segments of
this size (1 GiB; Swift refuses single objects above 5 GiB)."""
_SIZE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "kb": 1000, "m": 1 << 20,
               "mib": 1 << 20, "mb": 1000**2, "g": 1 << 30, "gib": 1 << 30, "gb": 1000**3}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*")
EXTRA_VIEWS = ("overview", "all")
"""Views that are not resource kinds: the overview, and the servers of all clouds."""
_SSH_USER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
_KEY_NAME = re.compile(r"[A-Za-z0-9_+\-]+")
_BINDING_ID = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+")
SAFETY_KEYS = ("read_only", "protected")
# "read-only" as clouds.yaml also accepts it: a safety key must never be "unknown" and ignored.
_SAFETY_ALIASES = {"read-only": "read_only", "read_only": "read_only", "protected": "protected"}
# An uncommented line that sets a safety key to anything but false (used when TOML fails).
# An uncommented `cache = …` line not set to true (used when TOML fails: the cache goes off).
_CACHE_LINE = re.compile(r'^[ \t]*"?cache"?[ \t]*=(?![ \t]*true[ \t]*(?:#|$))', re.MULTILINE)
_SAFETY_LINE = re.compile(r'^[^#\n]*\b(read[_-]only|protected)"?[ \t]*='
                          r'(?![ \t]*false[ \t]*(?:#|$))', re.MULTILINE)


def settings_path() -> Path:
    """Where the settings file lives (e.g. ~/.config/tuicloud/settings.toml)."""
    return config_dir() / SETTINGS_NAME


def display_path(path: Path) -> str:
    """The path with the home directory shortened to ~."""
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home):] if home != "/" and text.startswith(home + "/") else text


@dataclass(frozen=True)
class Problem:
    """Something wrong in the settings file: where, which key, and what."""

    path: Path
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = display_path(self.path) + (f" line {self.line}" if self.line else "")
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass(frozen=True)
class CloudSettings:
    """A ``[clouds.NAME]`` section (merged with clouds.yaml's ``tuicloud:`` options)."""

    accent: str | None = None
    read_only: bool = False
    protected: bool = False
    ssh_user: str | None = None


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Settings:
    """Everything the settings file can say; defaults for what it does not.

    Read it from ``app.settings`` (the app loads it once at start). Use the methods, which
    apply the defaults: :meth:`refresh_for`, :meth:`columns_for`, :meth:`cloud`,
    :meth:`ssh_user_for_image`. ``problems`` lists what was wrong in the file (already shown
    to the user once).
    """

    path: Path | None = None
    read_only: bool = False  # for every cloud (top-level key, or a file that failed to parse)
    protected: bool = False
    default_view: str = DEFAULT_VIEW
    default_view_set: bool = False  # the file names it: it wins over the last session's view
    theme: str | None = None
    console_log_lines: int = DEFAULT_CONSOLE_LOG_LINES
    cache: bool = True  # the view cache (config/view_cache.py); a bad value turns it off
    drain_concurrency: int = DEFAULT_DRAIN_CONCURRENCY  # live migrations at once in a drain
    large_object_threshold: int = DEFAULT_LARGE_OBJECT_THRESHOLD
    refresh: Mapping[str, float] = field(default_factory=lambda: _frozen({}))
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _frozen({}))
    keys: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    ssh_users: tuple[tuple[str, str], ...] = ()
    clouds: Mapping[str, CloudSettings] = field(default_factory=lambda: _frozen({}))
    problems: tuple[Problem, ...] = ()

    def refresh_for(self, view: str) -> float:
        """Seconds between polls of ``view`` (a kind name, "overview" or "all")."""
        return self.refresh.get(view, self.refresh.get("default", DEFAULT_REFRESH))

    def columns_for(self, view: str) -> tuple[str, ...] | None:
        """Column keys to show for ``view``, in order; None means the kind's own columns."""
        return self.columns.get(view)

    def cloud(self, name: str) -> CloudSettings:
        """The ``[clouds.NAME]`` section, or all defaults; the top-level read_only and
        protected turn these on for every cloud."""
        section = self.clouds.get(name, CloudSettings())
        return replace(section, read_only=section.read_only or self.read_only,
                       protected=section.protected or self.protected)

    def ssh_user_for_image(self, image_name: str) -> str | None:
        """The user of the first ``[ssh_users]`` pattern matching the image name, or None."""
        lowered = image_name.lower()
        for pattern, user in self.ssh_users:
            if fnmatch.fnmatchcase(lowered, pattern.lower()):
                return user
        return None


# -- validation ------------------------------------------------------------------------------
class _Invalid(ValueError):
    """A bad value: the message says what a good one is."""


def _known_views() -> dict[str, str]:
    """Every view name and alias -> the canonical view name."""
    from tuicloud.cloud.kinds.registry import all_kinds

    views = {name: name for name in EXTRA_VIEWS}
    for kind in all_kinds():
        views[kind.name] = kind.name
        for alias in kind.aliases:
            views.setdefault(alias, kind.name)
    return views


def _view(value: object) -> str:
    views = _known_views()
    if not isinstance(value, str) or value.strip().lower() not in views:
        known = ", ".join(sorted(set(views.values())))
        raise _Invalid(f"must be one of {known}")
    return views[value.strip().lower()]


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 3600:
        raise _Invalid("must be a number of seconds ≥ 1 (and ≤ 3600)")
    return float(value)


def _theme(value: object) -> str:
    from textual.theme import BUILTIN_THEMES

    if not isinstance(value, str) or value not in BUILTIN_THEMES:
        raise _Invalid("must be a Textual theme: " + ", ".join(sorted(BUILTIN_THEMES)))
    return value


def _lines(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 10_000_000:
        raise _Invalid("must be a whole number of lines between 100 and 10000000")
    return value


def _concurrency(reader: _Reader, key: tuple[str, ...], raw: object) -> int:
    """How many live migrations a drain runs at once; a bad value fails closed to 1 (one
    migration at a time is slow, never a host's network saturated by a typo)."""
    if (not isinstance(raw, bool) and isinstance(raw, int)
            and 1 <= raw <= MAX_DRAIN_CONCURRENCY):
        return raw
    reader.problem(key, f"must be a whole number from 1 to {MAX_DRAIN_CONCURRENCY}; drains "
                        "migrate one server at a time until fixed")
    return 1
def _object_size(value: object) -> int:
    """Bytes, as a number or with a unit ("1GiB", "500 MB"), between 1 MiB and 5 GiB."""
    number: float | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and (match := _SIZE.fullmatch(value.lower())) \
            and match.group(2) in _SIZE_UNITS:
        number = float(match.group(1)) * _SIZE_UNITS[match.group(2)]
    if number is None or not (1 << 20) <= number <= 5 * (1 << 30):
        raise _Invalid('must be a size between 1 MiB and 5 GiB, e.g. "1GiB" or "200MiB"; '
                       "the default (1 GiB) is used until fixed")
    return int(number)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("must be true or false")
    return value


def _safety(reader: _Reader, key: tuple[str, ...], raw: object) -> bool:
    """A read_only / protected value; a bad one is reported and counts as true (fail closed:
    a typo must not leave a production cloud writable)."""
    if isinstance(raw, bool):
        return raw
    reader.problem(key, "must be true or false; counted as true until fixed")
    return True


def _cache(reader: _Reader, raw: object) -> bool:
    """The ``cache`` value; a bad one is reported and turns the cache off (fail closed: who
    wrote something there most likely meant to keep rows off the disk)."""
    if isinstance(raw, bool):
        return raw
    reader.problem(("cache",), "must be true or false; the view cache is off until fixed")
    return False


def _colour(value: object) -> str:
    from textual.color import Color, ColorParseError

    if not isinstance(value, str) or not value.strip():
        raise _Invalid('must be a colour such as "#d08770" or "red"')
    try:
        Color.parse(value.strip())
    except ColorParseError:
        raise _Invalid(f'"{value}" is not a colour (try "#d08770" or "red")') from None
    return value.strip()


def _user(value: object) -> str:
    if not isinstance(value, str) or not _SSH_USER.fullmatch(value):
        raise _Invalid("must be a user name (letters, digits, _ . -; at most 32)")
    return value


def _keys(value: object) -> str:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise _Invalid('must be a key or a list of keys, e.g. "f" or ["f", "ctrl+f"]')
    keys = [k.strip() for item in items for k in str(item).split(",") if k.strip()]
    if not keys or not all(_KEY_NAME.fullmatch(k) for k in keys):
        raise _Invalid('must name keys the way Textual does ("f", "ctrl+f", "slash")')
    return ",".join(keys)


class _Reader:
    """Walks the parsed TOML, keeping good values and noting bad ones with their line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []

    def problem(self, key: tuple[str, ...], message: str) -> None:
        self.problems.append(Problem(self.path, find_line(self.text, key),
                                     ".".join(key), message))

    def value(self, key: tuple[str, ...], raw: object, check: Callable[[object], Any]) -> Any:
        """``check(raw)``, or None (and a problem noted) when the value is bad."""
        try:
            return check(raw)
        except _Invalid as error:
            self.problem(key, str(error))
            return None

    def table(self, key: tuple[str, ...], raw: object) -> dict[str, Any]:
        if isinstance(raw, dict):
            return raw
        self.problem(key, "must be a table")
        return {}


def _columns(reader: _Reader, raw: object) -> dict[str, tuple[str, ...]]:
    from tuicloud.cloud.kinds.registry import kind_for

    found: dict[str, tuple[str, ...]] = {}
    for view, keys in reader.table(("columns",), raw).items():
        where = ("columns", view)
        try:
            kind = kind_for(view)
        except KeyError:
            reader.problem(where, "not a resource view")
            continue
        known = [c.key for c in kind.columns]
        if kind.all_projects_column is not None:
            known.append(kind.all_projects_column.key)
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            reader.problem(where, "must be a list of column keys: " + ", ".join(known))
            continue
        unknown = [k for k in keys if k not in known]
        if unknown:
            reader.problem(where, f"unknown column {unknown[0]!r} (known: {', '.join(known)})")
            continue
        found[kind.name] = tuple(dict.fromkeys(keys))
    return found


def _clouds(reader: _Reader, raw: object) -> dict[str, CloudSettings]:
    checks: dict[str, Callable[[object], Any]] = {
        "accent": _colour, "read_only": _bool, "protected": _bool, "ssh_user": _user}
    found: dict[str, CloudSettings] = {}
    for name, section in reader.table(("clouds",), raw).items():
        values: dict[str, Any] = {}
        for key, value in reader.table(("clouds", name), section).items():
            where = ("clouds", name, key)
            if key in _SAFETY_ALIASES:
                safety = _SAFETY_ALIASES[key]
                values[safety] = values.get(safety, False) or _safety(reader, where, value)
                continue
            if key not in checks:
                reader.problem(where, "unknown setting (known: " + ", ".join(checks) + ")")
                continue
            checked = reader.value(where, value, checks[key])
            if checked is not None:
                values[key] = checked
        found[name] = CloudSettings(**values)
    return found


def _read(reader: _Reader, data: dict[str, Any]) -> Settings:
    values: dict[str, Any] = {}
    simple: dict[str, tuple[str, Callable[[object], Any]]] = {
        "default_view": ("default_view", _view), "theme": ("theme", _theme),
        "console_log_lines": ("console_log_lines", _lines),
        "large_object_threshold": ("large_object_threshold", _object_size)}
    for key, raw in data.items():
        if key in simple:
            attr, check = simple[key]
            checked = reader.value((key,), raw, check)
            if checked is not None:
                values[attr] = checked
                if key == "default_view":
                    values["default_view_set"] = True
        elif key == "drain_concurrency":
            values["drain_concurrency"] = _concurrency(reader, (key,), raw)
        elif key == "refresh":
            refresh: dict[str, float] = {}
            for view, seconds in reader.table(("refresh",), raw).items():
                name = "default" if view == "default" else reader.value(
                    ("refresh", view), view, _view)
                number = reader.value(("refresh", view), seconds, _seconds)
                if name is not None and number is not None:
                    refresh[name] = number
            values["refresh"] = _frozen(refresh)
        elif key == "columns":
            values["columns"] = _frozen(_columns(reader, raw))
        elif key == "keys":
            keys: dict[str, str] = {}
            for binding, keyspec in reader.table(("keys",), raw).items():
                if not _BINDING_ID.fullmatch(binding):
                    reader.problem(("keys", binding), 'not a binding id (e.g. "list.filter")')
                    continue
                checked = reader.value(("keys", binding), keyspec, _keys)
                if checked is not None:
                    keys[binding] = checked
            values["keys"] = _frozen(keys)
        elif key == "ssh_users":
            rules = []
            for pattern, user in reader.table(("ssh_users",), raw).items():
                checked = reader.value(("ssh_users", pattern), user, _user)
                if checked is not None and pattern.strip():
                    rules.append((pattern.strip(), checked))
            values["ssh_users"] = tuple(rules)
        elif key == "clouds":
            values["clouds"] = _frozen(_clouds(reader, raw))
        elif key in _SAFETY_ALIASES:
            safety = _SAFETY_ALIASES[key]
            values[safety] = values.get(safety, False) or _safety(reader, (key,), raw)
        elif key == "cache":
            values["cache"] = _cache(reader, raw)
        else:
            reader.problem((key,), "unknown setting (known: " + ", ".join(
                [*simple, *SAFETY_KEYS, "cache", "drain_concurrency", "refresh", "columns",
                 "keys", "ssh_users", "clouds"]) + ")")
    return Settings(path=reader.path, problems=tuple(reader.problems), **values)


_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (default: :func:`settings_path`); never raises.

    A missing file gives all defaults and no problem.
    """
    path = settings_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(path=path)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or ("not UTF-8 text"
                                                      if isinstance(error, UnicodeDecodeError)
                                                      else str(error))
        return Settings(path=path, problems=(
            Problem(path, None, "", f"cannot read the file ({reason}); using defaults"),))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _AT_LINE.search(message)
        line = int(match.group(1)) if match else None
        detail = _AT_LINE.sub("", message)
        problems = [Problem(path, line, "", f"invalid TOML: {detail}; every setting uses its "
                                            "default")]
        # Which cloud a read_only/protected line belonged to is unknown now: on for all.
        found = {_SAFETY_ALIASES[m.group(1).replace("-", "_")]
                 for m in _SAFETY_LINE.finditer(text)}
        for key in sorted(found):
            problems.append(Problem(path, None, key, "set in a file that cannot be read: on "
                                                     "for every cloud until the file is fixed"))
        cache = _CACHE_LINE.search(text) is None
        if not cache:
            problems.append(Problem(path, None, "cache", "set in a file that cannot be read: "
                                                         "the view cache is off until the file "
                                                         "is fixed"))
        return Settings(path=path, read_only="read_only" in found,
                        protected="protected" in found, cache=cache, problems=tuple(problems))
    return _read(_Reader(path, text), data)
