"""This package's user-facing strings, from its own vi.toml / en.toml.

The app's catalogues (dashboard/i18n) belong to the dashboard; the importer keeps its strings
next to its code so both can change without stepping on each other. Vietnamese is the default;
a key missing in one language falls back to English, then to the key itself.
"""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from importlib import resources

LANGUAGES = ("vi", "en")


class Messages:
    """Strings of one language; `tr("problem.date_empty")`, `tr("import.wrote", file=...)`."""

    def __init__(self, lang: str, entries: dict[str, str]) -> None:
        self.lang = lang
        self._entries = entries

    def __call__(self, key: str, **values: object) -> str:
        text = self._entries.get(key)
        if text is None:
            text = _load("en").get(key, key)
        return text.format(**values) if values else text

    def keys(self) -> set[str]:
        return set(self._entries)

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


def _flatten(prefix: str, table: dict[str, object], out: dict[str, str]) -> None:
    for k, v in table.items():
        if isinstance(v, dict):
            _flatten(f"{prefix}{k}.", v, out)
        else:
            out[f"{prefix}{k}"] = unicodedata.normalize("NFC", str(v))


@cache
def _load(lang: str) -> dict[str, str]:
    text = resources.files("dashboard.importing").joinpath(f"{lang}.toml").read_text("utf-8")
    out: dict[str, str] = {}
    _flatten("", tomllib.loads(text), out)
    return out


@cache
def messages(lang: str) -> Messages:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (choose {', '.join(LANGUAGES)})")
    return Messages(lang, _load(lang))
