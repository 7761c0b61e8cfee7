"""`thidua import` at 10k, 100k and 1M rows: wall time and peak RSS, CSV and xlsx.

Each import runs in its own process (`python -m dashboard import … --now …`) on a campaign
folder of its own: a ten-year campaign (2010–2019) with 300 targets, so that N rows are N
distinct (target, day) reports and the import is clean and written. A second shape puts every
row on one target (rows after the first per day are refused as duplicates): the case that was
quadratic (20k rows 22.6 s, 40k 87.7 s).

    .venv/bin/python bench/import_bench.py [--sizes 10000,100000,1000000] [--xlsx-max 100000]

Prints a markdown table (docs/benchmarks.md, "Import").
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.contract import TARGETS_SCHEMA, write_parquet  # noqa: E402

TARGETS = 300
START = date(2010, 1, 1)
END = date(2019, 12, 31)
REPORTER = "Phòng Thử nghiệm"
HEADERS = ("target_id", "value", "reported_at", "note")


def campaign(folder: Path) -> None:
    (folder / "progress").mkdir(parents=True)
    text = (ROOT / "data" / "campaign.toml").read_text(encoding="utf-8")
    text = text.replace("start = 2020-05-06", f"start = {START}").replace(
        "end = 2020-09-30", f"end = {END}").replace("holidays = [2020-09-02]", "holidays = []")
    (folder / "campaign.toml").write_text(text, encoding="utf-8")
    ids = [f"B{i:03d}" for i in range(TARGETS)]
    write_parquet(pa.table({
        "target_id": ids, "area": ["economy"] * TARGETS,
        "title_vi": [f"Chỉ tiêu {i}" for i in ids], "title_en": ids,
        "unit_of_measure": ["%"] * TARGETS, "target_value": [100.0] * TARGETS,
        "direction": ["at_least"] * TARGETS, "aggregate": ["latest"] * TARGETS,
        "owner": [REPORTER] * TARGETS}, schema=TARGETS_SCHEMA), folder / "targets.parquet")


def rows(n: int, one_target: bool) -> list[tuple[str, float, str, str]]:
    out = []
    for i in range(n):
        t, d = (0, i) if one_target else (i % TARGETS, i // TARGETS)
        day = START + timedelta(days=d % 3650)
        out.append((f"B{t:03d}", float(d), day.strftime("%d/%m/%Y"), f"ghi chú {i}"))
    return out


def write_input(path: Path, data: list[tuple[str, float, str, str]]) -> None:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(HEADERS)
            w.writerows(data)
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Báo cáo")
    ws.append(HEADERS)
    for r in data:
        ws.append(r)
    wb.save(path)


CHILD = ("import resource, sys\n"
         "from dashboard.cli import main\n"
         "code = main(sys.argv[1:])\n"
         "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
         "sys.exit(code)\n")
"""The CLI in a fresh process that reports its own peak RSS (KiB) as its last stderr line."""


def run_import(folder: Path, path: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one import in a fresh process."""
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", CHILD, "import", str(path), "--data", str(folder),
         "--reporter", REPORTER, "--now", "2020-01-15T12:00", "--lang", "en"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - started
    if run.returncode not in (0, 1):
        raise SystemExit(f"import failed ({run.returncode}): {run.stderr[-500:]}")
    return seconds, int(run.stderr.split()[-1]) / 1024, run.returncode


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--xlsx-max", type=int, default=1_000_000)
    p.add_argument("--shapes", default="many,one")
    args = p.parse_args()
    print("| rows | shape | format | exit | seconds | µs per row | peak RSS MB |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for shape in args.shapes.split(","):
        for fmt in ("csv", "xlsx"):
            for n in (int(s) for s in args.sizes.split(",")):
                if fmt == "xlsx" and n > args.xlsx_max:
                    continue
                with tempfile.TemporaryDirectory(prefix="thidua-import-bench-") as tmp:
                    folder = Path(tmp) / "campaign"
                    campaign(folder)
                    path = Path(tmp) / f"input.{fmt}"
                    write_input(path, rows(n, shape == "one"))
                    seconds, rss, code = run_import(folder, path)
                    print(f"| {n:,} | {shape} target{'s' if shape == 'many' else ''} | {fmt} "
                          f"| {code} | {seconds:.1f} | {seconds / n * 1e6:.0f} | {rss:.0f} |",
                          flush=True)
                    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
