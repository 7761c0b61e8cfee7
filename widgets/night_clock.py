"""The night screen's one widget: the time and the countdown, dim, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Digits, Label


@dataclass(frozen=True)
class NightClockData:
    time_text: str
    """HH:MM."""
    time_caption: str
    countdown: str
    """DDD:HH:MM."""
    countdown_caption: str
    note: str = ""


class NightClock(Widget):
    """Sized to its content, so the screen can walk it around against burn-in."""

    DEFAULT_CSS = """
    NightClock {
        width: auto;
        height: auto;
        color: $text-disabled;
    }
    NightClock > Digits { width: auto; color: $text-disabled; }
    NightClock > Label { color: $text-disabled; }
    NightClock > .night-clock--gap { height: 1; }
    """

    data: reactive[NightClockData | None] = reactive(None)
    """What to show; the parts that did not change do not repaint."""

    def __init__(self, data: NightClockData | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(NightClock.data, data)

    def compose(self) -> ComposeResult:
        yield Digits("", id="night-time")
        yield Label("", id="night-time-caption", markup=False)
        yield Label("", classes="night-clock--gap")
        yield Digits("", id="night-countdown")
        yield Label("", id="night-countdown-caption", markup=False)
        yield Label("", id="night-note", markup=False)

    def on_mount(self) -> None:
        self._show(self.data)

    def watch_data(self, data: NightClockData | None) -> None:
        if self.is_mounted:
            self._show(data)

    def _show(self, data: NightClockData | None) -> None:
        if data is None:
            return
        self.query_one("#night-time", Digits).update(data.time_text)
        self.query_one("#night-time-caption", Label).update(data.time_caption)
        self.query_one("#night-countdown", Digits).update(data.countdown)
        self.query_one("#night-countdown-caption", Label).update(data.countdown_caption)
        self.query_one("#night-note", Label).update(data.note)
