"""Whether a Parquet file's pages are what its writer wrote, where the file can tell.

DuckDB reads page checksums but never checks them, so one flipped bit in a data page can turn
95,2 into 3,2e40 without a word. pyarrow can check them: every page of every column is read
once with verification on. A file written without checksums passes (there is nothing to
check), unless a page cannot even be decoded. pyarrow is loaded on the first call, in the
refresh worker, so starting the app does not pay for it.
"""

from __future__ import annotations

from typing import Any

CHECKSUM_MARKERS = ("crc", "checksum")


def damaged_reason(path: str) -> str | None:
    """None when every page reads back intact; else a plain reason naming the column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    failures = (pa.ArrowException, OSError, MemoryError, ValueError, IndexError)
    try:
        with pq.ParquetFile(path, page_checksum_verification=True) as pf:
            try:
                pf.read(use_threads=False)
                return None
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


def _reason(e: Any, where: str) -> str:
    text = str(e).lower()
    if any(m in text for m in CHECKSUM_MARKERS):
        return f"page checksum mismatch{where} (corrupt data)"
    return f"a data page cannot be decoded{where} (corrupt data)"
