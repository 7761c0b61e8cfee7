"""The subprocess side of bench/app_bench.py; prints one JSON line.

    _app_child.py startup FOLDER        start-up to the first painted snapshot (run_test)
    _app_child.py latency FOLDER DROPS  file-rename-to-screen latency with the real watcher

Times are time.perf_counter() values (CLOCK_MONOTONIC, shared by all processes on Linux), so
the parent can measure from the moment it spawned this process.
"""

from __future__ import annotations

import time

T_TOP = time.perf_counter()

import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START_AT = datetime(2020, 7, 15, 10, 0, tzinfo=TZ)
"""As of for start-up: the same instant as `thidua screenshot --now 2020-07-15T10:00`."""
DROPS_AT = datetime(2020, 9, 30, 23, 59, 59, tzinfo=TZ)
"""As of for the drops: they are dated 30/9 from 20:00, after the generated history."""
SIZE = (160, 48)


def startup(folder: Path) -> dict[str, Any]:
    import dashboard.cli  # noqa: F401  (what `thidua` imports: the engine and DuckDB)
    from dashboard.clock import FixedClock
    from dashboard.frontends import create_app
    from dashboard.source import EngineSource
    from widgets.area_panel import AreaPanel

    t_imports = time.perf_counter()
    painted: dict[str, float] = {}
    draw = AreaPanel.line_text

    def spy(self: AreaPanel, y: int, width: int) -> Any:  # each panel's first line with data
        out = draw(self, y, width)
        if self.data is not None and self.id and self.id not in painted:
            painted[self.id] = time.perf_counter()
        return out

    AreaPanel.line_text = spy  # type: ignore[method-assign]
    source = EngineSource(folder)
    source.refresh()  # as the CLI does before it builds the app
    t_engine = time.perf_counter()
    app = create_app(source, clock=FixedClock(START_AT))
    result: dict[str, Any] = {}

    async def run() -> None:
        async with app.run_test(headless=True, size=SIZE):
            t_mounted = time.perf_counter()
            panels = len(app.dashboard.query(AreaPanel))
            while app.refresh_count < 1 or len(painted) < panels:
                await asyncio.sleep(0.002)
            result.update(t_mounted=t_mounted, t_paint=max(painted.values()), panels=panels,
                          panels_painted=len(painted), first_refresh_s=app.last_refresh_seconds)

    asyncio.run(run())
    source.close()
    return {"t_top": T_TOP, "t_imports": t_imports, "t_engine": t_engine, **result}


def latency(folder: Path, drops: int) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dashboard import numbers_dates
    from dashboard.app import AppOptions
    from dashboard.clock import FixedClock
    from dashboard.contract import PROGRESS_SCHEMA
    from dashboard.frontends import create_app
    from dashboard.source import EngineSource
    from widgets.area_panel import AreaPanel

    source = EngineSource(folder)
    source.refresh()
    targets = [t for t in source.engine.targets if t.aggregate == "latest"]
    area_of = {t.target_id: t.area for t in targets}
    app = create_app(source, clock=FixedClock(DROPS_AT), options=AppOptions(watch=True))
    drop_dir = folder / "progress" / "2020-W40-drops"
    drop_dir.mkdir(parents=True, exist_ok=True)
    watch: dict[str, Any] = {"target": None, "prefix": None, "t_render": None}
    draw = AreaPanel.line_text

    def spy(self: AreaPanel, y: int, width: int) -> Any:  # a line drawn: the changed one?
        out = draw(self, y, width)
        tid, prefix = watch["target"], watch["prefix"]
        if tid and watch["t_render"] is None and self.data is not None:
            row = next((r for r in self.data.rows if r.key == tid), None)
            if row is not None and row.value_text.startswith(prefix) and prefix in out.plain:
                watch["t_render"] = time.perf_counter()
        return out

    AreaPanel.line_text = spy  # type: ignore[method-assign]
    samples: list[dict[str, Any]] = []

    async def run() -> None:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            while app.refresh_count < 1:
                await asyncio.sleep(0.01)
            await pilot.pause(0.5)  # the new folder's event and its refresh settle
            for i in range(drops):
                target = targets[i % len(targets)]
                tid = target.target_id
                value = 1000.5 + i
                prefix = numbers_dates.number(value, "vi") + "/"
                table = pa.table({
                    "target_id": [tid], "reporter": ["Bench reporter"],
                    "reported_at": [datetime(2020, 9, 30, 20, 0) + timedelta(minutes=i)],
                    "value": [value], "note": [f"drop {i}"]}, schema=PROGRESS_SCHEMA)
                tmp = drop_dir / f".drop-{i:03d}.parquet"
                pq.write_table(table, tmp)
                watch.update(target=tid, prefix=prefix, t_render=None)
                panel = app.dashboard.query_one(f"#area-{area_of[tid]}", AreaPanel)
                t_snap = t_data = t_paint = None
                refreshes = app.refresh_count
                t0 = time.perf_counter()
                os.replace(tmp, drop_dir / f"drop-{i:03d}.parquet")
                while time.perf_counter() - t0 < 10.0:
                    await asyncio.sleep(0.002)
                    now = time.perf_counter()
                    if t_snap is None and app.snapshot is not None:
                        st = app.snapshot.target(tid)
                        if st is not None and st.value == value:
                            t_snap = now
                    if t_data is None and panel.data is not None:
                        row = next((r for r in panel.data.rows if r.key == tid), None)
                        if row is not None and row.value_text.startswith(prefix):
                            t_data = now
                    if t_data is not None and watch["t_render"] is not None:
                        break
                    if t_data is not None and now - t_data > 0.1:
                        await pilot.pause()  # no paint on its own within 100 ms: force one
                        t_paint = time.perf_counter()
                        break
                samples.append({
                    "i": i, "target": tid,
                    "snapshot_s": None if t_snap is None else t_snap - t0,
                    "data_s": None if t_data is None else t_data - t0,
                    "render_s": None if watch["t_render"] is None else watch["t_render"] - t0,
                    "forced_paint_s": None if t_paint is None else t_paint - t0,
                    "refreshes": app.refresh_count - refreshes,
                    "engine_s": app.last_refresh_seconds,
                })
                watch.update(target=None)
                await asyncio.sleep(0.05 + (i % 5) * 0.01)

    asyncio.run(run())
    source.close()
    return {"samples": samples}


def main(argv: list[str]) -> int:
    mode, folder = argv[0], Path(argv[1])
    if mode == "startup":
        out = startup(folder)
    elif mode == "latency":
        out = latency(folder, int(argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
