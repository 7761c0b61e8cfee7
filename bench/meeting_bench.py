"""Meeting mode: how long followers take to follow the presenter (issue 13 item 3: ≤ 1 s).

The real `thidua serve-ssh` command (`--now 2020-07-15T10:00`, a copy of the bundled sample,
`--presenter-keys`), one presenter and N followers (asyncssh clients, 160x48 PTY, on
127.0.0.1, all in this process). The presenter starts a meeting, then goes a day back (`[`)
every 1.5 s, ten times; for each step, the time from the key leaving the presenter's client
to the new day ("23:59 14/7/2020" …) in each follower's byte stream. Each step is a day
no one has looked at yet, so it includes the engine's query for that day (once, shared).

    python bench/meeting_bench.py [--followers 1,10,30] [--steps 10]

Prints p50 / p95 / max per number of followers; writes bench/out/meeting.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncssh

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard.numbers_dates import day  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from ssh_bench import PAINTED, Client, open_client  # noqa: E402  (the same client)

OUT = REPO / "bench" / "out" / "meeting.json"
STEP_SECONDS = 1.5


async def wait_all(clients: list[Client], marker: bytes, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while any(marker not in c.seen for c in clients):
        if time.perf_counter() > deadline:
            missing = sum(marker not in c.seen for c in clients)
            raise RuntimeError(f"{missing} client(s) never showed {marker.decode()!r}")
        await asyncio.sleep(0.005)


def keys(root: Path) -> tuple[Path, Path]:
    paths = []
    for name, comment in (("viewer", "viewer"), ("presenter", "Chủ tịch")):
        key = asyncssh.generate_private_key("ssh-ed25519", comment=comment)
        key.write_private_key(root / name)
        (root / name).chmod(0o600)
        key.write_public_key(root / f"{name}.pub")
        paths.append(root / name)
    return paths[0], paths[1]


def start_server(root: Path, sessions: int) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "XDG_STATE_HOME": str(root / "state")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve-ssh", "--data", str(root / "data"),
         "--now", "2020-07-15T10:00", "--listen", "127.0.0.1:0",
         "--authorized-keys", str(root / "viewer.pub"),
         "--presenter-keys", str(root / "presenter.pub"),
         "--max-sessions", str(sessions), "--rate-limit", "10000"],
        stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"127\.0\.0\.1:(\d+) ", line)
    if not m:
        raise SystemExit(f"server did not start: {line}")
    return proc, int(m.group(1))


async def one_run(n: int, steps: int, root: Path) -> list[float]:
    data = root / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("README.md"))
    viewer, presenter_key = keys(root)
    proc, port = start_server(root, n + 5)
    clients: list[Client] = []
    presenter: Client | None = None
    try:
        presenter = await open_client(port, presenter_key)
        for _ in range(n):  # one by one: the first frames are bench/ssh_bench.py's business
            clients.append(await open_client(port, viewer))
            await wait_all(clients[-1:], PAINTED, 30)
        await wait_all([presenter], PAINTED, 30)
        banner = "người trình bày: Chủ tịch".encode()
        for c in clients:
            c.watch.append(banner)
        presenter.proc.stdin.write(b"m")
        await wait_all(clients, banner, 10)
        latencies: list[float] = []
        for k in range(1, steps + 1):
            marker = f"23:59 {day(date(2020, 7, 15) - timedelta(days=k), 'vi')}".encode()
            for c in clients:
                c.watch.append(marker)
            t0 = time.perf_counter()
            presenter.proc.stdin.write(b"[")
            await wait_all(clients, marker, 10)
            latencies += [c.seen[marker] - t0 for c in clients]
            await asyncio.sleep(STEP_SECONDS)
        return latencies
    finally:
        for c in [*clients, *([presenter] if presenter else [])]:
            await c.close()
        proc.terminate()
        proc.wait(10)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


async def main_async(args: argparse.Namespace) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for n in [int(x) for x in args.followers.split(",")]:
        with tempfile.TemporaryDirectory(prefix="thidua-meeting-bench-") as tmp:
            out[str(n)] = await one_run(n, args.steps, Path(tmp))
        v = out[str(n)]
        print(f"{n:3d} followers: p50 {pct(v, 50) * 1000:4.0f} ms · p95 "
              f"{pct(v, 95) * 1000:4.0f} ms · max {max(v) * 1000:4.0f} ms "
              f"({len(v)} follows)", flush=True)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--followers", default="1,10,30")
    p.add_argument("--steps", type=int, default=10)
    args = p.parse_args()
    out = asyncio.run(main_async(args))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
