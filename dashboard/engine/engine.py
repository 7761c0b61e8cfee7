"""The engine: a data folder in, consistent dated snapshots out.

It picks its candidate files itself, validates each once (cached by inode, size and mtime),
keeps files that are still being written as pending, names every bad file with its reason and
never writes into the data folder.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from dashboard.engine import late
from dashboard.engine import semantics as rules
from dashboard.engine import since as since_rules
from dashboard.engine.campaign import Campaign, load_campaign
from dashboard.engine.discovery import (
    PROGRESS_DIR,
    FileSig,
    Listing,
    list_candidates,
    relist,
)
from dashboard.engine.errors import CampaignError, EngineError, ThiduaError
from dashboard.engine.integrity import read_checked
from dashboard.engine.model import (
    AreaState,
    DroppedRows,
    FilesState,
    FileWarning,
    HeldFile,
    HistoryPoint,
    ReporterReport,
    SinceComparison,
    SkippedFile,
    Snapshot,
    TargetHistory,
    TargetState,
)
from dashboard.engine.parquet_schema import ProgressLayout, check_progress
from dashboard.engine.row_batches import TEXT_COLUMNS, RowBatcher
from dashboard.engine.store import (
    ANSWERS_KEPT,
    LoadedFile,
    ProgressStore,
    Staging,
    TargetValue,
)
from dashboard.engine.targets import Target, load_targets

GRACE_SECONDS = 30.0
DROP_REASONS = {
    "null_target_id": "target_id is empty",
    "null_reporter": "reporter is empty",
    "null_reported_at": "reported_at is empty",
    "null_value": "value is empty",
    "non_finite_value": "value is not a finite number (NaN or infinity)",
    "reported_at_out_of_range": "reported_at is before 1900 or after 2999",
    "unknown_target_id": "unknown target_id",
}


ROWS_IN_MEMORY_BYTES = 32 << 10
"""Files up to this size go to DuckDB as the rows pyarrow read for the page check (per-file
costs are what a small file's read is made of); larger ones DuckDB reads again itself, which
is faster for them and holds less (bench/engine_bench.py, bench/scale_bench.py)."""


@dataclass
class _Entry:
    """What the engine knows of one progress file."""

    sig: FileSig
    status: str
    """used | pending | skipped: the verdict on the file's current content."""
    reason: str | None = None
    file_id: int | None = None
    """Whose rows are in the store: this content's when used, else the last good content's
    (kept, marked stale, until the file reads again or is deleted), else None."""
    drops: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    unlisted: str | None = None
    """Why the file's folder cannot be listed now (its rows are kept meanwhile)."""
    held_since: datetime | None = None
    """When the rows shown stopped being the file's current content."""

    def hold(self, good: _Entry, now: float) -> None:
        """This content is bad: keep showing the rows of `good`, the last good content."""
        self.file_id, self.drops = good.file_id, good.drops
        self.held_since = good.held_since or datetime.fromtimestamp(now, UTC)

    @property
    def held(self) -> bool:
        return self.file_id is not None and (self.status != "used" or self.unlisted is not None)


@dataclass(frozen=True)
class RefreshReport:
    changed: bool
    """Whether anything the snapshot shows may differ from before."""
    added: int = 0
    removed: int = 0
    seconds: float = 0.0


class Engine:
    """One per data folder. Methods are thread-safe; call them from worker threads."""

    def __init__(
        self,
        folder: Path,
        *,
        grace_seconds: float = GRACE_SECONDS,
        wall: Callable[[], float] = time.time,
        memory_limit: str = "128MB",
        threads: int = 2,
        answers_kept: int = ANSWERS_KEPT,
        rows_in_memory_bytes: int = ROWS_IN_MEMORY_BYTES,
    ) -> None:
        """rows_in_memory_bytes: files up to this size reach DuckDB as the rows read for the
        page check; larger ones DuckDB reads itself (0: every file)."""
        self.folder = Path(folder).resolve()
        self._rows_in_memory_bytes = rows_in_memory_bytes
        if not self.folder.is_dir():
            raise CampaignError.of("data_folder_not_found", place=folder)
        self.campaign: Campaign = load_campaign(self.folder)
        self._campaign_sig = _stat_sig(self.folder / "campaign.toml")
        self._grace = grace_seconds
        self._wall = wall
        self._store_options: dict[str, Any] = {"memory_limit": memory_limit, "threads": threads,
                                               "answers_kept": answers_kept}
        self._store = ProgressStore(self.campaign.timezone, **self._store_options)
        self._lock = threading.RLock()
        self._targets: tuple[Target, ...] = ()
        self._targets_sig: dict[str, FileSig] | None = None
        self._target_warnings: tuple[tuple[str, str], ...] = ()
        self._files: dict[str, _Entry] = {}
        self._listing: Listing | None = None
        self._pending: set[str] = set()
        """Files waiting for their grace period (each refresh looks at these, not all)."""
        self._notable: set[str] = set()
        """Files that are not used, or used with a warning or from a folder not listed now."""
        self._dropping: set[str] = set()
        """Files with dropped rows or rows on unknown targets."""
        self._indexed = False
        self._layouts: dict[ProgressLayout, ProgressLayout] = {}
        """One layout object per schema, shared by the files that have it."""
        self._problems: dict[str, str] = {}
        self._elsewhere: dict[str, str] = {}
        """Files the folder lacks that its source knows are bad (set_unreadable)."""
        self._unknown: dict[int, int] = {}
        self._next_id = 1
        self._error: str | None = None
        self._stale_since: datetime | None = None
        self.refreshes = 0

    def close(self) -> None:
        self._store.close()

    @property
    def queries(self) -> int:
        return self._store.queries

    def duckdb_memory_bytes(self) -> int:
        """What DuckDB holds in memory now: for soaks telling its growth from Python's."""
        return self._store.memory_bytes()

    @property
    def targets(self) -> tuple[Target, ...]:
        return self._targets

    def set_unreadable(self, problems: Mapping[str, str]) -> bool:
        """Files that are not in the folder because its source could not read them (an
        object the bucket does not let us read: dashboard/s3/mirror.py), path → why: named
        with the folder's own problems. True when they changed."""
        with self._lock:
            new = dict(problems)
            changed, self._elsewhere = new != self._elsewhere, new
            return changed

    # -- refresh ---------------------------------------------------------------------------

    def refresh(self, paths: Collection[str] | None = None) -> RefreshReport:
        """Bring the engine up to date with the folder. Never raises for bad data files.

        paths: the paths a watcher saw change, when it saw them all: only their folders are
        listed again (a stat per file of those folders, not of the whole tree). None, or a
        path the engine cannot place (outside progress/, a folder not listed before), lists
        everything.

        A refresh that fails keeps the last good state, which snapshots then mark as stale.
        Raises CampaignError only when no usable campaign or targets were ever loaded.
        """
        with self._lock:
            started = time.perf_counter()
            try:
                report = self._refresh(paths)
            except (ThiduaError, duckdb.Error, OSError) as e:
                self._indexed = False  # the refresh may have stopped half-way
                if not self._targets:
                    raise CampaignError(str(e)) from e
                if self._error is None:
                    self._stale_since = self._now_utc()
                changed = self._error != str(e)
                self._error = str(e)
                return RefreshReport(changed=changed, seconds=time.perf_counter() - started)
            self.refreshes += 1
            recovered = self._error is not None
            self._error = None
            self._stale_since = None
            return replace(report, changed=report.changed or recovered,
                           seconds=time.perf_counter() - started)

    def _refresh(self, paths: Collection[str] | None) -> RefreshReport:
        if not self.folder.is_dir():
            raise EngineError.of("folder_missing", folder=self.folder)
        changed = self._reload_campaign()
        listing = None if changed or paths is None else self._relist(paths)
        if listing is None:
            listing = list_candidates(self.folder)
        self._listing = listing
        changed |= listing.problems != self._problems
        self._problems = listing.problems
        if listing.targets != self._targets_sig or changed:
            loaded_targets = load_targets(self.folder, list(listing.targets), self.campaign,
                                          self._store.read_rows)
            targets = loaded_targets.targets
            self._store.set_targets(targets)
            self._targets = targets
            self._target_warnings = loaded_targets.warnings
            self._targets_sig = listing.targets
            self._unknown = self._store.unknown_target_rows()
            changed = True
        current = listing.progress
        now = self._wall()
        files = self._files
        if listing.touched is None:
            changed |= self._mark_unlisted(current, listing.problems)
            removed = [r for r, e in files.items() if r not in current and e.unlisted is None]
            modified = [r for r, s in current.items() if r in files and files[r].sig != s]
            added = [r for r in current if r not in files]
        else:  # only the folders the watcher named were listed again: only their files
            # (the listing before was exact, so no file is under a folder that went unlisted)
            touched = sorted(listing.touched)
            removed = [r for r in touched
                       if r in files and r not in current and files[r].unlisted is None]
            modified = [r for r in touched
                        if r in files and r in current and files[r].sig != current[r]]
            added = [r for r in touched if r in current and r not in files]
        was_modified = set(modified)
        recheck = [r for r in sorted(self._pending)
                   if (e := files.get(r)) is not None and e.status == "pending"
                   and r in current and r not in was_modified
                   and now - e.sig.mtime_ns / 1e9 >= self._grace]
        full_index = listing.touched is None or changed or not self._indexed
        if not (removed or modified or added or recheck):
            if full_index:
                self._reindex(None)
            return RefreshReport(changed=changed)
        gone = [i for r in removed if (i := self._files[r].file_id) is not None]
        with self._store.staging() as staging:
            new_entries, loaded = self._validate(modified + added + recheck, current, now,
                                                 staging)
            # a replaced file's last good rows stay until its new content reads or it is
            # deleted
            replaces = {}
            for r in modified + recheck:
                old, new = self._files[r], new_entries[r]
                if old.file_id is None:
                    continue
                if new.file_id is not None:
                    replaces[new.file_id] = old.file_id
                else:
                    new.hold(old, now)
            drops, failed, dropped_ids = staging.commit(remove=gone, add=loaded,
                                                        replaces=replaces)
        for r in removed:
            del self._files[r]
        root = len(str(self.folder)) + 1
        for f in loaded:
            rel = f.path[root:]  # f.path is str(self.folder / rel)
            entry = new_entries[rel]
            if f.file_id in failed:
                young = now - entry.sig.mtime_ns / 1e9 < self._grace
                entry.status, entry.reason = ("pending" if young else "skipped"), failed[f.file_id]
                entry.file_id = None
                if f.file_id in replaces:
                    entry.hold(self._files[rel], now)
            else:
                entry.drops = drops.get(f.file_id, {})
        self._files.update(new_entries)
        for fid in dropped_ids:
            self._unknown.pop(fid, None)
        self._unknown.update(self._store.unknown_target_rows([f.file_id for f in loaded]))
        self._reindex(None if full_index else [*removed, *new_entries])
        return RefreshReport(changed=True, added=len(added), removed=len(removed))

    def _reindex(self, rels: Collection[str] | None) -> None:
        """Keep at hand the few files a snapshot lists (all but the plain used ones) and those
        waiting for their grace period: with 100,000 files a snapshot and a refresh then look
        at those, not at every file. rels: the files that changed (None: any may have)."""
        if rels is None:
            self._pending.clear()
            self._notable.clear()
            self._dropping.clear()
            rels = self._files.keys()
        for r in rels:
            self._pending.discard(r)
            self._notable.discard(r)
            self._dropping.discard(r)
            e = self._files.get(r)
            if e is None:
                continue
            if e.status == "pending":
                self._pending.add(r)
            if e.status != "used" or e.warnings or e.unlisted is not None:
                self._notable.add(r)
            if e.file_id is not None and (e.drops or e.file_id in self._unknown):
                self._dropping.add(r)
        self._indexed = True

    def _relist(self, paths: Collection[str]) -> Listing | None:
        """The last listing with the folders of `paths` listed again, or None (list all)."""
        old = self._listing
        if old is None or old.folders is None or self._targets_sig is None:
            return None
        root = str(self.folder) + os.sep
        dirs: set[str] = set()
        for path in paths:
            if not path.startswith(root):
                return None
            rel = path[len(root):].replace(os.sep, "/")
            if rel.split("/", 1)[0] != PROGRESS_DIR or "/" not in rel:
                return None  # campaign.toml, the targets, progress/ itself
            parent = rel.rpartition("/")[0]
            while parent not in old.folders:  # inside a new folder: list its known parent
                parent = parent.rpartition("/")[0]
                if not parent:
                    return None
            dirs.add(parent)
            if rel in old.folders:  # a folder itself was removed or replaced
                dirs.add(rel)
        return relist(self.folder, old, dirs)

    def _mark_unlisted(self, current: dict[str, FileSig], problems: dict[str, str]) -> bool:
        """Files under a folder that cannot be listed now are not gone: their rows stay, marked
        with the folder's problem, until the folder can be read again. True when any changed."""
        changed = False
        for rel, entry in self._files.items():
            why = None if rel in current else _folder_problem(rel, problems)
            if why != entry.unlisted:
                if why is not None and entry.held_since is None:
                    entry.held_since = self._now_utc()
                elif why is None and entry.status == "used":
                    entry.held_since = None
                entry.unlisted = why
                changed = True
        return changed

    def _reload_campaign(self) -> bool:
        sig = _stat_sig(self.folder / "campaign.toml")
        if sig == self._campaign_sig:
            return False
        campaign = load_campaign(self.folder)
        if campaign.timezone != self.campaign.timezone:
            # local days of every file change: start again from the files, with the new zone
            self._store.close()
            self._store = ProgressStore(campaign.timezone, **self._store_options)
            self._files.clear()
            self._indexed = False
            self._targets_sig = None
        self.campaign = campaign
        self._campaign_sig = sig
        return True

    def _validate(self, rels: list[str], current: dict[str, FileSig], now: float,
                  staging: Staging) -> tuple[dict[str, _Entry], list[LoadedFile]]:
        """Read each file once (pages verified), judge its columns, and stage its rows."""
        entries: dict[str, _Entry] = {}
        loaded: list[LoadedFile] = []
        unread: dict[str, str] = {}
        large: list[LoadedFile] = []
        batcher = RowBatcher()
        root = str(self.folder)
        # One thread: two reading at once were slower (pyarrow holds the GIL for most of a
        # small file's read). Text as dictionaries for large files only: their check reads
        # in a quarter of the time so, while a small file's plain strings go faster.
        small = self._rows_in_memory_bytes
        reads = (read_checked(f"{root}/{r}", () if current[r].size <= small else TEXT_COLUMNS)
                 for r in rels if current[r].size)
        last_schema: Any = None  # files side by side most often share their schema
        last_verdict: ProgressLayout | str = ""
        for r in rels:
            if not current[r].size:
                self._judge(r, current[r], now, "empty file (0 bytes)", entries)
                continue
            got = next(reads)
            if isinstance(got, str):
                unread[r] = got
                continue
            schema = got.schema
            if last_schema is None or not schema.equals(last_schema, check_metadata=False):
                columns = staging.columns_of_rows(schema)
                last_verdict = columns if isinstance(columns, str) else check_progress(columns)
                last_schema = schema
            layout = self._judge(r, current[r], now, last_verdict, entries)
            if layout is None:
                continue
            path = f"{root}/{r}"
            if current[r].size > small:  # DuckDB reads it again itself
                loaded.append(self._use(r, current[r], path, layout, entries))
                large.append(loaded[-1])
                continue
            try:
                full = batcher.add(self._next_id, path, got, layout.has_note, schema)
            except ValueError as e:  # text DuckDB reads but pyarrow cannot make plain
                self._judge(r, current[r], now, f"cannot be read: {e}", entries)
                continue
            loaded.append(self._use(r, current[r], path, layout, entries))
            for batch in full:
                staging.add(batch)
        for batch in batcher.rest():
            staging.add(batch)
        staging.add_files(large)
        # what pyarrow could not read: the footer's reason as DuckDB gives it first, then the
        # columns', then the pages' (in that order a user can act on them)
        footers = staging.footer_columns([f"{root}/{r}" for r in unread])
        for r, page_reason in unread.items():
            columns = footers.get(f"{root}/{r}", page_reason)
            verdict = columns if isinstance(columns, str) else check_progress(columns)
            self._judge(r, current[r], now, page_reason if not isinstance(verdict, str)
                        else verdict, entries)
        return entries, loaded

    def _judge(self, rel: str, sig: FileSig, now: float, verdict: ProgressLayout | str,
               entries: dict[str, _Entry]) -> ProgressLayout | None:
        """The file's layout when it can be used; else its entry says why (pending while
        it is young: a file being written may read whole in a moment)."""
        if isinstance(verdict, str):
            young = now - sig.mtime_ns / 1e9 < self._grace
            entries[rel] = _Entry(sig, "pending" if young else "skipped", verdict)
            return None
        return self._layouts.setdefault(verdict, verdict)  # one object per schema

    def _use(self, rel: str, sig: FileSig, path: str, layout: ProgressLayout,
             entries: dict[str, _Entry]) -> LoadedFile:
        fid = self._next_id
        self._next_id += 1
        entries[rel] = _Entry(sig, "used", file_id=fid, warnings=layout.warnings)
        return LoadedFile(fid, path, layout)

    # -- queries ---------------------------------------------------------------------------

    def snapshot(self, now: datetime) -> Snapshot:
        """The campaign as of `now` (an aware datetime). Raises EngineError if a query fails."""
        if now.tzinfo is None:
            raise ValueError("snapshot needs an aware datetime")
        now = now.astimezone(UTC)  # T − 7 days is 168 hours, whatever zone T is written in
        with self._lock:
            c = self.campaign
            weeks = rules.week_ends(c, now)
            cuts = [now, now - timedelta(days=7), *weeks]
            states = self._store.state_at(cuts, [rules.local_date(c, x) for x in cuts])
            targets = self._targets
            countdown = rules.countdown(c, now)
            expected = rules.expected_completion(c, now)
            by_area: dict[str, list[TargetState]] = {a.id: [] for a in c.areas}
            capped_now: dict[str, float | None] = {}
            capped_before: dict[str, float | None] = {}
            for t in targets:
                series = [s.get(t.target_id) for s in states[2:]] + [states[0].get(t.target_id)]
                ts = self._target_state(t, states[0].get(t.target_id), series, weeks, now,
                                        expected, countdown.state, countdown.working_days_left)
                if t.area in by_area:
                    by_area[t.area].append(ts)
                capped_now[t.target_id] = ts.completion_capped
                before = states[1].get(t.target_id)
                capped_before[t.target_id] = (
                    min(1.0, rules.completion(t, before.value)) if before else None)
            areas = tuple(
                AreaState(a.id, a.name_vi, a.name_en, rules.summarise(by_area[a.id]),
                          tuple(by_area[a.id]))
                for a in c.areas)
            return Snapshot(
                campaign=c,
                as_of=now,
                countdown=countdown,
                areas=areas,
                leaderboard=rules.leaderboard(targets, capped_now, capped_before),
                files=self._files_state(),
                rows_dropped=self._dropped(),
                computed_at=self._now_utc(),
                error=self._error,
                stale_since=self._stale_since,
                reporters=late.reporters(c, now, countdown.state,
                                         [t for a in areas for t in a.targets]),
                owners=late.owners([t for a in areas for t in a.targets]),
            )

    def since(self, baseline: datetime, now: datetime) -> SinceComparison:
        """The campaign at `baseline` (e.g. the last meeting) against `now`."""
        return since_rules.compare(self.snapshot(baseline), self.snapshot(now))

    def _target_state(
        self, t: Target, tv: TargetValue | None, series: list[TargetValue | None],
        weeks: list[datetime], now: datetime, expected: float, state: str, wd_left: int,
    ) -> TargetState:
        value = tv.value if tv else None
        raw = rules.completion(t, value) if value is not None else None
        instants = [*weeks, now]
        first = next(((instants[i], p.value) for i, p in enumerate(series[:-1]) if p), None)
        return TargetState(
            target_id=t.target_id, area=t.area, title_vi=t.title_vi, title_en=t.title_en,
            short_title_vi=t.short_title_vi, short_title_en=t.short_title_en,
            unit_of_measure_en=t.unit_of_measure_en,
            unit_of_measure=t.unit_of_measure, target_value=t.target_value,
            direction=t.direction, aggregate=t.aggregate, owner=t.owner,
            value=value, completion=raw,
            completion_capped=min(1.0, raw) if raw is not None else None,
            expected=expected, status=rules.status(raw, expected),
            last_report_at=tv.last_at.astimezone(self.campaign.tz) if tv else None,
            overdue=rules.is_overdue(self.campaign, now, tv.last_at if tv else None, state),
            projection=rules.projection(self.campaign, now, value, first),
            needed_per_working_day=rules.needed_per_working_day(t, value, wd_left),
            reporters=tv.reporters if tv else (),
            weekly=tuple(p.value if p else None for p in series),
            last_reports=tuple(ReporterReport(r, at.astimezone(self.campaign.tz)) for r, at
                               in zip(tv.reporters, tv.reporter_last, strict=True)) if tv else (),
        )

    def _files_state(self) -> FilesState:
        """From the index of notable files (_reindex): a snapshot of 100,000 files would pay
        for a pass over every one of them."""
        if not self._indexed:  # a refresh stopped half-way: build it again
            self._reindex(None)
        used = len(self._targets_sig or {}) + len(self._files)
        pending: list[str] = []
        skipped = [SkippedFile(r, why) for r, why in (*self._problems.items(),
                                                      *self._elsewhere.items())]
        warnings = [FileWarning(r, w) for r, w in self._target_warnings]
        held: list[HeldFile] = []
        for r in self._notable:
            e = self._files[r]
            if e.status != "used":
                used -= 1
            if e.status == "used":
                if e.warnings:
                    warnings += [FileWarning(r, w) for w in e.warnings]
                if e.unlisted is None:
                    continue
            elif e.status == "pending":
                pending.append(r)
            else:
                skipped.append(SkippedFile(r, e.reason or ""))
            if e.held:
                held.append(HeldFile(r, e.unlisted or e.reason or "",
                                     e.held_since or self._now_utc()))
        return FilesState(used, tuple(sorted(pending)),
                          tuple(sorted(skipped, key=lambda s: s.file)),
                          tuple(sorted(warnings, key=lambda w: w.file)),
                          tuple(sorted(held, key=lambda h: h.file)))

    def _now_utc(self) -> datetime:
        return datetime.fromtimestamp(self._wall(), UTC)

    def _dropped(self) -> tuple[DroppedRows, ...]:
        out: list[DroppedRows] = []
        if not self._indexed:
            self._reindex(None)
        for rel in self._dropping:
            e = self._files[rel]
            if e.file_id is None:
                continue
            counts = dict(e.drops)
            if e.file_id in self._unknown:
                counts["unknown_target_id"] = self._unknown[e.file_id]
            out += [DroppedRows(rel, n, DROP_REASONS.get(code, code), code)
                    for code, n in counts.items()]
        return tuple(sorted(out, key=lambda d: (d.file, d.code)))

    def history(self, target_id: str, now: datetime) -> TargetHistory:
        tz = self.campaign.tz
        today = rules.local_date(self.campaign, now)
        with self._lock:
            rows = self._store.history(target_id, now)
            exact = self._store.exact_day(target_id, now, today)
        points = [HistoryPoint(r[0], r[1], r[2].astimezone(tz), float(r[3]), r[4])
                  for r in rows]
        if exact is not None:  # T falls inside a day with later reports: that day, exactly
            notes = {(p.reporter, p.reported_at): p.note for p in points if p.day == today}
            points = [p for p in points if p.day != today] + [
                HistoryPoint(rep, today, at.astimezone(tz), float(v),
                             notes.get((rep, at.astimezone(tz))))
                for rep, at, v in exact]
        points.sort(key=lambda p: (p.reported_at, p.reporter))
        target = next((t for t in self._targets if t.target_id == target_id), None)
        aggregate = target.aggregate if target else "latest"
        return TargetHistory(target_id, now, tuple(points), rules.daily_series(points, aggregate))


def _stat_sig(path: Path) -> FileSig | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return FileSig(st.st_ino, st.st_size, st.st_mtime_ns)


def _folder_problem(rel: str, problems: dict[str, str]) -> str | None:
    """The problem of a folder above rel that could not be listed, if any."""
    for where, why in problems.items():
        if where.endswith("/") and rel.startswith(where):
            return f"{where}: {why}"
    return None

