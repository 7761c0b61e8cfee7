"""A briefing as plain data: blocks of lines and tables, rendered to Markdown, PDF or xlsx.

The renderers know layout, not the campaign; the builders (sections.py) know the campaign,
not layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    """Relative column widths (the PDF and the xlsx use them)."""
    right: frozenset[int] = field(default_factory=frozenset)
    """Columns of numbers, aligned right."""


@dataclass(frozen=True)
class Block:
    heading: str | None = None
    lines: tuple[str, ...] = ()
    table: Table | None = None
    writing_lines: int = 0
    """Empty ruled lines to write on (the meeting's decisions)."""
    level: int = 2


@dataclass(frozen=True)
class Document:
    title: str
    header: tuple[str, ...]
    blocks: tuple[Block, ...]
    signatures: tuple[tuple[str, str], ...] = ()
    """Who signs at the end, side by side: (role, hint) each."""
