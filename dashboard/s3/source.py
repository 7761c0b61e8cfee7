"""The app's source for s3:// data: the local engine over the mirror's copy, told of changes
by the poller and stale while the bucket cannot be reached."""

from __future__ import annotations

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

    def subscribe(self, notify: Callable[[], None]) -> None:
        self.poller.subscribe(notify)

    def refresh(self, paths: Collection[str] | None = None) -> bool:
        changed = super().refresh(paths)
        generation = self.poller.generation
        flipped, self._seen = generation != self._seen, generation
        return changed or flipped  # a new snapshot shows or clears the stale banner

    def snapshot(self, now: datetime) -> Snapshot:
        return self.poller.mark(super().snapshot(now))

    def close(self) -> None:
        self.poller.stop()
        super().close()
