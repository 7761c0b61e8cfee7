"""What an import changes on the dashboard, computed by the engine itself.

A dry run must not touch the data folder, not even with a hidden file. So the campaign is
mirrored into a temporary folder (campaign.toml, the targets and each progress file linked,
not copied; copied where links are not possible), the planned file is added there, and a
second engine computes the snapshot "after". Any rule the engine applies (latest vs sum,
same-day reports, newer reports by others) is then applied to the preview as well.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dashboard.contract import write_parquet
from dashboard.engine.discovery import PROGRESS_DIR, TARGETS_DIR, TARGETS_FILE, list_candidates
from dashboard.engine.engine import Engine
from dashboard.engine.model import Snapshot, TargetState
from dashboard.importing.writer import Planned


@dataclass(frozen=True)
class Change:
    target_id: str
    before: TargetState | None
    after: TargetState | None


def snapshot_with(folder: Path, planned: Planned, now: datetime) -> Snapshot:
    """The snapshot at `now` as it would be with the planned file in the data folder."""
    with tempfile.TemporaryDirectory(prefix="thidua-preview-") as tmp:
        mirror = Path(tmp) / "campaign"
        mirror.mkdir()
        for name in ("campaign.toml", TARGETS_FILE, TARGETS_DIR):
            if (folder / name).exists():
                _link(folder / name, mirror / name)
        (mirror / PROGRESS_DIR).mkdir()
        # file by file: the engine follows no folder link that leads out of its data folder
        for rel in list_candidates(folder).progress:
            dest = mirror / PROGRESS_DIR / "existing" / Path(rel).relative_to(PROGRESS_DIR)
            dest.parent.mkdir(parents=True, exist_ok=True)
            _link(folder / rel, dest)
        new = mirror / PROGRESS_DIR / "new" / Path(planned.rel_path).name
        new.parent.mkdir()
        write_parquet(planned.table, new)
        engine = Engine(mirror, grace_seconds=0.0)
        try:
            engine.refresh()
            return engine.snapshot(now)
        finally:
            engine.close()


def changes(before: Snapshot, after: Snapshot, target_ids: list[str]) -> list[Change]:
    """One entry per imported target, in the order first imported."""
    seen: list[str] = []
    for tid in target_ids:
        if tid not in seen:
            seen.append(tid)
    return [Change(tid, before.target(tid), after.target(tid)) for tid in seen]


def _link(source: Path, dest: Path) -> None:
    try:
        os.symlink(source.resolve(), dest, target_is_directory=source.is_dir())
    except OSError:  # no symlinks here (e.g. Windows without the privilege): copy
        if source.is_dir():
            shutil.copytree(source, dest)
        else:
            shutil.copy2(source, dest)
