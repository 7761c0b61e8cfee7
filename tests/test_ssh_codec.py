"""The dataclass ↔ JSON codec the hub streams snapshots with: real engine output round-trips
exactly, zones included, and bad input is a CodecError, never a half-built object."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dashboard.engine import codec
from dashboard.engine.campaign import Campaign, load_campaign
from dashboard.engine.engine import Engine
from dashboard.engine.model import Snapshot, TargetHistory
from tests.app_support import MID_CAMPAIGN, SAMPLE, VN


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine(SAMPLE)
    e.refresh()
    return e


def test_a_real_snapshot_round_trips_exactly(engine: Engine) -> None:
    snap = engine.snapshot(MID_CAMPAIGN)
    text = codec.to_json(snap)
    assert "\n" not in text  # one line of the stream
    back = codec.from_json(Snapshot, text)
    assert back == snap
    t = back.areas[0].targets[0]
    assert isinstance(t.last_report_at, datetime) and t.last_report_at.tzinfo == VN
    assert isinstance(back.campaign.start, date) and isinstance(back.areas, tuple)
    assert back.computed_at.tzinfo is UTC or back.computed_at.utcoffset() == timedelta(0)


def test_a_history_and_the_campaign_round_trip(engine: Engine) -> None:
    history = engine.history("AN01", MID_CAMPAIGN)
    assert codec.from_json(TargetHistory, codec.to_json(history)) == history
    assert isinstance(history.series[0][0], date)
    campaign = load_campaign(SAMPLE)
    assert codec.from_json(Campaign, codec.to_json(campaign)) == campaign


def test_untyped_settings_keep_their_dates() -> None:
    campaign = Campaign(
        id="x", title_vi="X", title_en="X", start=date(2020, 5, 6), end=date(2020, 9, 30),
        timezone="Asia/Ho_Chi_Minh", areas=(), settings={"kiosk": {
            "since": date(2020, 6, 1), "at": datetime(2020, 6, 1, 8, 0, tzinfo=VN),
            "open": time(7, 30), "rooms": [1, "a", None, 2.5], "on": True}})
    assert codec.from_json(Campaign, codec.to_json(campaign)) == campaign


@dataclass(frozen=True)
class Sample:
    when: datetime
    fixed: datetime
    naive: datetime
    maybe: float | None
    pairs: tuple[tuple[date, float], ...]
    words: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def test_zones_offsets_and_naive_times_survive() -> None:
    s = Sample(datetime(2020, 7, 1, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
               datetime(2020, 7, 1, 9, tzinfo=timezone(timedelta(hours=-3))),
               datetime(2020, 7, 1, 9), None, ((date(2020, 7, 1), 3.0),), ["a"])
    back = codec.from_json(Sample, codec.to_json(s))
    assert back == s
    assert str(back.when.tzinfo) == "Asia/Ho_Chi_Minh"
    assert back.fixed.utcoffset() == timedelta(hours=-3) and back.naive.tzinfo is None
    assert json.loads(codec.to_json(s))["when"] == "2020-07-01T09:00:00+07:00[Asia/Ho_Chi_Minh]"


def test_an_int_where_a_float_is_declared_becomes_a_float() -> None:
    raw = json.loads(codec.to_json(Sample(MID_CAMPAIGN, MID_CAMPAIGN, datetime(2020, 1, 1),
                                          None, ())))
    raw["maybe"] = 3
    back = codec.decode(Sample, raw)
    assert back.maybe == 3.0 and isinstance(back.maybe, float)


@pytest.mark.parametrize("change", [
    {"maybe": "three"}, {"when": 12}, {"when": "not a time"}, {"pairs": [["2020-07-01"]]},
    {"when": "2020-07-01T09:00:00+07:00[Mars/Olympus]"}, {"words": "abc"},
])
def test_bad_input_is_a_codec_error(change: dict[str, Any]) -> None:
    raw = json.loads(codec.to_json(Sample(MID_CAMPAIGN, MID_CAMPAIGN, datetime(2020, 1, 1),
                                          1.0, ((date(2020, 7, 1), 3.0),))))
    raw.update(change)
    with pytest.raises(codec.CodecError):
        codec.decode(Sample, raw)


def test_a_missing_required_field_is_named() -> None:
    with pytest.raises(codec.CodecError, match="when"):
        codec.decode(Sample, {"fixed": "2020-01-01T00:00:00", "naive": "2020-01-01T00:00:00",
                              "maybe": None, "pairs": []})


def test_what_json_cannot_hold_is_refused() -> None:
    with pytest.raises(codec.CodecError):
        codec.to_json({1: "a"})
    with pytest.raises(codec.CodecError):
        codec.to_json(Path("/tmp"))
