"""A warm engine fed one change at a time agrees with a cold one and with a plain-Python
reading of the rules (written here from the spec, independent of the engine's code)."""

from __future__ import annotations

import math
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from conftest import (
    CAMPAIGN_TOML,
    DATE,
    NAIVE,
    UTC,
    VN,
    ZONED,
    at,
    naive,
    target,
    tree_bytes,
    write_progress,
    write_targets,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.engine.engine import Engine
from dashboard.snapshot_export import to_dict

CUTS = [at(2020, 6, 1, 10), at(2020, 7, 1), at(2020, 12, 1)]


def _cold(folder: Path, now: datetime) -> dict[str, Any]:
    e = Engine(folder, grace_seconds=0.0)
    try:
        e.refresh()
        return to_dict(e.snapshot(now))
    finally:
        e.close()


def _assert_same_as_cold(e: Engine, folder: Path, cuts=CUTS) -> None:
    for now in cuts:
        assert to_dict(e.snapshot(now)) == _cold(folder, now), now


# -- plain scenarios ------------------------------------------------------------------------


def test_adding_files_one_at_a_time_matches_a_cold_engine(campaign_dir, make_engine):
    write_targets(campaign_dir, [
        target("e1", aggregate="sum", owner="A"), target("e2", owner="B"),
        target("c1", area="culture_society", value=10.0, direction="at_most", owner="A"),
    ])
    e = make_engine(campaign_dir)
    weeks = [
        [("e1", "r1", naive(2020, 5, 11, 9), 3.0), ("e2", "r1", naive(2020, 5, 11, 9), 10.0)],
        [("e1", "r2", naive(2020, 5, 18, 9), 4.0), ("c1", "r1", naive(2020, 5, 18, 9), 30.0)],
        [("e1", "r1", naive(2020, 5, 25, 9), 6.0), ("e2", "r2", naive(2020, 5, 25, 9), 40.0),
         ("zz", "r1", naive(2020, 5, 25, 9), 1.0)],
        [("c1", "r2", naive(2020, 6, 1, 11), 8.0), ("e2", "r1", naive(2020, 6, 1, 9), 55.0)],
    ]
    expected_e1 = [3.0, 7.0, 10.0, 10.0]  # 3; 3+4; r1 6 + r2 4; unchanged
    for i, rows in enumerate(weeks):
        report = e.refresh()
        assert report.changed is False  # nothing new yet
        write_progress(campaign_dir, f"2020-W{20 + i}/report.parquet", rows)
        report = e.refresh()
        assert (report.changed, report.added, report.removed) == (True, 1, 0)
        assert e.snapshot(at(2020, 7, 1)).target("e1").value == expected_e1[i]
        _assert_same_as_cold(e, campaign_dir)
    snap = e.snapshot(at(2020, 7, 1))
    assert snap.target("e2").value == 55.0
    assert snap.target("c1").value == 8.0
    assert snap.target("c1").completion == 1.0  # at_most 8 <= 10


def test_deleted_file_rows_go_away(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1", aggregate="sum"), target("e2")])
    write_progress(campaign_dir, "a.parquet", [("e1", "r1", naive(2020, 6, 1), 10.0),
                                               ("e2", "r1", naive(2020, 6, 1), 10.0)])
    b = write_progress(campaign_dir, "b.parquet", [("e1", "r2", naive(2020, 6, 2), 5.0),
                                                   ("e2", "r2", naive(2020, 6, 2, 1), 70.0),
                                                   ("zz", "r2", naive(2020, 6, 2), 1.0)])
    e = make_engine(campaign_dir)
    snap = e.snapshot(at(2020, 7, 1))
    assert (snap.target("e1").value, snap.target("e2").value) == (15.0, 70.0)
    assert len(snap.rows_dropped) == 1
    b.unlink()
    report = e.refresh()
    assert (report.changed, report.added, report.removed) == (True, 0, 1)
    snap = e.snapshot(at(2020, 7, 1))
    assert (snap.target("e1").value, snap.target("e2").value) == (10.0, 10.0)
    assert snap.target("e1").reporters == ("r1",)
    assert snap.rows_dropped == ()
    _assert_same_as_cold(e, campaign_dir)
    (campaign_dir / "progress" / "a.parquet").unlink()
    e.refresh()
    snap = e.snapshot(at(2020, 7, 1))
    assert snap.target("e1").status == "no_data"
    assert snap.target("e2").value is None
    _assert_same_as_cold(e, campaign_dir)


def test_rewritten_file_replaces_its_old_values(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1", aggregate="sum"), target("e2")])
    write_progress(campaign_dir, "a.parquet", [("e1", "r1", naive(2020, 6, 1), 10.0),
                                               ("e2", "r1", naive(2020, 6, 3), 90.0)])
    write_progress(campaign_dir, "b.parquet", [("e2", "r2", naive(2020, 6, 2), 20.0)])
    e = make_engine(campaign_dir)
    assert e.snapshot(at(2020, 7, 1)).target("e2").value == 90.0
    # Same name, other values, and an older date: 90 must be gone, b's 20 becomes the newest.
    write_progress(campaign_dir, "a.parquet", [("e1", "r1", naive(2020, 6, 1), 4.0),
                                               ("e2", "r1", naive(2020, 6, 1), 30.0)])
    e.refresh()
    snap = e.snapshot(at(2020, 7, 1))
    assert snap.target("e1").value == 4.0
    assert snap.target("e2").value == 20.0
    assert snap.target("e2").last_report_at == at(2020, 6, 2)
    _assert_same_as_cold(e, campaign_dir)


def test_targets_change_reclassifies_known_rows(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1")])
    write_progress(campaign_dir, "a.parquet", [("e1", "r1", naive(2020, 6, 1), 10.0),
                                               ("e9", "r1", naive(2020, 6, 1), 7.0)])
    e = make_engine(campaign_dir)
    snap = e.snapshot(at(2020, 7, 1))
    assert [(d.file, d.count, d.code) for d in snap.rows_dropped] == [
        ("progress/a.parquet", 1, "unknown_target_id")]
    write_targets(campaign_dir, [target("e1"), target("e9", aggregate="sum")])
    e.refresh()
    snap = e.snapshot(at(2020, 7, 1))
    assert snap.target("e9").value == 7.0
    assert snap.rows_dropped == ()
    _assert_same_as_cold(e, campaign_dir)


def test_removed_target_makes_its_rows_unknown(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1"), target("e2")])
    write_progress(campaign_dir, "a.parquet", [("e1", "r1", naive(2020, 6, 1), 10.0),
                                               ("e2", "r1", naive(2020, 6, 1), 7.0)])
    e = make_engine(campaign_dir)
    assert e.snapshot(at(2020, 7, 1)).rows_dropped == ()
    write_targets(campaign_dir, [target("e1")])
    e.refresh()
    snap = e.snapshot(at(2020, 7, 1))
    assert snap.target("e2") is None
    assert [(d.file, d.count, d.code) for d in snap.rows_dropped] == [
        ("progress/a.parquet", 1, "unknown_target_id")]
    _assert_same_as_cold(e, campaign_dir)


# -- property: random files, random adds and deletes ----------------------------------------

TARGET_IDS = ("l1", "l2", "s1", "s2")
REPORTERS = ("r1", "r2", "r3")
NAMES = ("a.parquet", "b.parquet", "w/c.parquet", "d[1].parquet")
# Local wall times: around the start, inside a day, at midnights, the last day, the deadline.
INSTANTS = (
    naive(2020, 5, 5, 23), naive(2020, 6, 1, 0), naive(2020, 6, 1, 9), naive(2020, 6, 1, 10),
    naive(2020, 6, 1, 23, 59), naive(2020, 6, 2, 0), naive(2020, 6, 2, 10),
    naive(2020, 6, 9, 10), naive(2020, 9, 30, 23), naive(2020, 10, 1, 0),
)
DEFECTS = ("null_target_id", "null_reporter", "null_reported_at", "null_value",
           "non_finite_value", "unknown_target_id")


@dataclass(frozen=True)
class Row:
    target_id: str
    reporter: str
    local: datetime  # naive local wall time
    value: float
    defect: str | None


@dataclass(frozen=True)
class File:
    rows: tuple[Row, ...]
    ts_kind: str      # naive | zoned | date
    value_kind: str   # float | int | decimal


@st.composite
def files(draw: st.DrawFn) -> File:
    ts_kind = draw(st.sampled_from(("naive", "zoned", "date")))
    value_kind = draw(st.sampled_from(("float", "int", "decimal")))
    defects = [d for d in DEFECTS if value_kind == "float" or d != "non_finite_value"]
    row = st.builds(
        Row,
        target_id=st.sampled_from(TARGET_IDS),
        reporter=st.sampled_from(REPORTERS),
        local=st.sampled_from(INSTANTS),
        value=(st.integers(0, 120).map(float) if value_kind == "int"
               else st.integers(0, 480).map(lambda q: q / 4)),
        defect=st.one_of(st.none(), st.none(), st.none(), st.sampled_from(defects)),
    )
    return File(tuple(draw(st.lists(row, max_size=8))), ts_kind, value_kind)


ops = st.lists(
    st.one_of(st.tuples(st.just("write"), st.sampled_from(NAMES), files()),
              st.tuples(st.just("delete"), st.sampled_from(NAMES), st.none())),
    min_size=1, max_size=6,
)
cut_strategy = st.tuples(
    st.sampled_from(INSTANTS),
    st.sampled_from((timedelta(0), timedelta(seconds=-1), timedelta(seconds=1),
                     timedelta(hours=5))),
).map(lambda p: (p[0] + p[1]).replace(tzinfo=VN))


def _instant(r: Row, kind: str) -> datetime:
    """When the row counts from, as the spec reads each stored kind."""
    if kind == "date":
        return datetime.combine(r.local.date(), datetime.min.time(), VN)
    return r.local.replace(tzinfo=VN)


def _stored(r: Row, f: File) -> tuple[Any, ...]:
    tid: str | None = r.target_id
    rep: str | None = r.reporter
    when: datetime | date | None = r.local
    value: Any = r.value
    if f.ts_kind == "zoned":
        when = r.local.replace(tzinfo=VN).astimezone(UTC)
    elif f.ts_kind == "date":
        when = r.local.date()
    match r.defect:
        case "null_target_id":
            tid = None
        case "null_reporter":
            rep = None
        case "null_reported_at":
            when = None
        case "null_value":
            value = None
        case "non_finite_value":
            value = math.nan if r.value < 60 else (math.inf if r.value < 90 else -math.inf)
        case "unknown_target_id":
            tid = "zz_" + r.target_id
    if value is not None and f.value_kind == "decimal":
        value = Decimal(str(value))
    return (tid, rep, when, value)


def _write(folder: Path, name: str, f: File) -> None:
    ts_type = {"naive": NAIVE, "zoned": ZONED, "date": DATE}[f.ts_kind]
    value_type = {"float": pa.float64(), "int": pa.int64(),
                  "decimal": pa.decimal128(14, 2)}[f.value_kind]
    write_progress(folder, name, [_stored(r, f) for r in f.rows], ts_type=ts_type,
                   value_type=value_type)


def reference(present: dict[str, File], aggregates: dict[str, str], now: datetime
              ) -> dict[str, tuple[float | None, datetime | None, tuple[str, ...]]]:
    """target → (value, last report, reporters) as of now, straight from the spec."""
    counted: dict[str, list[tuple[str, datetime, float]]] = {t: [] for t in aggregates}
    for f in present.values():
        for r in f.rows:
            if r.defect is not None:
                continue
            when = _instant(r, f.ts_kind)
            if when <= now:
                counted[r.target_id].append((r.reporter, when, r.value))
    out: dict[str, tuple[float | None, datetime | None, tuple[str, ...]]] = {}
    for tid, rows in counted.items():
        if not rows:
            out[tid] = (None, None, ())
            continue
        newest: dict[str, tuple[datetime, float]] = {}
        for rep, when, value in rows:
            if rep not in newest or (when, value) > newest[rep]:
                newest[rep] = (when, value)
        if aggregates[tid] == "sum":
            value = sum(v for _, v in newest.values())
        else:
            value = max(newest.values())[1]
        out[tid] = (value, max(w for w, _ in newest.values()), tuple(sorted(newest)))
    return out


def reference_drops(present: dict[str, File]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for name, f in present.items():
        for r in f.rows:
            if r.defect:
                key = (f"progress/{name}", r.defect)
                out[key] = out.get(key, 0) + 1
    return out


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    aggregates=st.tuples(*[st.sampled_from(("latest", "sum")) for _ in TARGET_IDS]),
    directions=st.tuples(*[st.sampled_from(("at_least", "at_most")) for _ in TARGET_IDS]),
    steps=ops,
    cuts=st.lists(cut_strategy, min_size=1, max_size=3),
)
def test_random_changes_match_reference_and_cold_engine(aggregates, directions, steps, cuts):
    aggs = dict(zip(TARGET_IDS, aggregates, strict=True))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "campaign"
        (folder / "progress").mkdir(parents=True)
        shutil.copyfile(CAMPAIGN_TOML, folder / "campaign.toml")
        write_targets(folder, [
            target(t, area=("economy", "admin_reform")[i % 2], value=50.0 + 25 * i,
                   aggregate=aggs[t], direction=directions[i], owner=("A", "B", "A", None)[i])
            for i, t in enumerate(TARGET_IDS)])
        e = Engine(folder, grace_seconds=0.0)
        try:
            e.refresh()
            present: dict[str, File] = {}
            for op, name, f in steps:
                path = folder / "progress" / name
                if op == "delete":
                    if name not in present:
                        continue
                    path.unlink()
                    del present[name]
                else:
                    _write(folder, name, f)
                    present[name] = f
                e.refresh()
                assert to_dict(e.snapshot(cuts[0])) == _cold(folder, cuts[0])
                for now in cuts:
                    snap = e.snapshot(now)
                    ref = reference(present, aggs, now)
                    for tid in TARGET_IDS:
                        t = snap.target(tid)
                        assert (t.value, t.last_report_at, t.reporters) == ref[tid], (tid, now)
                        assert (t.status == "no_data") == (ref[tid][0] is None)
                    got = {(d.file, d.code): d.count for d in snap.rows_dropped}
                    assert got == reference_drops(present)
                    assert snap.files.skipped == () and snap.files.pending == ()
            before = tree_bytes(folder)
            for now in cuts:
                assert to_dict(e.snapshot(now)) == _cold(folder, now)
            assert tree_bytes(folder) == before
        finally:
            e.close()


def test_a_late_file_for_a_past_week_updates_the_weekly_values(
        campaign_dir: Path, make_engine: Any) -> None:
    """Past weeks' values are kept between refreshes; a file reporting into one must renew them."""
    write_targets(campaign_dir, [target("e1")])
    write_progress(campaign_dir, "a.parquet", [("e1", "r1", naive(2020, 5, 8), 10.0)])
    e = make_engine(campaign_dir)
    now = at(2020, 6, 10)
    first = e.snapshot(now).target("e1")
    # week ends: 13/5, 20/5, 27/5, 3/6, 10/6 00:00, then now
    assert first.weekly == (10.0, 10.0, 10.0, 10.0, 10.0, 10.0)
    write_progress(campaign_dir, "late.parquet", [("e1", "r1", naive(2020, 5, 18), 30.0)])
    e.refresh()
    after = e.snapshot(now).target("e1")
    assert after.weekly == (10.0, 30.0, 30.0, 30.0, 30.0, 30.0)
    cold = make_engine(campaign_dir).snapshot(now).target("e1")
    assert cold.weekly == after.weekly


def test_snapshots_keep_working_after_the_kept_answers_fill_up(
        campaign_dir: Path, make_engine: Any) -> None:
    """A kiosk asks for a new instant every minute for weeks: once the kept answers are full
    the cache starts again, and the snapshot that crosses that line still has every value
    (the soak found it failing with a KeyError after 1,024 instants)."""
    write_targets(campaign_dir, [target("e1"), target("e2", area="culture_society")])
    write_progress(campaign_dir, "a.parquet", [("e1", "r1", naive(2020, 5, 8), 10.0),
                                               ("e2", "r2", naive(2020, 6, 2), 20.0),
                                               ("e1", "r1", naive(2020, 7, 9, 9), 40.0)])
    small = make_engine(campaign_dir, answers_kept=8)
    for step in range(30):
        now = at(2020, 6, 20) + timedelta(days=step, minutes=step)
        got = to_dict(small.snapshot(now))
        assert got == _cold(campaign_dir, now), now
