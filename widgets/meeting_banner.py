"""The meeting banner: one line across the top of whatever screen is shown while a meeting
runs, naming the meeting and its presenter."""

from __future__ import annotations

from textual.widgets import Static


class MeetingBanner(Static):
    """Docked at the top of its screen; `following` colours it as the meeting's (strong) or
    as a note that one runs while this viewer stepped out (quieter: panel colours, italic;
    full-contrast text, as every text here)."""

    DEFAULT_CSS = """
    MeetingBanner {
        dock: top;
        width: 1fr;
        height: auto;
        padding: 0 1;
        background: $accent;
        color: $text;
        text-style: bold;
    }
    MeetingBanner.-away {
        background: $panel;
        color: $text;
        text-style: italic;
    }
    """

    def __init__(self, text: str, *, away: bool = False, id: str | None = None) -> None:
        super().__init__(text, markup=False, id=id)
        self.set_class(away, "-away")
        self.text = text

    def show(self, text: str, *, away: bool) -> None:
        """New words (nothing is redrawn when they are the same)."""
        self.set_class(away, "-away")
        if text != self.text:
            self.text = text
            self.update(text)
