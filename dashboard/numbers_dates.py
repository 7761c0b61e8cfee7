"""Numbers, dates and times the way each language writes them (vi: 1.234,5 · 06/5/2020).

Vietnamese dates follow Nghị định 30/2020/NĐ-CP (Phụ lục I): a day below 10 and the months
1 and 2 take a leading zero, so 06/5/2020, 30/9/2020, 05/01/2021, 02/9."""

from __future__ import annotations

import math
from datetime import date, datetime, tzinfo

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(value: float | None, lang: str, decimals: int | None = None) -> str:
    """1.234,5 in Vietnamese, 1,234.5 in English; whole numbers without decimals."""
    if value is None or not math.isfinite(value):
        return "—"
    if decimals is None:
        decimals = 0 if abs(value - round(value)) < 1e-9 else (1 if abs(value) >= 10 else 2)
    text = f"{value:,.{decimals}f}"
    if decimals and "." in text:
        text = text.rstrip("0").rstrip(".") if decimals > 1 else text
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(fraction: float | None, lang: str, decimals: int = 0) -> str:
    if fraction is None or not math.isfinite(fraction):
        return "—"
    return number(fraction * 100, lang, decimals) + "%"


def day(d: date, lang: str) -> str:
    if lang == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    return f"{short_day(d, lang)}/{d.year}"


def short_day(d: date, lang: str) -> str:
    if lang == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]}"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{d.day:02d}/{month}"


def clock(t: datetime, tz: tzinfo | None = None) -> str:
    """HH:MM:SS in 24-hour time (both languages)."""
    return (t.astimezone(tz) if tz else t).strftime("%H:%M:%S")


def hm(t: datetime, tz: tzinfo | None = None) -> str:
    return (t.astimezone(tz) if tz else t).strftime("%H:%M")


def moment(t: datetime, lang: str, tz: tzinfo | None = None) -> str:
    local = t.astimezone(tz) if tz else t
    return f"{hm(local)} {day(local.date(), lang)}"
