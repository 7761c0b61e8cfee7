"""`thidua brief`: the meeting briefing as PDF, xlsx and Markdown, over the bundled sample.

The PDF is read back with poppler (pdfinfo, pdftotext, pdffonts), as a reader would.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from dashboard.cli import main
from tests.app_support import SAMPLE, copy_sample
from tests.conftest import tree_bytes

NOW, SINCE = "2020-07-22T12:00", "2020-07-15"
NO_POPPLER = shutil.which("pdftotext") is None


def _brief(capsys: pytest.CaptureFixture[str], out: Path, *extra: str,
           data: Path = SAMPLE) -> tuple[int, str, str]:
    code = main(["brief", "--data", str(data), "--now", NOW, "--since", SINCE,
                 "--out", str(out), *extra])
    got, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, got, err


def _poppler(tool: str, *args: str) -> str:
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


@pytest.mark.skipif(NO_POPPLER, reason="poppler-utils (pdftotext) is not installed")
def test_pdf_is_a4_with_embedded_font_page_numbers_and_nfc_vietnamese(tmp_path, capsys):
    out = tmp_path / "brief.pdf"
    code, said, _ = _brief(capsys, out)
    assert code == 0 and said.startswith(f"Đã ghi {out} (")
    info = _poppler("pdfinfo", str(out))
    assert "Page size:       595.28 x 841.89 pts (A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines()
                     if line.startswith("Pages:")))
    assert pages >= 3
    fonts = _poppler("pdffonts", str(out))
    assert "NotoSans" in fonts and " yes yes yes " in fonts  # embedded, subset, unicode map
    text = _poppler("pdftotext", "-layout", str(out), "-")
    assert unicodedata.normalize("NFC", text) == text
    for page in range(1, pages + 1):
        assert f"Trang {page}/{pages}" in text
    # the sample at 22/7 against 15/7 (see docs/briefing-2020-07-22.pdf)
    for words in ("BÁO CÁO TIẾN ĐỘ PHONG TRÀO THI ĐUA",
                  "Căn cứ: Văn bản số 442/PĐ-UBND ngày 01/5/2020 của UBND tỉnh Lạng Sơn",
                  "Số liệu tính đến: 12:00 22/7/2020", "So với: 23:59 15/7/2020",
                  "Lĩnh vực 4: Quốc phòng – An ninh", "Chỉ tiêu chậm tiến độ",
                  "Đơn vị chậm báo cáo", "UBND phường Vĩnh Trại", "Chuyển sang chậm tiến độ: KT07",
                  "Không có báo cáo mới: AN06", "Kết luận, chỉ đạo của cuộc họp",
                  "NGƯỜI GHI BIÊN BẢN", "CHỦ TRÌ CUỘC HỌP"):
        assert words in text, words


@pytest.mark.skipif(NO_POPPLER, reason="poppler-utils (pdftotext) is not installed")
def test_pdf_in_english(tmp_path, capsys):
    out = tmp_path / "brief.pdf"
    assert _brief(capsys, out, "--lang", "en")[0] == 0
    text = _poppler("pdftotext", str(out), "-")
    assert "EMULATION CAMPAIGN PROGRESS REPORT" in text and "Page 1/" in text
    assert "Units late with their reports" in text


def test_same_data_same_bytes(tmp_path, capsys):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert _brief(capsys, a)[0] == 0 and _brief(capsys, b)[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_an_existing_file_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "minutes.pdf"
    out.write_bytes(b"last week's minutes")
    code, said, err = _brief(capsys, out)
    assert code == 2 and said == ""
    assert err == f"thidua: {out} đã có: không ghi đè (chọn tên khác hoặc xóa tệp đó trước)\n"
    assert out.read_bytes() == b"last week's minutes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["minutes.pdf"]  # no temp left


def test_never_into_the_data_folder(tmp_path, capsys):
    data = copy_sample(tmp_path / "d")
    before = tree_bytes(data)
    code, _, err = _brief(capsys, data / "progress" / "brief.pdf", data=data)
    assert code == 2 and "nằm trong thư mục dữ liệu" in err
    assert tree_bytes(data) == before


def test_unknown_format_and_bad_since_are_one_line(tmp_path, capsys):
    code, _, err = _brief(capsys, tmp_path / "brief.docx")
    assert code == 2 and err.count("\n") == 1 and "--format pdf|xlsx|md" in err
    code = main(["brief", "--data", str(SAMPLE), "--now", NOW, "--since", "2020-08-01",
                 "--out", str(tmp_path / "b.md")])
    err = capsys.readouterr().err
    assert code == 2 and "--since 2020-08-01: phải trước thời điểm" in err
    assert not (tmp_path / "b.md").exists()


def test_xlsx_prints_on_a4_portrait_with_header_rows_repeated(tmp_path, capsys):
    from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

    out = tmp_path / "brief.xlsx"
    assert _brief(capsys, out)[0] == 0
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["Báo cáo", "Lĩnh vực 1 Kinh tế"]
    assert "Đơn vị báo cáo" in wb.sheetnames and "Bảng xếp hạng đơn vị" in wb.sheetnames
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"  # A4
        assert ws.page_setup.orientation == "portrait"
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    economy = wb["Lĩnh vực 1 Kinh tế"]
    assert economy.print_title_rows == "$3:$3"  # the header row, on every page
    assert economy["A3"].value == "Chỉ tiêu" and economy["B3"].value == "Đơn vị phụ trách"
    assert economy["A4"].value.startswith("KT01 ") and economy["A4"].alignment.wrap_text
    assert economy["H10"].value == "+0,6"  # KT07: 24,1 → 24,7 since 15/7


def test_markdown_briefing(tmp_path, capsys):
    out = tmp_path / "brief.md"
    assert _brief(capsys, out)[0] == 0
    text = out.read_text("utf-8")
    assert text.startswith("# BÁO CÁO TIẾN ĐỘ PHONG TRÀO THI ĐUA\n")
    assert "## Lĩnh vực 1: Kinh tế" in text
    assert ("| KT07 Lượt khách tham quan Khu di tích danh thắng Nhị – Tam Thanh | "
            "UBND phường Tam Thanh | 24,7 / 60 nghìn lượt | 41% | 53% | Chậm | 47,2 | +0,6 |"
            in text)
    assert "| 6 | UBND xã Hoàng Đồng | 81% | +3 |" in text  # 9th on 15/7, 6th on 22/7
