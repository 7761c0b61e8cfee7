"""What the campaign already knows that an import or a template is built from.

Read once from the engine (targets, every reporter's reports up to now, the snapshot), so
validation is plain Python over plain data and the engine can be closed or refreshed freely.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime

from dashboard.engine.campaign import Campaign
from dashboard.engine.engine import Engine
from dashboard.engine.model import Snapshot
from dashboard.engine.targets import Target


@dataclass(frozen=True)
class Report:
    at: datetime
    """Aware."""
    value: float


@dataclass(frozen=True)
class Knowledge:
    campaign: Campaign
    now: datetime
    """The clock's instant (aware): nothing after it is known, nothing after it may be reported."""
    targets: dict[str, Target]
    snapshot: Snapshot
    reports: dict[tuple[str, str], tuple[Report, ...]]
    """(target id, reporter) → that reporter's reports on it up to now, oldest first."""

    @classmethod
    def load(cls, engine: Engine, now: datetime) -> Knowledge:
        reports: dict[tuple[str, str], list[Report]] = {}
        for t in engine.targets:
            for p in engine.history(t.target_id, now).points:
                reports.setdefault((t.target_id, p.reporter), []).append(Report(p.reported_at,
                                                                                p.value))
        return cls(
            campaign=engine.campaign,
            now=now,
            targets={t.target_id: t for t in engine.targets},
            snapshot=engine.snapshot(now),
            reports={k: tuple(sorted(v, key=lambda r: r.at)) for k, v in reports.items()},
        )

    @property
    def reporters(self) -> tuple[str, ...]:
        """Who may import: a unit that owns a target or has reported on one."""
        names = {t.owner for t in self.targets.values() if t.owner}
        names |= {reporter for _, reporter in self.reports}
        return tuple(sorted(names, key=slug))

    def resolve_reporter(self, text: str) -> str | None:
        """The known reporter `text` names: its exact name (any case, spacing, NFC form) or
        its slug ("phuong-chi-lang" for "UBND phường Chi Lăng")."""
        wanted = _name_key(text)
        for name in self.reporters:
            if _name_key(name) == wanted or slug(name) == slug(text):
                return name
        return None

    def target_id(self, text: str) -> str | None:
        """The target id `text` names (ids are matched without regard to case)."""
        if text in self.targets:
            return text
        folded = text.casefold()
        return next((tid for tid in self.targets if tid.casefold() == folded), None)

    def targets_of(self, reporter: str | None) -> tuple[Target, ...]:
        """The targets a reporter reports on (owns, or has reported on), in campaign order;
        every target when no reporter is given."""
        ordered = [t for a in self.snapshot.areas for ts in a.targets
                   if (t := self.targets.get(ts.target_id))]
        if reporter is None:
            return tuple(ordered)
        return tuple(t for t in ordered
                     if t.owner == reporter or (t.target_id, reporter) in self.reports)

    def last_report(self, target_id: str, reporter: str, before: datetime | None = None
                    ) -> Report | None:
        """The reporter's newest report on the target (strictly before `before` if given)."""
        found = self.reports.get((target_id, reporter), ())
        end = len(found) if before is None else bisect_left(found, before, key=lambda r: r.at)
        return found[end - 1] if end else None


def slug(name: str) -> str:
    """ASCII file-name slug of a unit, like the sample's progress files: "UBND phường Chi Lăng"
    → "phuong-chi-lang"."""
    name = unicodedata.normalize("NFC", name).strip().removeprefix("UBND ")
    plain = "".join(c for c in unicodedata.normalize("NFD", name)
                    if unicodedata.category(c) != "Mn")
    plain = plain.replace("đ", "d").replace("Đ", "D").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _name_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())
