"""`thidua serve-ssh`: the SSH listener, its policy, and the parts it runs.

    SshServer   the hub (one engine), the viewer fork server and the asyncssh listener;
                start(), close() (the SIGTERM path: goodbye lines, viewers reaped, port freed)
    _Connection one per TCP connection: rate limit, public-key auth only, refusals, logging

The policy is "a PTY shell and nothing else": password, keyboard-interactive, host-based and
GSS authentication are never offered; exec, subsystems (sftp, scp), TCP and Unix forwarding,
agent and X11 forwarding are refused; one session per connection. A wrong user and a wrong
key get the same answer, and after three failed keys the connection is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import tempfile
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import asyncssh

from dashboard.clock import Clock, FixedClock, SystemClock
from dashboard.engine import codec
from dashboard.ssh.config import ServerConfig
from dashboard.ssh.env import server_env
from dashboard.ssh.hub import Hub
from dashboard.ssh.keys import AuthorizedKeys, PresenterKeys, load_or_create_host_key
from dashboard.ssh.limits import RateLimiter, SessionSlots
from dashboard.ssh.log import close_log, open_log
from dashboard.ssh.session import Peer, ViewerSession
from dashboard.ssh.session_host import SessionSettings
from dashboard.ssh.spawner import Spawner, ViewerChild
from dashboard.ssh.strings import messages
from dashboard.ssh.viewer import ViewerArgs, error_file

log = logging.getLogger("thidua.ssh")

SERVER_VERSION = "thidua"
"""The banner says SSH-2.0-thidua: no library name or version for scanners to match."""
MAX_FAILED_KEYS = 3
FEED_BACKLOG = 1 << 20
"""Bytes of meeting news a kiosk may leave unread before it is dropped (it reconnects)."""


class SshServer:
    def __init__(self, config: ServerConfig, *, clock: Clock | None = None) -> None:
        self.config = config
        self.clock: Clock = clock or (
            FixedClock(codec.decode(datetime, config.now)) if config.now
            else SystemClock())
        self.slots = SessionSlots(config.max_sessions)
        self.rate = RateLimiter(config.rate_limit)
        self.authorized = AuthorizedKeys(config.authorized_keys)
        self.presenters = (PresenterKeys(config.presenter_keys)
                           if config.presenter_keys is not None else None)
        self.host_key = load_or_create_host_key(config.host_key_path)
        self._dir = Path(tempfile.mkdtemp(prefix="thidua-ssh-"))  # 0700: viewers' socket
        self.hub = Hub(config.data, self._dir / "hub.sock", clock=self.clock,
                       watch=config.watch, rescan_seconds=config.rescan_seconds,
                       live_seconds=config.live_seconds, freshness=config.freshness,
                       meeting_title=config.meeting_title)
        self.spawner = Spawner(server_env(), cwd=self._dir)
        self.viewer_argv = ViewerArgs(self._dir / "hub.sock", config.lang, config.now,
                                      config.replay).to_argv()
        self.session_settings = SessionSettings(config.lang, config.idle_timeout,
                                                config.kill_grace)
        self.sessions: set[ViewerSession] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self._listener: asyncssh.SSHAcceptor | None = None
        self.port = config.port
        self._feed: asyncio.Server | None = None
        self._feed_writers: set[asyncio.StreamWriter] = set()
        self.feed_port: int | None = None
        self._log: logging.Handler = logging.NullHandler()

    @property
    def fingerprint(self) -> str:
        return self.host_key.get_fingerprint()

    async def start(self) -> None:
        self._log = open_log(self.config.log_path)
        try:
            await self.hub.start()
            await self.spawner.start()
            self._listener = await asyncssh.create_server(
                lambda: _Connection(self), self.config.host, self.config.port,
                server_host_keys=[self.host_key], server_version=SERVER_VERSION,
                encoding=None, allow_pty=True, x11_forwarding=False,
                agent_forwarding=False, allow_scp=False, sftp_factory=None,
                password_auth=False, kbdint_auth=False, host_based_auth=False,
                public_key_auth=True, gss_host=None, gss_kex=False, gss_auth=False,
                login_timeout=self.config.login_timeout,
                keepalive_interval=self.config.keepalive_interval,
                keepalive_count_max=self.config.keepalive_count_max,
                line_editor=False, config=None, reuse_address=True)
            if self.config.meeting_feed is not None:
                self._feed = await asyncio.start_server(
                    self._feed_client, *self.config.meeting_feed, reuse_address=True)
                self.feed_port = self._feed.sockets[0].getsockname()[1]
        except BaseException:
            await self._release()
            close_log(self._log)
            raise
        self.port = self._listener.sockets[0].getsockname()[1]
        log.info("listening on %s:%d (host key %s, data %s, %d places)", self.config.host,
                 self.port, self.fingerprint, self.config.data, self.config.max_sessions)

    async def close(self) -> None:
        """Goodbye to every session, viewers stopped and reaped, port and socket freed."""
        if self._listener is not None:
            self._listener.close()
            await self._listener.wait_closed()
            self._listener = None
        await self._close_feed()
        goodbye = messages(self.config.lang)("session.shutdown")
        for session in list(self.sessions):
            session.end(goodbye)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.config.kill_grace + 5)
        for conn in list(self.connections):
            conn.close()
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.wait_closed(), 2.0)
        await self._release()
        log.info("stopped")
        close_log(self._log)

    async def _close_feed(self) -> None:
        if self._feed is None:
            return
        self._feed.close()
        for writer in list(self._feed_writers):
            writer.close()
        await self._feed.wait_closed()
        self._feed = None

    async def _feed_client(self, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> None:
        """A kiosk following the meetings: it is sent the meeting's state on each change and
        may say nothing (whatever it sends is read and dropped)."""
        peer = writer.get_extra_info("peername") or ("?", 0)
        log.info("meeting feed: kiosk connected from %s:%s", peer[0], peer[1])
        self._feed_writers.add(writer)

        def send(line: bytes) -> None:
            if writer.is_closing():
                return
            if writer.transport.get_write_buffer_size() > FEED_BACKLOG:
                log.warning("meeting feed: dropped %s, which reads nothing", peer[0])
                writer.close()
                return
            writer.write(line)

        stop = self.hub.watch_meeting(send)
        try:
            while await reader.read(4096):
                pass
        except (ConnectionError, OSError):
            pass
        finally:
            stop()
            self._feed_writers.discard(writer)
            writer.close()
            log.info("meeting feed: kiosk from %s left", peer[0])

    async def _release(self) -> None:
        await self._close_feed()
        await self.spawner.close()
        await self.hub.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    async def spawn_viewer(self, tty: int, env: Mapping[str, str],
                           presenter: str | None = None) -> ViewerChild:
        if presenter is None:
            return await self.spawner.spawn(tty, self.viewer_argv, env)
        token = self.hub.register_presenter(presenter)  # what lets its viewer start a meeting
        try:
            child = await self.spawner.spawn(
                tty, [*self.viewer_argv, "--presenter-token", token], env)
        except BaseException:
            self.hub.forget_presenter(token)
            raise
        child.exited.add_done_callback(lambda _f: self.hub.forget_presenter(token))
        return child

    def viewer_error(self, pid: int) -> str | None:
        """The traceback viewer `pid` left when an error ended it (read once), or None."""
        path = error_file(self._dir, pid)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        path.unlink(missing_ok=True)
        return text

    def track(self, session: ViewerSession, task: asyncio.Task[None]) -> None:
        self.sessions.add(session)
        self._tasks.add(task)

        def done(_t: asyncio.Task[None]) -> None:
            self.sessions.discard(session)
            self._tasks.discard(task)

        task.add_done_callback(done)


class _Connection(asyncssh.SSHServer):
    """Policy for one client connection (asyncssh makes one per TCP connection)."""

    def __init__(self, server: SshServer) -> None:
        self._server = server
        self._conn: asyncssh.SSHServerConnection | None = None
        self._addr = "?"
        self._failures = 0
        self._offered: Peer | None = None
        """The listed key offered, before its signature is checked."""
        self._peer: Peer | None = None
        """Who logged in, once asyncssh has checked the signature."""
        self._sessions = 0
        self._connected = time.monotonic()

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        peer = conn.get_extra_info("peername") or ("?", 0)
        self._addr = str(peer[0])
        if not self._server.rate.allow(self._addr):
            log.warning("rate limit: refused a connection from %s", self._addr)
            conn.abort()
            return
        self._server.connections.add(conn)
        log.info("connect from %s:%s", self._addr, peer[1])

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._server.connections.discard(self._conn)
        if self._peer is None and exc is not None:
            log.info("disconnect from %s before login (%s)", self._addr, exc)
        elif self._peer is not None:
            log.info("disconnect from %s (user %s, %.1f s)", self._addr, self._peer.user,
                     time.monotonic() - self._connected)

    # -- authentication --------------------------------------------------------------------

    def begin_auth(self, username: str) -> bool:
        return True  # every user must authenticate; unknown ones fail like a wrong key

    def public_key_auth_supported(self) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        fingerprint = key.get_fingerprint()
        presenter = None
        if username == self._server.config.user and self._server.presenters is not None:
            presenter = self._server.presenters.presenter(key, self._addr, self._addr)
        ok = username == self._server.config.user and (
            presenter is not None or self._server.authorized.allows(key, self._addr, self._addr))
        if ok:
            self._offered = Peer(username, self._addr, fingerprint, presenter)
            return True
        self._failures += 1
        log.warning("auth failure: user %.64r, key %s, from %s", username, fingerprint,
                    self._addr)
        if self._failures >= MAX_FAILED_KEYS and self._conn is not None:
            log.warning("dropped %s after %d failed keys", self._addr, self._failures)
            conn = self._conn
            asyncio.get_running_loop().call_soon(
                conn.disconnect, asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                "Too many authentication failures")
        return False

    def auth_completed(self) -> None:
        assert self._offered is not None
        self._peer = self._offered
        log.info("auth success: user %s, key %s, from %s%s", self._peer.user,
                 self._peer.fingerprint, self._addr,
                 "" if self._peer.presenter is None else f" (presenter {self._peer.presenter!r})")

    # -- what an authenticated client may open ---------------------------------------------

    def session_requested(self) -> ViewerSession | bool:
        if self._peer is None:
            return False
        self._sessions += 1
        if self._sessions > 1:
            log.info("refused a second session on one connection from %s", self._addr)
            return False
        return ViewerSession(self._server, self._peer)

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> bool:
        log.info("refused forwarding to %s:%d from %s", dest_host, dest_port, self._addr)
        return False

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        log.info("refused remote forwarding of %s:%d from %s", listen_host, listen_port,
                 self._addr)
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        log.info("refused Unix socket forwarding from %s", self._addr)
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        log.info("refused Unix socket listening from %s", self._addr)
        return False


async def serve_until_signal(server: SshServer) -> None:
    """Run until SIGTERM, SIGINT or SIGHUP, then close cleanly (the CLI's main loop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("signal received: stopping")
    await server.close()
