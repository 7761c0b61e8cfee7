"""The Parquet layouts thidua itself writes (sample data, imports, benchmarks), in one place.

data/README.md is the contract; the engine accepts more than this (zoned times, integer and
decimal values). Loading this module loads pyarrow: the engine and the app do not need it.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

TARGETS_SCHEMA = pa.schema([
    ("target_id", pa.string()),
    ("area", pa.string()),
    ("title_vi", pa.string()),
    ("title_en", pa.string()),
    ("unit_of_measure", pa.string()),
    ("target_value", pa.float64()),
    ("direction", pa.string()),
    ("aggregate", pa.string()),
    ("owner", pa.string()),
    ("short_title_vi", pa.string()),
    ("short_title_en", pa.string()),
    ("unit_of_measure_en", pa.string()),
])
"""Columns of targets.parquet."""

PROGRESS_SCHEMA = pa.schema([
    ("target_id", pa.string()),
    ("reporter", pa.string()),
    ("reported_at", pa.timestamp("us")),
    ("value", pa.float64()),
    ("note", pa.string()),
])
"""Columns of a progress file: naive local times, float values."""


def write_parquet(table: pa.Table, where: str | Path | IO[bytes], **options: Any) -> None:
    """Every Parquet file thidua writes goes through here: with page checksums, so a flipped
    bit in a page is found when the file is read (dashboard/engine/integrity.py)."""
    pq.write_table(table, where, write_page_checksum=True, **options)
