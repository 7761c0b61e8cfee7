"""What leaves the engine: plain frozen dataclasses, safe to hand to any thread or process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

SNAPSHOT_SCHEMA_VERSION = 1

STATUSES = ("done", "on_track", "behind", "no_data")


@dataclass(frozen=True)
class CampaignInfo:
    id: str
    title_vi: str
    title_en: str
    start: date
    end: date
    timezone: str
    document: tuple[tuple[str, str], ...] = ()

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi


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
    short_title_vi: str | None = None
    short_title_en: str | None = None

    def title(self, lang: str) -> str:
        return (self.title_en or self.title_vi) if lang == "en" else self.title_vi

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
class Snapshot:
    """The whole campaign as of one instant."""

    campaign: CampaignInfo
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
