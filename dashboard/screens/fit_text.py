"""Lines made of parts ("a · b · c") that must fit one row: what does not fit is dropped
whole, from the end (the parts come most important first), never cut mid-word."""

from __future__ import annotations

from rich.cells import cell_len

SEPARATOR = " · "


def drop_parts(text: str, width: int, sep: str = SEPARATOR) -> str:
    parts = text.split(sep)
    while len(parts) > 1 and cell_len(sep.join(parts)) > width:
        parts.pop()
    return sep.join(parts)
