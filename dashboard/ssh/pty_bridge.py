"""Bytes between a viewer's pty and its SSH channel, with flow control both ways.

Output: while the channel's send buffer is over its high-water mark (the client reads
slowly, or its SSH window is shut) the pty is not read; the viewer's writes then block in
its own writer thread, and only that viewer slows down. Input: keys go to the pty master
without blocking the server, buffered if the viewer is not reading.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import struct
import termios
from collections.abc import Callable
from typing import Protocol

READ_CHUNK = 64 * 1024
MAX_INPUT_BACKLOG = 1024 * 1024
"""Keys (or a paste) the viewer has not read yet; past this the client is flooding it."""


class Channel(Protocol):
    """The part of asyncssh's SSHServerChannel the bridge uses."""

    def write(self, data: bytes) -> None: ...

    def is_closing(self) -> bool: ...

    def get_write_buffer_size(self) -> int: ...


def set_window_size(fd: int, cols: int, rows: int) -> None:
    """Tell the pty its size; the kernel sends SIGWINCH to the viewer (its foreground)."""
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class PtyBridge:
    def __init__(self, master: int, chan: Channel, *, high_water: int,
                 on_eof: Callable[[], None]) -> None:
        self._master = master
        self._chan = chan
        self._high = high_water
        self._on_eof = on_eof
        self._loop = asyncio.get_running_loop()
        self._reading = False
        self._paused = False
        self._closed = False
        self._input = bytearray()
        os.set_blocking(master, False)
        self.bytes_out = 0

    @property
    def paused(self) -> bool:
        """Whether the pty is left unread because the client is not keeping up."""
        return self._paused

    def start(self) -> None:
        self._set_reading(True)

    def pause(self) -> None:
        """The channel is full: stop reading the pty until resume()."""
        self._paused = True
        self._set_reading(False)

    def resume(self) -> None:
        self._paused = False
        self._set_reading(True)

    def resize(self, cols: int, rows: int) -> None:
        if not self._closed:
            set_window_size(self._master, cols, rows)

    def feed(self, data: bytes) -> None:
        """Keys from the client, for the viewer."""
        if self._closed:
            return
        if len(self._input) + len(data) > MAX_INPUT_BACKLOG:
            return  # drop a flood rather than buffer it without bound
        was_empty = not self._input
        self._input += data
        if was_empty:
            self._write_input()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._set_reading(False)
        self._loop.remove_writer(self._master)
        os.close(self._master)

    # -- internals -------------------------------------------------------------------------

    def _set_reading(self, on: bool) -> None:
        on = on and not self._paused and not self._closed
        if on and not self._reading:
            self._loop.add_reader(self._master, self._readable)
        elif not on and self._reading:
            self._loop.remove_reader(self._master)
        self._reading = on

    def _readable(self) -> None:
        try:
            data = os.read(self._master, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError as e:  # EIO: every process holding the slave end has exited
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            self._set_reading(False)
            self._on_eof()
            return
        if self._chan.is_closing():
            return  # the client has gone: drain the viewer's output into nothing
        self._chan.write(data)
        self.bytes_out += len(data)
        if self._chan.get_write_buffer_size() > self._high:
            self.pause()  # asyncssh calls resume_writing() once it drains

    def _write_input(self) -> None:
        while self._input and not self._closed:
            try:
                n = os.write(self._master, self._input)
            except BlockingIOError:
                self._loop.add_writer(self._master, self._writable)
                return
            except OSError:
                self._input.clear()
                return
            del self._input[:n]
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_writer(self._master)

    def _writable(self) -> None:
        self._loop.remove_writer(self._master)
        self._write_input()
