"""Reading a filled template, or any office sheet or CSV with recognisable headers.

Offices send workbooks with extra sheets, merged title rows above the table, empty rows and
signature lines below it. So the header row is found, not assumed: the first 20 rows of each
sheet are scanned for a row naming at least the target id and the value columns, and the
first sheet with one is used. Row numbers are the ones the user sees in Excel (the CSV record
number for CSV files), so every problem can be found in the file.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    InvalidFileException,
)

from dashboard.importing.headers import HEADER_MARKERS, INPUT_KEYS, REQUIRED, header_key
from dashboard.importing.strings import Columns, UnusableInput

HEADER_SCAN_ROWS = 20
HEADER_SCAN_COLUMNS = 100
"""A header row further right than this is not looked for."""
MAX_ROWS = 1_048_576
"""Excel's own limit; a hostile sheet may number a row 10^9 (empty rows in between are made)."""
MAX_FILE_MB = 512
"""For a CSV file, and for everything in a workbook once unpacked."""
MAX_RATIO = 200
"""Unpacked to packed size of a workbook part; real sheets stay far below (about 5–30)."""
_RATIO_FROM_BYTES = 1 << 20
"""Parts smaller than this unpacked are never refused for their ratio."""
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
CSV_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Column:
    key: str
    index: int
    """0-based position in the row."""
    header: str

    @property
    def letter(self) -> str:
        return str(get_column_letter(self.index + 1))


@dataclass(frozen=True)
class Cell:
    raw: object
    percent: bool = False
    """The cell is formatted as a percentage (its number is a fraction)."""


@dataclass(frozen=True)
class InputRow:
    number: int
    cells: dict[str, Cell]

    def raw(self, key: str) -> object:
        cell = self.cells.get(key)
        return cell.raw if cell else None


@dataclass(frozen=True)
class InputTable:
    path: Path
    sheet: str | None
    """The sheet used; None for a CSV file."""
    header_row: int
    columns: dict[str, Column]
    rows: tuple[InputRow, ...]
    excel: bool
    """Cells hold real spreadsheet values (numbers in a date column are date serials)."""

    @property
    def label(self) -> str:
        """The file (and sheet) for messages."""
        return f"{self.path.name} [{self.sheet}]" if self.sheet else self.path.name


def read_input(path: Path) -> InputTable:
    """The table in an .xlsx/.xlsm or .csv file; raises UnusableInput when there is none."""
    if not path.is_file():
        raise UnusableInput("file_missing", path=path)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    raise UnusableInput("format", path=path.name)


# -- header ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Header:
    row: int
    columns: dict[str, Column]
    recognised: int


def _header_in(rows: Sequence[tuple[int, Sequence[object]]], label: str) -> _Header | None:
    """The first row naming the marker columns; duplicate input columns are unusable."""
    for number, values in rows:
        columns: dict[str, Column] = {}
        recognised = 0
        for index, value in enumerate(values):
            key = header_key(value)
            if key is None:
                continue
            recognised += 1
            if key not in INPUT_KEYS:
                continue
            if key in columns:
                raise UnusableInput("duplicate_column", path=label, row=number,
                                    header=str(value).strip(), first=columns[key].letter,
                                    second=get_column_letter(index + 1))
            columns[key] = Column(key, index, _nfc(str(value)))
        if all(k in columns for k in HEADER_MARKERS):
            missing = [k for k in REQUIRED if k not in columns]
            if missing:
                raise UnusableInput("missing_columns", path=label, row=number,
                                    columns=Columns(missing))
            return _Header(number, columns, recognised)
    return None


def _rows_after(header: _Header, rows: Iterable[tuple[int, Sequence[object]]],
                percent: dict[int, set[int]] | None = None) -> tuple[InputRow, ...]:
    out: list[InputRow] = []
    for number, values in rows:
        if number <= header.row:
            continue
        cells: dict[str, Cell] = {}
        for key, col in header.columns.items():
            raw = values[col.index] if col.index < len(values) else None
            if isinstance(raw, str):
                raw = _nfc(raw)
            pct = percent is not None and col.index in percent.get(number, set())
            cells[key] = Cell(raw, pct)
        if any(c.raw is not None and str(c.raw).strip() for c in cells.values()):
            out.append(InputRow(number, cells))
    return tuple(out)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# -- Excel ----------------------------------------------------------------------------------

def _read_excel(path: Path) -> InputTable:
    _check_unpacked(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise UnusableInput("file_unreadable", path=path.name, reason=_reason(e)) from None
    try:
        for ws in wb.worksheets:
            table = _read_sheet(path, ws)
            if table is not None:
                return table
    finally:
        wb.close()
    raise UnusableInput("no_header", path=path.name, columns=Columns(REQUIRED))


def _check_unpacked(path: Path) -> None:
    """Refuse a zip bomb from the sizes its directory declares, before openpyxl reads a byte
    of it: zipfile never unpacks more than a part declares, so the declared sizes bound it."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise UnusableInput("file_unreadable", path=path.name, reason=_reason(e)) from None
    total = sum(p.file_size for p in parts)
    if total > MAX_FILE_MB << 20:
        raise UnusableInput("too_large", path=path.name, size=total >> 20, limit=MAX_FILE_MB)
    for p in parts:
        ratio = p.file_size / max(1, p.compress_size)
        if p.file_size >= _RATIO_FROM_BYTES and ratio > MAX_RATIO:
            raise UnusableInput("zip_bomb", path=path.name, member=p.filename,
                                size=p.file_size >> 20, packed=p.compress_size >> 10,
                                ratio=int(ratio), limit=MAX_RATIO)


def _read_sheet(path: Path, ws: object) -> InputTable | None:
    title = str(getattr(ws, "title", ""))
    label = f"{path.name} [{title}]"
    reset = getattr(ws, "reset_dimensions", None)
    if callable(reset):  # the stored dimension may be wrong; read every row that is there
        reset()
    iter_rows = getattr(ws, "iter_rows", None)
    if not callable(iter_rows):  # a chart sheet
        return None
    percent: dict[int, set[int]] = {}
    scanned = list(_excel_rows(iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS,
                                         max_col=HEADER_SCAN_COLUMNS), percent))
    header = _header_in(scanned, label)
    if header is None:
        return None
    # only the columns the import reads, and no further down than Excel goes
    width = max(c.index for c in header.columns.values()) + 1
    rows = _excel_rows(iter_rows(min_row=header.row + 1, max_row=MAX_ROWS, max_col=width),
                       percent, first=header.row + 1)
    body = _rows_after(header, rows, percent)
    return InputTable(path, title, header.row, header.columns, body, excel=True)


def _excel_rows(cells_by_row: Iterable[Sequence[object]], percent: dict[int, set[int]],
                first: int = 1) -> Iterator[tuple[int, Sequence[object]]]:
    """(row number, values); notes which cells are numbers formatted as percentages."""
    for number, cells in enumerate(cells_by_row, first):
        values = [getattr(cell, "value", None) for cell in cells]
        if values.count(None) == len(values):  # empty rows (a sheet may number one 10^6)
            continue
        for index, value in enumerate(values):
            if isinstance(value, int | float) and "%" in str(
                    getattr(cells[index], "number_format", "")):
                percent.setdefault(number, set()).add(index)
        yield number, values


# -- CSV ------------------------------------------------------------------------------------

def _read_csv(path: Path) -> InputTable:
    try:
        with path.open("rb") as f:
            data = f.read((MAX_FILE_MB << 20) + 1)
    except OSError as e:
        raise UnusableInput("file_unreadable", path=path.name, reason=_reason(e)) from None
    if len(data) > MAX_FILE_MB << 20:
        raise UnusableInput("too_large", path=path.name, size=path.stat().st_size >> 20,
                            limit=MAX_FILE_MB)
    text = _decode(data, path)
    best: tuple[_Header, list[tuple[int, Sequence[object]]]] | None = None
    failure: UnusableInput | None = None
    for delimiter in CSV_DELIMITERS:
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as e:
            raise UnusableInput("file_unreadable", path=path.name, reason=str(e)) from None
        numbered: list[tuple[int, Sequence[object]]] = list(enumerate(records, 1))
        try:
            header = _header_in(numbered[:HEADER_SCAN_ROWS], path.name)
        except UnusableInput as e:  # e.g. missing columns with this delimiter: try the others
            failure = failure or e
            continue
        if header and (best is None or header.recognised > best[0].recognised):
            best = (header, numbered)
    if best is None:
        raise failure or UnusableInput("no_header", path=path.name, columns=Columns(REQUIRED))
    header, numbered = best
    return InputTable(path, None, header.row, header.columns, _rows_after(header, numbered),
                      excel=False)


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without the BOM Excel writes) or UTF-16 with a BOM ("Unicode text")."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnusableInput("encoding", path=path.name) from None


def _reason(e: BaseException) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, OSError):
        return e.strerror or str(e)
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
