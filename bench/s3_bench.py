"""Data on object storage: what a poll costs when nothing changed, and a cold start from the
bucket (empty copy) for the sample and for ~1,000 small objects. A real SeaweedFS server on
127.0.0.1 (tests/s3_support.py); the figures go to docs/benchmarks.md, "Object storage".

    .venv/bin/python bench/s3_bench.py [--objects 1000] [--polls 50]

Issue 14 at scale (`--scale 10000,100000`): bench/scale_bench.py's folders (kept in
/tmp/thidua-bench/scale-N) uploaded 32 at a time, then for each size, in a fresh process: the
floor (one ListObjectsV2 pagination of the bucket, keys only, median of 3), a cold start from
an empty copy (the mirror's first sync, then the engine's cold load and first snapshot, as the
app's MirrorSource does it), idle polls (nothing changed: requests, ms, CPU seconds), and a new
object → a snapshot that shows its value (a Poller every --interval s, the app's source).

    .venv/bin/python bench/s3_bench.py --scale 10000,100000 [--workers 16] [--drops 20] [--check]

With `--check`, also the whole `thidua check --data s3://…` command from an empty copy and
with the copy up to date, beside `thidua check --data FOLDER` on the same files.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
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


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))] if xs else float("nan")


def upload_many(server_env: dict[str, str], bucket: str, folder: Path,
                workers: int = 32) -> float:
    """Every file of folder as an object, `workers` puts at a time; seconds."""
    from concurrent.futures import ThreadPoolExecutor

    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=server_env["AWS_ENDPOINT_URL"],
                          aws_access_key_id=server_env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=server_env["AWS_SECRET_ACCESS_KEY"],
                          region_name="us-east-1",
                          config=Config(max_pool_connections=workers))
    files = [p for p in folder.rglob("*") if p.is_file()]
    started = time.perf_counter()

    def put(path: Path) -> None:
        client.put_object(Bucket=bucket, Key=path.relative_to(folder).as_posix(),
                          Body=path.read_bytes())

    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(put, files, chunksize=64):
            pass
    return time.perf_counter() - started


def child_scale(url: str, cache: Path, workers: int, polls: int, drops: int,
                interval: float, idle_seconds: float = 60.0) -> dict[str, object]:
    """One fresh process: floor, cold start, idle polls, new object → snapshot, then a
    running source left idle for `idle_seconds` (its poller at the default 5 s)."""
    import threading

    import pyarrow as pa

    from bench.scale_bench import NOW, UNITS
    from dashboard.contract import PROGRESS_SCHEMA, write_parquet
    from dashboard.s3 import mirror as mirror_module
    from dashboard.s3.mirror import make_client
    from dashboard.s3.poller import Poller
    from dashboard.s3.source import MirrorSource
    from dashboard.sample_data import slugify

    mirror_module.WORKERS = workers
    location = parse_location(url)
    client = make_client()
    client.list_objects_v2(Bucket=location.bucket, MaxKeys=1)  # connect, sign: not the floor
    floor = []
    for _ in range(3):
        t = time.perf_counter()
        keys = pages = 0
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=location.bucket):
            pages += 1
            keys += len(page.get("Contents", ()))
        floor.append(time.perf_counter() - t)
    rss_before = _status_mb("VmRSS")
    mirror = Mirror(location, root=cache)
    cpu = time.process_time()
    t = time.perf_counter()
    first = mirror.sync()
    sync_s = time.perf_counter() - t
    sync_cpu = time.process_time() - cpu
    sync_peak = _status_mb("VmHWM")
    poller = Poller(mirror, interval)
    t = time.perf_counter()
    source = MirrorSource(poller)
    source.refresh()
    snap = source.snapshot(NOW)
    engine_s = time.perf_counter() - t
    cold_peak = _status_mb("VmHWM")
    idle_ms, idle_cpu, idle_req = [], [], 0
    for _ in range(polls):
        cpu, t = time.process_time(), time.perf_counter()
        r = mirror.sync()
        idle_ms.append((time.perf_counter() - t) * 1000)
        idle_cpu.append(time.process_time() - cpu)
        idle_req = r.requests
        assert not r.changed
    # new object → snapshot: the poller's thread syncs every `interval` s and notifies, then
    # the source refreshes (the app's SourceChanged: refresh() + snapshot) in this thread
    changed = threading.Event()
    source.subscribe(changed.set)
    poller.start()
    week = sorted(p.name for p in (mirror.folder / "progress").iterdir() if p.is_dir())[-1]
    target = next(t for t in source.engine.targets if t.aggregate == "latest").target_id
    lat: list[float] = []
    drops_started = time.perf_counter()
    for i in range(drops):
        if time.perf_counter() - drops_started > 300:  # 100,000 objects: a poll every ~40 s
            break
        value = 3000.5 + i
        unit = UNITS[i % len(UNITS)]
        table = pa.table({"target_id": [target], "reporter": [unit],
                          "reported_at": [datetime(2020, 9, 30, 20, 0) + timedelta(minutes=i)],
                          "value": [value], "note": [None]}, schema=PROGRESS_SCHEMA)
        tmp = cache / f"drop-{i}.parquet"
        write_parquet(table, tmp)
        body = tmp.read_bytes()
        key = f"progress/{week}/{slugify(unit)}/drop-{os.getpid()}-{i:03d}.parquet"
        changed.clear()
        client.put_object(Bucket=location.bucket, Key=key, Body=body)
        t0 = time.perf_counter()
        seen = None
        while time.perf_counter() - t0 < 60:
            if not changed.wait(0.05):
                continue
            changed.clear()
            source.refresh()
            st = source.snapshot(NOW).target(target)
            if st is not None and st.value == value:
                seen = time.perf_counter() - t0
                break
        lat.append(float("nan") if seen is None else seen)
        time.sleep(0.3 + (i % 3) * 0.1)  # drops not in step with the polls
    poller.stop()
    # a running node left alone: the poller at the default interval, the source refreshed on
    # its notice (as the app does), this whole process's CPU over `idle_seconds`
    from dashboard.s3.poller import DEFAULT_POLL_SECONDS

    idle_poller = Poller(mirror, DEFAULT_POLL_SECONDS)
    idle_source = MirrorSource(idle_poller)
    idle_source.refresh()
    idle_poller.start()
    cpu, t = time.process_time(), time.perf_counter()
    idle_seconds = idle_seconds if first.objects < 50_000 else 2 * idle_seconds
    time.sleep(idle_seconds)
    running_idle_pct = (time.process_time() - cpu) / (time.perf_counter() - t) * 100
    running_idle_polls = idle_poller.polls
    idle_source.close()
    source.close()
    rss_end = _status_mb("VmRSS")
    return {"objects": first.objects, "listing_pages": pages, "listed_keys": keys,
            "floor_list_s": statistics.median(floor), "workers": workers,
            "cold_sync_s": sync_s, "cold_sync_requests": first.requests,
            "cold_sync_cpu_s": sync_cpu, "cold_engine_s": engine_s,
            "cold_total_s": sync_s + engine_s, "files_used": snap.files.used,
            "rss_before_mb": rss_before, "peak_rss_after_sync_mb": sync_peak,
            "peak_rss_cold_mb": cold_peak, "rss_end_mb": rss_end,
            "idle_poll_requests": idle_req, "idle_poll_p50_ms": _pct(idle_ms, 50),
            "idle_poll_p95_ms": _pct(idle_ms, 95),
            "idle_poll_cpu_ms": statistics.median(idle_cpu) * 1000,
            "idle_cpu_pct_at_5s": statistics.median(idle_cpu) / 5.0 * 100,
            "running_idle_cpu_pct": running_idle_pct, "running_idle_s": idle_seconds,
            "running_idle_polls": running_idle_polls,
            "poll_interval_s": interval, "drops": len(lat),
            "new_object_p50_s": _pct(lat, 50), "new_object_p95_s": _pct(lat, 95),
            "new_object_max_s": max(lat, default=float("nan")),
            "missed": sum(1 for x in lat if x != x)}


def delayed_relay(target_port: int, delay: float) -> int:
    """127.0.0.1:port → the server, each reply held `delay` s (a round trip to a provider)."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def pipe(src: socket.socket, dst: socket.socket, hold: float) -> None:
        try:
            while data := src.recv(65536):
                if hold:
                    time.sleep(hold)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def accept() -> None:
        while True:
            client, _ = listener.accept()
            upstream = socket.create_connection(("127.0.0.1", target_port), 5)
            for a, b, hold in ((client, upstream, 0.0), (upstream, client, delay)):
                threading.Thread(target=pipe, args=(a, b, hold), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return int(listener.getsockname()[1])


def rtt_main(args: argparse.Namespace) -> None:
    """The first sync of --objects objects through a relay that adds --rtt-ms to each reply,
    one GET at a time and --workers at a time."""
    from bench.scale_bench import generate
    from dashboard.s3 import mirror as mirror_module

    work = Path(tempfile.mkdtemp(prefix="thidua-s3-rtt-"))
    server = start_server(work / "weed")
    try:
        server.client().create_bucket(Bucket="rtt")
        upload_many(server.env(), "rtt", generate(args.objects))
        port = delayed_relay(int(server.endpoint.rsplit(":", 1)[1]), args.rtt_ms / 1000)
        env = server.env(f"http://127.0.0.1:{port}")
        with env_vars(env):
            for workers in [int(w) for w in args.workers.split(",")]:
                mirror_module.WORKERS = workers
                mirror = Mirror(parse_location("s3://rtt"), root=work / f"c{workers}")
                cpu, t = time.process_time(), time.perf_counter()
                r = mirror.sync()
                print(json.dumps({"objects": r.objects, "rtt_ms": args.rtt_ms,
                                  "workers": workers, "first_sync_s": time.perf_counter() - t,
                                  "cpu_s": time.process_time() - cpu}), flush=True)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def check_over_s3(url: str, env: dict[str, str], cache_home: Path) -> dict[str, object]:
    """The whole `thidua check --data s3://…` command, as a user runs it: from an empty copy
    (the first sync, then the check), then again with the copy up to date (one listing)."""
    from bench.scale_bench import measure_check

    env = {**os.environ, **env, "XDG_CACHE_HOME": str(cache_home)}
    out: dict[str, object] = {}
    for name in ("check_empty_copy", "check_copy_up_to_date"):
        got = measure_check(url, env)
        out[name + "_s"], out[name + "_exit"] = got["check_s"], got["exit"]
    return out


def scale_main(args: argparse.Namespace) -> None:
    from bench.scale_bench import generate

    work = Path(tempfile.mkdtemp(prefix="thidua-s3-scale-"))
    server = start_server(work / "weed")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    results: dict[str, dict[str, object]] = {}
    try:
        client = server.client()
        for n in (int(x) for x in args.scale.split(",")):
            folder = generate(n)
            bucket = f"scale-{n}"
            client.create_bucket(Bucket=bucket)
            up = upload_many(server.env(), bucket, folder)
            print(f"{n}: uploaded in {up:.1f} s", file=sys.stderr, flush=True)
            for workers in [int(w) for w in args.workers.split(",")]:
                cache = work / f"cache-{n}-{workers}"
                cache.mkdir()
                argv = [sys.executable, __file__, "--child", f"s3://{bucket}", str(cache),
                        str(workers), str(args.polls), str(args.drops if workers > 1 else 0),
                        str(args.interval)]
                done = subprocess.run(argv, env={**os.environ, **server.env()}, cwd=ROOT,
                                      capture_output=True, text=True, timeout=3600)
                if done.returncode:
                    print(done.stderr, file=sys.stderr)
                    raise SystemExit(1)
                row = {"upload_s": up, **json.loads(done.stdout.splitlines()[-1])}
                results[f"{n} objects, {workers} workers"] = row
                print(json.dumps(row), file=sys.stderr, flush=True)
                shutil.rmtree(cache, ignore_errors=True)
                (out / "s3_scale_bench.json").write_text(json.dumps(results, indent=2))
            if args.check:
                from bench.scale_bench import measure_check

                row = {**check_over_s3(f"s3://{bucket}", server.env(), work / f"home-{n}"),
                       "check_local_s": measure_check(folder)["check_s"]}
                results[f"{n} objects, thidua check"] = row
                print(json.dumps(row), file=sys.stderr, flush=True)
                shutil.rmtree(work / f"home-{n}", ignore_errors=True)
                (out / "s3_scale_bench.json").write_text(json.dumps(results, indent=2))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    for name, row in results.items():
        print(name, json.dumps(row))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=1000)
    ap.add_argument("--polls", type=int, default=50)
    ap.add_argument("--scale", help="sizes, e.g. 10000,100000 (issue 14's measures)")
    ap.add_argument("--workers", default="16", help="with --scale: downloads at a time, "
                    "e.g. 1,16 (1: the sequential copy as before)")
    ap.add_argument("--drops", type=int, default=20)
    ap.add_argument("--check", action="store_true", help="with --scale: also the whole "
                    "`thidua check --data s3://…` (empty copy, then up to date) and on the folder")
    ap.add_argument("--interval", type=float, default=1.0, help="with --scale: poll seconds")
    ap.add_argument("--rtt-ms", type=float, help="the first sync of --objects objects with "
                    "this much added to each reply (a provider's round trip), per --workers")
    ap.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        url, cache, workers, polls, drops, interval = args.child
        print(json.dumps(child_scale(url, Path(cache), int(workers), int(polls), int(drops),
                                     float(interval))))
        return
    if args.scale:
        scale_main(args)
        return
    if args.rtt_ms:
        rtt_main(args)
        return
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
