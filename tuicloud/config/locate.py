"""Find the line of a key in TOML text: tomllib gives values, not positions, and a message
about a bad value must name its line.

A line scanner, not a parser: it follows ``[table]`` / ``[[array]]`` headers and ``a.b = …``
keys (bare or quoted), which is what hand-written settings files use. A key it cannot place
falls back to the line of its table's header, or None.
"""

from __future__ import annotations

import re

__all__ = ["find_line", "split_key"]

_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(r"^\s*(?P<key>(?:[A-Za-z0-9_-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*')"
                     r"(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*'))*)\s*=")
_PART = re.compile(r"[A-Za-z0-9_-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*'")


def split_key(dotted: str) -> tuple[str, ...]:
    """``clouds."my cloud".accent`` -> ("clouds", "my cloud", "accent")."""
    parts: list[str] = []
    for match in _PART.finditer(dotted):
        part = match.group(0)
        if part[0] in "\"'":
            part = part[1:-1]
            if match.group(0)[0] == '"':
                part = part.replace('\\"', '"').replace("\\\\", "\\")
        parts.append(part)
    return tuple(parts)


def find_line(text: str, path: tuple[str, ...]) -> int | None:
    """The 1-based line where the key ``path`` (e.g. ("refresh", "servers")) is set."""
    table: tuple[str, ...] = ()
    fallback: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("#"):
            table = split_key(header.group("name"))
            if table == path:
                return number
            if fallback is None and table and path[:len(table)] == table:
                fallback = number
            continue
        assign = _ASSIGN.match(line)
        if assign:
            full = table + split_key(assign.group("key"))
            if full == path:
                return number
            if full and path[:len(full)] == full and fallback is None:
                fallback = number  # an inline table: `refresh = { servers = 0 }`
    return fallback
