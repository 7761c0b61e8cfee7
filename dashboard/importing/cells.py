"""What people type into cells, as numbers and dates, the way Vietnamese offices write them.

Numbers: real spreadsheet numbers, and text such as "12,5" (decimal comma), "1.234" and
"1.234,5" (thousand dots), "1,234.5" (English), "95%". One comma alone is always a decimal
comma and one dot followed by exactly three digits is always a thousands dot: that is how
Vietnamese is written, and the reading must not depend on the language of the messages.

Dates: real spreadsheet dates, Excel serial numbers, and text in day/month/year order
(3/7/2020, 03-07-2020, 3.7.2020), ISO (2020-07-03), "3 Jul 2020" or "ngày 3 tháng 7 năm 2020",
optionally followed by a time (14:30). Never month/day/year.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

from dashboard import numbers_dates
from dashboard.importing.headers import fold


class CellError(ValueError):
    """A cell that cannot be read; `code` names the problem (problem.<code> in catalogues)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def show_raw(raw: object) -> str:
    """A cell as the user sees it, for messages."""
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    return str(raw).strip()


_INT = re.compile(r"\d+")
_VI_GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
_EN_GROUPED = re.compile(r"[1-9]\d{0,2}(?:(?:,\d{3}){2,}(?:\.\d+)?|(?:,\d{3})+\.\d+)")
_DECIMAL_COMMA = re.compile(r"\d*,\d+")
_DECIMAL_POINT = re.compile(r"\d*\.\d+")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def parse_number(raw: object, *, percent_format: bool = False) -> float:
    """The number in a cell; raises CellError("value_not_number" | "value_not_finite").

    A cell formatted as a percentage holds 0.953 for "95,3%": the campaign's units are
    already percent ("% hồ sơ"), so such a cell counts as 95.3.
    """
    if isinstance(raw, bool):
        raise CellError("value_not_number")
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            raise CellError("value_not_finite")
        return round(value * 100, 9) if percent_format else value
    if not isinstance(raw, str):
        raise CellError("value_not_number")
    return _parse_text_number(raw)


def _parse_text_number(raw: str) -> float:
    text = _SPACES.sub("", raw).replace("\u2212", "-")
    if text.endswith("%"):
        text = text[:-1]
    sign = 1.0
    if text[:1] in "+-" and text:
        sign = -1.0 if text[0] == "-" else 1.0
        text = text[1:]
    if fold(text) in ("nan", "inf", "infinity", "vo cung"):
        raise CellError("value_not_finite")
    if _INT.fullmatch(text):
        value = float(text)
    elif _VI_GROUPED.fullmatch(text):
        value = float(text.replace(".", "").replace(",", "."))
    elif _EN_GROUPED.fullmatch(text):
        value = float(text.replace(",", ""))
    elif _DECIMAL_COMMA.fullmatch(text):
        value = float(text.replace(",", "."))
    elif _DECIMAL_POINT.fullmatch(text):
        value = float(text)
    else:
        raise CellError("value_not_number")
    if not math.isfinite(value):
        raise CellError("value_not_finite")
    return sign * value


_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME)
_WORDS_VI = re.compile(r"(?:ngay )?(\d{1,2}) thang (\d{1,2}) (?:nam )?(\d{4})")
_WORDS_EN = re.compile(r"(\d{1,2}) ([a-z]{3,9}) (\d{4})")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_day(raw: object, *, serials: bool = False) -> date | datetime:
    """A date (or a date and time, naive local) from a cell; raises CellError("date_invalid").

    `serials`: numbers are Excel date serials (a date typed into a cell formatted as a number).
    A spreadsheet datetime at exactly midnight is a date: that is how Excel stores dates.
    """
    if isinstance(raw, datetime):
        moment = raw.replace(tzinfo=None, microsecond=0)
        return moment.date() if moment.time() == time() else moment
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if serials and math.isfinite(raw) and 1 <= raw < 2958466:
            return _from_serial(float(raw))
        raise CellError("date_invalid")
    if not isinstance(raw, str):
        raise CellError("date_invalid")
    try:
        return _parse_text_day(raw.strip())
    except ValueError:  # out-of-range parts: 31/2/2020, 25:00
        raise CellError("date_invalid") from None


def _from_serial(serial: float) -> date | datetime:
    whole = int(serial)
    day = date.fromordinal(_EXCEL_EPOCH.toordinal() + whole)
    seconds = round((serial - whole) * 86400)
    if seconds == 0:
        return day
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def _parse_text_day(text: str) -> date | datetime:
    if m := _ISO.fullmatch(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        return _with_time(date(y, mo, d), m[4], m[5], m[6])
    if m := _DMY.fullmatch(text):
        y = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _with_time(date(y, int(m[2]), int(m[1])), m[4], m[5], m[6])
    words = fold(text)
    if m := _WORDS_VI.fullmatch(words):
        return date(int(m[3]), int(m[2]), int(m[1]))
    if (m := _WORDS_EN.fullmatch(words)) and m[2][:3] in _MONTHS:
        return date(int(m[3]), _MONTHS.index(m[2][:3]) + 1, int(m[1]))
    raise CellError("date_invalid")


def _with_time(day: date, h: str | None, mi: str | None, s: str | None) -> date | datetime:
    if h is None or mi is None:
        return day
    return datetime.combine(day, time(int(h), int(mi), int(s or 0)))


def show_number(value: float, lang: str) -> str:
    """Every significant digit (unlike numbers_dates.number, which rounds for display):
    1.234,5 in vi."""
    text = format(value, ",.15g")
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def show_day(value: date | datetime, lang: str) -> str:
    if isinstance(value, datetime):
        return f"{numbers_dates.day(value.date(), lang)} {value:%H:%M}"
    return numbers_dates.day(value, lang)
