"""One area of the campaign: its summary and a line per target, with a cursor to drill down."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive

from widgets.cached_lines import CachedLines
from widgets.glyphs import completion_bar, sparkline


@dataclass(frozen=True)
class TargetRow:
    """One target, already formatted for the viewer's language."""

    key: str
    title: str
    value_text: str
    completion: float | None
    pace: float | None
    percent_text: str
    status: str
    status_text: str
    status_short: str = ""
    """Fewer words for the same status, for a narrow panel (empty: cut status_text)."""
    spark: tuple[float | None, ...] = ()
    spark_top: float | None = None
    last_text: str = ""
    overdue: bool = False
    short_title: str = ""
    """Fewer words for a row too narrow for the title (empty: the title, cut at a word)."""


@dataclass(frozen=True)
class AreaPanelData:
    title: str
    summary: str
    rows: tuple[TargetRow, ...]
    empty_text: str = ""
    highlight: frozenset[str] = frozenset()
    """Keys of rows to flash (e.g. just changed)."""


class AreaPanel(CachedLines, can_focus=True):
    """An area's panel. Up/Down move the cursor, Enter or a click selects a target."""

    DEFAULT_CSS = """
    AreaPanel {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text;
        border-title-style: bold;
        padding: 0 1;
    }
    AreaPanel:focus { border: round $accent; }
    AreaPanel > .area-panel--summary { color: $text-muted; }
    AreaPanel > .area-panel--done { color: $text-success; }
    AreaPanel > .area-panel--on_track { color: $text-primary; }
    AreaPanel > .area-panel--behind { color: $text-error; text-style: bold; }
    AreaPanel > .area-panel--no_data { color: $text-muted; }
    AreaPanel > .area-panel--empty-bar { color: $panel-lighten-1; }
    AreaPanel > .area-panel--pace { color: $text-warning; }
    AreaPanel > .area-panel--cursor { background: $foreground; color: $background; }
    AreaPanel > .area-panel--highlight { background: $text-warning; color: $background; }
    AreaPanel > .area-panel--overdue { color: $text-warning; text-style: bold; }
    AreaPanel > .area-panel--muted { color: $text-muted; }
    AreaPanel > .area-panel--title { text-style: bold; }
    """

    COMPONENT_CLASSES = {
        "area-panel--summary", "area-panel--done", "area-panel--on_track",
        "area-panel--behind", "area-panel--no_data", "area-panel--empty-bar",
        "area-panel--pace", "area-panel--cursor", "area-panel--highlight",
        "area-panel--overdue", "area-panel--muted", "area-panel--title",
    }

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    data: reactive[AreaPanelData | None] = reactive(None, repaint=False)
    """What the panel shows; an equal value does not repaint, and new figures in the same
    number of rows repaint only the rows that changed, without a layout pass."""
    cursor: reactive[int] = reactive(0, repaint=False)
    """Index of the highlighted target row."""
    two_line: reactive[bool] = reactive(False, layout=True)
    """A target on two lines, its whole title above its figures: for a panel with the
    height (the screen decides), so long titles stay whole and distinguishable."""

    class TargetSelected(Message):
        """A target was chosen (Enter or click)."""

        def __init__(self, panel: AreaPanel, key: str) -> None:
            self.panel = panel
            self.key = key
            super().__init__()

        @property
        def control(self) -> AreaPanel:
            return self.panel

    def __init__(self, data: AreaPanelData | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(AreaPanel.data, data)
        self._wrapped: tuple[str, int, list[Text]] | None = None

    def validate_cursor(self, value: int) -> int:
        rows = len(self.data.rows) if self.data else 0
        return max(0, min(value, rows - 1)) if rows else 0

    def watch_data(self, old: AreaPanelData | None, data: AreaPanelData | None) -> None:
        title = data.title if data else ""
        shown = Content(title)  # the data's words, never parsed as markup
        if self.border_title != shown.markup:  # setting it repaints, even to the same words
            self.border_title = shown
        self.cursor = self.cursor  # re-clamp
        self.refresh_lines_or_layout()

    def watch_cursor(self) -> None:
        self.refresh_changed_lines()

    def action_cursor(self, step: int) -> None:
        self.cursor += step
        self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        region = self.region
        if region.height:
            self.screen.scroll_to_widget(self, top=False)

    def action_select(self) -> None:
        if self.data and self.data.rows:
            self.post_message(self.TargetSelected(self, self.data.rows[self.cursor].key))

    def watch_two_line(self) -> None:
        self.refresh_lines_or_layout()

    @property
    def _per_row(self) -> int:
        return 2 if self.two_line else 1

    def on_click(self, event: events.Click) -> None:
        index = (event.y - 1 - self._summary_height(self.size.width)) // self._per_row
        if self.data and 0 <= index < len(self.data.rows):
            self.cursor = index
            self.post_message(self.TargetSelected(self, self.data.rows[index].key))

    @property
    def selected_key(self) -> str | None:
        return self.data.rows[self.cursor].key if self.data and self.data.rows else None

    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"area-panel--{part}", partial=True)

    # -- lines: the summary, then a line per target (or the empty text) ------------------

    def _summary_lines(self, width: int) -> list[Text]:
        """The summary, wrapped at word boundaries (it is the area's totals: never cut)."""
        summary = self.data.summary if self.data else "…"
        if self._wrapped is None or self._wrapped[:2] != (summary, width):
            text = Text(summary)
            self._wrapped = (summary, width, list(text.wrap(self.app.console, max(1, width))))
        return self._wrapped[2]

    def _summary_height(self, width: int) -> int:
        return len(self._summary_lines(width)) if width else 1

    def line_count(self, width: int) -> int:
        return self._summary_height(width) + max(0, _height(self.data)) * (
            self._per_row if self.data and self.data.rows else 1)

    def line_key(self, y: int, width: int) -> Hashable:
        data = self.data
        top = self._summary_height(width)
        if data is None or y < top:
            return y, self._summary_lines(width)[y].plain.rstrip() if data else None
        if not data.rows:
            return data.empty_text
        i, part = divmod(y - top, self._per_row)
        row = data.rows[i]
        return row, part, self.two_line, row.key in data.highlight, (
            i == self.cursor and self.has_focus)

    def line_text(self, y: int, width: int) -> Text:
        data = self.data
        top = self._summary_height(width)
        if data is None or y < top:
            words = self._summary_lines(width)[y].plain.rstrip()
            return Text().append(words, self._style("summary")) if data else Text(words)
        if not data.rows:
            return Text().append(data.empty_text, self._style("muted"))
        i, part = divmod(y - top, self._per_row)
        row = data.rows[i]
        if not self.two_line:
            line = self._row(row, max(20, width))
        elif part == 0:
            line = Text(no_wrap=True, overflow="crop")
            line.append("⚠ " if row.overdue else "  ", self._style("overdue"))
            line.append(_fit(row.title, max(8, width - 2)), self._style("title"))
        else:
            line = self._row(row, max(20, width), title=False)
        if row.key in data.highlight:
            line.stylize(self._style("highlight"))
        if i == self.cursor and self.has_focus:
            line.stylize(self._style("cursor"))
        return line

    def _row(self, row: TargetRow, width: int, *, title: bool = True) -> Text:
        """The target on one line; without `title`, its figures under a title line."""
        status_w = 15 if width >= 70 else 9  # narrow: the short words, the title gets room
        value_w = min(22, max(12, cell_len(row.value_text)))
        pct_w = 5
        spark_w = 10 if width >= 110 else (6 if width >= 96 else 0)
        last_w = 6 if width >= 88 else 0
        bar_w = max(6, min(20, width // 6))
        extras = (spark_w + 1 if spark_w else 0) + (last_w + 1 if last_w else 0)

        def fixed() -> int:
            return 2 + value_w + 1 + bar_w + 1 + pct_w + 1 + status_w + 1 + extras

        short = 8 - (width - fixed())  # a long value in a narrow panel: narrower status, bar
        if short > 0:
            take = max(0, min(short, status_w - 9))
            status_w, short = status_w - take, short - take
            bar_w -= min(short, bar_w - 4)
        title_w = max(8, width - fixed())
        known = f"area-panel--{row.status}" in self.COMPONENT_CLASSES
        st = self._style(row.status if known else "no_data")  # the styles name the statuses
        text = Text(no_wrap=True, overflow="crop")
        text.append("⚠ " if row.overdue and title else "  ", self._style("overdue"))
        # under a title line the figures stay in their columns, the title's room left blank
        words = row.title
        if cell_len(words) > title_w and row.short_title:
            words = row.short_title
        text.append(_fit(words, title_w) if title else " " * title_w)
        text.append(" ")
        text.append(_fit(row.value_text, value_w, right=True))
        text.append(" ")
        text.append_text(completion_bar(row.completion, row.pace, bar_w, fill=st,
                                        empty=self._style("empty-bar"),
                                        marker=self._style("pace")))
        text.append(" ")
        text.append(_fit(row.percent_text, pct_w, right=True), st)
        text.append(" ")
        words = row.status_text
        if cell_len(words) > status_w and row.status_short:
            words = row.status_short
        text.append(_fit(words, status_w), st)
        if spark_w:
            text.append(" ")
            text.append(sparkline(row.spark, spark_w, top=row.spark_top).rjust(spark_w), st)
        if last_w:
            text.append(" ")
            text.append(_fit(row.last_text, last_w, right=True), self._style("muted"))
        return text


def _height(data: AreaPanelData | None) -> int:
    return -1 if data is None else max(1, len(data.rows))


def _fit(text: str, width: int, *, right: bool = False) -> str:
    """text in exactly `width` cells; when longer, cut after the last whole word that fits
    (then "…"); only a first word longer than the room is cut inside."""
    if cell_len(text) > width:
        out = ""
        for ch in text:
            if cell_len(out + ch) > width - 1:
                break
            out += ch
        if not text[len(out)].isspace() and " " in out:
            out = out[:out.rfind(" ")].rstrip(" ,·–-:")
        return out + "…" + " " * (width - cell_len(out) - 1)
    pad = " " * (width - cell_len(text))
    return pad + text if right else text + pad
