"""The engine's reasons (why a file is skipped, held or warned about, why rows are dropped,
why a refresh failed, why a campaign cannot be used) as a stable code with parameters, rendered
in the viewer's language.

The engine writes its reasons in plain English for logs and the lead's tools; this module is
the edge that reads them back into codes, so the screens, the CLI, `check` and the snapshot's md
speak the chosen language and `snapshot --format json` keeps a `code` that does not change with
the wording. The errors' patterns are made from their templates (dashboard/engine/errors.py
MESSAGES: one source for both); the file reasons below are the store's. `FILE: reason` reads as
the file and its reason. A reason no pattern knows (a DuckDB message, say) keeps its own words
under the code "other"."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import date

from dashboard import numbers_dates
from dashboard.engine.errors import MESSAGES
from dashboard.i18n import Catalogue
from dashboard.usage_errors import USAGE_MESSAGES


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
        ("not_utf8", r"not UTF-8 text"),
    ))

_PLACE = r"(?P<path>.+?)(?:, line (?P<line>\d+)| row (?P<row>\d+))?"


def _template_pattern(template: str) -> re.Pattern[str]:
    """A template of errors.MESSAGES as a pattern: `{place}` is a file with its line or row,
    every other `{name}` the shortest text that lets the rest match."""
    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name == "place":
            out.append(_PLACE)
        elif name:
            out.append(f"(?P<{name}>.+?)")
    return re.compile("".join(out), re.S)


_ERRORS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, _template_pattern(template)) for code, template in sorted(
        {**MESSAGES, **USAGE_MESSAGES}.items(),
        key=lambda item: -len(re.sub(r"\{[^}]*\}", "", item[1]))))
"""Most literal text first, so "not valid TOML: arrays … nested too deeply" wins over
"not valid TOML: {detail}"."""
_LOCAL = {"count", "limit", "days", "start", "first", "last", "expected", "low", "high"}
"""Parameters the engine writes itself (numbers, ISO dates), not what a user wrote."""
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_DECIMAL = re.compile(r"\d+\.\d+")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FILE_REASON = re.compile(r"(?P<file>[^\s:][^:]*?): (?P<reason>.+)", re.S)

_EXPECTED = {"string": "string", "number": "number", "timestamp or date": "timestamp"}
_TYPES = {"null (every value empty)": "null"}
_BUCKET_DETAILS = {"no connection": "no_connection", "timed out": "timed_out",
                   "no credentials": "no_credentials", "access denied": "access_denied",
                   "no such bucket": "no_such_bucket"}
"""What dashboard/s3/mirror.py says went wrong, when it is one of these."""


def parse(text: str, code: str = "") -> Reason:
    """The code and parameters of the engine's reason `text` (a known `code` wins)."""
    if code:
        return Reason(code, {}, text)
    for known, pattern in (*_ERRORS, *_PATTERNS):
        m = pattern.fullmatch(text.strip())
        if m:
            return Reason(known, {k: v for k, v in m.groupdict().items() if v is not None},
                          text)
    m = _FILE_REASON.fullmatch(text.strip())
    if m:
        inner = parse(m["reason"])
        if inner.code != "other":
            return Reason(inner.code, {**inner.params, "file": m["file"]}, text)
    return Reason("other", {"text": text}, text)


def _local(value: str, tr: Catalogue) -> str:
    """A number or an ISO date of the engine's English text, as the language writes it
    (English keeps the engine's own: 3600, 2020-05-06)."""
    if tr.lang == "en":
        return value
    if _NUMBER.fullmatch(value):
        return numbers_dates.number(int(value.replace(",", "")), tr.lang)
    if _DECIMAL.fullmatch(value):
        return numbers_dates.number(float(value), tr.lang)
    if _ISO_DAY.fullmatch(value):
        return numbers_dates.day(date.fromisoformat(value), tr.lang)
    return value


def render(reason: Reason, tr: Catalogue) -> str:
    """The reason in the catalogue's language; its own words when no entry knows it."""
    key = f"reason.{reason.code}"
    if reason.code == "other" or key not in tr:
        return reason.text
    params = {k: _local(v, tr) if k in _LOCAL else v for k, v in reason.params.items()
              if k not in ("path", "line", "row", "file")}
    text = _render_params(reason, tr, params)
    path = reason.params.get("path")
    if path is not None:
        at = next((k for k in ("line", "row") if reason.params.get(k)), "")
        text = tr(f"reason.place_{at}" if at else "reason.place", path=path,
                  n=_local(reason.params.get(at, ""), tr), text=text)
    if "file" in reason.params:
        text = f"{reason.params['file']}: {text}"
    return text


def _render_params(reason: Reason, tr: Catalogue, params: dict[str, str]) -> str:
    if "expected" in params and reason.code in ("wrong_type", "optional_unusable"):
        params["expected"] = tr(f"reason.expect_{_EXPECTED.get(params['expected'], 'other')}")
    if params.get("type") in _TYPES:
        params["type"] = tr(f"reason.type_{_TYPES[params['type']]}")
    if "unit" in params and f"reason.unit_{params['unit']}" in tr:
        params["unit"] = tr(f"reason.unit_{params['unit']}")
    if "allowed" in params:
        params["allowed"] = params["allowed"].replace(" or ", tr("reason.or"))
    if reason.code == "bucket_unreachable" and params.get("detail") in _BUCKET_DETAILS:
        params["detail"] = tr(f"reason.bucket_{_BUCKET_DETAILS[params['detail']]}")
    return tr(f"reason.{reason.code}", **params)


def say(text: str, tr: Catalogue, code: str = "") -> str:
    """render(parse(text, code), tr): the engine's words → the viewer's (its own words when
    the catalogue's entry does not take what the text holds)."""
    try:
        return render(parse(text, code), tr)
    except (KeyError, IndexError, ValueError):
        return text


def code_of(text: str, code: str = "") -> str:
    return parse(text, code).code
