"""Folder watching tuned for milliseconds: watchfiles with a 50 ms debounce and a 10 ms step,
filtered to the files the engine reads, restarted whenever it stops or fails.

Each batch names its paths, so the engine lists only their folders again. When the system's
inotify watches run out (a folder per watch: fs.inotify.max_user_watches), watching stops with
one log line and tries again each minute; meanwhile the app's periodic rescan finds new files."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, awatch
from watchfiles._rust_notify import WatchfilesRustInternalError

from dashboard.engine.discovery import is_watched_path

log = logging.getLogger(__name__)

DEBOUNCE_MS = 50
STEP_MS = 10
RETRY_SECONDS = 1.0
LIMIT_RETRY_SECONDS = 60.0
"""After the inotify watch limit: retrying each second would walk the whole tree each time."""


def change_filter(folder: Path) -> Callable[[Change, str], bool]:
    def keep(change: Change, path: str) -> bool:
        return is_watched_path(folder, path)
    return keep


async def watch_folder(folder: Path, on_change: Callable[[frozenset[str] | None], object],
                       stop: asyncio.Event) -> None:
    """Call on_change(the paths changed) for each debounced batch until stop is set, and
    on_change(None) when anything may have changed (the watcher restarted).

    The folder may not exist yet, or be deleted and recreated: the watcher then waits and
    starts again on the new folder (inotify goes deaf on a deleted folder otherwise).
    """
    limited = False
    while not stop.is_set():
        if not folder.is_dir():
            await _sleep_or_stop(stop, RETRY_SECONDS)
            continue
        inode = folder.stat().st_ino
        pause = 0.05
        try:
            async for changes in awatch(
                folder, watch_filter=change_filter(folder), debounce=DEBOUNCE_MS,
                step=STEP_MS, stop_event=stop, rust_timeout=1000, yield_on_timeout=True,
                recursive=True, ignore_permission_denied=True,
            ):
                if changes:
                    on_change(frozenset(path for _, path in changes))
                if limited:
                    log.warning("watcher on %s: watching again", folder)
                    limited = False
                if not _same_folder(folder, inode):
                    on_change(None)
                    break
        except* (OSError, RuntimeError, WatchfilesRustInternalError) as group:
            first = group.exceptions[0]
            if _watch_limit(first):
                if not limited:
                    log.warning(
                        "watcher on %s: the system's inotify watches ran out (%s; raise "
                        "fs.inotify.max_user_watches): new files show at the periodic rescan; "
                        "trying again every %.0f s", folder, first, LIMIT_RETRY_SECONDS)
                limited = True
                pause = LIMIT_RETRY_SECONDS
            else:
                # the folder vanished under the watcher; or a folder name that is not UTF-8,
                # which the watcher cannot take while it is there: try again each second (the
                # app's rescan still sees new files meanwhile)
                log.warning("watcher on %s stopped (%s); restarting", folder, first)
                pause = RETRY_SECONDS
            on_change(None)
        await _sleep_or_stop(stop, pause)


def _watch_limit(e: BaseException) -> bool:
    """watchfiles says "OS file watch limit reached"; inotify itself ENOSPC."""
    return (isinstance(e, OSError) and e.errno == errno.ENOSPC) or "watch limit" in str(e).lower()


def _same_folder(folder: Path, inode: int) -> bool:
    try:
        return folder.stat().st_ino == inode
    except OSError:
        return False


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
