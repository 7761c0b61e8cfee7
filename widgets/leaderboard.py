"""The units' leaderboard: rank (ties share one), score, and how the rank moved in a week."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

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


class Leaderboard(Widget, can_focus=True):
    """Rows flow into as many columns as the width allows."""

    DEFAULT_CSS = """
    Leaderboard {
        height: auto;
        border: round $panel-lighten-2;
        border-title-style: bold;
        padding: 0 1;
    }
    Leaderboard:focus { border: round $accent; }
    Leaderboard > .leaderboard--up { color: $success; }
    Leaderboard > .leaderboard--down { color: $error; }
    Leaderboard > .leaderboard--same { color: $text-muted; }
    Leaderboard > .leaderboard--bar { color: $primary-lighten-2; }
    Leaderboard > .leaderboard--empty-bar { color: $panel-lighten-1; }
    Leaderboard > .leaderboard--rank { text-style: bold; }
    """

    COMPONENT_CLASSES = {"leaderboard--up", "leaderboard--down", "leaderboard--same",
                         "leaderboard--bar", "leaderboard--empty-bar", "leaderboard--rank"}

    data: reactive[LeaderboardData | None] = reactive(None)
    """Rows to show; an equal value does not repaint, the same number of rows no layout."""
    column_width: reactive[int] = reactive(56)
    """Target width of one column of rows."""

    def __init__(self, data: LeaderboardData | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(Leaderboard.data, data)

    def watch_data(self, old: LeaderboardData | None, data: LeaderboardData | None) -> None:
        title = data.title if data else ""
        if self.border_title != title:  # setting it repaints, even to the same words
            self.border_title = title
        if (old is None) != (data is None) or (old and data and len(old.rows) != len(data.rows)):
            self.refresh(layout=True)

    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"leaderboard--{part}", partial=True)

    def render(self) -> Text:
        data = self.data
        if data is None:
            return Text("…")
        if not data.rows:
            return Text(data.empty_text)
        width = max(30, self.content_region.width or self.size.width - 4)
        cols = max(1, min(3, width // self.column_width))
        col_w = (width - (cols - 1) * 2) // cols
        per_col = -(-len(data.rows) // cols)
        lines: list[Text] = []
        for r in range(per_col):
            line = Text(no_wrap=True, overflow="ellipsis")
            for c in range(cols):
                i = c * per_col + r
                if i >= len(data.rows):
                    break
                if c:
                    line.append("  ")
                line.append_text(self._row(data.rows[i], col_w))
            lines.append(line)
        text = Text("\n").join(lines)
        text.no_wrap, text.overflow = True, "ellipsis"
        return text

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
