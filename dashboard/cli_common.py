"""What the commands share: opening the data folder's engine, reading --since."""

from __future__ import annotations

import argparse
from datetime import datetime, tzinfo

from dashboard.clock import parse_instant
from dashboard.engine.engine import Engine
from dashboard.paths import resolve_data_dir
from dashboard.usage_errors import UsageError


def open_engine(args: argparse.Namespace, grace_seconds: float | None = None) -> Engine:
    folder = resolve_data_dir(args.data)
    engine = (Engine(folder) if grace_seconds is None
              else Engine(folder, grace_seconds=grace_seconds))
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
