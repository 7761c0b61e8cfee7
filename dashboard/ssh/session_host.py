"""What a viewer session needs of the server that accepted it, and nothing more: its settings,
a viewer place, a viewer process, and to be tracked until it ends. The session knows this
protocol, not the server (which imports the session), so neither reaches into the other."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dashboard.ssh.limits import SessionSlots
from dashboard.ssh.spawner import ViewerChild


@dataclass(frozen=True)
class SessionSettings:
    lang: str
    """The language of what a session says on the client's terminal."""
    idle_timeout: float
    """Seconds without a key press before the session ends; 0 never."""
    kill_grace: float
    """Seconds a viewer has to end after SIGTERM before it is killed."""


class SessionHost(Protocol):
    session_settings: SessionSettings
    slots: SessionSlots

    async def spawn_viewer(self, tty: int, env: Mapping[str, str],
                           presenter: str | None = None) -> ViewerChild:
        """A viewer process on the pty `tty` (one that may start a meeting when `presenter`
        names its user); raises SpawnError."""
        ...

    def viewer_error(self, pid: int) -> str | None:
        """The traceback viewer `pid` left when an error ended it, or None."""
        ...

    def track(self, session: Any, task: asyncio.Task[None]) -> None:
        """Keep the session until its task ends (the server stops them all at shutdown)."""
        ...
