"""Synthetic progress histories for the benchmarks.

`generate(folder, rows, files, seed)` writes a campaign folder: campaign.toml and targets.parquet
copied from the bundled sample, and `progress/<ISO week>/part-NNNNN.parquet` holding `rows` rows
in `files` files. Each file is one contiguous, sorted slice of time; together they cover
2020-05-06 00:00 to 2020-09-30 20:00 campaign-local (the last hours of the campaign are left
empty so that benchmarks can drop newer reports). Values only grow with time, a few rows have
a note. Generated folders are cached in /tmp/thidua-bench/<rows>-<files>.

    python bench/gen_history.py              # the three benchmark sizes
    python bench/gen_history.py 1000000:100  # one size
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.contract import PROGRESS_SCHEMA, write_parquet

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data"
CACHE = Path("/tmp/thidua-bench")
SIZES: tuple[tuple[int, int], ...] = ((10_000, 10), (1_000_000, 100), (10_000_000, 1000))

HISTORY_START = datetime(2020, 5, 6, 0, 0, 0)
HISTORY_END = datetime(2020, 9, 30, 20, 0, 0)
"""Naive campaign-local wall times; history rows fall in [start, end)."""

REPORTERS: tuple[str, ...] = (
    "Công an thành phố",
    "Ban Chỉ huy Quân sự thành phố",
    "Văn phòng HĐND và UBND thành phố",
    "Phòng Kinh tế",
    "Phòng Tài chính – Kế hoạch",
    "Phòng Quản lý đô thị",
    "Chi cục Thuế khu vực thành phố Lạng Sơn",
    "Trung tâm Y tế thành phố",
    "Phòng Giáo dục và Đào tạo",
    "Phòng Văn hóa và Thông tin",
    "UBND phường Hoàng Văn Thụ",
    "UBND xã Mai Pha",
)
NOTES: tuple[str, ...] = ("đã rà soát", "số liệu ước tính", "bổ sung báo cáo tuần", "theo sở")
NOTE_SHARE = 0.002

SCHEMA = PROGRESS_SCHEMA


def _micros(dt: datetime) -> int:
    """Naive wall time as microseconds since 1970-01-01 (no zone: stored as-is)."""
    return int((dt - datetime(1970, 1, 1)).total_seconds()) * 1_000_000


def targets() -> tuple[list[str], np.ndarray]:
    """The sample's target ids and target values."""
    t = pq.read_table(SAMPLE / "targets.parquet", columns=["target_id", "target_value"])
    return ([str(x) for x in t.column("target_id").to_pylist()],
            np.asarray(t.column("target_value").to_pylist(), dtype=np.float64))


def _strings(indices: np.ndarray, names: tuple[str, ...] | list[str]) -> pa.Array:
    dictionary = pa.array(list(names), pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)),
                                          dictionary).cast(pa.string())


def progress_table(rng: np.random.Generator, n: int, lo_us: int, hi_us: int,
                   scale: np.ndarray | None = None) -> pa.Table:
    """n sorted rows with whole-second times in [lo_us, hi_us); values grow with time."""
    ids, goal = targets()
    if scale is None:
        scale = np.random.default_rng(0).uniform(0.5, 1.15, len(ids))
    start, end = _micros(HISTORY_START), _micros(HISTORY_END)
    seconds = np.sort(rng.integers(lo_us // 1_000_000, max(lo_us // 1_000_000 + 1,
                                                           hi_us // 1_000_000), n))
    at = seconds * 1_000_000
    tix = rng.integers(0, len(ids), n)
    rix = rng.integers(0, len(REPORTERS), n)
    fraction = np.clip((at - start) / (end - start), 0.0, 1.0)
    value = np.round(goal[tix] * scale[tix] * fraction, 2)
    note_at = np.flatnonzero(rng.random(n) < NOTE_SHARE)
    notes: list[str | None] = [None] * n
    for i in note_at:
        notes[int(i)] = NOTES[int(i) % len(NOTES)]
    return pa.table({
        "target_id": _strings(tix, ids),
        "reporter": _strings(rix, REPORTERS),
        "reported_at": pa.array(at, pa.timestamp("us")),
        "value": pa.array(value, pa.float64()),
        "note": pa.array(notes, pa.string()),
    }, schema=SCHEMA)


def copy_campaign(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("campaign.toml", "targets.parquet"):
        shutil.copy2(SAMPLE / name, folder / name)


def generate(folder: Path, rows: int, files: int, seed: int = 2020) -> Path:
    """Write the campaign folder (skipped when it already exists); return it."""
    folder = Path(folder)
    if (folder / "progress").is_dir() and (folder / "campaign.toml").is_file():
        return folder
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    copy_campaign(tmp)
    rng = np.random.default_rng(seed)
    start, end = _micros(HISTORY_START), _micros(HISTORY_END)
    edges = np.linspace(start, end, files + 1).astype(np.int64)
    per_file = np.full(files, rows // files)
    per_file[: rows % files] += 1
    for i in range(files):
        lo, hi = int(edges[i]), int(edges[i + 1])
        week = (datetime(1970, 1, 1) + timedelta(microseconds=lo)).isocalendar()
        sub = tmp / "progress" / f"{week.year}-W{week.week:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        table = progress_table(rng, int(per_file[i]), lo, hi)
        write_parquet(table, sub / f"part-{i:05d}.parquet")  # with page checksums
    folder.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, folder)
    return folder


def cached(rows: int, files: int, seed: int = 2020) -> Path:
    return generate(CACHE / f"{rows}-{files}", rows, files, seed)


def concatenated(rows: int, files: int) -> Path:
    """The same history as cached(rows, files), in one file: <folder>/progress/all.parquet."""
    src = cached(rows, files)
    folder = CACHE / f"{rows}-{files}-onefile"
    if (folder / "progress" / "all.parquet").is_file():
        return folder
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    copy_campaign(tmp)
    (tmp / "progress").mkdir()
    parts = sorted((src / "progress").rglob("*.parquet"))
    with pq.ParquetWriter(tmp / "progress" / "all.parquet", SCHEMA) as writer:
        for p in parts:
            writer.write_table(pq.read_table(p))
    os.replace(tmp, folder)
    return folder


def work_copy(src: Path, name: str) -> Path:
    """A hard-linked copy of a cached folder that a benchmark may add files to."""
    dst = CACHE / "work" / name
    shutil.rmtree(dst, ignore_errors=True)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, dst, copy_function=_link_or_copy)
    return dst


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system
        shutil.copy2(src, dst)


def main(argv: list[str]) -> int:
    sizes = [tuple(int(x) for x in a.split(":")) for a in argv] or list(SIZES)
    for rows, files in sizes:
        started = time.perf_counter()
        folder = cached(rows, files)
        print(f"{folder}: {rows:,} rows in {files} files ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
