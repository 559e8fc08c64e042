"""Unit tests for tuicloud.widgets.sanitize: hostile cloud text must come out inert."""

from __future__ import annotations

import random

import pytest
from rich.console import Console
from rich.text import Text

from tuicloud.widgets.sanitize import REPLACEMENT, safe_text, sanitize_text

CONTROL_CODES = {*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)}
BIDI_CONTROLS = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def assert_inert(text: str, *, newlines: bool = False) -> None:
    for char in text:
        code = ord(char)
        if newlines and char == "\n":
            continue
        assert code not in CONTROL_CODES, f"control {code:#x} survived in {text!r}"
        assert code not in BIDI_CONTROLS, f"bidi control {code:#x} survived in {text!r}"
        assert code not in (0x2028, 0x2029)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain name", "plain name"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b[1;38;5;196mbold\x1b[m", "bold"),
        ("\x9b31mred", "red"),  # 8-bit CSI
        ("a\x1b]52;c;ZXZpbCBjbGlwYm9hcmQ=\x07b", "ab"),  # OSC 52 clipboard write, BEL
        ("a\x1b]0;pwned title\x1b\\b", "ab"),  # OSC 0 window title, ST
        ("a\x9d8;;http://evil\x9cb", "ab"),  # 8-bit OSC 8 hyperlink with 8-bit ST
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1b_Gf=100;AAAA\x1b\\b", "ab"),  # APC (kitty graphics)
        ("a\x1b^pm\x1b\\b", "ab"),  # PM
        ("a\x1bXsos\x1b\\b", "ab"),  # SOS
        ("a\x1bcb", "ab"),  # RIS: full terminal reset
        ("a\x1b(0b", "ab"),  # select DEC line drawing charset
        ("a\x1b7b\x1b8", "ab"),
        ("[bold red]x[/]", "[bold red]x[/]"),  # markup is not this module's job: left as is
        ("tab\tstop", "tab stop"),
        ("nul\x00here", "nul\u2400here"),
        ("esc\x1b", "esc\u241b"),  # lone ESC: visible
        ("bell\x07", "bell\u2407"),
        ("line\nbreak\r", "line\u240abreak\u240d"),
        ("del\x7f", "del\u2421"),
        ("c1\x85next", f"c1{REPLACEMENT}next"),
        ("\u202egnp.exe", f"{REPLACEMENT}gnp.exe"),  # right-to-left override
        ("\u2066iso\u2069", f"{REPLACEMENT}iso{REPLACEMENT}"),
        ("שלום עולם", "שלום עולם"),  # real RTL text is fine
        ("日本語のサーバー", "日本語のサーバー"),
        ("e\u0301te\u0301", "e\u0301te\u0301"),  # combining accents are fine
        ("\u00a0nbsp", "\u00a0nbsp"),  # not printable per str.isprintable, but harmless
    ],
)
def test_sanitize_cases(raw: str, expected: str) -> None:
    assert sanitize_text(raw) == expected


def test_unterminated_sequences_leave_no_escape() -> None:
    for raw in ["\x1b]52;c;AAAA", "\x1b[31", "\x1bP no end", "\x1b", "\x9d0;title"]:
        out = sanitize_text(raw)
        assert_inert(out)
        assert "\x1b" not in out


def test_keep_newlines() -> None:
    assert sanitize_text("a\r\nb\nc\rd\x1b[2Je", keep_newlines=True) == "a\nb\nc\u240dde"


def test_max_len() -> None:
    assert sanitize_text("x" * 10_000, max_len=10) == "x" * 9 + "…"
    assert sanitize_text("short", max_len=10) == "short"
    assert sanitize_text("\x1b[31m" + "y" * 50, max_len=5) == "yyyy…"
    assert sanitize_text("abc", max_len=0) == ""


def test_clean_string_is_returned_unchanged() -> None:
    s = "web-01.example.org"
    assert sanitize_text(s) is s


def test_pathological_input_is_linear() -> None:
    # Thousands of unterminated introducers must not make the regex go quadratic.
    import time

    raw = "\x1b]" * 20_000 + "\x1bP" * 20_000
    start = time.perf_counter()
    out = sanitize_text(raw)
    assert time.perf_counter() - start < 1.0
    assert_inert(out)


def test_random_hostile_strings_are_inert() -> None:
    """Property test (hand-rolled: hypothesis is not a dependency)."""
    alphabet = (
        [chr(c) for c in CONTROL_CODES | BIDI_CONTROLS]
        + list("[]/;\\?PX^_()07c#mK\u2028\u2029")
        + ["a", "Z", " ", "é", "日", "\u0301", "\U0001f600"]
    )
    rng = random.Random(1234)
    for _ in range(3000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        out = sanitize_text(raw)
        assert_inert(out)
        assert sanitize_text(out) == out  # idempotent
        assert_inert(sanitize_text(raw, keep_newlines=True), newlines=True)


def test_safe_text_never_parses_markup() -> None:
    text = safe_text("[bold red]x[/]")
    assert text.plain == "[bold red]x[/]"
    assert not text.spans
    console = Console(width=40, color_system="truecolor", force_terminal=True)
    with console.capture() as capture:
        console.print(text)
    assert "[bold red]x[/]" in capture.get()


def test_safe_text_values_and_styles() -> None:
    assert safe_text(None).plain == ""
    assert safe_text(42).plain == "42"
    assert safe_text("x", style="bold").style == "bold"
    styled = Text("ACTIVE", style="green")
    styled.stylize("bold", 0, 3)
    kept = safe_text(styled)
    assert kept.plain == "ACTIVE" and kept.spans == styled.spans and kept.style == "green"
    assert kept is not styled
    dirty = safe_text(Text("ERR\x1b[31mOR", style="red"))
    assert dirty.plain == "ERROR"
    assert dirty.style == "red" or any(span.style == "red" for span in dirty.spans)
