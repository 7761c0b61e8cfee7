"""One import, one new Parquet file in progress/imports/, written so that nothing is lost.

- The name says who and when, and what: `<newest report date>_<reporter slug>_<hash>.parquet`,
  the hash being the first 8 hex digits of the SHA-256 of the normalised rows (reporter,
  target, date as entered, value, note; in sorted order). The same content imported twice has
  the same hash, so a re-import is found by name and refused, naming the file that holds it.
- The file is written under a dot-name the engine never reads, flushed and fsynced, then
  published with os.link, which fails rather than replace an existing file; the temp name is
  then unlinked and the folder fsynced. Readers see no file or the whole file, and two imports
  at the same moment both land (different content, different names) or, for the same content,
  exactly one does.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from dashboard.atomic_files import write_atomic
from dashboard.contract import PROGRESS_SCHEMA, write_parquet
from dashboard.engine.discovery import PROGRESS_DIR
from dashboard.importing.knowledge import slug
from dashboard.importing.validate import NewRow

IMPORTS_DIR = "imports"
HASH_LENGTH = 8
SCHEMA = PROGRESS_SCHEMA


class AlreadyImported(Exception):
    """The same content is already in the data folder, in `existing` (relative path)."""

    def __init__(self, existing: str) -> None:
        super().__init__(existing)
        self.existing = existing


@dataclass(frozen=True)
class Planned:
    """What an import would write: the table and where."""

    rel_path: str
    """Relative to the data folder, with /."""
    table: pa.Table
    content_hash: str


def plan(rows: Sequence[NewRow], reporter: str) -> Planned:
    digest = content_hash(rows, reporter)
    newest = max(r.reported_at for r in rows).date().isoformat()
    name = f"{newest}_{slug(reporter) or 'reporter'}_{digest}.parquet"
    table = pa.table({
        "target_id": [r.target_id for r in rows],
        "reporter": [reporter] * len(rows),
        "reported_at": [r.reported_at for r in rows],
        "value": [r.value for r in rows],
        "note": [r.note for r in rows],
    }, schema=SCHEMA)
    return Planned(f"{PROGRESS_DIR}/{IMPORTS_DIR}/{name}", table, digest)


def content_hash(rows: Sequence[NewRow], reporter: str) -> str:
    """Depends on what the user entered only (not on the clock), and not on row order."""
    lines = sorted(json.dumps([r.target_id, r.entered.isoformat(), r.value.hex(), r.note],
                              ensure_ascii=False) for r in rows)
    payload = json.dumps([reporter, lines], ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:HASH_LENGTH]


def find_existing(folder: Path, digest: str) -> str | None:
    """A progress file whose name carries this content hash (relative path), if any."""
    suffix = f"_{digest}.parquet"
    root = folder / PROGRESS_DIR
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d[:1] not in ".~_")
        for name in sorted(filenames):
            if name.endswith(suffix) and name[:1] not in ".~_":
                return (Path(dirpath) / name).relative_to(folder).as_posix()
    return None


def write(folder: Path, planned: Planned) -> Path:
    """Publish the planned file atomically; raises AlreadyImported, never overwrites."""
    existing = find_existing(folder, planned.content_hash)
    if existing is not None:
        raise AlreadyImported(existing)
    final = folder / planned.rel_path
    write_atomic(final, lambda f: write_parquet(planned.table, f),
                 publish=lambda tmp, path: _publish(tmp, path, folder))
    return final


def _publish(tmp: Path, final: Path, folder: Path) -> None:
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise AlreadyImported(final.relative_to(folder).as_posix()) from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                           errno.EMLINK, errno.ENOSYS):
            raise
        # A file system without hard links (some network shares): the name carries the
        # content hash, so the only file this could replace holds the same rows.
        if final.exists():
            raise AlreadyImported(final.relative_to(folder).as_posix()) from None
        os.rename(tmp, final)
