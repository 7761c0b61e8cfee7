"""A bounded bit-flip fuzz over the data pages of small progress files.

Each case flips one bit inside a column chunk (page headers and page data, never the footer)
of a file written with page checksums, puts it alone next to the targets, and asks the engine
what it makes of it. The only acceptable outcomes: the file is skipped or pending with a
reason, or it gives exactly the values of the original. Anything else is a silent change.
"""

from __future__ import annotations

import io
import random
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from conftest import VN, at, naive, progress_table, target, write_targets

from dashboard.engine.engine import Engine

TARGET_IDS = ("f1", "f2", "f3", "f4")
AS_OF = at(2020, 7, 1)
VARIANTS: tuple[dict[str, Any], ...] = (
    {"compression": "none", "use_dictionary": False},
    {"compression": "none", "use_dictionary": True},
    {"compression": "zstd", "use_dictionary": True},
    {"compression": "snappy", "use_dictionary": False},
)
"""Write options the fuzz cycles through: plain and dictionary pages, compressed or not."""


@dataclass(frozen=True)
class Variant:
    data: bytes
    chunk_start: int
    chunk_end: int
    """Byte range of the column chunks (after the magic, before the footer)."""


def _rows() -> list[tuple[Any, ...]]:
    """Every row its own (target, reporter, day), so the history shows every value."""
    return [(tid, f"r{r}", naive(2020, 6, 1 + d, 10, r), 10.0 * t + r + d / 8, f"n{d % 3}")
            for t, tid in enumerate(TARGET_IDS) for r in range(3) for d in range(10)]


def _variant(folder: Path, options: dict[str, Any], checksums: bool) -> Variant:
    path = folder / "variant.parquet"
    pq.write_table(progress_table(_rows(), note=True), path, write_page_checksum=checksums,
                   **options)
    data = path.read_bytes()
    path.unlink()
    meta = pq.read_metadata(io.BytesIO(data))
    starts = []
    for rg in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            col = meta.row_group(rg).column(c)
            starts.append(col.dictionary_page_offset or col.data_page_offset)
    footer_len = int.from_bytes(data[-8:-4], "little")
    return Variant(data, min(starts), len(data) - 8 - footer_len)


def _seen(engine: Engine) -> dict[str, Any]:
    """Every number the engine shows from the file: history points and dropped rows."""
    snap = engine.snapshot(AS_OF)
    out: dict[str, Any] = {"dropped": [(d.code, d.count) for d in snap.rows_dropped]}
    for tid in TARGET_IDS:
        out[tid] = [(p.reporter, p.reported_at.astimezone(VN), p.value, p.note)
                    for p in engine.history(tid, AS_OF).points]
        state = snap.target(tid)
        out[f"{tid}.value"] = state.value if state else None
    return out


@dataclass(frozen=True)
class FuzzResult:
    outcomes: Counter[str]
    """refused (skipped or pending, with a reason) | same | changed"""
    changed: tuple[str, ...]
    """One line per silent change: variant, bit and what changed."""
    reasons: Counter[str]


def run_fuzz(folder: Path, flips: int, seed: int, make_engine: Callable[..., Engine], *,
             checksums: bool = True) -> FuzzResult:
    """`folder`: a campaign folder with an empty progress/; `checksums`: whether the files
    are written with page checksums (thidua's own are; other tools' may not be)."""
    write_targets(folder, [target(t) for t in TARGET_IDS])
    rng = random.Random(seed)
    variants = [_variant(folder, o, checksums) for o in VARIANTS]
    engine = make_engine(folder, grace_seconds=0.0, refresh=False)
    progress = folder / "progress"
    (progress / "case.parquet").write_bytes(variants[0].data)
    engine.refresh()
    expected = _seen(engine)
    assert expected["dropped"] == [] and all(expected[t] for t in TARGET_IDS)
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    changed: list[str] = []
    for i in range(flips):
        v_no = i % len(variants)
        v = variants[v_no]
        bit = rng.randrange(v.chunk_start * 8, v.chunk_end * 8)
        data = bytearray(v.data)
        data[bit // 8] ^= 1 << (bit % 8)
        shutil.rmtree(progress)
        progress.mkdir()
        name = f"case{i}.parquet"  # a new name each time: a new file for the engine
        (progress / name).write_bytes(bytes(data))
        engine.refresh()
        snap = engine.snapshot(AS_OF)
        rel = f"progress/{name}"
        skipped = {s.file: s.reason for s in snap.files.skipped}
        if rel in skipped or rel in snap.files.pending:
            outcomes["refused"] += 1
            reasons[(skipped.get(rel) or "pending").split(":")[0][:60]] += 1
            continue
        seen = _seen(engine)
        if seen == expected:
            outcomes["same"] += 1
            continue
        outcomes["changed"] += 1
        diff = [k for k in expected if seen[k] != expected[k]]
        changed.append(f"variant {VARIANTS[v_no]} bit {bit} (byte {bit // 8}): {diff}")
    return FuzzResult(outcomes, tuple(changed), reasons)
