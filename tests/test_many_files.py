"""A folder of many small files, changed a file at a time: the engine lists again only the
folders the watcher names, and still shows what a cold engine reading everything shows."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from conftest import at, naive, target, write_progress, write_targets

from dashboard.engine.engine import Engine
from dashboard.snapshot_export import to_dict

UNITS = [f"unit-{i:02d}" for i in range(12)]
WEEKS = ["2020-W20", "2020-W21", "2020-W22"]
NOW = at(2020, 7, 1)


def _many(folder: Path) -> None:
    """progress/<week>/<unit>/report-N.parquet: 12 units × 3 weeks × 2 reports."""
    write_targets(folder, [target("e1", aggregate="sum"), target("e2"),
                           target("c1", area="culture_society")])
    for w, week in enumerate(WEEKS):
        for u, unit in enumerate(UNITS):
            for n in range(2):
                write_progress(folder, f"{week}/{unit}/report-{n}.parquet", [
                    ("e1", unit, naive(2020, 5, 11 + 7 * w, 9 + n), float(u + n)),
                    ("e2", unit, naive(2020, 5, 11 + 7 * w, 9 + n), float(10 * w + u))])


def _cold(folder: Path, now: datetime = NOW) -> dict[str, Any]:
    e = Engine(folder, grace_seconds=0.0)
    try:
        e.refresh()
        return to_dict(e.snapshot(now))
    finally:
        e.close()


def test_a_file_dropped_among_many_is_seen_from_the_watchers_path_alone(
        campaign_dir: Path, make_engine: Any) -> None:
    _many(campaign_dir)
    e = make_engine(campaign_dir)
    assert e.snapshot(NOW).files.used == 1 + len(WEEKS) * len(UNITS) * 2
    new = write_progress(campaign_dir, "2020-W22/unit-03/report-9.parquet",
                         [("c1", "unit-03", naive(2020, 5, 26, 10), 42.0)])
    report = e.refresh([str(new)])
    assert (report.changed, report.added, report.removed) == (True, 1, 0)
    assert e.snapshot(NOW).target("c1").value == 42.0
    assert to_dict(e.snapshot(NOW)) == _cold(campaign_dir)


def test_a_rewritten_file_is_read_again_and_a_removed_folder_takes_its_rows(
        campaign_dir: Path, make_engine: Any) -> None:
    _many(campaign_dir)
    e = make_engine(campaign_dir)
    path = write_progress(campaign_dir, "2020-W22/unit-11/report-1.parquet",
                          [("e2", "unit-11", naive(2020, 5, 25, 10), 500.0)])
    assert e.refresh([str(path)]).changed
    assert e.snapshot(NOW).target("e2").value == 500.0
    gone = campaign_dir / "progress" / "2020-W22" / "unit-11"
    shutil.rmtree(gone)
    report = e.refresh([str(gone)])
    assert report.removed == 2
    assert e.snapshot(NOW).target("e2").value != 500.0
    assert to_dict(e.snapshot(NOW)) == _cold(campaign_dir)


def test_a_file_in_new_folders_and_a_bad_file_are_seen_from_their_paths(
        campaign_dir: Path, make_engine: Any) -> None:
    _many(campaign_dir)
    e = make_engine(campaign_dir)
    new = write_progress(campaign_dir, "2020-W27/unit-new/first.parquet",
                         [("c1", "unit-new", naive(2020, 6, 30, 10), 7.0)])
    assert e.refresh([str(new)]).added == 1  # neither folder was there before
    assert e.snapshot(NOW).target("c1").value == 7.0
    bad = campaign_dir / "progress" / "2020-W27" / "unit-new" / "second.parquet"
    bad.write_bytes(b"not parquet at all")
    e.refresh([str(bad)])
    skipped = {s.file: s.reason for s in e.snapshot(NOW).files.skipped}
    assert skipped == {"progress/2020-W27/unit-new/second.parquet": "not valid Parquet"}
    assert to_dict(e.snapshot(NOW)) == _cold(campaign_dir)


def test_a_change_outside_progress_or_through_a_symlink_looks_at_everything(
        campaign_dir: Path, make_engine: Any) -> None:
    _many(campaign_dir)
    e = make_engine(campaign_dir)
    write_targets(campaign_dir, [target("e1", aggregate="sum"), target("e2"),
                                 target("c1", area="culture_society"), target("n1")])
    write_progress(campaign_dir, "2020-W22/unit-00/n1.parquet",
                   [("n1", "unit-00", naive(2020, 5, 26, 10), 3.0)])
    e.refresh([str(campaign_dir / "targets.parquet")])  # the new file was not named
    assert e.snapshot(NOW).target("n1").value == 3.0
    shared = campaign_dir / "shared"
    shared.mkdir()
    os.symlink(shared, campaign_dir / "progress" / "linked")
    e.refresh()
    new = write_progress(campaign_dir, "linked/l.parquet",
                         [("c1", "unit-00", naive(2020, 5, 26, 10), 9.0)])
    assert e.refresh([str(new)]).added == 1
    assert e.snapshot(NOW).target("c1").value == 9.0
    assert to_dict(e.snapshot(NOW)) == _cold(campaign_dir)


def test_a_file_the_watcher_did_not_name_shows_at_the_next_whole_rescan(
        campaign_dir: Path, make_engine: Any) -> None:
    _many(campaign_dir)
    e = make_engine(campaign_dir)
    write_progress(campaign_dir, "2020-W21/unit-05/missed.parquet",
                   [("c1", "unit-05", naive(2020, 5, 19, 10), 11.0)])
    named = write_progress(campaign_dir, "2020-W20/unit-01/named.parquet",
                           [("e2", "unit-01", naive(2020, 5, 12, 10), 99.0)])
    assert e.refresh([str(named)]).added == 1
    assert e.snapshot(NOW).target("c1").value is None
    assert e.refresh().added == 1  # the periodic safety net
    assert e.snapshot(NOW).target("c1").value == 11.0
    assert to_dict(e.snapshot(NOW)) == _cold(campaign_dir)


def test_a_half_written_file_among_many_waits_out_its_grace_then_is_named(
        campaign_dir: Path, make_engine: Any) -> None:
    _many(campaign_dir)
    clock = [datetime(2026, 12, 4, 10, 0).timestamp()]
    e = make_engine(campaign_dir, grace_seconds=30.0, wall=lambda: clock[0])
    bad = campaign_dir / "progress" / "2020-W21" / "unit-07" / "late.parquet"
    bad.write_bytes(b"PAR1 still being copied")
    os.utime(bad, (clock[0], clock[0]))
    e.refresh([str(bad)])
    files = e.snapshot(NOW).files
    assert files.pending == ("progress/2020-W21/unit-07/late.parquet",) and not files.skipped
    clock[0] += 31
    assert e.refresh(()).changed  # the periodic refresh between whole walks: nothing named
    files = e.snapshot(NOW).files
    assert files.pending == ()
    assert [s.file for s in files.skipped] == ["progress/2020-W21/unit-07/late.parquet"]
    assert files.used == 1 + len(WEEKS) * len(UNITS) * 2


async def test_the_watcher_names_the_file_renamed_in_and_the_engine_reads_it_from_that_path(
        campaign_dir: Path, make_engine: Any) -> None:
    import asyncio

    from dashboard.watcher import watch_folder

    _many(campaign_dir)
    e = make_engine(campaign_dir)
    seen: list[frozenset[str] | None] = []
    stop = asyncio.Event()
    task = asyncio.create_task(watch_folder(e.folder, seen.append, stop))
    await asyncio.sleep(0.5)  # the watches are in place
    new = write_progress(e.folder, "2020-W20/unit-09/new.parquet",
                         [("c1", "unit-09", naive(2020, 5, 12, 10), 5.0)])
    for _ in range(100):
        if seen:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert seen and seen[0] is not None and str(new) in seen[0]
    assert not any(".tmp" in p or "/." in p for p in seen[0])  # the temp name is filtered
    assert e.refresh(seen[0]).added == 1
    assert e.snapshot(NOW).target("c1").value == 5.0
