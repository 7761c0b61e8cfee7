"""How thidua's workbooks print: A4, one page wide, the header row on every page, page
numbers, and row heights that give wrapped text its lines (spreadsheets do not grow a merged
or wrapped row by themselves, so a long title would be cut or run into the next row)."""

from __future__ import annotations

import math

from openpyxl.worksheet.worksheet import (  # type: ignore[import-untyped, unused-ignore]
    Worksheet,
)

LINE_POINTS = 1.3
"""A text line's height in points, per point of font size (Calibri/Liberation in LibreOffice
and Excel: 11 pt → about 14.3 pt a line)."""


def print_on_a4(ws: Worksheet, *, landscape: bool = False, header_row: int | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = "&P / &N"
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"


def wrapped_lines(text: str, width_chars: float) -> int:
    """How many lines `text` takes in a column `width_chars` wide, wrapped at spaces."""
    lines, used = 1, 0
    for word in str(text).split():
        n = len(word)
        if used and used + 1 + n > width_chars:
            lines, used = lines + 1, 0
        used += n + (1 if used else 0)
        if used > width_chars:  # one word wider than the column: it breaks inside
            extra = math.ceil(used / max(width_chars, 1.0)) - 1
            lines, used = lines + extra, used - int(extra * width_chars)
    return lines


def fit_row(ws: Worksheet, row: int, texts: list[tuple[str, float]], size: float = 11.0
            ) -> None:
    """Give `row` the height its tallest wrapped cell needs (texts: (text, column width))."""
    lines = max((wrapped_lines(text, width) for text, width in texts), default=1)
    ws.row_dimensions[row].height = round(lines * size * LINE_POINTS + 2, 1)
