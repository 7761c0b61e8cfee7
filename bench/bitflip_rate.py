"""Silent-change rate of single-bit flips in progress files (the fuzz of tests/test_bitflip_fuzz.py,
at any size). Figures: docs/benchmarks.md, "Bit flips".

    .venv/bin/python bench/bitflip_rate.py --flips 1000 --seed 7 [--no-checksums] [--before]

--before reads with page checks off (dashboard/engine/integrity.py VERIFY_PAGES), as the engine
did before the page check; --no-checksums writes the fuzzed files without page checksums, as
other tools may.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bitflip_support import run_fuzz
from conftest import CAMPAIGN_TOML

import dashboard.engine.integrity as integrity
from dashboard.engine.engine import Engine


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--flips", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--no-checksums", action="store_true")
    p.add_argument("--before", action="store_true")
    args = p.parse_args()
    if args.before:
        integrity.VERIFY_PAGES = False
    engines: list[Engine] = []

    def make(folder: Path, *, refresh: bool = True, **kw: Any) -> Engine:
        e = Engine(folder, **kw)
        engines.append(e)
        if refresh:
            e.refresh()
        return e

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "campaign"
        (folder / "progress").mkdir(parents=True)
        shutil.copyfile(CAMPAIGN_TOML, folder / "campaign.toml")
        started = time.perf_counter()
        result = run_fuzz(folder, args.flips, args.seed, make, checksums=not args.no_checksums)
        seconds = time.perf_counter() - started
        for e in engines:
            e.close()
    o = result.outcomes
    print(f"flips {args.flips} seed {args.seed} checksums {not args.no_checksums} "
          f"{'before' if args.before else 'after'}: silent changes {o['changed']} "
          f"({o['changed'] / args.flips:.1%}), refused {o['refused']}, same {o['same']} "
          f"[{seconds:.0f} s]")
    for line in result.changed[:5]:
        print("  ", line)


if __name__ == "__main__":
    main()
