"""The campaign's title and its big countdown: the top of every screen that shows a campaign."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from dashboard.engine.campaign import Campaign
from dashboard.i18n import Catalogue
from dashboard.screens import presenters
from widgets.countdown_display import CountdownDisplay


class CampaignHeader(Vertical):
    """Title line and countdown; `show` moves them to an instant (no query runs)."""

    def __init__(self, *, id: str | None = "header") -> None:
        super().__init__(id=id)
        self._title = ""

    def compose(self) -> ComposeResult:
        yield Label("", id="title", markup=False)  # the campaign's title is data
        yield CountdownDisplay(id="countdown")

    def show(self, campaign: Campaign, now: datetime, tr: Catalogue) -> None:
        digits, caption, days, elapsed, words, ended = presenters.countdown_texts(
            campaign, now, tr)
        cd = self.query_one(CountdownDisplay)
        cd.digits, cd.caption, cd.days_line = digits, caption, days
        cd.elapsed, cd.elapsed_label = elapsed, words
        cd.set_class(ended, "-ended")
        title = presenters.title_text(campaign, now, tr)
        if title != self._title:  # an update re-runs layout: only when the words change
            self._title = title
            self.query_one("#title", Label).update(title)
