"""Meeting mode: one presenter's view, followed by every other viewer. No Textual here.

What is shared is what the presenter looks at — the zoomed area, the opened target, the as-of
and since instants — never the language (each viewer keeps their own) and never anything that
writes. The records cross the SSH server's socket as JSON (dashboard/engine/codec.py); the
app reaches the server through a MeetingLink, which the SSH viewers' source provides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from dashboard.engine.errors import EngineError


@dataclass(frozen=True)
class SharedView:
    """What followers see of the presenter's screen."""

    area: str | None = None
    """The zoomed area's id, "leaderboard", or None (every panel)."""
    target: str | None = None
    """The target whose drill-down is open, or None."""
    as_of: datetime | None = None
    """The instant looked at; None is the present."""
    since: datetime | None = None
    """The baseline of the open "since the last meeting" comparison, or None."""


@dataclass(frozen=True)
class Meeting:
    title: str | None
    """The server's --meeting-title; None: each viewer names it by its day, in its language."""
    presenter: str
    """The presenter's key comment (empty when the key has none)."""
    started_at: datetime
    view: SharedView


class MeetingRefused(EngineError):
    """The server would not start the meeting: `reason` is "not_presenter" or "busy"."""

    def __init__(self, reason: str, presenter: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.presenter = presenter


@runtime_checkable
class MeetingLink(Protocol):
    """The app's way to the meeting (an SSH viewer's source). Calls may block: from workers."""

    @property
    def can_present(self) -> bool:
        """Whether this viewer logged in with a presenter key."""
        ...

    def subscribe_meeting(self, notify: Callable[[Meeting | None], None]) -> None:
        """notify(meeting) on each start and view change, notify(None) when it ends; from
        another thread."""
        ...

    def start_meeting(self, view: SharedView) -> None:
        """Raises MeetingRefused, or EngineError when the server cannot be reached."""
        ...

    def publish_view(self, view: SharedView) -> None:
        """The presenter's new view (no answer awaited)."""
        ...

    def end_meeting(self) -> None: ...
