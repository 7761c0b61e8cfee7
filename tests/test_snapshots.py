"""Screen snapshots (pytest-textual-snapshot): fixed size, clock, wall time and language.

Review a failing snapshot's diff by eye (snapshot_report.html) before `--snapshot-update`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.app_support import VN, copy_sample, make_app


async def settle(pilot: Pilot[int]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_main_screen(snap_compare, tmp_path: Path, size: tuple[int, int], lang: str) -> None:  # type: ignore[no-untyped-def]
    app = make_app(copy_sample(tmp_path / "d"), lang=lang)
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_drill_down(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(copy_sample(tmp_path / "d"))

    async def open_target(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=open_target)


def test_ended_state(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(copy_sample(tmp_path / "d"), at=datetime(2026, 12, 1, 9, 0, tzinfo=VN))
    assert snap_compare(app, terminal_size=(160, 48), run_before=settle)


def test_large_tv_terminal(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(copy_sample(tmp_path / "d"))
    assert snap_compare(app, terminal_size=(240, 67), run_before=settle)
