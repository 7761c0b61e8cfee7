"""Helpers for the app tests: a copy of the sample campaign, a fixed clock, screen text."""

from __future__ import annotations

import html
import re
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
from textual.pilot import Pilot

from dashboard.app import AppOptions, ThiduaApp
from dashboard.clock import FixedClock
from dashboard.frontends import create_app
from dashboard.source import EngineSource

SAMPLE = Path(__file__).resolve().parents[1] / "data"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MID_CAMPAIGN = datetime(2020, 7, 15, 10, 0, tzinfo=VN)
FIXED_WALL = datetime(2020, 7, 15, 10, 0, 5, tzinfo=VN).timestamp()


def copy_sample(dest: Path) -> Path:
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns("README.md"))
    return dest


def make_app(folder: Path, *, at: datetime = MID_CAMPAIGN, lang: str = "vi",
             watch: bool = False, fixed_wall: bool = True, **options: object) -> ThiduaApp:
    wall = (lambda: FIXED_WALL) if fixed_wall else None
    source = EngineSource(folder, wall=wall) if wall else EngineSource(folder)
    return create_app(source, clock=FixedClock(at),
                      options=AppOptions(lang=lang, watch=watch, **options))  # type: ignore[arg-type]


def screen_text(app: ThiduaApp) -> str:
    """What the terminal shows, as plain text (from Textual's own SVG export)."""
    svg = app.export_screenshot()
    rows = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(rows)).replace("\xa0", " ")


def write_progress(folder: Path, name: str, rows: list[dict[str, object]]) -> Path:
    """A progress file written as units should: a hidden temp name, then a rename."""
    progress = folder / "progress"
    progress.mkdir(parents=True, exist_ok=True)
    table = pa.table({
        "target_id": pa.array([r["target_id"] for r in rows], pa.string()),
        "reporter": pa.array([r["reporter"] for r in rows], pa.string()),
        "reported_at": pa.array([r["reported_at"] for r in rows], pa.timestamp("us")),
        "value": pa.array([float(r["value"]) for r in rows], pa.float64()),  # type: ignore[arg-type]
    })
    tmp = progress / f".{name}.tmp"
    pq.write_table(table, tmp)
    final = progress / name
    tmp.rename(final)
    return final


async def wait_for(pilot: Pilot[int], condition: Callable[[], bool],
                   timeout: float = 5.0) -> bool:
    """Let the app run until condition() is true (real time; the watcher is real)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            await pilot.pause()  # and let the screen repaint what the state now says
            return True
        await pilot.pause(0.02)
    return condition()


