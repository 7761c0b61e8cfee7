"""The one factory that knows every front end: the terminal dashboard, the read-only viewer
(SSH) and the meeting-room kiosk (console and browser). The CLI, the SSH viewers, benchmarks
and tests all build their app here; the app and its screens know none of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dashboard.app import AppOptions, ReadOnlyApp, ThiduaApp
from dashboard.clock import Clock
from dashboard.source import SnapshotSource

if TYPE_CHECKING:
    from dashboard.kiosk.settings import KioskSettings


def create_app(source: SnapshotSource, *, clock: Clock | None = None,
               options: AppOptions | None = None,
               kiosk: KioskSettings | None = None) -> ThiduaApp:
    """The app for a source: a kiosk with `kiosk` settings, read-only when the options say so
    (SSH viewers), else the dashboard."""
    if kiosk is not None:
        from dashboard.kiosk.kiosk_app import KioskApp  # the kiosk's modules load only for it

        return KioskApp(source, clock=clock, options=options, settings=kiosk)
    if options is not None and options.read_only:
        return ReadOnlyApp(source, clock=clock, options=options)
    return ThiduaApp(source, clock=clock, options=options)
