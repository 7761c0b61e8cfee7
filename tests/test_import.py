"""`thidua template` and `thidua import`, end to end on a copy of the bundled campaign.

Real files only: openpyxl writes and fills the workbooks as an office would, the importer
writes Parquet, the engine (DuckDB) reads it back through `thidua snapshot` and `thidua check`.
Every refusal names its row and column, and leaves the data folder byte-identical.
"""

from __future__ import annotations

import csv
import json
import resource
import shutil
import threading
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook

from dashboard.cli import main
from dashboard.importing import writer
from dashboard.importing.validate import NewRow

REPO_DATA = Path(__file__).resolve().parents[1] / "data"
NOW = "2020-07-10T18:00"  # campaign-local; Công an's last reports are on 10/7 at 16:45
POLICE = "Công an thành phố"
# The template's columns (header on row 5, data from row 6).
COL = {"target_id": "A", "last_value": "E", "last_date": "F", "value": "G", "date": "H",
       "note": "I"}


# -- helpers ----------------------------------------------------------------------------------

@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the bundled campaign (campaign.toml, targets.parquet, progress/)."""
    folder = tmp_path / "data"
    shutil.copytree(REPO_DATA, folder)
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    """Every path under folder → its bytes (b"<dir>" for folders): proof nothing was written."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*"))}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def imp(capsys: pytest.CaptureFixture[str], data: Path, file: Path, *extra: str,
        reporter: str = POLICE, now: str = NOW) -> tuple[int, str, str]:
    return run(capsys, "import", str(file), "--data", str(data), "--reporter", reporter,
               "--now", now, *extra)


def targets_now(capsys: pytest.CaptureFixture[str], data: Path, now: str = NOW
                ) -> dict[str, dict[str, Any]]:
    code, out, _ = run(capsys, "snapshot", "--data", str(data), "--now", now, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    return {t["target_id"]: t for a in doc["areas"] for t in a["targets"]}


def imported(data: Path) -> list[Path]:
    return sorted((data / "progress" / "imports").glob("*.parquet"))


def template(capsys: pytest.CaptureFixture[str], data: Path, out: Path, *extra: str,
             reporter: str | None = POLICE) -> Path:
    who = ("--reporter", reporter) if reporter else ()
    code, _, err = run(capsys, "template", str(out), "--data", str(data), "--now", NOW, *who,
                       *extra)
    assert code == 0, err
    return out


def fill(path: Path, entries: dict[str, Sequence[str | float | datetime | None]],
         out: Path | None = None) -> Path:
    """Type (value, date[, note]) into the template row of each target, as a user would."""
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    rows = {ws[f"A{r}"].value: r for r in range(6, ws.max_row + 1)}
    for tid, cells in entries.items():
        r = rows[tid]
        for col, value in zip(("value", "date", "note"), cells, strict=False):
            ws[f"{COL[col]}{r}"] = value
    out = out or path.with_name(f"filled-{path.name}")
    wb.save(out)
    return out


def row_of(path: Path, tid: str) -> int:
    ws = load_workbook(path).active
    assert ws is not None
    return next(r for r in range(6, ws.max_row + 1) if ws[f"A{r}"].value == tid)


def sheet(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """A plain one-sheet workbook with the given rows from A1."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


HEADER = ("Mã chỉ tiêu", "Giá trị mới", "Ngày báo cáo", "Ghi chú")


def refused(capsys: pytest.CaptureFixture[str], data: Path, file: Path, *extra: str,
            reporter: str = POLICE, now: str = NOW, code: int = 1) -> str:
    """Import that must be refused, leaving the data folder byte-identical; returns stdout."""
    before = tree(data)
    got, out, err = imp(capsys, data, file, *extra, reporter=reporter, now=now)
    assert got == code, out + err
    assert tree(data) == before
    return out + err


# -- template ---------------------------------------------------------------------------------

def test_template_for_one_reporter_lists_its_targets_locked_with_validation(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    before = tree(data)
    path = template(capsys, data, tmp_path / "ca.xlsx")
    assert tree(data) == before
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    assert [c.value for c in ws[5]] == ["Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính",
                                        "Chỉ tiêu giao", "Giá trị báo cáo gần nhất",
                                        "Ngày báo cáo gần nhất", "Giá trị mới", "Ngày báo cáo",
                                        "Ghi chú"]
    ids = [ws[f"A{r}"].value for r in range(6, ws.max_row + 1)]
    assert ids == ["AN01", "AN02", "AN03", "AN04", "AN07"]
    r = row_of(path, "AN02")
    assert ws[f"D{r}"].value == 40
    assert ws[f"E{r}"].value == 21
    assert ws[f"F{r}"].value.date().isoformat() == "2020-07-10"
    assert ws.protection.sheet
    for col in "ABCDEF":
        assert ws[f"{col}{r}"].protection.locked
    for col in "GHI":
        assert not ws[f"{col}{r}"].protection.locked
    kinds = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert str(kinds["decimal"].sqref) == "G6:G10"
    assert str(kinds["date"].sqref) == "H6:H10"
    assert (kinds["date"].formula1, kinds["date"].formula2) == ("DATE(2020,5,6)",
                                                                "DATE(2020,9,30)")


def test_template_reporter_by_slug_owner_without_reports_and_all_targets(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    ws = load_workbook(template(capsys, data, tmp_path / "a.xlsx", reporter="cong-an-thanh-pho")
                       ).active
    assert ws is not None and ws["A6"].value == "AN01"
    # UBND phường Chi Lăng owns CC05 but another office reports it: it still gets its row.
    ws = load_workbook(template(capsys, data, tmp_path / "b.xlsx", reporter="phuong-chi-lang")
                       ).active
    assert ws is not None
    assert [ws[f"A{r}"].value for r in range(6, ws.max_row + 1)] == ["CC05"]
    assert ws["E6"].value is None
    ws = load_workbook(template(capsys, data, tmp_path / "c.xlsx", "--lang", "en",
                                reporter=None)).active
    assert ws is not None
    assert ws["A5"].value == "Target ID" and ws.max_row == 5 + 31


def test_template_prints_on_a4_with_nothing_cut(capsys: pytest.CaptureFixture[str], data: Path,
                                               tmp_path: Path) -> None:
    """A4 landscape, one page wide, the header row on every page, page numbers; every row as
    tall as its wrapped text (a spreadsheet does not grow a merged or wrapped row itself)."""
    ws = load_workbook(template(capsys, data, tmp_path / "all.xlsx", reporter=None)).active
    assert ws is not None
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$5" and "&P" in ws.oddFooter.center.text
    line = 11 * 1.25  # points per 11 pt line, at the least

    def width(col: str) -> float:
        return float(ws.column_dimensions[col].width)

    # a column N characters wide holds at most N characters a line
    page = sum(width(c) for c in "ABCDEFGHI")
    assert ws.row_dimensions[1].height >= 14 * 1.25 * -(-len(ws["A1"].value) * 14 // 11 // page)
    assert ws.row_dimensions[3].height >= line * -(-len(ws["A3"].value) // page)
    header = max(-(-len(str(c.value)) // width(c.column_letter)) for c in ws[5])
    assert header >= 2 and ws.row_dimensions[5].height >= line * header
    long = [r for r in range(6, ws.max_row + 1) if len(ws[f"B{r}"].value) > width("B")]
    assert long  # the sample has titles longer than the column
    for r in long:
        assert ws.row_dimensions[r].height >= line * -(-len(ws[f"B{r}"].value) // width("B"))
    assert ws["F6"].number_format == "dd/m/yyyy"  # 06/5/2020, as offices write it


def test_a_campaign_over_new_year_writes_january_with_its_zero() -> None:
    """05/01/2021 and 28/02/2021, yet 06/5/2020 and 30/12/2020: the zero of months 1–2 by a
    condition on the date's serial number (44197 = 01/01/2021, 44256 = 01/3/2021)."""
    from dashboard.importing.template import date_format

    fmt = date_format("vi", date(2020, 12, 1), date(2021, 3, 31))
    assert fmt == "[<44197]dd/m/yyyy;[<44256]dd/mm/yyyy;dd/m/yyyy"
    assert date_format("vi", date(2020, 5, 6), date(2020, 9, 30)) == "dd/m/yyyy"
    assert date_format("en", date(2020, 12, 1), date(2021, 3, 31)) == "yyyy-mm-dd"


def test_template_refuses_the_data_folder_an_existing_file_and_unknown_reporters(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    before = tree(data)
    code, _, err = run(capsys, "template", str(data / "progress" / "t.xlsx"), "--data", str(data))
    assert code == 2 and "thư mục dữ liệu" in err
    existing = tmp_path / "exists.xlsx"
    existing.write_bytes(b"office work")
    code, _, err = run(capsys, "template", str(existing), "--data", str(data))
    assert code == 2 and "--force" in err and existing.read_bytes() == b"office work"
    code, _, err = run(capsys, "template", str(tmp_path / "x.xlsx"), "--data", str(data),
                       "--reporter", "Phòng Không Có", "--lang", "en")
    assert code == 2 and "Unknown reporter" in err
    assert tree(data) == before
    assert not (tmp_path / "x.xlsx").exists()


# -- round trips ------------------------------------------------------------------------------

def test_xlsx_round_trip_updates_the_snapshot_and_passes_check(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    assert targets_now(capsys, data)["AN04"]["status"] == "on_track"
    path = template(capsys, data, tmp_path / "ca.xlsx")
    filled = fill(path, {"AN04": (38, "10/7/2020", "Đủ 38 đại hội"), "AN07": ("1.234", "10/7/2020"),
                         "AN02": ("22,5", datetime(2020, 7, 10))})  # a real date cell
    code, out, _ = imp(capsys, data, filled)
    assert code == 0, out
    assert "AN04: 34 đại hội → 38 đại hội · Đúng tiến độ → Hoàn thành" in out
    [written] = imported(data)
    assert written.name.startswith("2020-07-10_cong-an-thanh-pho_")
    table = pq.read_table(written)
    assert str(table.schema.field("reported_at").type) == "timestamp[us]"
    rows = {r["target_id"]: r for r in table.to_pylist()}
    assert rows["AN07"]["value"] == 1234.0 and rows["AN02"]["value"] == 22.5
    assert rows["AN04"]["note"] == "Đủ 38 đại hội" and rows["AN04"]["reporter"] == POLICE
    assert rows["AN04"]["reported_at"].isoformat() == "2020-07-10T18:00:00"  # today: now
    after = targets_now(capsys, data)
    assert (after["AN04"]["value"], after["AN04"]["status"]) == (38, "done")
    assert (after["AN07"]["value"], after["AN07"]["status"]) == (1234, "done")
    assert after["AN02"]["value"] == 22.5
    assert run(capsys, "check", "--data", str(data))[0] == 0


def test_csv_template_round_trip(capsys: pytest.CaptureFixture[str], data: Path,
                                 tmp_path: Path) -> None:
    path = template(capsys, data, tmp_path / "ca.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert lines[0][:2] == ["Mã chỉ tiêu", "Tên chỉ tiêu"]
    assert len(lines[0]) == 9
    by_id = {r[0]: r for r in lines[1:]}
    assert by_id["AN02"][4:6] == ["21", "10/7/2020"]
    by_id["AN02"][6:9] = ["24,5", "9/7/2020", ""]  # 9/7 is before the 10/7 report
    by_id["AN01"][6:9] = ["76", "10/7/2020", "Vượt chỉ tiêu"]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";").writerows(lines)
    code, out, _ = imp(capsys, data, path)
    assert code == 0, out
    assert "AN02: 21 vụ (không đổi: đã có báo cáo mới hơn)" in out
    after = targets_now(capsys, data)
    assert after["AN01"]["value"] == 76 and after["AN02"]["value"] == 21
    assert run(capsys, "check", "--data", str(data))[0] == 0


def test_english_template_and_messages(capsys: pytest.CaptureFixture[str], data: Path,
                                       tmp_path: Path) -> None:
    path = template(capsys, data, tmp_path / "en.xlsx", "--lang", "en")
    r = row_of(path, "AN02")
    filled = fill(path, {"AN02": ("many", "2020-07-10")})
    out = refused(capsys, data, filled, "--lang", "en")
    assert f"Row {r}, column G (New value): “many” is not a number" in out
    filled = fill(path, {"AN02": (30, "2020-07-10")})
    code, out, _ = imp(capsys, data, filled, "--lang", "en")
    assert code == 0 and "Wrote progress/imports/" in out


def test_vietnamese_office_sheet_with_extra_sheets_merged_titles_and_empty_rows(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = "Hướng dẫn"
    guide.append(["Điền số liệu ở trang Số liệu"])
    guide.append(["Mã chỉ tiêu: xem danh mục"])
    ws = wb.create_sheet("Số liệu")
    ws["A1"] = "UBND THÀNH PHỐ LẠNG SƠN"
    ws.merge_cells("A1:F1")
    ws["A2"] = "BÁO CÁO KẾT QUẢ THI ĐUA TUẦN"
    ws.merge_cells("A2:F2")
    ws.append([])
    ws.append(["STT", "MÃ CHỈ TIÊU", "Nội dung", "Giá trị", "Ngày", "Ghi chú"])  # row 4
    ws.append([])
    ws.append([1, "an07", "Tuần tra", "1.234,5", "10/7/2020", None])  # row 6
    ws.append([])
    ws.append([2, "AN01", "Khám phá án", 0.8, "9-7-2020", None])  # row 8, shown as 80%
    ws["D8"].number_format = "0%"
    ws.append([3, "AN03", "Tai nạn", "95,5", "10.7.2020", "Giảm so với tuần trước"])
    ws.append([None, None, None, None, None, None])
    ws.append([None, "Người lập biểu", None, None, None, None])  # signature: no value, skipped
    path = tmp_path / "bao-cao.xlsx"
    wb.save(path)
    code, out, _ = imp(capsys, data, path)
    assert code == 0, out
    assert "trang «Số liệu», dòng tiêu đề 4" in out
    rows = {r["target_id"]: r for r in pq.read_table(imported(data)[0]).to_pylist()}
    assert rows["AN07"]["value"] == 1234.5
    assert rows["AN01"]["value"] == 80.0
    assert rows["AN03"]["value"] == 95.5  # at_most target: going down is progress, no note
    assert rows["AN01"]["reported_at"].isoformat() == "2020-07-09T23:59:59"
    assert targets_now(capsys, data)["AN07"]["value"] == 1234.5


def test_english_contract_headers_in_a_csv(capsys: pytest.CaptureFixture[str], data: Path,
                                           tmp_path: Path) -> None:
    path = tmp_path / "contract.csv"
    path.write_text("target_id,reporter,reported_at,value,note\n"
                    "AN04,Công an thành phố,2020-07-10 09:30,36,\n"
                    "AN02,cong-an-thanh-pho,10/7/2020,\"1,234.5\",big\n", encoding="utf-8")
    code, out, _ = imp(capsys, data, path)
    assert code == 0, out
    rows = {r["target_id"]: r for r in pq.read_table(imported(data)[0]).to_pylist()}
    assert rows["AN04"]["reported_at"].isoformat() == "2020-07-10T09:30:00"
    assert rows["AN02"]["value"] == 1234.5


# -- refusals ---------------------------------------------------------------------------------

def test_every_row_problem_is_reported_with_its_row_and_column(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    path = sheet(tmp_path / "bad.xlsx", [
        ["Báo cáo tuần"],                                   # 1: title
        list(HEADER),                                       # 2: header
        ["XX99", 5, "10/7/2020", None],                     # 3: unknown target
        [None, 5, "10/7/2020", None],                       # 4: no target id
        ["AN04", "nhiều", "10/7/2020", None],               # 5: not a number
        ["AN04", "inf", "10/7/2020", None],                 # 6: not finite
        ["AN07", 200, None, None],                          # 7: no date
        ["AN07", 200, "31/2/2020", None],                   # 8: not a date
        ["AN07", 200, "1/5/2020", None],                    # 9: before the campaign
        ["AN07", 200, "11/7/2020", None],                   # 10: the future
        ["AN02", 15, "10/7/2020", None],                    # 11: lower than 21 on 10/7
        ["AN01", 76, "10/7/2020", None],                    # 12: fine
        ["AN01", 77, "10/7/2020", None],                    # 13: second AN01 on 10/7
        ["AN03", None, "10/7/2020", "chưa có số"],          # 14: no value: skipped
    ])
    out = refused(capsys, data, path)
    expected = [
        "Dòng 3, cột A (Mã chỉ tiêu): Không có chỉ tiêu nào mã «XX99».",
        "Dòng 4, cột A (Mã chỉ tiêu): Mã chỉ tiêu trống.",
        "Dòng 5, cột B (Giá trị mới): «nhiều» không phải là số",
        "Dòng 6, cột B (Giá trị mới): «inf» không phải là một số hữu hạn.",
        "Dòng 7, cột C (Ngày báo cáo): Chưa nhập ngày báo cáo.",
        "Dòng 8, cột C (Ngày báo cáo): «31/2/2020» không phải là ngày",
        "Dòng 9, cột C (Ngày báo cáo): Ngày 01/5/2020 trước ngày bắt đầu đợt thi đua (06/5/2020).",
        "Dòng 10, cột C (Ngày báo cáo): Ngày 11/7/2020 chưa tới (bây giờ là 10/7/2020 18:00).",
        "Dòng 11, cột B (Giá trị mới): Giá trị 15 thấp hơn giá trị đã báo cáo 21 ngày 10/7/2020",
        "Dòng 13, cột C (Ngày báo cáo): Chỉ tiêu AN01 ngày 10/7/2020 đã có ở dòng 12.",
    ]
    lines = out.splitlines()
    for want in expected:
        assert any(line.startswith(want) for line in lines), (want, out)
    assert not any(line.startswith("Dòng 12,") or line.startswith("Dòng 14,") for line in lines)
    assert "10 lỗi ở 10 dòng; không ghi gì." in out


def test_late_dates_need_allow_late_but_never_the_future(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    path = sheet(tmp_path / "late.xlsx", [HEADER, ["AN01", 90, "2/10/2020", None]])
    out = refused(capsys, data, path, now="2020-10-05T09:00")
    assert "Dòng 2, cột C (Ngày báo cáo): Ngày 02/10/2020 sau ngày kết thúc đợt thi đua" in out
    future = sheet(tmp_path / "future.xlsx", [HEADER, ["AN01", 90, "6/10/2020", None]])
    out = refused(capsys, data, future, "--allow-late", now="2020-10-05T09:00")
    assert "Dòng 2, cột C (Ngày báo cáo): Ngày 06/10/2020 chưa tới" in out
    code, out, _ = imp(capsys, data, path, "--allow-late", now="2020-10-05T09:00")
    assert code == 0, out
    assert run(capsys, "check", "--data", str(data))[0] == 0


def test_a_decrease_needs_allow_decrease_and_a_note(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    path = template(capsys, data, tmp_path / "ca.xlsx")
    r = row_of(path, "AN02")
    no_note = fill(path, {"AN02": (18, "10/7/2020")})
    out = refused(capsys, data, no_note)
    assert f"Dòng {r}, cột G (Giá trị mới): Giá trị 18 thấp hơn giá trị đã báo cáo 21" in out
    out = refused(capsys, data, no_note, "--allow-decrease")
    assert f"Dòng {r}, cột I (Ghi chú): Giá trị giảm từ 21 xuống 18: cần ghi chú lý do." in out
    noted = fill(path, {"AN02": (18, "10/7/2020", "Rà soát lại, trùng 3 vụ")})
    code, out, _ = imp(capsys, data, noted, "--allow-decrease")
    assert code == 0, out
    assert targets_now(capsys, data)["AN02"]["value"] == 18


def test_rows_of_one_file_are_checked_against_each_other(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    path = sheet(tmp_path / "weeks.xlsx", [HEADER, ["AN02", 30, "10/7/2020", None],
                                           ["AN02", 25, "9/7/2020", None],   # fine: 20 on 3/7
                                           ["AN02", 22, "10/7/2020 09:00", None]])
    out = refused(capsys, data, path)
    # Row 4 (10/7 09:00) repeats the day of row 2, and row 2 is checked against row 3.
    assert "Dòng 4, cột C (Ngày báo cáo): Chỉ tiêu AN02 ngày 10/7/2020 đã có ở dòng 2." in out
    # A day later, a row for 10/7 (after that day's 16:45 report of 21) comes before 11/7.
    later = sheet(tmp_path / "later.xlsx", [HEADER, ["AN02", 24, "11/7/2020", None],
                                            ["AN02", 26, "10/7/2020", None]])
    out = refused(capsys, data, later, now="2020-07-11T12:00")
    assert "Dòng 2, cột B (Giá trị mới): Giá trị 24 thấp hơn giá trị đã báo cáo 26 ngày " \
        "10/7/2020" in out
    assert "Dòng 3," not in out


def test_reporter_column_must_match(capsys: pytest.CaptureFixture[str], data: Path,
                                    tmp_path: Path) -> None:
    path = sheet(tmp_path / "r.xlsx", [["Mã chỉ tiêu", "Đơn vị báo cáo", "Giá trị", "Ngày"],
                                       ["AN01", "Phòng Kinh tế", 80, "10/7/2020"]])
    out = refused(capsys, data, path)
    assert "Dòng 2, cột B (Đơn vị báo cáo): Đơn vị báo cáo «Phòng Kinh tế» khác với" in out


def test_the_same_content_is_imported_once(capsys: pytest.CaptureFixture[str], data: Path,
                                           tmp_path: Path) -> None:
    path = sheet(tmp_path / "a.xlsx", [HEADER, ["AN01", 76, "9/7/2020", None],
                                       ["AN04", 35, "9/7/2020", None]])
    assert imp(capsys, data, path)[0] == 0
    [first] = imported(data)
    again = tmp_path / "b.csv"  # the same rows, in another order, in another kind of file
    again.write_text("Mã chỉ tiêu,Giá trị mới,Ngày báo cáo\nAN04,35,09/07/2020\nAN01,76,9/7/2020\n",
                     encoding="utf-8")
    out = refused(capsys, data, again)
    assert f"progress/imports/{first.name}" in out
    assert imported(data) == [first]


def test_unusable_input_exits_2(capsys: pytest.CaptureFixture[str], data: Path,
                                tmp_path: Path) -> None:
    good = sheet(tmp_path / "good.xlsx", [HEADER, ["AN01", 76, "10/7/2020", None]])
    out = refused(capsys, data, tmp_path / "missing.xlsx", code=2)
    assert "Không tìm thấy tệp" in out
    out = refused(capsys, data, good, reporter="Phòng Không Tồn Tại", code=2)
    assert "Không biết đơn vị báo cáo «Phòng Không Tồn Tại»" in out
    no_header = sheet(tmp_path / "nh.xlsx", [["a", "b"], [1, 2]])
    assert "không tìm thấy dòng tiêu đề" in refused(capsys, data, no_header, code=2)
    no_date = sheet(tmp_path / "nd.xlsx", [["Mã chỉ tiêu", "Giá trị mới"], ["AN01", 5]])
    out = refused(capsys, data, no_date, code=2)
    assert "dòng tiêu đề 1: thiếu cột «Ngày báo cáo» (reported_at)" in out
    empty = sheet(tmp_path / "empty.xlsx", [HEADER, ["AN01", None, None, None]])
    assert "không có dòng nào có giá trị mới" in refused(capsys, data, empty, code=2)
    text = tmp_path / "a.txt"
    text.write_text("x")
    assert "chỉ nhận tệp" in refused(capsys, data, text, code=2)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Mã chỉ tiêu,Giá trị mới,Ngày báo cáo\n".encode("utf-16-le"))
    assert "UTF-8" in refused(capsys, data, latin, code=2)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert "Không đọc được tệp" in refused(capsys, data, broken, code=2)


def _with_sheet_xml(source: Path, dest: Path, edit: Callable[[bytes], bytes]) -> Path:
    """A copy of a workbook whose first sheet's XML is edited (packed as tightly as zip can)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED,
                                                         compresslevel=9) as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)
            zout.writestr(item.filename, body)
    return dest


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    good = sheet(tmp_path / "good.xlsx", [HEADER, ["AN01", 76, "10/7/2020", None]])
    bomb = _with_sheet_xml(good, tmp_path / "bomb.xlsx", lambda x: x.replace(
        b"</sheetData>", b'<row r="9"><c r="A9" t="inlineStr"><is><t>' + b"a" * 300_000_000
        + b"</t></is></c></row></sheetData>"))
    assert bomb.stat().st_size < 1_000_000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = refused(capsys, data, bomb, code=2)
    assert "bomb.xlsx: phần «xl/worksheets/sheet1.xml» giải nén ra 286 MB" in out
    assert "không mở" in out
    # nothing near the 286 MB was ever held (the process's peak did not move by 100 MB)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 100_000


def test_a_cell_numbered_far_away_does_not_hide_the_good_rows(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    good = sheet(tmp_path / "good.xlsx", [HEADER, ["AN01", 76, "10/7/2020", None]])
    far = _with_sheet_xml(good, tmp_path / "far.xlsx", lambda x: x.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                         b'<row r="99999999"><c r="A99999999"><v>1</v></c></row></sheetData>'))
    code, out, _ = imp(capsys, data, far)
    assert code == 0, out
    assert [r["value"] for r in pq.read_table(imported(data)[0]).to_pylist()] == [76.0]


# -- dry run, concurrency ---------------------------------------------------------------------

def test_dry_run_shows_rows_and_changes_without_writing(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    path = sheet(tmp_path / "d.xlsx", [HEADER, ["AN04", 38, "10/7/2020", "đủ"],
                                       ["AN02", 20.5, "9/7/2020", None]])
    before = tree(data)
    code, out, _ = imp(capsys, data, path, "--dry-run")
    assert code == 0, out
    assert tree(data) == before
    assert "Chạy thử: sẽ ghi progress/imports/2020-07-10_cong-an-thanh-pho_" in out
    assert "  Dòng 2: AN04 · 10/7/2020 · 38 · đủ" in out
    assert "  Dòng 3: AN02 · 09/7/2020 · 20,5" in out
    assert "AN04: 34 đại hội → 38 đại hội · Đúng tiến độ → Hoàn thành" in out
    assert "AN02: 21 vụ (không đổi: đã có báo cáo mới hơn) · Đúng tiến độ" in out
    # The dry run of a clean file is the import: the real one then prints the same changes.
    code, real, _ = imp(capsys, data, path)
    assert code == 0 and "AN04: 34 đại hội → 38 đại hội" in real


def test_two_imports_at_the_same_moment_both_land(
        capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    a = sheet(tmp_path / "a.xlsx", [HEADER, ["AN04", 37, "10/7/2020", None]])
    b = sheet(tmp_path / "b.xlsx", [HEADER, ["KT09", 2, "10/7/2020", None]])
    start = threading.Barrier(2)
    codes: dict[str, int] = {}

    def go(name: str, path: Path, reporter: str) -> None:
        start.wait()
        codes[name] = main(["import", str(path), "--data", str(data), "--reporter", reporter,
                            "--now", NOW])

    threads = [threading.Thread(target=go, args=("a", a, POLICE)),
               threading.Thread(target=go, args=("b", b, "UBND xã Quảng Lạc"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == {"a": 0, "b": 0}
    names = [p.name for p in imported(data)]
    assert len(names) == 2 and any("cong-an" in n for n in names)
    assert any("xa-quang-lac" in n for n in names)
    assert not [p for p in (data / "progress" / "imports").iterdir() if p.name.startswith(".")]
    after = targets_now(capsys, data)
    assert after["AN04"]["value"] == 37 and after["KT09"]["value"] == 2
    assert run(capsys, "check", "--data", str(data))[0] == 0


def test_publishing_never_overwrites_an_existing_file(data: Path) -> None:
    """The race the name check cannot see: another import published the same name first."""
    rows = [NewRow(2, "AN01", date(2020, 7, 9), datetime(2020, 7, 9, 23, 59, 59), 76.0, None)]
    planned = writer.plan(rows, POLICE)
    final = data / planned.rel_path
    final.parent.mkdir(parents=True)
    final.write_bytes(b"the other import")
    tmp = final.with_name(".tmp-test")
    tmp.write_bytes(b"ours")
    with pytest.raises(writer.AlreadyImported):
        writer._publish(tmp, final, data)
    assert final.read_bytes() == b"the other import"
    tmp.unlink()
    final.unlink()
    written = writer.write(data, planned)
    assert pq.read_table(written).num_rows == 1
    with pytest.raises(writer.AlreadyImported) as e:
        writer.write(data, planned)
    assert e.value.existing == planned.rel_path
