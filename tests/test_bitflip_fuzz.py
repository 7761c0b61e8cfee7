"""No flipped bit silently changes a number in a file written with page checksums.

A fixed seed and 200 single-bit flips over the column chunks of small files (plain and
dictionary pages, uncompressed, zstd and snappy): each flipped file must be skipped with a
reason or give exactly the original values. The rates, before and after the page check, are
in docs/benchmarks.md ("Bit flips"; bench: bench/bitflip_rate.py).
"""

from __future__ import annotations

from bitflip_support import run_fuzz


def test_no_bit_flip_changes_a_number_silently(campaign_dir, make_engine):
    result = run_fuzz(campaign_dir, flips=200, seed=2020, make_engine=make_engine)
    assert result.changed == (), "\n".join(result.changed)
    assert sum(result.outcomes.values()) == 200
    # most flips land in page data and are caught by their checksum, naming the column
    assert result.outcomes["refused"] >= 150
    assert sum(n for why, n in result.reasons.items()
               if why.startswith("page checksum mismatch in column")) >= 100
