"""Folder watching tuned for milliseconds: watchfiles with a 50 ms debounce and a 10 ms step,
filtered to the files the engine reads, restarted whenever it stops or fails."""

from __future__ import annotations

import asyncio
import contextlib
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


def change_filter(folder: Path) -> Callable[[Change, str], bool]:
    def keep(change: Change, path: str) -> bool:
        return is_watched_path(folder, path)
    return keep


async def watch_folder(folder: Path, on_change: Callable[[int], object],
                       stop: asyncio.Event) -> None:
    """Call on_change(number of changes) for each debounced batch until stop is set.

    The folder may not exist yet, or be deleted and recreated: the watcher then waits and
    starts again on the new folder (inotify goes deaf on a deleted folder otherwise).
    """
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
                    on_change(len(changes))
                if not _same_folder(folder, inode):
                    on_change(1)
                    break
        except* (OSError, RuntimeError, WatchfilesRustInternalError) as group:
            # the folder vanished under the watcher; or a folder name that is not UTF-8, which
            # the watcher cannot take while it is there: try again each second (the app's
            # rescan still sees new files meanwhile)
            log.warning("watcher on %s stopped (%s); restarting", folder, group.exceptions[0])
            on_change(1)
            pause = RETRY_SECONDS
        await _sleep_or_stop(stop, pause)


def _same_folder(folder: Path, inode: int) -> bool:
    try:
        return folder.stat().st_ino == inode
    except OSError:
        return False


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
