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

from dashboard.engine.errors import CampaignError
from dashboard.engine.workdays import WorkCalendar
from dashboard.text_safety import safe_text

SCHEMA_VERSION = 1
_AREA_ID = re.compile(r"^[a-z][a-z0-9_]*$")


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
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CampaignError(
            f"{path}: not found (a campaign folder needs a campaign.toml)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CampaignError(f"{path}: cannot be read ({_reason(e)})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CampaignError(f"{path}: not valid TOML: {e}") from None
    return _parse(raw, _Where(path, text))


@dataclass(frozen=True)
class _Where:
    path: Path
    text: str

    def fail(self, key: str, message: str, occurrence: int = 0) -> CampaignError:
        line = self.line_of(key, occurrence)
        at = f", line {line}" if line else ""
        return CampaignError(f"{self.path}{at}: key '{key}': {message}")

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
    if version != SCHEMA_VERSION:
        raise where.fail("schema_version", f"is {version!r}; this thidua reads {SCHEMA_VERSION}")
    cid = _text(raw, "id", where)
    title_vi = _text(raw, "title_vi", where)
    title_en = raw.get("title_en") or title_vi
    start = _date(raw, "start", where)
    end = _date(raw, "end", where)
    if end < start:
        raise where.fail("end", f"{end} is before start {start}")
    tzname = _text(raw, "timezone", where)
    try:
        ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        raise where.fail("timezone", f"unknown time zone {tzname!r}") from None
    interval = raw.get("reporting_interval_days", 7)
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
        raise where.fail("reporting_interval_days", "must be a whole number of days >= 1")
    holidays = _dates(raw, "holidays", where)
    makeup = _dates(raw, "makeup_workdays", where)
    areas = _areas(raw, where)
    doc = raw.get("document", {})
    if not isinstance(doc, dict):
        raise where.fail("document", "must be a table")
    known = {"schema_version", "id", "title_vi", "title_en", "start", "end", "timezone",
             "reporting_interval_days", "holidays", "makeup_workdays", "areas", "document"}
    return Campaign(
        id=_nfc(cid), title_vi=_nfc(title_vi), title_en=_nfc(str(title_en)), start=start, end=end,
        timezone=tzname, areas=areas, reporting_interval_days=interval,
        holidays=holidays, makeup_workdays=makeup,
        document={_nfc(str(k)): _nfc(str(v)) for k, v in doc.items()},
        settings={k: v for k, v in raw.items() if k not in known},
    )


def _areas(raw: dict[str, Any], where: _Where) -> tuple[Area, ...]:
    items = raw.get("areas")
    if not isinstance(items, list) or not items:
        raise where.fail("areas", "needs at least one [[areas]] entry with id, name_vi, name_en")
    out: list[Area] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise where.fail("areas", "each entry must be a table")
        for key in ("id", "name_vi"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise where.fail(f"areas[{i}].{key}", "missing or empty", i)
        aid = item["id"]
        if not _AREA_ID.match(aid):
            raise where.fail(f"areas[{i}].id", f"{aid!r} must be lower-case letters, digits, _", i)
        if any(a.id == aid for a in out):
            raise where.fail(f"areas[{i}].id", f"duplicate area id {aid!r}", i)
        name_vi = _nfc(item["name_vi"])
        out.append(Area(aid, name_vi, _nfc(str(item.get("name_en") or name_vi))))
    return tuple(out)


def _text(raw: dict[str, Any], key: str, where: _Where) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise where.fail(key, "missing or not a non-empty string")
    return value


def _date(raw: dict[str, Any], key: str, where: _Where) -> date:
    value = raw.get(key)
    if isinstance(value, datetime) or not isinstance(value, date):
        raise where.fail(key, "missing or not a date (write it as 2020-05-06, without quotes)")
    return value


def _dates(raw: dict[str, Any], key: str, where: _Where) -> tuple[date, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or any(
        isinstance(d, datetime) or not isinstance(d, date) for d in value
    ):
        raise where.fail(key, "must be a list of dates, e.g. [2020-09-02]")
    return tuple(sorted(value))


def _nfc(s: str) -> str:
    """Text for the model: NFC, with controls and bidi overrides shown visibly."""
    return safe_text(unicodedata.normalize("NFC", s))


def _reason(e: BaseException) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, UnicodeDecodeError):
        return "not UTF-8 text"
    return e.strerror or str(e) if isinstance(e, OSError) else str(e)
