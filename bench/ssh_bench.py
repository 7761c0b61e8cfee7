"""SSH viewer benchmarks against issue 5's goals, with the real `thidua serve-ssh` command.

For 1, 10 and 50 concurrent viewers (asyncssh clients with a 160x48 PTY on 127.0.0.1), on a
copy of the bundled sample with the clock fixed at 2020-07-15T10:00:

  first frame   connect → the whole dashboard painted (the leaderboard title received),
                each viewer; all of them connecting at once ("burst") and one every 0.25 s
  memory        RSS of the server and all its processes (fork server, viewers), summed; and
                PSS, the same memory with pages shared between processes counted once
  latency       rename of a new progress file → the new value in every viewer's stream;
                p50/p95/max across viewers and drops
  engine        refreshes, snapshots and DuckDB queries per data change (the server's log)

Goals: 50 viewers within 2 GB, first frame ≤ 2 s each, p95 ≤ 500 ms at 50 viewers, one
engine refresh per change whatever the number of viewers.

    python bench/ssh_bench.py [--viewers 1,10,50] [--drops 10]
    python bench/ssh_bench.py --report bench/out/ssh.json

Prints a table; writes bench/out/ssh.json. The screen is detected in the raw byte stream
(cheap enough for 50 clients in this process); tests/test_ssh_server.py reads real screens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncssh
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "ssh.json"
SIZE = (160, 48)
RAMP_SECONDS = 0.25
"""In the "ramp" runs a viewer connects every 0.25 s (people arriving at a meeting); in the
"burst" runs all connect at the same instant."""
PAINTED = "Bảng xếp hạng đơn vị".encode()
"""The leaderboard's title: the last panel of the first screen."""


@dataclass
class Run:
    viewers: int
    mode: str
    first_frame_s: list[float] = field(default_factory=list)
    rss_mb: float = 0.0
    pss_mb: float = 0.0
    uss_mb: float = 0.0
    processes: int = 0
    idle_cpu_pct: float = 0.0
    """CPU of the server and all viewers over 5 s with nothing happening (% of one core)."""
    cpu_per_change_ms: dict[str, float] = field(default_factory=dict)
    """CPU per data change: the server (engine, hub, SSH), all viewers, this client."""
    latency_s: list[float] = field(default_factory=list)
    changes: int = 0
    drops: int = 0
    queries_per_change: list[int] = field(default_factory=list)


class Client:
    def __init__(self, conn: asyncssh.SSHClientConnection,
                 proc: asyncssh.SSHClientProcess[bytes], opened: float) -> None:
        self.conn, self.proc, self.opened = conn, proc, opened
        self.tail = bytearray()
        self.seen: dict[bytes, float] = {}
        self.watch: list[bytes] = [PAINTED]
        self.task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        while data := await self.proc.stdout.read(1 << 16):
            now = time.perf_counter()
            self.tail = (self.tail + data)[-(1 << 17):]
            for marker in self.watch:
                if marker not in self.seen and marker in self.tail:
                    self.seen[marker] = now

    async def close(self) -> None:
        self.conn.close()
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, asyncssh.Error):
            await self.task


async def open_client(port: int, key: Path) -> Client:
    opened = time.perf_counter()
    conn = await asyncssh.connect("127.0.0.1", port, username="viewer", known_hosts=None,
                                  client_keys=[str(key)], agent_path=None)
    proc = await conn.create_process(term_type="xterm-256color", term_size=SIZE,
                                     encoding=None)
    return Client(conn, proc, opened)


def start_server(root: Path, max_sessions: int) -> tuple[subprocess.Popen[str], int, Path]:
    env = {**os.environ, "XDG_STATE_HOME": str(root / "state")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve-ssh", "--data", str(root / "data"),
         "--now", "2020-07-15T10:00", "--listen", "127.0.0.1:0", "--authorized-keys",
         str(root / "authorized_keys"), "--max-sessions", str(max_sessions),
         "--rate-limit", "10000"], stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"127\.0\.0\.1:(\d+) ", line)
    if not m:
        raise SystemExit(f"server did not start: {line}")
    return proc, int(m.group(1)), root / "state" / "thidua" / "ssh.log"


def memory(pid: int) -> tuple[float, float, float, int]:
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    rss = pss = uss = 0
    for p in procs:
        try:
            m = p.memory_full_info()
        except psutil.Error:
            continue
        rss, pss, uss = rss + m.rss, pss + m.pss, uss + m.uss
    mb = 1024 * 1024
    return rss / mb, pss / mb, uss / mb, len(procs)


def cpu_split(pid: int) -> dict[str, float]:
    server = psutil.Process(pid)
    out = {"server": sum(server.cpu_times()[:2]), "viewers": 0.0,
           "client": time.process_time()}
    for p in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            out["viewers"] += sum(p.cpu_times()[:2])
    return out


def idle_cpu(pid: int, seconds: float = 5.0) -> float:
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]

    def total() -> float:
        t = 0.0
        for p in procs:
            try:
                c = p.cpu_times()
            except psutil.Error:
                continue
            t += c.user + c.system
        return t

    before = total()
    time.sleep(seconds)
    return (total() - before) / seconds * 100


def drop(folder: Path, k: int) -> tuple[float, bytes]:
    value = 160 + k
    table = pa.table({
        "target_id": pa.array(["AN07"]), "reporter": pa.array(["Công an thành phố"]),
        "reported_at": pa.array([datetime(2020, 7, 15, 9, 0) + timedelta(seconds=k)],
                                pa.timestamp("us")),
        "value": pa.array([float(value)])})
    tmp = folder / "progress" / f".bench-{k}.parquet.tmp"
    pq.write_table(table, tmp)
    t0 = time.perf_counter()
    os.rename(tmp, folder / "progress" / f"bench-{k}.parquet")
    return t0, f"{value}/300 cuộc".encode()


async def wait_all(clients: list[Client], marker: bytes, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while any(marker not in c.seen for c in clients):
        if time.perf_counter() > deadline:
            missing = sum(marker not in c.seen for c in clients)
            raise RuntimeError(f"{missing} viewer(s) never showed {marker!r}")
        await asyncio.sleep(0.005)


async def one_run(n: int, mode: str, drops: int, root: Path, key: Path) -> Run:
    data = root / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("README.md"))
    proc, port, log = start_server(root, max(n, 1) + 5)
    run = Run(n, mode)
    clients: list[Client] = []
    try:
        if mode == "burst":
            clients = list(await asyncio.gather(*(open_client(port, key) for _ in range(n))))
        else:
            for _ in range(n):
                clients.append(await open_client(port, key))
                await asyncio.sleep(RAMP_SECONDS)
        await wait_all(clients, PAINTED, 120)
        run.first_frame_s = [c.seen[PAINTED] - c.opened for c in clients]
        await asyncio.sleep(3)  # settled: every viewer idle on its first screen
        run.rss_mb, run.pss_mb, run.uss_mb, run.processes = memory(proc.pid)
        run.idle_cpu_pct = await asyncio.to_thread(idle_cpu, proc.pid)
        lines_before = log.read_text().count("data changed:")
        cpu_before = cpu_split(proc.pid)
        for k in range(drops):
            marker = f"{160 + k}/300 cuộc".encode()
            for c in clients:
                c.watch.append(marker)
            t0, marker = drop(data, k)
            await wait_all(clients, marker, 30)
            run.latency_s += [c.seen[marker] - t0 for c in clients]
            await asyncio.sleep(1.0)
        cpu_after = cpu_split(proc.pid)
        run.cpu_per_change_ms = {k: (cpu_after[k] - cpu_before[k]) / max(drops, 1) * 1000
                                 for k in cpu_before}
        await asyncio.sleep(1.0)
        changed = [ln for ln in log.read_text().splitlines() if "data changed:" in ln]
        run.changes = len(changed) - lines_before
        run.drops = drops
        run.queries_per_change = [int(m.group(1)) for ln in changed[lines_before:]
                                  if (m := re.search(r"(\d+) engine queries", ln))]
    finally:
        for c in clients:
            await c.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return run


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def report(runs: list[dict[str, Any]]) -> None:
    print(f"{'viewers':>7} {'arrival':>8} {'first frame p50/p95/max (s)':>28} "
          f"{'RSS sum':>8} {'PSS':>7} {'procs':>5} {'drop→screen p50/p95/max (ms)':>29} "
          f"{'changes/drops':>13} {'queries/change':>14} {'idle CPU':>8}  CPU ms/change")
    for r in runs:
        ff, lat = r["first_frame_s"], [x * 1000 for x in r["latency_s"]]
        q = sorted(set(r["queries_per_change"]))
        print(f"{r['viewers']:>7} {r['mode']:>8} "
              f"{pct(ff, 50):>10.2f} {pct(ff, 95):>6.2f} {max(ff):>6.2f}    "
              f"{r['rss_mb']:>6.0f}MB {r['pss_mb']:>5.0f}MB {r['processes']:>5} "
              f"{pct(lat, 50):>11.0f} {pct(lat, 95):>6.0f} {max(lat) if lat else 0:>6.0f}    "
              f"{r['changes']:>7}/{r['drops']:<5} {','.join(map(str, q)):>14} "
              f"{r.get('idle_cpu_pct', 0):>7.0f}%  "
              + " ".join(f"{k} {v:.0f}" for k, v in r.get("cpu_per_change_ms", {}).items()))


async def main_async(args: argparse.Namespace) -> list[Run]:
    root = Path(tempfile.mkdtemp(prefix="thidua-ssh-bench-"))
    try:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        str(root / "key")], check=True)
        shutil.copy(root / "key.pub", root / "authorized_keys")
        runs = []
        for n in args.viewers:
            for mode in ("burst", "ramp") if n > 1 else ("burst",):
                runs.append(await one_run(n, mode, args.drops, root, root / "key"))
                report([asdict(runs[-1])])
        return runs
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--viewers", default="1,10,50",
                   type=lambda s: [int(x) for x in s.split(",")])
    p.add_argument("--drops", type=int, default=10)
    p.add_argument("--report", type=Path)
    args = p.parse_args()
    if args.report:
        report(json.loads(args.report.read_text())["runs"])
        return 0
    runs = asyncio.run(main_async(args))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"cpus": os.cpu_count(), "runs": [asdict(r) for r in runs]},
                              indent=1))
    print()
    report([asdict(r) for r in runs])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
