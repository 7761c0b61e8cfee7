"""This package's user-facing strings, from its own vi.toml / en.toml (as the importer's and
the kiosk's): what a refused or closed SSH session reads on its terminal."""

from __future__ import annotations

from functools import cache

from dashboard import numbers_dates
from dashboard.i18n import Catalogue, package_catalogue

_UNITS = (("hours", 3600), ("minutes", 60))


@cache
def messages(lang: str) -> Catalogue:
    return package_catalogue("dashboard.ssh", lang)


def duration(seconds: float, tr: Catalogue) -> str:
    """A configured span as a person says it: the largest unit it is a whole number of
    ("8 seconds", "90 seconds", "1 minute", "8 hours"), so it is never rounded into another."""
    unit, n = "seconds", seconds
    for name, size in _UNITS:
        if seconds >= size and seconds % size == 0:
            unit, n = name, seconds / size
            break
    form = "one" if n == 1 else "other"
    return tr(f"duration.{unit}_{form}", n=numbers_dates.number(n, tr.lang))
