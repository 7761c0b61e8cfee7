"""A clock that starts where `--now` says and then runs at real speed.

In the ordinary app `--now` freezes time to look at one moment. A kiosk frozen in time would
never rotate, dim at night or count down, so `thidua kiosk --now …` starts its clock there and
lets it run (for rehearsals and demos of the 2020 campaign).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta


class RunningClock:
    def __init__(self, start: datetime, monotonic: Callable[[], float] = time.monotonic) -> None:
        if start.tzinfo is None:
            raise ValueError("RunningClock needs an aware datetime")
        self._start = start
        self._monotonic = monotonic
        self._t0 = monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._monotonic() - self._t0)
