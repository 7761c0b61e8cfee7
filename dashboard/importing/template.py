"""`thidua template`: the workbook (or CSV) an office fills in and sends back to be imported.

One row per target the reporter reports on, with what the office needs to see (id, title,
unit, target value, its own last report and date) locked, and three input cells unlocked:
new value, date, note. The sheet is protected without a password: the lock prevents slips,
not determined users, and the importer checks every cell anyway. Excel's data validation
repeats two of the importer's rules where Excel can (decimal numbers, dates in the campaign)
so most mistakes are caught while typing.

The title rows above the table are there for people; the importer finds the header row by
its names, so offices may add rows, sheets or a letterhead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import (  # type: ignore[import-untyped, unused-ignore]
    Alignment,
    Border,
    Font,
    PatternFill,
    Protection,
    Side,
)
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped, unused-ignore]
    DataValidation,
)
from openpyxl.worksheet.worksheet import (  # type: ignore[import-untyped, unused-ignore]
    Worksheet,
)

from dashboard import numbers_dates
from dashboard.atomic_files import write_bytes_atomic
from dashboard.engine.targets import Target
from dashboard.importing.cells import show_day
from dashboard.importing.headers import TEMPLATE_KEYS
from dashboard.importing.knowledge import Knowledge
from dashboard.importing.strings import Messages, messages
from dashboard.xlsx_paper import fit_row, print_on_a4

HEADER_ROW = 5
"""Rows 1–3 are titles (merged), row 4 is empty: the importer must find the header anyway."""
INPUT_KEYS = ("value", "reported_at", "note")
WIDTHS = {"target_id": 12, "title": 60, "unit": 14, "target_value": 13, "last_value": 16,
          "last_date": 16, "value": 14, "reported_at": 14, "note": 40}
DATE_FORMAT = {"vi": "dd/m/yyyy", "en": "yyyy-mm-dd"}
"""06/5/2020 as Nghị định 30/2020 writes it."""
_EXCEL_EPOCH = date(1899, 12, 30)


def date_format(lang: str, start: date, end: date) -> str:
    """The date cells' number format. Vietnamese adds the zero to months 1 and 2 (05/01/2021)
    with a condition on the date's serial number: a number format cannot ask for the month, so
    the January–February of the first year the campaign reaches them get `dd/mm/yyyy` (the
    campaign's dates, and so every date the importer accepts, in a campaign of up to a year)."""
    if lang != "vi":
        return DATE_FORMAT[lang]
    for year in range(start.year, end.year + 1):
        first, march = date(year, 1, 1), date(year, 3, 1)
        if first <= end and march > start:
            low, high = ((d - _EXCEL_EPOCH).days for d in (first, march))
            return f"[<{low}]dd/m/yyyy;[<{high}]dd/mm/yyyy;dd/m/yyyy"
    return DATE_FORMAT[lang]
CSV_DELIMITER = {"vi": ";", "en": ","}
"""What Excel expects where each language is the regional setting: Vietnamese writes decimal
commas, so its list separator is the semicolon."""
VALUE_LIMIT = "1E+15"

_INPUT_FILL = PatternFill("solid", start_color="FFF9E5")
_HEADER_FILL = PatternFill("solid", start_color="DDE7F3")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class TemplateRow:
    target: Target
    last_value: float | None
    last_day: date | None


def template_rows(know: Knowledge, reporter: str | None) -> list[TemplateRow]:
    """For a reporter, its own last report on each target; for everyone, the target's value
    on the dashboard (for a `sum` target, the total of all reporters)."""
    tz = know.campaign.tz
    out: list[TemplateRow] = []
    for t in know.targets_of(reporter):
        if reporter is not None:
            last = know.last_report(t.target_id, reporter)
            value, at = (last.value, last.at) if last else (None, None)
        else:
            state = know.snapshot.target(t.target_id)
            value = state.value if state else None
            at = state.last_report_at if state else None
        out.append(TemplateRow(t, value, at.astimezone(tz).date() if at else None))
    return out


def write_xlsx(path: Path, rows: Sequence[TemplateRow], know: Knowledge, reporter: str | None,
               lang: str) -> None:
    tr = messages(lang)
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = tr("template.sheet")
    last_col = get_column_letter(len(TEMPLATE_KEYS))
    _titles(ws, tr, know, reporter, lang, last_col)
    for i, key in enumerate(TEMPLATE_KEYS, 1):
        cell = ws.cell(HEADER_ROW, i, tr(f"col.{key}"))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS[key]
    for n, row in enumerate(rows, HEADER_ROW + 1):
        t = row.target
        values: dict[str, str | float | date | None] = {
            "target_id": t.target_id, "title": t.title(lang), "unit": t.unit(lang),
            "target_value": t.target_value, "last_value": row.last_value,
            "last_date": row.last_day, "value": None, "reported_at": None, "note": None}
        for i, key in enumerate(TEMPLATE_KEYS, 1):
            cell = ws.cell(n, i, values[key])
            cell.border = _BOX
            cell.alignment = Alignment(wrap_text=key in ("title", "note"), vertical="top")
            if key in ("last_date", "reported_at"):
                cell.number_format = date_format(lang, know.campaign.start, know.campaign.end)
            if key in INPUT_KEYS:
                cell.protection = Protection(locked=False)
                cell.fill = _INPUT_FILL
        fit_row(ws, n, [(str(values["title"] or ""), WIDTHS["title"])])
    if rows:
        _validations(ws, tr, know, lang, HEADER_ROW + 1, HEADER_ROW + len(rows))
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # allowed: widen a column, wrap a row
    ws.protection.formatRows = False
    print_on_a4(ws, landscape=True, header_row=HEADER_ROW)  # nine columns: A4 landscape
    fit_row(ws, HEADER_ROW, [(tr(f"col.{k}"), WIDTHS[k]) for k in TEMPLATE_KEYS])
    buf = io.BytesIO()
    wb.save(buf)
    write_bytes_atomic(path, buf.getvalue())


def _titles(ws: Worksheet, tr: Messages, know: Knowledge, reporter: str | None, lang: str,
            last_col: str) -> None:
    c = know.campaign
    lines = [
        tr("template.title", campaign=c.title(lang)),
        tr("template.reporter", reporter=reporter) if reporter else tr("template.all_targets"),
        tr("template.as_of", moment=numbers_dates.moment(know.now, lang, c.tz),
           value=tr("col.value"), date=tr("col.reported_at"), note=tr("col.note")),
    ]
    for n, text in enumerate(lines, 1):
        cell = ws.cell(n, 1, text)
        cell.font = Font(bold=n == 1, size=14 if n == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(f"A{n}:{last_col}{n}")
        # the merged title spans every column; 14 pt letters are wider than 11 pt ones
        size = 14.0 if n == 1 else 11.0
        fit_row(ws, n, [(text, sum(WIDTHS.values()) * 11.0 / size)], size)


def _validations(ws: Worksheet, tr: Messages, know: Knowledge, lang: str, first: int, last: int
                 ) -> None:
    c = know.campaign
    span = {"start": numbers_dates.day(c.start, lang), "end": numbers_dates.day(c.end, lang)}
    value = DataValidation(
        type="decimal", operator="between", formula1=f"-{VALUE_LIMIT}", formula2=VALUE_LIMIT,
        allow_blank=True, showErrorMessage=True, showInputMessage=True,
        errorTitle=tr("template.value_error_title"), error=tr("template.value_error"),
        promptTitle=tr("template.value_prompt_title"), prompt=tr("template.value_prompt"))
    day = DataValidation(
        type="date", operator="between", formula1=_excel_date(c.start),
        formula2=_excel_date(c.end), allow_blank=True, showErrorMessage=True,
        showInputMessage=True, errorTitle=tr("template.date_error_title"),
        error=tr("template.date_error", **span), promptTitle=tr("template.date_prompt_title"),
        prompt=tr("template.date_prompt", **span))
    for dv, key in ((value, "value"), (day, "reported_at")):
        col = get_column_letter(TEMPLATE_KEYS.index(key) + 1)
        dv.add(f"{col}{first}:{col}{last}")
        ws.add_data_validation(dv)


def _excel_date(d: date) -> str:
    return f"DATE({d.year},{d.month},{d.day})"


def write_csv(path: Path, rows: Sequence[TemplateRow], lang: str) -> None:
    """The same columns, UTF-8 with a BOM (without it Excel shows Vietnamese as mojibake)."""
    tr = messages(lang)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=CSV_DELIMITER[lang], lineterminator="\r\n")
    w.writerow([tr(f"col.{k}") for k in TEMPLATE_KEYS])
    for row in rows:
        t = row.target
        w.writerow([t.target_id, t.title(lang), t.unit(lang) or "",
                    _plain(t.target_value, lang), _plain(row.last_value, lang),
                    _csv_day(row.last_day, lang), "", "", ""])
    write_bytes_atomic(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))


def _plain(value: float | None, lang: str) -> str:
    """A number the way the language's Excel reads it back: no grouping, local decimal mark."""
    if value is None:
        return ""
    text = format(value, ".15g")
    return text.replace(".", ",") if lang == "vi" else text


def _csv_day(day: date | None, lang: str) -> str:
    if day is None:
        return ""
    return show_day(day, lang) if lang == "vi" else day.isoformat()
