"""`--data s3://bucket/prefix` against a real S3-compatible server (SeaweedFS on 127.0.0.1,
started here): the same answers as the same files in a folder, only new or changed objects
fetched, a new object on a running dashboard's screen, the bucket unreachable and back."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard.app import AppOptions
from dashboard.cli import main
from dashboard.cli_common import open_source
from dashboard.clock import FixedClock
from dashboard.frontends import create_app
from dashboard.s3.mirror import Mirror
from tests.app_support import MID_CAMPAIGN, copy_sample, screen_text, wait_for
from tests.hostile_support import FILE_NAME, make_hostile
from tests.s3_support import Relay, S3Server, listing, start_server, upload_tree
from tests.test_ssh_support import Keys
from widgets.area_panel import AreaPanel

_names = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    try:
        s = start_server(tmp_path_factory.mktemp("weed"))
    except RuntimeError as e:
        pytest.skip(str(e))
    yield s
    s.stop()


@pytest.fixture
def bucket(server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket, the AWS variables of a deployment, and a cache of this test's own."""
    name = f"camp-{os.getpid()}-{next(_names)}"
    server.client().create_bucket(Bucket=name)
    for k, v in server.env().items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("THIDUA_DATA", raising=False)
    return name


def _progress(rows: list[tuple[str, str, float]]) -> bytes:
    from datetime import datetime

    table = pa.table({
        "target_id": [r[0] for r in rows], "reporter": [r[1] for r in rows],
        "reported_at": pa.array([datetime(2020, 7, 15, 9, 0)] * len(rows), pa.timestamp("us")),
        "value": [r[2] for r in rows]})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


def small_campaign(dest: Path) -> Path:
    """The sample with its first two weeks of reports only: the live tests need a campaign,
    not 286 objects to copy first (the full sample is the first test's)."""
    import shutil

    folder = copy_sample(dest)
    for week in sorted((folder / "progress").iterdir())[2:]:
        shutil.rmtree(week)
    return folder


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_snapshot_and_check_from_a_bucket_equal_the_same_files_in_a_folder(
        server: S3Server, bucket: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    local = make_hostile(tmp_path / "local")  # hostile text and a hostile file name
    progress = local / "progress"
    (progress / "empty.parquet").write_bytes(b"")
    (progress / "2020-W21" / "garbled.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    ignored = [".hidden.parquet", "_underscore.parquet", "~lock.parquet", "x.tmp.parquet",
               "notes.txt", ".sub/inside.parquet", "2020-W26/.upload.parquet.part"]
    good = (progress / "2020-W21" / "xa-mai-pha.parquet").read_bytes()
    for name in ignored:
        (progress / name).parent.mkdir(parents=True, exist_ok=True)
        (progress / name).write_bytes(good)
    times = upload_tree(server.client(), bucket, "lang-son/", local)
    for rel, ns in times.items():  # the same files: the same bytes and the same times
        os.utime(local / rel, ns=(ns, ns))
    before = listing(server.client(), bucket)

    url = f"s3://{bucket}/lang-son"
    for now, fmt in (("2020-05-20T08:00", "json"), ("2020-07-15T10:00", "json"),
                     ("2020-09-30T23:00", "md")):
        s3 = _run(capsys, "snapshot", "--data", url, "--now", now, "--format", fmt)
        disk = _run(capsys, "snapshot", "--data", str(local), "--now", now, "--format", fmt)
        assert s3 == disk and s3[0] == 0
    s3_check = _run(capsys, "check", "--data", url)
    disk_check = _run(capsys, "check", "--data", str(local))
    assert s3_check == disk_check
    assert s3_check[0] == 1 and "empty.parquet" in s3_check[1] and "garbled" in s3_check[1]
    assert "hostile" in s3_check[1] or "PWNED" in s3_check[1] or "␛" in s3_check[1]
    # the ignored names never cost a download, and the bucket is exactly as it was
    copy = Mirror.open(url).folder
    assert not [n for n in ignored if (copy / "progress" / n).exists()]
    assert (copy / "progress" / FILE_NAME).is_file()
    assert listing(server.client(), bucket) == before


def test_only_new_or_changed_objects_are_fetched_and_deleted_ones_leave(
        server: S3Server, bucket: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    client = server.client()
    upload_tree(client, bucket, "", small_campaign(tmp_path / "d"))
    url = f"s3://{bucket}"
    mirror = Mirror.open(url)
    first = mirror.sync()
    assert first.fetched == first.objects > 20 and first.removed == 0
    again = mirror.sync()  # nothing changed: one listing, nothing else
    assert (again.fetched, again.removed, again.requests) == (0, 0, 1)

    def kt01() -> float:
        import json

        code, out, _ = _run(capsys, "snapshot", "--data", url, "--now", "2020-07-15T10:00")
        assert code == 0
        return next(t["value"] for a in json.loads(out)["areas"] for t in a["targets"]
                    if t["target_id"] == "KT01")

    client.put_object(Bucket=bucket, Key="progress/live-kt01.parquet",
                      Body=_progress([("KT01", "Phòng Kinh tế", 2.0)]))
    assert kt01() == 2
    assert mirror.sync().fetched == 0  # the snapshot fetched it into the one shared copy
    client.put_object(Bucket=bucket, Key="progress/live-kt01.parquet",
                      Body=_progress([("KT01", "Phòng Kinh tế", 1.0)]))
    changed = mirror.sync()
    assert (changed.fetched, changed.removed, changed.requests) == (1, 0, 2)
    assert kt01() == 1
    client.delete_object(Bucket=bucket, Key="progress/live-kt01.parquet")
    assert kt01() == 0
    assert not (mirror.folder / "progress" / "live-kt01.parquet").exists()
    # what a process killed mid-download leaves in the copy is gone at the next start
    leftovers = [mirror.folder / "progress" / ".live.parquet.123-ab.tmp",
                 mirror.folder / "progress" / "never-in-the-manifest.parquet"]
    for path in leftovers:
        path.write_bytes(b"PAR1")
    Mirror.open(url).sync()
    assert not any(p.exists() for p in leftovers)
    assert kt01() == 0


def test_a_first_copy_cut_off_midway_keeps_whole_files_only_and_the_next_start_resumes(
        server: S3Server, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from dashboard.s3.mirror import BucketUnreachable

    local = copy_sample(tmp_path / "d")
    upload_tree(server.client(), bucket, "", local)
    relay = Relay(int(server.endpoint.rsplit(":", 1)[1]))
    monkeypatch.setenv("AWS_ENDPOINT_URL", relay.endpoint)
    url = f"s3://{bucket}"
    mirror = Mirror.open(url)
    outcome: list[BaseException | None] = []

    def first_copy() -> None:
        try:
            mirror.sync()
            outcome.append(None)
        except BaseException as e:
            outcome.append(e)

    def copied() -> list[Path]:
        return [p for p in mirror.folder.rglob("*") if p.is_file()]

    worker = threading.Thread(target=first_copy)
    worker.start()
    deadline = time.monotonic() + 20
    while len(copied()) < 30 and worker.is_alive() and time.monotonic() < deadline:
        time.sleep(0.002)
    relay.cut()  # the link drops in the middle of the first copy
    worker.join(20)
    try:
        assert isinstance(outcome[0], BucketUnreachable)
        have = copied()
        assert 30 <= len(have) < 286
        for path in have:  # whole files only: no temp name, no half file
            rel = path.relative_to(mirror.folder)
            assert not path.name.startswith(".") and path.read_bytes() == (local / rel).read_bytes()
        relay.restore()
        resumed = Mirror.open(url).sync()  # the next start fetches only what is missing
        assert resumed.objects == 286 and resumed.fetched == 286 - len(have)
        assert sorted(p.relative_to(mirror.folder) for p in copied()) == sorted(
            p.relative_to(local) for p in local.rglob("*")
            if p.is_file() and p.name != "README.md")
    finally:
        relay.cut()


def _panel(app: object, area: str) -> str:
    return app.screen.query_one(f"#area-{area}", AreaPanel).shown_text()  # type: ignore[attr-defined]


def _words(text: str) -> list[str]:
    """A panel's words and figures, whatever its width (the stale banner may bring a
    scrollbar that narrows the panels by a column)."""
    return text.split()


async def test_a_new_object_reaches_a_running_dashboard(server: S3Server, bucket: str,
                                                        tmp_path: Path) -> None:
    client = server.client()
    upload_tree(client, bucket, "city/", small_campaign(tmp_path / "d"))
    source = open_source(argparse.Namespace(data=f"s3://{bucket}/city", poll=0.3))
    app = create_app(source, clock=FixedClock(MID_CAMPAIGN),
                     options=AppOptions(watch=True, rescan_seconds=60.0))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            assert await wait_for(pilot, lambda: app.snapshot is not None)
            assert "2/2 sản phẩm" not in _panel(app, "economy")
            client.put_object(Bucket=bucket, Key="city/progress/live-kt01.parquet",
                              Body=_progress([("KT01", "Phòng Kinh tế", 2.0)]))
            # one poll (0.3 s) plus a refresh; the safety-net rescan is a minute away
            assert await wait_for(pilot, lambda: "2/2 sản phẩm" in _panel(app, "economy"), 5.0)
    finally:
        source.close()


async def test_an_unreachable_bucket_keeps_the_figures_under_the_stale_banner_and_recovers(
        server: S3Server, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = server.client()
    upload_tree(client, bucket, "", small_campaign(tmp_path / "d"))
    relay = Relay(int(server.endpoint.rsplit(":", 1)[1]))
    monkeypatch.setenv("AWS_ENDPOINT_URL", relay.endpoint)
    source = open_source(argparse.Namespace(data=f"s3://{bucket}", poll=0.3))
    app = create_app(source, clock=FixedClock(MID_CAMPAIGN),
                     options=AppOptions(watch=True, rescan_seconds=0.5))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            assert await wait_for(pilot, lambda: app.snapshot is not None)
            shown = _panel(app, "economy")
            relay.cut()
            assert await wait_for(pilot, lambda: app.snapshot is not None
                                  and app.snapshot.error is not None, 15.0), screen_text(app)
            text = screen_text(app)
            assert "SỐ LIỆU CŨ" in text
            assert f"không kết nối được kho lưu trữ s3://{bucket}/ (máy chủ không trả lời)" in text
            # the last good figures stay
            assert _words(_panel(app, "economy")) == _words(shown), (shown, _panel(app, "economy"))
            # a node restarted meanwhile starts on its copy, stale from the start
            restarted = open_source(argparse.Namespace(data=f"s3://{bucket}", poll=0.3))
            try:
                snap = restarted.snapshot(MID_CAMPAIGN)
                assert "cannot be reached" in (snap.error or "") and snap.stale_since
                assert snap.target("KT01") is not None
            finally:
                restarted.close()
            client.put_object(Bucket=bucket, Key="progress/while-away.parquet",
                              Body=_progress([("KT01", "Phòng Kinh tế", 2.0)]))
            relay.restore()
            assert await wait_for(pilot, lambda: app.snapshot is not None
                                  and app.snapshot.error is None
                                  and "2/2 sản phẩm" in _panel(app, "economy"), 15.0), (
                app.snapshot and app.snapshot.error, screen_text(app))
            assert "SỐ LIỆU CŨ" not in screen_text(app)
    finally:
        source.close()
        relay.cut()


def test_a_bucket_unreachable_at_start_is_one_line_and_exit_2(
        server: S3Server, bucket: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    relay = Relay(int(server.endpoint.rsplit(":", 1)[1]))
    relay.cut()
    monkeypatch.setenv("AWS_ENDPOINT_URL", relay.endpoint)
    code, out, err = _run(capsys, "check", "--data", f"s3://{bucket}/x", "--lang", "en")
    assert code == 2 and out == ""
    assert err.strip() == f"thidua: bucket s3://{bucket}/x/ cannot be reached (no connection)"


def test_a_prefix_without_a_campaign_says_so_with_its_address(
        bucket: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "snapshot", "--data", f"s3://{bucket}/nothing-here")
    assert code == 2 and out == ""
    assert f"s3://{bucket}/nothing-here/: không có campaign.toml trong tiền tố này" in err


def test_credentials_never_go_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "check", "--data", "s3://AKIDEXAMPLE:s3cr3t@camp/x")
    assert code == 2 and "s3cr3t" not in err and "AWS_ACCESS_KEY_ID" in err


def _figures(s: object) -> dict[str, object]:
    """What a screen's numbers come from: every area's targets and the leaderboard."""
    from dashboard.snapshot_export import to_dict

    d = to_dict(s)  # type: ignore[arg-type]
    return {k: d[k] for k in ("areas", "leaderboard")}


async def test_two_ssh_nodes_and_a_kiosk_on_one_bucket_show_the_same_numbers_and_the_outage(
        server: S3Server, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/scale-out.md's recipe: what serve-ssh runs on each node (its hub, and a viewer's
    RemoteSource), twice, and a kiosk, each with its own copy of the bucket, as three
    machines would have."""
    import asyncio
    import time

    from dashboard.kiosk.settings import kiosk_settings
    from dashboard.s3.location import parse_location
    from dashboard.s3.poller import Poller
    from dashboard.ssh.hub import Hub
    from dashboard.ssh.remote_source import RemoteSource

    client = server.client()
    upload_tree(client, bucket, "", small_campaign(tmp_path / "d"))
    relay = Relay(int(server.endpoint.rsplit(":", 1)[1]))
    monkeypatch.setenv("AWS_ENDPOINT_URL", relay.endpoint)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the kiosk's log
    pollers, hubs, viewers = [], [], []
    room = open_source(argparse.Namespace(data=f"s3://{bucket}", poll=0.3))
    kiosk = create_app(room, clock=FixedClock(MID_CAMPAIGN),
                       options=AppOptions(watch=True, rescan_seconds=0.5),
                       kiosk=kiosk_settings(room.campaign, office_hours="always"))
    try:
        for node in ("a", "b"):
            mirror = Mirror(parse_location(f"s3://{bucket}"), root=tmp_path / f"node-{node}")
            mirror.sync()
            poller = Poller(mirror, 0.3)
            hub = Hub(mirror.folder, tmp_path / f"{node}.sock", clock=FixedClock(MID_CAMPAIGN),
                      rescan_seconds=3600, freshness=poller)
            await hub.start()
            poller.start()
            pollers.append(poller)
            hubs.append(hub)
            viewers.append(await asyncio.to_thread(RemoteSource, hub.socket_path,
                                                   FixedClock(MID_CAMPAIGN)))

        async def until(condition: object, timeout: float = 15.0) -> None:
            deadline = time.monotonic() + timeout
            await fetch()
            while not condition():  # type: ignore[operator]
                assert time.monotonic() < deadline, "timed out"
                await asyncio.sleep(0.05)
                await fetch()

        def snap(v: RemoteSource) -> object:
            v.refresh()
            return v.snapshot(MID_CAMPAIGN)

        shown: list[object] = []

        def live(v: RemoteSource) -> object:  # the last one fetched off the loop (below)
            return shown[viewers.index(v)]

        async def fetch() -> None:
            shown[:] = [await asyncio.to_thread(snap, v) for v in viewers]

        def room_shows(value: float) -> bool:
            t = kiosk.snapshot.target("KT01") if kiosk.snapshot is not None else None
            return t is not None and t.value == value

        async with kiosk.run_test(size=(160, 48)):
            client.put_object(Bucket=bucket, Key="progress/live-kt01.parquet",
                              Body=_progress([("KT01", "Phòng Kinh tế", 2.0)]))
            await until(lambda: room_shows(2.0) and all(
                live(v).target("KT01").value == 2.0 for v in viewers))  # type: ignore[attr-defined]
            assert _figures(live(viewers[0])) == _figures(live(viewers[1])) == _figures(
                kiosk.snapshot)  # the same numbers on every screen
            relay.cut()
            await until(lambda: kiosk.snapshot.error is not None and all(  # type: ignore[union-attr]
                "cannot be reached" in (live(v).error or "") for v in viewers))  # type: ignore[attr-defined]
            assert "SỐ LIỆU CŨ" in screen_text(kiosk)  # the room says its figures may be old
            assert room_shows(2.0) and all(live(v).target("KT01").value == 2.0  # type: ignore[attr-defined]
                                           for v in viewers)
            relay.restore()
            await until(lambda: kiosk.snapshot.error is None and all(  # type: ignore[union-attr]
                live(v).error is None for v in viewers))  # type: ignore[attr-defined]
            assert "SỐ LIỆU CŨ" not in screen_text(kiosk)
    finally:
        room.close()
        for v in viewers:
            v.close()
        for p in pollers:
            p.stop()
        for h in hubs:
            await h.close()
        relay.cut()


def test_import_puts_one_new_object_and_never_over_another(
        server: S3Server, bucket: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from dashboard.s3.mirror import ObjectExists

    client = server.client()
    upload_tree(client, bucket, "city/", small_campaign(tmp_path / "d"))
    before = listing(client, bucket)
    sheet = tmp_path / "police.csv"
    sheet.write_text("target_id,reporter,reported_at,value,note\n"
                     "AN04,Công an thành phố,2020-07-10 09:30,36,\n", encoding="utf-8")
    url = f"s3://{bucket}/city"
    argv = ("import", str(sheet), "--data", url, "--reporter", "Công an thành phố",
            "--now", "2020-07-10T18:00")
    code, out, _ = _run(capsys, *argv)
    assert code == 0, out
    after = listing(client, bucket)
    [new] = set(after) - set(before)
    assert new.startswith("city/progress/imports/") and set(before) <= set(after)
    code, out, _ = _run(capsys, "snapshot", "--data", url, "--now", "2020-07-10T18:00")
    an04 = next(t for a in json.loads(out)["areas"] for t in a["targets"]
                if t["target_id"] == "AN04")
    assert an04["value"] == 36
    assert _run(capsys, *argv)[0] == 1  # the same content again: refused, nothing put
    assert listing(client, bucket) == after
    # two importers racing past that check still cannot replace each other's object
    with pytest.raises(ObjectExists):
        Mirror.open(url).put_new(new[len("city/"):], b"not the same rows")
    assert listing(client, bucket) == after


@contextlib.asynccontextmanager
async def serve_ssh(tmp_path: Path, url: str) -> AsyncIterator[tuple[int, Keys]]:
    """The real `thidua serve-ssh --data s3://…` (its own process, reading the AWS variables
    of this test's environment) at 10:00 on 15/7/2020; its port and the viewer's keys."""
    import asyncio
    import re
    import signal
    import subprocess
    import sys

    from tests.test_ssh_support import make_keys

    keys = make_keys(tmp_path / "keys")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve-ssh", "--data", url,
         "--poll", "0.3", "--listen", "127.0.0.1:0", "--authorized-keys", str(keys.authorized),
         "--host-key", str(tmp_path / "host_key"), "--log-file", str(tmp_path / "ssh.log"),
         "--now", "2020-07-15T10:00"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 30)
        yield int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1)), keys  # type: ignore[union-attr]
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_serve_ssh_on_a_bucket_shows_a_new_object_to_a_real_ssh_viewer(
        server: S3Server, bucket: str, tmp_path: Path) -> None:
    """The real command and a real SSH client: a new object shows; then one the bucket will
    not hand over (a policy denies it) leaves the figures and is counted as skipped."""
    import json

    from tests.test_ssh_support import Viewer

    client = server.client()
    upload_tree(client, bucket, "", small_campaign(tmp_path / "d"))
    key = "progress/live-kt01.parquet"
    async with serve_ssh(tmp_path, f"s3://{bucket}") as (port, keys):
        viewer = await Viewer.open(port, keys.viewer, cols=160, rows=48)
        try:
            await viewer.wait_for("OCOP 3 sao")
            assert "2/2 sản phẩm" not in viewer.text()
            client.put_object(Bucket=bucket, Key=key,
                              Body=_progress([("KT01", "Phòng Kinh tế", 2.0)]))
            await viewer.wait_for("2/2 sản phẩm", timeout=10)
            assert "· 0 bỏ qua" in viewer.text()
            client.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/{key}"}]}))
            try:
                client.put_object(Bucket=bucket, Key=key,  # changed: fetched again, denied
                                  Body=_progress([("KT01", "Phòng Kinh tế", 1.0)]))
                shown = await viewer.wait_for("· 1 bỏ qua", timeout=10)
                assert "0/2 sản phẩm" in shown and "Không kết nối" not in shown
            finally:
                client.delete_bucket_policy(Bucket=bucket)
        finally:
            viewer.conn.close()


async def test_over_ssh_a_past_day_the_since_comparison_and_a_drill_down_are_stale(
        server: S3Server, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A viewer who travels back a day, compares with the last meeting or opens a target
    while the bucket cannot be reached is told the copy may be behind, as the live view is;
    and no longer once the bucket is back."""
    from tests.test_ssh_support import Viewer

    upload_tree(server.client(), bucket, "", small_campaign(tmp_path / "d"))
    relay = Relay(int(server.endpoint.rsplit(":", 1)[1]))
    monkeypatch.setenv("AWS_ENDPOINT_URL", relay.endpoint)
    stale = "SỐ LIỆU CŨ"
    try:
        async with serve_ssh(tmp_path, f"s3://{bucket}") as (port, keys):
            viewer = await Viewer.open(port, keys.viewer, cols=160, rows=48)
            try:
                await viewer.wait_for("Số liệu đến 10:00 15/7/2020")
                relay.cut()
                await viewer.wait_for(stale, timeout=10)
                viewer.press("[")  # a day back: the end of 14/7, from the copy
                shown = await viewer.wait_for("Số liệu đến 23:59 14/7/2020")
                assert "XEM LẠI QUÁ KHỨ" in shown and stale in shown
                assert f"không kết nối được kho lưu trữ s3://{bucket}/" in shown
                viewer.press("s")  # the last meeting's day, a week before: 07/7
                await viewer.wait_for("So sánh với ngày")
                viewer.press("\r")
                shown = await viewer.wait_for("Thay đổi kể từ")
                rows = viewer.lines()
                title = next(i for i, row in enumerate(rows) if "Thay đổi kể từ" in row)
                # in the dialog itself, under its title (the dashboard's banner is above it)
                assert any(stale in row for row in rows[title + 1:title + 4]), shown
                viewer.press("\x1b")
                await viewer.wait_for(lambda s: "Thay đổi kể từ" not in s)
                viewer.press("\r")  # the chosen target's drill-down, the whole screen
                shown = await viewer.wait_for("Báo cáo theo đơn vị")
                assert stale in shown and "XEM LẠI QUÁ KHỨ" not in shown
                viewer.press("\x1b")
                await viewer.wait_for("XEM LẠI QUÁ KHỨ")
                relay.restore()
                shown = await viewer.wait_for(lambda s: stale not in s, timeout=10)
                assert "Số liệu đến 23:59 14/7/2020" in shown  # still the past day, fresh
            finally:
                viewer.conn.close()
    finally:
        relay.cut()


def test_serve_web_on_a_bucket_shows_its_figures_and_a_new_object_in_a_real_browser(
        server: S3Server, bucket: str, tmp_path: Path) -> None:
    """The real `thidua serve-web --data s3://…/prefix`, its kiosk read back from a headless
    Chromium: the bucket's figures, then an object put meanwhile, on the page."""
    import psutil

    from tools import browser_kiosk

    if not browser_kiosk.CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    client = server.client()
    upload_tree(client, bucket, "lang-son/", small_campaign(tmp_path / "d"))
    url = f"s3://{bucket}/lang-son"
    put: list[bool] = []

    def new_figure_shown(screens: list[list[str]]) -> bool:
        text = "\n".join(screens[-1])
        if not put and "OCOP" in text:
            assert "0/2 sản phẩm" in text  # the bucket's figures, before the new object
            client.put_object(Bucket=bucket, Key="lang-son/progress/live-kt01.parquet",
                              Body=_progress([("KT01", "Phòng Kinh tế", 2.0)]))
            put.append(True)
        return bool(put) and "2/2 sản phẩm" in text

    # the economy panel stays in the spotlight for the whole test (--dwell)
    with browser_kiosk.serve_web(url, tmp_path / "state",
                                 options=("--poll", "0.5", "--dwell", "120")) as web:
        seen = browser_kiosk.look(web, (1280, 720), new_figure_shown, tmp_path / "chromium",
                                  timeout=25)
    assert put, f"the page never showed the bucket's figures: {seen.last}"
    assert "2/2 sản phẩm" in seen.last, seen.last
    assert "Kinh tế" in seen.last and "cập nhật lúc" in seen.last
    kiosks = [p for p in psutil.process_iter(["cmdline"])
              if url in " ".join(p.info["cmdline"] or [])]
    assert not kiosks, "a kiosk process outlived the server"


def test_a_change_inside_any_listing_page_is_seen_even_at_the_same_size(
        server: S3Server, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing pages whose bytes did not change are not parsed again: a changed ETag (same
    size), a new object that shifts every later page, and a deleted one are each still seen,
    and the copy ends up exactly the bucket's."""
    from dashboard.s3 import mirror as mirror_module

    monkeypatch.setattr(mirror_module, "PAGE_KEYS", 7)  # many pages from few objects
    client = server.client()
    upload_tree(client, bucket, "", small_campaign(tmp_path / "d"))
    keys = sorted(listing(client, bucket))
    middle = next(k for k in keys[len(keys) // 2:] if k.endswith(".parquet"))
    live = middle[:-len(".parquet")] + "-live.parquet"  # sorts in a middle page
    one, two = (_progress([("KT01", "Phòng Kinh tế", v)]) for v in (1.0, 2.0))
    assert len(one) == len(two) and one != two
    client.put_object(Bucket=bucket, Key=live, Body=one)
    mirror = Mirror.open(f"s3://{bucket}")
    first = mirror.sync()
    pages = first.requests - first.fetched
    assert pages >= 4
    idle = mirror.sync()
    assert (idle.fetched, idle.requests, idle.listing_changed) == (0, pages, False)

    def copy_is_the_bucket() -> None:
        files = {p.relative_to(mirror.folder).as_posix(): p.read_bytes()
                 for p in mirror.folder.rglob("*") if p.is_file()}
        assert files == {k: client.get_object(Bucket=bucket, Key=k)["Body"].read()
                         for k in listing(client, bucket)}

    client.put_object(Bucket=bucket, Key=live, Body=two)  # same size, another ETag
    changed = mirror.sync()
    assert (changed.fetched, changed.paths) == (1, {live})
    assert (mirror.folder / live).read_bytes() == two
    client.put_object(Bucket=bucket, Key="progress/0-first.parquet", Body=one)  # page 1
    assert mirror.sync().paths == {"progress/0-first.parquet"}
    assert mirror.sync().listing_changed is False
    client.delete_object(Bucket=bucket, Key=middle)
    gone = mirror.sync()
    assert (gone.fetched, gone.removed, gone.paths) == (0, 1, {middle})
    copy_is_the_bucket()
    rng = random.Random(14)  # then rounds of puts, overwrites and deletes anywhere at once
    for round_ in range(5):
        now = sorted(k for k in listing(client, bucket) if k.startswith("progress/"))
        expect: set[str] = set()
        for k in rng.sample(now, 3):
            if rng.random() < 0.5:
                client.delete_object(Bucket=bucket, Key=k)
            else:
                client.put_object(Bucket=bucket, Key=k, Body=(one, two)[round_ % 2])
            expect.add(k)
        for k in rng.sample(now, 2):
            new = k[:-len(".parquet")] + f"-{round_}.parquet"
            client.put_object(Bucket=bucket, Key=new, Body=one)
            expect.add(new)
        assert mirror.sync().paths <= expect
        copy_is_the_bucket()


def test_an_object_the_bucket_will_not_hand_over_is_named_and_the_rest_stays_fresh(
        server: S3Server, bucket: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A bucket policy denies GetObject on one object (AccessDenied): `check` names it with
    its reason in the viewer's language, the figures come from every other object, fresh (not
    stale, exit 0), and the object comes back once the policy goes."""
    import json

    client = server.client()
    upload_tree(client, bucket, "", small_campaign(tmp_path / "d"))
    key = "progress/live-kt01.parquet"
    client.put_object(Bucket=bucket, Key=key, Body=_progress([("KT01", "Phòng Kinh tế", 2.0)]))
    url = f"s3://{bucket}"

    def kt01() -> float:
        code, out, err = _run(capsys, "snapshot", "--data", url, "--now", "2020-07-15T10:00")
        assert code == 0, err
        return next(t["value"] for a in json.loads(out)["areas"] for t in a["targets"]
                    if t["target_id"] == "KT01")

    assert kt01() == 2  # copied while it could be read
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/{key}"}]}))
    try:
        client.put_object(Bucket=bucket, Key=key,  # changed: it must be fetched again
                          Body=_progress([("KT01", "Phòng Kinh tế", 1.0)]))
        code, out, err = _run(capsys, "check", "--data", url)
        assert code == 1, err
        assert f"{key}: kho lưu trữ không cho đọc đối tượng này (bị từ chối truy cập)" in out
        code, out, _ = _run(capsys, "check", "--data", url, "--lang", "en")
        assert f"{key}: the bucket does not let this object be read (access denied)" in out
        assert kt01() == 0  # the rest is fresh; the old copy of the denied one is out
    finally:
        client.delete_bucket_policy(Bucket=bucket)
    assert kt01() == 1
    code, out, _ = _run(capsys, "check", "--data", url)
    assert key not in out
