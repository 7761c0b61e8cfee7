"""One SSH viewer: the ordinary thidua app on this process's terminal, fed by the hub.

The server forks it from a warm process (dashboard/ssh/forkserver.py) onto a fresh pty;
`python -m dashboard.ssh.viewer --socket PATH` runs the same thing by hand, for debugging.
The app is the one every other front end uses; the viewer only chooses its source and
switches off what would let a remote user write files on the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import signal
import sys
import termios
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dashboard.app import AppOptions, ThiduaApp
from dashboard.clock import Clock, FixedClock, SystemClock
from dashboard.engine import codec
from dashboard.frontends import create_app
from dashboard.ssh.remote_source import RemoteSource
from dashboard.ssh.strings import messages

RESCAN_SECONDS = 1.0
"""The app's poll of the source (a flag, no I/O) is only a safety net: the source tells the app
of each push (SnapshotSource.subscribe), so news is shown at once. At 0.2 s the
poll alone cost 50 viewers a third of a core while idle, and added 100 ms on average."""


@dataclass(frozen=True)
class ViewerArgs:
    socket: Path
    lang: str = "vi"
    now: str | None = None
    """A fixed instant (the server's --now), as the codec writes datetimes."""
    replay: float | None = None
    presenter_token: str | None = None
    """Given by the server to the viewer of a presenter key: it may start a meeting."""

    def to_argv(self) -> list[str]:
        argv = ["--socket", str(self.socket), "--lang", self.lang]
        if self.now is not None:
            argv += ["--now", self.now]
        if self.replay is not None:
            argv += ["--replay", str(self.replay)]
        if self.presenter_token is not None:
            argv += ["--presenter-token", self.presenter_token]
        return argv


def parse_args(argv: Sequence[str]) -> tuple[ViewerArgs, bool]:
    p = argparse.ArgumentParser(prog="python -m dashboard.ssh.viewer")
    p.add_argument("--socket", required=True, type=Path)
    p.add_argument("--lang", default="vi")
    p.add_argument("--now")
    p.add_argument("--replay", type=float)
    p.add_argument("--presenter-token")
    p.add_argument("--take-tty", action="store_true",
                   help="make stdin this process's controlling terminal (a new session)")
    a = p.parse_args(argv)
    return (ViewerArgs(a.socket, a.lang, a.now, a.replay, a.presenter_token),
            bool(a.take_tty))


def error_file(folder: Path, pid: int) -> Path:
    """Where viewer `pid` leaves the traceback of an error it could not handle: the server's
    private folder (that of the hub's socket), read into the server's log when it ends."""
    return folder / f"viewer-{pid}.error"


def report_error(args: ViewerArgs, error: BaseException) -> str:
    """Keep the traceback for the server's log; the line the viewer's user reads instead."""
    with contextlib.suppress(OSError):
        error_file(args.socket.parent, os.getpid()).write_text(
            "".join(traceback.format_exception(error)), encoding="utf-8")
    return messages(args.lang)("session.crashed")


def take_terminal(fd: int = 0) -> None:
    """Become a session leader with `fd`'s pty as controlling terminal.

    Without it the kernel has no foreground process group to tell of window changes, and the
    viewer never learns that the client resized. SIGHUP goes back to its default so that the
    viewer dies with its terminal even if the server ignored hang-ups.
    """
    if os.getsid(0) != os.getpid():
        os.setsid()
    fcntl.ioctl(fd, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def build_app(args: ViewerArgs) -> ThiduaApp:
    clock: Clock = SystemClock()
    if args.now is not None:
        clock = FixedClock(codec.decode(datetime, args.now))
    holder: list[ThiduaApp] = []

    def lost() -> None:  # the server went away: so does this session
        if holder:
            with contextlib.suppress(RuntimeError):  # the app has already ended
                holder[0].call_from_thread(holder[0].exit, 0)

    source = RemoteSource(args.socket, clock, on_lost=lost,
                          presenter_token=args.presenter_token)
    app = create_app(source, clock=clock, options=AppOptions(
        lang=args.lang, watch=False, rescan_seconds=RESCAN_SECONDS,
        replay_seconds_per_week=args.replay, read_only=True, meeting=source,
        on_error=lambda e: report_error(args, e)))
    holder.append(app)
    return app


def run(args: ViewerArgs) -> int:
    """Run the app on this process's terminal until `q`, SIGTERM or the hub going away.

    An error, in the app or around it, is logged by the server and shown as one line."""
    try:
        app = build_app(args)
    except Exception as e:  # the hub gone, a broken snapshot: one line, logged
        print(report_error(args, e), file=sys.stderr, flush=True)
        return 1

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, app.exit)  # restores the client's terminal
        await app.run_async()

    try:
        asyncio.run(main())
    except Exception as e:  # past Textual's own handler: still one line
        print(report_error(args, e), file=sys.stderr, flush=True)
        return 1
    finally:
        app.source.close()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    args, take_tty = parse_args(sys.argv[1:] if argv is None else argv)
    if take_tty:
        take_terminal()
    return run(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
