"""What the page check (dashboard/engine/integrity.py) costs: per file, and on a cold refresh.

Folders: the bundled sample (285 files), and 1,000 files of 1,000 and of 10,000 rows
(bench/gen_history.py, written with page checksums as thidua writes). For each:
  per file     damaged_reason() on every progress file, warm page cache: median and total
  cold load    Engine(folder).refresh() with the check, and with it switched off (median of 3)

    .venv/bin/python bench/integrity_bench.py

Prints a markdown table (docs/benchmarks.md, "Page checksums").
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_history

import dashboard.engine.integrity as integrity
from dashboard.engine.engine import Engine
from dashboard.engine.integrity import damaged_reason

ROOT = Path(__file__).resolve().parents[1]
OUT = Path("/tmp/thidua-bench-integrity")


def cold_refresh(folder: Path, check: bool) -> float:
    integrity.VERIFY_PAGES = check
    times = []
    for _ in range(3):
        started = time.perf_counter()
        e = Engine(folder, grace_seconds=0.0)
        e.refresh()
        times.append(time.perf_counter() - started)
        e.close()
    integrity.VERIFY_PAGES = True
    return statistics.median(times)


def main() -> None:
    folders = [("sample", ROOT / "data"),
               ("1,000 files × 1,000 rows", gen_history.generate(OUT / "1m", 1_000_000, 1000)),
               ("1,000 files × 10,000 rows", gen_history.generate(OUT / "10m", 10_000_000, 1000))]
    print("| folder | files | check per file, median ms | check, all files ms "
          "| cold refresh with check ms | without ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, folder in folders:
        files = sorted(str(p) for p in (folder / "progress").rglob("*.parquet"))
        damaged_reason(files[0])  # loads pyarrow
        per = []
        for f in files:
            started = time.perf_counter()
            assert damaged_reason(f) is None, f
            per.append((time.perf_counter() - started) * 1000)
        with_check, without = cold_refresh(folder, True), cold_refresh(folder, False)
        print(f"| {name} | {len(files):,} | {statistics.median(per):.2f} | {sum(per):.0f} "
              f"| {with_check * 1000:.0f} | {without * 1000:.0f} |", flush=True)


if __name__ == "__main__":
    main()
