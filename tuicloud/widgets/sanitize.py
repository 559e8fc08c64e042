"""Make untrusted text (anything that came from the cloud) safe to put on a terminal.

Names, metadata, fault messages and console output are *data*. They may contain Rich markup,
terminal escape sequences (CSI colour codes, OSC 52 clipboard writes, OSC 0 window titles,
DCS/APC strings), bare control characters or bidirectional overrides. This module turns
such text into something inert:

* complete escape sequences are shown as visible symbols (``ESC ] 0 ; x BEL`` reads
  ``␛]0;x␇``: the text an attacker hid is seen, not silently dropped); console output asks
  for ``strip_escapes`` instead, since colour codes there are routine and only noise. The
  sequences recognised (and stripped on request) are CSI (``ESC [`` or 8-bit ``U+009B``), OSC
  (``ESC ]`` / ``U+009D``, terminated by BEL or ST), DCS / SOS / PM / APC strings
  (``ESC P``, ``ESC X``, ``ESC ^``, ``ESC _`` and their 8-bit forms, terminated by ST) and
  other two-character ``ESC`` sequences (``ESC c``, ``ESC 7``, ``ESC ( B`` ...);
* tab becomes one space (callers that want tab stops call ``str.expandtabs`` first);
* every remaining C0 control and DEL becomes its Unicode *Control Picture*
  (NUL -> ``␀``, ESC -> ``␛``, LF -> ``␊``, DEL -> ``␡``): one cell wide, visibly
  "something odd was here", and inert;
* every C1 control, bidirectional override/isolate/mark, and line/paragraph separator
  becomes U+FFFD ``�``;
* a zero-width joiner at either end is dropped: it joins nothing there, and Rich would
  count the character printed next to it (padding, a separator) as part of an emoji
  sequence, so a padded table cell would come out one cell short.

Rich markup needs no escaping here because :func:`safe_text` builds a
:class:`rich.text.Text` directly and never parses markup.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

__all__ = ["REPLACEMENT", "sanitize_text", "safe_text"]

REPLACEMENT = "\ufffd"
"""Placeholder for C1 controls and other invisible-but-dangerous characters."""

ELLIPSIS = "…"

_ST = r"(?:\x1b\\|\x9c)"
# Bodies exclude ESC / ST so a failed match stops at the next ESC: the scan stays linear
# even on input made of thousands of unterminated introducers.
_CSI = r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
_OSC = r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|" + _ST + ")"  # ended by BEL or ST
_STRING = r"(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*" + _ST  # DCS, SOS, PM, APC
_SHORT = r"\x1b[ -/]*[0-~]"  # two-character (nF / Fp / Fe / Fs) escapes
_ESCAPE_SEQUENCE = re.compile("|".join((_CSI, _OSC, _STRING, _SHORT)))

_8BIT_INTRODUCERS = re.compile("[\x90\x98\x9b\x9d\x9e\x9f]")
_DANGEROUS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)
_DANGEROUS_KEEP_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)


def _placeholder(char: str) -> str:
    code = ord(char)
    if code == 0x09:
        return " "
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return REPLACEMENT


_PLACEHOLDERS: dict[int, str] = {
    code: _placeholder(chr(code))
    for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)]
    + [0x061C, 0x200E, 0x200F, *range(0x2028, 0x202F), *range(0x2066, 0x206A)]
}
_PLACEHOLDERS_KEEP_NEWLINE = {k: v for k, v in _PLACEHOLDERS.items() if k != 0x0A}


_ZWJ = "\u200d"


def _truncate(text: str, max_len: int | None) -> str:
    if _ZWJ in text:
        text = text.strip(_ZWJ)
    if max_len is None or len(text) <= max_len:
        return text
    if max_len <= 0:
        return ""
    return text[: max_len - 1].rstrip(_ZWJ) + ELLIPSIS


_SURROGATE = re.compile("[\ud800-\udfff]")


def sanitize_text(
    s: str, *, max_len: int | None = None, keep_newlines: bool = False,
    strip_escapes: bool = False,
) -> str:
    """Return `s` with control characters made visible (escape sequences too, or removed).

    Args:
        s: Untrusted text.
        max_len: If given, the result has at most this many characters; a longer result is
            cut and ends with "…". Counted in characters, not cells (cells are the table's
            business); applied after sanitising.
        keep_newlines: Keep LF as a line break (for multi-line text such as console output);
            CR and every other control is still replaced.
        strip_escapes: Remove complete escape sequences instead of showing them (console
            output's colour codes).

    Returns:
        Text that contains no C0/C1 control characters (except LF when `keep_newlines`),
        no DEL, no escape sequences, no bidirectional overrides and no zero-width joiner
        at either end.
    """
    # Fast path: str.isprintable() is implemented in C and is False for every character
    # this function would touch (Cc, Cf, Zl, Zp), so clean text costs one scan.
    if s.isprintable():
        return _truncate(s, max_len)
    # Lone surrogates (JSON "\udc80" escapes of invalid UTF-8) cannot be encoded for output.
    s = _SURROGATE.sub("\ufffd", s)
    pattern = _DANGEROUS_KEEP_NEWLINE if keep_newlines else _DANGEROUS
    if pattern.search(s) is None:
        return _truncate(s, max_len)
    if strip_escapes and ("\x1b" in s or _8BIT_INTRODUCERS.search(s)):
        s = _ESCAPE_SEQUENCE.sub("", s)
    if keep_newlines:
        s = s.replace("\r\n", "\n")
        s = s.translate(_PLACEHOLDERS_KEEP_NEWLINE)
    else:
        s = s.translate(_PLACEHOLDERS)
    return _truncate(s, max_len)


def safe_text(
    value: object, style: str | Style = "", *, max_len: int | None = None
) -> Text:
    """Build a :class:`rich.text.Text` from an untrusted value, never parsing markup.

    Args:
        value: A `str`, a number, `None` (rendered empty) or a `Text`. A `Text` keeps its
            styles when sanitising leaves its characters unchanged; otherwise it is rebuilt
            from its sanitised plain text with only its base style (its spans could no
            longer line up).
        style: Base style for the result (a style name or a Rich `Style`).
        max_len: Passed to :func:`sanitize_text`.

    Returns:
        A new `Text` that is safe to render.
    """
    if isinstance(value, Text):
        plain = value.plain
        clean = sanitize_text(plain, max_len=max_len)
        if clean == plain:
            text = value.copy()
            if style:
                text.stylize_before(style)
            return text
        text = Text(clean, style=style, no_wrap=True, end="")
        if value.style:
            text.stylize(value.style)
        return text
    if value is None:
        return Text("", style=style, no_wrap=True, end="")
    return Text(sanitize_text(str(value), max_len=max_len), style=style, no_wrap=True, end="")
