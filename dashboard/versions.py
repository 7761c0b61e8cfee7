"""What `thidua --version` prints: thidua's version and the libraries a bug report needs."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from dashboard import __version__

LIBRARIES = ("textual", "duckdb", "pyarrow")


def version_text() -> str:
    lines = [f"thidua {__version__}"]
    for name in LIBRARIES:
        try:
            lines.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            lines.append(f"{name} (not installed)")
    lines.append(f"Python {platform.python_version()}")
    return "\n".join(lines) + "\n"
