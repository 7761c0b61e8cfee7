"""The kiosk's user-facing strings, from its own vi.toml / en.toml (Vietnamese first).

They are kept next to the kiosk code so the dashboard's catalogues and these can change
without stepping on each other; a test checks both languages have the same keys.
"""

from __future__ import annotations

from functools import cache

from dashboard.i18n import Catalogue, package_catalogue


@cache
def kiosk_strings(lang: str) -> Catalogue:
    """`tr("kiosk.updated", time="10:00")`, in the dashboard's Catalogue type."""
    return package_catalogue("dashboard.kiosk", lang)
