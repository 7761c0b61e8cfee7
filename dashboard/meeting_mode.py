"""Meeting mode in the app: `m` starts or ends a meeting (a presenter), or steps out of one
and back (everyone else); followers' screens follow the presenter's view.

The presenter's view is read from the app ten times a second and sent when it changed;
a follower's app is brought to the meeting's view step by step on the same beat — the
zoomed area and the instant first, then (once that instant's data is in) the drill-down and
the "since" comparison, which need it — each news from the server taking the first step at
once. Each viewer keeps its own
language. A follower's own view is kept while it follows and given back when it steps out or
the meeting ends. The source's reader thread only stores the news and wakes the app.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from textual.screen import Screen
from textual.timer import Timer

from dashboard import numbers_dates
from dashboard.engine.errors import ThiduaError
from dashboard.engine.model import Snapshot
from dashboard.i18n import Catalogue
from dashboard.meeting.follow import Meeting, MeetingLink, MeetingRefused, SharedView
from dashboard.meeting.strings import meeting_strings
from dashboard.screens.meeting_dialogs import SinceModal
from dashboard.screens.snapshot_view import SnapshotView
from dashboard.screens.target_screen import TargetScreen
from dashboard.source import SnapshotSource
from widgets.meeting_banner import MeetingBanner

BEAT_SECONDS = 0.2
"""How often a follower takes the next step towards the meeting's view (news from the server
is taken at once)."""
PRESENTER_BEAT_SECONDS = 0.1
"""How often the presenter's view is read (only the presenter's app does it)."""
SINCE_PATIENCE = 10.0
"""Seconds a follower waits for its "since" comparison before asking again."""
BANNER_ID = "meeting-banner"
HINT_SECONDS = 10.0
"""A follower whose keys are undone is told why at most this often."""


@runtime_checkable
class ZoomableView(Protocol):
    """A main screen that shows one area at a time on demand (the dashboard, the kiosk)."""

    @property
    def zoomed(self) -> str | None:
        """The area's id, "leaderboard", or None (every panel, or the kiosk's rotation)."""
        ...

    def zoom_to(self, which: str | None) -> None: ...


class MeetingHost(Protocol):
    """What meeting mode needs of the app (the app is this; kept apart, it imports no app)."""

    as_of_override: datetime | None
    snapshot: Snapshot | None
    lang: str

    @property
    def screen(self) -> Screen[Any]: ...

    @property
    def screen_stack(self) -> Sequence[Screen[Any]]: ...

    source: SnapshotSource
    dashboard: SnapshotView

    def travel_to(self, at: datetime | None) -> None: ...

    def open_target_id(self, target_id: str) -> None: ...

    def open_since(self, baseline: datetime) -> None: ...

    def pop_screen(self) -> Any: ...

    def notify(self, message: str, *, timeout: float | None = None,
               severity: Any = "information", markup: bool = True) -> None: ...

    def set_interval(self, interval: float, callback: Callable[[], None], *,
                     pause: bool = False) -> Timer: ...

    def run_worker(self, work: Callable[[], None], *, thread: bool, group: str) -> Any: ...

    def call_from_thread(self, callback: Callable[..., Any], *args: Any) -> Any: ...

    def call_later(self, callback: Callable[..., Any], *args: Any) -> bool: ...


class MeetingMode:
    def __init__(self, host: MeetingHost, link: MeetingLink | None) -> None:
        self.host = host
        self.link = link
        self.meeting: Meeting | None = None
        """The meeting as this viewer last applied it (None: none runs)."""
        self.presenting = False
        self.following = True
        """False while this viewer has stepped out (`m`) of a running meeting."""
        self.wall = False
        """A kiosk (`--follow`): no keys, so no key hints; and it follows the area and the
        instants only (its styles are for its one screen, not the drill-down's)."""
        self._beat: Timer | None = None
        self._presenter_timer: Timer | None = None
        self._lock = threading.Lock()
        self._news: Meeting | None = None
        self._news_count = 0
        self._seen_count = 0
        self._starting = False
        self._published: SharedView | None = None
        self._own: SharedView | None = None
        """This viewer's view before it began to follow, given back afterwards."""
        self._since_asked: tuple[datetime, datetime | None, float] | None = None
        self._caught_up = False
        """This follower showed the meeting's view at the last beat."""
        self._hinted = -HINT_SECONDS

    # -- wiring ----------------------------------------------------------------------------

    def start(self) -> None:
        if self.link is None:
            return
        self.link.subscribe_meeting(self._heard)
        # both beats sleep while no meeting runs: an idle viewer costs nothing here
        self._beat = self.host.set_interval(BEAT_SECONDS, self.beat, pause=True)
        if self.link.can_present:
            self._presenter_timer = self.host.set_interval(
                PRESENTER_BEAT_SECONDS, self._presenter_beat, pause=True)

    def _heard(self, meeting: Meeting | None) -> None:
        """From the source's thread: keep the news, and beat at once on the app's loop."""
        with self._lock:
            self._news = meeting
            self._news_count += 1
        self.host.call_later(self.beat)  # a message to the app: safe from any thread

    def _presenter_beat(self) -> None:
        if self.presenting:
            self._publish()
            self._show_banner()  # on the screen the presenter just opened, too

    @property
    def tr(self) -> Catalogue:
        return meeting_strings(self.host.lang)

    def _say(self, text: str, *, timeout: float, severity: str = "information") -> None:
        """A toast; never markup: `[m]` is a key, and a presenter's name is data."""
        self.host.notify(text, timeout=timeout, severity=severity, markup=False)

    # -- the key ---------------------------------------------------------------------------

    def key(self) -> None:
        """`m`: start or end (presenter), step out or back in (follower)."""
        tr, link = self.tr, self.link
        if link is None:
            self._say(tr("present.unavailable"), timeout=4)
        elif self.presenting:
            self.presenting = False
            self.meeting = None
            self._published = None
            self.host.run_worker(lambda: _quietly(link.end_meeting), thread=True,
                                 group="meeting")
            self._show_banner()
            self._set_beats()
            self._say(tr("present.ended_by_you"), timeout=3)
        elif self.meeting is not None:
            self.following = not self.following
            self._caught_up = False
            if self.following:
                self._own = self.capture()
            else:
                self._give_back()
            self._show_banner()
        elif not link.can_present:
            self._say(tr("present.not_presenter"), severity="warning", timeout=5)
        elif not self._starting:
            self._starting = True
            view = self.capture()
            self.host.run_worker(lambda: self._start(link, view), thread=True,
                                 group="meeting")

    def _start(self, link: MeetingLink, view: SharedView) -> None:
        """In a worker: ask the server; the answer goes back to the UI thread."""
        try:
            link.start_meeting(view)
        except MeetingRefused as e:
            self.host.call_from_thread(self._refused, e.reason, e.presenter)
            return
        except ThiduaError as e:
            self.host.call_from_thread(self._refused, "failed", str(e))
            return
        self.host.call_from_thread(self._started, view)

    def _started(self, view: SharedView) -> None:
        self._starting = False
        self.presenting = True
        self._published = view
        self.beat()  # the news that waited for this answer: the meeting, its banner
        self._say(self.tr("present.started"), timeout=3)

    def _refused(self, reason: str, detail: str) -> None:
        self._starting = False
        tr = self.tr
        text = {"busy": tr("present.busy", presenter=detail or tr("present.someone")),
                "not_presenter": tr("present.not_presenter")}.get(
            reason, tr("present.failed", error=detail))
        self._say(text, severity="warning", timeout=5)

    # -- the beat --------------------------------------------------------------------------

    def beat(self) -> None:
        with self._lock:  # while a start is asked, the news waits for its answer
            news, fresh = self._news, self._news_count != self._seen_count
            if not self._starting:
                self._seen_count = self._news_count
        if fresh and not self._starting:
            self._news_arrived(news)
        if self.presenting:
            self._publish()
        elif self.meeting is not None and self.following:
            view = self.meeting.view
            here = self.capture()
            if self._caught_up and not fresh and here != view and not self.wall:
                self._hint()  # the follower's own key took them away: it will not stay
            self._caught_up = here == view
            if not self._caught_up:
                self._follow(view)
        if self.meeting is not None or self.presenting:
            self._show_banner()
        self._set_beats()

    def _set_beats(self) -> None:
        """The follower's beat while a meeting runs, the presenter's while presenting."""
        follow = self.meeting is not None and not self.presenting
        for timer, on in ((self._beat, follow), (self._presenter_timer, self.presenting)):
            if timer is not None:
                (timer.resume if on else timer.pause)()

    def _news_arrived(self, news: Meeting | None) -> None:
        if self.presenting:
            if news is None:  # ended on the server's side
                self.presenting = False
                self._show_banner()
            else:
                self.meeting = news
            return
        before, self.meeting = self.meeting, news
        if news is None and before is not None:
            if self.following:
                self._give_back()
            self.following = True
            self._show_banner()
            self._say(self.tr("present.ended"), timeout=4)
        elif news is not None and before is None:
            self.following = True
            self._caught_up = False
            self._own = self.capture()
            key = "present.joined_wall" if self.wall else "present.joined"
            self._say(self.tr(key, presenter=self._presenter(news)), timeout=4)

    def _hint(self) -> None:
        now = time.monotonic()
        if now - self._hinted >= HINT_SECONDS:
            self._hinted = now
            self._say(self.tr("present.following_hint"), timeout=4)

    def _publish(self) -> None:
        view = self.capture()
        if view != self._published and self.link is not None:
            self._published = view
            link = self.link
            self.host.run_worker(lambda: _quietly(lambda: link.publish_view(view)),
                                 thread=True, group="meeting")

    def _give_back(self) -> None:
        if self._own is not None:
            self._since_asked = None
            self._follow(self._own, own=True)
            self._own = None

    # -- the view --------------------------------------------------------------------------

    def capture(self) -> SharedView:
        """What this app shows now, as the meeting shares it."""
        host = self.host
        dash = host.dashboard
        area = dash.zoomed if isinstance(dash, ZoomableView) else None
        target = since = None
        for screen in host.screen_stack:
            if isinstance(screen, TargetScreen) and target is None:
                target = screen.target.target_id
            elif isinstance(screen, SinceModal) and since is None:
                since = screen.comparison.baseline
        return SharedView(area, target, host.as_of_override, since)

    def _follow(self, view: SharedView, *, own: bool = False) -> None:
        """One step towards `view`; the next beat takes the next (own: all of it at once,
        data or not — a viewer going back to its own view waits for nothing)."""
        host = self.host
        dash = host.dashboard
        if isinstance(dash, ZoomableView) and dash.zoomed != view.area:
            dash.zoom_to(view.area)
        if host.as_of_override != view.as_of:
            host.travel_to(view.as_of)
            if not own:
                return
        snap = host.snapshot
        if not own and (snap is None or (view.as_of is not None and snap.as_of != view.as_of)):
            return  # the instant's data is still on its way
        if not self.wall:
            self._arrange_screens(view, own)

    def _arrange_screens(self, view: SharedView, own: bool) -> None:
        host = self.host
        dash = host.dashboard
        stack = list(host.screen_stack)
        if not isinstance(dash, Screen) or dash not in stack:
            return
        above = stack[stack.index(dash) + 1:]
        have = [k for k in map(_screen_key, above) if k is not None]
        want: list[tuple[str, object]] = []
        if view.target is not None:
            want.append(("target", view.target))
        if view.since is not None:
            want.append(("since", view.since))
        if have == want:
            self._since_asked = None
            return
        asked = self._since_asked
        if (view.since is not None and have == want[:-1] and asked is not None
                and asked[:2] == (view.since, view.as_of)
                and time.monotonic() - asked[2] < SINCE_PATIENCE):
            return  # the comparison is being computed
        while host.screen is not dash:
            host.pop_screen()
        if view.target is not None:
            host.open_target_id(view.target)
        if view.since is not None and not own:
            self._since_asked = (view.since, view.as_of, time.monotonic())
            host.open_since(view.since)

    # -- the banner ------------------------------------------------------------------------

    def banner_text(self) -> str | None:
        tr = self.tr
        if self.presenting:
            title = self._title(self.meeting) if self.meeting else ""
            return tr("present.banner_presenting", title=title)
        if self.meeting is None:
            return None
        key = ("present.banner_wall" if self.wall else "present.banner_following"
               if self.following else "present.banner_away")
        return tr(key, title=self._title(self.meeting),
                  presenter=self._presenter(self.meeting))

    def _show_banner(self) -> None:
        text = self.banner_text()
        for screen in self.host.screen_stack:
            found = screen.query(f"#{BANNER_ID}")
            if text is None:
                found.remove()
            elif screen is self.host.screen and screen.is_mounted:  # composed: room for it
                if found:
                    found.first(MeetingBanner).show(text, away=not self.following)
                else:
                    screen.mount(MeetingBanner(text, away=not self.following, id=BANNER_ID))

    def _title(self, meeting: Meeting) -> str:
        if meeting.title:
            return meeting.title
        day = meeting.started_at.astimezone(self.host.source.campaign.tz).date()
        return self.tr("present.title_default", day=numbers_dates.day(day, self.host.lang))

    def _presenter(self, meeting: Meeting) -> str:
        return meeting.presenter or self.tr("present.someone")


def _quietly(send: Callable[[], None]) -> None:
    """A message to the server that may find it gone: the viewer ends with it anyway (the
    source says so), so this worker does not fail the app first."""
    with contextlib.suppress(ThiduaError):
        send()


def _screen_key(screen: Screen[Any]) -> tuple[str, object] | None:
    if isinstance(screen, TargetScreen):
        return ("target", screen.target.target_id)
    if isinstance(screen, SinceModal):
        return ("since", screen.comparison.baseline)
    return None
