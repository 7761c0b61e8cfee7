"""Snapshot → widget data, formatted for one language. Pure functions, tested on their own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dashboard import numbers_dates, reasons
from dashboard.engine import semantics as rules
from dashboard.engine.campaign import Campaign
from dashboard.engine.model import AreaState, Snapshot, TargetState
from dashboard.i18n import Catalogue
from widgets.area_panel import AreaPanelData, TargetRow
from widgets.leaderboard import LeaderboardData, LeaderRowData


def value_text(t: TargetState, lang: str) -> str:
    unit = f" {t.unit(lang)}" if t.unit(lang) else ""
    value, target = numbers_dates.number(t.value, lang), numbers_dates.number(t.target_value, lang)
    return f"{value}/{target}{unit}"


def target_row(t: TargetState, tr: Catalogue, tz: ZoneInfo) -> TargetRow:
    lang = tr.lang
    last = t.last_report_at.astimezone(tz).date() if t.last_report_at else None
    return TargetRow(
        key=t.target_id,
        title=t.title(lang),
        short_title=t.short_title(lang) or "",
        value_text=value_text(t, lang),
        completion=t.completion_capped,
        pace=t.expected if t.status != "done" else None,
        percent_text=numbers_dates.percent(t.completion, lang),
        status=t.status,
        status_text=tr(f"status.{t.status}"),
        status_short=tr(f"status_short.{t.status}"),
        spark=t.weekly,
        spark_top=t.target_value if t.direction == "at_least" else None,
        last_text=numbers_dates.short_day(last, lang) if last else "—",
        overdue=t.overdue,
    )


def area_data(area: AreaState, tr: Catalogue, tz: ZoneInfo,
              highlight: frozenset[str] = frozenset()) -> AreaPanelData:
    s = area.summary
    return AreaPanelData(
        title=area.name(tr.lang),
        summary=tr("ui.area_summary", done=s.done, on_track=s.on_track, behind=s.behind,
                   no_data=s.no_data, mean=numbers_dates.percent(s.mean_completion, tr.lang)),
        rows=tuple(target_row(t, tr, tz) for t in area.targets),
        empty_text=tr("ui.no_targets"),
        # only this area's keys: a change elsewhere leaves the panel's data equal, unrepainted
        highlight=highlight & {t.target_id for t in area.targets},
    )


def leaderboard_data(snap: Snapshot, tr: Catalogue) -> LeaderboardData:
    return LeaderboardData(
        title=tr("ui.leaderboard"),
        rows=tuple(LeaderRowData(r.rank, r.owner, r.score, numbers_dates.percent(r.score, tr.lang),
                                 r.rank_change) for r in snap.leaderboard),
        empty_text=tr("ui.no_owners"),
    )


def title_text(campaign: Campaign, now: datetime, tr: Catalogue) -> str:
    title = campaign.title(tr.lang)
    if now >= campaign.deadline:
        return tr("ui.final_title", title=title)
    return title


def countdown_texts(campaign: Campaign, now: datetime, tr: Catalogue
                    ) -> tuple[str, str, str, float, str, bool]:
    """(digits, caption, days line, elapsed fraction, elapsed words, ended) for the header."""
    c = rules.countdown(campaign, now)
    lang = tr.lang
    deadline = numbers_dates.day(campaign.end, lang)
    if c.state == "not_started":
        left = max(0, int((campaign.starts_at - now).total_seconds()))
        d, rest = divmod(left, 86400)
        h, rest = divmod(rest, 3600)
        m, sec = divmod(rest, 60)
        caption = tr("ui.countdown_caption_not_started",
                     start=numbers_dates.day(campaign.start, lang))
    else:
        d, h, m, sec = c.days, c.hours, c.minutes, c.seconds
        caption = (tr("ui.countdown_caption_ended", deadline=deadline) if c.state == "ended"
                   else tr("ui.countdown_caption_running", deadline=deadline))
    digits = f"{d:03d}:{h:02d}:{m:02d}:{sec:02d}"
    if c.state == "ended":
        days_line = tr("ui.days_line_ended", working=campaign.calendar.total)
    else:
        days_line = tr("ui.days_line", calendar=c.calendar_days_left,
                       working=c.working_days_left)
    elapsed = tr("ui.elapsed", pct=numbers_dates.percent(c.elapsed_fraction, lang))
    return digits, caption, days_line, c.elapsed_fraction, elapsed, c.state == "ended"


def status_text(snap: Snapshot, tr: Catalogue, tz: ZoneInfo) -> str:
    lang = tr.lang
    text = tr("ui.status_line", as_of=numbers_dates.moment(snap.as_of, lang, tz),
              refreshed=numbers_dates.clock(snap.computed_at, tz), used=snap.files.used,
              pending=len(snap.files.pending), skipped=len(snap.files.skipped))
    files = snap.files
    if files.skipped or files.pending or snap.rows_dropped or files.warnings or files.held:
        text += tr("ui.status_problems")
    return text


def outage_text(snap: Snapshot, tr: Catalogue, tz: ZoneInfo) -> str | None:
    """The whole data's staleness: a failing refresh, or a bucket that cannot be reached."""
    if not snap.error:
        return None
    since = numbers_dates.hm(snap.stale_since, tz) if snap.stale_since else "?"
    return tr("ui.stale", since=since, error=reasons.say(snap.error, tr))


def stale_text(snap: Snapshot, tr: Catalogue, tz: ZoneInfo) -> str | None:
    """The whole data's staleness (outage_text), else the files whose last good rows are
    shown in place of their bad current content."""
    if snap.error:
        return outage_text(snap, tr, tz)
    held = snap.files.held
    if not held:
        return None
    first = held[0]
    return tr("ui.held", n=len(held), file=first.file, reason=reasons.say(first.reason, tr),
              since=numbers_dates.moment(first.since, tr.lang, tz))


def changed_targets(old: Snapshot | None, new: Snapshot) -> frozenset[str]:
    """Targets whose value or status differs between two snapshots (for highlighting)."""
    if old is None:
        return frozenset()
    out = set()
    for area in new.areas:
        for t in area.targets:
            before = old.target(t.target_id)
            if before is None or before.value != t.value or before.status != t.status:
                out.add(t.target_id)
    return frozenset(out)
