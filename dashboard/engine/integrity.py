"""Reading a Parquet file's rows once, with every page checked where the file can tell.

DuckDB reads page checksums but never checks them, so one flipped bit in a data page can turn
95,2 into 3,2e40 without a word. pyarrow can check them: every page of every column is read
once with verification on, and the rows read are the rows the engine then reduces (DuckDB
scans the Arrow table; the file is not read a second time). A file written without checksums
passes (there is nothing to check), unless a page cannot even be decoded. pyarrow is loaded on
the first call, in the refresh worker, so starting the app does not pay for it.

A small file is read into memory once and pyarrow's plain reader reads it from there:
pyarrow's own opening of a path (resolving a filesystem) and `pq.ParquetFile`'s set-up cost
as much as the read itself on small files. Only a file that fails is read again through
`pq.ParquetFile`, column by column, to name the column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

CHECKSUM_MARKERS = ("crc", "checksum")
READ_WHOLE_BYTES = 16 << 20
"""Files up to this size are read into memory first; larger ones pyarrow reads from disk."""
VERIFY_PAGES = True
"""Page checksums are verified on every read (benchmarks switch it off to measure its cost)."""


def read_checked(path: str, text: Sequence[str] = ()) -> pa.Table | str:
    """Every row of the file, its pages verified; else a plain reason naming the column.

    text: columns to read as dictionaries when the file has them (as their pages mostly
    are): a file of 10,000 rows then reads in a quarter of the time, and DuckDB groups them
    faster too (bench/engine_bench.py)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    failures = (pa.ArrowException, OSError, MemoryError, ValueError, IndexError)
    data: bytes | None = None
    try:  # os.open/os.read: a third of the cost of open() per small file
        fd = os.open(path, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            if size <= READ_WHOLE_BYTES:
                data = _read_all(fd, size)
        finally:
            os.close(fd)
    except OSError:
        data = None  # pyarrow opens the path and says what it makes of it, as before
    if data is not None:
        # the plain reader under pq.ParquetFile: every page of every column, verified; the
        # wrapper's per-file set-up cost as much as the read itself on small files
        from pyarrow._parquet import ParquetReader

        names = [n for n in text if _named_in_footer(data, n)]
        reader = ParquetReader()
        try:
            try:
                reader.open(pa.BufferReader(data), page_checksum_verification=VERIFY_PAGES,
                            pre_buffer=False, read_dictionary=names or None)
            except KeyError:  # a name the footer had, but not as a column
                reader.close()
                reader = ParquetReader()
                reader.open(pa.BufferReader(data), page_checksum_verification=VERIFY_PAGES,
                            pre_buffer=False)
            table: pa.Table = reader.read_all(use_threads=False)
            return table
        except failures:
            pass  # read again below, column by column, for the reason and the column
        finally:
            reader.close()
    source: Any = path if data is None else pa.BufferReader(data)
    try:
        with pq.ParquetFile(source, page_checksum_verification=VERIFY_PAGES) as pf:
            try:
                table = pf.read(use_threads=False)
                return table
            except failures as e:
                first = e
            for name in pf.schema_arrow.names:  # which column: read them one by one
                try:
                    pf.read(columns=[name], use_threads=False)
                except failures as e:
                    return _reason(e, f" in column '{name}'")
            return _reason(first, "")
    except failures as e:
        return _reason(e, "")


def damaged_reason(path: str) -> str | None:
    """None when every page reads back intact; else a plain reason naming the column."""
    got = read_checked(path)
    return got if isinstance(got, str) else None


def _named_in_footer(data: bytes, name: str) -> bool:
    """Whether the footer holds `name` as a string (Thrift: its length, then its bytes):
    a column of that name may exist; one that does not is never asked for."""
    if len(data) < 12 or data[-4:] != b"PAR1":
        return False
    footer = int.from_bytes(data[-8:-4], "little")
    raw = name.encode()
    return bytes([len(raw)]) + raw in data[-8 - footer:-8]


def _read_all(fd: int, size: int) -> bytes:
    """Every byte of the file, also if it grew since its size was taken."""
    parts = [os.read(fd, size + 1)]
    while parts[-1]:
        parts.append(os.read(fd, 1 << 20))
    return b"".join(parts)


def _reason(e: Any, where: str) -> str:
    text = str(e).lower()
    if any(m in text for m in CHECKSUM_MARKERS):
        return f"page checksum mismatch{where} (corrupt data)"
    return f"a data page cannot be decoded{where} (corrupt data)"
