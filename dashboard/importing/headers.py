"""Which spreadsheet headers mean which progress-file column, in Vietnamese or English.

Offices rename, re-type and strip the diacritics off headers, so a header is compared in a
folded form (no diacritics, no case, words only): "Mã chỉ tiêu", "MA CHI TIEU", "target_id"
and "Target ID" all mean the same. The template's own headers come from the catalogues, so
a renamed header there is still recognised here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from dashboard.importing.strings import LANGUAGES, messages

INPUT_KEYS = ("target_id", "value", "reported_at", "note", "reporter")
"""Columns an import reads (the contract's names)."""
INFO_KEYS = ("title", "unit", "target_value", "last_value", "last_date")
"""Template columns shown for reference only; recognised, never read."""
TEMPLATE_KEYS = ("target_id", "title", "unit", "target_value", "last_value", "last_date",
                 "value", "reported_at", "note")
"""The template's columns, in order."""
REQUIRED = ("target_id", "value", "reported_at")
HEADER_MARKERS = ("target_id", "value")
"""A row holding both is a header row."""

_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "target_id": ("Mã", "Mã số", "Mã CT", "ID", "Target code", "Mã chỉ tiêu thi đua"),
    "value": ("Giá trị", "Kết quả", "Kết quả thực hiện", "Số liệu", "Value"),
    "reported_at": ("Ngày", "Ngày báo cáo", "Thời điểm báo cáo", "Date", "Reported at",
                    "Report date"),
    "note": ("Ghi chú", "Notes", "Comment", "Comments"),
    "reporter": ("Đơn vị báo cáo", "Reporter", "Reported by"),
}


def fold(text: str) -> str:
    """Compare form of a header: ASCII words separated by single spaces."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text)
                    if unicodedata.category(c) != "Mn")
    plain = plain.replace("đ", "d").replace("Đ", "D").casefold()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


@cache
def _aliases() -> dict[str, str]:
    """Folded header → key. The templates' headers win over the contract names, which win
    over the looser aliases (so "Target", the English title column, is never an id)."""
    keys = (*INPUT_KEYS, *INFO_KEYS)
    out: dict[str, str] = {}
    for key in keys:
        for lang in LANGUAGES:
            out.setdefault(fold(messages(lang)(f"col.{key}")), key)
    for key in keys:
        out.setdefault(fold(key), key)
    for key, names in _EXTRA_ALIASES.items():
        for name in names:
            out.setdefault(fold(name), key)
    return out


def header_key(cell: object) -> str | None:
    """The column key a header cell stands for, or None."""
    if not isinstance(cell, str):
        return None
    folded = fold(cell)
    return _aliases().get(folded) if folded else None

