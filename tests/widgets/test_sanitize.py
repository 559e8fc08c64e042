"""Unit tests for tuicloud.widgets.sanitize: hostile cloud text must come out inert."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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
        ("\U0001f469\u200d\U0001f467", "\U0001f469\u200d\U0001f467"),  # an emoji ZWJ sequence
        ("\u200dx\u200d\u200d", "x"),  # dangling joiners would join the padding after them
        ("a\u200d\x1b[0m", "a"),
    ],
)
def test_sanitize_cases(raw: str, expected: str) -> None:
    assert sanitize_text(raw, strip_escapes=True) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x1b]0;PWNED\x07b", "a\u241b]0;PWNED\u2407b"),  # the hidden text is seen
        ("\x1b[31mred\x1b[0m", "\u241b[31mred\u241b[0m"),
        ("a\x9d8;;http://evil\x9cb", f"a{REPLACEMENT}8;;http://evil{REPLACEMENT}b"),
        ("plain", "plain"),
    ],
)
def test_escape_sequences_are_shown_as_visible_symbols_by_default(raw: str,
                                                                   expected: str) -> None:
    """What the README promises for names and fields: controls as visible symbols."""
    assert sanitize_text(raw) == expected


def test_unterminated_sequences_leave_no_escape() -> None:
    for raw in ["\x1b]52;c;AAAA", "\x1b[31", "\x1bP no end", "\x1b", "\x9d0;title"]:
        out = sanitize_text(raw)
        assert_inert(out)
        assert "\x1b" not in out


def test_keep_newlines() -> None:
    assert sanitize_text("a\r\nb\nc\rd\x1b[2Je", keep_newlines=True,
                         strip_escapes=True) == "a\nb\nc\u240dde"


def test_max_len() -> None:
    assert sanitize_text("x" * 10_000, max_len=10) == "x" * 9 + "…"
    assert sanitize_text("short", max_len=10) == "short"
    assert sanitize_text("\x1b[31m" + "y" * 50, max_len=5, strip_escapes=True) == "yyyy…"
    assert sanitize_text("abc", max_len=0) == ""
    assert sanitize_text("ab\u200dcd", max_len=4) == "ab…"


def test_clean_string_is_returned_unchanged() -> None:
    s = "web-01.example.org"
    assert sanitize_text(s) is s


def test_pathological_input_is_linear() -> None:
    # Thousands of unterminated introducers must not make the regex go quadratic.
    import time

    raw = "\x1b]" * 20_000 + "\x1bP" * 20_000
    start = time.perf_counter()
    out = sanitize_text(raw)
    # Quadratic would take minutes; the bound is loose because CI machines are shared.
    assert time.perf_counter() - start < 5.0
    assert_inert(out)


# -- property tests -----------------------------------------------------------------------

DANGEROUS_CHARS = sorted(chr(c) for c in CONTROL_CODES | BIDI_CONTROLS | {0x2028, 0x2029})
ESCAPE_PIECES = [
    "\x1b[", "\x9b", "\x1b]", "\x9d", "\x1bP", "\x90", "\x1bX", "\x98", "\x1b^", "\x9e",
    "\x1b_", "\x9f", "\x1b\\", "\x9c", "\x07", "\x1b(", "\x1bc", "\x1b7", "52;c;ZXZpbA==",
    "0;title", "8;;http://evil.example/", "31m", "1;38;5;196m", "2J", "?1049h", "\r\n",
]
MARKUP_TAGS = [
    "bold", "b", "red", "on red", "blink", "reverse", "link=https://evil.example",
    "@click=app.quit", "bold red on white", "/", "", "[", "\\",
]

# Anything: arbitrary characters, hostile single characters, escape-sequence fragments.
hostile_fragments = st.one_of(
    st.characters(),
    st.sampled_from(DANGEROUS_CHARS),
    st.sampled_from(ESCAPE_PIECES),
    st.sampled_from(list("[]/;\\?PX^_()07c#mK é日\u0301\u200d\ufe0f\U0001f600")),
)
hostile_text = st.lists(hostile_fragments, max_size=40).map("".join)
# Text sanitize_text must leave exactly as it is: no control, bidi control or separator
# (and no zero-width joiner, which is dropped at either end).
clean_text = st.text(
    st.characters(exclude_categories=("Cc", "Cs"),
                  exclude_characters=[*DANGEROUS_CHARS, "\u200d"]),
    max_size=30,
)


@st.composite
def escape_sequences(draw: st.DrawFn) -> str:
    """One complete CSI, OSC or DCS/SOS/PM/APC sequence, 7-bit or 8-bit."""
    kind = draw(st.sampled_from(["csi", "osc", "string", "short"]))
    eight_bit = draw(st.booleans())
    st_terminator = draw(st.sampled_from(["\x1b\\", "\x9c"]))
    if kind == "csi":
        params = draw(st.text(st.sampled_from("0123456789:;<=>?"), max_size=12))
        inter = draw(st.text(st.sampled_from(" !\"#$%&'()*+,-./"), max_size=2))
        final = draw(st.characters(min_codepoint=0x40, max_codepoint=0x7E))
        return ("\x9b" if eight_bit else "\x1b[") + params + inter + final
    body = draw(st.text(st.characters(exclude_characters="\x07\x1b\x9c",
                                      exclude_categories=("Cs",)), max_size=20))
    if kind == "osc":
        end = draw(st.sampled_from(["\x07", st_terminator]))
        return ("\x9d" if eight_bit else "\x1b]") + body + end
    if kind == "string":
        intro = draw(st.sampled_from("PX^_"))
        eight = {"P": "\x90", "X": "\x98", "^": "\x9e", "_": "\x9f"}[intro]
        return (eight if eight_bit else "\x1b" + intro) + body + st_terminator
    # Two-character escapes (ESC c, ESC 7, ESC ( B ...); "[", "]", "P", "X", "^" and "_"
    # would introduce a longer sequence instead.
    inter = draw(st.text(st.sampled_from(" !\"#$%&'()*+,-./"), max_size=2))
    final = draw(st.characters(min_codepoint=0x30, max_codepoint=0x7E,
                               exclude_characters="[]PX^_"))
    return "\x1b" + inter + final


@st.composite
def markup(draw: st.DrawFn) -> str:
    """Rich markup (tags, closing tags, links, click actions, escapes) around clean text."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        tag = draw(st.sampled_from(MARKUP_TAGS))
        parts.append(f"[{tag}]{draw(clean_text)}[/{draw(st.sampled_from(['', tag]))}]")
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(raw=hostile_text, keep_newlines=st.booleans(),
       max_len=st.none() | st.integers(0, 50))
def test_output_is_inert_and_idempotent(raw: str, keep_newlines: bool,
                                         max_len: int | None) -> None:
    out = sanitize_text(raw, keep_newlines=keep_newlines, max_len=max_len)
    # No ESC, no C0 (LF only with keep_newlines, as documented), no DEL, no C1, no bidi.
    assert_inert(out, newlines=keep_newlines)
    assert "\x1b" not in out
    assert not out.startswith("\u200d") and not out.endswith("\u200d")
    if max_len is not None:
        assert len(out) <= max_len
    assert sanitize_text(out, keep_newlines=keep_newlines, max_len=max_len) == out
    if keep_newlines and "\r" not in raw:
        # Keeping LF is the only difference between the two modes.
        assert out.replace("\n", "\u240a") == sanitize_text(raw, max_len=max_len)


@settings(max_examples=200, deadline=None)
@given(text=clean_text)
def test_clean_text_passes_through(text: str) -> None:
    assert sanitize_text(text) == text
    assert sanitize_text(text, keep_newlines=True) == text


@settings(max_examples=300, deadline=None)
@given(prefix=clean_text, sequences=st.lists(escape_sequences(), min_size=1, max_size=4),
       suffix=clean_text)
def test_complete_escape_sequences_vanish(prefix: str, sequences: list[str],
                                          suffix: str) -> None:
    middle = "".join(sequences)
    assert sanitize_text(prefix + middle + suffix, strip_escapes=True) == prefix + suffix
    assert sanitize_text(prefix + middle + suffix, keep_newlines=True,
                         strip_escapes=True) == prefix + suffix


@settings(max_examples=200, deadline=None)
@given(text=markup(), hostile=hostile_text)
def test_markup_stays_literal(text: str, hostile: str) -> None:
    rendered = safe_text(text)
    assert rendered.plain == text
    assert not rendered.spans
    console = Console(width=4000, color_system="truecolor", force_terminal=True,
                      file=io.StringIO(), legacy_windows=False)
    with console.capture() as capture:
        console.print(rendered)
    assert text in capture.get()
    # Markup mixed with escape sequences and controls: still literal, and inert.
    mixed = safe_text(text + hostile)
    assert mixed.plain == sanitize_text(text + hostile)
    assert mixed.plain.startswith(text)
    assert not mixed.spans
    assert_inert(mixed.plain)
    given = Text(text + hostile, style="bold")  # Rich itself drops a few C0 codes (CR, BS...)
    styled = safe_text(given)
    assert styled.plain == sanitize_text(given.plain) and styled.plain.startswith(text)
    assert styled.style == "bold" or [span.style for span in styled.spans] == ["bold"]


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
    assert dirty.plain == "ERR\u241b[31mOR"  # the escape shown, not acted on
    assert dirty.style == "red" or any(span.style == "red" for span in dirty.spans)
