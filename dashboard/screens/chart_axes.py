"""Axis ticks for the drill-down chart, labelled in the chosen language's number format
(5,5 and 1.234 in Vietnamese): plotext's own labels always use a decimal point."""

from __future__ import annotations

import math

from dashboard import numbers_dates


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round values (steps of 1, 2 or 5 × 10ⁿ) covering low…high."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks: list[float] = []
    value = first
    while True:  # the last tick at or above high, so nothing is drawn outside the axis
        ticks.append(round(value, 10))
        if value >= high - step * 1e-9:
            return ticks
        value += step


def tick_labels(ticks: list[float], lang: str) -> list[str]:
    """Labels with as many decimals as the step needs, the same for every tick."""
    if len(ticks) < 2:
        return [numbers_dates.number(t, lang) for t in ticks]
    step = ticks[1] - ticks[0]
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return [numbers_dates.number(t, lang, decimals) for t in ticks]
