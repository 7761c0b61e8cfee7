"""What the commands share: opening the data (a folder or s3://), reading --since."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.clock import parse_instant
from dashboard.engine.engine import Engine
from dashboard.engine.errors import CampaignError
from dashboard.paths import remote_data, resolve_data_dir
from dashboard.usage_errors import UsageError, usage_message

if TYPE_CHECKING:
    from dashboard.s3.poller import Poller
    from dashboard.source import EngineSource


def data_folder(args: argparse.Namespace, *, live: bool = False) -> tuple[Path, Poller | None]:
    """The folder the engine reads: --data's, or for s3:// the mirror's copy, brought up to
    the bucket first (an unreachable bucket stops here, exit 2). live: keep it up to date
    with a poll thread every --poll seconds (started here; its owner stops it)."""
    remote = remote_data(args.data)
    if remote is None:
        return resolve_data_dir(args.data), None
    from dashboard.s3.mirror import BucketUnreachable, Mirror
    from dashboard.s3.poller import DEFAULT_POLL_SECONDS, Poller

    mirror = Mirror.open(remote)
    interval = getattr(args, "poll", None) or DEFAULT_POLL_SECONDS
    try:
        mirror.sync(progress=_copy_progress(mirror.url, getattr(args, "lang", None) or "vi"))
    except BucketUnreachable as e:
        # a live app restarted during an outage shows its last copy under the stale banner;
        # a one-shot answer (snapshot, check) is never given from a copy that may be old
        if not live or mirror.synced_at() is None:
            raise
        poller = Poller(mirror, interval, unreachable=str(e), last_ok=mirror.synced_at())
    else:
        if not (mirror.folder / "campaign.toml").is_file():
            raise CampaignError(usage_message("bucket_no_campaign", bucket=mirror.url))
        if not live:
            return mirror.folder, None
        poller = Poller(mirror, interval)
    poller.start()
    return mirror.folder, poller


def _copy_progress(url: str, lang: str) -> Callable[[int, int], None] | None:
    """On a terminal, a first copy that takes a while says how far it got on one line (the
    dashboard's screen comes once the copy is there); elsewhere the log says it."""
    if not sys.stderr.isatty():
        return None
    from dashboard.i18n import catalogue
    from dashboard.numbers_dates import number, percent

    tr = catalogue(lang)

    def show(done: int, total: int) -> None:
        line = tr("cli.s3_copying", bucket=url, done=number(done, lang),
                  total=number(total, lang), percent=percent(done / total, lang))
        sys.stderr.write(f"\rthidua: {line}" + ("\n" if done >= total else ""))
        sys.stderr.flush()

    return show


def open_source(args: argparse.Namespace) -> EngineSource:
    """The live source of the apps, refreshed once: a campaign or targets problem stops here,
    with its one-line message."""
    from dashboard.source import EngineSource

    folder, poller = data_folder(args, live=True)
    if poller is None:
        source = EngineSource(folder)
    else:
        from dashboard.s3.source import MirrorSource

        source = MirrorSource(poller)
    try:
        source.refresh()
    except BaseException:
        source.close()
        raise
    return source


def open_engine(args: argparse.Namespace, grace_seconds: float | None = None) -> Engine:
    folder, _ = data_folder(args)
    engine = (Engine(folder) if grace_seconds is None
              else Engine(folder, grace_seconds=grace_seconds))
    if remote_data(args.data) is not None:  # objects the bucket would not let us read
        from dashboard.s3.mirror import denied_in_copy

        engine.set_unreadable(denied_in_copy(folder))
    engine.refresh()
    return engine


def since_instant(text: str | None, now: datetime, tz: tzinfo) -> datetime | None:
    """--since: None when not given; alone, a week before now; it must be before now."""
    from dashboard.engine.since import default_baseline

    if text is None:
        return None
    baseline = parse_instant(text, tz, "--since") if text else default_baseline(now)
    if baseline >= now:
        raise UsageError.of("since_not_before", value=text,
                            now=now.astimezone(tz).isoformat(timespec="minutes"))
    return baseline
