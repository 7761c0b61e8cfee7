"""The campaign's working-day calendar: Mon–Fri, minus holidays, plus make-up days."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkCalendar:
    """Working days of one campaign, sorted, for O(log n) counting."""

    start: date
    end: date
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    days: tuple[date, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(_working_days(
            self.start, self.end, self.holidays, self.makeup_workdays)))

    @property
    def total(self) -> int:
        return len(self.days)

    def done_by(self, day: date) -> int:
        """Working days d with d <= day."""
        return bisect.bisect_right(self.days, day)

    def left_after(self, day: date) -> int:
        """Working days d with day < d <= end."""
        return self.total - self.done_by(day)


def _working_days(
    start: date, end: date, holidays: Iterable[date], makeup: Iterable[date]
) -> list[date]:
    off = set(holidays)
    extra = {d for d in makeup if start <= d <= end}
    out: list[date] = []
    d = start
    while d <= end:
        if (d.weekday() < 5 and d not in off) or d in extra:
            out.append(d)
        d += timedelta(days=1)
    return out
