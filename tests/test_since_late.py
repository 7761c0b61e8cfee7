"""Since a baseline and late units (data/README.md), pinned with hand-computed numbers.

Campaign (data/campaign.toml): working days done by the end of 15/7 = 40 (May, June) + 3 + 5 +
3 = 51 → expected 51/105 = 0.4857, on track from 0.3857; by 22/7 = 40 + 3 + 5 + 5 + 3 = 56 →
0.5333, on track from 0.4333. Reporting interval: 7 days.

Targets (target value 100, at_least):
  a  owner Phòng A  R1: 10/7 = 50, 20/7 = 100      then 0.50 on_track   now 1.00 done
  b  owner Phòng B  R1: 10/7 = 40                   then 0.40 on_track   now 0.40 behind
  c  owner Phòng B  sum; R1: 1/7 = 10; R2: 12/7 = 20, 21/7 = 30
                                                    then 30 behind       now 40 behind
  d  owner Phòng A  no report                       no_data both times
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import at, naive, target, write_progress, write_targets

from dashboard.engine.since import compare, default_baseline

BASELINE = at(2020, 7, 15, 23, 59, 59)
NOW = at(2020, 7, 22, 12, 0)


@pytest.fixture
def engine(campaign_dir, make_engine):
    write_targets(campaign_dir, [
        target("a", owner="Phòng A"), target("b", owner="Phòng B"),
        target("c", owner="Phòng B", aggregate="sum"), target("d", owner="Phòng A")])
    write_progress(campaign_dir, "p.parquet", [
        ("a", "R1", naive(2020, 7, 10), 50), ("a", "R1", naive(2020, 7, 20), 100),
        ("b", "R1", naive(2020, 7, 10), 40),
        ("c", "R1", naive(2020, 7, 1), 10),
        ("c", "R2", naive(2020, 7, 12), 20), ("c", "R2", naive(2020, 7, 21), 30)])
    return make_engine(campaign_dir)


def _by_id(comparison):
    return {t.target_id: t for t in comparison.targets}


def test_targets_then_and_now(engine):
    c = engine.since(BASELINE, NOW)
    got = {tid: (t.value_before, t.value, t.status_before, t.status, t.reports_since)
           for tid, t in _by_id(c).items()}
    assert got == {
        "a": (50.0, 100.0, "on_track", "done", 1),     # R1 reported on 20/7
        "b": (40.0, 40.0, "on_track", "behind", 0),    # nothing since 10/7
        "c": (30.0, 40.0, "behind", "behind", 1),      # R2 on 21/7; R1 not since 1/7
        "d": (None, None, "no_data", "no_data", 0),
    }
    assert c.baseline == BASELINE and c.as_of == NOW


def test_done_slipped_and_silent_since(engine):
    c = engine.since(BASELINE, NOW)
    assert [t.target_id for t in c.done_since] == ["a"]
    # c is behind now but was behind then: it did not slip
    assert [t.target_id for t in c.slipped] == ["b"]
    assert [t.target_id for t in c.silent] == ["b", "d"]


def test_units_rank_and_score_then_and_now(engine):
    # then: A = (0.50 + 0) / 2 = 0.25, B = (0.40 + 0.30) / 2 = 0.35 → B 1st, A 2nd
    # now:  A = (1.00 + 0) / 2 = 0.50, B = (0.40 + 0.40) / 2 = 0.40 → A 1st, B 2nd
    c = engine.since(BASELINE, NOW)
    got = {u.owner: (u.rank_before, u.rank, round(u.score_before, 6), round(u.score, 6))
           for u in c.units}
    assert got == {"Phòng A": (2, 1, 0.25, 0.5), "Phòng B": (1, 2, 0.35, 0.4)}
    assert [u.owner for u in c.units] == ["Phòng A", "Phòng B"]  # in today's order


def test_a_report_at_the_baseline_instant_is_not_since(engine):
    # R2's report of 21/7 12:00 counts at a baseline of 21/7 12:00: nothing on c after it
    c = engine.since(at(2020, 7, 21, 12, 0), NOW)
    assert _by_id(c)["c"].reports_since == 0
    c = engine.since(at(2020, 7, 21, 11, 59, 59), NOW)
    assert _by_id(c)["c"].reports_since == 1


def test_the_baseline_must_be_before_now(engine):
    with pytest.raises(ValueError, match="before"):
        engine.since(NOW, NOW)


def test_default_baseline_is_the_same_weekday_and_time_a_week_earlier():
    assert default_baseline(NOW) == at(2020, 7, 15, 12, 0)
    assert default_baseline(NOW).astimezone(NOW.tzinfo).weekday() == NOW.weekday()


def test_comparison_is_built_from_two_snapshots_alone(engine):
    assert compare(engine.snapshot(BASELINE), engine.snapshot(NOW)) == engine.since(BASELINE, NOW)


# -- late units -------------------------------------------------------------------------------


def test_reporters_last_report_and_targets_owed(engine):
    snap = engine.snapshot(NOW)
    got = {r.unit: (r.last_report_at, r.overdue, r.targets_owed) for r in snap.reporters}
    assert got == {
        # R1: a 2 days ago; b 12 days (10/7 12:00 → 22/7 12:00); c 21 days: owes b and c
        "R1": (at(2020, 7, 20), True, ("b", "c")),
        # R2: c 1 day ago
        "R2": (at(2020, 7, 21), False, ()),
    }


def test_owners_owe_their_overdue_targets(engine):
    snap = engine.snapshot(NOW)
    got = {o.unit: (o.last_report_at, o.overdue, o.targets_owed) for o in snap.owners}
    assert got == {
        "Phòng A": (at(2020, 7, 20), True, ("d",)),   # d has no report at all
        "Phòng B": (at(2020, 7, 21), True, ("b",)),   # b 12 days; c's newest report 21/7
    }


def test_exactly_the_interval_is_not_late(engine):
    # b's R1 report of 10/7 12:00 is exactly 7 days old at 17/7 12:00, late one second later
    owed = {r.unit: r.targets_owed for r in engine.snapshot(at(2020, 7, 17, 12, 0)).reporters}
    assert "b" not in owed["R1"]
    owed = {r.unit: r.targets_owed for r in engine.snapshot(at(2020, 7, 17, 12, 0, 1)).reporters}
    assert "b" in owed["R1"]


def test_nobody_is_late_once_the_campaign_has_ended(engine):
    snap = engine.snapshot(at(2020, 10, 5))
    assert [r.unit for r in snap.reporters] == ["R1", "R2"]
    assert not any(r.overdue for r in (*snap.reporters, *snap.owners))


def test_a_reporter_seen_only_after_t_is_unknown_at_t(engine):
    assert [r.unit for r in engine.snapshot(at(2020, 7, 5)).reporters] == ["R1"]


# -- thidua snapshot --since ------------------------------------------------------------------


def _snapshot(capsys, folder, *extra):
    from dashboard.cli import main

    code = main(["snapshot", "--data", str(folder), "--now", "2020-07-22T12:00", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_snapshot_json_since_section(engine, campaign_dir, capsys):
    code, out, _ = _snapshot(capsys, campaign_dir, "--since", "2020-07-15")
    assert code == 0
    doc = json.loads(out)
    since = doc["since"]
    assert set(since) == {"as_of", "targets", "units"}
    assert since["as_of"] == "2020-07-15T23:59:59+07:00"   # a date: the end of that day
    assert since["targets"][1] == {"target_id": "b", "value_before": 40.0, "value": 40.0,
                                   "status_before": "on_track", "status": "behind",
                                   "reports_since": 0}
    assert [(u["owner"], u["rank_before"], u["rank"], u["score_before"], u["score"])
            for u in since["units"]] == [("Phòng A", 2, 1, 0.25, 0.5),
                                         ("Phòng B", 1, 2, 0.35, 0.4)]
    assert doc["reporters"][0] == {"reporter": "R1", "last_report_at": "2020-07-20T12:00:00+07:00",
                                   "overdue": True, "targets_owed": ["b", "c"]}
    assert [o["owner"] for o in doc["owners"] if o["overdue"]] == ["Phòng A", "Phòng B"]


def test_snapshot_since_alone_is_a_week_before_now(engine, campaign_dir, capsys):
    code, out, _ = _snapshot(capsys, campaign_dir, "--since")
    assert code == 0
    assert json.loads(out)["since"]["as_of"] == "2020-07-15T12:00:00+07:00"
    code, out, _ = _snapshot(capsys, campaign_dir)
    assert "since" not in json.loads(out)


def test_snapshot_since_not_before_now_is_refused_in_one_line(engine, campaign_dir, capsys):
    code, out, err = _snapshot(capsys, campaign_dir, "--since", "2020-07-23")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--since 2020-07-23: phải trước" in err
    code, _, err = _snapshot(capsys, campaign_dir, "--since", "15/7")
    assert code == 2 and "--since '15/7' không phải ngày hoặc giờ ISO 8601" in err


def test_snapshot_markdown_and_csv_since(engine, campaign_dir, capsys):
    code, out, _ = _snapshot(capsys, campaign_dir, "--since", "2020-07-15", "--format", "md")
    assert code == 0
    assert "## Kể từ cuộc họp trước (23:59 15/7/2020)" in out
    assert "- Chuyển sang chậm tiến độ: b" in out
    assert "- Hoàn thành kể từ đó: a" in out
    assert "- Không có báo cáo mới: b, d" in out
    assert "| Phòng A | 2 → 1 | 25% → 50% |" in out
    assert "## Đơn vị chậm báo cáo" in out and "| R1 | 20/7/2020 | b, c |" in out
    code, out, _ = _snapshot(capsys, campaign_dir, "--since", "2020-07-15", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["target_id"], r["value_before"], r["status_before"], r["reports_since"])
            for r in rows] == [("a", "50.0", "on_track", "1"), ("b", "40.0", "on_track", "0"),
                               ("c", "30.0", "behind", "1"), ("d", "", "no_data", "0")]
