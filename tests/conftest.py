"""Shared helpers: a campaign folder in tmp_path, Parquet writers, local-time helpers.

Everything is real: pyarrow writes the files, the engine reads them with DuckDB.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard.engine.engine import Engine

REPO = Path(__file__).resolve().parents[1]
CAMPAIGN_TOML = REPO / "data" / "campaign.toml"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = ZoneInfo("UTC")

# The timestamp types a progress file may use for reported_at.
NAIVE = pa.timestamp("us")
ZONED = pa.timestamp("us", tz="UTC")
DATE = pa.date32()
FLOAT = pa.float64()

TARGET_COLUMNS = ("target_id", "area", "title_vi", "title_en", "unit_of_measure",
                  "target_value", "direction", "aggregate", "owner")


def at(y: int, m: int, d: int, h: int = 12, mi: int = 0, s: int = 0) -> datetime:
    """An aware datetime in campaign-local time (Asia/Ho_Chi_Minh, UTC+7)."""
    return datetime(y, m, d, h, mi, s, tzinfo=VN)


def naive(y: int, m: int, d: int, h: int = 12, mi: int = 0, s: int = 0) -> datetime:
    """A naive wall time: the engine reads it as campaign-local."""
    return datetime(y, m, d, h, mi, s)


def _atomic_write(table: pa.Table, path: Path, **kwargs: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.writing")
    pq.write_table(table, tmp, **kwargs)
    os.replace(tmp, path)
    return path


def write_targets(folder: Path, rows: Sequence[dict[str, Any]], *,
                  name: str = "targets.parquet") -> Path:
    """targets.parquet from dicts; missing optional keys are null, target_value is float64."""
    columns: dict[str, list[Any]] = {c: [r.get(c) for r in rows] for c in TARGET_COLUMNS}
    schema = pa.schema([(c, pa.float64() if c == "target_value" else pa.string())
                        for c in TARGET_COLUMNS])
    table = pa.table(columns, schema=schema)
    return _atomic_write(table, folder / name)


def target(tid: str, area: str = "economy", value: float = 100.0, **kw: Any) -> dict[str, Any]:
    """One targets row with sensible defaults (at_least, latest, no owner)."""
    return {"target_id": tid, "area": area, "title_vi": f"Chỉ tiêu {tid}",
            "title_en": f"Target {tid}", "unit_of_measure": "unit", "target_value": value, **kw}


def progress_table(rows: Iterable[Sequence[Any]], *, ts_type: pa.DataType = NAIVE,
                   value_type: pa.DataType = FLOAT, note: bool = False) -> pa.Table:
    """Rows are (target_id, reporter, reported_at, value[, note])."""
    rows = list(rows)
    cols: dict[str, pa.Array] = {
        "target_id": pa.array([r[0] for r in rows], pa.string()),
        "reporter": pa.array([r[1] for r in rows], pa.string()),
        "reported_at": pa.array([r[2] for r in rows], ts_type),
        "value": pa.array([_value(r[3], value_type) for r in rows], value_type),
    }
    if note:
        cols["note"] = pa.array([r[4] if len(r) > 4 else None for r in rows], pa.string())
    return pa.table(cols)


def _value(v: Any, value_type: pa.DataType) -> Any:
    if v is None:
        return None
    if pa.types.is_decimal(value_type):
        return Decimal(str(v))
    if pa.types.is_integer(value_type):
        return int(v)
    return v


def write_progress(folder: Path, name: str, rows: Iterable[Sequence[Any]], *,
                   ts_type: pa.DataType = NAIVE, value_type: pa.DataType = FLOAT,
                   note: bool = False, **parquet_kwargs: Any) -> Path:
    """progress/<name> written under a hidden temp name, then renamed into place."""
    table = progress_table(rows, ts_type=ts_type, value_type=value_type, note=note)
    return _atomic_write(table, folder / "progress" / name, **parquet_kwargs)


def write_table(folder: Path, name: str, table: pa.Table, **parquet_kwargs: Any) -> Path:
    """Any table as progress/<name> (for files with wrong columns or types)."""
    return _atomic_write(table, folder / "progress" / name, **parquet_kwargs)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative path → content), to prove nothing was written."""
    out: dict[str, bytes] = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() or p.is_symlink():
            out[p.relative_to(folder).as_posix()] = p.read_bytes() if p.is_file() else b"->"
    return out


def tree_listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    """A campaign folder: the real campaign.toml (2020-05-06 – 2020-09-30, four areas)."""
    folder = tmp_path / "campaign"
    (folder / "progress").mkdir(parents=True)
    shutil.copyfile(CAMPAIGN_TOML, folder / "campaign.toml")
    return folder


EngineFactory = Callable[..., Engine]


@pytest.fixture
def make_engine() -> Iterator[EngineFactory]:
    """Engine(folder, **kw), closed at teardown; refreshed once unless refresh=False."""
    engines: list[Engine] = []

    def make(folder: Path, *, refresh: bool = True, **kw: Any) -> Engine:
        kw.setdefault("grace_seconds", 0.0)
        e = Engine(folder, **kw)
        engines.append(e)
        if refresh:
            e.refresh()
        return e

    yield make
    for e in engines:
        e.close()


def skipped_reasons(snap: Any) -> dict[str, str]:
    return {s.file: s.reason for s in snap.files.skipped}


def dropped(snap: Any) -> dict[tuple[str, str], int]:
    return {(d.file, d.code): d.count for d in snap.rows_dropped}

