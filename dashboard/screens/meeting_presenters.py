"""Snapshot (and since comparison) → the text of the meeting's views: late units, since.

Pure functions, like presenters.py; the strings come from dashboard/meeting's catalogues.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dashboard import numbers_dates as nd
from dashboard.engine.model import SinceComparison, Snapshot, TargetChange, UnitFreshness
from dashboard.i18n import catalogue
from dashboard.meeting.strings import meeting_strings


def late_count(snap: Snapshot) -> int:
    """Units late with a report: reporters and owners, each unit once."""
    return len({u.unit for u in (*snap.reporters, *snap.owners) if u.overdue})


def late_suffix(snap: Snapshot, lang: str) -> str:
    """What the status line adds: the number of late units, or nothing."""
    n = late_count(snap)
    return meeting_strings(lang)("late.count", n=n) if n else ""


def late_text(snap: Snapshot, lang: str, interval_days: int) -> str:
    """The late units view: reporters, then owners, each with its last report and the
    targets it owes (Rich markup: names are escaped)."""
    from rich.markup import escape

    tr = meeting_strings(lang)
    tz = ZoneInfo(snap.campaign.timezone)
    lines = [tr("late.rule", days=interval_days)]
    groups = (("late.reporters", [u for u in snap.reporters if u.overdue]),
              ("late.owners", [u for u in snap.owners if u.overdue]))
    if not any(units for _, units in groups):
        return "\n".join([*lines, "", tr("late.none")])
    for key, units in groups:
        if units:
            lines += ["", f"[b]{tr(key)}[/b]"]
            lines += [f"  {escape(u.unit)} · {_last(u, lang, tz)} · "
                      f"{escape(', '.join(u.targets_owed))}" for u in units]
    return "\n".join(lines)


def _last(u: UnitFreshness, lang: str, tz: ZoneInfo) -> str:
    if u.last_report_at is None:
        return meeting_strings(lang)("late.never")
    return nd.day(u.last_report_at.astimezone(tz).date(), lang)


def since_text(snap: Snapshot, cmp: SinceComparison, lang: str) -> str:
    """The since view: what became done, slipped, went silent; each target then → now; the
    units' ranks then → now (Rich markup)."""
    from rich.markup import escape

    tr, common = meeting_strings(lang), catalogue(lang)
    tz = ZoneInfo(snap.campaign.timezone)

    def listed(changes: tuple[TargetChange, ...]) -> str:
        return escape(", ".join(c.target_id for c in changes)) or tr("since.none")

    lines = [tr("since.period", baseline=nd.moment(cmp.baseline, lang, tz),
                as_of=nd.moment(cmp.as_of, lang, tz)), "",
             f"[b]{tr('since.done_since')}:[/b] {listed(cmp.done_since)}",
             f"[b]{tr('since.slipped')}:[/b] {listed(cmp.slipped)}",
             f"[b]{tr('since.silent')}:[/b] {listed(cmp.silent)}", ""]
    for c in cmp.targets:
        status = (common(f"status_short.{c.status}") if c.status == c.status_before else
                  f"{common('status_short.' + c.status_before)} → "
                  f"{common('status_short.' + c.status)}")
        lines.append(f"  {escape(c.target_id):<6} {nd.number(c.value_before, lang):>9} → "
                     f"{nd.number(c.value, lang):<9} {status} · {c.reports_since}")
    lines += ["", f"[b]{tr('since.units')}[/b]"]
    for u in cmp.units:
        before = "—" if u.rank_before is None else str(u.rank_before)
        lines.append(f"  {before:>2} → {u.rank:<2} {escape(u.owner)} "
                     f"({nd.percent(u.score_before, lang)} → {nd.percent(u.score, lang)})")
    return "\n".join(lines)
