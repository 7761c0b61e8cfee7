"""This package's user-facing strings, from its own vi.toml / en.toml.

The app's catalogues (dashboard/i18n) belong to the dashboard; the importer keeps its strings
next to its code so both can change without stepping on each other. Vietnamese is the default;
a key missing in one language falls back to English, then to the key itself.
"""

from __future__ import annotations

from functools import cache
from os import PathLike

from dashboard.engine.text_safety import safe_text
from dashboard.i18n import LANGUAGES, Catalogue, package_catalogue

__all__ = ["LANGUAGES", "Columns", "Messages", "UnusableInput", "messages"]


class Messages(Catalogue):
    """Strings of one language; `tr("problem.date_empty")`, `tr("import.wrote", file=...)`.

    Every text value is shown safely: cells, headers, sheet and file names come from the
    user's file and reach the terminal only through here."""

    def __call__(self, key: str, /, **values: object) -> str:
        return super().__call__(key, **{
            k: safe_text(str(v)) if isinstance(v, str | PathLike) else v
            for k, v in values.items()})

    def columns(self, keys: tuple[str, ...]) -> str:
        """`«Mã chỉ tiêu» (target_id), …`: a column as the template names it, and its key."""
        left, right = ("«", "»") if self.lang == "vi" else ("“", "”")
        return ", ".join(f"{left}{self(f'col.{k}')}{right} ({k})" for k in keys)


class Columns(tuple[str, ...]):
    """Column keys in an UnusableInput, shown in the reader's language when rendered."""

    __slots__ = ()


class UnusableInput(Exception):
    """The input cannot be imported at all (exit code 2): a message key and its values."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def render(self, tr: Messages) -> str:
        values = {k: tr.columns(tuple(v)) if isinstance(v, Columns) else v
                  for k, v in self.values.items()}
        return tr(f"unusable.{self.key}", **values)


@cache
def messages(lang: str) -> Messages:
    return package_catalogue("dashboard.importing", lang, Messages)
