"""The meeting's user-facing strings, from its own vi.toml / en.toml (Vietnamese first).

Kept next to this package so the dashboard's catalogues and these change without stepping on
each other; a test checks both languages have the same keys.
"""

from __future__ import annotations

from functools import cache

from dashboard.i18n import Catalogue, check_language, read_catalogue


@cache
def meeting_strings(lang: str) -> Catalogue:
    check_language(lang)
    return Catalogue(lang, read_catalogue("dashboard.meeting", lang),
                     read_catalogue("dashboard.meeting", "en"))
