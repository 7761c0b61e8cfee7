"""The meeting in the terminal and on the wall: late units (status line, `o`, the kiosk's
rotation) and the since view (`s` and its date dialog). Real apps over the bundled sample.

In the sample at 15/7/2020 10:00 two units are late: UBND phường Vĩnh Trại last reported on
KT03 (a sum target) on 15/5, and AN06 of Ban Chỉ huy Quân sự thành phố has no report at all.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.widgets import Static

from dashboard.screens.dashboard_screen import DashboardScreen
from dashboard.screens.dialogs import HelpModal
from dashboard.screens.meeting_dialogs import LateUnitsModal, SinceDateModal, SinceModal
from tests.app_support import VN, copy_sample, make_app, screen_text, wait_for
from tests.test_kiosk_app import make_kiosk, spotlit, started, state_home, step  # noqa: F401


async def test_status_line_counts_late_units_and_o_lists_them(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "2 đơn vị chậm báo cáo [o]" in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, LateUnitsModal)
        text = screen_text(app)
        assert "Đơn vị chậm báo cáo" in text
        assert "UBND phường Vĩnh Trại · 15/5/2020 · KT03" in text
        assert "Ban Chỉ huy Quân sự thành phố" in text and "AN06" in text
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_nobody_is_late_after_the_end_so_no_count(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"), at=datetime(2020, 10, 5, 12, 0, tzinfo=VN))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "chậm báo cáo" not in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert "Không có đơn vị nào chậm báo cáo." in screen_text(app)


async def test_s_asks_the_day_a_week_before_and_shows_the_comparison(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"), at=datetime(2020, 7, 22, 12, 0, tzinfo=VN))
    async with app.run_test(size=(160, 60)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SinceDateModal)
        assert "2020-07-15" in screen_text(app)  # the same weekday last week
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, SinceModal), 20)
        text = screen_text(app)
        # the sample: KT07 fell behind between 15/7 and 22/7; AN06 never reported
        assert "Thay đổi kể từ 23:59 15/7/2020" in text
        assert "Chuyển sang chậm tiến độ: KT07" in text
        assert "Không có báo cáo mới: AN06" in text
        body = str(app.screen.query_one("#since-body", Static).render())  # scrolls below
        assert " 9 → 6  UBND xã Hoàng Đồng (70% → 81%)" in body  # its rank then → now
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_since_refuses_a_day_not_before_the_instant_shown(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"), at=datetime(2020, 7, 22, 12, 0, tzinfo=VN))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*["backspace"] * 10, *"23/7/2020", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SinceDateModal)  # the dialog says why and stays
        assert "23/7/2020 chưa đến" in screen_text(app)
        await pilot.press(*["backspace"] * 9, *"22/7/2020", "enter")
        await pilot.pause()
        # the end of 22/7 is after 22/7 12:00: nothing to compare, and it says so
        assert isinstance(app.screen, DashboardScreen)
        # headless, the toast is not drawn into the export: read what the app notified
        assert [n.message for n in app._notifications] == [
            "22/7/2020 không trước thời điểm đang xem (12:00 22/7/2020)"]


async def test_help_names_the_meeting_keys(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        assert "đơn vị chậm báo cáo" in screen_text(app)


async def test_kiosk_rotation_shows_late_units_only_while_someone_is_late(tmp_path: Path) -> None:
    app, clock = make_kiosk(copy_sample(tmp_path / "d"), dwell_seconds=10,
                            behind_bonus_seconds=0)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        assert screen.views[-1] == "_late"
        for _ in range(5):
            await step(app, pilot, clock, 10)
        assert spotlit(screen) == "late-units"
        text = screen_text(app)
        assert "UBND phường Vĩnh Trại" in text and "KT03" in text
        await step(app, pilot, clock, 10)
        assert spotlit(screen) == "area-economy"
    app, clock = make_kiosk(copy_sample(tmp_path / "e"),
                            at=datetime(2020, 10, 5, 10, 0, tzinfo=VN))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        assert "_late" not in screen.views  # the campaign has ended: nobody is late
        assert len(screen.views) == 5



def test_meeting_catalogues_have_the_same_keys_in_nfc() -> None:
    import unicodedata

    from dashboard.i18n import read_catalogue

    vi, en = read_catalogue("dashboard.meeting", "vi"), read_catalogue("dashboard.meeting", "en")
    assert vi.keys() == en.keys()
    raw = (Path(__file__).parents[1] / "dashboard" / "meeting" / "vi.toml").read_text("utf-8")
    assert unicodedata.normalize("NFC", raw) == raw
    assert "Đơn vị chậm báo cáo" in vi.values()
