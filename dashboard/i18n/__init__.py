"""User-facing strings: one catalogue per language (vi.toml, en.toml), never inline.

A package with strings of its own (the importer, the kiosk) keeps its vi.toml / en.toml next
to its code and reads them with `read_catalogue(package, lang)`.
"""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from importlib import resources
from typing import TypeVar

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class Catalogue:
    """Strings of one language; `cat("key", n=3)` formats the entry with str.format.

    A key missing in this language falls back to `fallback` (English), then to the key.
    """

    def __init__(self, lang: str, entries: dict[str, str],
                 fallback: dict[str, str] | None = None) -> None:
        self.lang = lang
        self._entries = entries
        self._fallback = fallback or {}

    def __call__(self, key: str, /, **values: object) -> str:
        text = self._entries.get(key)
        if text is None:
            text = self._fallback.get(key, key)
        return text.format(**values) if values else text

    def keys(self) -> set[str]:
        return set(self._entries)

    def __contains__(self, key: object) -> bool:
        """Whether this language has its own entry for key (not the English fallback)."""
        return key in self._entries


C = TypeVar("C", bound=Catalogue)


def package_catalogue(package: str, lang: str, kind: type[C] = Catalogue) -> C:  # type: ignore[assignment]
    """The strings a package keeps next to its code (package/vi.toml, en.toml), in `lang`
    with English behind it. The kiosk, the SSH server and the importer each read theirs."""
    check_language(lang)
    return kind(lang, read_catalogue(package, lang), read_catalogue(package, "en"))


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (choose {', '.join(LANGUAGES)})")


@cache
def read_catalogue(package: str, lang: str) -> dict[str, str]:
    """package/<lang>.toml as flat keys ("status.done"), every string NFC-normalised."""
    text = resources.files(package).joinpath(f"{lang}.toml").read_text("utf-8")
    out: dict[str, str] = {}
    _flatten("", tomllib.loads(text), out)
    return out


def _flatten(prefix: str, table: dict[str, object], out: dict[str, str]) -> None:
    for k, v in table.items():
        if isinstance(v, dict):
            _flatten(f"{prefix}{k}.", v, out)
        else:
            out[f"{prefix}{k}"] = unicodedata.normalize("NFC", str(v))


@cache
def catalogue(lang: str) -> Catalogue:
    check_language(lang)
    return Catalogue(lang, read_catalogue(__name__, lang), read_catalogue(__name__, "en"))
