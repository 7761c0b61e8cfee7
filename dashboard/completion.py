"""`thidua completion bash|zsh`: shell completion generated from the argparse parser.

shtab writes the script from the parser's own actions, so a new subcommand or option completes
without anyone editing a shell script.
"""

from __future__ import annotations

import argparse
from typing import Any

import shtab

SHELLS = ("bash", "zsh")
DIRECTORY = shtab.DIRECTORY
FILE = shtab.FILE


def register(sub: Any) -> None:
    p = sub.add_parser(
        "completion", help="print the shell completion script (bash or zsh)",
        description="Print a completion script for thidua. bash: "
                    "`thidua completion bash > ~/.local/share/bash-completion/completions/thidua`; "
                    "zsh: `thidua completion zsh > ~/.zfunc/_thidua` (with ~/.zfunc in $fpath).")
    p.add_argument("shell", choices=SHELLS)


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    text: str = shtab.complete(parser, shell=shell)
    return text if text.endswith("\n") else text + "\n"

