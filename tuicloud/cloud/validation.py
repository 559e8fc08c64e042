"""Nova's input rules, checked before sending so a form can say what is wrong inline.

Measured on a real Nova (2026.2, microversion 2.96): a server name or description must consist
of "printable" characters in Nova's sense (no control or format characters, no line or
paragraph separators, nothing beyond U+FFFF such as emoji), a name may not start or end with
whitespace, both hold at most 255 characters; a metadata key must match
``^[a-zA-Z0-9-_:. ]{1,255}$`` (``é``, ``/`` and ``@`` are refused) and a value holds at most
255 characters. Each check returns the reason as words for the user, or None.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "METADATA_KEY",
    "check_description",
    "check_metadata_key",
    "check_metadata_value",
    "check_server_name",
    "nova_printable",
]

MAX_LENGTH = 255
METADATA_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
"""Nova's pattern for metadata keys (``parameter_types.metadata``)."""
_BMP_END = 0xFFFF  # Nova builds its character ranges over U+0000..U+FFFE only


def nova_printable(char: str) -> bool:
    """True for a character Nova's name and description patterns accept: not in a Unicode
    "C" category (control, format, private use, unassigned), not a line or paragraph
    separator (plain spaces are fine), and within the Basic Multilingual Plane."""
    if ord(char) >= _BMP_END:
        return False
    category = unicodedata.category(char)
    return not category.startswith("C") and (not category.startswith("Z") or category == "Zs")


def _first_unprintable(text: str) -> str | None:
    for char in text:
        if not nova_printable(char):
            return char
    return None


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} {name}" if name else code


def check_server_name(text: str) -> str | None:
    """Why Nova would refuse ``text`` as a server name, or None."""
    if not text.strip():
        return "a name is required"
    if len(text) > MAX_LENGTH:
        return f"at most {MAX_LENGTH} characters"
    bad = _first_unprintable(text)
    if bad is not None:
        return f"Nova accepts only printable characters (not {_describe(bad)})"
    if text != text.strip():
        return "must not start or end with a space"
    return None


def check_description(text: str) -> str | None:
    """Why Nova would refuse ``text`` as a description (empty is fine), or None."""
    if len(text) > MAX_LENGTH:
        return f"at most {MAX_LENGTH} characters"
    bad = _first_unprintable(text)
    if bad is not None:
        return f"no control characters or line breaks (not {_describe(bad)})"
    return None


def check_metadata_key(key: str) -> str | None:
    """Why Nova would refuse ``key`` as a metadata key, or None."""
    if METADATA_KEY.fullmatch(key):
        return None
    if not key:
        return "a metadata key is required"
    if len(key) > MAX_LENGTH:
        return f"metadata key '{key[:40]}…' is longer than {MAX_LENGTH} characters"
    shown = "".join(c if nova_printable(c) else "?" for c in key[:40])
    return (f"metadata key '{shown}': only letters a-z A-Z, digits, space and - _ : . "
            "are allowed")


def check_metadata_value(key: str, value: str) -> str | None:
    """Why Nova would refuse ``value`` for ``key``, or None."""
    if len(value) > MAX_LENGTH:
        return f"metadata '{key[:40]}': a value holds at most {MAX_LENGTH} characters"
    return None
