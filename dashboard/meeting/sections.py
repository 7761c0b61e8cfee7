"""The briefing's content, built from a snapshot (and a since comparison): blocks of a Document.

`thidua snapshot --format md` uses the since and late blocks, `thidua brief` all of them.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from dashboard import numbers_dates as nd
from dashboard import reasons
from dashboard.engine.model import SinceComparison, Snapshot, TargetChange, UnitFreshness
from dashboard.i18n import catalogue
from dashboard.meeting.document import Block, Document, Table
from dashboard.meeting.strings import meeting_strings


def since_blocks(s: Snapshot, cmp: SinceComparison, lang: str) -> list[Block]:
    tr, common = meeting_strings(lang), catalogue(lang)
    tz = ZoneInfo(s.campaign.timezone)
    titles = {t.target_id: t.title(lang) for a in s.areas for t in a.targets}

    def listed(changes: tuple[TargetChange, ...]) -> str:
        return ", ".join(c.target_id for c in changes) or tr("since.none")

    rows = tuple(
        (f"{c.target_id} {titles.get(c.target_id, '')}".strip(),
         nd.number(c.value_before, lang), nd.number(c.value, lang),
         f"{common('status_short.' + c.status_before)} → {common('status_short.' + c.status)}",
         str(c.reports_since))
        for c in cmp.targets)
    units = tuple(
        (u.owner, f"{u.rank_before if u.rank_before is not None else '—'} → {u.rank}",
         f"{nd.percent(u.score_before, lang)} → {nd.percent(u.score, lang)}")
        for u in cmp.units)
    baseline = nd.moment(cmp.baseline, lang, tz)
    return [
        Block(tr("since.heading", baseline=baseline), (
            tr("since.period", baseline=baseline, as_of=nd.moment(cmp.as_of, lang, tz)),
            f"- {tr('since.done_since')}: {listed(cmp.done_since)}",
            f"- {tr('since.slipped')}: {listed(cmp.slipped)}",
            f"- {tr('since.silent')}: {listed(cmp.silent)}"),
            Table((tr("since.col_target"), tr("since.col_before"), tr("since.col_now"),
                   tr("since.col_status"), tr("since.col_reports")), rows,
                  (0.46, 0.12, 0.12, 0.2, 0.1), frozenset({1, 2, 4}))),
        Block(tr("since.units"), (), Table(
            (tr("since.col_owner"), tr("since.col_rank"), tr("since.col_score")), units,
            (0.6, 0.18, 0.22), frozenset({1, 2})), level=3),
    ]


def late_blocks(s: Snapshot, lang: str, interval_days: int) -> list[Block]:
    tr = meeting_strings(lang)
    tz = ZoneInfo(s.campaign.timezone)
    late_reporters = [r for r in s.reporters if r.overdue]
    late_owners = [o for o in s.owners if o.overdue]
    head = Block(tr("late.title"), (tr("late.rule", days=interval_days),)
                 + (() if late_reporters or late_owners else (tr("late.none"),)))
    out = [head]
    for key, units in (("late.reporters", late_reporters), ("late.owners", late_owners)):
        if units:
            out.append(Block(tr(key), (), _late_table(units, lang, tz), level=3))
    return out


def _late_table(units: list[UnitFreshness], lang: str, tz: ZoneInfo) -> Table:
    tr = meeting_strings(lang)
    rows = tuple(
        (u.unit, nd.day(u.last_report_at.astimezone(tz).date(), lang) if u.last_report_at
         else tr("late.never"), ", ".join(u.targets_owed))
        for u in units)
    return Table((tr("late.col_unit"), tr("late.col_last"), tr("late.col_owed")), rows,
                 (0.45, 0.2, 0.35))


def brief_document(s: Snapshot, cmp: SinceComparison | None, lang: str,
                   interval_days: int) -> Document:
    """The meeting's briefing: the campaign, each area's table, what is behind, who is late,
    the leaderboard, and room for the decisions and signatures."""
    tr, common = meeting_strings(lang), catalogue(lang)
    tz = ZoneInfo(s.campaign.timezone)
    doc = dict(s.campaign.document)
    header: list[str] = [s.campaign.title(lang), tr("brief.subtitle")]
    if "number" in doc:
        issuer = doc.get(f"issuer_{lang}") or doc.get("issuer_vi", "")
        day = nd.day(date.fromisoformat(doc["date"]), lang) if "date" in doc else ""
        header.append(tr("brief.document", number=doc["number"], date=day, issuer=issuer))
    c = s.countdown
    header += [
        tr("brief.period", start=nd.day(s.campaign.start, lang), end=nd.day(s.campaign.end, lang)),
        tr("brief.as_of", moment=nd.moment(s.as_of, lang, tz)),
        *([tr("brief.since", moment=nd.moment(cmp.baseline, lang, tz))] if cmp else []),
        tr("brief.countdown", state=common(f"countdown.{c.state}"), days=c.calendar_days_left,
           working=c.working_days_left, elapsed=nd.percent(c.elapsed_fraction, lang)),
    ]
    if s.error:
        since = nd.moment(s.stale_since, lang, tz) if s.stale_since else "?"
        header.append(tr("brief.stale", since=since, error=reasons.say(s.error, common)))
    blocks = progress_blocks(s, cmp, lang, interval_days)
    blocks.append(Block(tr("brief.decisions"), writing_lines=8))
    hint = tr("brief.sign_hint")
    return Document(tr("brief.title"), tuple(header), tuple(blocks),
                    ((tr("brief.sign_minutes"), hint), (tr("brief.sign_chair"), hint)))


def progress_blocks(s: Snapshot, cmp: SinceComparison | None, lang: str,
                    interval_days: int) -> list[Block]:
    """What the briefing and `snapshot --format md` share: each area's table (responsible
    unit, pace, projection, change since), the behind targets, the late units, the
    leaderboard with its changes, and the since section when there is a baseline."""
    blocks = area_blocks(s, cmp, lang)
    blocks.append(_behind_block(s, lang))
    blocks += late_blocks(s, lang, interval_days)
    blocks.append(_leaderboard_block(s, cmp, lang))
    if cmp:
        blocks += since_blocks(s, cmp, lang)
    return blocks


def area_blocks(s: Snapshot, cmp: SinceComparison | None, lang: str) -> list[Block]:
    tr, common = meeting_strings(lang), catalogue(lang)
    changes = {t.target_id: t for t in cmp.targets} if cmp else {}
    blocks: list[Block] = []
    for n, a in enumerate(s.areas, 1):
        m = a.summary
        rows = []
        for t in a.targets:
            unit = f" {t.unit(lang)}" if t.unit(lang) else ""
            rows.append((
                f"{t.target_id} {t.title(lang)}", t.owner or "—",
                f"{nd.number(t.value, lang)} / {nd.number(t.target_value, lang)}{unit}",
                nd.percent(t.completion, lang), nd.percent(t.expected, lang),
                common(f"status_short.{t.status}"),
                nd.number(t.projection, lang),
                _change(changes.get(t.target_id), lang)))
        blocks.append(Block(
            tr("brief.area", n=n, name=a.name(lang)),
            (tr("brief.area_summary", done=m.done, on_track=m.on_track, behind=m.behind,
                no_data=m.no_data, mean=nd.percent(m.mean_completion, lang)),),
            Table((tr("brief.col_target"), tr("brief.col_owner"), tr("brief.col_value"),
                   tr("brief.col_pct"), tr("brief.col_pace"), tr("brief.col_status"),
                   tr("brief.col_projection"), tr("brief.col_change")), tuple(rows),
                  (0.27, 0.17, 0.14, 0.07, 0.07, 0.11, 0.08, 0.09),
                  frozenset({2, 3, 4, 6, 7}))))
    return blocks


def _behind_block(s: Snapshot, lang: str) -> Block:
    tr = meeting_strings(lang)
    behind = [t for a in s.areas for t in a.targets if t.status == "behind"]
    return Block(tr("brief.behind"), () if behind else (tr("brief.no_behind"),),
                 Table((tr("brief.col_target"), tr("brief.col_owner"),
                        tr("brief.col_pct"), tr("brief.col_pace")),
                       tuple((f"{t.target_id} {t.title(lang)}", t.owner or "—",
                              nd.percent(t.completion, lang),
                              nd.percent(t.expected, lang)) for t in behind),
                       (0.5, 0.3, 0.1, 0.1), frozenset({2, 3})) if behind else None)


def _leaderboard_block(s: Snapshot, cmp: SinceComparison | None, lang: str) -> Block:
    tr = meeting_strings(lang)
    ranks = {u.owner: u for u in cmp.units} if cmp else {}
    board = []
    for r in s.leaderboard:
        u = ranks.get(r.owner)
        moved = (u.rank_before - r.rank) if u and u.rank_before is not None else r.rank_change
        board.append((str(r.rank), r.owner, nd.percent(r.score, lang), _arrow(moved)))
    return Block(tr("brief.leaderboard"), (), Table(
        (tr("brief.col_rank"), tr("since.col_owner"), tr("brief.col_score"),
         tr("brief.col_rank_change")), tuple(board), (0.1, 0.6, 0.15, 0.15),
        frozenset({0, 2, 3})))


def _change(c: TargetChange | None, lang: str) -> str:
    """The value's change since the baseline, signed (the lists say what became done or
    slipped)."""
    if c is None or c.value is None:
        return "—"
    return _signed(c.value - (c.value_before or 0.0), lang)


def _signed(x: float, lang: str) -> str:
    if x == 0:
        return "0"
    return ("+" if x > 0 else "−") + nd.number(abs(x), lang)


def _arrow(moved: int) -> str:
    """Places moved up (+) or down (−): every renderer's font has these."""
    return _signed(moved, "en") if moved else "–"
