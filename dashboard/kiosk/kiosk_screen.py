"""The kiosk's screen: the header and countdown always there, one view at a time below them,
and outside office hours a dim clock that wanders against burn-in.

It is a SnapshotView to the app (the app feeds it snapshots, ticks and errors as it feeds the
dashboard), composed of the same header and panels, and has no keys: the kiosk app swallows
every key before it gets here. Each step of the rotation, each view and each refresh is
contained: a failure is logged and costs that part until the next refresh, never the screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from textual import events
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Static

from dashboard import reasons
from dashboard.clock import Clock
from dashboard.engine.campaign import Campaign
from dashboard.engine.model import Snapshot
from dashboard.i18n import Catalogue, catalogue
from dashboard.kiosk import burn_in, kiosk_presenters
from dashboard.kiosk.contained_views import ContainedAreaPanel, ContainedLeaderboard
from dashboard.kiosk.kiosk_presenters import LATE, LEADERBOARD, Interruption
from dashboard.kiosk.rotation import Rotation
from dashboard.kiosk.settings import KioskSettings
from dashboard.kiosk.strings import kiosk_strings
from dashboard.screens import meeting_presenters, presenters
from dashboard.screens.area_layout import arrange_area_panels
from dashboard.screens.banner import show_banner
from dashboard.screens.campaign_header import CampaignHeader
from widgets.cached_lines import CachedLines as CachedLinesLike
from widgets.leaderboard import Leaderboard
from widgets.night_clock import NightClock
from widgets.page_indicator import PageIndicator

log = logging.getLogger("thidua.kiosk")

NARROW_COLUMNS = 120
"""Below this width the leaderboard packs two narrower columns, so its 18 units fit 80×24."""


def _widget_id(view: str) -> str:
    if view == LATE:
        return "late-units"
    return "leaderboard" if view == LEADERBOARD else f"area-{view}"


class KioskScreen(Screen[None]):
    """Shows whatever the app hands it; its own clock drives the rotation and the night."""

    AUTO_FOCUS = ""

    def __init__(self, campaign: Campaign, tr: Catalogue, settings: KioskSettings,
                 clock: Clock) -> None:
        super().__init__()
        self.campaign = campaign
        self.tr = tr
        self.snapshot: Snapshot | None = None
        self.settings = settings
        self.clock = clock
        self.ktr = kiosk_strings(tr.lang)
        self.views = kiosk_presenters.view_ids(campaign)
        self.rotation = Rotation(self.views, settings.dwell_seconds, clock.now().timestamp())
        self.night = False
        """True outside office hours: only the dim clock is on."""
        self.banner: str | None = None
        """The stale-data banner's text, None while the data is fresh."""
        self._as_of: datetime | None = None
        self._past: str | None = None
        self._interruptions: dict[str, Interruption] = {}
        self._night_offset: tuple[int, int] | None = None
        self._pinned: str | None = None
        """The view a meeting holds on the spotlight (the rotation waits meanwhile)."""

    @property
    def current_view(self) -> str:
        return self._pinned or self.rotation.current

    # -- a meeting's presenter chooses the view (kiosk --follow) ----------------------------

    @property
    def zoomed(self) -> str | None:
        """The view a meeting holds, named as the dashboard names it ("leaderboard")."""
        return "leaderboard" if self._pinned == LEADERBOARD else self._pinned

    def zoom_to(self, which: str | None) -> None:
        """Hold the spotlight on an area (or "leaderboard"); None: back to rotating."""
        view = LEADERBOARD if which == "leaderboard" else which
        pinned = view if view in self.views else None
        if pinned == self._pinned:
            return
        self._pinned = pinned
        if pinned is None:
            self.rotation.restart(self.clock.now().timestamp())
        self._guard("meeting view", self._apply_view)

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        failure = self.ktr("kiosk.view_error")
        with Vertical(id="kiosk-day"):
            yield CampaignHeader()
            yield Static("", id="kiosk-banner", markup=False)
            yield Static("", id="past-banner", markup=False)
            yield Static("", id="kiosk-note", markup=False)
            with Vertical(id="spotlight"):
                for area in self.campaign.areas:
                    yield self.make_area_panel(area.id)
                yield ContainedLeaderboard(failure_text=failure, id="leaderboard",
                                           classes="view")
                yield Static("", id="late-units", classes="view")
            with Horizontal(id="kiosk-bar"):
                yield PageIndicator(id="pages")
                yield Static(self.ktr("kiosk.waiting"), id="updated", markup=False)
        with Container(id="night-room"):
            yield NightClock(id="night")

    def make_area_panel(self, area_id: str) -> ContainedAreaPanel:
        return ContainedAreaPanel(failure_text=self.ktr("kiosk.view_error"),
                                  id=f"area-{area_id}", classes="view")

    async def set_campaign(self, campaign: Campaign) -> None:
        """campaign.toml changed: the views follow its areas, and the rotation goes on from
        the view it was on when that is still there."""
        old = [a.id for a in self.campaign.areas]
        self.campaign = campaign
        new = [a.id for a in campaign.areas]
        if new != old:
            await arrange_area_panels(self.query_one("#spotlight"),
                                      self.query_one(ContainedLeaderboard), old, new,
                                      self.make_area_panel)
        self.views = kiosk_presenters.view_ids(self.campaign, self.snapshot)
        self.rotation.set_views(self.views, self.clock.now().timestamp())
        self._interruptions = {k: v for k, v in self._interruptions.items() if k in self.views}
        self._apply_view()

    def on_mount(self) -> None:
        self._apply_view()
        self._fit(self.size)

    def on_resize(self, event: events.Resize) -> None:
        self._guard("resize", lambda: self._fit(event.size))

    def _fit(self, size: Size) -> None:
        self.query_one(Leaderboard).column_width = 38 if size.width < NARROW_COLUMNS else 56
        self.call_after_refresh(self._apply_view)  # the spotlight's room changed
        self._night_offset = None  # the free space changed: place the clock again

    # -- fed by the app --------------------------------------------------------------------

    def show_snapshot(self, snap: Snapshot, previous: Snapshot | None,
                      past: str | None = None) -> None:
        self._guard("new data", lambda: self._show_snapshot(snap, previous, past))

    def show_error(self, error: str) -> None:
        """No data yet and none can be read: say so where the stale banner goes."""
        def show() -> None:
            self.banner = self.ktr("kiosk.no_data_error",
                                   error=reasons.say(error, catalogue(self.ktr.lang)))
            self._put_banner()
        self._guard("error", show)

    def tick(self, now: datetime) -> None:
        """The app's second: the countdown (at the as-of instant) moves."""
        self._as_of = now
        self._guard("countdown", lambda: self.query_one(CampaignHeader).show(
            self.campaign, now, self.tr))

    def set_past(self, text: str | None) -> None:
        show_banner(self.query_one("#past-banner", Static), text)

    def is_complete(self) -> bool:
        return self.snapshot is not None

    def set_language(self, tr: Catalogue) -> None:
        def switch() -> None:
            self.tr, self.ktr = tr, kiosk_strings(tr.lang)
            failure = self.ktr("kiosk.view_error")
            for widget in self.query(".view"):
                if isinstance(widget, ContainedAreaPanel | ContainedLeaderboard):
                    widget.failure_text = failure
            if self.snapshot is not None:
                self._show_snapshot(self.snapshot, None, self._past)
            self._apply_view()
        self._guard("language", switch)

    def step(self) -> None:
        """Called every second with the app's clock: rotate, dim for the night, age the data."""
        self._guard("rotation", self._step)

    # -- inside ----------------------------------------------------------------------------

    def _guard(self, what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except NoMatches:
            pass  # a timer or message that outlived the screen's widgets (shutting down)
        except Exception:
            log.exception("kiosk %s failed; shown again at the next refresh", what)

    def _show_snapshot(self, snap: Snapshot, previous: Snapshot | None,
                       past: str | None) -> None:
        first = self.snapshot is None
        self.snapshot = snap
        self._past = past
        self.set_past(past)
        live = past is None and not self.night and self._pinned is None
        found = kiosk_presenters.interruptions(previous, snap) if live else ()
        self._interruptions.update({i.view: i for i in found})
        views = kiosk_presenters.view_ids(self.campaign, snap)
        if views != self.views:  # someone became late, or nobody is any more
            self.views = views
            self.rotation.set_views(views, self.clock.now().timestamp())
        self._draw_views(snap)
        self.query_one("#updated", Static).update(
            kiosk_presenters.updated_text(snap, self.campaign, self.ktr))
        self.rotation.set_dwell(kiosk_presenters.dwell_by_view(snap, self.settings, self.views))
        if first:  # the rotation starts once there is something to show, with full slots
            self.rotation.restart(self.clock.now().timestamp())
        self._update_banner()
        if found:
            now = self.clock.now().timestamp()
            self.rotation.interrupt([i.view for i in found], now,
                                    self.settings.highlight_seconds)
            log.info("new data: showing %s", ", ".join(i.view for i in found))
        self._apply_view()

    def _draw_views(self, snap: Snapshot, only: str | None = None) -> None:
        """Hand each view its data; a view whose data cannot be prepared keeps its last good
        data, marked, and is tried again with the next snapshot."""
        tz = self.campaign.tz
        for area in snap.areas:
            if only is not None and area.id != only:
                continue
            panels = self.query(f"#area-{area.id}")
            if not panels:
                continue
            panel = panels.first(ContainedAreaPanel)
            item = self._interruptions.get(area.id)
            try:
                panel.data = presenters.area_data(area, self.tr, tz,
                                                  item.changed if item else frozenset())
                panel.border_subtitle = ""
            except Exception:
                log.exception("area %s could not be prepared; its last good data stays",
                              area.id)
                panel.border_subtitle = self.ktr("kiosk.view_error_short")
        if only is None or only == LATE:
            self.query_one("#late-units", Static).update(meeting_presenters.late_text(
                snap, self.tr.lang, self.campaign.reporting_interval_days))
        if only is None or only == LEADERBOARD:
            board = self.query_one(ContainedLeaderboard)
            try:
                board.data = presenters.leaderboard_data(snap, self.tr)
                board.border_subtitle = ""
            except Exception:
                log.exception("the leaderboard could not be prepared; its last data stays")
                board.border_subtitle = self.ktr("kiosk.view_error_short")

    def _apply_view(self) -> None:
        """Show the rotation's current view, mark it in the page indicator, and end the
        highlight of views an interruption has finished with."""
        current = self.current_view
        shown = ({_widget_id(current)} if self._pinned else
                 {_widget_id(v) for v in self._views_that_fit(current)})
        for widget in self.query(".view"):
            widget.display = widget.id in shown
            widget.set_class(len(shown) > 1 and widget.id == _widget_id(current), "-current")
        self.query_one(PageIndicator).data = kiosk_presenters.page_data(
            self.campaign, current, self.ktr, self.views)
        live = {current, *self.rotation.pending} if self.rotation.interrupted else set()
        for view in [v for v in self._interruptions if v not in live]:
            del self._interruptions[view]
            if self.snapshot is not None:
                self._draw_views(self.snapshot, only=view)
        note = self.query_one("#kiosk-note", Static)
        item = self._interruptions.get(current) if self.rotation.interrupted else None
        text = kiosk_presenters.interruption_text(item, self.campaign, self.ktr) if item else ""
        note.update(text)
        note.display = bool(text)

    def _views_that_fit(self, current: str) -> list[str]:
        """The current view, then those after it in the rotation while they fit whole: the
        room below the current view is filled (a wall screen shows more at once; the rotation
        still moves the current one on)."""
        spot = self.query_one("#spotlight")
        room, width = spot.size.height, spot.size.width
        if current not in self.views:
            return [current]
        chrome = 2 + (2 if self.size.width >= 200 else 0)  # border, and the wide padding
        i = self.views.index(current)
        order = self.views[i:] + self.views[:i]
        shown: list[str] = []
        used = 0
        for view in order:
            widget = self.query_one(f"#{_widget_id(view)}")
            if not isinstance(widget, CachedLinesLike):  # its height is not known ahead
                return shown or [current]
            height = widget.line_count(max(1, width - 2 - 4)) + chrome
            if shown and used + height > room:
                break
            shown.append(view)
            used += height
        return shown

    def _step(self) -> None:
        now = self.clock.now()
        local = now.astimezone(self.campaign.tz)
        night = not self.settings.office_hours.is_open(
            local, self.campaign.holidays, self.campaign.makeup_workdays)
        if night != self.night:
            self._set_night(night, now)
        if night:
            self._draw_night(now)
            return
        if self._pinned is None and self.rotation.step(now.timestamp()):
            self._apply_view()
        self._update_banner()

    def _set_night(self, night: bool, now: datetime) -> None:
        self.night = night
        self.set_class(night, "-night")
        log.info("office hours %s: screen %s", "over" if night else "begin",
                 "dimmed" if night else "on")
        if not night:
            self._interruptions.clear()
            self.rotation.restart(now.timestamp())
            if self.snapshot is not None:
                self._draw_views(self.snapshot)
            self._apply_view()
        self._night_offset = None

    def _draw_night(self, now: datetime) -> None:
        clock = self.query_one(NightClock)
        clock.data = kiosk_presenters.night_data(self.campaign, now, self._as_of or now,
                                                 self.tr, self.ktr)
        room = self.query_one("#night-room").size
        size = clock.outer_size
        if not size.width:  # not laid out yet: place it on the next step
            return
        step = burn_in.walk_step(now.timestamp(), self.settings.burn_in_minutes)
        offset = burn_in.offset_in(room.width - size.width, room.height - size.height, step)
        if offset != self._night_offset:
            self._night_offset = offset
            clock.styles.offset = offset

    @property
    def night_offset(self) -> tuple[int, int] | None:
        """Where the night clock stands (columns, rows from the top left)."""
        return self._night_offset

    def _update_banner(self) -> None:
        if self.snapshot is None:
            return
        at = self.snapshot.as_of if self._past else self.clock.now()
        text = kiosk_presenters.stale_banner(self.snapshot, self.campaign, at, self.settings,
                                             self.ktr)
        if text != self.banner:
            if text and not self.banner:
                log.warning("stale banner on: %s", text.replace("\n", " "))
            elif self.banner and not text:
                log.info("stale banner off")
            self.banner = text
            self._put_banner()

    def _put_banner(self) -> None:
        show_banner(self.query_one("#kiosk-banner", Static), self.banner)


__all__ = ["KioskScreen"]

