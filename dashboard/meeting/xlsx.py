"""A Document as an Excel workbook: a sheet per table, each printing on A4 portrait, one page
wide, with its header row repeated on every page and its titles wrapped, not cut."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import (  # type: ignore[import-untyped, unused-ignore]
    Alignment,
    Border,
    Font,
    PatternFill,
    Side,
)
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet.worksheet import (  # type: ignore[import-untyped, unused-ignore]
    Worksheet,
)

from dashboard.meeting.document import Block, Document
from dashboard.xlsx_paper import print_on_a4

PAGE_COLUMNS = 100.0
"""Character widths shared out over a sheet's columns (A4 portrait at fit-to-width)."""


def document_xlsx(doc: Document, first_sheet: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _sheet_name(first_sheet, set())
    names = {ws.title}
    _lines(ws, [doc.title, *doc.header], bold_first=True)
    texts = [b for b in doc.blocks if b.table is None or not b.table.rows]
    row = ws.max_row + 2
    for b in texts:  # blocks without a table (and the footer) go on the first sheet
        row = _text_block(ws, b, row)
    for role, hint in doc.signatures:
        ws.cell(row=row + 1, column=1, value=f"{role} {hint}")
        row += 1
    ws.column_dimensions["A"].width = PAGE_COLUMNS
    print_on_a4(ws)
    for b in doc.blocks:
        if b.table is None or not b.table.rows:
            continue
        sheet = wb.create_sheet(_sheet_name(b.heading or "", names))
        names.add(sheet.title)
        _table_sheet(sheet, b)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _lines(ws: Worksheet, lines: list[str], *, bold_first: bool = False) -> None:
    for i, line in enumerate(lines, 1):
        cell = ws.cell(row=i, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold_first and i == 1:
            cell.font = Font(bold=True, size=14)


def _text_block(ws: Worksheet, b: Block, row: int) -> int:
    if b.heading:
        ws.cell(row=row, column=1, value=b.heading).font = Font(bold=True, size=12)
        row += 1
    for line in b.lines:
        ws.cell(row=row, column=1, value=line).alignment = Alignment(wrap_text=True)
        row += 1
    for _ in range(b.writing_lines):
        ws.cell(row=row, column=1, value="").border = _underline()
        ws.row_dimensions[row].height = 22
        row += 1
    return row + 1


def _underline() -> Border:
    return Border(bottom=Side(style="thin", color="999999"))


def _table_sheet(ws: Worksheet, b: Block) -> None:
    assert b.table is not None
    t = b.table
    ws.cell(row=1, column=1, value=b.heading).font = Font(bold=True, size=12)
    row = 2
    for line in b.lines:
        ws.cell(row=row, column=1, value=line)
        row += 1
    header = row
    fill = PatternFill("solid", fgColor="E6E6E6")
    for col, name in enumerate(t.columns, 1):
        cell = ws.cell(row=header, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top",
                                   horizontal="right" if col - 1 in t.right else "left")
    for r, cells in enumerate(t.rows, header + 1):
        for col, value in enumerate(cells, 1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top",
                                       horizontal="right" if col - 1 in t.right else "left")
    total = sum(t.widths) or 1.0
    for col, w in enumerate(t.widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = max(6.0, PAGE_COLUMNS * w / total)
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    print_on_a4(ws, header_row=header)


def _sheet_name(text: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = " ".join(re.sub(r"[\[\]:*?/\\]", " ", text).split())[:31] or "Sheet"
    name, n = base, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name
