"""A SnapshotSource fed by the server's hub, for viewer processes (no DuckDB here).

The hub pushes a live snapshot whenever the data changes; refresh() says whether one arrived
since the app last asked, and snapshot(now) hands it over while the app looks at the present.
A look at the past (or a drill-down) is a request on the same socket, answered from the hub's
per-instant cache. Calls block: the app makes them from worker threads.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from dashboard.clock import Clock
from dashboard.engine import codec
from dashboard.engine.campaign import Campaign
from dashboard.engine.errors import EngineError
from dashboard.engine.model import Snapshot, TargetHistory
from dashboard.meeting.follow import Meeting, MeetingRefused, SharedView
from dashboard.ssh import protocol

LIVE_WINDOW_SECONDS = 5.0
"""A request within this of the clock is the present: the pushed snapshot answers it."""


T = TypeVar("T")

class HubLost(EngineError):
    """The server's hub went away (the server is stopping)."""


class RemoteSource:
    def __init__(self, socket_path: Path, clock: Clock, *, timeout: float = 30.0,
                 on_lost: Callable[[], None] | None = None,
                 presenter_token: str | None = None) -> None:
        """on_lost is called (from the reader thread) when the hub goes; presenter_token is
        what the server gave a viewer whose user may start a meeting."""
        self._clock = clock
        self._token = presenter_token
        self._on_meeting: list[Callable[[Meeting | None], None]] = []
        self.meeting: Meeting | None = None
        self._timeout = timeout
        self._on_push: list[Callable[[], None]] = []
        self._on_lost = on_lost
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.settimeout(timeout)
            self._sock.connect(str(socket_path))
            self._sock.settimeout(None)
        except OSError as e:
            self._sock.close()
            raise HubLost(f"cannot reach the dashboard server ({e.strerror or e})") from None
        self._lines = self._sock.makefile("rb")
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, Future[Any]] = {}
        self._lost: str | None = None
        self._fresh = False
        self._closing = False
        self.pushes = 0
        hello = self._read()
        if hello is None or hello.get("type") != "hello":
            self.close()
            raise HubLost("the dashboard server did not say hello")
        self._campaign: Campaign = codec.decode(Campaign, hello["campaign"])
        self._live: Snapshot = codec.decode(Snapshot, hello["snapshot"])
        self._reader = threading.Thread(target=self._read_loop, name="thidua-hub-reader",
                                        daemon=True)
        self._reader.start()

    # -- SnapshotSource --------------------------------------------------------------------

    @property
    def campaign(self) -> Campaign:
        with self._lock:
            return self._campaign

    @property
    def folder(self) -> Path | None:
        return None  # pushed: the app's own watcher stays off

    def subscribe(self, notify: Callable[[], None]) -> None:
        """Each pushed snapshot calls notify (from the reader thread): the app asks for it at
        once rather than at its next poll."""
        self._on_push.append(notify)

    def refresh(self, paths: Collection[str] | None = None) -> bool:
        """paths: unused (the hub watches the folder, this source is pushed to)."""
        with self._lock:
            fresh, self._fresh = self._fresh, False
            lost = self._lost
        if lost is not None and not fresh:
            raise HubLost(lost)
        return fresh

    def snapshot(self, now: datetime) -> Snapshot:
        if self._is_live(now):
            with self._lock:
                return self._live
        value = self._call("snapshot", as_of=codec.encode(now))
        return _decoded(Snapshot, value)

    def history(self, target_id: str, now: datetime) -> TargetHistory:
        if self._is_live(now):
            with self._lock:
                now = self._live.as_of  # the same instant for every live viewer: one query
        value = self._call("history", target_id=target_id, as_of=codec.encode(now))
        return _decoded(TargetHistory, value)

    # -- MeetingLink -----------------------------------------------------------------------

    @property
    def can_present(self) -> bool:
        return self._token is not None

    def subscribe_meeting(self, notify: Callable[[Meeting | None], None]) -> None:
        self._on_meeting.append(notify)
        with self._lock:
            meeting = self.meeting
        if meeting is not None:
            notify(meeting)

    def start_meeting(self, view: SharedView) -> None:
        try:
            self._call("meeting_start", token=self._token or "", view=codec.encode(view))
        except HubLost:
            raise
        except EngineError as e:
            reason, _, presenter = str(e).partition(":")
            if reason in ("not_presenter", "busy"):
                raise MeetingRefused(reason, presenter) from None
            raise

    def publish_view(self, view: SharedView) -> None:
        self._send("meeting_view", view=codec.encode(view))

    def end_meeting(self) -> None:
        self._send("meeting_end")

    def close(self) -> None:
        self._closing = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()

    # -- the stream ------------------------------------------------------------------------

    def _is_live(self, now: datetime) -> bool:
        return abs((now - self._clock.now()).total_seconds()) < LIVE_WINDOW_SECONDS

    def _call(self, op: str, **fields: Any) -> Any:
        request_id = next(self._ids)
        answer: Future[Any] = Future()
        with self._lock:
            if self._lost is not None:
                raise HubLost(self._lost)
            self._waiting[request_id] = answer
        try:
            with self._send_lock:
                self._sock.sendall(protocol.request(request_id, op, **fields))
            return answer.result(self._timeout)
        except FutureTimeout:
            raise EngineError(f"the dashboard server did not answer within "
                              f"{self._timeout:.0f} s") from None
        except OSError as e:
            raise HubLost(f"lost the dashboard server ({e.strerror or e})") from None
        finally:
            with self._lock:
                self._waiting.pop(request_id, None)

    def _send(self, op: str, **fields: Any) -> None:
        """A request whose answer nobody waits for."""
        try:
            with self._send_lock:
                self._sock.sendall(protocol.request(next(self._ids), op, **fields))
        except OSError as e:
            raise HubLost(f"lost the dashboard server ({e.strerror or e})") from None

    def _read(self) -> dict[str, Any] | None:
        line = self._lines.readline(protocol.MAX_LINE)
        if not line:
            return None
        msg = json.loads(line)
        return msg if isinstance(msg, dict) else {}

    def _read_loop(self) -> None:
        reason = "the dashboard server has stopped"
        try:
            while (msg := self._read()) is not None:
                self._dispatch(msg)
        except (OSError, ValueError, codec.CodecError) as e:
            reason = f"lost the dashboard server ({e})"
        with self._lock:
            self._lost = reason
            waiting = list(self._waiting.values())
        for answer in waiting:
            if not answer.done():
                answer.set_exception(HubLost(reason))
        if self._on_lost is not None and not self._closing:
            self._on_lost()

    def _dispatch(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "push":
            campaign = codec.decode(Campaign, msg["campaign"])
            snap = codec.decode(Snapshot, msg["snapshot"])
            with self._lock:
                self._campaign, self._live, self._fresh = campaign, snap, True
                self.pushes += 1
            for notify in self._on_push:
                notify()
        elif kind == "meeting":
            raw = msg.get("meeting")
            meeting = None if raw is None else codec.decode(Meeting, raw)
            with self._lock:
                self.meeting = meeting
            for heard in self._on_meeting:
                heard(meeting)
        elif kind == "reply":
            with self._lock:
                answer = self._waiting.get(int(msg["id"]))
            if answer is None or answer.done():
                return
            if "error" in msg:
                answer.set_exception(EngineError(str(msg["error"])))
            else:
                answer.set_result(msg.get("value"))


def _decoded(cls: type[T], value: Any) -> T:
    """An answer that does not fit its type is the server's error, not the viewer's crash."""
    try:
        decoded: T = codec.decode(cls, value)
    except codec.CodecError as e:
        raise EngineError(f"the dashboard server sent a broken answer ({e})") from None
    return decoded
