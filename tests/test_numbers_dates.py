"""Dates and numbers as offices write them (Nghị định 30/2020/NĐ-CP) and the chart's axes."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from dashboard import numbers_dates
from dashboard.screens.chart_axes import nice_ticks, tick_labels


@pytest.mark.parametrize(("d", "vi", "en"), [
    (date(2020, 5, 6), "06/5/2020", "6 May 2020"),
    (date(2021, 1, 5), "05/01/2021", "5 Jan 2021"),
    (date(2020, 9, 30), "30/9/2020", "30 Sep 2020"),
    (date(2020, 2, 29), "29/02/2020", "29 Feb 2020"),
    (date(2020, 12, 3), "03/12/2020", "3 Dec 2020"),
    (date(2020, 11, 15), "15/11/2020", "15 Nov 2020"),
])
def test_days_as_the_decree_writes_them(d: date, vi: str, en: str) -> None:
    assert numbers_dates.day(d, "vi") == vi
    assert numbers_dates.day(d, "en") == en
    assert numbers_dates.short_day(d, "vi") == vi.rsplit("/", 1)[0]


def test_short_day_of_national_day() -> None:
    assert numbers_dates.short_day(date(2020, 9, 2), "vi") == "02/9"


@pytest.mark.parametrize(("low", "high"), [(0, 19), (0, 5.5), (0, 1234.5), (0, 0.3), (12, 12)])
def test_ticks_cover_the_data_with_round_steps(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    assert 2 <= len(ticks) <= 7
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1


def test_axis_labels_use_the_languages_number_format() -> None:
    assert tick_labels(nice_ticks(0, 1.8), "vi") == ["0,0", "0,5", "1,0", "1,5", "2,0"]
    assert tick_labels(nice_ticks(0, 1.8), "en") == ["0.0", "0.5", "1.0", "1.5", "2.0"]
    assert tick_labels(nice_ticks(0, 9000), "vi") == ["0", "5.000", "10.000"]
    assert tick_labels(nice_ticks(0, 9000), "en") == ["0", "5,000", "10,000"]
