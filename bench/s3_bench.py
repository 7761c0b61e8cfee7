"""Data on object storage: what a poll costs when nothing changed, and a cold start from the
bucket (empty copy) for the sample and for ~1,000 small objects. A real SeaweedFS server on
127.0.0.1 (tests/s3_support.py); the figures go to docs/benchmarks.md, "Object storage".

    .venv/bin/python bench/s3_bench.py [--objects 1000] [--polls 50]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.engine.engine import Engine  # noqa: E402
from dashboard.s3.location import parse_location  # noqa: E402
from dashboard.s3.mirror import Mirror  # noqa: E402
from tests.s3_support import env_vars, start_server, upload_tree  # noqa: E402


def many_objects(dest: Path, n: int) -> Path:
    """The sample's campaign and targets, and n one-row progress files."""
    shutil.copytree(ROOT / "data", dest, ignore=shutil.ignore_patterns("README.md", "progress"))
    targets = pq.read_table(dest / "targets.parquet").column("target_id").to_pylist()
    out = dest / "progress" / "many"
    out.mkdir(parents=True)
    for i in range(n):
        pq.write_table(pa.table({
            "target_id": [targets[i % len(targets)]], "reporter": [f"Đơn vị {i}"],
            "reported_at": pa.array([datetime(2020, 6, 1, 8, 0)], pa.timestamp("us")),
            "value": [float(i % 5)]}), out / f"r{i:05d}.parquet")
    return dest


def measure(client: object, bucket: str, folder: Path, cache: Path,
            polls: int) -> dict[str, object]:
    started = time.perf_counter()
    upload_tree(client, bucket, "", folder)
    upload = time.perf_counter() - started
    url = f"s3://{bucket}"
    mirror = Mirror(parse_location(url), root=cache)
    started = time.perf_counter()
    first = mirror.sync()
    cold_sync = time.perf_counter() - started
    started = time.perf_counter()
    engine = Engine(mirror.folder)
    engine.refresh()
    engine.snapshot(datetime.now().astimezone())
    engine.close()
    cold_engine = time.perf_counter() - started
    idle = []
    for _ in range(polls):
        t = time.perf_counter()
        r = mirror.sync()
        idle.append(time.perf_counter() - t)
        assert not r.changed
    env = {**os.environ, "XDG_CACHE_HOME": str(cache.parent / "cli-cache")}
    argv = [sys.executable, "-m", "dashboard", "snapshot", "--data", url, "--now",
            "2020-07-15T10:00"]
    runs = []
    for _ in range(2):  # the first with an empty copy, the second with the copy there
        t = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True, cwd=ROOT)
        runs.append(time.perf_counter() - t)
    t = time.perf_counter()
    subprocess.run([*argv[:5], str(folder), *argv[6:]], check=True, capture_output=True,
                   cwd=ROOT)
    local = time.perf_counter() - t
    return {"objects": first.objects, "bytes": sum(p.stat().st_size for p in
                                                    mirror.folder.rglob("*") if p.is_file()),
            "upload_s": upload, "cold_sync_s": cold_sync, "cold_sync_requests": first.requests,
            "cold_engine_s": cold_engine, "idle_poll_median_ms": statistics.median(idle) * 1000,
            "idle_poll_p95_ms": sorted(idle)[int(len(idle) * 0.95) - 1] * 1000,
            "idle_poll_requests": r.requests, "cli_snapshot_cold_s": runs[0],
            "cli_snapshot_warm_s": runs[1], "cli_snapshot_local_folder_s": local}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=1000)
    ap.add_argument("--polls", type=int, default=50)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="thidua-s3-bench-"))
    server = start_server(work / "weed")
    try:
        client = server.client()
        results = {}
        with env_vars(server.env()):
            for name, folder in (("sample", ROOT / "data"),
                                 (f"{args.objects} small", many_objects(work / "many",
                                                                         args.objects))):
                bucket = "bench-" + name.split()[0]
                client.create_bucket(Bucket=bucket)
                results[name] = measure(client, bucket, folder, work / bucket / "cache",
                                        args.polls)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "s3_bench.json").write_text(json.dumps(results, indent=2))
    print("| | sample | " + " | ".join(k for k in results if k != "sample") + " |")
    print("|---|---|---|")
    for key in next(iter(results.values())):
        cells = [f"{v[key]:.3f}" if isinstance(v[key], float) else str(v[key])
                 for v in results.values()]
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
