"""One SSH session: a PTY shell request, and nothing else, runs one viewer process.

The viewer gets its own pty (the client's size, then every resize), an environment built
from an allow-list, and the hub's socket. When the client goes, the viewer gets SIGTERM and,
a few seconds later, SIGKILL. When the viewer goes (`q`), the session ends with its exit code.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncssh

from dashboard.ssh.env import viewer_env
from dashboard.ssh.pty_bridge import PtyBridge, set_window_size
from dashboard.ssh.session_host import SessionHost
from dashboard.ssh.spawner import SpawnError, ViewerChild
from dashboard.ssh.strings import duration, messages

log = logging.getLogger("thidua.ssh")

HIGH_WATER = 256 * 1024
"""Bytes queued for the client before the viewer's pty stops being read (a few frames)."""
MAX_COLS, MAX_ROWS = 1000, 500
RESET_TERMINAL = (b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l"
                  b"\x1b[?1004l\x1b[?7h\x1b[?25h\x1b[0m\x1b[?1049l")
"""Stop mouse reports, focus events and bracketed paste, show the cursor, and leave the
alternate screen last, so that a goodbye line lands on the client's own screen: what a viewer
killed before it could restore the client's terminal leaves behind."""
CLOSE_WAIT = 2.0
"""Seconds for the client to acknowledge the channel's close: OpenSSH drops the output it has
not yet written to its terminal when the connection is cut first, goodbye line included."""


@dataclass(frozen=True)
class Peer:
    """Who is on the other end, for the log."""

    user: str
    addr: str
    fingerprint: str
    presenter: str | None = None
    """The name on a --presenter-keys key (it may start a meeting), else None."""


def clamp_size(cols: int, rows: int) -> tuple[int, int]:
    return max(1, min(cols or 80, MAX_COLS)), max(1, min(rows or 24, MAX_ROWS))


class ViewerSession(asyncssh.SSHServerSession[bytes]):
    def __init__(self, server: SessionHost, peer: Peer) -> None:
        self._server = server
        self._peer = peer
        self._tr = messages(server.session_settings.lang)
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._term_type: str | None = None
        self._size = (80, 24)
        self._bridge: PtyBridge | None = None
        self.child: ViewerChild | None = None
        self.number: int | None = None
        self.agent_path: str | None = None
        """Always None: agent forwarding is refused (tests read it)."""
        self.env: dict[str, str] = {}
        """What the viewer was given (a fork's /proc/PID/environ shows its parent's)."""
        self._started = time.monotonic()
        self._last_input = time.monotonic()
        self._done = asyncio.Event()
        self._eof = asyncio.Event()
        self._closed = asyncio.Event()
        """The channel is closed both ways: the client has all it was sent."""
        self._goodbye: str | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def output_paused(self) -> bool:
        return self._bridge is not None and self._bridge.paused

    # -- asyncssh callbacks ----------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self._chan = chan
        chan.set_write_buffer_limits(high=HIGH_WATER)

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Mapping[int, int]) -> bool:
        self._term_type = term_type
        self._size = clamp_size(term_size[0], term_size[1])
        return True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        self._size = clamp_size(width, height)
        self._last_input = time.monotonic()
        if self._bridge is not None:
            self._bridge.resize(*self._size)

    def shell_requested(self) -> bool:
        return True  # without a pty, session_started explains and ends

    def exec_requested(self, command: str) -> bool:
        log.info("refused exec from %s (user %s): %.80r", self._peer.addr, self._peer.user,
                 command)
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        log.info("refused subsystem %.40r from %s (user %s)", subsystem, self._peer.addr,
                 self._peer.user)
        return False

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal: str) -> None:
        pass  # a client may not signal the viewer: `q` or hanging up ends it

    def session_started(self) -> None:
        self._task = asyncio.create_task(self._run())
        self._server.track(self, self._task)

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self._last_input = time.monotonic()
        if self._bridge is not None:
            self._bridge.feed(data)

    def eof_received(self) -> bool:
        return True  # no more keys, but the dashboard keeps showing until the client goes

    def pause_writing(self) -> None:
        if self._bridge is not None:
            self._bridge.pause()

    def resume_writing(self) -> None:
        if self._bridge is not None:
            self._bridge.resume()

    def connection_lost(self, exc: Exception | None) -> None:
        self._chan = None
        if self._bridge is not None:
            self._bridge.resume()  # drain the viewer's last output into nothing, so it can exit
        self._done.set()
        self._closed.set()

    # -- the session -----------------------------------------------------------------------

    def end(self, goodbye: str) -> None:
        """Close this session with a last line (server stopping, idle)."""
        self._goodbye = goodbye
        self._done.set()

    async def _run(self) -> None:
        try:
            await self._run_session()
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), CLOSE_WAIT)

    async def _run_session(self) -> None:
        if self._term_type is None:
            log.info("refused a session without a terminal from %s (user %s)",
                     self._peer.addr, self._peer.user)
            self._finish(self._tr("session.no_terminal"), 1, stderr=True)
            return
        assert self._chan is not None
        self.agent_path = self._chan.get_agent_path()
        self.number = self._server.slots.take()
        if self.number is None:
            log.info("refused a session from %s (user %s): all %d places taken",
                     self._peer.addr, self._peer.user, self._server.slots.capacity)
            self._finish(self._tr("session.full", n=self._server.slots.capacity), 1)
            return
        try:
            await self._serve()
        finally:
            self._server.slots.give_back(self.number)

    async def _serve(self) -> None:
        chan = self._chan  # kept: the client may leave while the viewer starts
        assert chan is not None
        master, slave = os.openpty()
        set_window_size(master, *self._size)
        env = self.env = viewer_env(chan.get_environment(), self._term_type)
        try:
            self.child = await self._server.spawn_viewer(slave, env, self._peer.presenter)
        except SpawnError as e:
            os.close(master)
            log.error("session %d: %s", self.number, e)
            self._finish(self._tr("session.failed"), 1)
            return
        finally:
            os.close(slave)
        self._bridge = PtyBridge(master, chan, high_water=HIGH_WATER, on_eof=self._eof.set)
        self._bridge.start()
        log.info("session %d start: user %s from %s, key %s, %s %dx%d, pid %d", self.number,
                 self._peer.user, self._peer.addr, self._peer.fingerprint, self._term_type,
                 *self._size, self.child.pid)
        idle = asyncio.create_task(self._idle_watch())
        ended = asyncio.create_task(self._eof.wait())
        done = asyncio.create_task(self._done.wait())
        exited = asyncio.ensure_future(asyncio.shield(self.child.exited))
        first: list[asyncio.Future[Any]] = [ended, done, exited]
        try:
            await asyncio.wait(first, return_when=asyncio.FIRST_COMPLETED)
            if not self.child.exited.done():
                await self.child.stop(self._server.session_settings.kill_grace)
            # the last bytes (the app restoring the client's terminal) before closing
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._eof.wait(), 1.0)
            code = self.child.exited.result() if self.child.exited.done() else None
        finally:
            for task in (idle, ended, done, exited):
                task.cancel()
            self._bridge.close()
        error = self._server.viewer_error(self.child.pid)
        if error:
            log.error("session %d: the viewer stopped on an error:\n%s", self.number,
                      error.rstrip())
        log.info("session %d end: user %s from %s, %.1f s, exit %s%s", self.number,
                 self._peer.user, self._peer.addr, time.monotonic() - self._started,
                 code, f", {self._goodbye}" if self._goodbye else "")
        killed = code is None or code < 0  # by a signal: the app could not restore the terminal
        self._finish(self._goodbye, 1 if killed else code or 0,
                     reset=killed or self._goodbye is not None)

    async def _idle_watch(self) -> None:
        limit = self._server.session_settings.idle_timeout
        if limit <= 0:
            return
        while True:
            left = limit - (time.monotonic() - self._last_input)
            if left <= 0:
                self.end(self._tr("session.idle", duration=duration(limit, self._tr)))
                return
            await asyncio.sleep(min(left, 30.0) + 0.05)

    def _finish(self, message: str | None, status: int, *, stderr: bool = False,
                reset: bool = False) -> None:
        chan = self._chan
        if chan is None or chan.is_closing():
            return
        if reset:
            chan.write(RESET_TERMINAL)
        if message:
            line = (message + "\r\n").encode()
            if stderr:
                chan.write_stderr(line)
            else:
                chan.write(b"\r\n" + line)
        chan.exit(status)
