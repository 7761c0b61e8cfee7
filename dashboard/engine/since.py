"""Since the last meeting: the campaign at a baseline instant against now.

Pure functions over two snapshots of the same campaign; the rules are data/README.md's
"Since a baseline".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.engine.model import SinceComparison, Snapshot, TargetChange, UnitChange

DEFAULT_GAP = timedelta(days=7)
"""The default baseline: the same weekday and time a week earlier (168 hours, like T − 7 days
of the leaderboard's rank change)."""


def default_baseline(now: datetime) -> datetime:
    return now.astimezone(UTC) - DEFAULT_GAP


def compare(before: Snapshot, now: Snapshot) -> SinceComparison:
    """`before` is the snapshot at the baseline, `now` the one at the as-of instant."""
    if before.as_of >= now.as_of:
        raise ValueError("the baseline must be before the as-of instant")
    baseline = before.as_of
    then = {t.target_id: t for a in before.areas for t in a.targets}
    targets = []
    for area in now.areas:
        for t in area.targets:
            old = then.get(t.target_id)
            targets.append(TargetChange(
                target_id=t.target_id,
                value_before=old.value if old else None,
                value=t.value,
                status_before=old.status if old else "no_data",
                status=t.status,
                reports_since=sum(1 for r in t.last_reports if r.at > baseline),
            ))
    ranks = {r.owner: r for r in before.leaderboard}
    units = tuple(
        UnitChange(r.owner, ranks[r.owner].rank if r.owner in ranks else None, r.rank,
                   ranks[r.owner].score if r.owner in ranks else None, r.score)
        for r in now.leaderboard)
    return SinceComparison(baseline, now.as_of, tuple(targets), units)
