"""What leaves the engine: plain frozen dataclasses, safe to hand to any thread or process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dashboard.engine.campaign import Campaign

SNAPSHOT_SCHEMA_VERSION = 1

STATUSES = ("done", "on_track", "behind", "no_data")


@dataclass(frozen=True)
class Countdown:
    state: str
    """`not_started`, `running` or `ended`."""
    days: int
    hours: int
    minutes: int
    seconds: int
    seconds_left: int
    working_days_left: int
    elapsed_fraction: float
    calendar_days_left: int = 0


@dataclass(frozen=True)
class ReporterReport:
    reporter: str
    at: datetime


@dataclass(frozen=True)
class TargetState:
    target_id: str
    area: str
    title_vi: str
    title_en: str | None
    unit_of_measure: str | None
    target_value: float
    direction: str
    aggregate: str
    owner: str | None
    value: float | None
    completion: float | None
    completion_capped: float | None
    expected: float
    status: str
    last_report_at: datetime | None
    overdue: bool
    projection: float | None
    needed_per_working_day: float | None
    reporters: tuple[str, ...]
    weekly: tuple[float | None, ...] = ()
    """Value at the end of each campaign week up to the as-of instant (the last point is T)."""
    last_reports: tuple[ReporterReport, ...] = ()
    """Each counted reporter's newest counted report on this target (late units, since)."""
    short_title_vi: str | None = None
    short_title_en: str | None = None
    unit_of_measure_en: str | None = None

    def title(self, lang: str) -> str:
        return (self.title_en or self.title_vi) if lang == "en" else self.title_vi

    def unit(self, lang: str) -> str | None:
        """The unit of measure in this language (English falls back to the targets file's
        unit when it gives no English name)."""
        if lang == "en":
            return self.unit_of_measure_en or self.unit_of_measure
        return self.unit_of_measure

    def short_title(self, lang: str) -> str | None:
        """The targets file's short title (English falls back to the Vietnamese one only when
        the title itself has no English)."""
        if lang == "en":
            return self.short_title_en or (None if self.title_en else self.short_title_vi)
        return self.short_title_vi


@dataclass(frozen=True)
class AreaSummary:
    targets: int
    done: int
    on_track: int
    behind: int
    no_data: int
    mean_completion: float


@dataclass(frozen=True)
class AreaState:
    id: str
    name_vi: str
    name_en: str
    summary: AreaSummary
    targets: tuple[TargetState, ...]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class LeaderRow:
    owner: str
    rank: int
    score: float
    rank_change: int
    targets: int = 0


@dataclass(frozen=True)
class SkippedFile:
    file: str
    reason: str


@dataclass(frozen=True)
class DroppedRows:
    file: str
    count: int
    reason: str
    code: str = ""


@dataclass(frozen=True)
class FileWarning:
    """A file that is used, less something: e.g. an optional column of an unusable type."""

    file: str
    reason: str


@dataclass(frozen=True)
class HeldFile:
    """A file whose current content cannot be used (replaced by a bad one, or its folder is
    unreadable): its last good rows are still counted, and are stale."""

    file: str
    reason: str
    since: datetime


@dataclass(frozen=True)
class FilesState:
    used: int
    pending: tuple[str, ...]
    skipped: tuple[SkippedFile, ...]
    warnings: tuple[FileWarning, ...] = ()
    held: tuple[HeldFile, ...] = ()


@dataclass(frozen=True)
class UnitFreshness:
    """Whether a unit keeps up with its reports (the rules: data/README.md, "Late units")."""

    unit: str
    last_report_at: datetime | None
    overdue: bool
    targets_owed: tuple[str, ...]
    """Target ids it owes a report on, in the campaign's order."""


@dataclass(frozen=True)
class Snapshot:
    """The whole campaign as of one instant."""

    campaign: Campaign
    """The campaign this snapshot was computed with: campaign.toml may change while the
    app runs, and the screens follow the campaign of the snapshot they show."""
    as_of: datetime
    countdown: Countdown
    areas: tuple[AreaState, ...]
    leaderboard: tuple[LeaderRow, ...]
    files: FilesState
    rows_dropped: tuple[DroppedRows, ...]
    computed_at: datetime
    """Wall-clock time the engine computed it (for "cập nhật lúc …")."""
    error: str | None = None
    """Set when the latest refresh failed: the data shown is the last good data."""
    stale_since: datetime | None = None
    schema_version: int = SNAPSHOT_SCHEMA_VERSION
    reporters: tuple[UnitFreshness, ...] = ()
    """Per reporting unit: its last report and the targets it owes (engine/late.py)."""
    owners: tuple[UnitFreshness, ...] = ()
    """Per responsible unit (owner): the same, over the targets it owns."""

    def late_reporters(self) -> tuple[UnitFreshness, ...]:
        return tuple(r for r in self.reporters if r.overdue)

    def target(self, target_id: str) -> TargetState | None:
        for area in self.areas:
            for t in area.targets:
                if t.target_id == target_id:
                    return t
        return None


@dataclass(frozen=True)
class HistoryPoint:
    reporter: str
    day: date
    reported_at: datetime
    value: float
    note: str | None


@dataclass(frozen=True)
class TargetHistory:
    """One target's reports up to the as-of instant, for the drill-down screen."""

    target_id: str
    as_of: datetime
    points: tuple[HistoryPoint, ...]
    series: tuple[tuple[date, float], ...] = ()
    """The target's value at the end of each local day that had a report."""


@dataclass(frozen=True)
class TargetChange:
    """One target then (at the baseline) and now."""

    target_id: str
    value_before: float | None
    value: float | None
    status_before: str
    status: str
    reports_since: int
    """How many of its reporters reported after the baseline, up to now."""

    @property
    def became_done(self) -> bool:
        return self.status == "done" and self.status_before != "done"

    @property
    def slipped(self) -> bool:
        """Behind now and not behind then."""
        return self.status == "behind" and self.status_before != "behind"


@dataclass(frozen=True)
class UnitChange:
    owner: str
    rank_before: int | None
    rank: int
    score_before: float | None
    score: float


@dataclass(frozen=True)
class SinceComparison:
    """What changed between a baseline instant (the last meeting) and now (engine/since.py)."""

    baseline: datetime
    as_of: datetime
    targets: tuple[TargetChange, ...]
    units: tuple[UnitChange, ...]

    @property
    def done_since(self) -> tuple[TargetChange, ...]:
        return tuple(t for t in self.targets if t.became_done)

    @property
    def slipped(self) -> tuple[TargetChange, ...]:
        return tuple(t for t in self.targets if t.slipped)

    @property
    def silent(self) -> tuple[TargetChange, ...]:
        """No report since the baseline."""
        return tuple(t for t in self.targets if t.reports_since == 0)
