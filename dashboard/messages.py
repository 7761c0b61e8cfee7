"""Messages the data workers send to the app (past-tense events, plain data only)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from dashboard.engine.model import Snapshot


@dataclass
class DataRefreshed(Message):
    """A worker computed a snapshot (None: nothing changed since the last one)."""

    snapshot: Snapshot | None
    seconds: float


@dataclass
class RefreshFailed(Message):
    """A refresh or query failed; the last good snapshot stays on screen, marked stale."""

    error: str


@dataclass
class SourceChanged(Message):
    """The source says new data has reached it (pushed, as to an SSH viewer)."""


@dataclass
class FolderChanged(Message):
    """The watcher saw changes to candidate files (debounced)."""

    paths: frozenset[str] | None
    """The paths changed, or None when anything may have (the watcher restarted)."""
