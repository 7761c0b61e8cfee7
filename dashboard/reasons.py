"""The engine's reasons (why a file is skipped, held or warned about, why rows are dropped,
why a refresh failed) as a stable code with parameters, rendered in the viewer's language.

The engine writes its reasons in plain English for logs and the lead's tools; this module is
the edge that reads them back into codes (one pattern per reason the engine writes) so the
screens, `check` and the snapshot's md speak the chosen language and `snapshot --format json`
keeps a `code` that does not change with the wording. A reason no pattern knows (a DuckDB
message, say) keeps its own words under the code "other"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard.i18n import Catalogue


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""
    """The engine's own words."""


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.S)) for code, pattern in (
        ("optional_unusable", r"column '(?P<column>[^']+)' has type (?P<type>.+?) "
                              r"\(expected (?P<expected>[^)]+)\): the file is used without it"),
        ("wrong_type", r"column '(?P<column>[^']+)' has type (?P<type>.+?) "
                       r"\(expected (?P<expected>[^)]+)\)"),
        ("missing_columns", r"missing columns? (?P<columns>.+)"),
        ("empty_file", r"empty file \(0 bytes\)"),
        ("permission_denied", r"permission denied"),
        ("not_parquet", r"not valid Parquet"),
        ("disappeared", r"file disappeared while reading"),
        ("unreadable", r"cannot be read[:(] ?(?P<detail>.*?)\)?"),
        ("folder_unlistable", r"(?P<folder>\S+/): cannot list folder \((?P<detail>.*)\)"),
        ("folder_unlistable", r"cannot list folder \((?P<detail>.*)\)"),
        ("folder_missing", r"data folder (?P<folder>.+) is missing or not readable"),
        ("not_utf8", r"not UTF-8 text"),
        ("bucket_unreachable", r"bucket (?P<bucket>\S+) cannot be reached \((?P<detail>.*)\)"),
    ))

_EXPECTED = {"string": "string", "number": "number", "timestamp or date": "timestamp"}
_TYPES = {"null (every value empty)": "null"}


def parse(text: str, code: str = "") -> Reason:
    """The code and parameters of the engine's reason `text` (a known `code` wins)."""
    if code:
        return Reason(code, {}, text)
    for known, pattern in _PATTERNS:
        m = pattern.fullmatch(text.strip())
        if m:
            return Reason(known, {k: v for k, v in m.groupdict().items() if v is not None},
                          text)
    return Reason("other", {"text": text}, text)


def render(reason: Reason, tr: Catalogue) -> str:
    """The reason in the catalogue's language; its own words when no entry knows it."""
    params = dict(reason.params)
    if "expected" in params:
        params["expected"] = tr(f"reason.expect_{_EXPECTED.get(params['expected'], 'other')}")
    if params.get("type") in _TYPES:
        params["type"] = tr(f"reason.type_{_TYPES[params['type']]}")
    key = f"reason.{reason.code}"
    known = tr.keys()
    if reason.code == "other" or key not in known:
        return reason.text
    return tr(key, **params)


def say(text: str, tr: Catalogue, code: str = "") -> str:
    """render(parse(text, code), tr): the engine's words → the viewer's."""
    return render(parse(text, code), tr)


def code_of(text: str, code: str = "") -> str:
    return parse(text, code).code
