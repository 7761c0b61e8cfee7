"""The screen fits the room: long titles stay distinguishable, nothing is cut mid-word, and a
tall screen's rows are used (two-line targets on the dashboard, more views on the kiosk)."""

from __future__ import annotations

import html
import re
import shutil
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from textual.pilot import Pilot

from dashboard.app import AppOptions, ThiduaApp
from dashboard.clock import FixedClock
from dashboard.frontends import create_app
from dashboard.kiosk.settings import kiosk_settings
from dashboard.source import EngineSource
from tests.app_support import VN, copy_sample, make_app
from tools.screens import to_png
from widgets.area_panel import AreaPanel

AT = datetime(2020, 7, 22, 12, 0, tzinfo=VN)


async def settle(app: ThiduaApp, pilot: Pilot[int]) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def rows_used(svg: str) -> int:
    """Rows of the exported screen that show any character."""
    rows = {m.group(1) for m in re.finditer(r'<text[^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', svg,
                                            flags=re.S)
            if html.unescape(m.group(2)).replace("\xa0", " ").strip()}
    return len(rows)


def titles_of(app: ThiduaApp, lang: str = "vi") -> dict[str, tuple[str, ...]]:
    assert app.snapshot is not None
    return {t.target_id: (t.title(lang), t.short_title(lang) or "")
            for a in app.snapshot.areas for t in a.targets}


def shown_titles(panel: AreaPanel, titles: dict[str, tuple[str, ...]]) -> list[str]:
    """The title part of each target line as drawn (one-line rows): up to its "…", else
    the whole title or short title it starts with."""
    width = panel.content_region.width
    rows = panel.data.rows if panel.data else ()
    top = panel.line_count(width) - len(rows)
    out = []
    for i, row in enumerate(rows):
        line = panel.line_text(top + i, width).plain[2:]
        if "…" in line:
            out.append(line[:line.index("…") + 1])
        else:
            whole = [t for t in titles[row.key] if t and line.startswith(t)]
            assert whole, (line, titles[row.key])
            out.append(max(whole, key=len))
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_long_titles_stay_distinguishable_at_160x48(tmp_path: Path, lang: str) -> None:
    app = make_app(copy_sample(tmp_path / "d"), at=AT, lang=lang)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        for panel in app.screen.query(AreaPanel):
            titles = shown_titles(panel, titles_of(app, lang))
            assert len(set(titles)) == len(titles), titles
            # the sample's short titles are what a narrow row shows
            assert not panel.two_line


async def test_nothing_is_cut_mid_word_at_80x24(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"), at=AT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        full = titles_of(app)
        cut = 0
        for panel in app.screen.query(AreaPanel):
            assert panel.data is not None
            for row, shown in zip(panel.data.rows, shown_titles(panel, full), strict=True):
                if not shown.endswith("…"):
                    continue
                cut += 1
                kept = shown[:-1]
                source = next(s for s in full[row.key] if s.startswith(kept))
                assert source[len(kept)] in " ,–:", (shown, source)  # ends at a whole word
        assert cut  # 80 columns are too few for some titles: the check above did run
        status = app.screen.query_one("#status")
        assert not status.render_line(0).text.rstrip().endswith((" ·", "đang"))
        # the drill-down's footer keeps every key whole, the last one too, each apart from
        # its label, on the screen and in the picture made of it (docs/screens)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        svg = app.export_screenshot()
        baseline, footer = svg_rows(svg)[-1]
        assert footer.startswith("esc Quay lại q Thoát ? Trợ giúp") and footer.endswith(
            "Tới 1 ngày"), footer
        if shutil.which("rsvg-convert"):
            assert_a_space_between_key_and_label(svg, baseline, tmp_path / "detail.png")


def svg_rows(svg: str) -> list[tuple[float, str]]:
    """Each row of an exported screen (its baseline, its text) with every cell in its column."""
    cells: dict[float, dict[int, str]] = {}
    for m in re.finditer(r'<text[^>]*\bx="([\d.]+)"[^>]*\by="([\d.]+)"[^>]*'
                         r'\btextLength="([\d.]+)"[^>]*>(.*?)</text>', svg, flags=re.S):
        text = html.unescape(m.group(4)).replace("\xa0", " ")
        if not text:
            continue
        column = round(float(m.group(1)) / (float(m.group(3)) / len(text)))
        row = cells.setdefault(float(m.group(2)), {})
        for i, char in enumerate(text):
            row[column + i] = char
    out = []
    for y in sorted(cells):
        line = "".join(cells[y].get(i, " ") for i in range(max(cells[y]) + 1)).rstrip()
        if line:
            out.append((y, line))
    return out


def assert_a_space_between_key_and_label(svg: str, baseline: float, png: Path) -> None:
    """In the picture, the footer's 4th cell (after "esc") is blank and its 5th (Q) is not."""
    from PIL import Image

    to_png(svg, png)
    cell = 0.61 * 20  # Textual's export: 20 px characters, 0.61 of it wide
    dx, dy = (float(v) for v in re.findall(
        r'<g transform="translate\(([\d.]+), ([\d.]+)\)"', svg)[-1])
    picture = Image.open(png).convert("RGB")

    def colours(column: int) -> int:
        left = dx + column * cell
        box = (round(left + 1), round(dy + baseline - 16), round(left + cell - 1),
               round(dy + baseline + 3))
        return len(set(picture.crop(box).get_flattened_data()))

    assert colours(2) > 1 and colours(3) == 1 and colours(4) > 1  # c, the space, Q


async def test_a_tall_dashboard_uses_its_rows_with_whole_titles(tmp_path: Path) -> None:
    app = make_app(copy_sample(tmp_path / "d"), at=AT)
    async with app.run_test(size=(240, 67)) as pilot:
        await settle(app, pilot)
        await pilot.pause()
        panels = list(app.screen.query(AreaPanel))
        assert all(p.two_line for p in panels)
        assert app.snapshot is not None
        long = max((t for a in app.snapshot.areas for t in a.targets),
                   key=lambda t: len(t.title_vi))
        svg = app.export_screenshot()
        text = html.unescape(svg).replace("\xa0", " ")
        assert long.title_vi in text  # the longest title, whole
        assert rows_used(svg) >= 0.85 * 67


async def test_a_tall_kiosk_shows_more_than_one_view(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    source = EngineSource(copy_sample(tmp_path / "d"), wall=lambda: AT.timestamp())
    app = create_app(source, clock=FixedClock(AT),
                     options=AppOptions(watch=False, rescan_seconds=3600),
                     kiosk=kiosk_settings(source.campaign, dwell_seconds=10,
                                          office_hours="always"))
    async with app.run_test(size=(240, 67)) as pilot:
        await settle(app, pilot)
        await pilot.pause()
        shown = [w.id for w in app.screen.query(".view") if w.display]
        assert len(shown) >= 2 and shown[0] == "area-economy"
        assert app.screen.query_one("#area-economy").has_class("-current")
        assert rows_used(app.export_screenshot()) >= 0.85 * 67
    smaller = create_app(source, clock=FixedClock(AT),
                         options=AppOptions(watch=False, rescan_seconds=3600),
                         kiosk=kiosk_settings(source.campaign, dwell_seconds=10,
                                              office_hours="always"))
    async with smaller.run_test(size=(160, 48)) as pilot:  # the room below is filled too
        await settle(smaller, pilot)
        app = smaller
        shown = [w.id for w in app.screen.query(".view") if w.display]
        assert shown[:2] == ["area-economy", "area-culture_society"], shown
        assert rows_used(app.export_screenshot()) >= 0.8 * 48
    tiny = create_app(source, clock=FixedClock(AT),
                      options=AppOptions(watch=False, rescan_seconds=3600),
                      kiosk=kiosk_settings(source.campaign, dwell_seconds=10,
                                           office_hours="always"))
    async with tiny.run_test(size=(80, 24)) as pilot:  # one view, whole, when two do not fit
        await settle(tiny, pilot)
        assert [w.id for w in tiny.screen.query(".view") if w.display] == ["area-economy"]


def test_short_titles_come_from_the_targets_file(tmp_path: Path) -> None:
    source = EngineSource(copy_sample(tmp_path / "d"))
    source.refresh()
    snap = source.snapshot(AT)
    cc01 = snap.target("CC01")
    assert cc01 is not None
    assert cc01.short_title("vi") == "Nộp trực tuyến mức 3, 4"
    assert cc01.short_title("en") == "Online filing L3–4"
    kt03 = snap.target("KT03")  # short enough: no short title
    assert kt03 is not None and kt03.short_title("vi") is None


def test_units_have_english_names_where_the_targets_file_gives_them(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    source = EngineSource(folder)
    source.refresh()
    kt01 = source.snapshot(AT).target("KT01")
    assert kt01 is not None
    assert (kt01.unit("vi"), kt01.unit("en")) == ("sản phẩm", "products")
    source.close()
    # a targets file without the column: English shows the unit as written
    table = pq.read_table(folder / "targets.parquet")
    pq.write_table(table.drop_columns(["unit_of_measure_en"]), folder / "targets.parquet")
    source = EngineSource(folder)
    source.refresh()
    kt01 = source.snapshot(AT).target("KT01")
    assert kt01 is not None and kt01.unit("en") == "sản phẩm"
    source.close()
