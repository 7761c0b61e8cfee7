"""Tell systemd how a long-running service is doing (the sd_notify(3) protocol).

A unit with `Type=notify` starts counting the service as up when it sends READY=1; with
`WatchdogSec=` it kills and restarts the service when WATCHDOG=1 stops arriving. The kiosk and
the servers send READY=1 once their first screen or their listener is up, and WATCHDOG=1 from
their UI or asyncio loop, so a loop that is stuck (a frozen screen) stops the heartbeat.

The protocol is one datagram to the Unix socket named by $NOTIFY_SOCKET ('@' starts an
abstract name); written here in a few lines rather than taken from the `sdnotify` package,
which has had no release since 2017 and leaves the watchdog's interval ($WATCHDOG_USEC,
$WATCHDOG_PID) and the clean-up of those variables to its caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass

VARIABLES = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")


@dataclass(frozen=True)
class Notifier:
    """Where to send notifications (None: not run by systemd, every call does nothing)."""

    address: str | None = None
    watchdog_seconds: float | None = None
    """The unit's WatchdogSec, when systemd asked this process for a heartbeat."""

    @classmethod
    def from_environment(cls, environ: MutableMapping[str, str] | None = None) -> Notifier:
        """Read the variables systemd sets and remove them, so that the processes this one
        starts (viewers, browser kiosks) neither notify in its name nor inherit its watchdog."""
        env = os.environ if environ is None else environ
        address, usec, pid = (env.pop(name, None) for name in VARIABLES)
        seconds = None
        if usec and (pid is None or pid == str(os.getpid())):
            with contextlib.suppress(ValueError):
                seconds = int(usec) / 1_000_000 or None
        return cls(address or None, seconds)

    @property
    def heartbeat_seconds(self) -> float | None:
        """How often to send WATCHDOG=1: half the watchdog's time, as sd_watchdog_enabled(3)
        advises. None when there is no watchdog to feed."""
        if self.address is None or self.watchdog_seconds is None:
            return None
        return self.watchdog_seconds / 2

    def send(self, *fields: str) -> bool:
        """Send `KEY=value` fields in one datagram; False when it could not be sent."""
        if self.address is None:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
                s.sendto("\n".join(fields).encode(), target)
        except OSError:
            return False  # systemd went away (or never listened): nothing to tell
        return True

    def ready(self, status: str | None = None) -> None:
        self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def beat_on(self, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
        """Send WATCHDOG=1 from callbacks on `loop` (running or not yet); returns the function
        that stops it. A loop that is blocked runs no callbacks, so the heartbeat stops too."""
        every = self.heartbeat_seconds
        handle: asyncio.Handle | None = None

        def beat() -> None:
            nonlocal handle
            self.watchdog()
            if every is not None:
                handle = loop.call_later(every, beat)

        def stop() -> None:
            if handle is not None:
                handle.cancel()

        if every is not None:
            handle = loop.call_soon(beat)
        return stop


@functools.cache
def notifier() -> Notifier:
    """This process's notifier, read from (and removed from) the environment on first use:
    call it at the start of a service command, before anything is started."""
    return Notifier.from_environment()
