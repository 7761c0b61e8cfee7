"""Engine benchmarks against the issue's goals, at 10k, 1M and 10M rows of history.

Per size, each in a fresh subprocess (so peak RSS is that size's alone):
  cold load       Engine(folder) + first refresh() + first snapshot(), after imports
                  (median of --cold-runs processes)
  new file        one new 10,000-row progress file (temp name + os.replace), then
                  refresh() + snapshot(); --repeats times, a new file each time; p50/p95.
                  At 10k rows a 1,000-row series is measured too, for reference.
  snapshot        snapshot() alone, p50 of 20, at the end of the history (30/9 23:59:59) and
                  in the middle of a day (15/7 10:00, which re-reads that day's files)
  peak RSS        ru_maxrss of the subprocess
  floor           a plain DuckDB glob query over the same files, in a fresh connection
                  (its own subprocess; median of 3 connections)

    python bench/engine_bench.py [--sizes 10000:10,1000000:100,10000000:1000] [--repeats 25]

Prints a markdown table; writes bench/out/engine.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_history

OUT = Path(__file__).resolve().parent / "out"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2020, 9, 30, 23, 59, 59, tzinfo=TZ)
"""Snapshots are taken at the end of the history (new files land on 30/9 after 20:00)."""
NOW_MID = datetime(2020, 7, 15, 10, 0, tzinfo=TZ)
NEW_FILE_ROWS = 10_000
SNAPSHOT_REPEATS = 20
FLOOR_SQL = ("SELECT target_id, reporter, arg_max(value, reported_at) "
             "FROM read_parquet('{glob}') GROUP BY ALL")

GOAL_REFRESH_RATIO = 1.5
GOAL_REFRESH_MS = 50.0
GOAL_COLD_RATIO = 1.5
GOAL_RSS_MB = 300.0


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def ms(x: float) -> float:
    return round(x * 1000, 1)


# -- subprocess side -------------------------------------------------------------------------

def drop_file(folder: Path, n: int, rows: int, rng: np.random.Generator) -> Path:
    """A new progress file of `rows` rows on 30/9 after 20:00, installed via os.replace."""
    lo = gen_history._micros(gen_history.HISTORY_END)
    hi = gen_history._micros(datetime(2020, 9, 30, 23, 59, 59))
    table = gen_history.progress_table(rng, rows, lo, hi)
    sub = folder / "progress" / "2020-W40"
    sub.mkdir(parents=True, exist_ok=True)
    tmp = sub / f".new-{n:04d}.parquet"
    pq.write_table(table, tmp)
    final = sub / f"new-{n:04d}.parquet"
    os.replace(tmp, final)
    return final


def worker(folder: Path, repeats: int, cold_only: bool, small_series: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    from dashboard.engine.engine import Engine
    imports = time.perf_counter() - t0

    started = time.perf_counter()
    engine = Engine(folder)
    report = engine.refresh()
    refreshed = time.perf_counter()
    snap = engine.snapshot(NOW)
    done = time.perf_counter()
    out: dict[str, Any] = {
        "imports_s": imports,
        "cold_s": done - started,
        "cold_refresh_s": refreshed - started,
        "cold_snapshot_s": done - refreshed,
        "cold_queries": engine.queries,
        "files_used": snap.files.used,
        "rss_after_cold_mb": _rss_now_mb(),
    }
    assert report.changed and snap.files.used > 1, "the history did not load"
    if cold_only:
        out["peak_rss_mb"] = _peak_rss_mb()
        engine.close()
        return out

    def snapshots(at: datetime) -> tuple[list[float], int]:
        times: list[float] = []
        q = engine.queries
        for i in range(SNAPSHOT_REPEATS):
            # a new instant each time (as a live clock gives): the engine keeps answers per
            # cut-off, so the same instant twice would measure its cache, not the query
            a = time.perf_counter()
            engine.snapshot(at - timedelta(seconds=SNAPSHOT_REPEATS - i))
            times.append(time.perf_counter() - a)
        return times, (engine.queries - q) // SNAPSHOT_REPEATS

    snap_times, snap_queries = snapshots(NOW)
    mid_times, mid_queries = snapshots(NOW_MID)
    out |= {"snapshot_p50_s": pct(snap_times, 50), "snapshot_queries": snap_queries,
            "snapshot_mid_p50_s": pct(mid_times, 50), "snapshot_mid_queries": mid_queries}

    rng = np.random.default_rng(7)
    n = 0

    def series(rows: int, count: int) -> dict[str, Any]:
        nonlocal n
        total: list[float] = []
        refresh: list[float] = []
        queries: list[int] = []
        refresh_queries: list[int] = []
        for _ in range(count):
            n += 1
            drop_file(folder, n, rows, rng)
            q = engine.queries
            a = time.perf_counter()
            rep = engine.refresh()
            b = time.perf_counter()
            engine.snapshot(NOW)
            c = time.perf_counter()
            assert rep.added == 1, rep
            total.append(c - a)
            refresh.append(b - a)
            refresh_queries.append(engine.queries - q - snap_queries)
            queries.append(engine.queries - q)
        return {"rows": rows, "count": count, "p50_s": pct(total, 50), "p95_s": pct(total, 95),
                "refresh_p50_s": pct(refresh, 50), "refresh_p95_s": pct(refresh, 95),
                "queries_per_refresh": statistics.median(refresh_queries),
                "queries_per_refresh_and_snapshot": statistics.median(queries),
                "all_s": total}

    if small_series:
        out["new_file_1k"] = series(1_000, repeats)
    out["new_file"] = series(NEW_FILE_ROWS, repeats)
    out["peak_rss_mb"] = _peak_rss_mb()
    engine.close()
    return out


def floor_worker(folder: Path, runs: int) -> dict[str, Any]:
    import duckdb

    glob = f"{folder}/progress/**/*.parquet"
    times: list[float] = []
    groups = 0
    for _ in range(runs):
        a = time.perf_counter()
        con = duckdb.connect(":memory:")
        groups = len(con.execute(FLOOR_SQL.format(glob=glob)).fetchall())
        con.close()
        times.append(time.perf_counter() - a)
    return {"floor_s": statistics.median(times), "floor_first_s": times[0], "floor_all_s": times,
            "groups": groups, "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- parent side -----------------------------------------------------------------------------

def _child(*args: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def bench_size(rows: int, files: int, repeats: int, cold_runs: int) -> dict[str, Any]:
    src = gen_history.cached(rows, files)
    work = gen_history.work_copy(src, f"engine-{rows}-{files}")
    try:
        main = _child("--worker", str(work), "--repeats", str(repeats),
                      *(["--small-series"] if rows <= 10_000 else []))
        colds = [main["cold_s"]]
        for _ in range(cold_runs - 1):
            colds.append(_child("--worker", str(src), "--cold-only")["cold_s"])
        floor = _child("--floor", str(src))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"rows": rows, "files": files, **main, "cold_median_s": statistics.median(colds),
            "cold_all_s": colds, "floor": floor}


def goals(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_rows = {r["rows"]: r for r in results}
    small, big = by_rows.get(10_000), by_rows.get(10_000_000)
    out: list[dict[str, Any]] = []
    if small and big:
        a, b = small["new_file"]["p95_s"], big["new_file"]["p95_s"]
        out.append({"goal": "one-new-file refresh+snapshot p95 at 10M ≤ 1.5× the 10k figure",
                    "measured": f"{ms(b)} ms vs {ms(a)} ms = {b / a:.2f}×",
                    "met": b <= GOAL_REFRESH_RATIO * a})
    if big:
        b = big["new_file"]["p95_s"]
        out.append({"goal": "one-new-file refresh+snapshot p95 at 10M < 50 ms",
                    "measured": f"{ms(b)} ms (p50 {ms(big['new_file']['p50_s'])} ms)",
                    "met": b * 1000 < GOAL_REFRESH_MS})
        c, f = big["cold_median_s"], big["floor"]["floor_s"]
        out.append({"goal": "cold load at 10M ≤ 1.5× the plain glob query",
                    "measured": f"{c:.2f} s vs {f:.2f} s = {c / f:.2f}×",
                    "met": c <= GOAL_COLD_RATIO * f})
        out.append({"goal": "peak RSS at 10M < 300 MB",
                    "measured": f"{big['peak_rss_mb']:.0f} MB",
                    "met": big["peak_rss_mb"] < GOAL_RSS_MB})
    return out


def table(results: list[dict[str, Any]]) -> str:
    head = ("| rows | files | cold load s (median) | glob floor s | cold/floor | "
            "new file refresh+snapshot p50 / p95 ms | refresh alone p50 ms | "
            "snapshot p50 ms (30/9 23:59 · 15/7 10:00) | queries per refresh / snapshot | "
            "peak RSS MB |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        nf = r["new_file"]
        lines.append(
            f"| {r['rows']:,} | {r['files']} | {r['cold_median_s']:.2f} | "
            f"{r['floor']['floor_s']:.2f} | {r['cold_median_s'] / r['floor']['floor_s']:.1f}× | "
            f"{ms(nf['p50_s'])} / {ms(nf['p95_s'])} | {ms(nf['refresh_p50_s'])} | "
            f"{ms(r['snapshot_p50_s'])} · {ms(r['snapshot_mid_p50_s'])} | "
            f"{nf['queries_per_refresh']:g} / {r['snapshot_queries']} | "
            f"{r['peak_rss_mb']:.0f} |")
    for r in results:
        if "new_file_1k" in r:
            s = r["new_file_1k"]
            lines.append(f"\nAt {r['rows']:,} rows, a 1,000-row new file: refresh+snapshot p50 "
                         f"{ms(s['p50_s'])} ms, p95 {ms(s['p95_s'])} ms.")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default=",".join(f"{r}:{f}" for r, f in gen_history.SIZES))
    p.add_argument("--repeats", type=int, default=25)
    p.add_argument("--cold-runs", type=int, default=3)
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--cold-only", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--small-series", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.repeats, args.cold_only, args.small_series)))
        return 0
    if args.floor:
        print(json.dumps(floor_worker(args.floor, 3)))
        return 0

    started = time.perf_counter()
    sizes = [tuple(int(x) for x in s.split(":")) for s in args.sizes.split(",")]
    results: list[dict[str, Any]] = []
    for rows, files in sizes:
        a = time.perf_counter()
        results.append(bench_size(rows, files, args.repeats, args.cold_runs))
        print(f"{rows:,} rows / {files} files: done in {time.perf_counter() - a:.0f} s",
              file=sys.stderr)
    checked = goals(results)
    print(table(results))
    print()
    for g in checked:
        print(f"- {g['goal']}: {g['measured']} — {'met' if g['met'] else 'NOT met'}")
    OUT.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {"when": datetime.now().astimezone().isoformat(timespec="seconds"),
               "new_file_rows": NEW_FILE_ROWS, "snapshot_at": NOW.isoformat(),
               "results": results, "goals": checked,
               "total_s": time.perf_counter() - started}
    (OUT / "engine.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    print(f"\nwrote {OUT / 'engine.json'} ({timedelta(seconds=round(payload['total_s']))})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
