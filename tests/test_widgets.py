"""The reusable widgets on their own, in a real Textual app: what a reader of the panel sees."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App, ComposeResult

from tests.app_support import screen_text
from widgets.area_panel import AreaPanel, AreaPanelData, TargetRow

SUMMARY = "0 xong · 8 đúng hạn · 2 chậm · 0 chưa có · bình quân 51%"


def row(key: str, value_text: str) -> TargetRow:
    return TargetRow(key=key, title=f"Chỉ tiêu {key} có tên dài hơn ô", value_text=value_text,
                     completion=0.5, pace=0.4, percent_text="50%", status="on_track",
                     status_text="Đúng tiến độ", status_short="Đúng hạn")


class PanelApp(App[None]):
    def __init__(self, data: AreaPanelData) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:
        yield AreaPanel(self.data, id="panel")


def data(*rows: TargetRow) -> AreaPanelData:
    return AreaPanelData(title="Kinh tế", summary=SUMMARY, rows=rows)


async def test_a_narrow_panel_wraps_its_totals_and_fits_each_row_with_short_status_words(
        ) -> None:
    rows = (row("a", "74/100 % khối lượng"), row("b", "1/5 khu"), row("c", "53,5/105 % dự toán"))
    app = PanelApp(data(*rows))
    async with app.run_test(size=(59, 12)) as pilot:  # a panel of the 120-column grid
        await pilot.pause()
        panel = app.query_one(AreaPanel)
        width = panel.size.width
        lines = panel.shown_text().split("\n")
        assert " ".join(line.strip() for line in lines[:2]) == SUMMARY  # wrapped, not cut
        assert len(lines) == 2 + len(rows), lines  # no row wrapped into extra lines
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        assert all(line.rstrip().endswith("50% Đúng hạn") for line in lines[2:]), lines
        # the title keeps room, and is cut after a whole word, never inside one
        assert all("Chỉ…" in line or "Chỉ tiêu" in line for line in lines[2:]), lines
        assert panel.region.height == 2 + len(lines)  # the borders and the lines, no more


async def test_new_data_redraws_the_changed_row_and_a_new_row_count_resizes_the_panel() -> None:
    app = PanelApp(data(row("a", "1/5 khu"), row("b", "2/5 khu")))
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        panel = app.query_one(AreaPanel)
        height = panel.region.height
        panel.data = data(row("a", "1/5 khu"), row("b", "4/5 khu"))
        await pilot.pause()
        shown = screen_text(app)  # type: ignore[arg-type]
        assert "4/5 khu" in shown and "2/5 khu" not in shown and "1/5 khu" in shown
        assert panel.region.height == height
        panel.data = data(row("a", "1/5 khu"), row("b", "4/5 khu"), row("c", "3/5 khu"))
        await pilot.pause()
        assert panel.region.height == height + 1 and "3/5 khu" in screen_text(app)  # type: ignore[arg-type]
