"""`thidua snapshot` output: stable JSON (documented keys), CSV per target, a Markdown briefing."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from dashboard import numbers_dates, reasons
from dashboard.engine.model import SinceComparison, Snapshot, TargetState, UnitFreshness
from dashboard.i18n import Catalogue, catalogue

TARGET_KEYS = ("target_id", "title", "unit_of_measure", "target_value", "direction", "aggregate",
               "owner", "value", "completion", "completion_capped", "expected", "status",
               "last_report_at", "overdue", "projection", "needed_per_working_day", "reporters")
SINCE_KEYS = ("value_before", "status_before", "reports_since")


def to_dict(s: Snapshot, lang: str = "vi", since: SinceComparison | None = None
            ) -> dict[str, Any]:
    """The snapshot as the JSON document data/README.md describes (stable keys)."""
    tz = ZoneInfo(s.campaign.timezone)
    out = _snapshot_dict(s, lang, tz)
    out["reporters"] = [_freshness("reporter", r, tz) for r in s.reporters]
    out["owners"] = [_freshness("owner", o, tz) for o in s.owners]
    if since is not None:
        out["since"] = _since_dict(since, tz)
    return out


def _freshness(key: str, u: UnitFreshness, tz: ZoneInfo) -> dict[str, Any]:
    return {key: u.unit, "last_report_at": _iso(u.last_report_at, tz), "overdue": u.overdue,
            "targets_owed": list(u.targets_owed)}


def _since_dict(c: SinceComparison, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "as_of": _iso(c.baseline, tz),
        "targets": [{"target_id": t.target_id, "value_before": _num(t.value_before),
                     "value": _num(t.value), "status_before": t.status_before,
                     "status": t.status, "reports_since": t.reports_since}
                    for t in c.targets],
        "units": [{"owner": u.owner, "rank_before": u.rank_before, "rank": u.rank,
                   "score_before": _num(u.score_before), "score": _num(u.score)}
                  for u in c.units],
    }


def _snapshot_dict(s: Snapshot, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    tr = catalogue(lang)
    c = s.countdown
    return {
        "schema_version": s.schema_version,
        "campaign": {"id": s.campaign.id, "title": s.campaign.title(lang),
                     "start": s.campaign.start.isoformat(), "end": s.campaign.end.isoformat(),
                     "timezone": s.campaign.timezone},
        "as_of": _iso(s.as_of, tz),
        "countdown": {"state": c.state, "days": c.days, "hours": c.hours, "minutes": c.minutes,
                      "seconds": c.seconds, "seconds_left": c.seconds_left,
                      "working_days_left": c.working_days_left,
                      "elapsed_fraction": _num(c.elapsed_fraction)},
        "areas": [
            {"id": a.id, "name": a.name(lang),
             "summary": {"targets": a.summary.targets, "done": a.summary.done,
                         "on_track": a.summary.on_track, "behind": a.summary.behind,
                         "no_data": a.summary.no_data,
                         "mean_completion": _num(a.summary.mean_completion)},
             "targets": [_target(t, lang, tz) for t in a.targets]}
            for a in s.areas],
        "leaderboard": [{"owner": r.owner, "rank": r.rank, "score": _num(r.score),
                         "rank_change": r.rank_change} for r in s.leaderboard],
        "files": {"used": s.files.used, "pending": list(s.files.pending),
                  "skipped": [{"file": k.file, **_reason(k.reason, tr)} for k in s.files.skipped],
                  "warnings": [{"file": w.file, **_reason(w.reason, tr)}
                               for w in s.files.warnings],
                  "held": [{"file": h.file, **_reason(h.reason, tr), "since": _iso(h.since, tz)}
                           for h in s.files.held]},
        "rows_dropped": [{"file": d.file, "count": d.count, **_reason(d.reason, tr, d.code)}
                         for d in s.rows_dropped],
    }


def to_json(s: Snapshot, lang: str = "vi", since: SinceComparison | None = None) -> str:
    return json.dumps(to_dict(s, lang, since), ensure_ascii=False, indent=2) + "\n"


def _target(t: TargetState, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "target_id": t.target_id, "title": t.title(lang), "unit_of_measure": t.unit(lang),
        "target_value": _num(t.target_value), "direction": t.direction,
        "aggregate": t.aggregate, "owner": t.owner, "value": _num(t.value),
        "completion": _num(t.completion), "completion_capped": _num(t.completion_capped),
        "expected": _num(t.expected), "status": t.status,
        "last_report_at": _iso(t.last_report_at, tz), "overdue": t.overdue,
        "projection": _num(t.projection),
        "needed_per_working_day": _num(t.needed_per_working_day),
        "reporters": list(t.reporters),
    }


def to_csv(s: Snapshot, lang: str = "vi", since: SinceComparison | None = None) -> str:
    """One row per target, with its area; the JSON keys as the header (with a baseline, the
    since section's keys too)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    extra = SINCE_KEYS if since is not None else ()
    w.writerow(["area", *TARGET_KEYS, *extra])
    tz = ZoneInfo(s.campaign.timezone)
    changes = {c["target_id"]: c for c in _since_dict(since, tz)["targets"]} if since else {}
    for a in s.areas:
        for t in a.targets:
            row = _target(t, lang, tz)
            row["reporters"] = "; ".join(t.reporters)
            row.update({k: changes.get(t.target_id, {}).get(k) for k in extra})
            w.writerow([a.id, *("" if row[k] is None else row[k] for k in (*TARGET_KEYS, *extra))])
    return buf.getvalue()


def to_markdown(s: Snapshot, lang: str = "vi", since: SinceComparison | None = None,
                interval_days: int = 7) -> str:
    """A briefing for meeting minutes (`thidua brief` is the full one, with room for the
    decisions and signatures): the same area tables, behind targets, late units, leaderboard
    and since section, then what happened to the files."""
    from dashboard.meeting.markdown import blocks_markdown
    from dashboard.meeting.sections import progress_blocks

    lines = [*_markdown_header(s, lang), *blocks_markdown(progress_blocks(s, since, lang,
                                                                          interval_days)),
             "", *_markdown_files(s, lang)]
    return "\n".join(lines) + "\n"


def _markdown_header(s: Snapshot, lang: str) -> list[str]:
    tr = catalogue(lang)
    tz = ZoneInfo(s.campaign.timezone)
    c = s.countdown
    doc = dict(s.campaign.document)
    lines = [f"# {tr('brief.title', title=s.campaign.title(lang))}", ""]
    if "number" in doc:
        doc_date = date.fromisoformat(doc["date"]) if "date" in doc else None
        lines.append(tr("brief.document", number=doc["number"],
                        date=numbers_dates.day(doc_date, lang) if doc_date else ""))
    lines += [
        tr("brief.period", start=numbers_dates.day(s.campaign.start, lang),
           end=numbers_dates.day(s.campaign.end, lang)),
        tr("brief.as_of", moment=numbers_dates.moment(s.as_of, lang, tz)),
        tr("brief.state", state=tr(f"countdown.{c.state}"), days=c.calendar_days_left,
           working=c.working_days_left),
    ]
    if s.error:
        since = numbers_dates.moment(s.stale_since, lang, tz) if s.stale_since else "?"
        lines.append(tr("brief.stale", since=since, error=reasons.say(s.error, tr)))
    return lines


def _markdown_files(s: Snapshot, lang: str) -> list[str]:
    tr = catalogue(lang)
    lines = [tr("brief.files", used=s.files.used, pending=len(s.files.pending),
                skipped=len(s.files.skipped))]
    if s.files.skipped:
        lines += ["", f"### {tr('brief.skipped')}", ""]
        lines += [f"- `{k.file}`: {reasons.say(k.reason, tr)}" for k in s.files.skipped]
    if s.files.held:
        lines += ["", f"### {tr('brief.held')}", ""]
        lines += [f"- `{h.file}`: {reasons.say(h.reason, tr)}" for h in s.files.held]
    if s.files.warnings:
        lines += ["", f"### {tr('brief.warnings')}", ""]
        lines += [f"- `{w.file}`: {reasons.say(w.reason, tr)}" for w in s.files.warnings]
    if s.rows_dropped:
        lines += ["", f"### {tr('brief.dropped')}", ""]
        lines += [f"- `{d.file}`: {d.count} × {reasons.say(d.reason, tr, d.code)}"
                  for d in s.rows_dropped]
    return lines


def _reason(text: str, tr: Catalogue, code: str = "") -> dict[str, str]:
    """A reason as JSON: a stable `code` (dashboard/reasons.py) and the words in `lang`."""
    reason = reasons.parse(text, code)
    return {"code": reason.code, "reason": reasons.render(reason, tr)}


def _num(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(x, 6)


def _iso(t: datetime | None, tz: ZoneInfo) -> str | None:
    return t.astimezone(tz).isoformat() if t else None
