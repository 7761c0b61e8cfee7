"""The server's log: a line per connect, auth result, refusal and session, in a rotating file
under state_dir() (never in the data folder, which belongs to the users)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOGGER = "thidua.ssh"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


def open_log(path: Path) -> logging.Handler:
    """Attach a rotating file handler to the server's logger; detach it with close_log()."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


def close_log(handler: logging.Handler) -> None:
    logging.getLogger(LOGGER).removeHandler(handler)
    handler.close()
