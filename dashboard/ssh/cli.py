"""`thidua serve-ssh`: the live dashboard for every SSH viewer, from one engine."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashboard.cli_language import type_error
from dashboard.sd_notify import notifier
from dashboard.ssh.strings import messages
from dashboard.usage_errors import UsageError

AddOptions = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, common: AddOptions, app_options: AddOptions) -> None:
    """Add this package's subcommands; each sets `handler` to the function that runs it."""
    p = sub.add_parser(
        "serve-ssh", help="serve the dashboard to SSH viewers (public keys only, read-only)",
        description="Serve the live dashboard over SSH: `ssh -p 2222 viewer@host` shows it at "
                    "the viewer's terminal size. One engine for all viewers; a viewer process "
                    "per session; nothing but the dashboard is reachable.")
    common(p)
    app_options(p)
    p.add_argument("--listen", metavar="HOST:PORT", default="127.0.0.1:2222",
                   help="address to listen on (default 127.0.0.1:2222)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow --listen on an address beyond this machine")
    p.add_argument("--authorized-keys", metavar="FILE", required=True, type=Path,
                   help="viewers' public keys, OpenSSH authorized_keys format (re-read when "
                        "it changes)")
    p.add_argument("--presenter-keys", metavar="FILE", type=Path,
                   help="keys that may also start a meeting (`m`) every other viewer follows; "
                        "same format as --authorized-keys, the key's comment names the "
                        "presenter")
    p.add_argument("--meeting-title", metavar="TEXT",
                   help="the meetings' name on the banner (default: the briefing of the day)")
    p.add_argument("--meeting-feed", metavar="HOST:PORT",
                   help="let wall screens follow the meetings (`thidua kiosk --follow "
                        "HOST:PORT`), read-only; loopback unless --allow-remote")
    p.add_argument("--host-key", metavar="FILE", type=Path,
                   help="server key (default: ~/.local/state/thidua/ssh_host_ed25519_key, "
                        "generated on first start)")
    p.add_argument("--user", default="viewer", help="the login name viewers use (viewer)")
    p.add_argument("--max-sessions", metavar="N", type=_positive_int, default=20,
                   help="viewers at once (default 20)")
    p.add_argument("--idle-timeout", metavar="S", type=_seconds, default=8 * 3600.0,
                   help="close a session after S seconds without a key press; 0 never "
                        "(default 28800, a working day)")
    p.add_argument("--login-timeout", metavar="S", type=_seconds, default=30.0,
                   help="seconds a connection has to authenticate (default 30)")
    p.add_argument("--rate-limit", metavar="N", type=_positive_int, default=20,
                   help="new connections per minute per client address (default 20)")
    p.add_argument("--log-file", metavar="FILE", type=Path,
                   help="default: ~/.local/state/thidua/ssh.log (rotated at 5 MB)")
    p.set_defaults(handler=_serve_ssh)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise type_error(UsageError.of("not_whole_number", value=repr(text))) from None
    if n < 1:
        raise type_error(UsageError.of("not_at_least_one", value=repr(text)))
    return n


def _seconds(text: str) -> float:
    try:
        s = float(text)
    except ValueError:
        raise type_error(UsageError.of("not_seconds", value=repr(text))) from None
    if s < 0:
        raise type_error(UsageError.of("negative_seconds", value=repr(text)))
    return s


def _serve_ssh(args: argparse.Namespace) -> int:
    from dashboard.cli_common import data_folder
    from dashboard.clock import parse_instant
    from dashboard.engine import codec
    from dashboard.engine.campaign import load_campaign
    from dashboard.ssh.config import is_loopback, parse_listen

    notifier()  # systemd's variables, read (and kept from the viewers) before anything starts
    host, port = parse_listen(args.listen)
    if not is_loopback(host) and not args.allow_remote:
        raise UsageError.of("beyond_this_machine", option="--listen", value=args.listen)
    feed = parse_listen(args.meeting_feed, "--meeting-feed") if args.meeting_feed else None
    if feed is not None and not is_loopback(feed[0]) and not args.allow_remote:
        raise UsageError.of("beyond_this_machine", option="--meeting-feed",
                            value=args.meeting_feed)
    folder, poller = data_folder(args, live=True)  # s3://: the mirror's copy, kept up to date
    folder = folder.resolve()
    try:
        now = None
        if args.now:
            now = codec.encode(parse_instant(args.now, load_campaign(folder).tz))
        return _serve(args, folder, poller, host, port, now, feed)
    finally:
        if poller is not None:
            poller.stop()


def _serve(args: argparse.Namespace, folder: Path, poller: Any, host: str, port: int,
           now: str | None, feed: tuple[str, int] | None) -> int:
    from dashboard.ssh.config import ServerConfig

    config = ServerConfig(
        data=folder, authorized_keys=args.authorized_keys.expanduser(), host=host, port=port,
        host_key=args.host_key.expanduser() if args.host_key else None, user=args.user,
        presenter_keys=args.presenter_keys.expanduser() if args.presenter_keys else None,
        meeting_title=args.meeting_title, meeting_feed=feed,
        lang=args.lang, now=now, replay=args.replay, max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout, login_timeout=args.login_timeout,
        rate_limit=args.rate_limit, log_file=args.log_file, freshness=poller)
    return asyncio.run(_main(config))


async def _main(config: Any) -> int:
    from dashboard.ssh.server import SshServer, serve_until_signal

    server = SshServer(config)
    try:
        await server.start()
    except OSError as e:
        raise UsageError.of("cannot_listen", option="--listen",
                            value=f"{config.host}:{config.port}", detail=e.strerror or e
                            ) from None
    tr = messages(config.lang)
    print("thidua: " + tr("server.serving", address=f"{config.host}:{server.port}",
                          fingerprint=server.fingerprint, log=config.log_path), flush=True)
    if server.feed_port is not None:
        print("thidua: " + tr("server.feed", address=f"{config.meeting_feed[0]}:"
                                                      f"{server.feed_port}"), flush=True)
    service = notifier()
    service.ready(f"serving SSH viewers on {config.host}:{server.port}")
    stop_heartbeat = service.beat_on(asyncio.get_running_loop())
    try:
        await serve_until_signal(server)
    finally:
        stop_heartbeat()
    return 0
