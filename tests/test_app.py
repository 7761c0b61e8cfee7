"""The dashboard as a person uses it: real Textual app (Pilot), real engine, real files."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from dashboard.screens.dashboard_screen import DashboardScreen
from dashboard.screens.dialogs import HelpModal, ProblemsModal
from dashboard.screens.target_screen import TargetScreen
from tests.app_support import MID_CAMPAIGN, VN, copy_sample, make_app, screen_text, wait_for
from widgets.area_panel import AreaPanel

AREAS_VI = ["Kinh tế", "Văn hóa – Xã hội", "Cải cách hành chính", "Quốc phòng – An ninh"]
AREAS_EN = ["Economy", "Culture & society", "Administrative reform", "Defence & security"]


async def test_main_screen_shows_areas_in_campaign_order_and_leaderboard(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        positions = [text.index(name) for name in AREAS_VI]
        assert positions == sorted(positions)
        assert "Bảng xếp hạng đơn vị" in text
        assert "UBND phường Chi Lăng" in text
        assert "cập nhật lúc" in text and "285 tệp dùng" in text
        # the countdown: 15/7 10:00 → 30/9 24:00 is 77 days 14 hours
        assert "Còn 77 ngày lịch" in text


async def test_fifth_area_in_campaign_toml_gives_a_fifth_panel(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    toml = folder / "campaign.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[[areas]]\nid = "environment"\n'
                    'name_vi = "Môi trường"\nname_en = "Environment"\n', encoding="utf-8")
    app = make_app(folder)
    async with app.run_test(size=(160, 60)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panels = list(app.screen.query(AreaPanel))
        assert [p.id for p in panels][-1] == "area-environment"
        assert "Môi trường" in screen_text(app)


async def test_tab_and_arrows_move_between_panels_and_zoom(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "area-economy"
        await pilot.press("tab")
        assert app.focused.id == "area-culture_society"
        await pilot.press("right")
        assert app.focused.id == "area-admin_reform"
        await pilot.press("left")
        assert app.focused.id == "area-culture_society"
        await pilot.press("4")
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        shown = [w.id for w in screen.query_one("#body").children if w.display]
        assert shown == ["area-defence_security"]
        assert app.focused.id == "area-defence_security"
        await pilot.press("escape")
        shown = [w.id for w in screen.query_one("#body").children if w.display]
        assert len(shown) == 5
        await pilot.press("l")
        shown = [w.id for w in screen.query_one("#body").children if w.display]
        assert shown == ["leaderboard"]


async def test_enter_opens_the_drill_down_and_escape_goes_back(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # KT03, the model residential areas
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, TargetScreen)
        assert app.screen.target.target_id == "KT03"
        text = screen_text(app)
        assert "khu dân cư kiểu mẫu" in text
        assert "Báo cáo theo đơn vị" in text and "UBND xã Hoàng Đồng" in text
        assert app.screen.history is not None and app.screen.history.points
        # every point is counted as of T: nothing after 15/7 10:00
        assert all(p.reported_at <= MID_CAMPAIGN for p in app.screen.history.points)
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_click_on_a_target_opens_it(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one("#area-admin_reform", AreaPanel)
        assert panel.data is not None
        # row 0 sits below the top border and the summary line
        await pilot.click(panel, offset=(10, 2))
        await pilot.pause()
        assert isinstance(app.screen, TargetScreen)
        assert app.screen.target.target_id == panel.data.rows[0].key


async def test_language_switch_and_english_option(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    app = make_app(folder)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        text = screen_text(app)
        assert all(name in text for name in AREAS_EN)
        assert "Leaderboard of units" in text
        assert "refreshed at" in text
    app = make_app(folder, lang="en")
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Economy" in screen_text(app)


async def test_time_travel_marks_the_past_and_shows_the_campaign_as_it_stood(
        tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        now_value = app.snapshot.target("VH04").value  # type: ignore[union-attr]
        await pilot.press("left_curly_bracket", "left_curly_bracket")  # two weeks back
        assert app.as_of_override == datetime(2020, 7, 1, 23, 59, 59, tzinfo=VN)
        assert await wait_for(pilot, lambda: app.snapshot is not None
                              and app.snapshot.as_of == app.as_of_override)
        past_value = app.snapshot.target("VH04").value
        assert past_value is not None and now_value is not None and past_value < now_value
        text = screen_text(app)
        assert "XEM LẠI QUÁ KHỨ" in text and "01/7/2020" in text
        await pilot.press("right_square_bracket")
        await app.workers.wait_for_complete()
        assert app.as_of_override == datetime(2020, 7, 2, 23, 59, 59, tzinfo=VN)
        await pilot.press("full_stop")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.as_of_override is None
        assert "XEM LẠI QUÁ KHỨ" not in screen_text(app)


async def test_date_prompt_jumps_to_a_day(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"31/5/2020", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.as_of_override == datetime(2020, 5, 31, 23, 59, 59, tzinfo=VN)


async def test_replay_plays_the_campaign_week_by_week(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"), replay_seconds_per_week=0.05)
    async with app.run_test(size=(160, 48)) as pilot:
        start = app.as_of_override
        assert start is not None
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
        assert app.as_of_override is not None and app.as_of_override >= start + timedelta(days=21)
        assert "TRÌNH CHIẾU" in screen_text(app)


async def test_help_lists_every_key(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        text = screen_text(app)
        for key in ("Tab", "Enter", "1 – 9", "[ ]", "{ }", "q", "t", "e", "v", "p", "g"):
            assert key in text
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_export_writes_a_valid_svg_outside_the_data_folder(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    folder = copy_sample(tmp_path / "d")
    out = tmp_path / "exports"
    out.mkdir()
    app = make_app(folder, export_dir=out)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.press("e")  # the same instant again: a second file, the first kept
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
    files = sorted(out.glob("*.svg"))
    assert [f.name for f in files] == ["thidua-20200715-100000-2.svg",
                                       "thidua-20200715-100000.svg"]
    assert messages == [f"Đã lưu ảnh màn hình: {out / 'thidua-20200715-100000.svg'}",
                        f"Đã lưu ảnh màn hình: {out / 'thidua-20200715-100000-2.svg'}"]
    for f in files:
        root = ET.parse(f).getroot()
        assert root.tag.endswith("svg")
        assert "Kinh" in f.read_text(encoding="utf-8")
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temp left


async def test_ended_campaign_shows_final_results(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"), at=datetime(2026, 12, 1, 9, 0, tzinfo=VN))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "KẾT QUẢ CUỐI CÙNG" in text
        assert "Đợt thi đua đã kết thúc" in text
        assert "000:00:00:00" not in text  # Digits draw figures, not text: check the state
        assert app.snapshot is not None and app.snapshot.countdown.state == "ended"


async def test_before_the_start_counts_down_to_the_start(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"), at=datetime(2020, 5, 4, 12, 0, tzinfo=VN))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "đến khi bắt đầu" in text
        assert app.screen.query_one("#countdown").digits == "001:12:00:00"  # type: ignore[attr-defined]


async def test_small_terminal_stacks_panels_and_scrolls(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panels = list(app.screen.query(AreaPanel))
        xs = {p.region.x for p in panels}
        assert len(xs) == 1  # one column
        body = app.screen.query_one("#body")
        assert body.max_scroll_y > 0
        await pilot.press("4")
        await pilot.pause()
        assert app.screen.query_one("#area-defence_security").region.height > 3


async def test_problems_key_lists_skipped_files_and_reasons(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    (folder / "progress" / "hong.parquet").write_bytes(b"not parquet at all")
    old = (folder / "progress" / "hong.parquet").stat().st_mtime - 60
    import os

    os.utime(folder / "progress" / "hong.parquet", (old, old))  # written a minute ago
    app = make_app(folder, fixed_wall=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 bỏ qua" in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsModal)
        text = screen_text(app)
        assert "progress/hong.parquet" in text and "không phải tệp Parquet hợp lệ" in text


async def test_a_read_only_viewer_cannot_write_files(tmp_path: Path) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    app = make_app(copy_sample(tmp_path / "d"), export_dir=out, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("e", "ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)  # no command palette opened
    assert list(out.iterdir()) == []
