"""`thidua serve-ssh` (placeholder until the SSH server lands)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

AddOptions = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, common: AddOptions, app_options: AddOptions) -> None:
    """Add this package's subcommands; each sets `handler` to the function that runs it."""
