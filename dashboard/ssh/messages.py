"""This package's user-facing strings, from its own vi.toml / en.toml (as the importer does):
what a refused or closed SSH session reads on its terminal."""

from __future__ import annotations

from functools import cache

from dashboard.i18n import Catalogue, package_catalogue


@cache
def messages(lang: str) -> Catalogue:
    return package_catalogue("dashboard.ssh", lang)
