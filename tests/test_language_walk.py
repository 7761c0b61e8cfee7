"""Every screen and dialog in one language: no catalogue key shown raw (a miss), no word of
the other language from the interface's own vocabulary, nor a unit of measure left in
Vietnamese where the targets file gives its English name (the names of units and reporters
stay as they are written)."""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from textual.pilot import Pilot

from dashboard.app import AppOptions, ThiduaApp
from dashboard.clock import FixedClock
from dashboard.frontends import create_app
from dashboard.i18n import catalogue
from dashboard.kiosk.settings import kiosk_settings
from dashboard.source import EngineSource
from tests.app_support import MID_CAMPAIGN, copy_sample, make_app, screen_text, write_progress

KEYS = catalogue("vi").keys()
SECTIONS = "|".join(sorted({k.split(".")[0] for k in KEYS}))
MISS = re.compile(rf"\b(?:{SECTIONS})\.[a-z_][a-z0-9_\-]*\b")
ENGLISH = ["Back", "Close", "Cancel", "palette", "missing", "readable", "empty", "unknown",
           "column", "expected", "Quit", "Help", "Theme", "rows", "dropped", "warning",
           "pending", "not valid", "Leaderboard", "Forward", "textual-"]
VIETNAMESE = ["Quay lại", "Thoát", "Trợ giúp", "Đóng", "Hủy", "Lùi 1 ngày", "tệp", "bị loại",
              "cảnh báo", "thiếu cột", "Giao diện", "không đọc được", "Xếp hạng",
              "sản phẩm", "tiêu chí", "nghìn lượt", "% hồ sơ"]
FOREIGN = {"vi": ENGLISH, "en": VIETNAMESE}


def troubled_sample(dest: Path) -> Path:
    """The sample with a file that is not Parquet, one without a value column and rows for
    an unknown target, all written a minute ago (skipped, not pending)."""
    folder = copy_sample(dest)
    progress = folder / "progress"
    (progress / "hong.parquet").write_bytes(b"not parquet at all")
    pq.write_table(pa.table({"target_id": ["KT01"], "reporter": ["x"]}),
                   progress / "thieu-cot.parquet")
    write_progress(folder, "la.parquet", [{"target_id": "XX99", "reporter": "Phòng Kinh tế",
                                           "reported_at": datetime(2020, 7, 10, 9), "value": 1}])
    for name in ("hong.parquet", "thieu-cot.parquet", "la.parquet"):
        old = (progress / name).stat().st_mtime - 60
        os.utime(progress / name, (old, old))
    return folder


async def settle(app: ThiduaApp, pilot: Pilot[int]) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def check(text: str, lang: str, where: str) -> None:
    assert not MISS.findall(text), (where, MISS.findall(text))
    found = [w for w in FOREIGN[lang] if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
    assert not found, (where, found)


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_every_screen_speaks_one_language(tmp_path: Path, lang: str) -> None:
    folder = troubled_sample(tmp_path / "d")
    app = make_app(folder, lang=lang, fixed_wall=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        seen = {}
        seen["dashboard"] = screen_text(app)
        for name, keys, back in [("drill-down", ("down", "enter"), "escape"),
                                 ("help", ("question_mark",), "escape"),
                                 ("problems", ("p",), "escape"),
                                 ("date dialog", ("g",), "escape"),
                                 ("zoomed area", ("2",), "escape"),
                                 ("leaderboard", ("l",), "l"),
                                 ("past view", ("left_square_bracket",), "full_stop"),
                                 ("theme", ("t",), "")]:
            await pilot.press(*keys)
            await settle(app, pilot)
            seen[name] = screen_text(app) + " ".join(n.message for n in app._notifications)
            if back:
                await pilot.press(back)
                await settle(app, pilot)
        shutil.rmtree(folder / "progress")
        app.request_refresh()
        await settle(app, pilot)
        seen["stale banner"] = screen_text(app)
    assert "hong.parquet" in seen["problems"] and "thieu-cot.parquet" in seen["problems"]
    assert catalogue(lang)("reason.not_parquet") in seen["problems"]
    assert catalogue(lang)("reason.unknown_target_id") in seen["problems"]
    assert catalogue(lang)("keys.back") in seen["drill-down"]
    for where, text in seen.items():
        check(text, lang, where)


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_the_footer_follows_v_everywhere(tmp_path: Path, lang: str) -> None:
    other = "en" if lang == "vi" else "vi"
    app = make_app(copy_sample(tmp_path / "d"), lang=other)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("v")
        await settle(app, pilot)
        check(screen_text(app), lang, "dashboard after v")
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert catalogue(lang)("keys.back") in screen_text(app)
        check(screen_text(app), lang, "drill-down after v")
        await pilot.press("v")  # and back, with the drill-down open: all of it follows
        await settle(app, pilot)
        text = screen_text(app)
        check(text, other, "drill-down, v pressed on it")
        tr = catalogue(other)
        for key in ("detail.reports", "detail.value", "detail.col_reporter",
                    "detail.chart_target"):
            assert tr(key) in text, (key, text)
        assert ("10/7/2020" if other == "vi" else "10 Jul 2020") in text


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_kiosk_speaks_one_language(tmp_path: Path, lang: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = troubled_sample(tmp_path / "d")
    source = EngineSource(folder)
    app = create_app(source, clock=FixedClock(MID_CAMPAIGN),
                     options=AppOptions(lang=lang, watch=False, rescan_seconds=3600),
                     kiosk=kiosk_settings(source.campaign, dwell_seconds=10,
                                          office_hours="always"))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        check(screen_text(app), lang, "kiosk")
        shutil.rmtree(folder / "progress")
        app.request_refresh()
        await settle(app, pilot)
        text = screen_text(app)
    check(text, lang, "kiosk stale")


def test_every_engine_error_reads_back_to_its_code_and_speaks_vietnamese() -> None:
    """Each error the engine raises on purpose (errors.MESSAGES) and each command-line message
    with a code (usage_errors), written as they are written, is read back to its own code and
    shown in Vietnamese with its file, line and values."""
    import string

    from dashboard import reasons
    from dashboard.engine.errors import MESSAGES, message, place
    from dashboard.usage_errors import USAGE_MESSAGES, UsageError

    vi = catalogue("vi")
    for code, template in {**MESSAGES, **USAGE_MESSAGES}.items():
        names = {n for _l, n, _s, _c in string.Formatter().parse(template) if n}
        params: dict[str, object] = {n: f"V{i}{n}" for i, n in enumerate(sorted(names))}
        if "place" in names:
            params["place"] = place("/srv/dot-thi-dua/campaign.toml", line=12)
        text = message(code, **params) if code in MESSAGES else str(UsageError.of(code, **params))
        assert reasons.parse(text).code == code, (code, reasons.parse(text))
        shown = reasons.say(text, vi)
        assert shown != text and f"reason.{code}" in vi, code
        assert reasons.say(shown, vi) == shown, (code, shown)  # words already shown stay
        for value in (v for k, v in params.items() if k != "place"):
            assert str(value) in shown, (code, shown)
        if "place" in names:
            assert shown.startswith("/srv/dot-thi-dua/campaign.toml, dòng 12: "), shown
