"""No flipped bit silently changes a number in a file written with page checksums.

A fixed seed and 200 single-bit flips over the column chunks of small files (plain and
dictionary pages, uncompressed, zstd and snappy): each flipped file must be skipped with a
reason or give exactly the original values. The rates, before and after the page check, are
in docs/benchmarks.md ("Bit flips"; bench: bench/bitflip_rate.py).
"""

from __future__ import annotations

import pytest
from bitflip_support import run_fuzz


@pytest.mark.parametrize(("flips", "rows_in_memory_bytes"), [(200, None), (60, 0)],
                         ids=["rows-read-once", "duckdb-reads-again"])
def test_no_bit_flip_changes_a_number_silently(campaign_dir, make_engine, flips,
                                               rows_in_memory_bytes):
    """Small files reach DuckDB as the rows of the checked read; larger ones (here: every
    one, rows_in_memory_bytes=0) DuckDB reads again itself after the check."""
    def make(folder, **kw):
        if rows_in_memory_bytes is not None:
            kw["rows_in_memory_bytes"] = rows_in_memory_bytes
        return make_engine(folder, **kw)

    result = run_fuzz(campaign_dir, flips=flips, seed=2020, make_engine=make)
    assert result.changed == (), "\n".join(result.changed)
    assert sum(result.outcomes.values()) == flips
    # most flips land in page data and are caught by their checksum, naming the column
    assert result.outcomes["refused"] >= flips * 3 // 4
    assert sum(n for why, n in result.reasons.items()
               if why.startswith("page checksum mismatch in column")) >= flips // 2
