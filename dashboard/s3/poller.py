"""The live side of a mirror: a thread that re-lists the bucket every few seconds.

When nothing changed a poll is one listing and nothing else; a listing that takes long (a
large bucket) spaces the polls out (POLL_SHARE). When objects came, changed or
left, the copy is updated (the app's folder watcher sees it) and the subscribers are told.
A poll that fails keeps the copy and makes every snapshot stale (`mark`) until one succeeds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from dashboard.clock import Clock, SystemClock
from dashboard.engine.model import Snapshot
from dashboard.s3.mirror import BucketUnreachable, Mirror

log = logging.getLogger("thidua.s3")

DEFAULT_POLL_SECONDS = 5.0
POLL_SHARE = 0.2
"""A poll takes at most this share of the time: a listing is ~40 ms of CPU per 1,000 objects
(bench/s3_bench.py --scale), so a bucket of 100,000 is listed about every 4 × its listing's
time instead of every 5 s, which would keep a core busy."""


class Poller:
    def __init__(self, mirror: Mirror, interval: float = DEFAULT_POLL_SECONDS, *,
                 unreachable: str | None = None, last_ok: datetime | None = None,
                 clock: Clock | None = None) -> None:
        """unreachable: the bucket could not be reached at start (the copy is `last_ok`'s)."""
        self.mirror = mirror
        self.interval = max(0.2, interval)
        self.polls = 0
        self.generation = 0
        """Goes up each time the bucket goes unreachable or comes back."""
        self._clock = clock or SystemClock()
        """The wall clock: when the copy last matched the bucket (stale since…)."""
        self._error: str | None = unreachable
        self._last_ok: datetime = last_ok or self._clock.now()
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def error(self) -> str | None:
        return self._error

    def subscribe(self, notify: Callable[[], None]) -> None:
        """notify() from the poll thread after the copy changed or the bucket's state did."""
        with self._lock:
            self._listeners.append(notify)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="thidua-s3-poll",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def poll_once(self) -> bool:
        """One sync; True when the copy or the bucket's state changed."""
        self.polls += 1
        try:
            result = self.mirror.sync()
        except BucketUnreachable as e:
            flipped = self._error is None
            if flipped:
                log.warning("%s; showing the copy from %s", e, self._last_ok)
            self._error = str(e)
            if flipped:
                self.generation += 1
            return flipped
        flipped = self._error is not None
        if flipped:
            log.info("bucket %s reachable again", self.mirror.url)
            self._error = None
            self.generation += 1
        self._last_ok = self._clock.now()
        return flipped or result.changed

    def mark(self, snap: Snapshot) -> Snapshot:
        """The snapshot as stale while the bucket cannot be reached."""
        error = self._error
        if error is None:
            return snap
        return replace(snap, error=error, stale_since=snap.stale_since or self._last_ok)

    def _run(self) -> None:
        wait = self.interval
        while not self._stop.wait(wait):
            started = time.monotonic()
            changed = self.poll_once()
            spent = time.monotonic() - started
            # an outage is looked at every interval: the bucket back is seen soon
            wait = self.interval if self._error else max(
                self.interval, spent * (1 - POLL_SHARE) / POLL_SHARE)
            if changed:
                with self._lock:
                    listeners = list(self._listeners)
                for notify in listeners:
                    notify()
