"""When the meeting room is in use: outside these hours the kiosk dims to a clock. No Textual.

Working days follow the campaign's own calendar rules: Monday–Friday by default, the campaign's
holidays off, its make-up working days (a Saturday worked in exchange) on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from dashboard.usage_errors import UsageError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OfficeHours:
    """Opening and closing time on working days; `opens is None` means always on."""

    opens: time | None = time(7, 0)
    closes: time | None = time(18, 0)
    """The end of the day's hours (exclusive); time(0, 0) stands for 24:00."""
    days: frozenset[int] = frozenset(range(5))
    """Weekdays with office hours (0 = Monday)."""

    @property
    def always(self) -> bool:
        return self.opens is None or self.closes is None

    def __str__(self) -> str:
        if self.opens is None or self.closes is None:
            return "always"
        days = ",".join(DAY_NAMES[d] for d in sorted(self.days))
        closes = "24:00" if self.closes == time(0, 0) else f"{self.closes:%H:%M}"
        return f"{self.opens:%H:%M}-{closes} {days}"

    def is_open(self, local: datetime, holidays: Iterable[date] = (),
                workdays: Iterable[date] = ()) -> bool:
        """Is the screen on at this local time? Holidays are off, make-up workdays are on."""
        if self.always:
            return True
        assert self.opens is not None and self.closes is not None
        day = local.date()
        if day in set(workdays):
            working = True
        else:
            working = local.weekday() in self.days and day not in set(holidays)
        if not working:
            return False
        now = local.time().replace(tzinfo=None)
        if self.closes == time(0, 0):  # until midnight
            return now >= self.opens
        if self.opens <= self.closes:
            return self.opens <= now < self.closes
        return now >= self.opens or now < self.closes  # a night shift, e.g. 22:00-06:00


def parse_office_hours(text: str, days: Iterable[str] | None = None) -> OfficeHours:
    """`"07:00-18:00"` (24:00 allowed as an end), or `"always"`; days like `["mon", "tue"]`."""
    day_set = _days(days) if days is not None else frozenset(range(5))
    if text.strip().lower() in ("always", "", "24/7"):
        return OfficeHours(None, None, day_set)
    m = _RANGE.match(text)
    if not m:
        raise UsageError.of("office_hours_form", value=repr(text))
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if (h2, m2) == (24, 0):
        h2 = 0
    if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60):
        raise UsageError.of("office_hours_clock", value=repr(text))
    opens, closes = time(h1, m1), time(h2, m2)
    if opens == closes:
        raise UsageError.of("office_hours_empty", value=repr(text))
    return OfficeHours(opens, closes, day_set)


def _days(names: Iterable[str]) -> frozenset[int]:
    out = set()
    for name in names:
        key = str(name).strip().lower()[:3]
        if key not in DAY_NAMES:
            raise UsageError.of("office_day", value=repr(name), days=", ".join(DAY_NAMES))
        out.add(DAY_NAMES.index(key))
    return frozenset(out)
