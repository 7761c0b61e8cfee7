"""The main screen: countdown header, a panel per area, the leaderboard, the status line."""

from __future__ import annotations

import contextlib
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Static

from dashboard import reasons
from dashboard.engine.campaign import Campaign
from dashboard.engine.model import Snapshot
from dashboard.i18n import Catalogue
from dashboard.screens import meeting_presenters, presenters
from dashboard.screens.area_layout import arrange_area_panels
from dashboard.screens.banner import show_banner
from dashboard.screens.campaign_header import CampaignHeader
from dashboard.screens.fit_text import drop_parts
from dashboard.screens.key_labels import relabel
from widgets.area_panel import AreaPanel
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
        relabel(self, tr)
        self.campaign = campaign
        self.tr = tr
        self.snapshot: Snapshot | None = None
        self.zoomed: str | None = None
        self._status = ""
        """The whole status line; the screen shows the parts that fit its width."""

    def compose(self) -> ComposeResult:
        yield CampaignHeader()
        yield Static("", id="past-banner", markup=False)
        yield Static("", id="stale-banner", markup=False)
        with VerticalScroll(id="body"):
            for area in self.campaign.areas:
                yield self.make_area_panel(area.id)
            yield Leaderboard(id="leaderboard")
        yield Static(self.tr("ui.loading"), id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        first = self.query(AreaPanel).first()
        first.focus()

    def _fit_status(self) -> None:
        status = self.query_one("#status", Static)
        room = status.size.width - 2 if status.size.width else self.size.width - 2
        status.update(drop_parts(self._status, room), layout=False)

    def on_resize(self) -> None:
        if self._status:
            self._fit_status()
        for panel in self.query(AreaPanel):
            panel.two_line = False  # measured again at the new size
        self.call_after_refresh(self._use_the_height)

    def _use_the_height(self) -> None:
        """Targets on two lines (whole titles) when the body has the height for them."""
        with contextlib.suppress(NoMatches):
            body = self.query_one("#body")
            panels = [p for p in self.query(AreaPanel) if p.display]
            if not panels or body.size.height == 0:
                return
            if any(p.two_line for p in panels):
                if body.virtual_size.height > body.size.height:
                    for p in panels:
                        p.two_line = False
                return
            columns = 1 if body.has_class("-zoomed") or body.styles.layout is None or (
                body.styles.grid_size_columns or 1) < 2 else 2
            rows = [len(p.data.rows) if p.data else 0 for p in panels]
            extra = sum(max(rows[i:i + columns]) for i in range(0, len(rows), columns))
            if body.virtual_size.height + extra <= body.size.height:
                for p in panels:
                    p.two_line = True

    def make_area_panel(self, area_id: str) -> AreaPanel:
        return AreaPanel(id=f"area-{area_id}", classes="area")

    # -- feeding ---------------------------------------------------------------------------

    async def set_campaign(self, campaign: Campaign) -> None:
        """campaign.toml changed while the app runs: areas added, removed, renamed or
        reordered, a new title or calendar. Panels follow the new areas; the next snapshot
        (computed with the new campaign) fills them."""
        old = [a.id for a in self.campaign.areas]
        self.campaign = campaign
        new = [a.id for a in campaign.areas]
        if new != old:
            await arrange_area_panels(self.query_one("#body"), self.query_one(Leaderboard),
                                      old, new, self.make_area_panel)
        if self.zoomed not in (None, "leaderboard", *new):
            self.zoomed = None
        if self.zoomed is not None:
            self._zoom(self.zoomed)
        elif self.focused is None or not self.focused.is_attached:
            panels = self.query(AreaPanel)
            (panels.first() if panels else self.query_one(Leaderboard)).focus()

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
        self._status = (presenters.status_text(snap, self.tr, tz)
                        + meeting_presenters.late_suffix(snap, self.tr.lang))
        self._fit_status()
        stale = presenters.stale_text(snap, self.tr, tz)
        show_banner(self.query_one("#stale-banner", Static), stale)
        self.set_past(past)
        if changed:
            self.set_timer(3.0, self._clear_highlight)
        self.call_after_refresh(self._use_the_height)

    def is_complete(self) -> bool:
        """Every shown view has its data and the height its lines need: what a screenshot
        waits for (under load, layout passes lag behind the data)."""
        if self.snapshot is None:
            return False
        views: list[AreaPanel | Leaderboard] = [*self.query(AreaPanel), *self.query(Leaderboard)]
        for view in views:
            if not view.display:
                continue
            size = view.content_size
            if view.data is None or size.width == 0 or size.height < view.line_count(size.width):
                return False
        return True

    def show_error(self, error: str) -> None:
        """No snapshot yet and the data cannot be read: say why instead of a blank screen."""
        show_banner(self.query_one("#stale-banner", Static), f"⚠ {reasons.say(error, self.tr)}")

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
        self.query_one(CampaignHeader).show(self.campaign, now, self.tr)

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

    def zoom_to(self, which: str | None) -> None:
        """Zoom an area by id, or the leaderboard, or nothing (a meeting's follower)."""
        known = [a.id for a in self.campaign.areas]
        self._zoom(which if which in (*known, "leaderboard") else None)

    def _zoom(self, which: str | None) -> None:
        self.zoomed = which
        body = self.query_one("#body")
        body.set_class(which is not None, "-zoomed")
        for w in body.children:
            wid = w.id or ""
            w.display = which is None or wid in (f"area-{which}", which)
        self.call_after_refresh(self._use_the_height)
        if which:
            focus_id = which if which == "leaderboard" else f"area-{which}"
            self.query_one(f"#{focus_id}").focus()

