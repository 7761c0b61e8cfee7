"""The kiosk as it runs on a wall: real Textual app (Pilot), real engine, real files, and a
FixedClock the tests step forward instead of waiting."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from dashboard.app import AppOptions
from dashboard.clock import FixedClock
from dashboard.frontends import create_app
from dashboard.kiosk.contained_views import ContainedAreaPanel, ContainedLeaderboard
from dashboard.kiosk.kiosk_app import KioskApp
from dashboard.kiosk.kiosk_presenters import LATE, LEADERBOARD
from dashboard.kiosk.kiosk_screen import KioskScreen
from dashboard.kiosk.logbook import close_log
from dashboard.kiosk.settings import kiosk_settings
from dashboard.screens import presenters
from dashboard.screens.target_screen import TargetScreen
from dashboard.source import EngineSource
from tests.app_support import (
    FIXED_WALL,
    MID_CAMPAIGN,
    VN,
    copy_sample,
    screen_text,
    wait_for,
    write_progress,
)
from widgets.area_panel import AreaPanel
from widgets.night_clock import NightClock
from widgets.page_indicator import PageIndicator

AREAS = ["economy", "culture_society", "admin_reform", "defence_security"]
REPORT_AT = datetime(2020, 7, 15, 9, 0)  # before the kiosk's clock (15/7 10:00)


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The kiosk log goes to the test's own state folder."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield tmp_path / "state" / "thidua"
    close_log()


def make_kiosk(folder: Path, *, at: datetime = MID_CAMPAIGN, fixed_wall: bool = True,
               export_dir: Path | None = None, **kiosk: Any) -> tuple[KioskApp, FixedClock]:
    source = EngineSource(folder, wall=lambda: FIXED_WALL) if fixed_wall else EngineSource(
        folder)
    clock = FixedClock(at)
    kiosk.setdefault("dwell_seconds", 10)
    kiosk.setdefault("office_hours", "always")
    app = create_app(source, clock=clock, options=AppOptions(
        watch=False, rescan_seconds=3600, export_dir=export_dir),
        kiosk=kiosk_settings(source.campaign, **kiosk))
    assert isinstance(app, KioskApp)
    return app, clock


async def started(app: KioskApp, pilot: Pilot[int]) -> KioskScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, KioskScreen)
    return app.screen


async def step(app: KioskApp, pilot: Pilot[int], clock: FixedClock, seconds: float) -> None:
    clock.advance(timedelta(seconds=seconds))
    app.tick()
    await pilot.pause()


async def refresh(app: KioskApp, pilot: Pilot[int]) -> None:
    app.request_refresh()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def shown(screen: KioskScreen) -> list[str]:
    """The views on screen: the rotation's current one first, then those filling the room
    below it."""
    return [w.id or "" for w in screen.query(".view") if w.display]


def spotlit(screen: KioskScreen) -> str:
    """The rotation's current view (the first on screen)."""
    return shown(screen)[0]


async def test_views_rotate_in_campaign_order_each_for_its_dwell(tmp_path: Path) -> None:
    app, clock = make_kiosk(copy_sample(tmp_path / "d"), dwell_seconds=10,
                            behind_bonus_seconds=5)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        assert shown(screen) == ["area-economy", "area-culture_society", "area-admin_reform"]
        text = screen_text(app)
        assert "Đợt thi đua cao điểm" in text and "Kinh tế" in text
        assert "cập nhật lúc" in text and "Tiêu chuẩn hóa sản phẩm OCOP" in text
        assert "Tỷ lệ điều tra" not in text  # defence does not fit below: it waits its turn
        # economy and culture have 2 targets behind each: 10 + 2 × 5 s; the rest 10 s
        # and the late units last, since two units are late on 15/7 (tests/test_meeting_views)
        expected = [(20, "area-culture_society"), (20, "area-admin_reform"),
                    (10, "area-defence_security"), (10, "leaderboard"), (10, "late-units"),
                    (10, "area-economy")]
        for seconds, view in expected:
            await step(app, pilot, clock, seconds - 1)
            assert spotlit(screen) != view
            await step(app, pilot, clock, 1)
            assert spotlit(screen) == view, f"after {seconds} s"
        assert screen.rotation.changes == 6
        await step(app, pilot, clock, 20)
        # six names do not fit 160 columns: the dots, and the current view's name
        assert str(screen.query_one(PageIndicator).render()).startswith(
            "○ ● ○ ○ ○ ○  Văn hóa – Xã hội")


async def test_the_page_indicator_names_every_view_on_a_wide_screen(tmp_path: Path) -> None:
    app, _clock = make_kiosk(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(240, 60)) as pilot:
        screen = await started(app, pilot)
        line = str(screen.query_one(PageIndicator).render())
        assert line == ("● Kinh tế   ○ Văn hóa – Xã hội   ○ Cải cách hành chính   "
                        "○ Quốc phòng – An ninh   ○ Bảng xếp hạng   ○ Đơn vị chậm báo cáo")
    app, _clock = make_kiosk(copy_sample(tmp_path / "e"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await started(app, pilot)
        line = str(screen.query_one(PageIndicator).render())
        assert line.startswith("● ○ ○ ○ ○ ○  Kinh tế")


async def test_new_data_interrupts_the_rotation_and_highlights_the_change(
        tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    app, clock = make_kiosk(folder, fixed_wall=False, highlight_seconds=6)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        await step(app, pilot, clock, 30)  # economy (2 behind: 20 s) → culture
        assert screen.current_view == "culture_society"
        write_progress(folder, "new.parquet", [
            {"target_id": "AN07", "reporter": "Công an thành phố", "reported_at": REPORT_AT,
             "value": 170},
            {"target_id": "KT02", "reporter": "UBND xã Mai Pha", "reported_at": REPORT_AT,
             "value": 5}])  # 16 → 5 of 19: KT02 falls behind pace
        await refresh(app, pilot)
        # the area where a target fell behind comes first, then the other change
        assert screen.current_view == "economy" and screen.rotation.interrupted
        assert screen.rotation.pending[0] == "defence_security"
        text = screen_text(app)
        assert "SỐ LIỆU MỚI · Kinh tế: 1 chỉ tiêu thay đổi" in text
        assert "1 chỉ tiêu chuyển sang chậm tiến độ" in text
        economy = screen.query_one("#area-economy", ContainedAreaPanel)
        assert economy.data is not None and economy.data.highlight == {"KT02"}
        await step(app, pilot, clock, 6)
        assert screen.current_view == "defence_security"
        defence = screen.query_one("#area-defence_security", ContainedAreaPanel)
        assert defence.data is not None and defence.data.highlight == {"AN07"}
        assert economy.data.highlight == frozenset()  # its turn is over: no more flash
        while screen.rotation.interrupted:
            await step(app, pilot, clock, 6)
        # back where it was, with a full slot, and nothing highlighted any more
        assert screen.current_view == "culture_society"
        assert defence.data.highlight == frozenset()
        assert not screen.query_one("#kiosk-note").display


async def test_a_target_slipping_behind_without_new_files_interrupts_too(
        tmp_path: Path) -> None:
    app, _clock = make_kiosk(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        assert app.snapshot is not None
        before = app.snapshot
        # as time passes the pace rises; a week later VH07 and others may fall behind
        later = app.source.snapshot(MID_CAMPAIGN + timedelta(days=20))
        slipped = [t.target_id for a in later.areas for t in a.targets
                   if t.status == "behind" and before.target(t.target_id) is not None
                   and before.target(t.target_id).status != "behind"]  # type: ignore[union-attr]
        assert slipped, "the sample has targets that fall behind as the pace rises"
        screen.show_snapshot(later, before)  # what the app does after its periodic requery
        await pilot.pause()
        assert screen.rotation.interrupted
        assert "chuyển sang chậm tiến độ" in screen_text(app)


async def test_keys_and_clicks_change_nothing_and_only_the_chord_unlocks(
        tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    app, _clock = make_kiosk(copy_sample(tmp_path / "d"), export_dir=exports, unlock="exit")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        theme = app.theme
        for key in ("q", "escape", "ctrl+c", "ctrl+q", "ctrl+p", "tab", "1", "4", "l", "v",
                    "t", "e", "p", "g", "question_mark", "left_square_bracket", "enter",
                    "down", "f1", "ctrl+z", "ctrl+backslash"):
            await pilot.press(key)
        await pilot.pause()
        assert app.is_running and app.screen is screen and len(app.screen_stack) == 2
        assert (app.lang, app.theme, app.as_of_override) == ("vi", theme, None)
        assert app.focused is None and spotlit(screen) == "area-economy"
        assert list(exports.iterdir()) == []
        await pilot.click(ContainedAreaPanel, offset=(10, 3))
        await pilot.click(ContainedAreaPanel, offset=(10, 3), times=2)
        await pilot.pause()
        assert not isinstance(app.screen, TargetScreen) and app.screen is screen
        # a broken chord (another key between) does nothing
        await pilot.press("ctrl+u", "ctrl+u", "x", "ctrl+u")
        await pilot.pause()
        assert app.is_running and not app.unlocked
        await pilot.press("ctrl+u", "ctrl+u", "ctrl+u")
        await pilot.pause()
    assert app.unlocked and app.return_code == 0


async def test_with_the_chord_off_nothing_unlocks(tmp_path: Path) -> None:
    app, _clock = make_kiosk(copy_sample(tmp_path / "d"), unlock="off")
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+u", "ctrl+u", "ctrl+u", "ctrl+u")
        await pilot.pause()
        assert app.is_running and not app.unlocked


async def test_stale_banner_when_reports_stop_coming_and_gone_when_one_arrives(
        tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    toml = folder / "campaign.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[kiosk]\nstale_after_hours = 48\n",
                    encoding="utf-8")
    # Sunday 12/7 10:00: the newest report is Friday 10/7 17:23, 41 hours old
    app, clock = make_kiosk(folder, at=datetime(2020, 7, 12, 10, 0, tzinfo=VN),
                            fixed_wall=False)
    assert app.settings.stale_after_hours == 48
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        assert screen.banner is None and not screen.query_one("#kiosk-banner").display
        await step(app, pilot, clock, 8 * 3600)  # 49 hours: no query ran, the data aged
        assert screen.banner is not None
        text = screen_text(app)
        assert "KHÔNG CÓ BÁO CÁO MỚI TỪ 17:23 10/7/2020 (đã quá 48 giờ)" in text
        assert "1 xong · 4 đúng hạn · 2 chậm" in text  # the data is still there, rotating
        write_progress(folder, "sunday.parquet", [
            {"target_id": "AN07", "reporter": "Công an thành phố",
             "reported_at": datetime(2020, 7, 12, 15, 0), "value": 160}])
        await refresh(app, pilot)
        app.travel_to(None)  # the periodic requery at the new instant
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.banner is None
        assert "KHÔNG CÓ BÁO CÁO MỚI" not in screen_text(app)


async def test_stale_banner_when_the_folder_goes_missing_with_last_good_data_below(
        tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    backup = tmp_path / "backup"
    shutil.copytree(folder, backup)
    app, clock = make_kiosk(folder, fixed_wall=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        shutil.rmtree(folder)
        await refresh(app, pilot)
        assert app.snapshot is not None and app.snapshot.error is not None
        text = screen_text(app)
        assert "SỐ LIỆU CŨ TỪ" in text and "Bên dưới là số liệu tốt gần nhất" in text
        assert "16/19 tiêu chí" in text
        await step(app, pilot, clock, 1)  # failing refreshes keep the banner on
        await refresh(app, pilot)
        assert screen.banner is not None and app.is_running
        shutil.copytree(backup, folder)
        await refresh(app, pilot)
        assert app.snapshot is not None and app.snapshot.error is None
        assert screen.banner is None and "SỐ LIỆU CŨ" not in screen_text(app)
    log = (tmp_path / "state" / "thidua" / "kiosk.log").read_text(encoding="utf-8")
    assert "refresh failed" in log and "refresh works again" in log


async def test_outside_office_hours_a_dim_clock_that_moves_against_burn_in(
        tmp_path: Path) -> None:
    app, clock = make_kiosk(copy_sample(tmp_path / "d"), office_hours="07:00-18:00",
                            burn_in_minutes=3,
                            at=datetime(2020, 7, 15, 17, 59, 30, tzinfo=VN))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(app, pilot)
        assert not screen.night
        await step(app, pilot, clock, 31)  # 18:00:01
        await step(app, pilot, clock, 1)  # laid out: the clock takes its place
        assert screen.night and screen.has_class("-night")
        assert not screen.query_one("#kiosk-day").display
        night = screen.query_one(NightClock)
        assert night.data is not None and night.data.time_text == "18:00"
        assert night.data.countdown == "077:05:59"  # to the minute, at 18:00:02
        text = screen_text(app)
        assert "Ngoài giờ làm việc" in text and "Kinh tế" not in text
        assert "cập nhật lúc" not in text
        first = screen.night_offset
        assert first is not None
        positions = [first]
        for _ in range(6):
            await step(app, pilot, clock, 180)
            positions.append(screen.night_offset)  # type: ignore[arg-type]
        for a, b in itertools.pairwise(positions):
            assert abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1, positions
        assert (night.region.x, night.region.y) == positions[-1]  # where it is drawn
        # Thursday 07:00: the screen is back, the rotation from the start
        clock.set(datetime(2020, 7, 16, 7, 0, tzinfo=VN))
        app.tick()
        await pilot.pause()
        assert not screen.night and shown(screen) == ["area-economy"]
        assert "Kinh tế" in screen_text(app)


@pytest.mark.parametrize("at", [datetime(2020, 7, 18, 10, 0, tzinfo=VN),  # Saturday
                                datetime(2020, 9, 2, 10, 0, tzinfo=VN)])  # National Day
async def test_weekends_and_campaign_holidays_are_off(tmp_path: Path, at: datetime) -> None:
    app, _clock = make_kiosk(copy_sample(tmp_path / "d"), office_hours="07:00-18:00", at=at)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(app, pilot)
        assert screen.night


async def test_resizing_mid_rotation_keeps_the_view_and_fits_it(tmp_path: Path) -> None:
    app, clock = make_kiosk(copy_sample(tmp_path / "d"), behind_bonus_seconds=0)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        await step(app, pilot, clock, 10)
        assert screen.current_view == "culture_society"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert screen.current_view == "culture_society"
        panel = screen.query_one("#area-culture_society", AreaPanel)
        assert panel.region.width <= 80 and panel.region.height >= 9  # all 7 targets
        assert "Văn hóa – Xã hội" in screen_text(app)
        for _ in range(3):
            await step(app, pilot, clock, 10)
        assert screen.current_view == LEADERBOARD
        board = screen.query_one(ContainedLeaderboard)
        spotlight = screen.query_one("#spotlight").region
        assert board.column_width == 38
        assert board.region.bottom <= spotlight.bottom  # 18 units in two columns fit 80×24
        assert "UBND phường Hoàng" in screen_text(app)
        await pilot.resize_terminal(300, 80)
        await pilot.pause()
        assert board.column_width == 56 and board.region.width <= 300
        await step(app, pilot, clock, 10)
        assert screen.current_view == LATE  # two units are late on 15/7
        await step(app, pilot, clock, 10)
        assert screen.current_view == "economy"
        assert "Kinh tế" in screen_text(app)


async def test_a_failing_view_is_contained_logged_and_shown_again_next_refresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state_home: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    app, _clock = make_kiosk(folder, fixed_wall=False)
    real_area_data = presenters.area_data

    def broken_for_economy(area, *args, **kwargs):  # type: ignore[no-untyped-def]
        if area.id == "economy":
            raise ZeroDivisionError("a bug met by unusual data")
        return real_area_data(area, *args, **kwargs)

    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        economy = screen.query_one("#area-economy", ContainedAreaPanel)
        monkeypatch.setattr(presenters, "area_data", broken_for_economy)
        write_progress(folder, "one.parquet", [
            {"target_id": "KT02", "reporter": "UBND xã Mai Pha", "reported_at": REPORT_AT,
             "value": 17}])
        await refresh(app, pilot)
        assert app.is_running
        assert economy.border_subtitle == "⚠ chưa cập nhật được"
        assert "16/19 tiêu chí" in economy.shown_text()  # the last good data stays
        monkeypatch.setattr(presenters, "area_data", real_area_data)
        write_progress(folder, "two.parquet", [
            {"target_id": "KT02", "reporter": "UBND xã Mai Pha", "reported_at": REPORT_AT,
             "value": 18}])
        await refresh(app, pilot)
        assert economy.border_subtitle == "" and "18/19 tiêu chí" in economy.shown_text()
        # a failure while drawing is contained in the view too
        monkeypatch.setattr(AreaPanel, "_row", lambda *a: 1 / 0)
        write_progress(folder, "three.parquet", [
            {"target_id": "KT02", "reporter": "UBND xã Mai Pha",
             "reported_at": REPORT_AT + timedelta(minutes=1), "value": 17}])
        await refresh(app, pilot)
        assert app.is_running and "Không hiển thị được phần này" in screen_text(app)
        monkeypatch.undo()
        write_progress(folder, "four.parquet", [
            {"target_id": "KT02", "reporter": "UBND xã Mai Pha",
             "reported_at": REPORT_AT + timedelta(minutes=2), "value": 19}])
        await refresh(app, pilot)
        assert "19/19 tiêu chí" in screen_text(app)
    log = (state_home / "kiosk.log").read_text(encoding="utf-8")
    assert "area economy could not be prepared" in log and "ZeroDivisionError" in log
    assert "could not be drawn" in log and "Traceback" in log


async def test_an_unexpected_engine_error_becomes_stale_data_not_a_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state_home: Path) -> None:
    app, _clock = make_kiosk(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(app, pilot)
        inner = app.source.inner  # type: ignore[attr-defined]

        def boom(now: datetime) -> None:
            raise RuntimeError("duckdb fell over")

        monkeypatch.setattr(inner, "snapshot", boom)
        app.travel_to(None)  # asks for a new snapshot
        assert await wait_for(pilot, lambda: screen.banner is not None, 3.0)
        assert app.is_running and "RuntimeError: duckdb fell over" in screen_text(app)
    assert "duckdb fell over" in (state_home / "kiosk.log").read_text(encoding="utf-8")


async def test_english_kiosk(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    source = EngineSource(folder, wall=lambda: FIXED_WALL)
    app = create_app(source, clock=FixedClock(MID_CAMPAIGN), options=AppOptions(
        lang="en", watch=False),
        kiosk=kiosk_settings(source.campaign, office_hours="always"))
    async with app.run_test(size=(240, 60)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "Economy" in text and "refreshed at" in text and "Leaderboard" in text
