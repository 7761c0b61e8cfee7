"""The one engine of an SSH server, shared by every viewer.

One watcher and one DuckDB connection per server: each data change is refreshed and turned
into a live snapshot once, encoded once, and the same bytes are streamed to every viewer over
a Unix socket. Viewers that travel in time ask here too; answers are cached per instant until
the next data change, so N viewers looking at the same day cost one query.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from dashboard.clock import Clock
from dashboard.engine import codec
from dashboard.engine.engine import GRACE_SECONDS, Engine, RefreshReport
from dashboard.engine.errors import ThiduaError
from dashboard.meeting.follow import Meeting, SharedView
from dashboard.refresh_scheduler import Refresh, RefreshScheduler
from dashboard.ssh import protocol

log = logging.getLogger("thidua.ssh.hub")
T = TypeVar("T")

PAST_CACHE = 256
"""Past instants kept (each ~25 kB of JSON): a day per campaign day, with room to spare."""


@dataclass
class HubStats:
    """Counters for tests and the benchmark: what N viewers cost the engine."""

    refreshes: int = 0
    """engine.refresh() calls (watcher events and the safety-net rescan)."""
    changes: int = 0
    """Refreshes that found something new."""
    live_snapshots: int = 0
    """Live snapshots computed (once per change, whatever the number of viewers)."""
    past_snapshots: int = 0
    past_hits: int = 0
    histories: int = 0
    pushes: int = 0
    """Snapshot lines handed to viewers."""


class _Viewer:
    """One connected viewer: replies in order, pushes coalesced to the latest.

    A viewer that reads slowly never makes the hub buffer a backlog of snapshots: only the
    newest one waits for it.
    """

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._replies: deque[bytes] = deque()
        self._latest: bytes | None = None
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._send_loop())

    def send(self, data: bytes) -> None:
        self._replies.append(data)
        self._wake.set()

    def send_latest(self, data: bytes) -> None:
        self._latest = data
        self._wake.set()

    async def _send_loop(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while self._replies:
                    self._writer.write(self._replies.popleft())
                if self._latest is not None:
                    self._writer.write(self._latest)
                    self._latest = None
                await self._writer.drain()
        except (ConnectionError, OSError):
            self._writer.close()

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()


class Hub:
    def __init__(self, folder: Path, socket_path: Path, *, clock: Clock,
                 watch: bool = True, rescan_seconds: float = 3.0,
                 live_seconds: float = 30.0, grace_seconds: float = GRACE_SECONDS,
                 freshness: Any = None, meeting_title: str | None = None) -> None:
        self.folder = folder
        self._freshness = freshness
        """s3:// data: the mirror's poller (kicks on new objects, marks snapshots stale)."""
        self._freshness_seen = freshness.generation if freshness is not None else 0
        self.socket_path = socket_path
        self.stats = HubStats()
        self._clock = clock
        self._watch = watch
        self._rescan_seconds = rescan_seconds
        self._grace = grace_seconds
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="thidua-engine")
        """The engine's one thread: refreshes and queries never overlap."""
        self._engine: Engine | None = None
        self._viewers: set[_Viewer] = set()
        self._campaign_json = b""
        self._campaign_ref: object = None
        self._live: bytes = b""
        self._live_as_of: datetime | None = None
        self._past: OrderedDict[str, asyncio.Task[bytes]] = OrderedDict()
        self._histories: OrderedDict[str, asyncio.Task[bytes]] = OrderedDict()
        self._scheduler = RefreshScheduler(
            self._start_update, requery_seconds=live_seconds,
            clock=lambda: self._clock.now().timestamp())
        """Kicks while a refresh runs become one more refresh; the live view ages by the
        data clock (a fixed --now never needs a new query)."""
        self._updater: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()
        self._server: asyncio.AbstractServer | None = None
        self.meeting_title = meeting_title
        self._presenters: dict[str, str] = {}
        """Token → presenter name: the server gives a token to each presenter's viewer."""
        self._meeting: Meeting | None = None
        self._presenter: _Viewer | None = None
        self._meeting_line = protocol.meeting(b"null")
        self._meeting_watchers: list[Callable[[bytes], None]] = []

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the campaign and its first snapshot, then listen. CampaignError stops here."""
        self._engine = await self._run(lambda: Engine(self.folder, grace_seconds=self._grace))
        await self._run(self.engine.refresh)
        self.stats.refreshes += 1
        await self._publish()
        self._server = await asyncio.start_unix_server(
            self._serve_viewer, path=str(self.socket_path), limit=protocol.MAX_LINE)
        os.chmod(self.socket_path, 0o600)
        self._tasks.append(asyncio.create_task(self._periodic()))
        if self._watch:
            self._tasks.append(asyncio.create_task(self._watch_folder()))
        if self._freshness is not None:
            loop = asyncio.get_running_loop()

            def kick_soon(paths: frozenset[str]) -> None:  # from the poll thread
                with contextlib.suppress(RuntimeError):  # the loop may be closing
                    loop.call_soon_threadsafe(functools.partial(self.kick, paths=paths))

            # the copy changes only through the mirror, which names what it changed: a
            # refresh lists only those folders (empty: the bucket's state changed), not the
            # whole copy (~0.9 s at 100,000 files)
            self._freshness.subscribe_changes(kick_soon)

    async def close(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()
        for viewer in list(self._viewers):
            await viewer.close()
        for task in [*self._tasks, *([self._updater] if self._updater else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._engine is not None:
            await self._run(self._engine.close)
        self._pool.shutdown(wait=True)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()

    @property
    def engine(self) -> Engine:
        assert self._engine is not None, "Hub.start() first"
        return self._engine

    @property
    def viewers(self) -> int:
        return len(self._viewers)

    # -- keeping up with the data ----------------------------------------------------------

    def kick(self, *, requery: bool = False, paths: frozenset[str] | None = None) -> None:
        """Something may have changed (paths: only these): refresh once, however many events
        came in meanwhile."""
        self._scheduler.request(requery=requery, paths=paths)

    def _start_update(self, refresh: Refresh) -> None:
        self._updater = asyncio.create_task(self._update(refresh))

    async def _update(self, refresh: Refresh) -> None:
        try:
            if not self._stop.is_set():
                await self._update_once(refresh.requery, refresh.paths)
        finally:
            if not self._stop.is_set():
                self._scheduler.finished()

    async def _update_once(self, requery: bool, paths: frozenset[str] | None = None) -> None:
        started, queries = time.perf_counter(), self.engine.queries
        freshness = self._freshness

        def refresh() -> tuple[bool, RefreshReport]:
            # s3://: the objects the bucket would not hand over are named with the files
            named = freshness is not None and self.engine.set_unreadable(
                freshness.mirror.denied)
            return named, self.engine.refresh(paths)

        try:
            named, report = await self._run(refresh)
        except ThiduaError as e:  # only when nothing usable was ever loaded
            log.error("refresh failed: %s", e)
            return
        self.stats.refreshes += 1
        if named:
            report = replace(report, changed=True)
        if report.changed:
            self.stats.changes += 1
            self._past.clear()
            self._histories.clear()
        flipped = False
        if self._freshness is not None:  # the bucket went unreachable or came back
            flipped = self._freshness.generation != self._freshness_seen
            self._freshness_seen = self._freshness.generation
        if report.changed or requery or flipped:
            await self._publish()
        if report.changed:
            log.info("data changed: 1 refresh + 1 snapshot, %d engine queries, pushed to "
                     "%d viewer(s) in %.0f ms", self.engine.queries - queries,
                     len(self._viewers), (time.perf_counter() - started) * 1000)

    async def _publish(self) -> None:
        started = time.perf_counter()
        queries = self.engine.queries
        now = self._clock.now()
        try:
            snap = await self._run(lambda: self.engine.snapshot(now))
        except ThiduaError as e:
            log.error("live snapshot failed: %s", e)
            return
        if self._freshness is not None:
            snap = self._freshness.mark(snap)
        self.stats.live_snapshots += 1
        self._scheduler.queried()
        campaign = self.engine.campaign
        if campaign is not self._campaign_ref:
            self._campaign_json = codec.to_json(campaign).encode()
            self._campaign_ref = campaign
        self._live = codec.to_json(snap).encode()
        self._live_as_of = snap.as_of
        line = protocol.push(self._campaign_json, self._live)
        for viewer in self._viewers:
            viewer.send_latest(line)
        self.stats.pushes += len(self._viewers)
        log.debug("snapshot pushed to %d viewer(s) in %.0f ms (engine queries +%d)",
                  len(self._viewers), (time.perf_counter() - started) * 1000,
                  self.engine.queries - queries)

    async def _periodic(self) -> None:
        """The safety-net rescan, and a fresh live snapshot now and then as time moves on."""
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self._rescan_seconds)
            if self._stop.is_set():
                return
            self._scheduler.periodic()

    async def _watch_folder(self) -> None:
        from dashboard.watcher import watch_folder

        await watch_folder(self.engine.folder, lambda paths: self.kick(paths=paths), self._stop)

    # -- viewers ---------------------------------------------------------------------------

    async def _serve_viewer(self, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
        viewer = _Viewer(writer)
        self._viewers.add(viewer)
        viewer.send(protocol.push(self._campaign_json, self._live, kind="hello"))
        if self._meeting is not None:
            viewer.send(self._meeting_line)
        pending: set[asyncio.Task[None]] = set()
        try:
            while line := await reader.readline():
                task = asyncio.create_task(self._answer(viewer, line))
                pending.add(task)
                task.add_done_callback(pending.discard)
        except (ConnectionError, OSError, ValueError):
            pass  # a viewer that died or sent garbage: drop it, the others carry on
        finally:
            self._viewers.discard(viewer)
            if viewer is self._presenter:
                self._set_meeting(None, None)  # the presenter left: the meeting is over
            for task in pending:
                task.cancel()
            await viewer.close()

    async def _answer(self, viewer: _Viewer, line: bytes) -> None:
        try:
            msg = json.loads(line)
            request_id = int(msg["id"])
        except (ValueError, KeyError, TypeError):
            return
        if not isinstance(msg, dict):
            return
        if str(msg.get("op", "")).startswith("meeting_"):
            viewer.send(self._meeting_op(viewer, request_id, msg))
            return
        try:
            as_of = codec.decode(datetime, msg.get("as_of"))
            if msg.get("op") == "snapshot":
                value = await self._snapshot_at(as_of)
            elif msg.get("op") == "history":
                value = await self._history(str(msg["target_id"]), as_of)
            else:
                viewer.send(protocol.failure(request_id, f"unknown op {msg.get('op')!r}"))
                return
        except (ThiduaError, codec.CodecError, KeyError) as e:
            viewer.send(protocol.failure(request_id, str(e)))
            return
        viewer.send(protocol.reply(request_id, value))

    # -- meeting mode ----------------------------------------------------------------------

    @property
    def meeting(self) -> Meeting | None:
        return self._meeting

    def register_presenter(self, name: str) -> str:
        """A token for a presenter's viewer (passed on its command line, never to the user)."""
        token = secrets.token_hex(24)
        self._presenters[token] = name
        return token

    def forget_presenter(self, token: str) -> None:
        self._presenters.pop(token, None)

    def watch_meeting(self, notify: Callable[[bytes], None]) -> Callable[[], None]:
        """notify(line) now and on every change of the meeting (the kiosks' feed); returns
        the function that stops it."""
        self._meeting_watchers.append(notify)
        notify(self._meeting_line)

        def stop() -> None:
            if notify in self._meeting_watchers:
                self._meeting_watchers.remove(notify)
        return stop

    def _meeting_op(self, viewer: _Viewer, request_id: int, msg: dict[str, object]) -> bytes:
        op = msg.get("op")
        if op == "meeting_end":
            if viewer is self._presenter:
                self._set_meeting(None, None)
            return protocol.reply(request_id, b"true")
        try:
            view = codec.decode(SharedView, msg.get("view"))
        except codec.CodecError as e:
            return protocol.failure(request_id, f"bad view ({e})")
        if op == "meeting_start":
            name = self._presenters.get(str(msg.get("token", "")))
            if name is None:
                log.warning("refused a meeting to a viewer without a presenter key")
                return protocol.failure(request_id, "not_presenter")
            if self._meeting is not None and viewer is not self._presenter:
                return protocol.failure(request_id, "busy:" + self._meeting.presenter)
            title = self.meeting_title
            self._set_meeting(viewer, Meeting(title, name, self._clock.now(), view))
        elif op == "meeting_view":
            if viewer is not self._presenter or self._meeting is None:
                return protocol.failure(request_id, "not_presenter")
            self._set_meeting(viewer, replace(self._meeting, view=view))
        else:
            return protocol.failure(request_id, f"unknown op {op!r}")
        return protocol.reply(request_id, b"true")

    def _set_meeting(self, presenter: _Viewer | None, meeting: Meeting | None) -> None:
        if meeting is not None and self._meeting is None:
            log.info("meeting started by %r", meeting.presenter)
        elif meeting is None and self._meeting is not None:
            log.info("meeting ended (presenter %r)", self._meeting.presenter)
        self._presenter, self._meeting = presenter, meeting
        self._meeting_line = protocol.meeting(
            codec.to_json(meeting).encode() if meeting else b"null")
        for each in self._viewers:
            each.send(self._meeting_line)
        for notify in list(self._meeting_watchers):
            notify(self._meeting_line)

    async def _snapshot_at(self, as_of: datetime) -> bytes:
        if as_of == self._live_as_of:
            return self._live
        freshness = self._freshness
        # a past instant from the copy is stale like the live view while the bucket cannot be
        # reached (its numbers are right, but the copy may be behind the bucket): the
        # bucket's generation is in the key, so an outage or its end is never served stale
        generation = freshness.generation if freshness is not None else 0
        key = f"{generation}@{as_of.astimezone(UTC).isoformat()}"

        async def compute() -> bytes:
            self.stats.past_snapshots += 1
            snap = await self._run(lambda: self.engine.snapshot(as_of))
            if freshness is not None:
                snap = freshness.mark(snap)
            return codec.to_json(snap).encode()

        return await self._cached(self._past, key, compute)

    async def _history(self, target_id: str, as_of: datetime) -> bytes:
        key = f"{target_id}@{as_of.astimezone(UTC).isoformat()}"

        async def compute() -> bytes:
            self.stats.histories += 1
            history = await self._run(lambda: self.engine.history(target_id, as_of))
            return codec.to_json(history).encode()

        return await self._cached(self._histories, key, compute)

    async def _cached(self, cache: OrderedDict[str, asyncio.Task[bytes]], key: str,
                      compute: Callable[[], Awaitable[bytes]]) -> bytes:
        """One computation per key, shared by every viewer asking meanwhile or later."""
        task = cache.get(key)
        if task is None:
            task = asyncio.ensure_future(compute())
            cache[key] = task
            while len(cache) > PAST_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
            if cache is self._past:
                self.stats.past_hits += 1
        try:
            return await asyncio.shield(task)
        except ThiduaError:
            if cache.get(key) is task:
                del cache[key]
            raise

    async def _run(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn)

