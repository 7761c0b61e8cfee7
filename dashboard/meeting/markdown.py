"""A Document (or a few blocks of one) as Markdown."""

from __future__ import annotations

from collections.abc import Iterable

from dashboard.meeting.document import Block, Document, Table


def blocks_markdown(blocks: Iterable[Block]) -> list[str]:
    lines: list[str] = []
    for b in blocks:
        if b.heading:
            lines += ["", f"{'#' * b.level} {b.heading}"]
        if b.lines:
            lines += ["", *b.lines]
        if b.table is not None:
            lines += ["", *table_markdown(b.table)]
        if b.writing_lines:
            lines += ["", *(["…"] * min(3, b.writing_lines))]
    return lines


def table_markdown(t: Table) -> list[str]:
    head = "| " + " | ".join(_cell(c) for c in t.columns) + " |"
    rule = "|" + "|".join("---:" if i in t.right else "---" for i in range(len(t.columns))) + "|"
    return [head, rule, *("| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows)]


def document_markdown(doc: Document) -> str:
    lines = [f"# {doc.title}", "", *doc.header, *blocks_markdown(doc.blocks)]
    if doc.signatures:
        lines += ["", " · ".join(f"**{role}** {hint}" for role, hint in doc.signatures)]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
