"""Time comes from here: nothing else calls datetime.now() (tests inject their own clock)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from dashboard.usage_errors import UsageError


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move (for --now, time travel and tests)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = at

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._at += delta


def parse_instant(text: str, tz: tzinfo, option: str = "--now") -> datetime:
    """ISO 8601 from the command line. A naive time is campaign-local; a bare date means the
    end of that day (23:59:59 local), so `--now 2020-07-01` shows the campaign as 01/7 closed."""
    text = text.strip()
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime.combine(d, time(23, 59, 59), tz)
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError.of("not_an_instant", option=option, value=repr(text)) from None
    return t.replace(tzinfo=tz) if t.tzinfo is None else t
