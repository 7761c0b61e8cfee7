"""Where the app's snapshots come from. The app and screens only know this protocol, so the
SSH viewers can be fed from another process without changing them."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from dashboard.engine.campaign import Campaign
from dashboard.engine.model import Snapshot, TargetHistory

if TYPE_CHECKING:
    from dashboard.engine.engine import Engine


class SnapshotSource(Protocol):
    """Blocking calls: the app makes them from worker threads, never the UI thread."""

    @property
    def campaign(self) -> Campaign: ...

    @property
    def folder(self) -> Path | None:
        """The folder to watch for changes, or None when the source is told of them."""
        ...

    def subscribe(self, notify: Callable[[], None]) -> None:
        """Call notify, from any thread, whenever new data has reached the source (pushed to
        it). A source that is not told of changes never calls it: the app watches its folder."""
        ...

    def refresh(self, paths: Collection[str] | None = None) -> bool:
        """Catch up with the data; True when snapshots may have changed. paths: only these
        may have changed (what a watcher of `folder` saw), None: anything may have."""
        ...

    def snapshot(self, now: datetime) -> Snapshot: ...

    def history(self, target_id: str, now: datetime) -> TargetHistory: ...

    def close(self) -> None: ...


class EngineSource:
    """An in-process engine over a data folder."""

    def __init__(self, folder: Path, *, grace_seconds: float = 30.0,
                 wall: Callable[[], float] = time.time) -> None:
        from dashboard.engine.engine import Engine  # DuckDB loads only for in-process sources

        self._engine = Engine(folder, grace_seconds=grace_seconds, wall=wall)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def campaign(self) -> Campaign:
        return self._engine.campaign

    @property
    def folder(self) -> Path | None:
        return self._engine.folder

    def subscribe(self, notify: Callable[[], None]) -> None:
        """A local folder is watched by the app, not pushed: nothing to subscribe to."""

    def refresh(self, paths: Collection[str] | None = None) -> bool:
        return self._engine.refresh(paths).changed

    def snapshot(self, now: datetime) -> Snapshot:
        return self._engine.snapshot(now)

    def history(self, target_id: str, now: datetime) -> TargetHistory:
        return self._engine.history(target_id, now)

    def close(self) -> None:
        self._engine.close()
