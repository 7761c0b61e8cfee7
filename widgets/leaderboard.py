"""The units' leaderboard: rank (ties share one), score, and how the rank moved in a week."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.reactive import reactive

from widgets.cached_lines import CachedLines
from widgets.glyphs import completion_bar


@dataclass(frozen=True)
class LeaderRowData:
    rank: int
    name: str
    score: float
    score_text: str
    change: int
    """Positive: moved up this many places."""


@dataclass(frozen=True)
class LeaderboardData:
    title: str
    rows: tuple[LeaderRowData, ...]
    empty_text: str = ""


class Leaderboard(CachedLines, can_focus=True):
    """Rows flow into as many columns as the width allows."""

    DEFAULT_CSS = """
    Leaderboard {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text;
        border-title-style: bold;
        padding: 0 1;
    }
    Leaderboard:focus { border: round $accent; }
    Leaderboard > .leaderboard--up { color: $text-success; }
    Leaderboard > .leaderboard--down { color: $text-error; }
    Leaderboard > .leaderboard--same { color: $text-muted; }
    Leaderboard > .leaderboard--bar { color: $primary-lighten-2; }
    Leaderboard > .leaderboard--empty-bar { color: $panel-lighten-1; }
    Leaderboard > .leaderboard--rank { text-style: bold; }
    """

    COMPONENT_CLASSES = {"leaderboard--up", "leaderboard--down", "leaderboard--same",
                         "leaderboard--bar", "leaderboard--empty-bar", "leaderboard--rank"}

    data: reactive[LeaderboardData | None] = reactive(None, repaint=False)
    """Rows to show; an equal value does not repaint, the same number of rows repaints only
    the lines that changed, without a layout pass."""
    column_width: reactive[int] = reactive(56, layout=True)
    """Target width of one column of rows."""

    def __init__(self, data: LeaderboardData | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(Leaderboard.data, data)

    def watch_data(self, old: LeaderboardData | None, data: LeaderboardData | None) -> None:
        title = data.title if data else ""
        shown = Content(title)  # the data's words, never parsed as markup
        if self.border_title != shown.markup:  # setting it repaints, even to the same words
            self.border_title = shown
        self.refresh_lines_or_layout()

    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"leaderboard--{part}", partial=True)

    # -- lines: rows flow down the columns ------------------------------------------------

    def _columns(self, width: int) -> tuple[int, int, int]:
        """(columns, width of one, rows per column) at this content width."""
        width = max(30, width)
        cols = max(1, min(3, width // self.column_width))
        rows = len(self.data.rows) if self.data else 0
        return cols, (width - (cols - 1) * 2) // cols, -(-rows // cols)

    def line_count(self, width: int) -> int:
        if self.data is None or not self.data.rows:
            return 1
        return self._columns(width)[2]

    def _line_rows(self, y: int, width: int) -> tuple[LeaderRowData, ...]:
        assert self.data is not None
        cols, _, per_col = self._columns(width)
        rows = self.data.rows
        return tuple(rows[c * per_col + y] for c in range(cols) if c * per_col + y < len(rows))

    def line_key(self, y: int, width: int) -> Hashable:
        data = self.data
        if data is None or not data.rows:
            return None if data is None else data.empty_text
        return self._columns(width)[1], self._line_rows(y, width)

    def line_text(self, y: int, width: int) -> Text:
        data = self.data
        if data is None:
            return Text("…")
        if not data.rows:
            return Text(data.empty_text)
        col_w = self._columns(width)[1]
        line = Text(no_wrap=True, overflow="crop")
        for c, row in enumerate(self._line_rows(y, width)):
            if c:
                line.append("  ")
            line.append_text(self._row(row, col_w))
        return line

    def _row(self, row: LeaderRowData, width: int) -> Text:
        text = Text(no_wrap=True)
        text.append(f"{row.rank:>2}. ", self._style("rank"))
        if row.change > 0:
            text.append(f"▲{row.change:<2}", self._style("up"))
        elif row.change < 0:
            text.append(f"▼{-row.change:<2}", self._style("down"))
        else:
            text.append(" – ", self._style("same"))
        bar_w = 10 if width >= 44 else 5
        name_w = max(6, width - 4 - 3 - 1 - bar_w - 1 - 5)
        name = row.name
        if cell_len(name) > name_w:
            while cell_len(name) > name_w - 1:
                name = name[:-1]
            name += "…"
        text.append(" " + name + " " * (name_w - cell_len(name)) + " ")
        text.append_text(completion_bar(row.score, None, bar_w, fill=self._style("bar"),
                                        empty=self._style("empty-bar"), marker=Style()))
        text.append(f"{row.score_text:>5}")
        return text
