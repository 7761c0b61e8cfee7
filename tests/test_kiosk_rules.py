"""The kiosk's pure rules, pinned directly: rotation, office hours, burn-in, unlock, settings."""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import pytest

from dashboard.engine.campaign import load_campaign
from dashboard.kiosk import burn_in
from dashboard.kiosk.office_hours import OfficeHours, parse_office_hours
from dashboard.kiosk.rotation import Rotation
from dashboard.kiosk.settings import KioskSettingsError, kiosk_settings
from dashboard.kiosk.strings import kiosk_strings
from dashboard.kiosk.unlock import UnlockChord
from tests.app_support import VN, copy_sample

VIEWS = ("economy", "culture", "reform", "defence", "_leaderboard")


def test_rotation_goes_round_in_order_with_each_views_dwell() -> None:
    r = Rotation(VIEWS, {"economy": 20, "culture": 10, "reform": 10, "defence": 10,
                         "_leaderboard": 5}, start=0)
    seen = [(0.0, r.current)]
    t = 0.0
    while t < 120:
        t += 0.5
        if r.step(t):
            seen.append((t, r.current))
    assert [v for _, v in seen[:6]] == [*VIEWS, "economy"]
    assert [t for t, _ in seen[:6]] == [0, 20, 30, 40, 50, 55]
    assert r.changes == len(seen) - 1


def test_rotation_keeps_its_cadence_when_ticks_come_late() -> None:
    r = Rotation(VIEWS, 10, start=0)
    assert r.step(10.7)  # the tick came 0.7 s late: the next slot still ends at 20
    assert r.deadline == 20
    assert not r.step(19.9) and r.step(20.0)
    assert r.step(95)  # far behind (the screen was busy): one step, then a full slot
    assert r.deadline == 105


def test_a_clock_that_jumps_back_restarts_the_slot_instead_of_freezing() -> None:
    r = Rotation(VIEWS, 10, start=1000)
    assert not r.step(400)  # NTP moved the clock back ten minutes
    assert r.deadline == 410
    assert r.step(410) and r.current == "culture"


def test_an_interruption_shows_its_views_then_resumes_where_it_left_off() -> None:
    r = Rotation(VIEWS, 10, start=0)
    r.step(10)
    assert r.current == "culture"
    assert r.interrupt(["defence", "economy", "nowhere"], now=13, hold=4)
    assert (r.current, r.interrupted, r.pending) == ("defence", True, ("economy",))
    assert not r.step(16.9)
    assert r.step(17) and r.current == "economy"
    assert r.step(21) and (r.current, r.interrupted) == ("culture", False)
    assert r.deadline == 31  # a full slot again for the interrupted view
    assert r.step(31) and r.current == "reform"


def test_a_new_interruption_during_one_goes_first() -> None:
    r = Rotation(VIEWS, 10, start=0)
    r.interrupt(["defence", "reform"], now=1, hold=5)
    r.interrupt(["_leaderboard"], now=2, hold=5)
    assert r.current == "_leaderboard" and r.pending == ("defence", "reform")


def test_dwell_changes_apply_from_the_next_slot_and_must_be_positive() -> None:
    r = Rotation(VIEWS, 10, start=0)
    r.set_dwell({v: 30 for v in VIEWS})
    assert r.deadline == 10
    r.step(10)
    assert r.deadline == 40
    with pytest.raises(ValueError):
        r.set_dwell(0)
    r.restart(50)
    assert (r.current, r.deadline) == ("economy", 80)


def test_office_hours_follow_the_campaign_calendar() -> None:
    hours = parse_office_hours("07:00-18:00")
    holidays, workdays = [date(2020, 9, 2)], [date(2020, 9, 5)]

    def on(*args: int) -> bool:
        return hours.is_open(datetime(*args, tzinfo=VN), holidays, workdays)

    assert on(2020, 7, 15, 7, 0) and on(2020, 7, 15, 17, 59)  # a Wednesday
    assert not on(2020, 7, 15, 6, 59) and not on(2020, 7, 15, 18, 0)
    assert not on(2020, 7, 18, 10, 0)  # Saturday
    assert not on(2020, 9, 2, 10, 0)  # National Day, a campaign holiday
    assert on(2020, 9, 5, 10, 0)  # a Saturday worked in exchange
    assert parse_office_hours("always").is_open(datetime(2020, 7, 18, 3, 0, tzinfo=VN))
    late = parse_office_hours("13:30-24:00", ["sat", "sun"])
    assert late.closes == time(0, 0)
    assert late.is_open(datetime(2020, 7, 18, 23, 59, tzinfo=VN))
    assert not late.is_open(datetime(2020, 7, 15, 14, 0, tzinfo=VN))
    night = OfficeHours(time(22, 0), time(6, 0), frozenset(range(7)))
    assert night.is_open(datetime(2020, 7, 15, 23, 0, tzinfo=VN))
    assert not night.is_open(datetime(2020, 7, 15, 12, 0, tzinfo=VN))
    for bad in ("7-18", "07:00-07:00", "25:00-26:00"):
        with pytest.raises(ValueError):
            parse_office_hours(bad)


def test_the_burn_in_walk_moves_one_cell_at_a_time_and_visits_every_cell() -> None:
    cols, rows = 5, 3
    path = [burn_in.walk_position(s, cols, rows) for s in range(60)]
    assert set(path) == {(c, r) for c in range(cols) for r in range(rows)}
    for a, b in itertools.pairwise(path):
        assert abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1
    assert burn_in.walk_position(7, 1, 1) == (0, 0)
    assert burn_in.walk_step(3 * 60 * 10 + 5, 3) == 10
    # the box is centred in the free space and never leaves it
    for step in range(200):
        x, y = burn_in.offset_in(40, 10, step)
        assert 0 <= x <= 40 and 0 <= y <= 10
    assert burn_in.offset_in(0, 0, 5) == (0, 0)


def test_the_unlock_chord_needs_three_presses_in_two_seconds_and_nothing_between() -> None:
    chord = UnlockChord()
    assert not chord.press("ctrl+u", 0.0) and not chord.press("ctrl+u", 0.5)
    assert chord.press("ctrl+u", 1.9)
    assert not chord.press("ctrl+u", 10.0) and not chord.press("ctrl+u", 11.0)
    assert not chord.press("ctrl+u", 12.5)  # the first press is now older than 2 s
    assert chord.press("ctrl+u", 12.9)
    for key in ("ctrl+u", "ctrl+u", "q"):
        assert not chord.press(key, 20.0)
    assert not chord.press("ctrl+u", 20.1)


def test_settings_come_from_the_kiosk_table_then_the_command_line(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path / "d")
    campaign = load_campaign(folder)
    default = kiosk_settings(campaign)
    assert default.dwell_seconds == 15 and default.unlock == "app"
    assert default.stale_after_hours == 8 * 24  # weekly reports + a day
    assert default.office_hours == OfficeHours()
    toml = folder / "campaign.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + (
        '\n[kiosk]\ndwell_seconds = 20\nbehind_bonus_seconds = 0\n'
        'office_hours = "always"\nunlock = "exit"\n'), encoding="utf-8")
    campaign = load_campaign(folder)
    s = kiosk_settings(campaign, dwell_seconds=7, unlock=None)
    assert (s.dwell_seconds, s.behind_bonus_seconds, s.unlock) == (7, 0, "exit")
    assert s.office_hours.always
    assert s.dwell_for(behind=4) == 7
    assert replace(s, behind_bonus_seconds=5).dwell_for(behind=10) == 21  # capped at 3×


@pytest.mark.parametrize("table, message", [
    ("dwel_seconds = 5", "unknown key"),
    ("dwell_seconds = 0", r"dwell_seconds = 0 is out of range \(allowed: a number of seconds "
                          r"from 1 to 3600\)"),
    ('dwell_seconds = "5"', "must be a number"),
    ("dwell_seconds = inf", "dwell_seconds = inf is out of range"),
    ("highlight_seconds = nan", "highlight_seconds = nan is out of range"),
    ("stale_after_hours = 99999999999999999", "stale_after_hours = 99999999999999999 is out"),
    ("burn_in_minutes = 1e308", "burn_in_minutes = 1e.308 is out of range"),
    ("behind_bonus_seconds = -1", "from 0 to 600"),
    ('office_hours = "9 to 5"', "office hours"),
    ('office_days = ["mon", "someday"]', "office day"),
    ('unlock = "maybe"', "unlock"),
])
def test_a_bad_kiosk_table_is_an_error_naming_the_key(tmp_path: Path, table: str,
                                                      message: str) -> None:
    folder = copy_sample(tmp_path / "d")
    toml = folder / "campaign.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f"\n[kiosk]\n{table}\n",
                    encoding="utf-8")
    with pytest.raises(KioskSettingsError, match=message):
        kiosk_settings(load_campaign(folder))


@pytest.mark.parametrize("top, table, shown", [
    ("kiosk = 5\n", "", "campaign.toml: [kiosk] phải là một bảng"),
    ("", "[kiosk]\ndwel_seconds = 5\n",
     "campaign.toml: [kiosk] có khóa không hợp lệ dwel_seconds (các khóa hợp lệ: "
     "dwell_seconds, behind_bonus_seconds,"),
    ("", "[kiosk]\noffice_hours = 7\n",
     '[kiosk] office_hours phải là chuỗi văn bản dạng "07:00-18:00"'),
    ("", '[kiosk]\noffice_days = "mon"\n',
     '[kiosk] office_days phải là danh sách dạng ["mon", "fri"]'),
    ("", '[kiosk]\nunlock = "maybe"\n',
     "[kiosk] unlock 'maybe' phải là một trong các giá trị app, exit, off"),
], ids=["not-a-table", "unknown-key", "hours-not-text", "days-not-a-list", "unlock"])
def test_a_kiosk_table_of_the_wrong_shape_is_told_in_vietnamese(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], top: str, table: str,
        shown: str) -> None:
    """`thidua kiosk` stops at start with the table's problem in the users' language."""
    from dashboard.cli import main

    folder = copy_sample(tmp_path / "d")
    toml = folder / "campaign.toml"
    toml.write_text(top + toml.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    assert main(["kiosk", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("thidua: ") and shown in err, err
    assert unicodedata.is_normalized("NFC", err)
    assert main(["kiosk", "--data", str(folder), "--lang", "en"]) == 2
    assert "[kiosk]" in (english := capsys.readouterr().err) and english != err


def test_kiosk_catalogues_have_the_same_keys_and_vietnamese_in_nfc() -> None:
    vi, en = kiosk_strings("vi"), kiosk_strings("en")
    assert vi.keys() == en.keys()
    for key in sorted(vi.keys()):
        assert unicodedata.is_normalized("NFC", vi(key))
    assert vi("kiosk.updated", as_of="x", time="10:00").endswith("cập nhật lúc 10:00")
