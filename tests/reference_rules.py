"""data/README.md's rules, read from the text alone, in plain Python with exact fractions.

The differential test (test_differential.py) compares the engine with this. Nothing here comes
from the engine: no DuckDB, no dashboard imports. Arithmetic is exact (`Fraction`), so a rule's
boundary (0.3 >= 0.4 − 0.1) is decided as the README states it, not as binary floats round it.
Durations between instants (deadline − T, T − last report, T − 7 days) are physical seconds.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

ON_TRACK_MARGIN = Fraction(1, 10)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Campaign:
    start: date
    end: date
    tz: ZoneInfo
    reporting_interval_days: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    areas: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    target_id: str
    area: str
    target_value: Fraction
    direction: str
    aggregate: str
    owner: str | None


@dataclass(frozen=True)
class Report:
    """One progress row as stored: strings untouched, reported_at as the file holds it."""

    target_id: str
    reporter: str
    reported_at: datetime | date
    value: Fraction


@dataclass(frozen=True)
class TargetAnswer:
    value: Fraction | None
    completion: Fraction | None
    completion_capped: Fraction | None
    expected: Fraction
    status: str
    last_report_at: datetime | None
    overdue: bool
    projection: Fraction | None
    needed_per_working_day: Fraction | None
    reporters: tuple[str, ...]
    weekly: tuple[Fraction | None, ...]


@dataclass(frozen=True)
class AreaAnswer:
    targets: int
    done: int
    on_track: int
    behind: int
    no_data: int
    mean_completion: Fraction


@dataclass(frozen=True)
class CountdownAnswer:
    state: str
    days: int
    hours: int
    minutes: int
    seconds: int
    seconds_left: int
    working_days_left: int
    elapsed_fraction: Fraction


@dataclass(frozen=True)
class LeaderAnswer:
    owner: str
    rank: int
    score: Fraction
    rank_change: int


@dataclass(frozen=True)
class Answer:
    targets: dict[str, TargetAnswer]
    areas: dict[str, AreaAnswer]
    countdown: CountdownAnswer
    leaderboard: tuple[LeaderAnswer, ...]


# -- reading the files' values ---------------------------------------------------------------


def clean(s: str) -> str:
    """All strings are NFC-normalised and trimmed."""
    return unicodedata.normalize("NFC", s).strip()


def instant(reported_at: datetime | date, tz: ZoneInfo) -> datetime:
    """A naive value is local campaign time; a zoned one is converted; a date is local
    midnight."""
    if isinstance(reported_at, datetime):
        if reported_at.tzinfo is None:
            return reported_at.replace(tzinfo=tz)
        return reported_at
    return datetime.combine(reported_at, time(), tz)


# -- the calendar ----------------------------------------------------------------------------


def starts_at(c: Campaign) -> datetime:
    return datetime.combine(c.start, time(), c.tz)


def deadline(c: Campaign) -> datetime:
    """Local midnight after `end`."""
    return datetime.combine(c.end + timedelta(days=1), time(), c.tz)


def local_date(c: Campaign, t: datetime) -> date:
    return t.astimezone(c.tz).date()


def working_days(c: Campaign) -> list[date]:
    """Monday–Friday in [start, end], minus holidays, plus make-up workdays (inside the
    campaign)."""
    out = []
    d = c.start
    while d <= c.end:
        if (d.weekday() < 5 and d not in c.holidays) or d in c.makeup_workdays:
            out.append(d)
        d += timedelta(days=1)
    return out


def seconds(a: datetime, b: datetime) -> Fraction:
    """a − b in physical seconds, whatever zones the two are written in."""
    delta = a.astimezone(UTC) - b.astimezone(UTC)
    return Fraction(delta.days * 86400 + delta.seconds) + Fraction(delta.microseconds, 10**6)


def expected(c: Campaign, t: datetime) -> Fraction:
    if seconds(t, starts_at(c)) < 0:
        return Fraction(0)
    if seconds(t, deadline(c)) >= 0:
        return Fraction(1)
    days = working_days(c)
    today = local_date(c, t)
    return Fraction(sum(1 for d in days if d <= today), len(days))


def working_days_left(c: Campaign, t: datetime) -> int:
    today = local_date(c, t)
    return sum(1 for d in working_days(c) if today < d <= c.end)


def state(c: Campaign, t: datetime) -> str:
    if seconds(t, starts_at(c)) < 0:
        return "not_started"
    if seconds(t, deadline(c)) >= 0:
        return "ended"
    return "running"


def week_ends(c: Campaign, t: datetime) -> list[datetime]:
    """Ends of the campaign's weeks (start + 7k days, local midnight) before T."""
    out = []
    k = 1
    while True:
        w = datetime.combine(c.start + timedelta(days=7 * k), time(), c.tz)
        if seconds(w, deadline(c)) > 0 or seconds(w, t) >= 0:
            return out
        out.append(w)
        k += 1


# -- one target ------------------------------------------------------------------------------


def value_at(c: Campaign, t: Target, reports: list[Report], at: datetime
             ) -> tuple[Fraction | None, datetime | None, tuple[str, ...]]:
    """(value, last_report_at, reporters) from the reports counted at `at`."""
    newest: dict[str, tuple[datetime, Fraction]] = {}
    for r in reports:
        if clean(r.target_id) != t.target_id:
            continue
        when = instant(r.reported_at, c.tz)
        if seconds(when, at) > 0:
            continue
        rep = clean(r.reporter)
        if rep not in newest or _later(when, r.value, *newest[rep]):
            newest[rep] = (when, r.value)
    if not newest:
        return None, None, ()
    if t.aggregate == "sum":
        value = sum((v for _, v in newest.values()), Fraction(0))
    else:
        best = None
        for when, v in newest.values():
            if best is None or _later(when, v, *best):
                best = (when, v)
        assert best is not None
        value = best[1]
    last = max((w for w, _ in newest.values()), key=lambda w: w.astimezone(UTC))
    return value, last, tuple(sorted(newest))


def _later(when: datetime, value: Fraction, best_when: datetime, best_value: Fraction) -> bool:
    """Greater reported_at wins; a tie on reported_at takes the larger value."""
    s = seconds(when, best_when)
    return s > 0 or (s == 0 and value > best_value)


def completion(t: Target, value: Fraction) -> Fraction:
    if t.direction == "at_most":
        return Fraction(1) if value <= t.target_value else t.target_value / value
    return value / t.target_value


def status(raw: Fraction | None, capped: Fraction | None, exp: Fraction) -> str:
    if raw is None or capped is None:
        return "no_data"
    if raw >= 1:
        return "done"
    return "on_track" if capped >= exp - ON_TRACK_MARGIN else "behind"


def projection(c: Campaign, value: Fraction | None, weekly: list[tuple[datetime, Fraction | None]],
               t: datetime) -> Fraction | None:
    """Straight line from the first weekly value through the value now, over the working days
    left; the value now when there is no earlier weekly value or the campaign has ended.

    "Working days between them" counts the days after the first week's last day up to the local
    date of T (T's own day is counted as done, as in the pace); with none, the value now.
    """
    if value is None:
        return None
    first = next(((w, v) for w, v in weekly if v is not None), None)
    left = working_days_left(c, t)
    if first is None or state(c, t) == "ended":
        return value
    today = local_date(c, t)
    between = sum(1 for d in working_days(c) if local_date(c, first[0]) <= d <= today)
    if between == 0:
        return value
    return value + (value - first[1]) / between * left


def needed(t: Target, value: Fraction | None, left: int) -> Fraction | None:
    if left == 0:
        return None
    if value is None:  # at_most: no value yet to measure a reduction from
        return t.target_value / left if t.direction == "at_least" else None
    gap = t.target_value - value if t.direction == "at_least" else value - t.target_value
    return max(Fraction(0), gap) / left


def target_answer(c: Campaign, t: Target, reports: list[Report], at: datetime) -> TargetAnswer:
    value, last, reporters = value_at(c, t, reports, at)
    raw = completion(t, value) if value is not None else None
    capped = min(Fraction(1), raw) if raw is not None else None
    exp = expected(c, at)
    weekly = [(w, value_at(c, t, reports, w)[0]) for w in week_ends(c, at)]
    overdue = state(c, at) == "running" and (
        last is None or seconds(at, last) > c.reporting_interval_days * 86400)
    left = working_days_left(c, at)
    return TargetAnswer(
        value=value, completion=raw, completion_capped=capped, expected=exp,
        status=status(raw, capped, exp), last_report_at=last, overdue=overdue,
        projection=projection(c, value, weekly, at),
        needed_per_working_day=needed(t, value, left), reporters=reporters,
        weekly=(*[v for _, v in weekly], value),
    )


# -- the whole campaign ----------------------------------------------------------------------


def countdown(c: Campaign, t: datetime) -> CountdownAnswer:
    left = max(0, int(seconds(deadline(c), t) // 1))
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    elapsed = seconds(t, starts_at(c)) / seconds(deadline(c), starts_at(c))
    return CountdownAnswer(state(c, t), days, hours, minutes, secs, left,
                           working_days_left(c, t), min(Fraction(1), max(Fraction(0), elapsed)))


def owner_scores(c: Campaign, targets: list[Target], reports: list[Report], at: datetime
                 ) -> dict[str, Fraction]:
    """Each distinct owner: mean capped completion of its targets, no data counting 0."""
    owned: dict[str, list[Fraction]] = {}
    for t in targets:
        if t.owner is None:
            continue
        value = value_at(c, t, reports, at)[0]
        capped = min(Fraction(1), completion(t, value)) if value is not None else Fraction(0)
        owned.setdefault(t.owner, []).append(capped)
    return {o: sum(v, Fraction(0)) / len(v) for o, v in owned.items()}


def competition_ranks(scores: dict[str, Fraction]) -> dict[str, int]:
    """High to low; ties share a rank (1, 1, 3)."""
    return {o: 1 + sum(1 for s in scores.values() if s > score) for o, score in scores.items()}


def leaderboard(c: Campaign, targets: list[Target], reports: list[Report], at: datetime
                ) -> tuple[LeaderAnswer, ...]:
    now = owner_scores(c, targets, reports, at)
    week_ago = (at.astimezone(UTC) - WEEK).astimezone(c.tz)
    before = competition_ranks(owner_scores(c, targets, reports, week_ago))
    ranks = competition_ranks(now)
    rows = [LeaderAnswer(o, ranks[o], now[o], before[o] - ranks[o]) for o in now]
    return tuple(sorted(rows, key=lambda r: (r.rank, r.owner)))


def answer(c: Campaign, targets: list[Target], reports: list[Report], at: datetime) -> Answer:
    targets = [replace(t, target_id=clean(t.target_id), area=clean(t.area),
                       owner=clean(t.owner) or None if t.owner is not None else None)
               for t in targets]
    known = {t.target_id for t in targets}
    counted = [r for r in reports if clean(r.target_id) in known]
    per_target = {t.target_id: target_answer(c, t, counted, at) for t in targets}
    areas = {}
    for a in c.areas:
        mine = [per_target[t.target_id] for t in targets if t.area == a]
        statuses = [s.status for s in mine]
        mean = (sum((s.completion_capped or Fraction(0) for s in mine), Fraction(0)) / len(mine)
                if mine else Fraction(0))
        areas[a] = AreaAnswer(len(mine), statuses.count("done"), statuses.count("on_track"),
                              statuses.count("behind"), statuses.count("no_data"), mean)
    return Answer(per_target, areas, countdown(c, at), leaderboard(c, targets, counted, at))
