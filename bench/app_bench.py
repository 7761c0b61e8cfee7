"""App benchmarks against the issue's goals.

  startup   process start to the first painted snapshot: app.run_test(headless, 160x48) in a
            fresh subprocess (split into interpreter, imports, engine, app), and the whole
            `thidua screenshot --now 2020-07-15T10:00` command; on the bundled sample and 1M rows
  latency   file rename to the AreaPanel rendering the new value, with the real watchfiles
            watcher (run_test, watch=True), --drops drops at 10k, 1M and 10M rows
  idle      CPU (% of one core) and RSS of the real `thidua --data ...` under tmux over 30 s,
            with a campaign whose dates include today so the countdown ticks each second
  peer      VisiData's time to first rows on the 1M history concatenated into one Parquet
            file, against thidua's complete first screen on the same file, both under tmux

    python bench/app_bench.py [--only startup,latency,idle,peer] [--drops 50] [--idle 30]
    python bench/app_bench.py --report bench/out/app.json   # print a saved run again

Prints tables; writes bench/out/app.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_history

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CHILD = HERE / "_app_child.py"
BIN = Path(sys.executable).parent
THIDUA = BIN / "thidua"
SAMPLE = gen_history.SAMPLE
NOW_ARG = "2020-07-15T10:00"
SIZE = (160, 48)
READY_TEXT = "Số liệu đến"
"""The status line's first words (vi): it is written together with the panels' data."""
TARGET_ID = re.compile(r"\b(AN|CC|KT|VH)\d\d\b")

GOAL_START_SAMPLE_S = 0.8
GOAL_START_1M_S = 1.2
GOAL_LATENCY_P95_S = 0.150
GOAL_IDLE_CPU_PCT = 2.0
GOAL_IDLE_RSS_MB = 200.0


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q)) if xs else float("nan")


def ms(x: float) -> float:
    return round(x * 1000, 1)


def child(*args: str, timeout: float = 300) -> tuple[float, dict[str, Any]]:
    spawned = time.perf_counter()
    proc = subprocess.run([sys.executable, str(CHILD), *args], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{proc.stderr[-4000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return spawned, out


# -- start-up --------------------------------------------------------------------------------

def startup(folder: Path, repeats: int) -> dict[str, Any]:
    runs: list[dict[str, float]] = []
    for _ in range(repeats):
        spawned, r = child("startup", str(folder))
        assert r["panels_painted"] == r["panels"], r
        runs.append({
            "total_s": r["t_paint"] - spawned,
            "interpreter_s": r["t_top"] - spawned,
            "imports_s": r["t_imports"] - r["t_top"],
            "engine_s": r["t_engine"] - r["t_imports"],
            "app_to_paint_s": r["t_paint"] - r["t_engine"],
            "first_refresh_s": r["first_refresh_s"],
        })
    shots: list[float] = []
    svg = gen_history.CACHE / "startup.svg"
    for _ in range(repeats):
        a = time.perf_counter()
        subprocess.run([str(THIDUA), "screenshot", "--data", str(folder), "--out", str(svg),
                        "--now", NOW_ARG, "--size", f"{SIZE[0]}x{SIZE[1]}"],
                       check=True, capture_output=True)
        shots.append(time.perf_counter() - a)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    return {"folder": str(folder), "run_test": med, "run_test_all_s": [r["total_s"] for r in runs],
            "screenshot_median_s": statistics.median(shots), "screenshot_min_s": min(shots),
            "screenshot_all_s": shots}


# -- latency ---------------------------------------------------------------------------------

def latency(rows: int, files: int, drops: int) -> dict[str, Any]:
    work = gen_history.work_copy(gen_history.cached(rows, files), f"app-{rows}-{files}")
    try:
        _, r = child("latency", str(work), str(drops), timeout=420)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    samples = r["samples"]
    screen = [s["render_s"] if s["render_s"] is not None else s["forced_paint_s"]
              for s in samples]
    seen = [x for x in screen if x is not None]

    def col(key: str) -> list[float]:
        return [s[key] for s in samples if s[key] is not None]

    return {"rows": rows, "files": files, "drops": drops, "missed": drops - len(seen),
            "p50_s": pct(seen, 50), "p95_s": pct(seen, 95), "max_s": max(seen, default=None),
            "snapshot_p50_s": pct(col("snapshot_s"), 50),
            "data_p50_s": pct(col("data_s"), 50),
            "engine_p50_s": pct(col("engine_s"), 50),
            "forced_paints": sum(1 for s in samples if s["render_s"] is None),
            "samples": samples}


# -- tmux ------------------------------------------------------------------------------------

class Tmux:
    """A private tmux server (its own socket) for running programs in a real terminal."""

    def __init__(self) -> None:
        self.socket = f"thidua-bench-{os.getpid()}"
        self.env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}

    def _tmux(self, *args: str) -> str:
        proc = subprocess.run(["tmux", "-u", "-L", self.socket, *args], capture_output=True,
                              text=True, env=self.env, check=False)
        return proc.stdout

    def start(self, name: str, command: str) -> float:
        """Start `command` in a 160x48 window; return the perf_counter just before."""
        started = time.perf_counter()
        subprocess.run(["tmux", "-u", "-L", self.socket, "new-session", "-d", "-s", name,
                        "-x", str(SIZE[0]), "-y", str(SIZE[1]), f"exec {command}"],
                       check=True, env=self.env)
        return started

    def pid(self, name: str) -> int:
        return int(self._tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip())

    def screen(self, name: str) -> str:
        return self._tmux("capture-pane", "-p", "-t", name)

    def wait_for(self, name: str, ready: Callable[[str], bool], timeout: float) -> float | None:
        """perf_counter when ready(screen) first held, polling every 5 ms; None on timeout."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if ready(self.screen(name)):
                return time.perf_counter()
            time.sleep(0.005)
        return None

    def kill(self, name: str) -> float | None:
        """End the session and wait until its program has exited; return how long it took."""
        try:
            proc = psutil.Process(self.pid(name))
        except (ValueError, psutil.Error):
            proc = None
        started = time.perf_counter()
        self._tmux("kill-session", "-t", name)
        if proc is None:
            return None
        try:
            proc.wait(10)
        except psutil.TimeoutExpired:
            proc.kill()  # the program we started in this session, by its pid
            proc.wait(5)
        except psutil.Error:
            pass
        return time.perf_counter() - started

    def close(self) -> None:
        self._tmux("kill-server")


def live_folder(src: Path, name: str) -> Path:
    """A hard-linked copy of src whose campaign runs from 70 days ago to 70 days ahead."""
    dst = gen_history.work_copy(src, name)
    toml = dst / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    today = date.today()
    text = re.sub(r"(?m)^start = .*$", f"start = {today - timedelta(days=70)}", text)
    text = re.sub(r"(?m)^end = .*$", f"end = {today + timedelta(days=70)}", text)
    text = re.sub(r"(?m)^holidays = .*$", "holidays = []", text)
    toml.unlink()  # a hard link: do not write through to the cached copy
    toml.write_text(text, encoding="utf-8")
    return dst


def idle(tmux: Tmux, src: Path, label: str, seconds: float) -> dict[str, Any]:
    folder = live_folder(src, f"idle-{label}")
    name = f"idle-{label}"
    try:
        tmux.start(name, f"{THIDUA} --data {folder}")
        ready = tmux.wait_for(name, lambda s: READY_TEXT in s, 120)
        if ready is None:
            raise RuntimeError(f"thidua did not show data:\n{tmux.screen(name)}")
        proc = psutil.Process(tmux.pid(name))
        time.sleep(5.0)  # start-up work (first refresh, imports of lazy modules) settles
        before = tmux.screen(name)
        c0 = proc.cpu_times()
        t0 = time.perf_counter()
        time.sleep(seconds)
        c1 = proc.cpu_times()
        elapsed = time.perf_counter() - t0
        after = tmux.screen(name)
        rss = proc.memory_info().rss / 2**20
        hwm = _vm_hwm_mb(proc.pid)
        cpu = (c1.user - c0.user) + (c1.system - c0.system)
        return {"label": label, "folder": str(folder), "cmdline": " ".join(proc.cmdline()),
                "seconds": elapsed, "cpu_s": cpu, "cpu_pct": 100 * cpu / elapsed,
                "rss_mb": rss, "peak_rss_mb": hwm, "screen_changed": before != after,
                "threads": proc.num_threads()}
    finally:
        tmux.kill(name)
        shutil.rmtree(folder, ignore_errors=True)


def _vm_hwm_mb(pid: int) -> float | None:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


# -- peer ------------------------------------------------------------------------------------

def visidata_bin() -> Path | None:
    vd = BIN / "vd"
    return vd if vd.exists() else None


def first_screen(tmux: Tmux, name: str, command: str, ready: Callable[[str], bool],
                 repeats: int) -> dict[str, Any]:
    times: list[float] = []
    exits: list[float | None] = []
    last = ""
    for i in range(repeats):
        started = tmux.start(f"{name}-{i}", command)
        at = tmux.wait_for(f"{name}-{i}", ready, 60)
        last = tmux.screen(f"{name}-{i}")
        exits.append(tmux.kill(f"{name}-{i}"))
        if at is not None:
            times.append(at - started)
        time.sleep(0.3)
    return {"command": command, "median_s": statistics.median(times) if times else None,
            "all_s": times, "failed": repeats - len(times), "exit_s": exits,
            "last_screen": last}


def peer(tmux: Tmux, repeats: int) -> dict[str, Any]:
    onefile = gen_history.concatenated(1_000_000, 100)
    parquet = onefile / "progress" / "all.parquet"
    ours = f"{THIDUA} --data {onefile} --now {NOW_ARG}"
    out: dict[str, Any] = {
        "file": str(parquet),
        "thidua_onefile": first_screen(tmux, "ours1", ours, lambda s: READY_TEXT in s, repeats),
        "thidua_100files": first_screen(
            tmux, "ours100", f"{THIDUA} --data {gen_history.cached(1_000_000, 100)} "
            f"--now {NOW_ARG}", lambda s: READY_TEXT in s, repeats),
    }
    vd = visidata_bin()
    if vd is None:
        out["visidata"] = {"error": f"VisiData is not installed in {BIN} (pip install visidata)"}
        return out
    version = subprocess.run([str(vd), "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()

    def rows_visible(screen: str) -> bool:
        return sum(1 for line in screen.splitlines() if TARGET_ID.search(line)) >= 10

    out["visidata"] = {"version": version, **first_screen(
        tmux, "vd", f"{vd} -N -f parquet {parquet}", rows_visible, repeats)}
    return out


# -- report ----------------------------------------------------------------------------------

def report(res: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    lines: list[str] = []
    goals: list[dict[str, Any]] = []
    if "startup" in res:
        lines += ["### Start-up to the first complete screen (median of the repeats)", "",
                  "| data | run_test total s | interpreter | imports | engine load | "
                  "app to paint | `thidua screenshot` s (median / min) |",
                  "|---|---|---|---|---|---|---|"]
        for label, goal in (("sample", GOAL_START_SAMPLE_S), ("1M", GOAL_START_1M_S)):
            s = res["startup"].get(label)
            if not s:
                continue
            r = s["run_test"]
            lines.append(f"| {label} | {r['total_s']:.3f} | {r['interpreter_s']:.3f} | "
                         f"{r['imports_s']:.3f} | {r['engine_s']:.3f} | "
                         f"{r['app_to_paint_s']:.3f} | {s['screenshot_median_s']:.3f} / "
                         f"{s['screenshot_min_s']:.3f} |")
            goals.append({"goal": f"start-up on {label} ≤ {goal} s (run_test, to first paint)",
                          "measured": f"{r['total_s']:.2f} s", "met": r["total_s"] <= goal})
            goals.append({"goal": f"start-up on {label} ≤ {goal} s (whole screenshot command)",
                          "measured": f"{s['screenshot_median_s']:.2f} s",
                          "met": s["screenshot_median_s"] <= goal})
        lines.append("")
    if "latency" in res:
        lines += ["### File rename to screen", "",
                  "| rows | drops | p50 ms | p95 ms | max ms | snapshot in app p50 ms | "
                  "engine refresh+snapshot p50 ms | missed |", "|---|---|---|---|---|---|---|---|"]
        for r in res["latency"]:
            lines.append(f"| {r['rows']:,} | {r['drops']} | {ms(r['p50_s'])} | "
                         f"{ms(r['p95_s'])} | {ms(r['max_s'] or float('nan'))} | "
                         f"{ms(r['snapshot_p50_s'])} | {ms(r['engine_p50_s'])} | "
                         f"{r['missed']} |")
            goals.append({"goal": f"rename-to-screen p95 at {r['rows']:,} rows ≤ 150 ms",
                          "measured": f"{ms(r['p95_s'])} ms",
                          "met": r["missed"] == 0 and r["p95_s"] <= GOAL_LATENCY_P95_S})
        lines.append("")
    if "idle" in res:
        lines += ["### Idle (real terminal, live countdown)", "",
                  "| data | CPU % of one core | RSS MB | peak RSS MB | screen ticked |",
                  "|---|---|---|---|---|"]
        for r in res["idle"]:
            lines.append(f"| {r['label']} | {r['cpu_pct']:.2f} | {r['rss_mb']:.0f} | "
                         f"{r['peak_rss_mb']:.0f} | {r['screen_changed']} |")
            goals.append({"goal": f"idle CPU at {r['label']} ≤ 2%",
                          "measured": f"{r['cpu_pct']:.2f}%",
                          "met": r["cpu_pct"] <= GOAL_IDLE_CPU_PCT})
            if r["label"] == "10M":
                goals.append({"goal": "RSS at 10M ≤ 200 MB",
                              "measured": f"{r['rss_mb']:.0f} MB (peak {r['peak_rss_mb']:.0f})",
                              "met": r["rss_mb"] <= GOAL_IDLE_RSS_MB})
        lines.append("")
    if "peer" in res:
        p = res["peer"]
        lines += ["### Peer: first screen under tmux, 1M rows", "",
                  "| program | median s | runs |", "|---|---|---|"]
        for key, label in (("thidua_onefile", "thidua, complete screen (1 file)"),
                           ("thidua_100files", "thidua, complete screen (100 files)"),
                           ("visidata", "VisiData, first rows (1 file)")):
            r = p.get(key, {})
            if "error" in r:
                lines.append(f"| {label} | {r['error']} | |")
            elif r:
                med = r["median_s"]
                lines.append(f"| {label} {r.get('version', '')} | "
                             f"{'failed' if med is None else f'{med:.3f}'} | "
                             f"{', '.join(f'{x:.3f}' for x in r['all_s'])} |")
        lines.append("")
    return "\n".join(lines), goals


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--only", default="startup,latency,idle,peer")
    p.add_argument("--drops", type=int, default=50)
    p.add_argument("--idle", type=float, default=30.0, help="seconds of idle measurement")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--sizes", default=",".join(f"{r}:{f}" for r, f in gen_history.SIZES))
    p.add_argument("--report", type=Path, metavar="APP_JSON",
                   help="only print the tables of a saved bench/out/app.json again")
    args = p.parse_args()
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        text, goals = report(saved["results"])
        print(text)
        for g in goals:
            print(f"- {g['goal']}: {g['measured']} — {'met' if g['met'] else 'NOT met'}")
        return 0
    only = set(args.only.split(","))
    sizes = [tuple(int(x) for x in s.split(":")) for s in args.sizes.split(",")]
    started = time.perf_counter()
    for rows, files in sizes:
        gen_history.cached(rows, files)
    res: dict[str, Any] = {}
    if "startup" in only:
        res["startup"] = {"sample": startup(SAMPLE, args.repeats),
                          "1M": startup(gen_history.cached(1_000_000, 100), args.repeats)}
        print("startup done", file=sys.stderr)
    if "latency" in only:
        res["latency"] = [latency(rows, files, args.drops) for rows, files in sizes]
        print("latency done", file=sys.stderr)
    tmux = Tmux()
    try:
        if "idle" in only:
            res["idle"] = [idle(tmux, SAMPLE, "sample", args.idle),
                           idle(tmux, gen_history.cached(10_000_000, 1000), "10M", args.idle)]
            print("idle done", file=sys.stderr)
        if "peer" in only:
            res["peer"] = peer(tmux, 3)
            print("peer done", file=sys.stderr)
    finally:
        tmux.close()
    text, goals = report(res)
    print(text)
    for g in goals:
        print(f"- {g['goal']}: {g['measured']} — {'met' if g['met'] else 'NOT met'}")
    OUT.mkdir(parents=True, exist_ok=True)
    total = time.perf_counter() - started
    (OUT / "app.json").write_text(json.dumps(
        {"when": datetime.now().astimezone().isoformat(timespec="seconds"), "results": res,
         "goals": goals, "total_s": total}, indent=2, ensure_ascii=False))
    print(f"wrote {OUT / 'app.json'} ({total:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
