"""How much the server takes on: new connections per address, and viewer places."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class RateLimiter:
    """At most `per_minute` new connections per address in any 60 s (sliding window)."""

    def __init__(self, per_minute: int, *, monotonic: Callable[[], float] = time.monotonic
                 ) -> None:
        self._limit = per_minute
        self._now = monotonic
        self._seen: dict[str, deque[float]] = {}

    def allow(self, addr: str) -> bool:
        now = self._now()
        q = self._seen.setdefault(addr, deque())
        while q and now - q[0] >= WINDOW_SECONDS:
            q.popleft()
        if len(q) >= self._limit:
            return False
        q.append(now)
        if len(self._seen) > 10_000:  # forget quiet addresses so the table stays small
            for key in [k for k, v in self._seen.items() if not v]:
                del self._seen[key]
        return True


class SessionSlots:
    """Viewer places: one per running viewer, `capacity` in all."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._taken: set[int] = set()
        self._next = 1

    def take(self) -> int | None:
        """A session number, or None when every place is taken."""
        if len(self._taken) >= self.capacity:
            return None
        number = self._next
        self._next += 1
        self._taken.add(number)
        return number

    def give_back(self, number: int) -> None:
        self._taken.discard(number)

    def __len__(self) -> int:
        return len(self._taken)
