"""The meeting's dialogs: late units, the since comparison and the baseline day it asks for."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from dashboard import numbers_dates
from dashboard.engine.campaign import Campaign
from dashboard.engine.model import SinceComparison, Snapshot
from dashboard.engine.since import default_baseline
from dashboard.i18n import Catalogue, catalogue
from dashboard.meeting.strings import meeting_strings
from dashboard.screens import meeting_presenters, presenters
from dashboard.screens.banner import show_banner
from dashboard.screens.dialogs import DateModal


class LateUnitsModal(ModalScreen[None]):
    """Who is late with a report, and which targets each one owes."""

    BINDINGS = [Binding("escape,o,q", "dismiss", "Close")]

    def __init__(self, snapshot: Snapshot, lang: str, interval_days: int) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.lang = lang
        self.interval_days = interval_days

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(meeting_strings(self.lang)("late.title"), classes="dialog-title")
            with VerticalScroll():
                yield Static(meeting_presenters.late_text(self.snapshot, self.lang,
                                                          self.interval_days), id="late-body")


class SinceModal(ModalScreen[None]):
    """The campaign at the baseline against the instant shown."""

    BINDINGS = [Binding("escape,s,q", "dismiss", "Close")]

    def __init__(self, snapshot: Snapshot, comparison: SinceComparison, lang: str) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.comparison = comparison
        self.lang = lang

    def compose(self) -> ComposeResult:
        tr = meeting_strings(self.lang)
        baseline = numbers_dates.moment(self.comparison.baseline, self.lang,
                                        ZoneInfo(self.snapshot.campaign.timezone))
        with Vertical(classes="dialog"):
            yield Label(tr("since.title", baseline=baseline), classes="dialog-title")
            # figures from a copy that may be behind (the bucket cannot be reached) say so
            yield Static("", id="since-stale", markup=False)
            with VerticalScroll():
                yield Static(meeting_presenters.since_text(self.snapshot, self.comparison,
                                                           self.lang), id="since-body")


    def on_mount(self) -> None:
        snap = self.snapshot
        show_banner(self.query_one("#since-stale", Static), presenters.outage_text(
            snap, catalogue(self.lang), ZoneInfo(snap.campaign.timezone)))


class SinceDateModal(DateModal):
    """DateModal asking for the last meeting's day, filled in with a week before."""

    def __init__(self, campaign: Campaign, tr: Catalogue, as_of: datetime) -> None:
        super().__init__(campaign, tr, as_of)
        self.suggested = default_baseline(as_of).astimezone(campaign.tz).date()

    def compose(self) -> ComposeResult:
        mtr = meeting_strings(self.tr.lang)
        with Vertical(classes="dialog"):
            yield Label(mtr("since.dialog_title"), classes="dialog-title")
            yield Input(value=self.suggested.isoformat(), placeholder=self.tr("goto.placeholder"),
                        id="goto-input")
            yield Label("", id="goto-error", markup=False)
