"""User-facing strings: one catalogue per language (vi.toml, en.toml), never inline."""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from importlib import resources

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class Catalogue:
    """Strings of one language; `cat("key", n=3)` formats the entry with str.format."""

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


def _flatten(prefix: str, table: dict[str, object], out: dict[str, str]) -> None:
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            _flatten(key + ".", v, out)
        else:
            out[key] = unicodedata.normalize("NFC", str(v))


@cache
def _load(lang: str) -> dict[str, str]:
    text = resources.files("dashboard.i18n").joinpath(f"{lang}.toml").read_text("utf-8")
    out: dict[str, str] = {}
    _flatten("", tomllib.loads(text), out)
    return out


@cache
def catalogue(lang: str) -> Catalogue:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (choose {', '.join(LANGUAGES)})")
    return Catalogue(lang, _load(lang))
