"""The live side of a mirror: a thread that re-lists the bucket every few seconds.

When nothing changed a poll is one listing and nothing else (its pages hashed, not parsed); a
listing that takes long (a large bucket) spaces the polls out (POLL_SHARE, POLL_CPU_SHARE).
When objects came, changed or left, the copy is updated and the subscribers are told (those of
`subscribe_changes` which files: the engine lists only their folders again).
A poll that fails keeps the copy and makes every snapshot stale (`mark`) until one succeeds.
"""

from __future__ import annotations

import logging
import os
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
"""A poll takes at most this share of the time (wall): a bucket of 100,000 objects, whose
listing takes seconds of waiting on the server, is listed about every 4 × its listing's time."""
POLL_CPU_SHARE = 0.01
"""...and, when nothing changed, at most this share of a core: an idle poll is ~1.4 ms of CPU
per 1,000 objects (bench/s3_bench.py --scale), so this spaces polls out only past ~35,000
objects at 5 s and keeps an idle dashboard under issue 14's 2 % whatever the bucket's size."""


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
        self._change_listeners: list[Callable[[frozenset[str]], None]] = []
        self.last_paths: frozenset[str] = frozenset()
        """The copy's files (absolute paths) the last poll wrote or removed."""
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

    def subscribe_changes(self, notify: Callable[[frozenset[str]], None]) -> None:
        """notify(paths) from the poll thread, before the `subscribe` ones, after each poll
        that changed the copy (paths: its files written or removed, absolute) or the
        bucket's state (paths empty)."""
        with self._lock:
            self._change_listeners.append(notify)

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
        self.last_paths = frozenset()
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
        folder = str(self.mirror.folder)
        self.last_paths = frozenset(os.path.join(folder, rel) for rel in result.paths)
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
            started, cpu = time.monotonic(), time.thread_time()
            changed = self.poll_once()
            spent, cpu = time.monotonic() - started, time.thread_time() - cpu
            # an outage is looked at every interval: the bucket back is seen soon; after a poll
            # that brought something, the next comes at the interval (more may be coming)
            wait = self.interval if self._error or changed else max(
                self.interval, spent * (1 - POLL_SHARE) / POLL_SHARE,
                cpu / POLL_CPU_SHARE - spent)
            if changed:
                with self._lock:
                    change_listeners = list(self._change_listeners)
                    listeners = list(self._listeners)
                for tell in change_listeners:
                    tell(self.last_paths)
                for notify in listeners:
                    notify()
