"""When to refresh: one at a time, bursts coalesced, and the live view re-queried as it ages.

Every front end needs the same answer: the app (a Textual thread worker per refresh) and the
SSH hub (an asyncio task on the engine's thread) both start refreshes through this, and tell it
when one has finished. No Textual, no asyncio, no I/O: it only decides.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Refresh:
    """What one refresh does."""

    rescan: bool
    """Look at the data for changed files."""
    requery: bool
    """Compute a new snapshot even when no file changed (the as-of instant moved)."""


class RefreshScheduler:
    """Refreshes never overlap: a request while one runs is kept (merged with any others) and
    starts when it finishes. `periodic()` is the safety-net rescan, and re-queries the live
    view once its last query is `requery_seconds` old.

    Call every method from one thread (the UI thread, the event loop).
    """

    def __init__(self, start: Callable[[Refresh], None], *, requery_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._start = start
        self.requery_seconds = requery_seconds
        self._clock = clock
        self._running = False
        self._next: Refresh | None = None
        self._last_query = clock()
        self.started = 0
        """Refreshes started so far."""

    @property
    def running(self) -> bool:
        return self._running

    @property
    def waiting(self) -> Refresh | None:
        """The refresh that will follow the running one, if any was asked for."""
        return self._next

    def request(self, *, rescan: bool = True, requery: bool = False) -> None:
        """Start a refresh now, or after the running one (merged with other requests)."""
        wanted = Refresh(rescan, requery)
        if self._running:
            self._next = _merge(self._next, wanted)
            return
        self._launch(wanted)

    def finished(self) -> None:
        """The running refresh has ended, well or not: start the one that waited, if any."""
        self._running = False
        follow, self._next = self._next, None
        if follow is not None:
            self._launch(follow)

    def periodic(self, *, live: bool = True) -> None:
        """The rescan timer fired: rescan, and re-query when live and the last query is old."""
        aged = self._clock() - self._last_query >= self.requery_seconds
        self.request(rescan=True, requery=live and aged)

    def queried(self) -> None:
        """A live snapshot was computed just now (new data brought one): its age starts again."""
        self._last_query = self._clock()

    def _launch(self, refresh: Refresh) -> None:
        self._running = True
        self.started += 1
        if refresh.requery:
            self._last_query = self._clock()
        self._start(refresh)


def _merge(a: Refresh | None, b: Refresh) -> Refresh:
    if a is None:
        return b
    return Refresh(a.rescan or b.rescan, a.requery or b.requery)
