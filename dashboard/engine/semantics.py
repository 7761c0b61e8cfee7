"""The campaign's rules as pure functions: completion, pace, status, countdown, leaderboard.

Each rule is written in data/README.md; tests pin every one. No I/O here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from dashboard.engine.campaign import Campaign
from dashboard.engine.model import (
    STATUSES,
    AreaSummary,
    Countdown,
    HistoryPoint,
    LeaderRow,
    TargetState,
)
from dashboard.engine.targets import Target

ON_TRACK_MARGIN = 0.10


def _utc(t: datetime) -> datetime:
    """Durations between aware datetimes of one zone are wall-clock time in Python (an hour
    off across a DST change): every duration here is taken between UTC instants."""
    return t.astimezone(UTC)


def countdown(campaign: Campaign, now: datetime) -> Countdown:
    deadline = _utc(campaign.deadline)
    start = _utc(campaign.starts_at)
    now = _utc(now)
    if now < start:
        state = "not_started"
    elif now >= deadline:
        state = "ended"
    else:
        state = "running"
    left = max(0, math.floor((deadline - now).total_seconds()))
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    elapsed = (now - start) / (deadline - start)
    today = local_date(campaign, now)
    calendar_left = (campaign.end - max(today, campaign.start - timedelta(days=1))).days
    return Countdown(
        state=state, days=days, hours=hours, minutes=minutes, seconds=seconds,
        seconds_left=left,
        working_days_left=campaign.calendar.left_after(today),
        elapsed_fraction=min(1.0, max(0.0, elapsed)),
        calendar_days_left=max(0, calendar_left),
    )


def local_date(campaign: Campaign, now: datetime) -> date:
    return now.astimezone(campaign.tz).date()


def expected_completion(campaign: Campaign, now: datetime) -> float:
    """Share of working days done by the local date of now: the pace a target should keep."""
    if now < campaign.starts_at:
        return 0.0
    if now >= campaign.deadline:
        return 1.0
    cal = campaign.calendar
    return cal.done_by(local_date(campaign, now)) / cal.total if cal.total else 1.0


def completion(target: Target, value: float) -> float:
    """Raw completion: may exceed 1 (an at_least target beaten)."""
    if target.direction == "at_most":
        return 1.0 if value <= target.target_value else target.target_value / value
    return value / target.target_value


def status(raw: float | None, expected: float) -> str:
    if raw is None:
        return "no_data"
    if raw >= 1:
        return "done"
    # the tolerance keeps 0.3 >= 0.4 - 0.1 true despite binary floating point
    return "on_track" if min(1.0, raw) >= expected - ON_TRACK_MARGIN - 1e-9 else "behind"


def week_ends(campaign: Campaign, now: datetime) -> list[datetime]:
    """Local midnights ending each campaign week, before now and not after the deadline."""
    out: list[datetime] = []
    now, deadline = _utc(now), _utc(campaign.deadline)
    k = 1
    # local midnights: days are added in the campaign's zone, compared as instants
    while (w := campaign.starts_at + timedelta(days=7 * k)) < now and _utc(w) <= deadline:
        out.append(w)
        k += 1
    return out


def projection(
    campaign: Campaign, now: datetime, value: float | None,
    first: tuple[datetime, float] | None,
) -> float | None:
    """Where the value is heading at the deadline: the straight line from the first weekly
    value through the current one, extended over the remaining working days."""
    if value is None:
        return None
    cal = campaign.calendar
    today = local_date(campaign, now)
    left = cal.left_after(today)
    if first is None or left == 0:
        return value
    first_day = local_date(campaign, first[0] - timedelta(microseconds=1))
    span = cal.done_by(today) - cal.done_by(first_day)
    if span <= 0:
        return value
    return value + (value - first[1]) / span * left


def needed_per_working_day(target: Target, value: float | None, working_days_left: int
                           ) -> float | None:
    """What each remaining working day must add (at_least) or take away (at_most)."""
    if working_days_left <= 0:
        return None
    current = value if value is not None else (0.0 if target.direction == "at_least" else None)
    if current is None:
        return None
    gap = (target.target_value - current if target.direction == "at_least"
           else current - target.target_value)
    return max(0.0, gap) / working_days_left


def is_overdue(campaign: Campaign, now: datetime, last: datetime | None, state: str) -> bool:
    if state != "running":
        return False
    if last is None:
        return True
    return _utc(now) - _utc(last) > timedelta(days=campaign.reporting_interval_days)


def summarise(targets: Sequence[TargetState]) -> AreaSummary:
    counts = dict.fromkeys(STATUSES, 0)
    for t in targets:
        counts[t.status] += 1
    mean = (sum(t.completion_capped or 0.0 for t in targets) / len(targets)) if targets else 0.0
    return AreaSummary(targets=len(targets), mean_completion=mean, **counts)


def owner_scores(targets: Sequence[Target], capped: dict[str, float | None]) -> dict[str, float]:
    """Mean capped completion of the targets each owner has (no data counts 0)."""
    sums: dict[str, list[float]] = {}
    for t in targets:
        if t.owner:
            sums.setdefault(t.owner, []).append(capped.get(t.target_id) or 0.0)
    return {o: sum(v) / len(v) for o, v in sums.items()}


def ranks(scores: dict[str, float]) -> list[tuple[str, int, float]]:
    """Competition ranking, high to low (ties share a rank: 1, 1, 3), then by name."""
    order = sorted(scores.items(), key=lambda kv: (-round(kv[1], 9), kv[0]))
    out: list[tuple[str, int, float]] = []
    for i, (owner, score) in enumerate(order):
        same = out and round(out[-1][2], 9) == round(score, 9)
        out.append((owner, out[-1][1] if same else i + 1, score))
    return out


def leaderboard(
    targets: Sequence[Target], now: dict[str, float | None], week_ago: dict[str, float | None]
) -> tuple[LeaderRow, ...]:
    before = {o: r for o, r, _ in ranks(owner_scores(targets, week_ago))}
    counts: dict[str, int] = {}
    for t in targets:
        if t.owner:
            counts[t.owner] = counts.get(t.owner, 0) + 1
    return tuple(
        LeaderRow(owner=o, rank=r, score=s, rank_change=before.get(o, r) - r, targets=counts[o])
        for o, r, s in ranks(owner_scores(targets, now))
    )


def daily_series(points: Sequence[HistoryPoint], aggregate: str) -> tuple[tuple[date, float], ...]:
    """A target's value at the end of each day with reports, by the same rules as `value`."""
    latest: dict[str, tuple[datetime, float]] = {}
    out: list[tuple[date, float]] = []
    for p in sorted(points, key=lambda p: (p.reported_at, p.value)):
        latest[p.reporter] = max(latest.get(p.reporter, (p.reported_at, p.value)),
                                 (p.reported_at, p.value))
        if aggregate == "sum":
            value = sum(v for _, v in latest.values())
        else:
            value = max(latest.values())[1]
        if out and out[-1][0] == p.day:
            out[-1] = (p.day, value)
        else:
            out.append((p.day, value))
    return tuple(out)
