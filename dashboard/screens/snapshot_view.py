"""What the app talks to: the one screen that shows its snapshots (the dashboard, the kiosk).

The app feeds it and nothing else: it never reaches into a screen's widgets, so a front end
is a screen that keeps this promise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from dashboard.engine.campaign import Campaign
from dashboard.engine.model import Snapshot
from dashboard.i18n import Catalogue


@runtime_checkable
class SnapshotView(Protocol):
    campaign: Campaign
    snapshot: Snapshot | None

    def show_snapshot(self, snap: Snapshot, previous: Snapshot | None,
                      past: str | None = None) -> None:
        """New data (previous: what was shown before, for highlights)."""

    def show_error(self, error: str) -> None:
        """No snapshot yet and the data cannot be read: say why instead of a blank screen."""

    def tick(self, now: datetime) -> None:
        """Once a second, at the as-of instant: the countdown moves; no query runs."""

    def set_past(self, text: str | None) -> None:
        """The banner saying the view shows the past (None: live)."""

    def set_language(self, tr: Catalogue) -> None: ...

    async def set_campaign(self, campaign: Campaign) -> None:
        """campaign.toml changed while the app runs."""

    def is_complete(self) -> bool:
        """Everything is drawn with its data (a screenshot waits for it)."""
