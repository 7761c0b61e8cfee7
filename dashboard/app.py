"""The Textual app shared by every front end (built by dashboard/frontends.py).

Data flow is one way: a thread worker asks the source for a snapshot and posts it; the main
thread hands it to the screen. Refreshes never overlap: dashboard/refresh_scheduler.py merges
the requests that arrive while one runs into one more refresh.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import WorkerFailed

from dashboard import numbers_dates
from dashboard.atomic_files import write_new_numbered
from dashboard.clock import Clock, SystemClock
from dashboard.engine import since as since_rules
from dashboard.engine.errors import ThiduaError
from dashboard.engine.model import Snapshot
from dashboard.i18n import LANGUAGES, catalogue
from dashboard.meeting.follow import MeetingLink
from dashboard.meeting.strings import meeting_strings
from dashboard.meeting_mode import MeetingMode
from dashboard.messages import DataRefreshed, FolderChanged, RefreshFailed, SourceChanged
from dashboard.refresh_scheduler import Refresh, RefreshScheduler
from dashboard.screens.dashboard_screen import DashboardScreen
from dashboard.screens.dialogs import DateModal, HelpModal, ProblemsModal
from dashboard.screens.key_labels import relabel
from dashboard.screens.meeting_dialogs import LateUnitsModal, SinceDateModal, SinceModal
from dashboard.screens.snapshot_view import SnapshotView
from dashboard.screens.target_screen import TargetScreen
from dashboard.source import SnapshotSource
from widgets.area_panel import AreaPanel

THEMES = ("textual-dark", "nord", "gruvbox", "tokyo-night")
"""The `t` cycle: themes whose every text and bar passes WCAG AA (tests/test_contrast.py).
textual-light is left out: the chart's terminal colours (plotext) and the theme's own
$text-accent fall below 3:1 and 4.5:1 on its light grey."""


@dataclass(frozen=True)
class AppOptions:
    lang: str = "vi"
    watch: bool = True
    """Watch the source's folder with watchfiles (tests may switch it off)."""
    rescan_seconds: float = 3.0
    """Safety-net rescan period: a watcher can go deaf when its folder is replaced."""
    live_requery_seconds: float = 60.0
    """With the live clock, recompute the snapshot this often even without new files."""
    replay_seconds_per_week: float | None = None
    screenshot_to: Path | None = None
    """Save an SVG of the first complete screen there, then exit (for `thidua screenshot`)."""
    export_dir: Path | None = None
    read_only: bool = False
    """Viewers over SSH: no export key and no command palette (it can save screenshots), so
    nothing the viewer presses writes a file on the server."""
    on_error: Callable[[BaseException], str] | None = None
    """An error nothing caught goes here (to be logged) instead of to the terminal as
    Textual's traceback, with the server's paths and locals; the app exits showing only the
    line it returns. SSH viewers use it: a remote user never reads a traceback."""
    meeting: MeetingLink | None = None
    """Meeting mode's way to the server (SSH viewers); None: `m` says it is not available."""


class ThiduaApp(App[int]):
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False
    """Its commands (theme, keys, screenshot…) would show in English and the keys t, ?, e
    already do the same in the viewer's language."""
    TITLE = "thidua"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide"), (200, "-huge")]

    BINDINGS = [
        Binding("q", "quit", "Thoát", priority=False),
        Binding("question_mark", "help", "Trợ giúp"),
        Binding("l", "leaderboard", "Xếp hạng"),
        Binding("v", "language", "English"),
        Binding("t", "theme", "Giao diện", show=False),
        Binding("e", "export", "Xuất ảnh", show=False),
        Binding("p", "problems", "Lỗi tệp", show=False),
        Binding("left_square_bracket", "travel(-1)", "Lùi 1 ngày"),
        Binding("right_square_bracket", "travel(1)", "Tới 1 ngày"),
        Binding("left_curly_bracket", "travel(-7)", "Lùi 1 tuần", show=False),
        Binding("right_curly_bracket", "travel(7)", "Tới 1 tuần", show=False),
        Binding("g", "goto", "Chọn ngày", show=False),
        Binding("full_stop", "live", "Hiện tại", show=False),
        Binding("o", "late_units", "Chậm báo cáo", show=False),
        Binding("s", "since", "Từ lần họp trước", show=False),
        Binding("m", "meeting", "Cuộc họp", show=False),
    ]

    def __init__(self, source: SnapshotSource, *, clock: Clock | None = None,
                 options: AppOptions | None = None) -> None:
        super().__init__()
        self.source = source
        self.clock: Clock = clock or SystemClock()
        self.options = options or AppOptions()
        self.lang = self.options.lang
        self.tr = catalogue(self.lang)
        self.snapshot: Snapshot | None = None
        self.as_of_override: datetime | None = None
        """Set while the user looks at the past (time travel or replay)."""
        self.refresh_count = 0
        self.last_refresh_seconds = 0.0
        self.scheduler = RefreshScheduler(self._start_refresh,
                                          requery_seconds=self.options.live_requery_seconds)
        self._stop_watch = asyncio.Event()
        self._screenshot_timer: Timer | None = None
        self.meeting_mode = MeetingMode(self, self.options.meeting)
        self._apply_key_labels()

    # -- lifecycle -------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Textual's hook for an unhandled error (it always ends the app)."""
        if self.options.on_error is None:
            super()._handle_exception(error)
            return
        line = self.options.on_error(error.error if isinstance(error, WorkerFailed) else error)
        self.exit(return_code=1)
        self.panic(Text(line))  # shown on exit in place of the traceback

    async def on_mount(self) -> None:
        self.theme = "textual-dark"
        screen = self.make_dashboard()
        if not isinstance(screen, SnapshotView):
            raise TypeError(f"{type(screen).__name__} does not show snapshots (SnapshotView)")
        self.dashboard: SnapshotView = screen
        await self.push_screen(screen)
        self._tick()
        self.set_interval(1.0, self._tick)
        self.set_interval(self.options.rescan_seconds, self._rescan)
        if self.options.replay_seconds_per_week:
            self.as_of_override = self.source.campaign.starts_at + timedelta(days=7)
            self.set_interval(self.options.replay_seconds_per_week, self._replay_step)
        self.source.subscribe(self._source_changed)
        self.meeting_mode.start()
        self.request_refresh()
        if self.options.watch and self.source.folder is not None:
            self._watch(self.source.folder)

    async def on_unmount(self) -> None:
        self._stop_watch.set()

    def make_dashboard(self) -> Screen[None]:
        """The main screen, a SnapshotView; the kiosk app puts its own in its place."""
        return DashboardScreen(self.source.campaign, self.tr)

    @property
    def as_of(self) -> datetime:
        return self.as_of_override or self.clock.now()

    # -- refresh ---------------------------------------------------------------------------

    def request_refresh(self, *, rescan: bool = True, requery: bool = False,
                        paths: frozenset[str] | None = None) -> None:
        """Ask for fresh data; coalesces with a refresh already running.

        rescan: look at the folder for changed files (paths: only these may have changed);
        requery: recompute the snapshot even when no file changed (the as-of instant moved).
        """
        self.scheduler.request(rescan=rescan, requery=requery or self.snapshot is None,
                               paths=paths)

    def _start_refresh(self, refresh: Refresh) -> None:
        self._refresh_worker(refresh.rescan, refresh.requery or self.snapshot is None,
                             self.as_of, refresh.paths)

    # Not exclusive: that would cancel a worker that already posted its result. The scheduler
    # is what keeps refreshes from overlapping.
    @work(thread=True, group="refresh")
    def _refresh_worker(self, rescan: bool, requery: bool, as_of: datetime,
                        paths: frozenset[str] | None = None) -> None:
        started = time.perf_counter()
        try:
            changed = self.source.refresh(paths) if rescan else False
            snap = self.source.snapshot(as_of) if changed or requery else None
        except ThiduaError as e:
            self.post_message(RefreshFailed(str(e)))
            return
        self.post_message(DataRefreshed(snap, time.perf_counter() - started))

    @on(DataRefreshed)
    async def _data_refreshed(self, event: DataRefreshed) -> None:
        self.last_refresh_seconds = event.seconds
        if event.snapshot is not None and event.snapshot.campaign != self.dashboard.campaign:
            await self.dashboard.set_campaign(event.snapshot.campaign)
        if event.snapshot is not None:
            previous, self.snapshot = self.snapshot, event.snapshot
            self.refresh_count += 1
            self.dashboard.show_snapshot(event.snapshot, previous, self._past_text())
            if self.options.screenshot_to is not None and self._screenshot_timer is None:
                self._screenshot_timer = self.set_interval(0.05, self._screenshot_when_complete)
        self.scheduler.finished()

    @on(RefreshFailed)
    def _refresh_failed(self, event: RefreshFailed) -> None:
        if self.snapshot is not None:
            stale = replace(self.snapshot, error=event.error,
                            stale_since=self.snapshot.stale_since or self.snapshot.computed_at)
            self.snapshot = stale
            self.dashboard.show_snapshot(stale, None, self._past_text())
        else:
            self.dashboard.show_error(event.error)
        self.scheduler.finished()

    def _rescan(self) -> None:
        self.scheduler.periodic(live=self.as_of_override is None)

    def _source_changed(self) -> None:
        """From the source's thread: post_message is safe from any thread."""
        self.post_message(SourceChanged())

    @on(SourceChanged)
    def _data_changed(self, event: SourceChanged) -> None:
        self.request_refresh(requery=False)

    @on(FolderChanged)
    def _folder_changed(self, event: FolderChanged) -> None:
        self.request_refresh(requery=False, paths=event.paths)

    @work(exclusive=True, group="watch")
    async def _watch(self, folder: Path) -> None:
        from dashboard.watcher import watch_folder

        await watch_folder(folder, lambda paths: self.post_message(FolderChanged(paths)),
                           self._stop_watch)

    def _tick(self) -> None:
        self.dashboard.tick(self.as_of)

    # -- time travel -----------------------------------------------------------------------

    def _past_text(self) -> str | None:
        if self.as_of_override is None:
            return None
        key = "ui.replay" if self.options.replay_seconds_per_week else "ui.past_view"
        return self.tr(key, moment=numbers_dates.moment(self.as_of_override, self.lang,
                                                self.source.campaign.tz))

    def travel_to(self, at: datetime | None) -> None:
        self.as_of_override = at
        self._tick()
        self.dashboard.set_past(self._past_text())
        self.request_refresh(rescan=False, requery=True)

    def action_travel(self, days: int) -> None:
        c = self.source.campaign
        base = self.as_of
        local = base.astimezone(c.tz)
        # a past view always shows a closed day: the end of the day `days` away
        target = local.replace(hour=23, minute=59, second=59, microsecond=0) + timedelta(days=days)
        lo = c.starts_at - timedelta(seconds=1)
        hi = c.deadline - timedelta(seconds=1)
        target = max(lo, min(target, hi))
        if target >= self.clock.now():
            self.travel_to(None)
        else:
            self.travel_to(target)

    def action_live(self) -> None:
        self.travel_to(None)

    def action_goto(self) -> None:
        def chosen(at: datetime | None) -> None:
            if at is not None:
                self.travel_to(at if at < self.clock.now() else None)

        self.push_screen(DateModal(self.source.campaign, self.tr, self.clock.now()), chosen)

    def _replay_step(self) -> None:
        c = self.source.campaign
        if self.as_of_override is None or self.as_of_override >= c.deadline:
            return
        self.travel_to(min(self.as_of_override + timedelta(days=7),
                           c.deadline - timedelta(seconds=1)))

    # -- the weekly meeting ----------------------------------------------------------------

    def action_late_units(self) -> None:
        if self.snapshot is not None:
            self.push_screen(LateUnitsModal(self.snapshot, self.lang,
                                            self.source.campaign.reporting_interval_days))

    def action_since(self) -> None:
        as_of = self.as_of

        def chosen(at: datetime | None) -> None:
            if at is None:
                return
            if at >= as_of:
                tz, lang = self.source.campaign.tz, self.lang
                self.notify(meeting_strings(lang)(
                    "since.not_before", day=numbers_dates.day(at.astimezone(tz).date(), lang),
                    as_of=numbers_dates.moment(as_of, lang, tz)), severity="warning")
                return
            self.open_since(at)

        self.push_screen(SinceDateModal(self.source.campaign, self.tr, as_of), chosen)

    def open_since(self, baseline: datetime) -> None:
        """The comparison of the shown instant with `baseline` (computed in a worker)."""
        self.notify(meeting_strings(self.lang)("since.loading"), timeout=2)
        self._since_worker(baseline, self.as_of)

    def action_meeting(self) -> None:
        self.meeting_mode.key()

    @work(thread=True, group="since", exclusive=True)
    def _since_worker(self, baseline: datetime, as_of: datetime) -> None:
        try:
            now = self.source.snapshot(as_of)
            then = self.source.snapshot(baseline)
            comparison = since_rules.compare(then, now)
            if now.error is None and then.error is not None:  # stale since the first one
                now = replace(now, error=then.error, stale_since=then.stale_since)
        except ThiduaError as e:
            self.call_from_thread(self.notify, meeting_strings(self.lang)(
                "since.failed", error=e), severity="error")
            return
        self.call_from_thread(self.push_screen, SinceModal(now, comparison, self.lang))

    # -- other keys ------------------------------------------------------------------------

    def action_leaderboard(self) -> None:
        if isinstance(self.screen, DashboardScreen):
            self.screen.action_leaderboard()

    def action_help(self) -> None:
        self.push_screen(HelpModal(self.tr))

    def action_problems(self) -> None:
        if self.snapshot is not None:
            self.push_screen(ProblemsModal(self.snapshot, self.tr))

    def action_language(self) -> None:
        self.lang = LANGUAGES[(LANGUAGES.index(self.lang) + 1) % len(LANGUAGES)]
        self.tr = catalogue(self.lang)
        self._apply_key_labels()
        self.dashboard.set_language(self.tr)
        for screen in self.screen_stack:
            if isinstance(screen, TargetScreen):
                screen.set_language(self.tr)
        self.dashboard.set_past(self._past_text())
        self._tick()
        self.notify(self.tr("ui.language"), timeout=2)

    def action_theme(self) -> None:
        current = THEMES.index(self.theme) if self.theme in THEMES else -1
        self.theme = THEMES[(current + 1) % len(THEMES)]
        self.notify(self.tr("ui.theme", theme=self.tr(f"theme_name.{self.theme}")), timeout=2)

    def action_export(self) -> None:
        if self.options.read_only:
            self.notify(self.tr("ui.read_only"), timeout=3)
            return
        folder = self.options.export_dir or Path.cwd()
        data = self.source.folder
        if data is not None and folder.resolve().is_relative_to(data.resolve()):
            folder = Path.home()  # the data folder belongs to the users: never write there
        stem = f"thidua-{self.as_of.astimezone(self.source.campaign.tz):%Y%m%d-%H%M%S}"
        self._write_export(folder, stem, self.export_screenshot().encode("utf-8"))

    @work(thread=True, exclusive=True, group="export")
    def _write_export(self, folder: Path, stem: str, svg: bytes) -> None:
        """Off the UI thread: a new file per export, never over an earlier one."""
        try:
            path = write_new_numbered(folder, stem, ".svg", svg)
        except OSError as e:
            self.notify(self.tr("ui.export_failed", error=e), severity="error", markup=False)
            return
        self.notify(self.tr("ui.exported", path=path), timeout=4, markup=False)

    def _screenshot_when_complete(self) -> None:
        """Save once the whole screen is laid out with its data, however slow the machine."""
        if self._screenshot_timer is not None and self.dashboard.is_complete():
            self._screenshot_timer.stop()
            self.screen.call_after_refresh(self._screenshot_and_exit)

    def _screenshot_and_exit(self) -> None:
        if not self.dashboard.is_complete():  # a layout pass changed it again: wait on
            self._screenshot_timer = self.set_interval(0.05, self._screenshot_when_complete)
            return
        out = self.options.screenshot_to
        assert out is not None
        self.save_screenshot(filename=out.name, path=str(out.parent or Path.cwd()))
        self.exit(0)

    @on(AreaPanel.TargetSelected)
    def open_target(self, event: AreaPanel.TargetSelected) -> None:
        self.open_target_id(event.key)

    def open_target_id(self, target_id: str) -> None:
        """The drill-down of a target of the shown snapshot (nothing if it has none)."""
        if self.snapshot is None:
            return
        target = self.snapshot.target(target_id)
        if target is None:
            return
        self.push_screen(TargetScreen(self.source.campaign, target, self.tr,
                                      source=self.source, as_of=self.as_of,
                                      shown=self.snapshot))

    def _apply_key_labels(self) -> None:
        """The app's keys and those of every open screen (the footer follows `v`)."""
        tr = catalogue(self.lang)
        relabel(self, tr)
        if self.is_running:
            for screen in self.screen_stack:
                relabel(screen, tr)
            self.screen.refresh_bindings()


class ReadOnlyApp(ThiduaApp):
    """For viewers over SSH: no command palette (it can save screenshots on the server), as
    in every thidua app."""
