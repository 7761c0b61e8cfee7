"""The kiosk's log: a rotating file under thidua's state folder, never in the data folder.

Nobody watches a wall screen's terminal, so what went wrong (a view that could not be drawn, a
refresh that failed, a signal) goes to a file an operator can read later; it rotates at 1 MB
so weeks of a failing network share cannot fill the disk.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from dashboard.paths import state_dir

LOGGER = "thidua.kiosk"
MAX_BYTES = 1_000_000
BACKUPS = 3

log = logging.getLogger(LOGGER)
_handler: logging.Handler | None = None
_path: Path | None = None


def log_path() -> Path:
    return state_dir() / "kiosk.log"


def open_log(path: Path | None = None) -> Path | None:
    """Send the kiosk's records to `path` (default: state_dir()/kiosk.log); idempotent.

    A state folder that cannot be written costs the log, never the kiosk: the records are then
    dropped and None is returned.
    """
    global _handler, _path
    path = path or log_path()
    if _handler is not None and _path == path:
        return path
    close_log()
    log.setLevel(logging.INFO)
    log.propagate = False  # the terminal is the dashboard: nothing may print over it
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        handler, path = logging.NullHandler(), None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    _handler, _path = handler, path
    return path


def close_log() -> None:
    global _handler, _path
    if _handler is not None:
        log.removeHandler(_handler)
        _handler.close()
    _handler = _path = None
