"""Burn-in protection for the night screen: a slow walk, one cell every few minutes. No Textual.

The walk is a boustrophedon through a small box, played forwards then backwards, so every step
is exactly one cell (also from the last position back to the first) and every cell of the box
takes its turn being dark.
"""

from __future__ import annotations

MAX_ROOM = (24, 6)
"""The widest box the clock wanders in (columns, rows): enough to move every bright cell."""


def walk_position(step: int, cols: int, rows: int) -> tuple[int, int]:
    """(column, row) inside a cols × rows box at `step` of the walk."""
    cols, rows = max(1, cols), max(1, rows)
    cells = cols * rows
    if cells == 1:
        return 0, 0
    period = 2 * cells - 2
    i = step % period
    if i >= cells:
        i = period - i
    row, col = divmod(i, cols)
    if row % 2:
        col = cols - 1 - col
    return col, row


def walk_step(timestamp: float, minutes: float) -> int:
    """Which step of the walk the clock is on: one step per `minutes`."""
    return int(timestamp // (minutes * 60.0))


def offset_in(free_cols: int, free_rows: int, step: int) -> tuple[int, int]:
    """Top-left offset of the clock: the walk's box centred in the free space around it."""
    cols = max(1, min(MAX_ROOM[0], free_cols + 1))
    rows = max(1, min(MAX_ROOM[1], free_rows + 1))
    col, row = walk_position(step, cols, rows)
    left = max(0, (free_cols - (cols - 1)) // 2)
    top = max(0, (free_rows - (rows - 1)) // 2)
    return left + col, top + row
