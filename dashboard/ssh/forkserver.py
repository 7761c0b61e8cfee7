"""The warm process that viewers are forked from.

Starting Python, Textual and the dashboard's modules costs ~0.4 s of CPU and ~80 MB per
process; fifty viewers started that way need gigabytes and queue for the CPU. This process
imports all of it once and forks a viewer per SSH session: the fork is ready in milliseconds
and shares the imported code and data with its siblings, copy on write (gc.freeze() keeps
the collector from touching, and so copying, the shared objects).

It is single-threaded (forking a threaded process is unsafe) and talks to the server over a
SOCK_SEQPACKET socket, one JSON message per packet:

  → {"ready": true}                                            once, when warm
  ← {"id": N, "argv": [...], "env": {...}, "cwd": "…"} + the pty slave fd
  → {"id": N, "pid": P} or {"id": N, "error": "…"}
  → {"exited": P, "code": C}                                   when a viewer ends

    python -m dashboard.ssh.forkserver --fd N
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import json
import os
import select
import signal
import socket
import sys
import termios
import traceback
from pathlib import Path
from typing import Any

MAX_MESSAGE = 1 << 20
HANDLED = frozenset({signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT})
"""Signals held back across fork(): a fresh viewer is often sent SIGTERM at once (its client
hung up while it started). Delivered before the child has dropped this process's handlers
and wakeup pipe, it used to be written into the pipe the two still shared, and the fork
server read it as its own SIGTERM and stopped every viewer. Held back, it reaches the child
once the child's defaults are in place."""


def preload() -> None:
    """Import what every viewer needs, so that forks start warm."""
    import textual.drivers.linux_driver  # noqa: F401  (the driver a pty viewer runs on)

    import dashboard.ssh.viewer  # noqa: F401  (the app, its screens and widgets)


def serve(sock: socket.socket) -> None:
    children: set[int] = set()
    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so the wakeup fd is written
    me = os.getpid()
    stopping: list[bool] = []

    def stop(*_: object) -> None:  # what this process was sent, never what a fresh fork was
        if os.getpid() == me:
            stopping.append(True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C on the server's terminal is its job
    _send(sock, {"ready": True})
    try:
        while True:
            ready, _, _ = select.select([sock.fileno(), wake_r], [], [])
            if wake_r in ready:
                _drain(wake_r)
                _reap(sock, children)
                if stopping:
                    return
            if sock.fileno() in ready:
                msg, fds, _flags, _addr = socket.recv_fds(sock, MAX_MESSAGE, 4)
                if not msg:
                    return  # the server is gone
                _spawn(sock, msg, fds, children, (wake_r, wake_w))
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


def _spawn(sock: socket.socket, msg: bytes, fds: list[int], children: set[int],
           private: tuple[int, int]) -> None:
    try:
        req: dict[str, Any] = json.loads(msg)
        request_id = int(req["id"])
    except (ValueError, KeyError, TypeError):
        for fd in fds:
            os.close(fd)
        return
    if len(fds) != 1:
        for fd in fds:
            os.close(fd)
        _send(sock, {"id": request_id, "error": "expected one terminal"})
        return
    slave = fds[0]
    signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, measured by the SSH tests
            _become_viewer(slave, req, sock, private)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)  # the parent's side (the child exits)
    os.close(slave)
    children.add(pid)
    _send(sock, {"id": request_id, "pid": pid})


def _become_viewer(slave: int, req: dict[str, Any], sock: socket.socket,
                   private: tuple[int, int]) -> None:  # pragma: no cover - child side
    """In the fork: take the pty as controlling terminal and stdio, then run the app."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for sig in HANDLED:
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sock.close()
        for fd in private:
            os.close(fd)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)  # a SIGTERM sent already ends it here
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in req["env"].items()})
        os.chdir(str(req["cwd"]))
        from dashboard.ssh import viewer

        args, _ = viewer.parse_args([str(a) for a in req["argv"]])
        code = viewer.run(args)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:  # never a traceback on the client's terminal: the server logs it
        with contextlib.suppress(Exception):
            from dashboard.ssh.viewer import error_file

            error_file(Path(str(req["cwd"])), os.getpid()).write_text(traceback.format_exc(),
                                                                      encoding="utf-8")
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _reap(sock: socket.socket, children: set[int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)
        _send(sock, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _drain(fd: int) -> None:
    """Empty the wakeup pipe (which signals came is read from their handlers, not from it)."""
    with contextlib.suppress(BlockingIOError):
        while os.read(fd, 512):
            pass


def _send(sock: socket.socket, msg: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):  # the server may be gone; the loop sees it next
        sock.send(json.dumps(msg).encode())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dashboard.ssh.forkserver")
    p.add_argument("--fd", type=int, required=True)
    args = p.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    preload()
    gc.collect()
    gc.freeze()
    serve(sock)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
