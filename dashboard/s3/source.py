"""The app's source for s3:// data: the local engine over the mirror's copy, told of changes
by the poller and stale while the bucket cannot be reached.

The copy changes only through the mirror, which says which files it wrote or removed (and
those another process sharing the copy did): a refresh after a poll lists only their folders
again (a stat per file of those folders), and the app's safety-net rescan lists nothing, where
either would otherwise walk the whole copy (~0.9 s at 100,000 files)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from datetime import datetime

from dashboard.engine.model import Snapshot
from dashboard.s3.poller import Poller
from dashboard.source import EngineSource


class MirrorSource(EngineSource):
    def __init__(self, poller: Poller, *, grace_seconds: float = 30.0) -> None:
        super().__init__(poller.mirror.folder, grace_seconds=grace_seconds)
        self.poller = poller
        self._seen = poller.generation
        self._lock = threading.Lock()
        self._changed: set[str] = set()
        """What the poller changed since the last refresh (absolute paths)."""
        poller.subscribe_changes(self._poller_changed)

    def _poller_changed(self, paths: frozenset[str]) -> None:
        with self._lock:
            self._changed.update(paths)

    def subscribe(self, notify: Callable[[], None]) -> None:
        self.poller.subscribe(notify)

    def refresh(self, paths: Collection[str] | None = None) -> bool:
        """paths None (the app's refresh on the poller's notice, its safety-net rescan):
        what the mirror changed since the last refresh, which is all that can have changed
        in its copy (the first refresh lists it all: the engine has no listing yet)."""
        with self._lock:
            polled, self._changed = self._changed, set()
        paths = polled if paths is None else polled.union(paths)
        named = self.engine.set_unreadable(self.poller.mirror.denied)
        changed = super().refresh(paths) or named
        generation = self.poller.generation
        flipped, self._seen = generation != self._seen, generation
        return changed or flipped  # a new snapshot shows or clears the stale banner

    def snapshot(self, now: datetime) -> Snapshot:
        return self.poller.mark(super().snapshot(now))

    def close(self) -> None:
        self.poller.stop()
        super().close()
