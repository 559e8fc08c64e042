"""Nova's request-schema checks on metadata and descriptions, refused in Nova's own words.

Real Nova validates every request body with JSON schemas before it looks at anything else: a
metadata key must match ``^[a-zA-Z0-9-_:. ]{1,255}$`` and a value be a string of at most 255
characters; a description (2.19+) at most 255 printable characters, so no control characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from tuicloud.simcloud.core import ApiError

METADATA_KEY = "^[a-zA-Z0-9-_:. ]{1,255}$"
_KEY = re.compile(METADATA_KEY)


def _printable(char: str) -> bool:
    """Nova's notion: not "other" (controls, format, surrogates...) nor a non-space separator."""
    category = unicodedata.category(char)
    return not category.startswith("C") and (not category.startswith("Z") or category == "Zs")


@functools.cache
def description_pattern() -> str:
    """Nova's description regex: ``^[...]*$`` over the printable BMP characters, built the way
    nova.api.validation.parameter_types builds it, so refusals quote the same pattern."""
    ranges = ""
    in_range = False
    last = last_added = ""
    for code in range(0xFFFF):
        char = chr(code)
        if _printable(char):
            if not in_range:
                ranges += re.escape(char)
                last_added = char
            in_range = True
        else:
            if in_range and last != last_added:
                ranges += "-" + re.escape(last)
            in_range = False
        last = char
    if in_range and last != last_added:
        ranges += "-" + re.escape(last)
    return f"^[{ranges}]*$"


def _refuse(field: str, value: Any, why: str) -> ApiError:
    return ApiError(400, f"Invalid input for field/attribute {field}. Value: {value}. {why}")


def check_metadata_schema(metadata: Any, field: str = "metadata") -> None:
    """400 unless ``metadata`` is an object of valid keys and string values (``field`` is
    "meta" for the one-item calls)."""
    if not isinstance(metadata, dict):
        raise _refuse(field, metadata, f"{metadata!r} is not of type 'object'")
    for key, value in metadata.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise _refuse(field, metadata,
                          f"{key!r} does not match any of the regexes: {METADATA_KEY!r}")
        if not isinstance(value, str):
            raise _refuse(key, value, f"{value!r} is not of type 'string'")
        if len(value) > 255:
            raise _refuse(key, value, f"{value!r} is too long")


def check_description(description: Any) -> None:
    """400 unless ``description`` is None or at most 255 printable characters."""
    if description is None:
        return
    if not isinstance(description, str):
        raise _refuse("description", description,
                      f"{description!r} is not of type 'string', 'null'")
    if len(description) > 255:
        raise _refuse("description", description, f"{description!r} is too long")
    # re.search as jsonschema does: only BMP characters match, and "$" lets a final "\n" by.
    if not re.search(description_pattern(), description):
        raise _refuse("description", description,
                      f"{description!r} does not match {description_pattern()!r}")
