"""The server's handle on the fork server: start it, ask it for viewers, signal them.

Viewers are the fork server's children, not ours, so each is tracked by a pidfd: signals sent
through it can never hit a recycled pid, and it becomes readable when the viewer ends even
if the fork server (which reaps it and reports its exit code) is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("thidua.ssh")

READY_TIMEOUT = 60.0
EXIT_CODE_WAIT = 1.0
"""After a viewer's pidfd fires, how long to wait for the fork server to report its code."""


class SpawnError(RuntimeError):
    pass


class ViewerChild:
    """One viewer process; `exited` resolves with its exit code (None if unknown)."""

    def __init__(self, pid: int, loop: asyncio.AbstractEventLoop) -> None:
        self.pid = pid
        self.exited: asyncio.Future[int | None] = loop.create_future()
        self._loop = loop
        self._pidfd: int | None = None
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            self._loop.call_later(EXIT_CODE_WAIT, self._resolve, None)
            return
        loop.add_reader(self._pidfd, self._gone)

    def _gone(self) -> None:
        if self._pidfd is not None:
            self._loop.remove_reader(self._pidfd)
        self._loop.call_later(EXIT_CODE_WAIT, self._resolve, None)

    def _resolve(self, code: int | None) -> None:
        if not self.exited.done():
            self.exited.set_result(code)
        if self._pidfd is not None:
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None

    def send_signal(self, sig: int) -> None:
        if self.exited.done() or self._pidfd is None:
            return
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(self._pidfd, sig)

    async def stop(self, grace: float = 3.0) -> int | None:
        """SIGTERM (the app restores the terminal and exits), SIGKILL if it has not after
        `grace` seconds."""
        self.send_signal(signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(asyncio.shield(self.exited), grace)
        self.send_signal(signal.SIGKILL)
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(asyncio.shield(self.exited), grace)
        return None


class Spawner:
    def __init__(self, env: Mapping[str, str], *, cwd: Path,
                 python: str = sys.executable) -> None:
        self._env = dict(env)
        self._cwd = cwd
        self._python = python
        self._sock: socket.socket | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[int]] = {}
        self._children: dict[int, ViewerChild] = {}
        self._ready: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._proc is not None:
            self._proc.poll()  # reap a fork server that died before this restart
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._proc = subprocess.Popen(
                [self._python, "-m", "dashboard.ssh.forkserver", "--fd", str(theirs.fileno())],
                pass_fds=[theirs.fileno()], env=self._env, cwd=self._cwd,
                stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            theirs.close()
        ours.setblocking(False)
        self._sock = ours
        self._ready = self._loop.create_future()
        self._loop.add_reader(ours, self._readable)
        try:
            await asyncio.wait_for(asyncio.shield(self._ready), READY_TIMEOUT)
        except TimeoutError:
            raise SpawnError("the viewer fork server did not start") from None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    async def spawn(self, slave_fd: int, argv: Sequence[str], env: Mapping[str, str]
                    ) -> ViewerChild:
        """Fork a viewer onto the pty whose slave end is `slave_fd` (the caller closes it)."""
        if self._sock is None:
            log.warning("restarting the viewer fork server")
            await self.start()  # it died (killed by hand, out of memory): one more try
        if self._sock is None or self._loop is None:
            raise SpawnError("the viewer fork server is not running")
        request_id = next(self._ids)
        answer: asyncio.Future[int] = self._loop.create_future()
        self._waiting[request_id] = answer
        data = json.dumps({"id": request_id, "argv": list(argv), "env": dict(env),
                           "cwd": str(self._cwd)}).encode()
        try:
            while True:
                try:
                    socket.send_fds(self._sock, [data], [slave_fd])
                    break
                except BlockingIOError:
                    await asyncio.sleep(0.01)
            pid = await asyncio.wait_for(answer, 10.0)
        except (OSError, TimeoutError) as e:
            raise SpawnError(f"could not start a viewer ({e})") from None
        finally:
            self._waiting.pop(request_id, None)
        child = ViewerChild(pid, self._loop)
        self._children[pid] = child
        child.exited.add_done_callback(lambda _f: self._children.pop(pid, None))
        return child

    def _readable(self) -> None:
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._lost()
                return
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self._message(json.loads(data))

    def _message(self, msg: dict[str, Any]) -> None:
        if msg.get("ready") and self._ready is not None and not self._ready.done():
            self._ready.set_result(None)
        elif "exited" in msg:
            child = self._children.get(int(msg["exited"]))
            if child is not None:
                child._resolve(int(msg["code"]))
        elif "id" in msg:
            answer = self._waiting.get(int(msg["id"]))
            if answer is None or answer.done():
                return
            if "pid" in msg:
                answer.set_result(int(msg["pid"]))
            else:
                answer.set_exception(SpawnError(str(msg.get("error"))))

    def _lost(self) -> None:
        if self._sock is not None and self._loop is not None:
            self._loop.remove_reader(self._sock)
            self._sock.close()
            self._sock = None
            log.error("the viewer fork server stopped")
        for answer in self._waiting.values():
            if not answer.done():
                answer.set_exception(SpawnError("the viewer fork server stopped"))
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(SpawnError("the viewer fork server failed to start"))

    async def close(self) -> None:
        """Stop the fork server (the sessions have stopped their viewers already)."""
        children = list(self._children.values())
        await asyncio.gather(*(c.stop() for c in children))
        if self._sock is not None and self._loop is not None:
            self._loop.remove_reader(self._sock)
            self._sock.close()
            self._sock = None
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            loop = asyncio.get_running_loop()
            try:
                await loop.run_in_executor(None, proc.wait, 5.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                await loop.run_in_executor(None, proc.wait)
