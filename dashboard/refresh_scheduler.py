"""When to refresh: one at a time, bursts coalesced, and the live view re-queried as it ages.

Every front end needs the same answer: the app (a Textual thread worker per refresh) and the
SSH hub (an asyncio task on the engine's thread) both start refreshes through this, and tell it
when one has finished. No Textual, no asyncio, no I/O: it only decides.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

WALK_SHARE = 0.005
"""The safety-net rescan lists the whole folder (a stat per file) at most this share of the
time: every period while that costs little, less often in a folder of 100,000 files (a 0.6 s
walk: every 2 minutes), so that an idle dashboard stays under 2 % of a core. The watcher's
events list only their folders again; in between, a periodic refresh lists nothing."""


@dataclass(frozen=True)
class Refresh:
    """What one refresh does."""

    rescan: bool
    """Look at the data for changed files."""
    requery: bool
    """Compute a new snapshot even when no file changed (the as-of instant moved)."""
    paths: frozenset[str] | None = None
    """With rescan: only these paths may have changed (the watcher's), or None: look at
    everything. An empty set looks again only at files waiting for their grace period."""


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
        self._walk_started: float | None = None
        self._walk_seconds = 0.0
        self._last_walk = clock()
        self.started = 0
        """Refreshes started so far."""

    @property
    def running(self) -> bool:
        return self._running

    @property
    def waiting(self) -> Refresh | None:
        """The refresh that will follow the running one, if any was asked for."""
        return self._next

    def request(self, *, rescan: bool = True, requery: bool = False,
                paths: frozenset[str] | None = None) -> None:
        """Start a refresh now, or after the running one (merged with other requests).

        paths: what the watcher saw change (None: anything may have)."""
        wanted = Refresh(rescan, requery, paths if rescan else None)
        if self._running:
            self._next = _merge(self._next, wanted)
            return
        self._launch(wanted)

    def finished(self) -> None:
        """The running refresh has ended, well or not: start the one that waited, if any."""
        self._running = False
        if self._walk_started is not None:
            self._last_walk = self._clock()
            self._walk_seconds = self._last_walk - self._walk_started
            self._walk_started = None
        follow, self._next = self._next, None
        if follow is not None:
            self._launch(follow)

    def periodic(self, *, live: bool = True) -> None:
        """The rescan timer fired: rescan, and re-query when live and the last query is old."""
        now = self._clock()
        aged = now - self._last_query >= self.requery_seconds
        walk = now - self._last_walk >= self._walk_seconds / WALK_SHARE
        self.request(rescan=True, requery=live and aged, paths=None if walk else frozenset())

    def queried(self) -> None:
        """A live snapshot was computed just now (new data brought one): its age starts again."""
        self._last_query = self._clock()

    def _launch(self, refresh: Refresh) -> None:
        self._running = True
        self.started += 1
        if refresh.requery:
            self._last_query = self._clock()
        if refresh.rescan and refresh.paths is None:
            self._walk_started = self._clock()  # its time sets how often the next may come
        self._start(refresh)


def _merge(a: Refresh | None, b: Refresh) -> Refresh:
    if a is None:
        return b
    paths = None
    if not (a.rescan and a.paths is None) and not (b.rescan and b.paths is None):
        paths = (a.paths or frozenset()) | (b.paths or frozenset())
    return Refresh(a.rescan or b.rescan, a.requery or b.requery,
                   paths if a.rescan or b.rescan else None)
