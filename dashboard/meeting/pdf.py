"""A Document as an A4 portrait PDF: Noto Sans embedded (from the fontpkg-noto-sans package,
never downloaded), text extractable, page numbers, tables that repeat their header row.

fpdf2 lays out the tables (rows grow with their wrapped text, so nothing overlaps). The
variable font is used at its default instance (regular weight): instancing a bold one takes
fonttools half a minute, so headings are set apart by size and shading instead.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from dashboard.meeting.document import Block, Document, Table

FONT = "NotoSans"
MARGIN = 15.0
SUBSTITUTES = str.maketrans({"→": "»"})
"""Characters Noto Sans lacks, and what stands in for them."""


def font_path() -> str:
    return str(resources.files("fontpkg_noto_sans").joinpath("files", "NotoSans[wdth,wght].ttf"))


class _Paper(FPDF):
    def __init__(self, page_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.page_text = page_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        # {nb} is fpdf2's alias for the page count, filled in at the end
        text = self.page_text.replace("{n}", str(self.page_no())).replace("{total}", "{nb}")
        self.cell(0, 5, text, align="C")
        self.set_text_color(0)


def document_pdf(doc: Document, *, page_text: str, title: str, author: str,
                 created: datetime) -> bytes:
    """page_text: e.g. "Trang {n}/{total}"; created: the PDF's date (the as-of instant, so
    the same data gives the same bytes)."""
    pdf = _Paper(page_text)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font(FONT, "", font_path())
    pdf.set_title(_t(title))
    pdf.set_author(_t(author))
    pdf.set_creator("thidua")
    pdf.set_creation_date(created)
    pdf.set_lang("vi")
    pdf.add_page()
    pdf.set_font(FONT, size=15)
    pdf.multi_cell(0, 7, _t(doc.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT, size=10)
    for i, line in enumerate(doc.header):
        pdf.multi_cell(0, 5, _t(line), align="C" if i < 2 else "L",
                       new_x="LMARGIN", new_y="NEXT")
    for block in doc.blocks:
        _block(pdf, block)
    if doc.signatures:
        _signatures(pdf, doc.signatures)
    return bytes(pdf.output())


def _signatures(pdf: FPDF, signers: tuple[tuple[str, str], ...]) -> None:
    """Side by side, each role over its hint, with room below to sign."""
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.ln(10)
    width = (pdf.w - 2 * MARGIN) / len(signers)
    top = pdf.get_y()
    for i, (role, hint) in enumerate(signers):
        pdf.set_xy(MARGIN + i * width, top)
        pdf.set_font(FONT, size=10.5)
        pdf.cell(width, 6, _t(role), align="C")
        pdf.set_xy(MARGIN + i * width, top + 6)
        pdf.set_font(FONT, size=8.5)
        pdf.cell(width, 5, _t(hint), align="C")
    pdf.set_xy(MARGIN, top + 35)


def _block(pdf: FPDF, b: Block) -> None:
    if b.heading:
        if pdf.will_page_break(24):  # a heading never ends a page alone
            pdf.add_page()
        pdf.ln(4 if b.level <= 2 else 2)
        pdf.set_font(FONT, size=12 if b.level <= 2 else 10.5)
        pdf.set_fill_color(225, 232, 242)
        pdf.multi_cell(0, 6.5, _t(b.heading), fill=b.level <= 2, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.set_font(FONT, size=9.5)
    for line in b.lines:
        pdf.multi_cell(0, 4.8, _t(line), new_x="LMARGIN", new_y="NEXT")
    if b.table is not None and b.table.rows:
        pdf.ln(1)
        _table(pdf, b.table)
    if b.writing_lines:
        pdf.set_draw_color(150)
        for _ in range(b.writing_lines):
            if pdf.will_page_break(9):
                pdf.add_page()
            pdf.ln(8)
            pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
        pdf.set_draw_color(0)


def _table(pdf: FPDF, t: Table) -> None:
    pdf.set_font(FONT, size=8)
    align: Any = tuple("RIGHT" if i in t.right else "LEFT" for i in range(len(t.columns)))
    with pdf.table(col_widths=t.widths, text_align=align, line_height=4,
                   headings_style=FontFace(fill_color=(235, 235, 235)),
                   borders_layout="SINGLE_TOP_LINE", padding=0.8,
                   width=pdf.w - 2 * MARGIN, repeat_headings=1) as table:
        for cells in (t.columns, *t.rows):
            row = table.row()
            for cell in cells:
                row.cell(_t(cell))
    pdf.set_font(FONT, size=9.5)


def _t(text: str) -> str:
    return text.translate(SUBSTITUTES)
