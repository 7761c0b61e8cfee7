"""Drill-down: one target's figures, its history chart and the reports behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rich.columns import Columns
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static
from textual_plotext import PlotextPlot

from dashboard import numbers_dates
from dashboard.engine import semantics as rules
from dashboard.engine.campaign import Campaign
from dashboard.engine.errors import ThiduaError
from dashboard.engine.model import Snapshot, TargetHistory, TargetState
from dashboard.i18n import Catalogue
from dashboard.screens import presenters
from dashboard.screens.banner import show_banner
from dashboard.screens.chart_axes import nice_ticks, tick_labels
from dashboard.screens.key_labels import relabel
from dashboard.screens.presenters import value_text
from dashboard.source import SnapshotSource

NARROW_FOOTER = 100
"""Below this width the footer drops its padding."""


class TargetScreen(Screen[None]):
    """Esc goes back. Its own worker loads the history; a failure stays on this screen (the
    dashboard's refreshes know nothing of it)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    @dataclass
    class HistoryLoaded(Message):
        history: TargetHistory

    @dataclass
    class HistoryFailed(Message):
        error: str

    def __init__(self, campaign: Campaign, target: TargetState, tr: Catalogue, *,
                 source: SnapshotSource | None = None, as_of: datetime | None = None,
                 shown: Snapshot | None = None) -> None:
        """shown: the snapshot the target comes from (its staleness is shown here too)."""
        super().__init__()
        relabel(self, tr)
        self.campaign = campaign
        self.target = target
        self.shown = shown
        self.tr = tr
        self.source = source
        self.as_of = as_of
        self.history: TargetHistory | None = None
        self.history_error: str | None = None

    def compose(self) -> ComposeResult:
        tr = self.tr
        # data is never markup: a title like "[bold" is shown as written
        yield Label(self._title(), id="detail-title", markup=False)
        yield Label(self._subtitle(), id="detail-sub", markup=False)
        # figures from a copy that may be behind (the bucket cannot be reached) say so
        yield Static("", id="detail-stale", markup=False)
        with Horizontal(id="detail-top"):
            yield Static(self._facts(), id="detail-facts", markup=False)
            with Vertical(id="detail-plot"):
                yield PlotextPlot(id="detail-chart")
                yield Static(self._legend(), id="detail-legend", markup=False)
        yield Label(tr("detail.reports"), id="detail-reports-title")
        yield DataTable(id="detail-reports", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def _title(self) -> str:
        return f"{self.target.target_id} · {self.target.title(self.tr.lang)}"

    def _subtitle(self) -> str:
        t, tr = self.target, self.tr
        area = self.campaign.area(t.area)
        return (f"{area.name(tr.lang) if area else t.area} · "
                f"{tr('detail.direction_' + t.direction)} · "
                f"{tr('detail.aggregate_' + t.aggregate)}")

    def set_language(self, tr: Catalogue) -> None:
        """Everything on this screen in tr's language (after `v`), the chart and the reports
        redrawn from the history already loaded."""
        self.tr = tr
        relabel(self, tr)
        self.query_one("#detail-title", Label).update(self._title())
        self.query_one("#detail-sub", Label).update(self._subtitle())
        self._show_stale()
        self.query_one("#detail-facts", Static).update(self._facts())
        self.query_one("#detail-legend", Static).update(self._legend())
        self.query_one("#detail-reports-title", Label).update(tr("detail.reports"))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self._add_columns(table)
        if self.history is not None:
            self.show_history(self.history)
        elif self.history_error is not None:
            self._history_failed(self.HistoryFailed(self.history_error))
        else:
            self.query_one(PlotextPlot).plt.title(tr("detail.loading"))

    def _add_columns(self, table: DataTable[object]) -> None:
        tr = self.tr
        table.add_columns(tr("detail.col_day"), tr("detail.col_reporter"),
                          tr("detail.col_value"), tr("detail.col_note"))

    def _legend(self) -> Columns:
        """What each line is, below the chart: plotext's own legend is cut on a narrow chart
        and covers the lines on a short one. The colours are the chart's (terminal colours)."""
        tr = self.tr
        parts = [("━━", "green", tr("detail.chart_target"))]
        if self.target.direction == "at_least":
            parts.append(("▞▞", "dark_orange", tr("detail.chart_pace")))
        parts.append(("⠒⠒", "cyan", tr("detail.chart_value")))
        entries = [Text.assemble((mark, colour), f" {words}") for mark, colour, words in parts]
        return Columns(entries, padding=(0, 3))  # an entry moves down whole, never split

    def _facts(self) -> Table:
        t, tr = self.target, self.tr
        lang = tr.lang
        tz = self.campaign.tz
        last = numbers_dates.moment(t.last_report_at, lang, tz) if t.last_report_at else "—"
        needed_key = "detail.needed" if t.direction == "at_least" else "detail.needed_less"
        unit = f" {t.unit(lang)}" if t.unit(lang) else ""
        rows = [
            (tr("detail.value"), value_text(t, lang)),
            (tr("detail.completion"), numbers_dates.percent(t.completion, lang, 1)),
            (tr("detail.expected"), numbers_dates.percent(t.expected, lang, 1)),
            (tr("detail.status"), tr(f"status.{t.status}")
             + (f" · ⚠ {tr('ui.overdue')}" if t.overdue else "")),
            (tr("detail.owner"), t.owner or "—"),
            (tr("detail.last_report"), last),
            (tr("detail.projection"), numbers_dates.number(t.projection, lang) + unit
             if t.projection is not None else "—"),
            (tr(needed_key), numbers_dates.number(t.needed_per_working_day, lang, 2) + unit
             if t.needed_per_working_day is not None else "—"),
        ]
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)  # a label never wraps into the values
        grid.add_column(overflow="fold")
        for label, value in rows:
            grid.add_row(Text(label), Text(value))  # Text: an owner like "[/red" is data
        return grid

    def on_resize(self, event: events.Resize) -> None:
        # its keys (Back first) fit 80 columns whole only without the footer's padding
        self.query_one(Footer).compact = event.size.width < NARROW_FOOTER

    def _show_stale(self) -> None:
        text = None
        if self.shown is not None:
            text = presenters.outage_text(self.shown, self.tr, self.campaign.tz)
        show_banner(self.query_one("#detail-stale", Static), text)

    def on_mount(self) -> None:
        self._show_stale()
        self._add_columns(self.query_one(DataTable))
        plot = self.query_one(PlotextPlot)
        plot.plt.title(self.tr("detail.loading"))
        if self.source is not None and self.as_of is not None:
            self._load_history(self.source, self.as_of)

    @work(thread=True, exclusive=True, group="history")
    def _load_history(self, source: SnapshotSource, as_of: datetime) -> None:
        try:
            history = source.history(self.target.target_id, as_of)
        except ThiduaError as e:
            self.post_message(self.HistoryFailed(str(e)))
            return
        self.post_message(self.HistoryLoaded(history))

    @on(HistoryLoaded)
    def _history_loaded(self, event: HistoryLoaded) -> None:
        self.show_history(event.history)

    @on(HistoryFailed)
    def _history_failed(self, event: HistoryFailed) -> None:
        self.history_error = event.error
        table = self.query_one(DataTable)
        table.clear()
        table.add_row("—", self.tr("detail.history_failed", error=event.error), "", "")
        plot = self.query_one(PlotextPlot)
        plot.plt.title(self.tr("detail.history_failed", error=event.error))
        plot.refresh()

    def show_history(self, history: TargetHistory) -> None:
        self.history = history
        lang = self.tr.lang
        table = self.query_one(DataTable)
        table.clear()
        for p in reversed(history.points):
            table.add_row(numbers_dates.day(p.day, lang), Text(p.reporter),
                          numbers_dates.number(p.value, lang),
                          Text(p.note or ""))  # Text: a str cell would be parsed as markup
        if not history.points:
            table.add_row("—", self.tr("detail.no_reports"), "", "")
        self._chart(history)

    def _chart(self, history: TargetHistory) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(self.tr("detail.chart_title"))
        c = self.campaign
        start = c.start
        x_of = lambda d: (d - start).days  # noqa: E731
        days = [c.start + timedelta(days=i) for i in range((c.end - c.start).days + 1)]
        ticks = [d for d in days if d.day in (1, 15)]
        plt.xticks([x_of(d) for d in ticks],
                   [numbers_dates.short_day(d, self.tr.lang) for d in ticks])
        t = self.target
        values = [t.target_value]
        plt.plot([x_of(days[0]), x_of(days[-1])], [t.target_value, t.target_value],
                 color="green")
        if t.direction == "at_least":
            pace = [t.target_value * self._expected_at(d) for d in days]
            values += pace
            plt.plot([x_of(d) for d in days], pace, color="orange", marker="hd")
        if history.series:
            xs = [x_of(d) for d, _ in history.series]
            ys = [v for _, v in history.series]
            values += ys
            plt.plot(xs, ys, marker="braille", color="cyan")
        y_ticks = nice_ticks(min(0.0, *values), max(values))
        plt.yticks(y_ticks, tick_labels(y_ticks, self.tr.lang))
        plt.ylim(y_ticks[0], y_ticks[-1])
        plot.refresh()

    def _expected_at(self, d: date) -> float:
        cal = self.campaign.calendar
        return cal.done_by(d) / cal.total if cal.total else 1.0


__all__ = ["TargetScreen", "rules"]
