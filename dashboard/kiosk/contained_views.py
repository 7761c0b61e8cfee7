"""The area panel and leaderboard as kiosk views: no focus, no clicks, and a
failure to draw is contained in the view instead of taking the kiosk down.

A wall screen runs for weeks with nobody to restart it, so a bug met by unusual data must cost
one view until the next refresh, not the whole screen. The failure is logged once per data
value and the view draws again when new data arrives.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events

from widgets.area_panel import AreaPanel
from widgets.cached_lines import CachedLines
from widgets.leaderboard import Leaderboard

log = logging.getLogger("thidua.kiosk")

# The mixin is a CachedLines for the type checker only. At run time it must not be a DOM node:
# Textual takes CSS type names and DEFAULT_CSS from the first DOM base of a class, which has to
# stay the view itself (AreaPanel, Leaderboard).
if TYPE_CHECKING:
    _View = CachedLines
else:
    _View = object


class _Contained(_View):
    """A line that cannot be drawn shows a message instead; clicks do nothing. Put first in
    the bases, before the view it contains."""

    _failed_on: object = None

    def __init__(self, *, failure_text: str, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.failure_text = failure_text
        """Shown in place of a line that cannot be drawn (set from the kiosk's catalogue)."""

    def line_text(self, y: int, width: int) -> Text:
        try:
            return super().line_text(y, width)
        except Exception:
            data = getattr(self, "data", None)
            if self._failed_on is not data:
                self._failed_on = data
                log.exception("view %s could not be drawn; shown again with the next data",
                              self.id)
            return Text(self.failure_text)

    def on_click(self, event: events.Click) -> None:
        event.prevent_default()  # the dashboard's panels open a target on click: not here
        event.stop()


class ContainedAreaPanel(_Contained, AreaPanel, can_focus=False):
    """An area panel as a kiosk view."""


class ContainedLeaderboard(_Contained, Leaderboard, can_focus=False):
    """The leaderboard as a kiosk view."""
