"""`thidua kiosk` and `thidua serve-web`: the command-line side of kiosk mode.

`thidua kiosk` takes the dashboard's options plus the kiosk ones, which override the
`[kiosk]` table of campaign.toml. With `--now` the kiosk's clock starts at that instant and
runs (a kiosk frozen in time would never rotate). Exit codes: 0 after a signal or the unlock
chord, 2 when the data cannot be used at start (a service manager restarts it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard.clock import Clock, SystemClock, parse_instant
from dashboard.kiosk.settings import UNLOCK_ACTIONS, KioskSettings, kiosk_settings
from dashboard.kiosk.strings import kiosk_strings
from dashboard.kiosk.unlock import UNLOCK_KEY, UNLOCK_PRESSES, UNLOCK_WINDOW_SECONDS
from dashboard.paths import remote_data
from dashboard.sd_notify import notifier
from dashboard.source import EngineSource

if TYPE_CHECKING:
    from dashboard.kiosk.meeting_feed import MeetingFeed

AddOptions = Callable[[argparse.ArgumentParser], None]
EXIT_OK, EXIT_UNUSABLE = 0, 2

UNLOCK_HELP = (f"{UNLOCK_KEY} {UNLOCK_PRESSES} times within {UNLOCK_WINDOW_SECONDS:g} s: "
               "'app' opens the normal dashboard, 'exit' quits (code 0), 'off' disables it")


def register(sub: Any, common: AddOptions, app_options: AddOptions) -> None:
    """Add this package's subcommands; each sets `handler` to the function that runs it."""
    k = sub.add_parser(
        "kiosk", help="the dashboard for a wall screen: rotating, locked, self-healing")
    common(k)
    app_options(k)
    _kiosk_options(k)
    k.set_defaults(handler=run_kiosk)

    w = sub.add_parser(
        "serve-web", help="serve the kiosk to browsers through textual-serve (no auth!)")
    common(w)
    app_options(w)
    _kiosk_options(w, unlock_default="off")
    w.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    w.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    w.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --host (textual-serve has no authentication)")
    w.add_argument("--public-url", metavar="URL",
                   help="the address browsers use, when it is not http://HOST:PORT")
    w.set_defaults(handler=run_serve_web)


def _kiosk_options(p: argparse.ArgumentParser, unlock_default: str | None = None) -> None:
    for action in p._actions:  # the shared --now freezes the clock; a kiosk's clock runs on
        if action.dest == "now":
            action.help = ("start the kiosk's clock at this instant, then let it run "
                           "(a naive time is campaign-local)")
    p.add_argument("--dwell", type=float, metavar="SECONDS",
                   help="seconds per view (overrides [kiosk] dwell_seconds; default 15)")
    p.add_argument("--stale-after", type=float, metavar="HOURS",
                   help="stale banner when the newest report is older (default: the "
                        "reporting interval + 1 day)")
    p.add_argument("--office-hours", metavar="HH:MM-HH:MM",
                   help='screen on Mon–Fri at these hours, or "always" (default 07:00-18:00)')
    p.add_argument("--follow", metavar="HOST:PORT",
                   help="follow the meetings of a `thidua serve-ssh --meeting-feed HOST:PORT` "
                        "(read-only): the presenter's area and instant while one runs, then "
                        "the rotation again")
    p.add_argument("--unlock", choices=UNLOCK_ACTIONS, default=unlock_default,
                   help=UNLOCK_HELP + (f" (default {unlock_default})" if unlock_default
                                       else " (default app)"))


def _settings(args: argparse.Namespace, source: EngineSource) -> KioskSettings:
    return kiosk_settings(source.campaign, dwell_seconds=args.dwell,
                          stale_after_hours=args.stale_after, office_hours=args.office_hours,
                          unlock=args.unlock)


def _open(args: argparse.Namespace) -> EngineSource:
    from dashboard.cli_common import open_source

    return open_source(args)  # a campaign or targets problem stops here, in one line


def _clock(args: argparse.Namespace, source: EngineSource) -> Clock:
    if args.now:
        from dashboard.kiosk.running_clock import RunningClock

        return RunningClock(parse_instant(args.now, source.campaign.tz))
    return SystemClock()


def run_kiosk(args: argparse.Namespace) -> int:
    from dashboard.app import AppOptions
    from dashboard.frontends import create_app
    from dashboard.kiosk.kiosk_app import KioskApp

    notifier()  # systemd's variables, read before anything starts
    feed = _feed(args)
    source = _open(args)
    try:
        settings = _settings(args, source)
        clock = _clock(args, source)
        options = AppOptions(lang=args.lang, replay_seconds_per_week=args.replay)
        app = create_app(source, clock=clock, options=replace(options, meeting=feed),
                         kiosk=settings)
        app.run(mouse=False)
        if isinstance(app, KioskApp) and app.unlocked and settings.unlock == "app":
            normal = create_app(source, clock=clock, options=options)
            run_until_signalled(normal)
            return normal.return_code or EXIT_OK
    finally:
        source.close()
        if feed is not None:
            feed.close()
    return app.return_code or EXIT_OK


def _feed(args: argparse.Namespace) -> MeetingFeed | None:
    if not args.follow:
        return None
    from dashboard.kiosk.meeting_feed import MeetingFeed, parse_address

    return MeetingFeed(*parse_address(args.follow))


def run_until_signalled(app: Any) -> None:
    """Run a Textual app whose SIGTERM/SIGINT/SIGHUP end it cleanly (code 0, terminal
    restored) instead of killing the process mid-frame. Feeds systemd's watchdog from the
    app's loop, as the kiosk does (the unlocked dashboard runs under the kiosk's unit)."""
    loop = asyncio.new_event_loop()
    stop_heartbeat = notifier().beat_on(loop)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, app.exit, 0)
    try:
        app.run(loop=loop)
    finally:
        stop_heartbeat()
        loop.close()


def run_serve_web(args: argparse.Namespace) -> int:
    from dashboard.kiosk import web

    notifier()  # systemd's variables, read (and kept from the browser kiosks) before serving
    tr = kiosk_strings(args.lang)
    remote = not web.is_loopback(args.host)
    if remote and not args.allow_remote:
        print(f"thidua: {tr('web.remote_needed', host=args.host)}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        print(f"thidua: {tr('web.missing')}", file=sys.stderr)
        return EXIT_UNUSABLE
    source = _open(args)  # fail here, once, rather than in every browser that connects
    try:
        _settings(args, source)
        title = source.campaign.title(args.lang)
        folder = source.folder
    finally:
        source.close()
    url = web.public_url(args.host, args.port, args.public_url)
    if remote:
        print(tr("web.no_auth", url=url), file=sys.stderr)
    print(tr("web.serving", url=url), file=sys.stderr)
    command = web.kiosk_command(_kiosk_argv(args, folder))
    try:
        web.serve(command, args.host, args.port, url, title)
    except OSError as e:
        print(f"thidua: {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_OK


def _kiosk_argv(args: argparse.Namespace, folder: Path | None) -> list[str]:
    """The kiosk options again, for the process textual-serve starts per browser."""
    argv = ["--lang", args.lang]
    remote = remote_data(args.data)
    if remote is not None:  # each kiosk polls the bucket; they share one copy on this machine
        argv += ["--data", remote] + (["--poll", str(args.poll)] if args.poll else [])
    elif folder is not None:
        argv += ["--data", str(folder.resolve())]
    for flag, value in (("--now", args.now), ("--replay", args.replay),
                        ("--dwell", args.dwell), ("--stale-after", args.stale_after),
                        ("--office-hours", args.office_hours), ("--unlock", args.unlock),
                        ("--follow", args.follow)):
        if value is not None:
            argv += [flag, str(value)]
    return argv
