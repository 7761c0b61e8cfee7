"""The area panel and leaderboard as kiosk views: no focus, no clicks, and a
failure to draw is contained in the view instead of taking the kiosk down.

A wall screen runs for weeks with nobody to restart it, so a bug met by unusual data must cost
one view until the next refresh, not the whole screen. The failure is logged once per data
value and the view draws again when new data arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from rich.text import Text
from textual import events

from widgets.area_panel import AreaPanel
from widgets.leaderboard import Leaderboard

log = logging.getLogger("thidua.kiosk")


class _Contained:
    """Mixin: a line that cannot be drawn shows a message instead; clicks do nothing."""

    failure_text = "⚠"
    """Shown in place of a view that cannot be drawn (set from the kiosk's catalogue)."""
    _failed_on: object = None

    def _contained(self, data: object, draw: Callable[[], Text]) -> Text:
        try:
            return draw()
        except Exception:
            if self._failed_on is not data:
                self._failed_on = data
                log.exception("view %s could not be drawn; shown again with the next data",
                              getattr(self, "id", "?"))
            return Text(self.failure_text)

    def on_click(self, event: events.Click) -> None:
        event.prevent_default()  # the dashboard's panels open a target on click: not here
        event.stop()


class ContainedAreaPanel(_Contained, AreaPanel, can_focus=False):
    def __init__(self, *, failure_text: str, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.failure_text = failure_text

    def line_text(self, y: int, width: int) -> Text:
        draw = super().line_text
        return self._contained(self.data, lambda: draw(y, width))


class ContainedLeaderboard(_Contained, Leaderboard, can_focus=False):
    def __init__(self, *, failure_text: str, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.failure_text = failure_text

    def line_text(self, y: int, width: int) -> Text:
        draw = super().line_text
        return self._contained(self.data, lambda: draw(y, width))
