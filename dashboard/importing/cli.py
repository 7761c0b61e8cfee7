"""`thidua template` and `thidua import` (placeholder until the importer lands)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add this package's subcommands; each sets `handler` to the function that runs it."""
