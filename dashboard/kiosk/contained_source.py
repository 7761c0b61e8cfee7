"""A snapshot source whose unexpected failures become ordinary stale-data errors.

The app already keeps the last good data on screen, marked stale, when a refresh raises a
ThiduaError. Anything else raised in the refresh worker would end the app; in a kiosk it is
logged with its traceback and reported as a ThiduaError instead, so the screen says the data
is stale and the next refresh tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from dashboard.engine.campaign import Campaign
from dashboard.engine.errors import ThiduaError
from dashboard.engine.model import Snapshot, TargetHistory
from dashboard.source import SnapshotSource

log = logging.getLogger("thidua.kiosk")
T = TypeVar("T")


class ContainedSource:
    def __init__(self, inner: SnapshotSource) -> None:
        self.inner = inner

    @property
    def campaign(self) -> Campaign:
        return self.inner.campaign

    @property
    def folder(self) -> Path | None:
        return self.inner.folder

    def subscribe(self, notify: Callable[[], None]) -> None:
        self.inner.subscribe(notify)

    def refresh(self, paths: Collection[str] | None = None) -> bool:
        return self._contained("refresh", lambda: self.inner.refresh(paths))

    def snapshot(self, now: datetime) -> Snapshot:
        return self._contained("snapshot", lambda: self.inner.snapshot(now))

    def history(self, target_id: str, now: datetime) -> TargetHistory:
        return self._contained("history", lambda: self.inner.history(target_id, now))

    def close(self) -> None:
        self.inner.close()

    @staticmethod
    def _contained(what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except ThiduaError:
            raise
        except Exception as e:
            log.exception("unexpected error in %s; the last good data stays on screen", what)
            raise ThiduaError(f"{type(e).__name__}: {e}") from e
