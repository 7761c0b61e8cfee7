"""The main screen: countdown header, a panel per area, the leaderboard, the status line."""

from __future__ import annotations

import contextlib
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from dashboard.engine.campaign import Campaign
from dashboard.engine.model import Snapshot
from dashboard.i18n import Catalogue
from dashboard.screens import presenters
from widgets.area_panel import AreaPanel
from widgets.countdown_display import CountdownDisplay
from widgets.leaderboard import Leaderboard


class DashboardScreen(Screen[None]):
    """Shows whatever snapshot the app hands it; it never loads data itself."""

    BINDINGS = [
        Binding("left", "app.focus_previous", "Previous", show=False, priority=True),
        Binding("right", "app.focus_next", "Next", show=False, priority=True),
        Binding("escape", "unzoom", "Back", show=False),
        *[Binding(str(n), f"zoom({n})", f"Zoom {n}", show=False) for n in range(1, 10)],
    ]

    def __init__(self, campaign: Campaign, tr: Catalogue) -> None:
        super().__init__()
        self.campaign = campaign
        self.tr = tr
        self.snapshot: Snapshot | None = None
        self.zoomed: str | None = None
        self._title = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="header"):
            yield Label("", id="title", markup=False)  # the campaign's words, never markup
            yield CountdownDisplay(id="countdown")
        yield Static("", id="past-banner", markup=False)
        yield Static("", id="stale-banner", markup=False)
        with VerticalScroll(id="body"):
            for area in self.campaign.areas:
                yield AreaPanel(id=f"area-{area.id}", classes="area")
            yield Leaderboard(id="leaderboard")
        yield Static(self.tr("ui.loading"), id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        first = self.query(AreaPanel).first()
        first.focus()

    # -- feeding ---------------------------------------------------------------------------

    def set_language(self, tr: Catalogue) -> None:
        self.tr = tr
        if self.snapshot:
            self.show_snapshot(self.snapshot, None)

    def show_snapshot(self, snap: Snapshot, previous: Snapshot | None,
                      past: str | None = None) -> None:
        """Hand each widget its data; widgets whose data did not change do not repaint."""
        with contextlib.suppress(NoMatches):  # a message can outlive the screen's widgets
            self._show(snap, previous, past)

    def _show(self, snap: Snapshot, previous: Snapshot | None, past: str | None) -> None:
        self.snapshot = snap
        tz = self.campaign.tz
        changed = presenters.changed_targets(previous, snap)
        for area in snap.areas:
            panels = self.query(f"#area-{area.id}")
            if panels:
                panels.first(AreaPanel).data = presenters.area_data(area, self.tr, tz, changed)
        self.query_one(Leaderboard).data = presenters.leaderboard_data(snap, self.tr)
        # one line of fixed height: new words need no layout pass
        self.query_one("#status", Static).update(presenters.status_text(snap, self.tr, tz),
                                                 layout=False)
        stale = presenters.stale_text(snap, self.tr, tz)
        show_banner(self.query_one("#stale-banner", Static), stale)
        self.set_past(past)
        if changed:
            self.set_timer(3.0, self._clear_highlight)

    def show_error(self, error: str) -> None:
        """No snapshot yet and the data cannot be read: say why instead of a blank screen."""
        show_banner(self.query_one("#stale-banner", Static), f"⚠ {error}")

    def _clear_highlight(self) -> None:
        if self.snapshot is None:
            return
        tz = self.campaign.tz
        for area in self.snapshot.areas:
            panels = self.query(f"#area-{area.id}")
            if panels:
                panels.first(AreaPanel).data = presenters.area_data(area, self.tr, tz)

    def set_past(self, text: str | None) -> None:
        for banner in self.query("#past-banner").results(Static):
            show_banner(banner, text)

    def tick(self, now: datetime) -> None:
        """Once a second: the countdown moves; no query runs."""
        with contextlib.suppress(NoMatches):  # timers can fire while the app shuts down
            self._tick(now)

    def _tick(self, now: datetime) -> None:
        digits, caption, days, elapsed, words, ended = presenters.countdown_texts(
            self.campaign, now, self.tr)
        cd = self.query_one(CountdownDisplay)
        cd.digits, cd.caption, cd.days_line = digits, caption, days
        cd.elapsed, cd.elapsed_label = elapsed, words
        cd.set_class(ended, "-ended")
        title = presenters.title_text(self.campaign, now, self.tr)
        if title != self._title:  # an update re-runs layout: only when the words change
            self._title = title
            self.query_one("#title", Label).update(title)

    # -- keys ------------------------------------------------------------------------------

    def action_zoom(self, n: int) -> None:
        areas = self.campaign.areas
        if n > len(areas):
            return
        target = areas[n - 1].id
        self._zoom(None if self.zoomed == target else target)

    def action_leaderboard(self) -> None:
        self._zoom(None if self.zoomed == "leaderboard" else "leaderboard")

    def action_unzoom(self) -> None:
        self._zoom(None)

    def _zoom(self, which: str | None) -> None:
        self.zoomed = which
        body = self.query_one("#body")
        body.set_class(which is not None, "-zoomed")
        for w in body.children:
            wid = w.id or ""
            w.display = which is None or wid in (f"area-{which}", which)
        if which:
            focus_id = which if which == "leaderboard" else f"area-{which}"
            self.query_one(f"#{focus_id}").focus()


def show_banner(banner: Static, text: str | None) -> None:
    """A banner shows `text`, or hides when there is none. Unchanged words cost nothing: an
    update re-arranges the whole screen (the banner's height may change), which is most of
    what a new snapshot would otherwise cost to draw."""
    if str(banner.content) != (text or ""):
        banner.update(text or "")
    banner.display = bool(text)
