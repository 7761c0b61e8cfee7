"""targets.parquet (or targets/*.parquet): what the campaign aims for, checked row by row."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.engine.campaign import Campaign
from dashboard.engine.errors import CampaignError, place
from dashboard.engine.integrity import damaged_reason
from dashboard.engine.parquet_schema import NULL, NUMBER_PREFIXES, STRING, unusable_optional
from dashboard.engine.text_safety import safe_text

DIRECTIONS = ("at_least", "at_most")
AGGREGATES = ("latest", "sum")
REQUIRED = ("target_id", "area", "title_vi", "target_value")
OPTIONAL = ("title_en", "unit_of_measure", "direction", "aggregate", "owner",
            "short_title_vi", "short_title_en", "unit_of_measure_en")


@dataclass(frozen=True)
class Target:
    target_id: str
    area: str
    title_vi: str
    title_en: str | None
    unit_of_measure: str | None
    target_value: float
    direction: str = "at_least"
    aggregate: str = "latest"
    owner: str | None = None
    short_title_vi: str | None = None
    short_title_en: str | None = None
    """Fewer words for a narrow row (optional columns); the screens fall back to the title."""
    unit_of_measure_en: str | None = None
    """The unit's English name (optional column); English screens fall back to the unit."""

    def title(self, lang: str) -> str:
        return (self.title_en or self.title_vi) if lang == "en" else self.title_vi

    def unit(self, lang: str) -> str | None:
        if lang == "en":
            return self.unit_of_measure_en or self.unit_of_measure
        return self.unit_of_measure


@dataclass(frozen=True)
class TargetSet:
    targets: tuple[Target, ...]
    warnings: tuple[tuple[str, str], ...] = ()
    """(file, reason) for optional columns left out because of their type."""


RowReader = Callable[[str], tuple[dict[str, str], list[dict[str, Any]]]]
"""Reads one Parquet file: (column → DuckDB type, rows); raises CampaignError with the reason."""


def load_targets(folder: Path, files: list[str], campaign: Campaign,
                 read: RowReader) -> TargetSet:
    """Every target from the given files (relative to folder). A problem with a required column
    or a row is a CampaignError; an optional column of an unusable type is left out with a
    warning."""
    if not files:
        raise CampaignError.of("targets_missing", place=folder)
    areas = {a.id for a in campaign.areas}
    out: list[Target] = []
    seen: dict[str, str] = {}
    warnings: list[tuple[str, str]] = []
    for rel in sorted(files):
        for row_no, row in enumerate(_rows(folder / rel, rel, read, warnings), 1):
            where = place(rel, row=row_no)
            t = _target(row, where, areas)
            if t.target_id in seen:
                raise CampaignError.of("target_duplicate", place=where, target=t.target_id,
                                       first=seen[t.target_id])
            seen[t.target_id] = where
            out.append(t)
    order = {a.id: i for i, a in enumerate(campaign.areas)}
    return TargetSet(tuple(sorted(out, key=lambda t: (order[t.area], t.target_id))),
                     tuple(warnings))


def _rows(path: Path, rel: str, read: RowReader,
          warnings: list[tuple[str, str]]) -> list[dict[str, Any]]:
    try:
        columns, rows = read(str(path))
    except CampaignError as e:
        raise CampaignError(f"{rel}: {e}") from None
    damaged = damaged_reason(str(path))  # a flipped bit must not change a target silently
    if damaged:
        raise CampaignError(f"{rel}: {damaged}")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise CampaignError.of("target_columns_missing", place=rel, columns=", ".join(missing))
    for col in REQUIRED:
        typ = columns[col]
        # an all-empty column (type null) fails row by row with the row named
        ok = typ.startswith(NUMBER_PREFIXES) if col == "target_value" else typ in (*STRING, NULL)
        if not ok:
            raise CampaignError.of("target_column_type", place=rel, column=col, type=typ.lower())
    unusable = [c for c in OPTIONAL if c in columns and columns[c] not in (*STRING, NULL)
                and any(r.get(c) is not None for r in rows)]
    for col in unusable:
        warnings.append((rel, unusable_optional(col, columns[col])))
    if unusable:
        rows = [{k: v for k, v in r.items() if k not in unusable} for r in rows]
    return rows


def _target(row: dict[str, Any], where: str, areas: set[str]) -> Target:
    tid = _s(row.get("target_id"))
    if not tid:
        raise CampaignError.of("target_id_empty", place=where)
    area = _s(row.get("area"))
    if area not in areas:
        raise CampaignError.of("target_area_unknown", place=where, target=tid, area=area,
                               areas=", ".join(sorted(areas)))
    title = _s(row.get("title_vi"))
    if not title:
        raise CampaignError.of("target_no_title", place=where, target=tid)
    raw_value = row.get("target_value")
    value = float(raw_value) if raw_value is not None else math.nan
    if not math.isfinite(value) or value <= 0:
        raise CampaignError.of("target_value_invalid", place=where, target=tid)
    direction = _s(row.get("direction")) or "at_least"
    if direction not in DIRECTIONS:
        raise CampaignError.of("target_direction", place=where, target=tid, value=direction,
                               allowed=" or ".join(DIRECTIONS))
    aggregate = _s(row.get("aggregate")) or "latest"
    if aggregate not in AGGREGATES:
        raise CampaignError.of("target_aggregate", place=where, target=tid, value=aggregate,
                               allowed=" or ".join(AGGREGATES))
    return Target(tid, area, title, _s(row.get("title_en")), _s(row.get("unit_of_measure")),
                  value, direction, aggregate, _s(row.get("owner")),
                  _s(row.get("short_title_vi")), _s(row.get("short_title_en")),
                  _s(row.get("unit_of_measure_en")))


def _s(value: Any) -> str | None:
    """A cell as the model holds it: NFC, controls shown visibly (as progress files' target
    ids are, in file_days_from_stage.sql), trimmed."""
    if value is None:
        return None
    text = safe_text(unicodedata.normalize("NFC", str(value))).strip()
    return text or None


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
