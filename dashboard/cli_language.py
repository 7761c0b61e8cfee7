"""The command line in the viewer's language: `thidua --help` and argparse's own words (usage,
errors) in Vietnamese unless `--lang en` is given.

The options' help is written in English next to each option (where it is read with the code);
dashboard/i18n/cli_help.vi.toml maps each English text to its Vietnamese, as gettext would. A
text with no entry stays English (tests/test_cli.py finds any)."""

from __future__ import annotations

import argparse
import tomllib
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources

from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES


def argv_language(argv: Sequence[str]) -> str:
    """The --lang the command line asks for (before any parsing), else the default."""
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value in LANGUAGES:
            return value
    return DEFAULT_LANGUAGE


@cache
def translations(lang: str) -> dict[str, str]:
    """English text → its translation (empty for English)."""
    if lang == "en":
        return {}
    text = resources.files("dashboard.i18n").joinpath(f"cli_help.{lang}.toml").read_text("utf-8")
    return {k: unicodedata.normalize("NFC", v) for k, v in tomllib.loads(text).items()}


_spoken = [DEFAULT_LANGUAGE]


def spoken() -> str:
    """The language speak() last set (for an option's type check, which argparse calls)."""
    return _spoken[0]


def type_error(error: ValueError) -> argparse.ArgumentTypeError:
    """An option's type check failing, in the spoken language (argparse shows its text)."""
    from dashboard import reasons
    from dashboard.i18n import catalogue

    return argparse.ArgumentTypeError(reasons.say(str(error), catalogue(spoken())))


def speak(lang: str) -> None:
    """argparse's own words (usage:, options, errors) in `lang` from now on."""
    _spoken[0] = lang
    table = translations(lang)
    argparse._ = lambda text: table.get(text, text)  # type: ignore[attr-defined]
    argparse.ngettext = (  # type: ignore[attr-defined]
        lambda one, many, n: table.get(one if n == 1 else many, one if n == 1 else many))


def translate(parser: argparse.ArgumentParser, lang: str) -> None:
    """Every help text and description of parser and its subcommands, in `lang`."""
    table = translations(lang)
    if not table:
        return
    for p in parsers(parser):
        if p.description:
            p.description = table.get(p.description, p.description)
        for action in p._actions:
            if action.help and action.help is not argparse.SUPPRESS:
                action.help = table.get(action.help, action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if choice.help:
                        choice.help = table.get(choice.help, choice.help)


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """parser and every subcommand's parser."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from parsers(sub)


def help_texts(parser: argparse.ArgumentParser) -> set[str]:
    """Every help text and description the parser shows (what the catalogue must hold)."""
    out: set[str] = set()
    for p in parsers(parser):
        if p.description:
            out.add(p.description)
        for action in p._actions:
            if action.help and action.help is not argparse.SUPPRESS:
                out.add(action.help)
            if isinstance(action, argparse._SubParsersAction):
                out.update(c.help for c in action._choices_actions if c.help)
    return out
