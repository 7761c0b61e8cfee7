"""Live refresh with the real watchfiles watcher: files dropped while the app runs."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from tests.app_support import VN, copy_sample, make_app, screen_text, wait_for, write_progress
from widgets.area_panel import AreaPanel

REPORT_AT = datetime(2020, 7, 15, 9, 0)  # before the app's clock (15/7 10:00)


def panel_text(app: object, area: str) -> str:
    panel = app.screen.query_one(f"#area-{area}", AreaPanel)  # type: ignore[attr-defined]
    return panel.shown_text()


async def test_a_renamed_in_file_reaches_the_screen(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    app = make_app(folder, watch=True, fixed_wall=False, rescan_seconds=60.0)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.pause(0.3)  # let the watcher start
        before = app.snapshot.target("KT01")  # type: ignore[union-attr]
        assert before is not None and before.value == 0
        write_progress(folder, "live-kt01.parquet", [
            {"target_id": "KT01", "reporter": "Phòng Kinh tế", "reported_at": REPORT_AT,
             "value": 2}])
        # the safety-net rescan is a minute away: only the watcher can bring this in time
        assert await wait_for(pilot, lambda: "2/2 sản phẩm" in panel_text(app, "economy"), 3.0)
        t = app.snapshot.target("KT01")  # type: ignore[union-attr]
        assert t is not None and t.status == "done"


async def test_a_corrupt_file_keeps_old_values_and_is_listed(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    app = make_app(folder, watch=True, fixed_wall=False, rescan_seconds=60.0)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.pause(0.3)
        shown = panel_text(app, "economy")
        values = {t.target_id: t.value for a in app.snapshot.areas for t in a.targets}  # type: ignore[union-attr]
        tmp = folder / "progress" / ".hong.tmp"
        tmp.write_bytes(b"PAR1 this is not really parquet")
        tmp.rename(folder / "progress" / "hong.parquet")
        # young and unreadable: pending first (it may still be being written)
        assert await wait_for(
            pilot, lambda: app.snapshot is not None
            and "progress/hong.parquet" in app.snapshot.files.pending, 3.0)
        assert panel_text(app, "economy") == shown
        after = {t.target_id: t.value for a in app.snapshot.areas for t in a.targets}  # type: ignore[union-attr]
        assert after == values
        assert "1 đang chờ" in screen_text(app)


async def test_updates_resume_after_the_folder_is_deleted_and_recreated(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    backup = tmp_path / "backup"
    shutil.copytree(folder, backup)
    app = make_app(folder, watch=True, fixed_wall=False, rescan_seconds=0.5)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.snapshot is not None)
        shutil.rmtree(folder)
        assert await wait_for(pilot, lambda: app.snapshot is not None
                              and app.snapshot.error is not None, 5.0)
        assert "SỐ LIỆU CŨ" in screen_text(app)
        # the last good figures stay on screen under the banner
        assert "16/19 tiêu chí" in panel_text(app, "economy")
        shutil.copytree(backup, folder)
        assert await wait_for(pilot, lambda: app.snapshot is not None
                              and app.snapshot.error is None, 5.0)
        write_progress(folder, "after-recreate.parquet", [
            {"target_id": "KT02", "reporter": "UBND xã Mai Pha", "reported_at": REPORT_AT,
             "value": 19}])
        assert await wait_for(pilot, lambda: "19/19 tiêu chí" in panel_text(app, "economy"),
                              5.0)


async def test_a_burst_of_files_is_coalesced(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    app = make_app(folder, watch=True, fixed_wall=False, rescan_seconds=60.0)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.pause(0.3)
        first = app.refresh_count
        for i in range(50):
            write_progress(folder, f"burst-{i:02d}.parquet", [
                {"target_id": "AN07", "reporter": "Công an thành phố",
                 "reported_at": datetime(2020, 7, 15, 8, 0, i), "value": 200 + i}])
        assert await wait_for(pilot, lambda: app.snapshot is not None
                              and app.snapshot.target("AN07").value == 249, 5.0)  # type: ignore[union-attr]
        await pilot.pause(0.3)
        # 50 files in a few ms: a handful of refreshes, not fifty
        assert app.refresh_count - first <= 5


async def test_engine_work_runs_off_the_ui_thread(tmp_path: Path) -> None:
    import threading

    folder = copy_sample(tmp_path / "d")
    app = make_app(folder)
    seen: list[str] = []
    source = app.source
    original = source.snapshot

    def spy(now: datetime):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return original(now)

    source.snapshot = spy  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.press("left_square_bracket")
        await app.workers.wait_for_complete()
    assert seen and threading.main_thread().name not in seen
    assert VN is not None


async def test_live_updates_go_on_beside_loops_and_names_that_are_not_utf8(
        tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    progress = folder / "progress"
    (progress / "self").symlink_to(".")
    (progress / "up").symlink_to("..")
    os.mkdir(os.fsencode(progress) + b"/\xfe-dir")  # the watcher itself cannot take this name
    app = make_app(folder, watch=True, fixed_wall=False, rescan_seconds=60.0)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: app.snapshot is not None)
        skipped = {s.file: s.reason for s in app.snapshot.files.skipped}  # type: ignore[union-attr]
        assert "symlink loop" in skipped["progress/self/"]
        assert "UTF-8" in skipped["progress/\\xfe-dir"]
        await pilot.pause(0.3)
        write_progress(folder, "live-kt01.parquet", [
            {"target_id": "KT01", "reporter": "Phòng Kinh tế", "reported_at": REPORT_AT,
             "value": 2}])
        assert await wait_for(pilot, lambda: "2/2 sản phẩm" in panel_text(app, "economy"), 3.0)
