"""The `template` and `import` subcommands' arguments, without loading what runs them.

Building thidua's argument parser imports this, not dashboard/importing/cli.py: that one
loads the spreadsheet reader and writer (openpyxl, ~0.35 s), which `thidua check` and the
dashboard never use.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add this package's subcommands; each sets `handler` to the function that runs it."""
    t = sub.add_parser("template", help="write a workbook (or CSV) for an office to fill in")
    t.add_argument("out", metavar="OUT", help="the .xlsx (or .csv) file to write")
    t.add_argument("--reporter", metavar="NAME",
                   help="only the targets this unit reports on (name or slug; default: all)")
    t.add_argument("--format", choices=("xlsx", "csv"),
                   help="default: csv for a .csv name, else xlsx")
    t.add_argument("--now", metavar="ISO8601", help="last reports as of this instant")
    t.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    common(t)
    t.set_defaults(handler=_run_template)

    i = sub.add_parser("import", help="check a filled template (.xlsx or .csv) and add it "
                                      "to the data folder; exit 0 written, 1 refused, 2 unusable")
    i.add_argument("file", metavar="FILE", help="the .xlsx, .xlsm or .csv file")
    i.add_argument("--reporter", metavar="NAME", required=True,
                   help="the unit reporting (name or slug); it must own or have reported on "
                        "a target")
    i.add_argument("--dry-run", action="store_true",
                   help="show what would be written and what it changes; write nothing")
    i.add_argument("--allow-late", action="store_true",
                   help="accept dates after the campaign's last day")
    i.add_argument("--allow-decrease", action="store_true",
                   help="accept a value lower than the last report (the row needs a note)")
    i.add_argument("--now", metavar="ISO8601",
                   help="the clock (default: now); no date after it is accepted")
    common(i)
    i.set_defaults(handler=_run_import)


def _run_template(args: argparse.Namespace) -> int:
    from dashboard.importing.cli import run_template

    return run_template(args)


def _run_import(args: argparse.Namespace) -> int:
    from dashboard.importing.cli import run_import

    return run_import(args)
