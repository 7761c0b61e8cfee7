"""The engine against an independent reading of data/README.md (tests/reference_rules.py).

Hypothesis draws whole campaigns: dates (a few weeks, most across New York's DST changes),
time zone, holidays and make-up workdays, targets of every direction and aggregate, owners
that tie, and progress files of every stored kind (naive, UTC and date reported_at; int64,
float64 and decimal values; a note column or none). Strings come in NFD and with spaces, as
units type them. Each campaign is checked cold (a new Engine), then in the same Engine after a
file is added, one is rewritten in place and one is deleted, at 12 instants each (30 examples:
1,440 snapshots a run), drawn from around the start, the week ends and the deadline, at, just
before and just after reports, between two reports of the same day, a week and a reporting
interval after reports, and handed over in the campaign's zone, UTC or UTC+05:30. Every rule's
answer is compared. Below, one plain test per difference this comparison found (each fixed):
an all-null note, the week that ends at the deadline, an at_most target with no data, and
durations across DST whatever zone T is written in.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import reference_rules as ref
from conftest import DATE, NAIVE, ZONED, progress_table, target, write_table, write_targets
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from dashboard.engine.engine import ROWS_IN_MEMORY_BYTES, Engine
from dashboard.engine.model import Snapshot

VN = "Asia/Ho_Chi_Minh"
NY = "America/New_York"
VNZ, NYZ = ZoneInfo(VN), ZoneInfo(NY)
AREAS = ("economy", "culture_society", "quiet")  # "quiet" never gets a target
TARGET_VALUES = (Fraction(1), Fraction(4), Fraction(15, 2), Fraction(10), Fraction(50))


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# Owners and reporters as units type them: the same name in NFC and NFD, with spaces.
OWNERS = (None, "Phường A", nfd("Phường A"), " Xã B ", "Xã B", "Xã C", "Tổ D")
REPORTERS = ("r1", " r1", "Tổ 2", nfd("Tổ 2 "), "r3")
# Local wall times of reports: none falls in a DST gap or fold (01:00–03:00).
CLOCKS = (time(0), time(8), time(12, 30), time(17, 45, 30), time(23, 59, 59))
TS_TYPES = {"naive": NAIVE, "zoned": ZONED, "date": DATE}
VALUE_TYPES = {"int64": pa.int64(), "float64": pa.float64(), "decimal": pa.decimal128(12, 2)}
# How a file carries `note`: absent, text, or all empty with Arrow type null (as pandas writes).
NOTE_KINDS = ("none", "text", "null")
# Zones an instant T is handed to the engine in (besides the campaign's own).
OTHER_ZONES = (UTC, timezone(timedelta(hours=5, minutes=30)))


@dataclass(frozen=True)
class Row:
    target: int
    padded: bool  # target_id written with spaces around it
    reporter: str
    day: int      # days after the campaign's start (may be before it or after the end)
    clock: time
    q: int        # the value: q for int64 files, q/4 otherwise


@dataclass(frozen=True)
class ProgressFile:
    rows: tuple[Row, ...]
    ts_kind: str
    value_kind: str
    note: str  # none | text | null (an all-null column pyarrow types as null)


@dataclass(frozen=True)
class Case:
    campaign: ref.Campaign
    targets: tuple[ref.Target, ...]
    files: tuple[ProgressFile, ...]
    added: ProgressFile
    rewrite: tuple[int, ProgressFile]
    delete: int
    seed: int


# -- strategies -----------------------------------------------------------------------------


@st.composite
def campaigns(draw: st.DrawFn) -> ref.Campaign:
    tz = draw(st.sampled_from((VNZ, NYZ)))
    # New York's clocks change on 08/3 and 01/11/2020: most campaigns straddle one of them
    change = draw(st.sampled_from((date(2020, 3, 8), date(2020, 11, 1), date(2020, 5, 6))))
    back = draw(st.integers(0, 14))
    start = change - timedelta(days=back)
    length = draw(st.integers(max(6, back), 27))
    days = [start + timedelta(days=i) for i in range(length + 1)]
    holidays = draw(st.sets(st.sampled_from(days), max_size=3))
    weekend = [d for d in days if d.weekday() >= 5]
    makeup = draw(st.sets(st.sampled_from(weekend), max_size=2)) if weekend else set()
    c = ref.Campaign(start=start, end=days[-1], tz=tz,
                     reporting_interval_days=draw(st.integers(1, 7)),
                     holidays=frozenset(holidays), makeup_workdays=frozenset(makeup),
                     areas=AREAS)
    if not ref.working_days(c):  # "divided by all working days": at least one
        c = ref.Campaign(c.start, c.end, c.tz, c.reporting_interval_days, frozenset(),
                         c.makeup_workdays, c.areas)
    return c


@st.composite
def target_lists(draw: st.DrawFn) -> tuple[ref.Target, ...]:
    n = draw(st.integers(2, 6))
    return tuple(
        ref.Target(
            target_id=f"t{i}",
            area=draw(st.sampled_from(AREAS[:2])),
            target_value=draw(st.sampled_from(TARGET_VALUES)),
            direction=draw(st.sampled_from(("at_least", "at_most"))),
            aggregate=draw(st.sampled_from(("latest", "sum"))),
            owner=draw(st.sampled_from(OWNERS)),
        )
        for i in range(n))


def progress_files(n_targets: int, length: int) -> st.SearchStrategy[ProgressFile]:
    row = st.builds(
        Row,
        target=st.integers(0, n_targets - 1),
        padded=st.booleans(),
        reporter=st.sampled_from(REPORTERS),
        day=st.integers(-2, length + 2),
        clock=st.sampled_from(CLOCKS),
        q=st.integers(0, 60),
    )

    @st.composite
    def one(draw: st.DrawFn) -> ProgressFile:
        rows = draw(st.lists(row, min_size=1, max_size=10))
        # ties on reported_at: the same instant again, other value, maybe another reporter
        for i in draw(st.lists(st.integers(0, len(rows) - 1), max_size=3)):
            rows.append(Row(rows[i].target, not rows[i].padded,
                            draw(st.sampled_from(REPORTERS)), rows[i].day, rows[i].clock,
                            draw(st.integers(0, 60))))
        return ProgressFile(tuple(rows), draw(st.sampled_from(tuple(TS_TYPES))),
                            draw(st.sampled_from(tuple(VALUE_TYPES))),
                            draw(st.sampled_from(NOTE_KINDS)))

    return one()


@st.composite
def cases(draw: st.DrawFn) -> Case:
    c = draw(campaigns())
    targets = draw(target_lists())
    files = progress_files(len(targets), (c.end - c.start).days)
    initial = tuple(draw(st.lists(files, min_size=1, max_size=3)))
    return Case(c, targets, initial, draw(files),
                (draw(st.integers(0, len(initial))), draw(files)),
                draw(st.integers(0, len(initial))), draw(st.integers(0, 2**32)))


# -- the folder -----------------------------------------------------------------------------


def campaign_toml(c: ref.Campaign) -> str:
    def dates(ds: frozenset[date]) -> str:
        return "[" + ", ".join(d.isoformat() for d in sorted(ds)) + "]"

    areas = "".join(f'\n[[areas]]\nid = "{a}"\nname_vi = "Lĩnh vực {a}"\nname_en = "Area {a}"\n'
                    for a in c.areas)
    return (f'schema_version = 1\nid = "diff"\ntitle_vi = "Thử"\nstart = {c.start}\n'
            f'end = {c.end}\ntimezone = "{c.tz.key}"\n'
            f"reporting_interval_days = {c.reporting_interval_days}\n"
            f"holidays = {dates(c.holidays)}\nmakeup_workdays = {dates(c.makeup_workdays)}\n"
            + areas)


def stored_at(c: ref.Campaign, r: Row, ts_kind: str) -> datetime | date:
    wall = datetime.combine(c.start + timedelta(days=r.day), r.clock)
    if ts_kind == "zoned":
        return wall.replace(tzinfo=c.tz).astimezone(UTC)
    if ts_kind == "date":
        return wall.date()
    return wall


def value_of(r: Row, f: ProgressFile) -> Fraction:
    return Fraction(r.q) if f.value_kind == "int64" else Fraction(r.q, 4)


def reports(case: Case, files: dict[str, ProgressFile]) -> list[ref.Report]:
    out = []
    for f in files.values():
        for r in f.rows:
            tid = case.targets[r.target].target_id
            out.append(ref.Report(f" {tid} " if r.padded else tid, r.reporter,
                                  stored_at(case.campaign, r, f.ts_kind), value_of(r, f)))
    return out


def file_table(c: ref.Campaign, targets: tuple[ref.Target, ...], f: ProgressFile) -> pa.Table:
    rows = []
    for i, r in enumerate(f.rows):
        tid = targets[r.target].target_id
        rows.append((f" {tid} " if r.padded else tid, r.reporter, stored_at(c, r, f.ts_kind),
                     float(value_of(r, f)), f"ghi chú {i}" if i % 2 else None))
    table = progress_table(rows, ts_type=TS_TYPES[f.ts_kind],
                           value_type=VALUE_TYPES[f.value_kind], note=f.note == "text")
    if f.note == "null":
        table = table.append_column("note", pa.array([None] * len(rows)))
    return table


def write_campaign(folder: Path, c: ref.Campaign, targets: tuple[ref.Target, ...]) -> None:
    (folder / "progress").mkdir(parents=True)
    (folder / "campaign.toml").write_text(campaign_toml(c), encoding="utf-8")
    write_targets(folder, [
        target(t.target_id, area=t.area, value=float(t.target_value), direction=t.direction,
               aggregate=t.aggregate, owner=t.owner)
        for t in targets])


def rewrite_in_place(path: Path, table: pa.Table) -> None:
    """Same name, same inode, new content, and an mtime that surely differs."""
    before = path.stat().st_mtime_ns
    pq.write_table(table, path)
    later = before + 1_000_000_000
    os.utime(path, ns=(later, later))


# -- instants ---------------------------------------------------------------------------------


def instants(c: ref.Campaign, rs: list[ref.Report], rng: random.Random, k: int) -> list[datetime]:
    """k instants drawn from those where the rules turn, each written in a random zone."""
    sec = timedelta(seconds=1)
    start, end = ref.starts_at(c), ref.deadline(c)
    marks = [start - timedelta(days=2, hours=-12), start - sec, start, start + sec,
             end - sec, end, end + sec, end + timedelta(days=2)]
    for w in ref.week_ends(c, end + sec):
        marks += [w - sec, w]
    whens = sorted({ref.instant(r.reported_at, c.tz).astimezone(UTC) for r in rs})
    interval = timedelta(days=c.reporting_interval_days)
    for w in whens:
        marks += [w - sec, w, w + sec, w + ref.WEEK, w + ref.WEEK + sec, w + interval,
                  w + interval + sec]
    # between two reports of the same local day (whole seconds)
    between = [a + (b - a) // 2 for a, b in itertools.pairwise(whens)
               if ref.local_date(c, a) == ref.local_date(c, b)]
    between = [b.replace(microsecond=0) for b in between]
    picked = rng.sample(between, min(len(between), k // 4))
    picked += rng.sample(marks, min(len(marks), k - len(picked)))
    zones = (c.tz, *OTHER_ZONES)
    return [t.astimezone(rng.choice(zones)) for t in picked]


# -- comparing -------------------------------------------------------------------------------


def _close(got: float | None, want: Fraction | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return math.isclose(got, float(want), rel_tol=1e-9, abs_tol=1e-12)


def _eq(got: Any, want: Any) -> bool:
    return bool(got == want)


def _same_instant(got: datetime | None, want: datetime | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return got.astimezone(UTC) == want.astimezone(UTC)


FRACTIONS = ("value", "completion", "completion_capped", "expected", "projection",
             "needed_per_working_day")
EXACT = ("status", "overdue", "reporters")


def differences(snap: Snapshot, want: ref.Answer) -> list[str]:
    """Every field where the engine's snapshot and the reference's answer differ."""
    out: list[str] = []
    got_targets = {t.target_id: t for a in snap.areas for t in a.targets}
    if set(got_targets) != set(want.targets):
        out.append(f"targets {sorted(got_targets)} != {sorted(want.targets)}")
    for tid, w in want.targets.items():
        g = got_targets.get(tid)
        if g is None:
            continue
        for name in FRACTIONS:
            if not _close(getattr(g, name), getattr(w, name)):
                out.append(f"{tid}.{name}: engine {getattr(g, name)!r}, "
                           f"README {_show(getattr(w, name))}")
        for name in EXACT:
            if not _eq(getattr(g, name), getattr(w, name)):
                out.append(f"{tid}.{name}: engine {getattr(g, name)!r}, "
                           f"README {getattr(w, name)!r}")
        if not _same_instant(g.last_report_at, w.last_report_at):
            out.append(f"{tid}.last_report_at: engine {g.last_report_at}, "
                       f"README {w.last_report_at}")
        if len(g.weekly) != len(w.weekly) or not all(
                _close(a, b) for a, b in zip(g.weekly, w.weekly, strict=False)):
            out.append(f"{tid}.weekly: engine {g.weekly}, README {[_show(v) for v in w.weekly]}")
    got_areas = {a.id: a.summary for a in snap.areas}
    for aid, wa in want.areas.items():
        ga = got_areas.get(aid)
        if ga is None:
            out.append(f"area {aid} missing")
            continue
        counts = (ga.targets, ga.done, ga.on_track, ga.behind, ga.no_data)
        if counts != (wa.targets, wa.done, wa.on_track, wa.behind, wa.no_data) or not _close(
                ga.mean_completion, wa.mean_completion):
            out.append(f"area {aid}: engine {ga}, README {wa}")
    gc, wc = snap.countdown, want.countdown
    fields = ("state", "days", "hours", "minutes", "seconds", "seconds_left",
              "working_days_left")
    if not all(_eq(getattr(gc, f), getattr(wc, f)) for f in fields) or not _close(
            gc.elapsed_fraction, wc.elapsed_fraction):
        out.append(f"countdown: engine {gc}, README {wc}")
    if len(snap.leaderboard) != len(want.leaderboard) or not all(
            g.owner == w.owner and g.rank == w.rank and _eq(g.rank_change, w.rank_change)
            and _close(g.score, w.score)
            for g, w in zip(snap.leaderboard, want.leaderboard, strict=False)):
        got_rows = [(r.owner, r.rank, r.rank_change, round(r.score, 6)) for r in snap.leaderboard]
        want_rows = [(r.owner, r.rank, r.rank_change, round(float(r.score), 6))
                     for r in want.leaderboard]
        out.append(f"leaderboard: engine {got_rows}, README {want_rows}")
    return out


def _show(v: Any) -> str:
    return f"{float(v)!r}" if isinstance(v, Fraction) else repr(v)


def spans_dst_change(c: ref.Campaign) -> bool:
    return ref.starts_at(c).utcoffset() != ref.deadline(c).utcoffset()


def check(e: Engine, case: Case, files: dict[str, ProgressFile], rng: random.Random,
          stage: str, k: int) -> None:
    rs = reports(case, files)
    snap0 = e.snapshot(ref.starts_at(case.campaign))
    assert snap0.files.skipped == () and snap0.files.pending == (), (stage, snap0.files)
    seen: dict[tuple[str, datetime], Fraction] = {}
    for r in rs:
        key = (ref.clean(r.target_id), ref.instant(r.reported_at, case.campaign.tz))
        if seen.setdefault(key, r.value) != r.value:
            event("a target's reports tie on reported_at with different values")
    for now in instants(case.campaign, rs, rng, k):
        got = e.snapshot(now)
        if len({r.rank for r in got.leaderboard}) < len(got.leaderboard):
            event("owners tie on the leaderboard")
        want = ref.answer(case.campaign, list(case.targets), rs, now)
        diff = differences(got, want)
        assert not diff, f"{stage}, T = {now.isoformat()}:\n  " + "\n  ".join(diff)


@contextmanager
def campaign_folder(case: Case) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "campaign"
        write_campaign(folder, case.campaign, case.targets)
        yield folder


INSTANTS_PER_STAGE = 12
# A longer hunt, by hand: DIFF_EXAMPLES=500 DIFF_RANDOM=1 DIFF_NO_SHRINK=1 pytest this file.
EXAMPLES = int(os.environ.get("DIFF_EXAMPLES", "30"))
DERANDOMIZE = not os.environ.get("DIFF_RANDOM")
PHASES = (Phase.explicit, Phase.generate) if os.environ.get("DIFF_NO_SHRINK") else tuple(Phase)


@settings(max_examples=EXAMPLES, derandomize=DERANDOMIZE, phases=PHASES, database=None,
          deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases(), duckdb_reads=st.booleans())
def test_engine_agrees_with_the_readme_cold_and_after_each_change(case: Case,
                                                                  duckdb_reads: bool) -> None:
    """duckdb_reads: DuckDB reads every file itself (as it does files over 32 KB), rather
    than the rows pyarrow read for the page check (as it does small ones)."""
    rng = random.Random(case.seed)
    c, targets = case.campaign, case.targets
    event(f"zone {c.tz.key}" + (", across a DST change" if spans_dst_change(c) else ""))
    with campaign_folder(case) as folder:
        present: dict[str, ProgressFile] = {}
        for i, f in enumerate(case.files):
            name = f"w{i}/p{i}.parquet"
            write_table(folder, name, file_table(c, targets, f))
            present[name] = f
        e = Engine(folder, grace_seconds=0.0, rows_in_memory_bytes=0 if duckdb_reads
                   else ROWS_IN_MEMORY_BYTES)
        try:
            e.refresh()
            check(e, case, present, rng, "cold", INSTANTS_PER_STAGE)
            write_table(folder, "added.parquet", file_table(c, targets, case.added))
            present["added.parquet"] = case.added
            e.refresh()
            check(e, case, present, rng, "after adding a file", INSTANTS_PER_STAGE)
            which, new = case.rewrite
            name = sorted(present)[which % len(present)]
            rewrite_in_place(folder / "progress" / name, file_table(c, targets, new))
            present[name] = new
            e.refresh()
            check(e, case, present, rng, f"after rewriting {name}", INSTANTS_PER_STAGE)
            name = sorted(present)[case.delete % len(present)]
            (folder / "progress" / name).unlink()
            del present[name]
            e.refresh()
            check(e, case, present, rng, f"after deleting {name}", INSTANTS_PER_STAGE)
        finally:
            e.close()


def test_the_reference_reads_the_2020_campaign_as_test_semantics_does() -> None:
    """The reference itself, on test_semantics' hand-computed numbers (data/campaign.toml)."""
    c = ref.Campaign(date(2020, 5, 6), date(2020, 9, 30), VNZ, 7, frozenset({date(2020, 9, 2)}),
                     frozenset(), AREAS)
    assert len(ref.working_days(c)) == 105
    assert ref.expected(c, datetime(2020, 7, 31, 12, tzinfo=VNZ)) == Fraction(63, 105)
    cd = ref.countdown(c, datetime(2020, 7, 1, 12, 34, 56, tzinfo=VNZ))
    assert (cd.days, cd.hours, cd.minutes, cd.seconds, cd.working_days_left) == (91, 11, 25, 4, 64)
    # 0.3 >= 0.4 − 0.1 exactly: on track (Jul 2 → 42 of 105 = 0.4)
    assert ref.status(Fraction(3, 10), Fraction(3, 10), ref.expected(
        c, datetime(2020, 7, 2, 12, tzinfo=VNZ))) == "on_track"


# -- the known gaps, one minimal case each --------------------------------------------------

def _campaign(start: date, end: date, tz: ZoneInfo, interval: int = 7) -> ref.Campaign:
    return ref.Campaign(start, end, tz, interval, frozenset(), frozenset(), AREAS)


def _engine(tmp_path: Path, c: ref.Campaign, targets: list[ref.Target],
            files: dict[str, pa.Table], make_engine: Any) -> Engine:
    folder = tmp_path / "campaign"
    write_campaign(folder, c, tuple(targets))
    for name, table in files.items():
        write_table(folder, name, table)
    e: Engine = make_engine(folder)
    return e


def _rows(rows: list[tuple[str, str, datetime | date, float]], ts_type: pa.DataType = NAIVE
          ) -> pa.Table:
    return progress_table(rows, ts_type=ts_type)


def _t(tid: str, value: float = 10, direction: str = "at_least", owner: str | None = None
       ) -> ref.Target:
    return ref.Target(tid, "economy", Fraction(value), direction, "latest", owner)


def test_all_null_note_column_is_read(tmp_path: Path, make_engine: Any) -> None:
    c = _campaign(date(2020, 6, 1), date(2020, 6, 28), VNZ)
    rows = [("t1", "r1", datetime(2020, 6, 2, 9), 4.0), ("t1", "r1", datetime(2020, 6, 9, 9), 7.0)]
    table = _rows(rows).append_column("note", pa.array([None] * len(rows)))
    assert table.schema.field("note").type == pa.null()
    e = _engine(tmp_path, c, [_t("t1")], {"p.parquet": table}, make_engine)
    snap = e.snapshot(datetime(2020, 6, 10, tzinfo=VNZ))
    assert snap.files.skipped == ()
    t = snap.target("t1")
    assert t is not None
    assert (t.value, t.completion) == (7.0, 0.7)  # the 09/6 report, 7 / 10


def test_weekly_values_keep_the_last_week_when_it_ends_at_the_deadline(
        tmp_path: Path, make_engine: Any) -> None:
    # 01/6 (Mon) – 14/6 (Sun): the weeks end 08/6 00:00 and 15/6 00:00 = the deadline.
    c = _campaign(date(2020, 6, 1), date(2020, 6, 14), VNZ)
    rows = [("t1", "r1", datetime(2020, 6, 1, 9), 5.0), ("t1", "r1", datetime(2020, 6, 10, 9), 8.0)]
    e = _engine(tmp_path, c, [_t("t1")], {"p.parquet": _rows(rows)}, make_engine)
    t = e.snapshot(datetime(2020, 6, 20, 12, tzinfo=VNZ)).target("t1")
    assert t is not None
    # README: the value at each week's end before T (08/6: 5, 15/6: 8), then at T (8).
    assert t.weekly == (5.0, 8.0, 8.0)


def test_at_most_target_with_no_data_needs_nothing_measured_yet(
        tmp_path: Path, make_engine: Any) -> None:
    # 01/6 (Mon) – 12/6 (Fri): 10 working days; as of 01/6 noon 9 are left (02/6 … 12/6).
    c = _campaign(date(2020, 6, 1), date(2020, 6, 12), VNZ)
    e = _engine(tmp_path, c, [_t("t1", direction="at_most")], {}, make_engine)
    t = e.snapshot(datetime(2020, 6, 1, 12, tzinfo=VNZ)).target("t1")
    assert t is not None
    assert t.status == "no_data"
    assert t.needed_per_working_day is None  # no value yet to reduce from (data/README.md)


# New York, 02/3 – 15/3/2020: DST starts 08/3, so the campaign lasts 14 days less an hour
# (02/3 00:00 EST = 05:00 UTC → 16/3 00:00 EDT = 04:00 UTC: 335 h).
DST_START = _campaign(date(2020, 3, 2), date(2020, 3, 15), NYZ)


def test_elapsed_fraction_across_dst_uses_real_time(tmp_path: Path, make_engine: Any) -> None:
    e = _engine(tmp_path, DST_START, [_t("t1")], {}, make_engine)
    # 09/3 00:00 EDT = 04:00 UTC: 167 h after the start.
    c = e.snapshot(datetime(2020, 3, 9, 4, tzinfo=UTC)).countdown
    assert c.elapsed_fraction == pytest.approx(167 / 335, rel=1e-9)


def test_seconds_left_is_the_same_whatever_zone_t_is_written_in(
        tmp_path: Path, make_engine: Any) -> None:
    e = _engine(tmp_path, DST_START, [_t("t1")], {}, make_engine)
    # 05/3 12:00 EST = 17:00 UTC → 16/3 04:00 UTC: 10 d 11 h.
    now = datetime(2020, 3, 5, 17, tzinfo=UTC)
    real = 10 * 86400 + 11 * 3600
    assert e.snapshot(now).countdown.seconds_left == real  # passes: T in UTC
    local = e.snapshot(now.astimezone(NYZ)).countdown
    assert (local.days, local.hours, local.seconds_left) == (10, 11, real)  # engine: 10 d 12 h


def test_rank_change_is_the_same_whatever_zone_t_is_written_in(
        tmp_path: Path, make_engine: Any) -> None:
    c = _campaign(date(2020, 3, 2), date(2020, 3, 22), NYZ)
    rows = [("a1", "r", datetime(2020, 3, 3, 12), 10.0),
            ("b1", "r", datetime(2020, 3, 5, 11, 30), 10.0)]  # EST, 16:30 UTC
    e = _engine(tmp_path, c, [_t("a1", owner="A"), _t("b1", owner="B")],
                {"p.parquet": _rows(rows)}, make_engine)
    # T = 12/3 12:00 EDT = 16:00 UTC; T − 7 × 24 h = 05/3 16:00 UTC = 11:00 EST, before b1's
    # report: then A 1, B 2; at T both score 1 and rank 1, so B moved up one.
    now = datetime(2020, 3, 12, 16, tzinfo=UTC)
    board = [(r.owner, r.rank, r.rank_change) for r in e.snapshot(now).leaderboard]
    assert board == [("A", 1, 0), ("B", 1, 1)]  # passes: T in UTC
    board = [(r.owner, r.rank, r.rank_change)
             for r in e.snapshot(now.astimezone(NYZ)).leaderboard]
    assert board == [("A", 1, 0), ("B", 1, 1)]  # engine: B 0 (its T − 7 d is 12:00 EST)


def test_overdue_is_the_same_whatever_zone_t_is_written_in(
        tmp_path: Path, make_engine: Any) -> None:
    # New York, DST ends 01/11/2020 02:00; a one-day reporting interval.
    c = _campaign(date(2020, 10, 26), date(2020, 11, 8), NYZ, interval=1)
    rows = [("t1", "r", date(2020, 11, 1), 10.0)]  # local midnight, EDT = 04:00 UTC
    e = _engine(tmp_path, c, [_t("t1", value=100)], {"p.parquet": _rows(rows, DATE)},
                make_engine)
    # 02/11 00:00 EST = 05:00 UTC: 25 h after the report, more than one day.
    now = datetime(2020, 11, 2, 5, tzinfo=UTC)
    assert e.snapshot(now).target("t1").overdue is True  # type: ignore[union-attr]
    assert e.snapshot(now.astimezone(NYZ)).target("t1").overdue is True  # type: ignore[union-attr]
