"""A big countdown: days, hours, minutes and seconds in Digits, with labels and a time bar."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Digits, Label, ProgressBar


class CountdownDisplay(Widget):
    """Shows a countdown given as text; it computes nothing (the screen feeds it each second)."""

    DEFAULT_CSS = """
    CountdownDisplay {
        height: auto;
        layout: horizontal;
    }
    CountdownDisplay > Digits {
        width: auto;
        color: $text-accent;
        margin: 0 2 0 1;
    }
    CountdownDisplay > Vertical {
        width: 1fr;
        height: auto;
    }
    CountdownDisplay Label { height: 1; }
    CountdownDisplay .countdown-display--caption { color: $text-muted; }
    CountdownDisplay .countdown-display--days { text-style: bold; }
    CountdownDisplay ProgressBar { width: 1fr; height: 1; }
    CountdownDisplay ProgressBar Bar { width: 1fr; }
    CountdownDisplay.-ended > Digits { color: $text-success; }
    """

    # repaint=False throughout: the watchers hand each value to the child that shows it; the
    # container has nothing of its own to draw, and repainting it every second costs CPU.
    digits: reactive[str] = reactive("000:00:00:00", repaint=False)
    """The figures, e.g. "137:08:12:45" (days:hours:minutes:seconds)."""
    caption: reactive[str] = reactive("", repaint=False)
    """What the figures count to, and their units; parts apart by two spaces, the later
    ones dropped whole when the row is too narrow."""
    days_line: reactive[str] = reactive("", repaint=False)
    """Calendar and working days left, in words."""
    elapsed: reactive[float] = reactive(0.0, repaint=False)
    """Share of the campaign's time elapsed, 0–1."""
    elapsed_label: reactive[str] = reactive("", repaint=False)
    """The elapsed share in words, beside the bar."""

    def validate_elapsed(self, value: float) -> float:
        # Kept to what a bar can show (1/10,000): set every second, a finer share would
        # repaint the bar every second for a change nobody sees.
        return round(min(1.0, max(0.0, value)), 4)

    def compose(self) -> ComposeResult:
        yield Digits(self.digits)
        with Vertical():
            yield Label(self.caption, classes="countdown-display--caption")
            yield Label(self.days_line, classes="countdown-display--days")
            yield ProgressBar(total=1.0, show_eta=False, show_percentage=False)
            yield Label(self.elapsed_label, classes="countdown-display--caption")

    def watch_digits(self, value: str) -> None:
        if self.is_mounted:
            self.query_one(Digits).update(value)

    def watch_caption(self, value: str) -> None:
        if self.is_mounted:
            self.query(".countdown-display--caption").first(Label).update(self._fitted(value))

    def on_resize(self) -> None:
        self.watch_caption(self.caption)

    def _fitted(self, caption: str) -> str:
        room = self.query_one(Vertical).size.width
        parts = caption.split("  ")
        while room and len(parts) > 1 and cell_len("  ".join(parts)) > room:
            parts.pop()
        return "  ".join(parts)

    def watch_days_line(self, value: str) -> None:
        if self.is_mounted:
            self.query_one(".countdown-display--days", Label).update(value)

    def watch_elapsed(self, value: float) -> None:
        if self.is_mounted:
            self.query_one(ProgressBar).update(progress=value)

    def watch_elapsed_label(self, value: str) -> None:
        if self.is_mounted:
            self.query(".countdown-display--caption").last(Label).update(value)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).update(progress=self.elapsed)
