"""Scale benchmark: 10,000 and 100,000 small progress files, beside the floor of reading them.

The data is what many units dropping small reports make: `progress/<ISO week>/<unit>/
<unit>-NNNNNN.parquet`, 20 units over the 21 weeks of the campaign (420 sub-folders), each file
a few rows (one report of one unit at one instant, with page checksums as thidua writes them).
Generated folders are kept in /tmp/thidua-bench/scale-<N> and reused.

Per size, each measure in a fresh subprocess (so peak RSS is that measure's alone):
  floor walk    one os.scandir walk of progress/ with a stat per file (what a rescan needs)
  floor query   one DuckDB read_parquet over every file (the latest value per target and
                reporter), a fresh connection with the default settings
  cold start    Engine(folder) + first refresh() + first snapshot(), after imports; peak RSS
  check         the whole `thidua check --data DIR` command (wall time, exit code)
  rescan        refresh() with nothing changed (the app's safety-net rescan), p50 of 5
  new file      the real app (run_test, headless 160x48) with the real watcher: a one-row
                file is written under a temp name in a unit's folder and renamed; timed until
                the area panel renders the new value; --drops drops, p50/p95
  idle          the real `thidua --data DIR` in a 160x48 tmux pane, campaign dates moved
                around today so the countdown ticks: CPU (user+system, from /proc) over
                --idle seconds after it settles, RSS and peak RSS

    python bench/scale_bench.py [--sizes 10000,100000] [--drops 20] [--idle 30]
                                [--only floor,cold,check,rescan,latency,idle]

Prints a markdown table; writes bench/out/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
CACHE = Path("/tmp/thidua-bench")
SAMPLE = REPO / "data"
BIN = Path(sys.executable).parent
THIDUA = BIN / "thidua"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2020, 9, 30, 23, 59, 59, tzinfo=TZ)
"""Snapshots and the app's clock: after every generated report (drops land on 30/9 20:00+)."""
SIZE = (160, 48)
READY_TEXT = "Số liệu đến"
"""The status line's first words (vi): written together with the panels' data."""

UNITS: tuple[str, ...] = (
    "Công an thành phố", "Ban Chỉ huy Quân sự thành phố", "Văn phòng HĐND và UBND thành phố",
    "Phòng Kinh tế", "Phòng Tài chính – Kế hoạch", "Phòng Quản lý đô thị",
    "Chi cục Thuế khu vực thành phố Lạng Sơn", "Trung tâm Y tế thành phố",
    "Phòng Giáo dục và Đào tạo", "Phòng Văn hóa và Thông tin", "UBND phường Hoàng Văn Thụ",
    "UBND phường Chi Lăng", "UBND phường Tam Thanh", "UBND phường Vĩnh Trại",
    "UBND phường Đông Kinh", "UBND xã Mai Pha", "UBND xã Hoàng Đồng", "UBND xã Quảng Lạc",
    "Phòng Nội vụ", "Phòng Tư pháp",
)
ROWS_PER_FILE = 4
HISTORY_START = datetime(2020, 5, 6, 0, 0, 0)
HISTORY_END = datetime(2020, 9, 30, 20, 0, 0)
GOAL_LATENCY_P95_S = 0.300
GOAL_IDLE_CPU_PCT = 2.0


def pct(xs: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(xs), q)) if xs else float("nan")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the data --------------------------------------------------------------------------------

def _weeks() -> list[tuple[str, datetime, datetime]]:
    """(ISO week name, first instant, end) of each campaign week, clipped to the history."""
    out = []
    day = HISTORY_START
    while day < HISTORY_END:
        iso = day.isocalendar()
        monday = day - timedelta(days=day.weekday())
        end = min(monday.replace(hour=0) + timedelta(days=7), HISTORY_END)
        out.append((f"{iso.year}-W{iso.week:02d}", day, end))
        day = end
    return out


def _write_chunk(args: tuple[str, int, int, int]) -> int:
    """Files [lo, hi) of a folder of n files (a worker process of the generator)."""
    import numpy as np
    import pyarrow as pa

    from dashboard.contract import PROGRESS_SCHEMA, write_parquet
    from dashboard.sample_data import slugify

    folder, n, lo, hi = Path(args[0]), args[1], args[2], args[3]
    import pyarrow.parquet as pq

    ids = [str(x) for x in pq.read_table(SAMPLE / "targets.parquet",
                                         columns=["target_id"]).column(0).to_pylist()]
    goal = np.asarray(pq.read_table(SAMPLE / "targets.parquet",
                                    columns=["target_value"]).column(0).to_pylist())
    weeks = _weeks()
    span = (HISTORY_END - HISTORY_START).total_seconds()
    per_slot = max(1, n // (len(weeks) * len(UNITS)))
    made: set[Path] = set()
    for i in range(lo, hi):
        rng = np.random.default_rng(i)
        slot = i // per_slot
        week, w0, w1 = weeks[(slot // len(UNITS)) % len(weeks)]
        unit = UNITS[slot % len(UNITS)]
        at = w0 + timedelta(seconds=int(rng.integers(0, int((w1 - w0).total_seconds()))))
        frac = (at - HISTORY_START).total_seconds() / span
        tix = rng.choice(len(ids), ROWS_PER_FILE, replace=False)
        sub = folder / "progress" / week / slugify(unit)
        if sub not in made:
            sub.mkdir(parents=True, exist_ok=True)
            made.add(sub)
        table = pa.table({
            "target_id": [ids[t] for t in tix],
            "reporter": [unit] * ROWS_PER_FILE,
            "reported_at": [at] * ROWS_PER_FILE,
            "value": [round(float(goal[t]) * frac * float(rng.uniform(0.6, 1.1)), 2)
                      for t in tix],
            "note": [None] * ROWS_PER_FILE,
        }, schema=PROGRESS_SCHEMA)
        write_parquet(table, sub / f"{slugify(unit)}-{i:06d}.parquet")
    return hi - lo


def generate(n: int) -> Path:
    """A campaign folder with n small progress files (kept and reused)."""
    from multiprocessing import Pool

    folder = CACHE / f"scale-{n}"
    if (folder / "campaign.toml").is_file() and (folder / "progress").is_dir():
        return folder
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in ("campaign.toml", "targets.parquet"):
        shutil.copy2(SAMPLE / name, tmp / name)
    step = 2000
    chunks = [(str(tmp), n, lo, min(n, lo + step)) for lo in range(0, n, step)]
    started = time.perf_counter()
    with Pool(os.cpu_count() or 2) as pool:
        done = sum(pool.imap_unordered(_write_chunk, chunks))
    os.replace(tmp, folder)
    print(f"generated {done:,} files in {folder} ({time.perf_counter() - started:.0f} s)",
          file=sys.stderr)
    return folder


# -- the children ----------------------------------------------------------------------------

def child_floor_walk(folder: Path) -> dict[str, Any]:
    started = time.perf_counter()
    files = dirs = 0
    stack = [str(folder / "progress")]
    while stack:
        with os.scandir(stack.pop()) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                    dirs += 1
                elif e.name.endswith(".parquet"):
                    e.stat()
                    files += 1
    return {"walk_s": time.perf_counter() - started, "files": files, "dirs": dirs,
            "peak_rss_mb": _peak_rss_mb()}


def child_floor_query(folder: Path) -> dict[str, Any]:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    rows = con.execute(
        "SELECT target_id, reporter, arg_max(value, reported_at) "
        "FROM read_parquet($glob) GROUP BY ALL",
        {"glob": str(folder / "progress" / "**" / "*.parquet")}).fetchall()
    return {"query_s": time.perf_counter() - started, "groups": len(rows),
            "peak_rss_mb": _peak_rss_mb()}


def child_cold(folder: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    from dashboard.engine.engine import Engine

    imports = time.perf_counter() - t0
    started = time.perf_counter()
    engine = Engine(folder)
    engine.refresh()
    refreshed = time.perf_counter()
    snap = engine.snapshot(NOW)
    done = time.perf_counter()
    rescans = []
    for _ in range(5):
        a = time.perf_counter()
        report = engine.refresh()
        rescans.append(time.perf_counter() - a)
        assert not report.changed
    a = time.perf_counter()
    engine.snapshot(NOW - timedelta(seconds=1))
    snap_again = time.perf_counter() - a
    engine.close()
    return {"imports_s": imports, "cold_s": done - started, "refresh_s": refreshed - started,
            "snapshot_s": done - refreshed, "used": snap.files.used,
            "skipped": len(snap.files.skipped), "rescan_p50_s": statistics.median(rescans),
            "snapshot_again_s": snap_again, "peak_rss_mb": _peak_rss_mb()}


def child_latency(folder: Path, drops: int) -> dict[str, Any]:
    import asyncio

    import pyarrow as pa

    from dashboard import numbers_dates
    from dashboard.app import AppOptions
    from dashboard.clock import FixedClock
    from dashboard.contract import PROGRESS_SCHEMA, write_parquet
    from dashboard.frontends import create_app
    from dashboard.sample_data import slugify
    from dashboard.source import EngineSource
    from widgets.area_panel import AreaPanel

    source = EngineSource(folder)
    source.refresh()
    targets = [t for t in source.engine.targets if t.aggregate == "latest"]
    area_of = {t.target_id: t.area for t in targets}
    app = create_app(source, clock=FixedClock(NOW), options=AppOptions(watch=True))
    weeks = sorted(p for p in (folder / "progress").iterdir() if p.is_dir())
    dirs = [weeks[-1] / slugify(u) for u in UNITS]
    watch: dict[str, Any] = {"target": None, "prefix": None, "t_render": None}
    draw = AreaPanel.line_text

    def spy(self: AreaPanel, y: int, width: int) -> Any:
        out = draw(self, y, width)
        tid, prefix = watch["target"], watch["prefix"]
        if tid and watch["t_render"] is None and self.data is not None:
            row = next((r for r in self.data.rows if r.key == tid), None)
            if row is not None and row.value_text.startswith(prefix) and prefix in out.plain:
                watch["t_render"] = time.perf_counter()
        return out

    AreaPanel.line_text = spy  # type: ignore[method-assign]
    samples: list[dict[str, Any]] = []
    written: list[Path] = []

    async def run() -> None:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            while app.refresh_count < 1:
                await asyncio.sleep(0.01)
            await pilot.pause(1.0)
            for i in range(drops):
                target = targets[i % len(targets)]
                tid = target.target_id
                value = 2000.5 + i
                prefix = numbers_dates.number(value, "vi") + "/"
                sub = dirs[i % len(dirs)]
                unit = UNITS[i % len(UNITS)]
                table = pa.table({
                    "target_id": [tid], "reporter": [unit],
                    "reported_at": [datetime(2020, 9, 30, 20, 0) + timedelta(minutes=i)],
                    "value": [value], "note": [None]}, schema=PROGRESS_SCHEMA)
                tmp = sub / f".drop-{i:03d}.parquet"
                write_parquet(table, tmp)
                final = sub / f"drop-{os.getpid()}-{i:03d}.parquet"
                written.append(final)
                watch.update(target=tid, prefix=prefix, t_render=None)
                panel = app.dashboard.query_one(f"#area-{area_of[tid]}", AreaPanel)
                t_snap = None
                t0 = time.perf_counter()
                os.replace(tmp, final)
                while time.perf_counter() - t0 < 15.0:
                    await asyncio.sleep(0.002)
                    if t_snap is None and app.snapshot is not None:
                        st = app.snapshot.target(tid)
                        if st is not None and st.value == value:
                            t_snap = time.perf_counter()
                    if watch["t_render"] is not None:
                        break
                    if t_snap is not None and time.perf_counter() - t_snap > 0.2:
                        await pilot.pause()
                        break
                del panel
                samples.append({
                    "i": i, "snapshot_s": None if t_snap is None else t_snap - t0,
                    "render_s": None if watch["t_render"] is None else watch["t_render"] - t0,
                    "engine_s": app.last_refresh_seconds})
                watch.update(target=None)
                await asyncio.sleep(0.3 + (i % 5) * 0.05)

    try:
        asyncio.run(run())
    finally:
        source.close()
        for p in written:  # the bench's own drops: the generated folder is reused
            p.unlink(missing_ok=True)
    return {"samples": samples, "peak_rss_mb": _peak_rss_mb()}


def run_child(*args: str, timeout: float = 1800) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, timeout=timeout, check=False, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{proc.stderr[-4000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


# -- the parent ------------------------------------------------------------------------------

def measure_check(data: Path | str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The whole `thidua check --data DATA` command, as a user runs it (a folder or s3://…)."""
    started = time.perf_counter()
    proc = subprocess.run([str(THIDUA), "check", "--data", str(data)], capture_output=True,
                          text=True, check=False, env=env, timeout=3600)
    wall = time.perf_counter() - started
    return {"check_s": wall, "exit": proc.returncode,
            "last_line": (proc.stdout.strip().splitlines() or [""])[-1]}


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_idle(folder: Path, seconds: float) -> dict[str, Any]:
    """The real dashboard in tmux with a live campaign (dates moved around today)."""
    toml = folder / "campaign.toml"
    original = toml.read_text(encoding="utf-8")
    today = date.today()
    text = re.sub(r"(?m)^start = .*$", f"start = {today - timedelta(days=70)}", original)
    text = re.sub(r"(?m)^end = .*$", f"end = {today + timedelta(days=70)}", text)
    text = re.sub(r"(?m)^holidays = .*$", "holidays = []", text)
    toml.write_text(text, encoding="utf-8")  # the bench's own generated folder
    sock = f"thidua-scale-{os.getpid()}"
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-u", "-L", sock, *args], capture_output=True,
                              text=True, env=env, check=False).stdout

    try:
        started = time.perf_counter()
        subprocess.run(["tmux", "-u", "-L", sock, "new-session", "-d", "-s", "idle", "-x",
                        str(SIZE[0]), "-y", str(SIZE[1]), f"exec {THIDUA} --data {folder}"],
                       check=True, env=env)
        pid = int(tmux("display-message", "-p", "-t", "idle", "#{pane_pid}").strip())
        ready = None
        while time.perf_counter() - started < 600:
            if READY_TEXT in tmux("capture-pane", "-p", "-t", "idle"):
                ready = time.perf_counter() - started
                break
            time.sleep(0.05)
        if ready is None:
            raise RuntimeError("thidua did not show data:\n" + tmux("capture-pane", "-p"))
        time.sleep(10.0)  # the first refresh's after-effects (lazy imports, the watcher) settle
        hz = os.sysconf("SC_CLK_TCK")
        before = tmux("capture-pane", "-p", "-t", "idle")
        c0, t0 = _cpu_ticks(pid), time.perf_counter()
        time.sleep(seconds)
        c1, t1 = _cpu_ticks(pid), time.perf_counter()
        after = tmux("capture-pane", "-p", "-t", "idle")
        cpu = (c1 - c0) / hz
        return {"ready_s": ready, "seconds": t1 - t0, "cpu_s": cpu,
                "cpu_pct": 100 * cpu / (t1 - t0), "rss_mb": _status_mb(pid, "VmRSS"),
                "peak_rss_mb": _status_mb(pid, "VmHWM"), "screen_ticked": before != after}
    finally:
        tmux("kill-server")  # the private server this function started (its own socket)
        toml.write_text(original, encoding="utf-8")


def run_size(n: int, only: set[str], drops: int, idle_s: float) -> dict[str, Any]:
    folder = generate(n)
    res: dict[str, Any] = {"files": n, "folder": str(folder)}
    if "floor" in only:
        walks = [run_child("floor-walk", str(folder)) for _ in range(3)]
        queries = [run_child("floor-query", str(folder)) for _ in range(3)]
        res["floor_walk_s"] = statistics.median(w["walk_s"] for w in walks)
        res["floor_query_s"] = statistics.median(q["query_s"] for q in queries)
        res["floor_query_rss_mb"] = max(q["peak_rss_mb"] for q in queries)
        res["dirs"] = walks[0]["dirs"]
        print(f"{n}: floor done", file=sys.stderr)
    if "cold" in only or "rescan" in only:
        res["cold"] = run_child("cold", str(folder))
        print(f"{n}: cold done {res['cold']}", file=sys.stderr)
    if "check" in only:
        res["check"] = measure_check(folder)
        print(f"{n}: check done {res['check']}", file=sys.stderr)
    if "latency" in only:
        r = run_child("latency", str(folder), str(drops))
        seen = [s["render_s"] or s["snapshot_s"] for s in r["samples"]
                if (s["render_s"] or s["snapshot_s"]) is not None]
        res["latency"] = {"drops": drops, "missed": drops - len(seen), "p50_s": pct(seen, 50),
                          "p95_s": pct(seen, 95), "max_s": max(seen, default=None),
                          "engine_p50_s": pct([s["engine_s"] for s in r["samples"]], 50),
                          "peak_rss_mb": r["peak_rss_mb"], "samples": r["samples"]}
        print(f"{n}: latency done", file=sys.stderr)
    if "idle" in only:
        res["idle"] = measure_idle(folder, idle_s)
        print(f"{n}: idle done {res['idle']}", file=sys.stderr)
    return res


def _f(x: Any, fmt: str = ".2f", scale: float = 1.0) -> str:
    return "—" if x is None else format(x * scale, fmt)


def report(results: list[dict[str, Any]]) -> str:
    lines = ["| files | floor: walk + stat s | floor: one DuckDB query s | cold start s | "
             "`thidua check` s | rescan, nothing new, ms | new file → screen p50 / p95 ms | "
             "idle CPU % | RSS MB (idle · peak) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        c, k, lat, idle = r.get("cold", {}), r.get("check", {}), r.get("latency"), r.get("idle")
        lines.append(
            f"| {r['files']:,} | {_f(r.get('floor_walk_s'))} | {_f(r.get('floor_query_s'))} | "
            f"{_f(c.get('cold_s'))} | {_f(k.get('check_s'))} | "
            f"{_f(c.get('rescan_p50_s'), '.0f', 1000)} | "
            + (f"{lat['p50_s'] * 1000:.0f} / {lat['p95_s'] * 1000:.0f}"
               + (f" ({lat['missed']} missed)" if lat["missed"] else "") if lat else "—")
            + f" | {_f(idle and idle['cpu_pct'])} | "
            + (f"{idle['rss_mb']:.0f} · {idle['peak_rss_mb']:.0f}" if idle else "—") + " |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--drops", type=int, default=20)
    p.add_argument("--idle", type=float, default=30.0)
    p.add_argument("--only", default="floor,cold,check,latency,idle")
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        mode, folder = args.child[0], Path(args.child[1])
        fn = {"floor-walk": child_floor_walk, "floor-query": child_floor_query,
              "cold": child_cold}
        out = (child_latency(folder, int(args.child[2])) if mode == "latency"
               else fn[mode](folder))
        sys.stdout.write(json.dumps(out) + "\n")
        return 0
    only = set(args.only.split(","))
    results = [run_size(int(n), only, args.drops, args.idle) for n in args.sizes.split(",")]
    text = report(results)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "scale.json").write_text(json.dumps(
        {"when": datetime.now().astimezone().isoformat(timespec="seconds"),
         "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                  text=True, cwd=REPO, check=False).stdout.strip(),
         "results": results}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
