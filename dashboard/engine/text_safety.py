"""Text from the data, made safe to show: no control character and no bidirectional override
that a data file brings reaches a terminal, an export or a browser.

A title holding ESC ] 0 ; … BEL retitles the viewer's window, ESC [ 2 J clears it, OSC 52
writes the clipboard of an SSH viewer's machine, and U+202E shows "fdp.exe" as "exe.pdf".
Every string the data brings enters the model through this one table (targets, campaign.toml,
and, through DuckDB's translate() with `SQL_PARAMS`, the reporters and notes of progress files),
so the screens, `check`, `snapshot` and every front end only ever get the safe form. What is
replaced stays visible: ESC shows as ␛ (the Unicode control pictures), C1 controls and bidi
controls as �, and the layout controls (tab, newlines) as a space.

No Textual or DuckDB import: the engine, the importer and the front ends all use it.
"""

from __future__ import annotations

REPLACEMENT = "\ufffd"
"""What a C1 control or a bidi control is shown as."""

_LAYOUT = "\t\n\v\f\r\u2028\u2029"
"""Controls that only break lines or indent: a space keeps the words apart."""
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _table() -> dict[str, str]:
    shown: dict[str, str] = {}
    for code in range(0x20):
        shown[chr(code)] = chr(0x2400 + code)  # ␀ … ␟ (␛ for ESC)
    shown["\x7f"] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        shown[chr(code)] = REPLACEMENT
    for ch in _BIDI:
        shown[ch] = REPLACEMENT
    for ch in _LAYOUT:
        shown[ch] = " "
    return shown


_SHOWN = _table()
_TRANSLATION = str.maketrans(_SHOWN)

SQL_PARAMS: dict[str, str] = {
    "unsafe_chars": "".join(_SHOWN),
    "shown_chars": "".join(_SHOWN.values()),
    "unsafe_re": "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _SHOWN) + "]",
}
"""The same table as safe_text(), for strings that enter the model in SQL:
`CASE WHEN regexp_matches(s, $unsafe_re) THEN translate(s, $unsafe_chars, $shown_chars)
ELSE s END`. The test is needed: translate() with this table costs ~10 µs a string, the RE2
test a few hundred ns, and almost no string has anything to replace."""


def safe_text(text: str) -> str:
    """text with every control and bidi character replaced by its visible form."""
    return text.translate(_TRANSLATION)


def hostile_character(text: str) -> str | None:
    """The first character that safe_text() would show as a symbol (not a mere space), as
    U+XXXX, or None: what the importer refuses, naming it."""
    for ch in text:
        if ch in _SHOWN and ch not in _LAYOUT:
            return f"U+{ord(ch):04X}"
    return None
