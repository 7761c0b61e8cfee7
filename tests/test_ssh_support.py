"""Helpers for the SSH tests (no tests here): keys in tmp_path, a real server on a free port
in a thread of its own, and viewers that read their screen through a terminal emulator."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import asyncssh
import pyte

from dashboard.ssh.config import ServerConfig
from dashboard.ssh.server import SshServer

T = TypeVar("T")
AT = "2020-07-15T10:00:00+07:00[Asia/Ho_Chi_Minh]"
"""The instant every test server shows (mid-campaign, so the countdown runs)."""


@dataclass(frozen=True)
class Keys:
    viewer: Path
    """A private key listed in `authorized`."""
    stranger: Path
    """A private key that is not."""
    authorized: Path


def make_keys(folder: Path) -> Keys:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("viewer", "stranger"):
        key = asyncssh.generate_private_key("ssh-ed25519", comment=name)
        path = folder / name
        key.write_private_key(path)
        path.chmod(0o600)
        key.write_public_key(folder / f"{name}.pub")
        paths.append(path)
    authorized = folder / "authorized_keys"
    authorized.write_bytes((folder / "viewer.pub").read_bytes())
    return Keys(paths[0], paths[1], authorized)


def server_config(data: Path, keys: Keys, state: Path, **overrides: Any) -> ServerConfig:
    base = ServerConfig(data=data, authorized_keys=keys.authorized, port=0,
                        host_key=state / "host_key", log_file=state / "ssh.log", now=AT,
                        rate_limit=1000, max_sessions=8, kill_grace=2.0)
    return replace(base, **overrides)


class ServerThread:
    """A real SshServer on its own event loop, so it outlives each test's loop."""

    def __init__(self, config: ServerConfig) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

        async def start() -> SshServer:
            server = SshServer(config)
            await server.start()
            return server

        self.server = self.run(start())
        self.port = self.server.port
        self.log = config.log_path

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[[], T]) -> T:
        """fn() on the server's loop (its state is the loop's to touch)."""
        async def inner() -> T:
            return fn()
        return self.run(inner())

    def stop(self) -> None:
        self.run(self.server.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until no session holds a place (a closed client's viewer takes a moment to go)."""
        deadline = time.monotonic() + timeout
        while self.call(lambda: len(self.server.slots)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self.call(lambda: len(self.server.slots)), "sessions still running"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def wait_log(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in (log := self.log_text()):
                return log
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared in the log:\n{self.log_text()}")


async def connect(port: int, key: Path | None, *, user: str = "viewer",
                  **options: Any) -> asyncssh.SSHClientConnection:
    options.setdefault("client_keys", [str(key)] if key else None)
    return await asyncssh.connect(
        "127.0.0.1", port, username=user, known_hosts=None, agent_path=options.pop(
            "agent_path", None), **options)


class Viewer:
    """An SSH client with a PTY; its screen is what pyte makes of the bytes received."""

    def __init__(self, conn: asyncssh.SSHClientConnection,
                 proc: asyncssh.SSHClientProcess[bytes], cols: int, rows: int) -> None:
        self.conn = conn
        self.proc = proc
        self.screen = pyte.Screen(cols, rows)
        self._stream = pyte.ByteStream(self.screen)
        self.received = bytearray()
        self._pump_task = asyncio.create_task(self._pump())
        self.opened = time.perf_counter()

    @classmethod
    async def open(cls, port: int, key: Path, *, cols: int = 120, rows: int = 40,
                   term: str = "xterm-256color", env: dict[str, str] | None = None,
                   **options: Any) -> Viewer:
        conn = await connect(port, key, **options)
        proc = await conn.create_process(term_type=term, term_size=(cols, rows),
                                         encoding=None, env=env or {})
        return cls(conn, proc, cols, rows)

    async def _pump(self) -> None:
        while data := await self.proc.stdout.read(65536):
            self.received += data
            self._stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def lines(self) -> list[str]:
        return list(self.screen.display)

    async def wait_for(self, what: str | Callable[[str], bool], timeout: float = 15.0) -> str:
        test = (lambda s: what in s) if isinstance(what, str) else what
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if test(text := self.text()):
                return text
            if self._pump_task.done():
                break
            await asyncio.sleep(0.03)
        raise AssertionError(f"{what!r} never appeared; the screen shows:\n{self.text()}")

    def press(self, keys: str) -> None:
        self.proc.stdin.write(keys.encode())

    def resize(self, cols: int, rows: int) -> None:
        self.screen.resize(rows, cols)
        self.proc.change_terminal_size(cols, rows)

    async def wait_exit(self, timeout: float = 15.0) -> int | None:
        await asyncio.wait_for(asyncio.shield(self._pump_task), timeout)
        await asyncio.wait_for(self.proc.wait_closed(), timeout)
        return self.proc.exit_status

    async def close(self) -> None:
        self.conn.close()
        await self.conn.wait_closed()
        self._pump_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, asyncssh.Error):
            await self._pump_task


@dataclass
class Served:
    """A real server on loopback with its keys and data folder, for a test module."""

    server: ServerThread
    keys: Keys
    data: Path


@contextlib.contextmanager
def serving(root: Path, data: Path, **config: Any) -> Iterator[Served]:
    """Keys under root, the server's state under root, the given data; stopped afterwards."""
    keys = make_keys(root / "keys")
    server = ServerThread(server_config(data, keys, root / "state", **config))
    try:
        yield Served(server, keys, data)
    finally:
        server.stop()
