"""What one data change costs a screen: the CPU an app spends showing a new snapshot, without
the engine (an SSH viewer receives snapshots ready-made, so this is its whole cost per change).

The snapshots are computed first, by a real engine over a copy of the bundled sample, one per
new progress file (each changes one target's value). Then a real app at 160x48 (run_test, so
the compositor renders every update but nothing is written to a terminal) is handed them one
by one, as the app's refresh worker would, and the CPU from handing one over until the screen
is idle again is recorded; then the 3 s highlight clearing, and a countdown tick, alone.

    python bench/redraw_bench.py [--changes 20] [--profile]

Prints ms of CPU per change (p50 / p95 / mean); --profile adds the top functions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.app import AppOptions  # noqa: E402
from dashboard.clock import FixedClock  # noqa: E402
from dashboard.contract import PROGRESS_SCHEMA  # noqa: E402
from dashboard.engine.model import Snapshot  # noqa: E402
from dashboard.frontends import create_app  # noqa: E402
from dashboard.messages import DataRefreshed  # noqa: E402
from dashboard.source import EngineSource  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2020, 7, 15, 10, 0, tzinfo=VN)
SIZE = (160, 48)


def snapshots(folder: Path, changes: int) -> tuple[EngineSource, list[Snapshot]]:
    source = EngineSource(folder, grace_seconds=0.0)
    source.refresh()
    targets = [t for t in source.engine.targets if t.aggregate == "latest"]
    out = [source.snapshot(NOW)]
    for i in range(changes):
        t = targets[i % len(targets)]
        table = pa.table({"target_id": [t.target_id], "reporter": ["Bench"],
                          "reported_at": [datetime(2020, 7, 15, 9, 0) + timedelta(seconds=i)],
                          "value": [1000.5 + i], "note": [None]}, schema=PROGRESS_SCHEMA)
        pq.write_table(table, folder / "progress" / f"redraw-{i:03d}.parquet")
        source.refresh()
        out.append(source.snapshot(NOW))
    return source, out


async def measure(source: EngineSource, snaps: list[Snapshot], profile: cProfile.Profile | None
                  ) -> dict[str, Any]:
    app = create_app(source, clock=FixedClock(NOW), options=AppOptions(
        watch=False, rescan_seconds=3600, live_requery_seconds=3600))
    change: list[float] = []
    clearing: list[float] = []
    tick: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        while app.snapshot is None:
            await pilot.pause(0.05)
        await pilot.pause(4)  # the first snapshot's highlight clears

        async def settle() -> None:
            await pilot.pause()
            await app.animator.wait_until_complete()
            await pilot.pause()

        async def cpu_of(action: Any) -> float:
            if profile:
                profile.enable()
            c0 = time.process_time()
            action()
            await settle()
            used = time.process_time() - c0
            if profile:
                profile.disable()
            return used * 1000

        for snap in snaps[1:]:
            change.append(await cpu_of(lambda s=snap: app.post_message(DataRefreshed(s, 0.0))))
            c0 = time.process_time()
            await asyncio.sleep(3.2)  # the highlight is cleared by a timer at 3 s
            await settle()
            clearing.append((time.process_time() - c0) * 1000)
            tick.append(await cpu_of(lambda: app.dashboard.tick(NOW + timedelta(seconds=7))))
    return {"change": change, "clearing": clearing, "tick": tick}


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (f"{name}: p50 {statistics.median(values):.1f} / p95 {p95:.1f} / "
            f"mean {statistics.fmean(values):.1f} ms CPU ({len(values)} samples)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="redraw-bench-"))
    try:
        shutil.copytree(ROOT / "data", work / "changing")
        shutil.copytree(ROOT / "data", work / "shown")
        changing, snaps = snapshots(work / "changing", args.changes)
        changing.close()
        shown = EngineSource(work / "shown")  # the app starts where the changes start
        profile = cProfile.Profile() if args.profile else None
        out = asyncio.run(measure(shown, snaps, profile))
        shown.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(summary("new snapshot → screen idle", out["change"]))
    print(summary("the 3.2 s after it (the highlight cleared, idle)", out["clearing"]))
    print(summary("countdown tick", out["tick"]))
    if profile:
        buf = io.StringIO()
        pstats.Stats(profile, stream=buf).sort_stats("cumulative").print_stats(40)
        print(buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
