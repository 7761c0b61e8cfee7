"""Modal dialogs: help, the problems list, and the date prompt for time travel."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from dashboard import numbers_dates, reasons
from dashboard.engine.campaign import Campaign
from dashboard.engine.model import Snapshot
from dashboard.i18n import Catalogue
from dashboard.meeting.strings import meeting_strings
from dashboard.screens.key_labels import relabel


class HelpModal(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, tr: Catalogue) -> None:
        super().__init__()
        relabel(self, tr)
        self.tr = tr

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.tr("help.title"), classes="dialog-title")
            yield Static(self.tr("help.body").strip("\n"), id="help-body", markup=False)
            yield Static(meeting_strings(self.tr.lang)("help.keys"), id="help-meeting",
                         markup=False)
            yield Static(self.tr("help.legend"), classes="dialog-note", markup=False)


class ProblemsModal(ModalScreen[None]):
    """Every skipped file and dropped row, with its reason."""

    BINDINGS = [Binding("escape,p,q", "dismiss", "Close")]

    def __init__(self, snapshot: Snapshot, tr: Catalogue) -> None:
        super().__init__()
        relabel(self, tr)
        self.snapshot = snapshot
        self.tr = tr

    def compose(self) -> ComposeResult:
        s, tr = self.snapshot, self.tr
        def said(reason: str, code: str = "") -> str:
            return reasons.say(reason, tr, code)

        sections = [
            (tr("problems.skipped"), [f"{k.file}: {said(k.reason)}" for k in s.files.skipped]),
            (tr("problems.pending"), list(s.files.pending)),
            (tr("problems.held"), [f"{h.file}: {said(h.reason)}" for h in s.files.held]),
            (tr("problems.warnings"), [f"{w.file}: {said(w.reason)}" for w in s.files.warnings]),
            (tr("problems.dropped"), [
                f"{d.file}: {tr('problems.rows', count=d.count)} · {said(d.reason, d.code)}"
                for d in s.rows_dropped]),
        ]
        body = Text()  # file names and reasons are shown as written, never parsed as markup
        for heading, lines in sections:
            if lines:
                body.append(f"{heading}\n", style="bold")
                body.append("".join(f"  {line}\n" for line in lines))
        body.rstrip()
        with Vertical(classes="dialog"):
            yield Label(tr("problems.title"), classes="dialog-title")
            with VerticalScroll():
                yield Static(body if body else tr("problems.none"), id="problems-body")


class DateModal(ModalScreen[datetime | None]):
    """Asks for a day of the campaign up to today; answers the end of that day in the
    campaign's zone. A day it cannot show is refused with the reason, and the dialog stays."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, campaign: Campaign, tr: Catalogue, now: datetime) -> None:
        super().__init__()
        relabel(self, tr)
        self.campaign = campaign
        self.tr = tr
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.tr("goto.title"), classes="dialog-title")
            yield Input(placeholder=self.tr("goto.placeholder"), id="goto-input")
            yield Label("", id="goto-error", markup=False)  # echoes what was typed

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        c, lang = self.campaign, self.tr.lang
        d = parse_day(event.value, c.start.year)
        today = self.now.astimezone(c.tz).date()
        error = None
        if d is None:
            error = self.tr("goto.invalid", text=event.value)
        elif not c.start <= d <= c.end:
            error = self.tr("goto.outside", day=numbers_dates.day(d, lang),
                            start=numbers_dates.day(c.start, lang),
                            end=numbers_dates.day(c.end, lang))
        elif d > today:
            error = self.tr("goto.future", day=numbers_dates.day(d, lang),
                            today=numbers_dates.day(today, lang))
        if error is not None:
            self.query_one("#goto-error", Label).update(error)
            return
        assert d is not None
        self.dismiss(datetime.combine(d, time(23, 59, 59), c.tz))

    def action_cancel(self) -> None:
        self.dismiss(None)


def parse_day(text: str, default_year: int) -> date | None:
    """2020-07-15, 15/7/2020 or 15/7 (this campaign's year)."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?", text)
    if not m:
        return None
    try:
        return date(int(m[3] or default_year), int(m[2]), int(m[1]))
    except ValueError:
        return None
