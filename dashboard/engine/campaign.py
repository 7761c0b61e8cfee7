"""campaign.toml: the campaign as data, so the next campaign needs no code change."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashboard.engine.errors import CampaignError, place
from dashboard.engine.text_safety import safe_text
from dashboard.engine.workdays import WorkCalendar

SCHEMA_VERSION = 1
_AREA_ID = re.compile(r"^[a-z][a-z0-9_]*$")

# Every value is bounded: a typo such as 99999999999999999 or 9999-12-31 must be a named
# error, not an OverflowError in a running app.
MAX_FILE_BYTES = 1_000_000
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
MAX_CAMPAIGN_DAYS = 3660
"""About ten years."""
MAX_INTERVAL_DAYS = 366
MAX_AREAS = 50
MAX_DATES = 1000
"""Per list (holidays, makeup_workdays)."""
MAX_TEXT = 500
"""Characters in an id, a title, an area name or a document value."""
MAX_DOCUMENT_KEYS = 50


@dataclass(frozen=True)
class Area:
    id: str
    name_vi: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class Campaign:
    """Everything campaign.toml says, checked and typed."""

    id: str
    title_vi: str
    title_en: str
    start: date
    end: date
    timezone: str
    areas: tuple[Area, ...]
    reporting_interval_days: int = 7
    holidays: tuple[date, ...] = ()
    makeup_workdays: tuple[date, ...] = ()
    document: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    """Other tables of campaign.toml (e.g. [kiosk]), for the parts of the app that own them."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def starts_at(self) -> datetime:
        """Local midnight at the start of the first day."""
        return datetime.combine(self.start, time(), self.tz)

    @property
    def deadline(self) -> datetime:
        """Local midnight after the last day: the end of `end` (inclusive)."""
        return datetime.combine(self.end + timedelta(days=1), time(), self.tz)

    @property
    def calendar(self) -> WorkCalendar:
        return _calendar(self.start, self.end, self.holidays, self.makeup_workdays)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)


@cache
def _calendar(
    start: date, end: date, holidays: tuple[date, ...], makeup: tuple[date, ...]
) -> WorkCalendar:
    return WorkCalendar(start, end, frozenset(holidays), frozenset(makeup))


def load_campaign(folder: Path) -> Campaign:
    """Read folder/campaign.toml; every problem is a CampaignError naming the line and key."""
    path = folder / "campaign.toml"
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
        text = data.decode("utf-8").removeprefix("\ufeff")  # Notepad's BOM is harmless
    except FileNotFoundError:
        raise CampaignError.of("campaign_toml_missing", place=path) from None
    except (OSError, UnicodeDecodeError) as e:
        raise CampaignError.of("campaign_toml_unreadable", place=path, detail=_reason(e)
                               ) from None
    if len(data) > MAX_FILE_BYTES:
        raise CampaignError.of("campaign_toml_too_large", place=path, limit=MAX_FILE_BYTES)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CampaignError.of("toml_invalid", place=path, detail=e) from None
    except RecursionError:
        raise CampaignError.of("toml_too_deep", place=path) from None
    return _parse(raw, _Where(path, text))


@dataclass(frozen=True)
class _Where:
    path: Path
    text: str

    def fail(self, key: str, code: str, occurrence: int = 0, **params: object
             ) -> CampaignError:
        """Error `code` (dashboard/engine/errors.py) about `key`, at its line."""
        at = place(self.path, line=self.line_of(key, occurrence))
        return CampaignError.of(code, place=at, key=key, **params)

    def line_of(self, key: str, occurrence: int = 0) -> int | None:
        name = key.rsplit(".", 1)[-1].split("[", 1)[0]
        pattern = re.compile(rf"^\s*{re.escape(name)}\s*=")
        seen = 0
        start = 0
        if key.startswith("areas["):
            start = self._nth_table_line("[[areas]]", occurrence)
        for no, line in enumerate(self.text.splitlines(), 1):
            if no <= start and start:
                continue
            if pattern.match(line):
                if start or seen == occurrence:
                    return no
                seen += 1
        return start or None

    def _nth_table_line(self, header: str, n: int) -> int:
        seen = 0
        for no, line in enumerate(self.text.splitlines(), 1):
            if line.strip() == header:
                if seen == n:
                    return no
                seen += 1
        return 0


def _parse(raw: dict[str, Any], where: _Where) -> Campaign:
    version = raw.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise where.fail("schema_version", "schema_version", value=repr(version),
                         expected=SCHEMA_VERSION)
    cid = _text(raw, "id", where)
    title_vi = _text(raw, "title_vi", where)
    title_en = _text(raw, "title_en", where, default=title_vi)
    start = _date(raw, "start", where)
    end = _date(raw, "end", where)
    if end < start:
        raise where.fail("end", "end_before_start", value=end, start=start)
    if (end - start).days >= MAX_CAMPAIGN_DAYS:
        raise where.fail("end", "campaign_too_long", value=end, days=(end - start).days + 1,
                         start=start, limit=MAX_CAMPAIGN_DAYS)
    tzname = _text(raw, "timezone", where)
    try:
        ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        raise where.fail("timezone", "unknown_timezone", value=repr(tzname)) from None
    interval = raw.get("reporting_interval_days", 7)
    if not isinstance(interval, int) or isinstance(interval, bool) or not (
            1 <= interval <= MAX_INTERVAL_DAYS):
        raise where.fail("reporting_interval_days", "interval_out_of_range",
                         value=_show(interval), limit=MAX_INTERVAL_DAYS)
    holidays = _dates(raw, "holidays", where)
    makeup = _dates(raw, "makeup_workdays", where)
    areas = _areas(raw, where)
    doc = raw.get("document", {})
    if not isinstance(doc, dict) or len(doc) > MAX_DOCUMENT_KEYS:
        raise where.fail("document", "document_not_table", limit=MAX_DOCUMENT_KEYS)
    for key, value in doc.items():
        if isinstance(value, list | dict) or len(str(value)) > MAX_TEXT:
            raise where.fail(f"document.{key}", "document_value", limit=MAX_TEXT)
    known = {"schema_version", "id", "title_vi", "title_en", "start", "end", "timezone",
             "reporting_interval_days", "holidays", "makeup_workdays", "areas", "document"}
    return Campaign(
        id=_nfc(cid), title_vi=_nfc(title_vi), title_en=_nfc(title_en), start=start, end=end,
        timezone=tzname, areas=areas, reporting_interval_days=interval,
        holidays=holidays, makeup_workdays=makeup,
        document={_nfc(str(k)): _nfc(str(v)) for k, v in doc.items()},
        settings={k: v for k, v in raw.items() if k not in known},
    )


def _areas(raw: dict[str, Any], where: _Where) -> tuple[Area, ...]:
    items = raw.get("areas")
    if not isinstance(items, list) or not items:
        raise where.fail("areas", "areas_missing")
    if len(items) > MAX_AREAS:
        raise where.fail("areas", "areas_too_many", count=len(items), limit=MAX_AREAS)
    out: list[Area] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise where.fail("areas", "area_not_table")
        aid = _text(item, "id", where, label=f"areas[{i}].id", occurrence=i)
        name_vi = _nfc(_text(item, "name_vi", where, label=f"areas[{i}].name_vi", occurrence=i))
        name_en = _text(item, "name_en", where, default=name_vi, label=f"areas[{i}].name_en",
                        occurrence=i)
        if not _AREA_ID.match(aid):
            raise where.fail(f"areas[{i}].id", "area_id_form", i, value=repr(aid))
        if any(a.id == aid for a in out):
            raise where.fail(f"areas[{i}].id", "area_id_duplicate", i, value=repr(aid))
        out.append(Area(aid, name_vi, _nfc(name_en)))
    return tuple(out)


def _text(raw: dict[str, Any], key: str, where: _Where, *, default: str | None = None,
          label: str | None = None, occurrence: int = 0) -> str:
    """A non-empty string of at most MAX_TEXT characters; `default` when absent or empty."""
    value = raw.get(key)
    if default is not None and (value is None or value == ""):
        return default
    if not isinstance(value, str) or not value.strip():
        raise where.fail(label or key, "text_missing", occurrence)
    if len(value) > MAX_TEXT:
        raise where.fail(label or key, "text_too_long", occurrence, count=len(value),
                         limit=MAX_TEXT)
    return value


def _in_range(value: date, key: str, where: _Where) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise where.fail(key, "date_out_of_range", value=value, first=FIRST_DAY,
                         last=LAST_DAY)
    return value


def _date(raw: dict[str, Any], key: str, where: _Where) -> date:
    value = raw.get(key)
    if isinstance(value, datetime) or not isinstance(value, date):
        raise where.fail(key, "date_missing")
    return _in_range(value, key, where)


def _dates(raw: dict[str, Any], key: str, where: _Where) -> tuple[date, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or any(
        isinstance(d, datetime) or not isinstance(d, date) for d in value
    ):
        raise where.fail(key, "dates_not_list")
    if len(value) > MAX_DATES:
        raise where.fail(key, "dates_too_many", count=len(value), limit=MAX_DATES)
    return tuple(sorted(_in_range(d, key, where) for d in value))


def _show(value: object) -> str:
    """A bad value for a message, cut short (it may be a 5,000-deep array)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _nfc(s: str) -> str:
    """Text for the model: NFC, with controls and bidi overrides shown visibly."""
    return safe_text(unicodedata.normalize("NFC", s))


def _reason(e: BaseException) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, UnicodeDecodeError):
        return "not UTF-8 text"
    return e.strerror or str(e) if isinstance(e, OSError) else str(e)
