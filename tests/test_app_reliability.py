"""What the running app does when things change under it or fail, as a person sees it: real
Textual apps (Pilot), the real engine over a copy of the sample."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from dashboard.app import ThiduaApp
from dashboard.engine.errors import EngineError
from dashboard.engine.model import TargetHistory
from dashboard.kiosk.logbook import close_log
from dashboard.screens.dashboard_screen import DashboardScreen
from dashboard.screens.target_screen import TargetScreen
from dashboard.source import EngineSource
from tests.app_support import (
    FIXED_WALL,
    MID_CAMPAIGN,
    copy_sample,
    make_app,
    screen_text,
    wait_for,
    write_progress,
)
from tests.test_kiosk_app import make_kiosk, started
from widgets.area_panel import AreaPanel

ENVIRONMENT = '\n[[areas]]\nid = "environment"\nname_vi = "Môi trường"\nname_en = "Environment"\n'


async def _ready(app: ThiduaApp, pilot: Pilot[int]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _refreshed(app: ThiduaApp, pilot: Pilot[int]) -> None:
    before = app.refresh_count
    app.request_refresh()
    await wait_for(pilot, lambda: app.refresh_count > before or app.snapshot is None
                   or app.snapshot.error is not None)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def _panel_ids(app: ThiduaApp) -> list[str]:
    return [p.id or "" for p in app.screen.query(AreaPanel)]


def _touch_newer(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


# -- a file replaced by bad content ---------------------------------------------------------


async def test_replaced_file_keeps_its_value_under_a_banner_naming_it(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    app = make_app(folder)
    async with app.run_test(size=(160, 48)) as pilot:
        await _ready(app, pilot)
        assert app.snapshot is not None
        before = app.snapshot.target("CC01")
        assert before is not None and before.value is not None
        victim = next(p for p in sorted((folder / "progress").rglob("*.parquet"))
                      if "cc01" in p.name.lower() or "CC01" in p.read_bytes().decode("latin-1"))
        rel = victim.relative_to(folder).as_posix()
        tmp = victim.with_name("." + victim.name + ".new")
        tmp.write_text("target_id,reporter,reported_at,value\nCC01,x,2020-07-01,1\n")
        os.replace(tmp, victim)
        await _refreshed(app, pilot)
        after = app.snapshot.target("CC01")
        assert after is not None and after.value == before.value
        text = screen_text(app)
        assert "đang dùng số liệu cũ" in text and rel in text
        await pilot.press("p")
        await pilot.pause()
        assert "Tệp đang giữ số liệu tốt gần nhất" in screen_text(app)


# -- the drill-down's history ---------------------------------------------------------------


class _HistoryTimesOut(EngineSource):
    """The real engine, but the history answer never comes (as from an SSH hub that is
    busy): the one fault this test injects."""

    def history(self, target_id: str, now: datetime) -> TargetHistory:
        raise EngineError("the dashboard server did not answer within 10 s")


async def test_failed_history_stays_in_the_drill_down(tmp_path: Path) -> None:
    from dashboard.app import AppOptions
    from dashboard.clock import FixedClock
    from dashboard.frontends import create_app

    folder = copy_sample(tmp_path / "d")
    source = _HistoryTimesOut(folder, wall=lambda: FIXED_WALL)
    app = create_app(source, clock=FixedClock(MID_CAMPAIGN), options=AppOptions(watch=False))
    async with app.run_test(size=(160, 48)) as pilot:
        await _ready(app, pilot)
        await pilot.press("enter")
        await _ready(app, pilot)
        await pilot.pause()
        assert isinstance(app.screen, TargetScreen)
        assert "Không tải được lịch sử báo cáo" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        # the dashboard is not marked stale, and its refreshes go on one at a time
        assert app.snapshot is not None and app.snapshot.error is None
        assert "SỐ LIỆU CŨ" not in screen_text(app)
        write_progress(folder, "late.parquet", [
            {"target_id": "KT01", "reporter": "Phòng Kinh tế",
             "reported_at": datetime(2020, 7, 15, 9, 30), "value": 2.0}])
        count = app.refresh_count
        await _refreshed(app, pilot)
        assert app.refresh_count == count + 1
        assert app.snapshot.target("KT01").value == 2.0  # type: ignore[union-attr]


# -- campaign.toml changed while the app runs -----------------------------------------------


async def test_campaign_changes_reach_the_running_dashboard(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    toml = folder / "campaign.toml"
    original = toml.read_text(encoding="utf-8")
    app = make_app(folder)
    async with app.run_test(size=(160, 60)) as pilot:
        await _ready(app, pilot)
        await pilot.press("tab")  # focus on culture_society
        assert _panel_ids(app)[-1] == "area-defence_security"
        # an area added, one renamed: both on screen without a restart
        toml.write_text(original.replace('name_vi = "Kinh tế"', 'name_vi = "Kinh tế – Tài chính"')
                        + ENVIRONMENT, encoding="utf-8")
        await _refreshed(app, pilot)
        assert _panel_ids(app)[-1] == "area-environment"
        text = screen_text(app)
        assert "Môi trường" in text and "Kinh tế – Tài chính" in text
        assert app.focused is not None and app.focused.id == "area-culture_society"
        await pilot.press("5")
        shown = [w.id for w in app.screen.query_one("#body").children if w.display]
        assert shown == ["area-environment"]
        await pilot.press("escape")
        # removed and reordered: the panels follow campaign.toml's order
        economy = original.index("[[areas]]")
        areas = original[economy:].split("[[areas]]")[1:]
        reordered = original[:economy] + "".join(f"[[areas]]{a}" for a in reversed(areas))
        toml.write_text(reordered.replace('title_vi = "', 'title_vi = "(Sửa) ', 1),
                        encoding="utf-8")
        await _refreshed(app, pilot)
        assert _panel_ids(app) == ["area-defence_security", "area-admin_reform",
                                   "area-culture_society", "area-economy"]
        await pilot.pause(1.1)  # the title line is drawn on the second's tick
        assert "(Sửa)" in screen_text(app)
        # a broken campaign.toml keeps the last good one, with a banner naming the problem
        toml.write_text(reordered.replace("end = 2020-09-30", "end = 2020-01-01"),
                        encoding="utf-8")
        _touch_newer(toml)
        await _refreshed(app, pilot)
        text = screen_text(app)
        assert "SỐ LIỆU CŨ" in text and "campaign.toml" in text
        assert _panel_ids(app)[0] == "area-defence_security"
        assert isinstance(app.screen, DashboardScreen)


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield tmp_path / "state"
    close_log()


async def test_campaign_changes_reach_the_running_kiosk(tmp_path: Path, state_home: object
                                                        ) -> None:
    folder = copy_sample(tmp_path / "d")
    toml = folder / "campaign.toml"
    app, _clock = make_kiosk(folder)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await started(app, pilot)
        assert "environment" not in screen.views
        toml.write_text(toml.read_text(encoding="utf-8") + ENVIRONMENT, encoding="utf-8")
        await _refreshed(app, pilot)
        assert "environment" in screen.views
        assert screen.rotation.views == screen.views
        assert screen.query("#area-environment")
        text = screen_text(app)
        assert "○" in text  # the page indicator has a page more
        assert text.count("○") + text.count("●") == len(screen.views)


# -- g: a day that cannot be shown ----------------------------------------------------------


@pytest.mark.parametrize(("typed", "said"), [
    ("1/12/2020", "nằm ngoài đợt thi đua"),
    ("1/5/2020", "nằm ngoài đợt thi đua"),
    ("20/8/2020", "chưa đến"),
    ("hôm qua", "Ngày không hợp lệ"),
])
async def test_goto_says_why_a_day_cannot_be_shown(tmp_path: Path, typed: str, said: str
                                                   ) -> None:
    app = make_app(copy_sample(tmp_path / "d"))
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one(Input).value = typed
        await pilot.press("enter")
        await pilot.pause()
        assert said in screen_text(app)
        assert app.as_of_override is None  # still live, the dialog still open
        app.screen.query_one(Input).value = "1/7/2020"
        await pilot.press("enter")
        await _ready(app, pilot)
        assert app.as_of_override is not None
        assert app.as_of_override.date().isoformat() == "2020-07-01"
