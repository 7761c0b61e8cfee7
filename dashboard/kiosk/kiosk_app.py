"""The kiosk app: ThiduaApp on a wall screen, with every key and click locked out.

The data flow is the dashboard's (one refresh worker, immutable snapshots, the last good data
kept when a refresh fails); what changes is the screen (KioskScreen), the input (nothing gets
through but the unlock chord) and the ways out: SIGTERM, SIGINT or SIGHUP end it with code 0
and a restored terminal, the unlock chord ends it with `unlocked` set for the caller to act on.
Build it through dashboard.frontends.create_app(..., kiosk=settings), like every other app.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from pathlib import Path
from typing import cast

from textual import events, on
from textual.screen import Screen

from dashboard.app import AppOptions, ThiduaApp
from dashboard.clock import Clock
from dashboard.kiosk.contained_source import ContainedSource
from dashboard.kiosk.kiosk_screen import KioskScreen
from dashboard.kiosk.logbook import open_log
from dashboard.kiosk.settings import KioskSettings
from dashboard.kiosk.unlock import UnlockChord
from dashboard.messages import DataRefreshed, RefreshFailed
from dashboard.sd_notify import notifier
from dashboard.source import SnapshotSource

log = logging.getLogger("thidua.kiosk")

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
FREEZE_AFTER = "THIDUA_TEST_FREEZE_AFTER"
"""Seconds after which the kiosk blocks its own UI loop: how the watchdog test freezes it."""


class KioskApp(ThiduaApp, inherit_bindings=False):
    CSS_PATH = "kiosk.tcss"
    ENABLE_COMMAND_PALETTE = False
    AUTO_FOCUS = None
    BINDINGS = []

    def __init__(self, source: SnapshotSource, *, clock: Clock | None = None,
                 options: AppOptions | None = None,
                 settings: KioskSettings | None = None) -> None:
        super().__init__(ContainedSource(source), clock=clock, options=options)
        self.settings = settings or KioskSettings()
        self.meeting_mode.wall = True  # kiosk --follow: the area and the instants, no keys
        self.chord = UnlockChord()
        self.unlocked = False
        """Set when the app ended on the unlock chord (the CLI then opens the normal app)."""
        self.log_file: Path | None = None
        self._signals: list[signal.Signals] = []
        self._last_error: str | None = None

    def make_dashboard(self) -> Screen[None]:
        return KioskScreen(self.source.campaign, self.tr, self.settings, self.clock)

    @property
    def kiosk_screen(self) -> KioskScreen:
        return cast(KioskScreen, self.dashboard)

    # -- lifecycle (Textual runs these before ThiduaApp's own on_mount / on_unmount) ---------

    @on(events.Mount)
    def _start(self) -> None:
        self.log_file = open_log()
        log.info("kiosk started: data %s, dwell %g s, office hours %s, unlock %s",
                 self.source.folder, self.settings.dwell_seconds, self.settings.office_hours,
                 self.settings.unlock)
        loop = asyncio.get_running_loop()
        for sig in EXIT_SIGNALS:
            try:
                loop.add_signal_handler(sig, self._signalled, sig)
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # not the main thread, or no such signal here
            self._signals.append(sig)

    @on(events.Unmount)
    def _stop(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self._signals:
            loop.remove_signal_handler(sig)
        self._signals.clear()
        log.info("kiosk stopped")

    @on(events.Ready)
    def _shown(self) -> None:
        """The first frame is on screen: tell systemd, and feed its watchdog from this loop
        (a frozen UI stops the heartbeat, and systemd restarts the kiosk)."""
        service = notifier()
        service.ready("kiosk on screen")
        if service.heartbeat_seconds is not None:
            self.set_interval(service.heartbeat_seconds, service.watchdog, name="watchdog")
        freeze = os.environ.get(FREEZE_AFTER)
        if freeze:
            self.set_timer(float(freeze), lambda: time.sleep(3600), name="test freeze")

    def _signalled(self, sig: signal.Signals) -> None:
        log.info("%s received: exiting", sig.name)
        self.exit(0)

    # -- locked input ----------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys feed the unlock chord and go no further; mouse and paste go nowhere."""
        if isinstance(event, events.Key):
            self._key(event.key)
            return
        if isinstance(event, events.MouseEvent | events.Paste):
            return
        await super().on_event(event)

    def _key(self, key: str) -> None:
        if self.settings.unlock == "off":
            return
        if self.chord.press(key, time.monotonic()):
            log.info("unlock chord entered: %s", self.settings.unlock)
            self.unlocked = True
            self.exit(0)

    # -- the second --------------------------------------------------------------------------

    def _tick(self) -> None:
        super()._tick()
        self.kiosk_screen.step()

    def tick(self) -> None:
        """What the one-second timer runs: the countdown, the rotation, the night. Tests step
        a FixedClock and call this instead of waiting."""
        self._tick()

    # -- the log ---------------------------------------------------------------------------

    @on(RefreshFailed)
    def _log_failure(self, event: RefreshFailed) -> None:
        self._note_error(event.error)

    @on(DataRefreshed)
    def _log_data(self, event: DataRefreshed) -> None:
        if event.snapshot is not None:
            self._note_error(event.snapshot.error)

    def _note_error(self, error: str | None) -> None:
        """One line per change of state, not one per failing rescan every few seconds."""
        if error and error != self._last_error:
            log.warning("refresh failed (last good data stays on screen): %s", error)
        elif not error and self._last_error:
            log.info("refresh works again")
        self._last_error = error
