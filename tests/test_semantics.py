"""The campaign's rules, pinned with hand-computed numbers (the arithmetic is in the comments).

Campaign (data/campaign.toml): 2020-05-06 (Wed) – 2020-09-30 (Wed), Asia/Ho_Chi_Minh (UTC+7,
no DST), holiday 2020-09-02. Working days by month:
  May 6–31: 6,7,8 | 11–15 | 18–22 | 25–29          = 3+5+5+5   = 18   (cumulative 18)
  June: 1–5 | 8–12 | 15–19 | 22–26 | 29,30         = 5*4+2     = 22   (40)
  July: 1–3 | 6–10 | 13–17 | 20–24 | 27–31         = 3+5*4     = 23   (63)
  Aug: 3–7 | 10–14 | 17–21 | 24–28 | 31            = 5*4+1     = 21   (84)
  Sep: 1–4 | 7–11 | 14–18 | 21–25 | 28–30, minus 2 = 4+15+3-1  = 21   (105)
Calendar length: May 6 00:00 → Oct 1 00:00 = 26+30+31+31+30 = 148 days = 12,787,200 s.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest
from conftest import (
    DATE,
    NAIVE,
    ZONED,
    at,
    naive,
    target,
    tree_bytes,
    write_progress,
    write_targets,
)

DAY = 86400
CAMPAIGN_SECONDS = 148 * DAY  # 12,787,200
TOTAL_WD = 105


def _one_target(folder, make_engine, rows, **target_kw):
    write_targets(folder, [target("e1", **target_kw)])
    write_progress(folder, "p.parquet", rows)
    return make_engine(folder)


# -- working days, expected pace ------------------------------------------------------------


def test_campaign_has_105_working_days(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1")])
    e = make_engine(campaign_dir)
    # Before the start every working day is still ahead: 18+22+23+21+21 = 105.
    assert e.snapshot(at(2020, 5, 1)).countdown.working_days_left == TOTAL_WD
    # On the last day (Sep 30) it is the 105th: 105/105.
    assert e.snapshot(at(2020, 9, 30)).target("e1").expected == pytest.approx(1.0)


@pytest.mark.parametrize(("now", "done"), [
    (at(2020, 5, 5, 23, 59), 0),   # before the start: 0
    (at(2020, 5, 6, 0, 0), 1),     # start instant: May 6 is d <= today → 1
    (at(2020, 5, 8), 3),           # Wed, Thu, Fri → 3
    (at(2020, 5, 9), 3),           # Saturday: still 3
    (at(2020, 5, 10, 23, 59), 3),  # Sunday night: still 3
    (at(2020, 5, 11, 0, 0), 4),    # Monday midnight: 4
    (at(2020, 7, 1), 41),          # 18 + 22 + Jul 1 = 41
    (at(2020, 9, 1), 85),          # 84 + Sep 1 = 85
    (at(2020, 9, 2), 85),          # Sep 2 holiday: 85
    (at(2020, 9, 3), 86),          # 86
    (at(2020, 9, 30, 23, 59), 105),
    # 2020-05-07 17:30 UTC is 2020-05-08 00:30 local: counted by the local date → 3
    (datetime(2020, 5, 7, 17, 30, tzinfo=UTC), 3),
])
def test_expected_is_working_days_done_by_local_date(campaign_dir, make_engine, now, done):
    write_targets(campaign_dir, [target("e1")])
    e = make_engine(campaign_dir)
    assert e.snapshot(now).target("e1").expected == pytest.approx(done / TOTAL_WD)


@pytest.mark.parametrize("now", [at(2020, 10, 1, 0, 0), at(2020, 10, 1, 0, 0, 1), at(2021, 1, 1)])
def test_expected_is_one_at_and_after_the_deadline(campaign_dir, make_engine, now):
    write_targets(campaign_dir, [target("e1")])
    assert make_engine(campaign_dir).snapshot(now).target("e1").expected == 1.0


def test_makeup_workdays_add_and_holidays_remove(campaign_dir, make_engine):
    toml = campaign_dir / "campaign.toml"
    text = toml.read_text(encoding="utf-8").replace(
        "makeup_workdays = []", "makeup_workdays = [2020-05-09]")
    assert "2020-05-09" in text
    toml.write_text(text, encoding="utf-8")
    write_targets(campaign_dir, [target("e1")])
    e = make_engine(campaign_dir)
    # Saturday 2020-05-09 becomes a working day: 105 + 1 = 106.
    assert e.snapshot(at(2020, 5, 1)).countdown.working_days_left == 106
    # May 6, 7, 8, 9 → 4 of 106.
    assert e.snapshot(at(2020, 5, 9)).target("e1").expected == pytest.approx(4 / 106)
    # Sep 2 is still a holiday: Sep 1 → 86 (one more than without the make-up day), Sep 2 → 86.
    assert e.snapshot(at(2020, 9, 2)).target("e1").expected == pytest.approx(86 / 106)


# -- countdown ------------------------------------------------------------------------------


def _countdown(campaign_dir, make_engine, now):
    write_targets(campaign_dir, [target("e1")])
    return make_engine(campaign_dir).snapshot(now).countdown


def test_countdown_before_start(campaign_dir, make_engine):
    c = _countdown(campaign_dir, make_engine, at(2020, 5, 1, 12))
    # May 1 12:00 → May 6 00:00 = 4 d 12 h, + 148 d = 152 d 12 h.
    assert c.state == "not_started"
    assert (c.days, c.hours, c.minutes, c.seconds) == (152, 12, 0, 0)
    assert c.seconds_left == 152 * DAY + 12 * 3600  # 13,176,000
    assert c.working_days_left == 105
    assert c.elapsed_fraction == 0.0


def test_countdown_one_second_before_start(campaign_dir, make_engine):
    c = _countdown(campaign_dir, make_engine, at(2020, 5, 5, 23, 59, 59))
    assert c.state == "not_started"
    assert c.seconds_left == 148 * DAY + 1
    assert c.working_days_left == 105


def test_countdown_at_start_instant(campaign_dir, make_engine):
    c = _countdown(campaign_dir, make_engine, at(2020, 5, 6, 0, 0))
    assert c.state == "running"
    assert c.seconds_left == CAMPAIGN_SECONDS
    assert (c.days, c.hours, c.minutes, c.seconds) == (148, 0, 0, 0)
    # d > May 6: 105 - 1 = 104.
    assert c.working_days_left == 104
    assert c.elapsed_fraction == 0.0


def test_countdown_running(campaign_dir, make_engine):
    c = _countdown(campaign_dir, make_engine, at(2020, 7, 1, 12, 34, 56))
    # Jul 1 00:00 → Oct 1 00:00 = 31+31+30 = 92 d; minus 12:34:56 → 91 d 11:25:04.
    assert c.state == "running"
    assert (c.days, c.hours, c.minutes, c.seconds) == (91, 11, 25, 4)
    assert c.seconds_left == 91 * DAY + 11 * 3600 + 25 * 60 + 4  # 7,903,504
    # Working days after Jul 1: 105 - 41 = 64.
    assert c.working_days_left == 64
    # May 6 → Jul 1 = 26+30 = 56 d, + 45,296 s; over 148 d.
    assert c.elapsed_fraction == pytest.approx((56 * DAY + 45296) / CAMPAIGN_SECONDS)


def test_countdown_uses_local_date_of_a_utc_instant(campaign_dir, make_engine):
    # 2020-07-01 17:30 UTC = 2020-07-02 00:30 local: Jul 2 is done, 105 - 42 = 63 left.
    c = _countdown(campaign_dir, make_engine, datetime(2020, 7, 1, 17, 30, tzinfo=UTC))
    assert c.working_days_left == 63
    # Oct 1 00:00 local - Jul 2 00:30 local = 90 d 23 h 30 min.
    assert (c.days, c.hours, c.minutes, c.seconds) == (90, 23, 30, 0)


def test_countdown_on_the_last_day(campaign_dir, make_engine):
    c = _countdown(campaign_dir, make_engine, at(2020, 9, 30, 18))
    # Sep 30 18:00 → Oct 1 00:00 = 6 h.
    assert c.state == "running"
    assert (c.days, c.hours, c.minutes, c.seconds) == (0, 6, 0, 0)
    assert c.seconds_left == 6 * 3600
    assert c.working_days_left == 0
    # 147 d 18 h of 148 d.
    assert c.elapsed_fraction == pytest.approx((147 * DAY + 18 * 3600) / CAMPAIGN_SECONDS)


def test_countdown_one_second_before_deadline(campaign_dir, make_engine):
    c = _countdown(campaign_dir, make_engine, at(2020, 9, 30, 23, 59, 59))
    assert c.state == "running"
    assert (c.days, c.hours, c.minutes, c.seconds, c.seconds_left) == (0, 0, 0, 1, 1)


@pytest.mark.parametrize("now", [at(2020, 10, 1, 0, 0), at(2020, 10, 15), at(2021, 6, 1)])
def test_countdown_ended(campaign_dir, make_engine, now):
    c = _countdown(campaign_dir, make_engine, now)
    assert c.state == "ended"
    assert (c.days, c.hours, c.minutes, c.seconds, c.seconds_left) == (0, 0, 0, 0, 0)
    assert c.working_days_left == 0
    assert c.elapsed_fraction == 1.0


# -- which reports count --------------------------------------------------------------------


def test_report_counts_from_its_own_instant(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [("e1", "r1", naive(2020, 6, 1, 10), 40.0)])
    before = e.snapshot(at(2020, 6, 1, 9, 30)).target("e1")
    assert before.status == "no_data"
    assert before.value is None and before.completion is None and before.last_report_at is None
    exact = e.snapshot(at(2020, 6, 1, 10, 0)).target("e1")
    assert exact.value == 40.0
    assert exact.completion == pytest.approx(0.4)  # 40 / 100
    assert exact.last_report_at == at(2020, 6, 1, 10, 0)


def test_sub_day_cut_takes_the_earlier_report_of_the_same_day(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [
        ("e1", "r1", naive(2020, 6, 1, 8), 5.0),
        ("e1", "r1", naive(2020, 6, 1, 10), 9.0),
        ("e1", "r1", naive(2020, 6, 1, 14), 13.0),
    ])
    assert e.snapshot(at(2020, 6, 1, 7, 59)).target("e1").value is None
    assert e.snapshot(at(2020, 6, 1, 9, 30)).target("e1").value == 5.0
    t = e.snapshot(at(2020, 6, 1, 10)).target("e1")
    assert (t.value, t.last_report_at) == (9.0, at(2020, 6, 1, 10))
    assert e.snapshot(at(2020, 6, 1, 13, 59, 59)).target("e1").value == 9.0
    assert e.snapshot(at(2020, 6, 2)).target("e1").value == 13.0


def test_reports_after_t_are_ignored(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [
        ("e1", "r1", naive(2020, 6, 1, 10), 30.0),
        ("e1", "r2", naive(2020, 6, 20, 10), 90.0),  # after T
    ])
    t = e.snapshot(at(2020, 6, 10)).target("e1")
    assert t.value == 30.0
    assert t.last_report_at == at(2020, 6, 1, 10)
    assert t.reporters == ("r1",)


def test_time_travel_back_and_forth(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [
        ("e1", "r1", naive(2020, 5, 10, 9), 10.0),
        ("e1", "r1", naive(2020, 6, 10, 9), 20.0),
        ("e1", "r1", naive(2020, 8, 10, 9), 70.0),
    ])
    late, early, middle = at(2020, 9, 1), at(2020, 5, 20), at(2020, 6, 30)
    for _ in range(2):
        assert e.snapshot(late).target("e1").value == 70.0
        assert e.snapshot(early).target("e1").value == 10.0
        assert e.snapshot(middle).target("e1").value == 20.0
        assert e.snapshot(at(2020, 5, 1)).target("e1").value is None


def test_history_shows_only_reports_up_to_t(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [
        ("e1", "r1", naive(2020, 5, 10, 9), 10.0),
        ("e1", "r2", naive(2020, 6, 10, 9), 20.0),
        ("e1", "r1", naive(2020, 8, 10, 9), 70.0),
    ])
    h = e.history("e1", at(2020, 7, 1))
    assert [(p.reporter, p.value) for p in h.points] == [("r1", 10.0), ("r2", 20.0)]
    assert [p.reported_at for p in h.points] == [at(2020, 5, 10, 9), at(2020, 6, 10, 9)]
    assert len(e.history("e1", at(2020, 9, 1)).points) == 3
    assert e.history("e1", at(2020, 5, 1)).points == ()


def test_history_mid_day_matches_what_the_snapshot_counts(campaign_dir, make_engine):
    # data/README.md, History: "each reporter's last report of each local day up to T".
    # As of 12:00 that is the 08:00 report (the snapshot counts it: value 5), not nothing.
    e = _one_target(campaign_dir, make_engine, [
        ("e1", "r1", naive(2020, 6, 1, 8), 5.0),
        ("e1", "r1", naive(2020, 6, 1, 14), 9.0),
    ])
    assert e.snapshot(at(2020, 6, 1, 12)).target("e1").value == 5.0
    h = e.history("e1", at(2020, 6, 1, 12))
    assert [(p.reporter, p.reported_at, p.value) for p in h.points] == [
        ("r1", at(2020, 6, 1, 8), 5.0)]


# -- aggregates and ties --------------------------------------------------------------------


def test_latest_takes_the_newest_report_over_all_reporters(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [
        ("e1", "r1", naive(2020, 6, 1, 10), 30.0),
        ("e1", "r2", naive(2020, 6, 2, 10), 20.0),   # newest: 20, although 30 is larger
        ("e1", "r3", naive(2020, 5, 20, 10), 50.0),
    ])
    t = e.snapshot(at(2020, 6, 5)).target("e1")
    assert t.value == 20.0
    assert t.last_report_at == at(2020, 6, 2, 10)
    assert t.reporters == ("r1", "r2", "r3")


def test_latest_tie_on_time_takes_larger_value(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1")])
    write_progress(campaign_dir, "a.parquet", [
        ("e1", "r1", naive(2020, 6, 3, 10), 25.0),
        ("e1", "r2", naive(2020, 6, 3, 10), 22.0),
    ])
    # Same instant again in another file, from r3, with a larger value: 27 wins.
    write_progress(campaign_dir, "b.parquet", [("e1", "r3", naive(2020, 6, 3, 10), 27.0)])
    e = make_engine(campaign_dir)
    assert e.snapshot(at(2020, 6, 5)).target("e1").value == 27.0
    # A cut before 10:00 sees none of the three.
    assert e.snapshot(at(2020, 6, 3, 9)).target("e1").value is None


def test_same_reporter_tie_on_time_takes_larger_value(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [
        ("e1", "r1", naive(2020, 6, 3, 10), 31.0),
        ("e1", "r1", naive(2020, 6, 3, 10), 35.0),
        ("e1", "r1", naive(2020, 6, 3, 10), 33.0),
    ])
    assert e.snapshot(at(2020, 6, 5)).target("e1").value == 35.0


def test_sum_adds_each_reporters_newest_counted_report(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("s1", aggregate="sum")])
    write_progress(campaign_dir, "p.parquet", [
        ("s1", "r1", naive(2020, 5, 10, 9), 10.0),
        ("s1", "r1", naive(2020, 6, 1, 9), 15.0),    # r1's newest ≤ T: 15
        ("s1", "r2", naive(2020, 6, 2, 9), 5.0),
        ("s1", "r2", naive(2020, 6, 2, 9), 8.0),     # tie with 5 → 8
        ("s1", "r3", naive(2020, 7, 1, 9), 7.0),     # after T: not counted
        ("s1", "r1", naive(2020, 7, 2, 9), 100.0),   # after T: not counted
    ])
    e = make_engine(campaign_dir)
    t = e.snapshot(at(2020, 6, 15)).target("s1")
    assert t.value == 23.0  # 15 + 8
    assert t.completion == pytest.approx(0.23)
    assert t.last_report_at == at(2020, 6, 2, 9)
    assert t.reporters == ("r1", "r2")
    # After both later reports: r1 100 + r2 8 + r3 7 = 115.
    t = e.snapshot(at(2020, 7, 5)).target("s1")
    assert t.value == 115.0
    assert t.completion == pytest.approx(1.15)
    assert t.completion_capped == 1.0
    assert t.status == "done"
    # Mid-day on Jun 2 before 09:00: r1 15 only; at 09:00: 15 + 8 = 23.
    assert e.snapshot(at(2020, 6, 2, 8, 59)).target("s1").value == 15.0
    assert e.snapshot(at(2020, 6, 2, 9)).target("s1").value == 23.0


def test_sum_spreads_over_files(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("s1", aggregate="sum")])
    write_progress(campaign_dir, "w1.parquet", [("s1", "r1", naive(2020, 5, 11, 9), 4.0)])
    write_progress(campaign_dir, "w2.parquet", [("s1", "r1", naive(2020, 5, 18, 9), 6.0),
                                                ("s1", "r2", naive(2020, 5, 18, 9), 3.0)])
    e = make_engine(campaign_dir)
    # r1's newest is in w2 (6), not 4 + 6; plus r2's 3 → 9.
    assert e.snapshot(at(2020, 5, 20)).target("s1").value == 9.0
    assert e.snapshot(at(2020, 5, 12)).target("s1").value == 4.0


# -- completion and status ------------------------------------------------------------------


@pytest.mark.parametrize(("value", "raw", "status"), [
    (150.0, 1.5, "done"),     # 150 / 100 = 1.5 → capped 1
    (100.0, 1.0, "done"),     # exactly the target
    (0.0, 0.0, "behind"),
])
def test_at_least_completion(campaign_dir, make_engine, value, raw, status):
    e = _one_target(campaign_dir, make_engine, [("e1", "r1", naive(2020, 7, 1, 9), value)])
    t = e.snapshot(at(2020, 7, 31)).target("e1")
    assert t.completion == pytest.approx(raw)
    assert t.completion_capped == pytest.approx(min(1.0, raw))
    assert t.status == status


@pytest.mark.parametrize(("value", "raw", "status"), [
    (8.0, 1.0, "done"),       # 8 <= 10 → 1.0
    (10.0, 1.0, "done"),      # 10 <= 10 → 1.0
    (0.0, 1.0, "done"),
    (20.0, 0.5, "on_track"),  # 10 / 20 = 0.5; expected 0.6 → 0.5 >= 0.5
    (40.0, 0.25, "behind"),   # 10 / 40 = 0.25 < 0.5
])
def test_at_most_completion(campaign_dir, make_engine, value, raw, status):
    e = _one_target(campaign_dir, make_engine, [("e1", "r1", naive(2020, 7, 1, 9), value)],
                    value=10.0, direction="at_most")
    # T = Jul 31: 63/105 = 0.6 expected.
    t = e.snapshot(at(2020, 7, 31)).target("e1")
    assert t.expected == pytest.approx(0.6)
    assert t.completion == pytest.approx(raw)
    assert t.completion_capped == pytest.approx(raw)
    assert t.status == status


@pytest.mark.parametrize(("value", "status"), [
    (100.0, "done"),
    (99.0, "on_track"),   # 0.99 >= 0.5
    (50.0, "on_track"),   # 0.5 >= 0.6 - 0.1 = 0.5 (boundary counts as on track)
    (49.0, "behind"),     # 0.49 < 0.5
    (5.0, "behind"),
])
def test_status_against_expected_pace(campaign_dir, make_engine, value, status):
    e = _one_target(campaign_dir, make_engine, [("e1", "r1", naive(2020, 7, 1, 9), value)])
    # T = Jul 31: 63 working days done of 105 → expected 0.6.
    t = e.snapshot(at(2020, 7, 31)).target("e1")
    assert t.expected == pytest.approx(0.6)
    assert t.status == status


def test_status_boundary_is_inclusive_at_expected_0_4(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [("e1", "r1", naive(2020, 7, 1, 9), 30.0)])
    # T = Jul 2: 18 + 22 + 2 = 42 of 105 → expected 0.4. Completion 30/100 = 0.3.
    # Spec: on_track when capped >= expected − 0.10, i.e. 0.3 >= 0.4 − 0.1 = 0.3 → on_track.
    t = e.snapshot(at(2020, 7, 2)).target("e1")
    assert t.expected == pytest.approx(0.4)
    assert t.completion_capped == pytest.approx(0.3)
    assert t.status == "on_track"


def test_status_before_start_and_after_deadline(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [
        ("e1", "r1", naive(2020, 5, 1, 10), 50.0),   # reported before the start
        ("e1", "r1", naive(2020, 9, 30, 22), 85.0),  # on the last day
    ])
    t = e.snapshot(at(2020, 5, 3)).target("e1")
    # expected 0 before start; 0.5 >= -0.1 → on_track; not overdue while not running.
    assert (t.value, t.expected, t.status, t.overdue) == (50.0, 0.0, "on_track", False)
    t = e.snapshot(at(2020, 9, 30, 21)).target("e1")
    # Last day: expected 105/105 = 1; 0.5 < 0.9 → behind.
    assert (t.value, t.expected, t.status) == (50.0, 1.0, "behind")
    t = e.snapshot(at(2020, 10, 5)).target("e1")
    # After the deadline: expected 1; 0.85 < 0.9 → behind; never overdue once ended.
    assert (t.value, t.expected, t.status, t.overdue) == (85.0, 1.0, "behind", False)


def test_no_data_target(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1"), target("e2")])
    write_progress(campaign_dir, "p.parquet", [("e2", "r1", naive(2020, 6, 1), 10.0)])
    t = make_engine(campaign_dir).snapshot(at(2020, 7, 1)).target("e1")
    assert t.status == "no_data"
    assert (t.value, t.completion, t.completion_capped, t.last_report_at) == (
        None, None, None, None)
    assert t.reporters == ()


# -- area summary and leaderboard -----------------------------------------------------------


def test_area_summary(campaign_dir, make_engine):
    write_targets(campaign_dir, [
        target("e_done"), target("e_on"), target("e_behind"), target("e_none"),
        target("c_most", area="culture_society", value=10.0, direction="at_most"),
    ])
    write_progress(campaign_dir, "p.parquet", [
        ("e_done", "r", naive(2020, 7, 1), 150.0),
        ("e_on", "r", naive(2020, 7, 1), 55.0),
        ("e_behind", "r", naive(2020, 7, 1), 20.0),
        ("c_most", "r", naive(2020, 7, 1), 20.0),
    ])
    snap = make_engine(campaign_dir).snapshot(at(2020, 7, 31))  # expected 0.6
    areas = {a.id: a for a in snap.areas}
    assert list(areas) == ["economy", "culture_society", "admin_reform", "defence_security"]
    s = areas["economy"].summary
    assert (s.targets, s.done, s.on_track, s.behind, s.no_data) == (4, 1, 1, 1, 1)
    # capped: 1.0 (150 capped), 0.55, 0.2, 0 (no data) → 1.75 / 4 = 0.4375
    assert s.mean_completion == pytest.approx(0.4375)
    s = areas["culture_society"].summary
    # at_most 10 with 20 → 0.5 >= 0.6 − 0.1 → on_track; mean 0.5
    assert (s.targets, s.done, s.on_track, s.behind, s.no_data) == (1, 0, 1, 0, 0)
    assert s.mean_completion == pytest.approx(0.5)
    s = areas["admin_reform"].summary
    assert (s.targets, s.done, s.on_track, s.behind, s.no_data) == (0, 0, 0, 0, 0)


def test_leaderboard_ranks_scores_and_rank_change(campaign_dir, make_engine):
    write_targets(campaign_dir, [
        target("a1", owner="Phường A"), target("a2", owner="Phường A"),
        target("b1", value=10.0, owner="Phường B"),
        target("c1", area="culture_society", owner="Phường C"),
        target("d1", area="admin_reform", owner="Phường D"),
        target("x1"),  # no owner: not on the board
    ])
    write_progress(campaign_dir, "p.parquet", [
        ("a1", "r", naive(2020, 6, 20), 10.0),
        ("a1", "r", naive(2020, 7, 8), 100.0),
        ("b1", "r", naive(2020, 7, 6), 5.0),
        ("c1", "r", naive(2020, 6, 20), 25.0),
        ("x1", "r", naive(2020, 6, 20), 100.0),
    ])
    snap = make_engine(campaign_dir).snapshot(at(2020, 7, 10))
    rows = [(r.owner, r.rank, round(r.score, 9), r.rank_change) for r in snap.leaderboard]
    # At T (Jul 10): A = (100/100 + 0 no data)/2 = 0.5; B = 5/10 = 0.5; C = 0.25; D = 0.
    #   ranks: A 1, B 1 (tie, by name), C 3, D 4.
    # At T−7 (Jul 3): A = (10/100 + 0)/2 = 0.05; B = 0; C = 0.25; D = 0.
    #   ranks: C 1, A 2, B 3, D 3.
    # rank_change = before − now: A 2−1 = 1; B 3−1 = 2; C 1−3 = −2; D 3−4 = −1.
    assert rows == [
        ("Phường A", 1, 0.5, 1),
        ("Phường B", 1, 0.5, 2),
        ("Phường C", 3, 0.25, -2),
        ("Phường D", 4, 0.0, -1),
    ]


def test_leaderboard_capped_and_at_most(campaign_dir, make_engine):
    write_targets(campaign_dir, [
        target("a1", owner="A"), target("b1", value=10.0, direction="at_most", owner="B"),
        target("c1", owner="C"),
    ])
    write_progress(campaign_dir, "p.parquet", [
        ("a1", "r", naive(2020, 6, 1), 300.0),  # 3.0 raw, capped 1
        ("b1", "r", naive(2020, 6, 1), 5.0),    # at_most 5 <= 10 → 1
        ("c1", "r", naive(2020, 6, 1), 99.0),   # 0.99
    ])
    snap = make_engine(campaign_dir).snapshot(at(2020, 6, 10))
    rows = [(r.owner, r.rank, round(r.score, 9), r.rank_change) for r in snap.leaderboard]
    # A 1 and B 1 tie (both capped 1), C 3. A week earlier (Jun 3) the same → change 0.
    assert rows == [("A", 1, 1.0, 0), ("B", 1, 1.0, 0), ("C", 3, 0.99, 0)]


# -- freshness ------------------------------------------------------------------------------


def test_overdue(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1"), target("e2")])
    write_progress(campaign_dir, "p.parquet", [("e1", "r1", naive(2020, 6, 1, 10), 10.0)])
    e = make_engine(campaign_dir)
    # Exactly 7 days later: not more than 7 → not overdue.
    assert e.snapshot(at(2020, 6, 8, 10)).target("e1").overdue is False
    # 7 days and 1 second: overdue.
    assert e.snapshot(at(2020, 6, 8, 10, 0, 1)).target("e1").overdue is True
    # No counted report while running: overdue (also before e1's first report).
    assert e.snapshot(at(2020, 6, 8, 10)).target("e2").overdue is True
    assert e.snapshot(at(2020, 5, 20)).target("e1").overdue is True
    # Not running: never overdue.
    assert e.snapshot(at(2020, 5, 1)).target("e2").overdue is False
    assert e.snapshot(at(2020, 10, 1, 0, 0)).target("e1").overdue is False
    assert e.snapshot(at(2020, 10, 1, 0, 0)).target("e2").overdue is False


# -- timestamp and value column kinds -------------------------------------------------------


def test_zoned_reported_at_is_converted(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1"), target("e2")])
    write_progress(campaign_dir, "z.parquet", [
        ("e1", "r1", datetime(2020, 6, 1, 3, 0, tzinfo=UTC), 10.0),   # = 10:00 local
        ("e2", "r1", datetime(2020, 6, 1, 20, 0, tzinfo=UTC), 20.0),  # = Jun 2 03:00 local
    ], ts_type=ZONED)
    e = make_engine(campaign_dir)
    assert e.snapshot(at(2020, 6, 1, 9, 59)).target("e1").value is None
    t = e.snapshot(at(2020, 6, 1, 10, 0)).target("e1")
    assert (t.value, t.last_report_at) == (10.0, at(2020, 6, 1, 10))
    assert e.snapshot(at(2020, 6, 2, 2, 59)).target("e2").value is None
    t = e.snapshot(at(2020, 6, 2, 3, 0)).target("e2")
    assert (t.value, t.last_report_at) == (20.0, at(2020, 6, 2, 3))


def test_naive_reported_at_is_local(campaign_dir, make_engine):
    e = _one_target(campaign_dir, make_engine, [("e1", "r1", naive(2020, 6, 1, 10), 10.0)])
    # 10:00 local = 03:00 UTC; 09:59 local (02:59 UTC) does not see it.
    assert e.snapshot(datetime(2020, 6, 1, 2, 59, tzinfo=UTC)).target("e1").value is None
    t = e.snapshot(datetime(2020, 6, 1, 3, 0, tzinfo=UTC)).target("e1")
    assert t.value == 10.0
    assert t.last_report_at == datetime(2020, 6, 1, 3, 0, tzinfo=UTC)


def test_date_reported_at_is_local_midnight(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1")])
    write_progress(campaign_dir, "d.parquet", [("e1", "r1", date(2020, 6, 1), 10.0)],
                   ts_type=DATE)
    e = make_engine(campaign_dir)
    assert e.snapshot(at(2020, 5, 31, 23, 59, 59)).target("e1").value is None
    t = e.snapshot(at(2020, 6, 1, 0, 0)).target("e1")
    assert (t.value, t.last_report_at) == (10.0, at(2020, 6, 1, 0, 0))


@pytest.mark.parametrize("ts_type", [
    pytest.param(pa.timestamp("ms"), id="ms"),
    pytest.param(pa.timestamp("ns"), id="ns"),
    pytest.param(pa.timestamp("ms", tz="Asia/Ho_Chi_Minh"), id="ms-vn"),
])
def test_other_timestamp_units(campaign_dir, make_engine, ts_type):
    when = naive(2020, 6, 1, 10)
    if ts_type.tz:
        when = at(2020, 6, 1, 10)
    write_targets(campaign_dir, [target("e1")])
    write_progress(campaign_dir, "p.parquet", [("e1", "r1", when, 10.0)], ts_type=ts_type)
    e = make_engine(campaign_dir)
    assert e.snapshot(at(2020, 6, 1, 9, 59, 59)).target("e1").value is None
    assert e.snapshot(at(2020, 6, 1, 10)).target("e1").last_report_at == at(2020, 6, 1, 10)


def test_value_column_types_all_accepted_in_one_refresh(campaign_dir, make_engine):
    kinds = {
        "i64": pa.int64(), "i32": pa.int32(), "u16": pa.uint16(), "f64": pa.float64(),
        "f32": pa.float32(), "dec": pa.decimal128(12, 3),
    }
    write_targets(campaign_dir, [target(k, aggregate="sum") for k in kinds])
    for k, vt in kinds.items():
        whole = pa.types.is_integer(vt)
        write_progress(campaign_dir, f"{k}.parquet", [
            (k, "r1", naive(2020, 6, 1, 10), 12 if whole else 12.5),
            (k, "r2", naive(2020, 6, 1, 11), 30 if whole else 30.25),
        ], value_type=vt)
    # Mixed timestamp kinds in the same refresh, too.
    write_progress(campaign_dir, "dates.parquet", [("i64", "r3", date(2020, 6, 1), 1)],
                   ts_type=DATE, value_type=pa.int64())
    write_progress(campaign_dir, "zoned.parquet",
                   [("f64", "r3", datetime(2020, 6, 1, 3, tzinfo=UTC), 1.0)], ts_type=ZONED)
    e = make_engine(campaign_dir)
    snap = e.snapshot(at(2020, 6, 2))
    assert snap.files.skipped == ()
    assert snap.rows_dropped == ()
    # whole: 12 + 30 (+ 1 for i64 from the date file) ; fractional: 12.5 + 30.25 (+1 for f64)
    assert snap.target("i64").value == 43.0
    assert snap.target("i32").value == 42.0
    assert snap.target("u16").value == 42.0
    assert snap.target("f64").value == pytest.approx(43.75)
    assert snap.target("f32").value == pytest.approx(42.75)
    assert snap.target("dec").value == pytest.approx(42.75)


def test_note_column_is_optional(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1", aggregate="sum")])
    write_progress(campaign_dir, "a.parquet", [("e1", "r1", naive(2020, 6, 1), 1.0, "ghi chú")],
                   note=True)
    write_progress(campaign_dir, "b.parquet", [("e1", "r2", naive(2020, 6, 1), 2.0)])
    snap = make_engine(campaign_dir).snapshot(at(2020, 6, 2))
    assert snap.target("e1").value == 3.0


def test_engine_never_writes_into_the_folder(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1")])
    write_progress(campaign_dir, "p.parquet", [("e1", "r1", naive(2020, 6, 1), 1.0)],
                   ts_type=NAIVE)
    before = tree_bytes(campaign_dir)
    e = make_engine(campaign_dir)
    for day in range(1, 30):
        e.snapshot(at(2020, 6, 1) + timedelta(days=day))
    e.history("e1", at(2020, 7, 1))
    e.refresh()
    e.close()
    assert tree_bytes(campaign_dir) == before
