"""Kiosk soak: weeks of a wall screen compressed into minutes. Not a test; figures go to
docs/benchmarks.md ("Kiosk soak").

  rotate    the headless kiosk (run_test, 160x48, real engine on a temp copy of the sample)
            warmed up (2,400 refreshes), then through >= 5,000 more rotations and >= 2,000
            more data refreshes. The refreshes are real: a
            Parquet file is written (temp name + rename) and the app's refresh runs; every
            fifth one is a corrupt file. A FixedClock is stepped one dwell per tick and the
            kiosk's one-second tick is called, so rotations, interruptions, office hours
            (the nights are crossed too, five minutes a tick) and the burn-in walk all run
            exactly as on the wall, only faster. Checked after a warm-up: RSS growth < 10%,
            no growth in widgets on screen or in open files, no crash.
  idle      CPU (% of one core) and RSS of the real `thidua kiosk` under tmux, rotating at
            the normal 15 s dwell with the countdown ticking; and of the headless app in
            process over the same time.

    python bench/kiosk_soak.py [--rotations 5000] [--refreshes 2000] [--idle 60]
    python bench/kiosk_soak.py --only idle

Writes bench/out/kiosk_soak.json (or --out) and prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.app import AppOptions  # noqa: E402
from dashboard.clock import FixedClock  # noqa: E402
from dashboard.contract import PROGRESS_SCHEMA  # noqa: E402
from dashboard.frontends import create_app  # noqa: E402
from dashboard.kiosk.kiosk_app import KioskApp  # noqa: E402
from dashboard.kiosk.logbook import close_log  # noqa: E402
from dashboard.kiosk.running_clock import RunningClock  # noqa: E402
from dashboard.kiosk.settings import kiosk_settings  # noqa: E402
from dashboard.source import EngineSource  # noqa: E402

OUT = ROOT / "bench" / "out"
SAMPLE = ROOT / "data"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2020, 6, 1, 7, 0, tzinfo=VN)  # a Monday morning
SIZE = (160, 48)
DWELL = 15.0
GOAL_RSS_GROWTH = 0.10
GOAL_IDLE_CPU_PCT = 2.0
WRITERS = [("KT04", "Phòng Tài chính – Kế hoạch"), ("AN07", "Công an thành phố"),
           ("VH02", "Trung tâm Y tế thành phố"), ("CC01", "Văn phòng HĐND và UBND thành phố"),
           ("KT02", "UBND xã Mai Pha")]


def copy_sample(dest: Path) -> Path:
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns("README.md"))
    return dest


def write_report(folder: Path, slot: int, target: str, reporter: str, at: datetime,
                 value: float) -> None:
    """A unit's file, written as units should (temp name, rename). Ten names are reused, so
    the data folder stays the size of a real one while its files keep changing."""
    table = pa.table({"target_id": [target], "reporter": [reporter],
                      "reported_at": [at.replace(tzinfo=None)], "value": [value], "note": [None]},
                     schema=PROGRESS_SCHEMA)
    tmp = folder / "progress" / f".soak-{slot}.tmp"
    pq.write_table(table, tmp)
    tmp.rename(folder / "progress" / f"soak-{slot}.parquet")


def write_corrupt(folder: Path, slot: int) -> None:
    tmp = folder / "progress" / f".soak-bad-{slot}.tmp"
    tmp.write_bytes(b"PAR1 not really parquet " + uuid.uuid4().bytes)
    tmp.rename(folder / "progress" / f"soak-bad-{slot}.parquet")


async def bounded(what: str, awaitable: Any, seconds: float = 60.0) -> None:
    """Await, but a stall is a failure with every task's stack printed, never a hang."""
    try:
        await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        for task in asyncio.all_tasks():
            task.print_stack(file=sys.stderr)
        raise RuntimeError(f"the kiosk stalled for {seconds:g} s in {what}") from None


async def _watch_progress(progress: list[float], limit: float = 60.0) -> None:
    """Print every task's stack when the soak has not moved for `limit` seconds."""
    while True:
        await asyncio.sleep(5)
        if time.monotonic() - progress[0] > limit:
            print(f"  no progress for {limit:g} s; the tasks:", file=sys.stderr)
            for task in asyncio.all_tasks():
                task.print_stack(file=sys.stderr)
            progress[0] = time.monotonic()


def sample_process(proc: psutil.Process) -> dict[str, float]:
    return {"rss_mb": proc.memory_info().rss / 2**20, "fds": proc.num_fds(),
            "open_files": len(proc.open_files()), "threads": proc.num_threads()}


# -- rotate ------------------------------------------------------------------------------

async def rotate(rotations: int, refreshes: int, warmup: int) -> dict[str, Any]:
    """`warmup` refreshes first (with their rotations), then the measured run: `rotations`
    rotations and `refreshes` refreshes more. The warm-up must fill the bounded caches below
    the kiosk — the engine keeps up to 1,024 computed instants and DuckDB its buffers — or
    their filling would pass for a leak."""
    work = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    os.environ["XDG_STATE_HOME"] = str(work / "state")
    folder = copy_sample(work / "data")
    source = EngineSource(folder, grace_seconds=0.0)
    clock = FixedClock(START)
    settings = kiosk_settings(source.campaign, dwell_seconds=DWELL, highlight_seconds=8.0,
                              office_hours="07:00-18:00", burn_in_minutes=3.0)
    app = create_app(source, clock=clock, options=AppOptions(
        watch=False, rescan_seconds=3600, live_requery_seconds=3600), kiosk=settings)
    assert isinstance(app, KioskApp)
    me = psutil.Process()
    ticks = refreshed = corrupt = nights = 0
    samples: list[dict[str, Any]] = []
    every = max(1, rotations // refreshes) if refreshes else rotations + 1
    started = time.perf_counter()
    warm: dict[str, Any] | None = None
    progress = [time.monotonic()]
    watchdog = asyncio.create_task(_watch_progress(progress))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.kiosk_screen
        was_night = False

        def sample() -> dict[str, Any]:
            gc.collect()
            return {"ticks": ticks, "rotations": screen.rotation.changes,
                    "refreshes": refreshed, "widgets": len(list(app.screen.walk_children())),
                    "python_objects": len(gc.get_objects()),
                    "duckdb_mb": round(source.engine.duckdb_memory_bytes() / 2**20, 1),
                    "seconds": round(time.perf_counter() - started, 1), **sample_process(me)}

        while True:
            if warm is None and refreshed >= warmup:
                warm = sample()
            if warm is not None and (screen.rotation.changes - warm["rotations"] >= rotations
                                     and refreshed - warm["refreshes"] >= refreshes):
                break
            # a dwell by day; five minutes a tick through the night (the burn-in walk moves)
            clock.advance(timedelta(seconds=DWELL if not screen.night else 300))
            app.tick()
            ticks += 1
            if screen.night and not was_night:
                nights += 1
            was_night = screen.night
            if ticks % every == 0:
                now = clock.now()
                if refreshed % 5 == 4:
                    write_corrupt(folder, refreshed % 3)
                    corrupt += 1
                else:
                    target, reporter = WRITERS[refreshed % len(WRITERS)]
                    write_report(folder, refreshed % 10, target, reporter,
                                 now - timedelta(minutes=5), float(refreshed % 97))
                app.request_refresh(requery=True)
                await bounded("a refresh", app.workers.wait_for_complete())
                refreshed += 1
            await bounded("a repaint", pilot.pause())
            progress[0] = time.monotonic()
            if not app.is_running:
                raise RuntimeError("the kiosk stopped")
            if ticks % 1000 == 0:
                print(f"  {ticks} ticks, {screen.rotation.changes} rotations, {refreshed} "
                      f"refreshes, {time.perf_counter() - started:.0f} s", file=sys.stderr)
            if ticks % 250 == 0:
                samples.append(sample())
        final = sample()
        error = app.snapshot.error if app.snapshot else "no snapshot"
        skipped = len(app.snapshot.files.skipped) if app.snapshot else 0
        print("  shutting down", file=sys.stderr)
    print("  shut down", file=sys.stderr)
    watchdog.cancel()
    source.close()
    close_log()
    log = (work / "state" / "thidua" / "kiosk.log").read_text(encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    assert warm is not None
    growth = (final["rss_mb"] - warm["rss_mb"]) / warm["rss_mb"]
    lines = log.splitlines()
    contained = sorted({lines[i - 1] for i, ln in enumerate(lines)
                        if ln.startswith("Traceback") and i > 0}
                       | {ln for ln in lines if ln and not ln[0].isdigit()
                          and not ln.startswith((" ", "Traceback"))})
    return {
        "rotations": final["rotations"] - warm["rotations"],
        "refreshes": final["refreshes"] - warm["refreshes"],
        "warmup_refreshes": warm["refreshes"], "warmup_rotations": warm["rotations"],
        "corrupt_files": corrupt, "ticks": ticks, "nights": nights,
        "seconds": final["seconds"], "still_running": True, "last_error": error,
        "skipped_files_at_end": skipped, "log_tracebacks": log.count("Traceback"),
        "contained_errors": contained,
        "warm": warm, "final": final, "samples": samples,
        "rss_growth_after_warmup": round(growth, 4),
        "widgets_grew": final["widgets"] > warm["widgets"],
        "fds_grew": final["fds"] > warm["fds"],
        "open_files_grew": final["open_files"] > warm["open_files"],
        "ok": (growth < GOAL_RSS_GROWTH and not log.count("Traceback")
               and final["widgets"] <= warm["widgets"]
               and final["fds"] <= warm["fds"] and final["open_files"] <= warm["open_files"]),
    }


# -- idle --------------------------------------------------------------------------------

def idle_tmux(seconds: float) -> dict[str, Any] | None:
    if shutil.which("tmux") is None:
        return None
    work = Path(tempfile.mkdtemp(prefix="kiosk-idle-"))
    folder = copy_sample(work / "data")
    sock, name = f"kiosk-soak-{uuid.uuid4().hex[:6]}", "kiosk"
    tmux = ["tmux", "-u", "-L", sock]
    cmd = (f"TERM=xterm-256color XDG_STATE_HOME={work / 'state'} {sys.executable} -m dashboard"
           f" kiosk --data {folder} --now 2020-07-15T10:00 --office-hours always")
    subprocess.run([*tmux, "new-session", "-d", "-s", name, "-x", str(SIZE[0]),
                    "-y", str(SIZE[1]), cmd], check=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", name],
                                    capture_output=True, text=True).stdout
            if "cập nhật lúc" in screen:
                break
            time.sleep(0.2)
        pane = int(subprocess.run([*tmux, "display", "-p", "-t", name, "#{pane_pid}"],
                                  capture_output=True, text=True).stdout)
        proc = psutil.Process(pane)
        kiosk = next((p for p in [proc, *proc.children(recursive=True)]
                      if "dashboard" in p.cmdline()), proc)
        time.sleep(5)  # past start-up
        cpu0, t0 = kiosk.cpu_times(), time.monotonic()
        first = subprocess.run([*tmux, "capture-pane", "-p", "-t", name],
                               capture_output=True, text=True).stdout
        time.sleep(seconds)
        cpu1, t1 = kiosk.cpu_times(), time.monotonic()
        last = subprocess.run([*tmux, "capture-pane", "-p", "-t", name],
                              capture_output=True, text=True).stdout
        used = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
        return {"seconds": round(t1 - t0, 1), "cpu_pct": round(100 * used / (t1 - t0), 2),
                "rss_mb": round(kiosk.memory_info().rss / 2**20, 1),
                "rotated": first.split("\n")[-3:] != last.split("\n")[-3:]}
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


async def idle_headless(seconds: float) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="kiosk-idle-"))
    os.environ["XDG_STATE_HOME"] = str(work / "state")
    folder = copy_sample(work / "data")
    source = EngineSource(folder)
    clock = RunningClock(datetime(2020, 7, 15, 10, 0, tzinfo=VN))
    app = create_app(source, clock=clock, options=AppOptions(), kiosk=kiosk_settings(
        source.campaign, dwell_seconds=DWELL, office_hours="always"))
    assert isinstance(app, KioskApp)
    progress = [time.monotonic() + seconds + 10]
    watchdog = asyncio.create_task(_watch_progress(progress))
    async with app.run_test(size=SIZE) as pilot:
        while app.snapshot is None:  # not wait_for_complete: the watcher's worker never ends
            await pilot.pause(0.1)
        await pilot.pause(5)
        before = app.kiosk_screen.rotation.changes
        t0, c0 = time.monotonic(), time.process_time()
        await asyncio.sleep(seconds)
        t1, c1 = time.monotonic(), time.process_time()
        rotated = app.kiosk_screen.rotation.changes - before
        progress[0] = time.monotonic()
        print("  idle: shutting down", file=sys.stderr)
    print("  idle: shut down", file=sys.stderr)
    watchdog.cancel()
    source.close()
    close_log()
    shutil.rmtree(work, ignore_errors=True)
    return {"seconds": round(t1 - t0, 1), "cpu_pct": round(100 * (c1 - c0) / (t1 - t0), 2),
            "rotations": rotated}


def report(out: dict[str, Any]) -> None:
    r = out.get("rotate")
    if r:
        w, f = r["warm"], r["final"]
        print(f"after {r['warmup_refreshes']} warm-up refreshes: rotations {r['rotations']}, "
              f"refreshes {r['refreshes']} ({r['corrupt_files']} corrupt files in all), "
              f"{r['nights']} nights, {r['seconds']} s, still running: {r['still_running']}")
        print(f"contained errors in the log: {r['contained_errors']}")
        print(f"RSS {w['rss_mb']:.1f} MB after warm-up → {f['rss_mb']:.1f} MB "
              f"({100 * r['rss_growth_after_warmup']:+.1f}%); widgets {w['widgets']} → "
              f"{f['widgets']}; fds {w['fds']} → {f['fds']}; open files {w['open_files']} → "
              f"{f['open_files']}; tracebacks in the log: {r['log_tracebacks']}")
        print(f"of which DuckDB {w['duckdb_mb']} → {f['duckdb_mb']} MB; Python objects "
              f"{w['python_objects']} → {f['python_objects']}")
    for key in ("idle_tmux", "idle_headless"):
        i = out.get(key)
        if i:
            print(f"{key}: {i}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rotations", type=int, default=5000)
    parser.add_argument("--refreshes", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=2400, help="refreshes before measuring")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle measure")
    parser.add_argument("--only", default="rotate,idle")
    parser.add_argument("--out", type=Path, default=OUT / "kiosk_soak.json")
    args = parser.parse_args()
    only = set(args.only.split(","))
    out: dict[str, Any] = {"python": sys.version.split()[0], "size": SIZE}
    if "rotate" in only:
        out["rotate"] = asyncio.run(rotate(args.rotations, args.refreshes, args.warmup))
    if "idle" in only:
        out["idle_tmux"] = idle_tmux(args.idle)
        out["idle_headless"] = asyncio.run(idle_headless(args.idle))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False,
                                                    default=str) + "\n", encoding="utf-8")
    report(out)
    ok = (out.get("rotate", {}).get("ok", True)
          and all((out.get(k) or {}).get("cpu_pct", 0) <= GOAL_IDLE_CPU_PCT
                  for k in ("idle_tmux", "idle_headless")))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
