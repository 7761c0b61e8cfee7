"""SQL statements, one per file in dashboard/sql/, loaded once by name."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def statement(name: str) -> str:
    """The text of dashboard/sql/<name>.sql."""
    return resources.files("dashboard.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")
