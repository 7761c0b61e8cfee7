"""Late units: who has not reported for longer than the campaign's reporting interval.

Pure functions over the targets of one snapshot; the rules are data/README.md's "Late units".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dashboard.engine import semantics as rules
from dashboard.engine.campaign import Campaign
from dashboard.engine.model import TargetState, UnitFreshness


def reporters(campaign: Campaign, now: datetime, state: str,
              targets: Sequence[TargetState]) -> tuple[UnitFreshness, ...]:
    """Per reporter counted on any target: its newest report, and the targets on which its
    own newest report is older than the interval (while the campaign runs)."""
    seen: dict[str, list[tuple[str, datetime]]] = {}
    for t in targets:
        for r in t.last_reports:
            seen.setdefault(r.reporter, []).append((t.target_id, r.at))
    return tuple(
        UnitFreshness(
            unit=name,
            last_report_at=max(at for _, at in reports),
            overdue=bool(owed := tuple(
                tid for tid, at in reports if rules.is_overdue(campaign, now, at, state))),
            targets_owed=owed,
        )
        for name, reports in sorted(seen.items()))


def owners(targets: Sequence[TargetState]) -> tuple[UnitFreshness, ...]:
    """Per responsible unit: the newest report on its targets and those that are overdue."""
    owned: dict[str, list[TargetState]] = {}
    for t in targets:
        if t.owner:
            owned.setdefault(t.owner, []).append(t)
    out = []
    for name, ts in sorted(owned.items()):
        times = [t.last_report_at for t in ts if t.last_report_at is not None]
        owed = tuple(t.target_id for t in ts if t.overdue)
        out.append(UnitFreshness(name, max(times) if times else None, bool(owed), owed))
    return tuple(out)
