"""`thidua kiosk --follow HOST:PORT`: the wall screen joins an SSH server's meetings, read-only.

`thidua serve-ssh --meeting-feed HOST:PORT` streams the meeting's state, one JSON line per
change (`{"type": "meeting", "meeting": {…} | null}`, as the hub sends its viewers); this is
the kiosk's end of it, a MeetingLink that never presents. It reconnects by itself, and a feed
that goes away counts as the meeting ending: the kiosk goes back to rotating.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable

from dashboard.engine import codec
from dashboard.meeting.follow import Meeting, MeetingRefused, SharedView
from dashboard.usage_errors import UsageError

log = logging.getLogger("thidua.kiosk")

RETRY_SECONDS = 3.0
MAX_LINE = 1 << 20


def parse_address(text: str) -> tuple[str, int]:
    """HOST:PORT or [IPv6]:PORT; ValueError with the fix."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise UsageError.of("follow_address", value=repr(text))
    return host.strip("[]"), int(port)


class MeetingFeed:
    def __init__(self, host: str, port: int, *, retry_seconds: float = RETRY_SECONDS) -> None:
        self.address = (host, port)
        self._retry = retry_seconds
        self._notify: list[Callable[[Meeting | None], None]] = []
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.meeting: Meeting | None = None

    # -- MeetingLink -----------------------------------------------------------------------

    @property
    def can_present(self) -> bool:
        return False

    def subscribe_meeting(self, notify: Callable[[Meeting | None], None]) -> None:
        self._notify.append(notify)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="thidua-meeting-feed",
                                            daemon=True)
            self._thread.start()

    def start_meeting(self, view: SharedView) -> None:
        raise MeetingRefused("not_presenter")

    def publish_view(self, view: SharedView) -> None:
        pass  # a kiosk never presents

    def end_meeting(self) -> None:
        pass

    def close(self) -> None:
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # -- the stream ------------------------------------------------------------------------

    def _run(self) -> None:
        said_down = False
        while not self._stop.is_set():
            try:
                with socket.create_connection(self.address, timeout=5.0) as sock:
                    sock.settimeout(None)
                    self._sock = sock
                    log.info("meeting feed: connected to %s:%d", *self.address)
                    said_down = False
                    self._read(sock)
            except OSError as e:
                if not said_down:
                    log.warning("meeting feed %s:%d: %s (trying again every %g s)",
                                *self.address, e.strerror or e, self._retry)
                    said_down = True
            finally:
                self._sock = None
            if self.meeting is not None:  # the server went: so did its meeting
                self._tell(None)
            self._stop.wait(self._retry)

    def _read(self, sock: socket.socket) -> None:
        lines = sock.makefile("rb")
        while not self._stop.is_set():
            line = lines.readline(MAX_LINE)
            if not line:
                return
            try:
                msg = json.loads(line)
                if not isinstance(msg, dict) or msg.get("type") != "meeting":
                    continue
                raw = msg.get("meeting")
                meeting = None if raw is None else codec.decode(Meeting, raw)
            except (ValueError, codec.CodecError) as e:
                log.warning("meeting feed: a line that does not read (%s)", e)
                continue
            self._tell(meeting)

    def _tell(self, meeting: Meeting | None) -> None:
        self.meeting = meeting
        for notify in self._notify:
            notify(meeting)
