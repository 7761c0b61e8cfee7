"""The DuckDB side of the engine: one connection, the reduced progress tables, their upkeep.

Raw rows are never kept: each file is read once and reduced to its last report per
(target, reporter, local day). A refresh touches only the keys of the files that changed, so
its cost follows the size of the change, not of the history.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

from dashboard.engine.errors import CampaignError, EngineError
from dashboard.engine.parquet_schema import ProgressLayout, top_level_columns
from dashboard.engine.row_batches import RowBatch
from dashboard.engine.sql import statement
from dashboard.engine.targets import Target
from dashboard.engine.text_safety import SQL_PARAMS

_TABLES = ("stage", "file_days", "daily", "touched", "patch", "targets")


@dataclass(frozen=True)
class LoadedFile:
    file_id: int
    path: str
    layout: ProgressLayout


@dataclass(frozen=True)
class TargetValue:
    value: float
    last_at: datetime
    reporters: tuple[str, ...]
    reporter_last: tuple[datetime, ...] = ()
    """Each reporter's newest counted report, in the order of `reporters`."""


def glob_escape(path: str) -> str:
    """DuckDB reads a file list as glob patterns; this makes a name match only itself."""
    if "[" not in path and "*" not in path and "?" not in path:
        return path
    return "".join(f"[{c}]" if c in "[*?" else c for c in path)


ANSWERS_KEPT = 1024
"""Cut-off instants whose answers are kept; past it the cache starts again (a kiosk asks for
a new instant every minute for weeks, time travel for many days at once)."""


FEW_CUTS = 3
"""Up to this many cut-offs at once, sql/state_at_few_cuts.sql is the faster statement."""

ROW_TYPES_KEPT = 32
"""Distinct Arrow schemas whose DuckDB types are kept (past it the cache starts again)."""

FILES_PER_READ = 2000
"""Files per DuckDB read of footers or rows: a read over many files holds each one's reader
and metadata until it ends (130 MB more per 10,000 small files for footers alone, outside
DuckDB's memory_limit), so a cold start over 100,000 files reads them this many at a time."""


class ProgressStore:
    """Owns the DuckDB connection. Every public method is safe to call from any thread."""

    def __init__(self, timezone: str, *, memory_limit: str = "128MB", threads: int = 2,
                 answers_kept: int = ANSWERS_KEPT) -> None:
        self.timezone = timezone
        self._answers_kept = answers_kept
        self._tmp = tempfile.mkdtemp(prefix="thidua-duckdb-")
        # spill files go here, never into the data folder; removed on close or at exit
        weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self._con = duckdb.connect(":memory:", config={
            "memory_limit": memory_limit,
            "temp_directory": self._tmp,
            "threads": threads,
        })
        self._lock = threading.Lock()
        self._loaded: dict[int, LoadedFile] = {}
        self._answers: dict[tuple[datetime, date], dict[str, TargetValue]] = {}
        """Values as of a cut-off instant (with its local day), kept until a refresh touches
        that day or an earlier one: past weeks' sparkline points cost nothing per refresh."""
        self._row_types: list[tuple[Any, dict[str, str] | str]] = []
        """DuckDB's column types per Arrow schema read, the last used first."""
        self.queries = 0
        """Statements run so far (for benchmarks: queries per data change)."""
        with self._cursor() as cur:
            for table in _TABLES:
                self._run(cur, f"create_{table}")

    def close(self) -> None:
        with self._lock:
            self._con.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def memory_bytes(self) -> int:
        """What DuckDB holds in memory now (bounded by memory_limit; soaks watch it)."""
        with self._cursor() as cur:
            return int(self._run(cur, "memory_in_use")[0][0])

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            cur = self._con.cursor()
            try:
                cur.execute(statement("set_timezone"), {"tz": self.timezone})
                yield cur
            finally:
                cur.close()

    def _run(self, cur: duckdb.DuckDBPyConnection, name: str,
             params: dict[str, Any] | None = None) -> list[Any]:
        self.queries += 1
        return cur.execute(statement(name), params or {}).fetchall()

    # -- validation ------------------------------------------------------------------------

    def columns_of(self, paths: Sequence[str]) -> dict[str, dict[str, str] | str]:
        """Top-level columns of each file from its footer, or why the footer cannot be read."""
        with self._cursor() as cur:
            return self._footer_columns(cur, paths)

    def _footer_columns(self, cur: duckdb.DuckDBPyConnection, paths: Sequence[str]
                        ) -> dict[str, dict[str, str] | str]:
        out: dict[str, dict[str, str] | str] = {}
        for i in range(0, len(paths), FILES_PER_READ):
            out.update(self._footers(cur, paths[i:i + FILES_PER_READ]))
        return out

    def _footers(self, cur: duckdb.DuckDBPyConnection, paths: Sequence[str]
                 ) -> dict[str, dict[str, str] | str]:
        out: dict[str, dict[str, str] | str] = {}
        if not paths:
            return out
        try:
            rows = self._run(cur, "schema_of_files", {"files": [glob_escape(p) for p in paths]})
        except duckdb.Error:
            rows = None
        if rows is None:  # one bad footer fails the batch: find which, one by one
            for p in paths:
                try:
                    one = self._run(cur, "schema_of_files", {"files": [glob_escape(p)]})
                except duckdb.Error as e:
                    out[p] = read_error_reason(e, p)
                    continue
                out[p] = top_level_columns([(r[1], r[2], r[3]) for r in one])
            return out
        by_file: dict[str, list[tuple[str, str | None, int | None]]] = {}
        for file_name, name, dtype, children in rows:
            by_file.setdefault(file_name, []).append((name, dtype, children))
        for p in paths:
            out[p] = top_level_columns(by_file.get(p, []))
        return out

    def read_rows(self, path: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """A small file's columns (name → DuckDB type) and rows, e.g. the targets."""
        columns = self.columns_of([path])[path]
        if isinstance(columns, str):
            raise CampaignError(columns)
        with self._cursor() as cur:
            try:
                result = cur.execute(statement("table_rows"), {"files": [glob_escape(path)]})
                names = [d[0] for d in result.description or ()]
                rows = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
            except duckdb.Error as e:
                raise CampaignError(read_error_reason(e, path)) from None
            self.queries += 1
        return columns, rows

    # -- refresh ---------------------------------------------------------------------------

    @contextmanager
    def staging(self) -> Iterator[Staging]:
        """Files' rows go into the scratch table as they are read (Staging.add), then one
        commit brings the progress tables up to date. The store is held meanwhile."""
        with self._cursor() as cur:
            self._run(cur, "stage_clear")
            try:
                yield Staging(self, cur)
            finally:
                self._run(cur, "stage_clear")

    def _commit(
        self,
        cur: duckdb.DuckDBPyConnection,
        remove: Sequence[int],
        add: Sequence[LoadedFile],
        replaces: Mapping[int, int],
        failed: Mapping[int, str],
    ) -> tuple[dict[int, dict[str, int]], list[int]]:
        remove = [*remove, *(old for new, old in replaces.items() if new not in failed)]
        good = [f for f in add if f.file_id not in failed]
        ids = {f.path: f.file_id for f in good}
        drops: dict[int, dict[str, int]] = {}
        for file, reason, rows in self._run(cur, "stage_drops"):
            drops.setdefault(ids[file], {})[reason] = int(rows)
        with _transaction(cur, "could not update the progress tables"):
            self._run(cur, "touched_clear")
            if remove:
                self._run(cur, "touched_from_files", {"ids": list(remove)})
                self._run(cur, "file_days_delete", {"ids": list(remove)})
            if good:
                self._run(cur, "file_days_from_stage", {
                    "paths": [f.path for f in good], "ids": [f.file_id for f in good],
                    **SQL_PARAMS})
                self._run(cur, "touched_from_files", {"ids": [f.file_id for f in good]})
            self._refresh_touched_days(cur)
            self._forget_answers_from(self._run(cur, "touched_first_day")[0][0])
        for fid in remove:
            self._loaded.pop(fid, None)
        for f in good:
            self._loaded[f.file_id] = f
        return drops, remove

    def _columns_of_rows(self, cur: duckdb.DuckDBPyConnection, schema: Any
                         ) -> dict[str, str] | str:
        """Top-level column name → DuckDB type of rows pyarrow read (one DESCRIBE per
        schema: files alike share the answer), or why DuckDB cannot take them."""
        import pyarrow as pa

        for i, (known, types) in enumerate(self._row_types):  # most recent first
            if known.equals(schema, check_metadata=False):
                if i:
                    self._row_types.insert(0, self._row_types.pop(i))
                return types
        got: dict[str, str] | str
        try:
            cur.register("rows_read", pa.Table.from_batches([], schema=schema.remove_metadata()))
            try:
                got = {str(r[0]): str(r[1]) for r in self._run(cur, "describe_rows_read")}
            finally:
                cur.unregister("rows_read")
        except (duckdb.Error, pa.ArrowException) as e:
            got = f"cannot be read: {_first_line(e)}"
        self._row_types.insert(0, (schema, got))
        del self._row_types[ROW_TYPES_KEPT:]
        return got

    def _stage_rows(self, cur: duckdb.DuckDBPyConnection, batch: RowBatch,
                    failed: dict[int, str]) -> None:
        """Reduce a batch of rows read into `stage`; one DuckDB refuses goes file by file."""
        failed.update(batch.refused)
        if not batch.paths:
            return
        try:
            self._reduce_rows(cur, batch)
            return
        except (duckdb.Error, ValueError) as e:
            if len(batch.paths) == 1:
                failed[batch.file_ids[0]] = read_error_reason(e, batch.paths[0])
                return
        for i in range(len(batch.paths)):
            self._stage_rows(cur, batch.one(i), failed)

    def _reduce_rows(self, cur: duckdb.DuckDBPyConnection, batch: RowBatch) -> None:
        cur.register("rows_read", batch.table)
        try:
            self._run(cur, "batch_of_rows")
            self._run(cur, "reduce_progress", {"cut": None})
        finally:
            cur.unregister("rows_read")
        self._run(cur, "stage_out_of_range")

    def _stage_files(
        self,
        cur: duckdb.DuckDBPyConnection,
        files: list[LoadedFile],
        cut: datetime | None,
        failed: dict[int, str],
    ) -> None:
        """Reduce files DuckDB reads itself into `stage`, in batches of files that read
        alike (large files, and a day's files read again up to a cut-off)."""
        layouts: dict[ProgressLayout, list[LoadedFile]] = {}
        for f in files:
            layouts.setdefault(f.layout, []).append(f)
        # a batch is files of one schema (names, types, order): read as one table, with no
        # unifying of schemas; so naive and zoned columns never share a read (one read would
        # give them one type), nor does a file whose note is left out with one that has it
        batches = [same[i:i + FILES_PER_READ] for same in layouts.values()
                   for i in range(0, len(same), FILES_PER_READ)]
        for batch in batches:
            try:
                self._reduce_files(cur, batch, cut)
                continue
            except duckdb.Error as e:
                if len(batch) == 1:
                    failed[batch[0].file_id] = read_error_reason(e, batch[0].path)
                    continue
            for f in batch:  # a corrupt page fails the whole batch: find which file, alone
                try:
                    self._reduce_files(cur, [f], cut)
                except duckdb.Error as e:
                    failed[f.file_id] = read_error_reason(e, f.path)

    def _reduce_files(self, cur: duckdb.DuckDBPyConnection, batch: list[LoadedFile],
                      cut: datetime | None) -> None:
        # the file list goes to DuckDB as a value (the relation API), never into SQL text
        files = cur.read_parquet([glob_escape(f.path) for f in batch], filename=True)
        files.create_view("parquet_files", replace=True)
        self._run(cur, "batch_of_files_with_note" if batch[0].layout.has_note
                  else "batch_of_files_without_note")
        self._run(cur, "reduce_progress", {"cut": cut})
        self._run(cur, "stage_out_of_range")

    def set_targets(self, targets: Sequence[Target]) -> None:
        """Replace the targets and rebuild the daily table (reports may become (un)known)."""
        with self._cursor() as cur, _transaction(cur, "could not load the targets"):
            self._run(cur, "targets_clear")
            self._run(cur, "targets_insert", {
                "ids": [t.target_id for t in targets],
                "aggregates": [t.aggregate for t in targets]})
            self._run(cur, "touched_clear")
            self._run(cur, "touched_all")
            self._refresh_touched_days(cur)
            self._answers.clear()  # aggregates and known targets may all have changed

    def _forget_answers_from(self, first_day: date | None) -> None:
        if first_day is not None:
            self._answers = {k: v for k, v in self._answers.items() if k[1] < first_day}

    def _refresh_touched_days(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Recompute the daily winners of every key in `touched` from file_days."""
        self._run(cur, "daily_delete_touched")
        self._run(cur, "daily_insert_touched")

    def unknown_target_rows(self, file_ids: Sequence[int] | None = None) -> dict[int, int]:
        """Rows on unknown targets per file, for the given files (default: all of them)."""
        ids = list(file_ids) if file_ids is not None else None
        with self._cursor() as cur:
            return {int(fid): int(n)
                    for fid, n in self._run(cur, "unknown_target_rows", {"ids": ids})}

    # -- queries ---------------------------------------------------------------------------

    def state_at(self, cuts: Sequence[datetime], days: Sequence[date]
                 ) -> list[dict[str, TargetValue]]:
        """Per cut-off instant (with its local day): target id → value as of that instant."""
        with self._cursor() as cur:
            keys = list(zip(cuts, days, strict=True))
            found = {k: self._answers[k] for k in keys if k in self._answers}
            todo = [k for k in dict.fromkeys(keys) if k not in found]
            if todo:
                fresh = self._compute_state(cur, [c for c, _ in todo], [d for _, d in todo])
                found.update(zip(todo, fresh, strict=True))
                if len(self._answers) + len(todo) > self._answers_kept:
                    self._answers.clear()  # start again, keeping what this call needs
                    self._answers.update(found)
                else:
                    self._answers.update(zip(todo, fresh, strict=True))
            return [found[k] for k in keys]

    def _compute_state(self, cur: duckdb.DuckDBPyConnection, cuts: list[datetime],
                       days: list[date]) -> list[dict[str, TargetValue]]:
        out: list[dict[str, TargetValue]] = [{} for _ in cuts]
        try:
            self._run(cur, "patch_clear")
            for k, day in self._run(cur, "patch_needed", {"cuts": cuts, "days": days}):
                self._patch(cur, int(k), day, cuts[int(k) - 1])
            query = "state_at_few_cuts" if len(cuts) <= FEW_CUTS else "state_at_cuts"
            rows = self._run(cur, query, {"cuts": cuts})
            self._run(cur, "patch_clear")
        except duckdb.Error as e:
            raise EngineError(f"query failed: {_first_line(e)}") from e
        for k, target_id, value, last_at, reporters, reporter_last in rows:
            out[int(k) - 1][target_id] = TargetValue(float(value), last_at, tuple(reporters),
                                                     tuple(reporter_last))
        return out

    def _patch(self, cur: duckdb.DuckDBPyConnection, k: int, day: date, cut: datetime
               ) -> None:
        """Exact reports of one day up to cut, read again from the files that hold that day."""
        ids = [int(r[0]) for r in self._run(cur, "files_on_day", {"day": day})]
        files = [self._loaded[i] for i in ids if i in self._loaded]
        self._run(cur, "stage_clear")
        self._stage_files(cur, files, cut, {})
        self._run(cur, "patch_from_stage", {"k": k, "day": day, **SQL_PARAMS})
        self._run(cur, "stage_clear")

    def exact_day(self, target_id: str, cut: datetime, day: date
                  ) -> list[tuple[Any, ...]] | None:
        """Each reporter's last report on `day` up to `cut`, read again from the files, when
        the daily table's winner for that day is later than cut; None when it is exact."""
        try:
            with self._cursor() as cur:
                if not self._run(cur, "patch_needed", {"cuts": [cut], "days": [day]}):
                    return None
                self._run(cur, "patch_clear")
                self._patch(cur, 1, day, cut)
                rows = self._run(cur, "patch_rows_of_target", {"k": 1, "target_id": target_id})
                self._run(cur, "patch_clear")
                return rows
        except duckdb.Error as e:
            raise EngineError(f"query failed: {_first_line(e)}") from e

    def history(self, target_id: str, cut: datetime) -> list[tuple[Any, ...]]:
        try:
            with self._cursor() as cur:
                return self._run(cur, "target_history", {"target_id": target_id, "cut": cut})
        except duckdb.Error as e:
            raise EngineError(f"query failed: {_first_line(e)}") from e


class Staging:
    """A refresh's rows on their way into the store (ProgressStore.staging)."""

    def __init__(self, store: ProgressStore, cur: duckdb.DuckDBPyConnection) -> None:
        self._store = store
        self._cur = cur
        self.failed: dict[int, str] = {}
        """File id → why DuckDB could not reduce its rows (the file is left out)."""

    def columns_of_rows(self, schema: Any) -> dict[str, str] | str:
        """DuckDB's types for rows pyarrow read with this schema (see ProgressStore)."""
        return self._store._columns_of_rows(self._cur, schema)

    def footer_columns(self, paths: Sequence[str]) -> dict[str, dict[str, str] | str]:
        """Columns from each file's footer as DuckDB reads it, or why it cannot."""
        return self._store._footer_columns(self._cur, paths)

    def add(self, batch: RowBatch) -> None:
        """Reduce a batch of files' rows, read already, into the scratch table."""
        self._store._stage_rows(self._cur, batch, self.failed)

    def add_files(self, files: list[LoadedFile]) -> None:
        """Reduce files DuckDB reads itself into the scratch table."""
        self._store._stage_files(self._cur, files, None, self.failed)

    def commit(self, *, remove: Sequence[int], add: Sequence[LoadedFile],
               replaces: Mapping[int, int] | None = None
               ) -> tuple[dict[int, dict[str, int]], dict[int, str], list[int]]:
        """Remove files, add those staged, and bring the daily table up to date.

        replaces: added file id → the id of an earlier version of the same file, removed only
        when the new one reads (else its rows stay). Returns (dropped rows per added file id
        and reason, failure per file id, the ids removed)."""
        drops, removed = self._store._commit(self._cur, remove, add, replaces or {},
                                             self.failed)
        return drops, dict(self.failed), removed


@contextmanager
def _transaction(cur: duckdb.DuckDBPyConnection, what: str) -> Iterator[None]:
    """All or nothing: on a DuckDB error roll back and raise an EngineError saying `what`."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
    except duckdb.Error as e:
        cur.execute("ROLLBACK")
        raise EngineError(f"{what}: {_first_line(e)}") from e
    cur.execute("COMMIT")


def read_error_reason(e: BaseException, path: str) -> str:
    """A plain reason from a DuckDB read error, without the path (the caller names the file)."""
    text = _first_line(e).replace(f'"{path}"', "").replace(path, "").strip()
    low = text.lower()
    if "permission denied" in low:
        return "permission denied"
    if "no magic bytes" in low or "magic bytes" in low or "too small to be a parquet" in low:
        return "not valid Parquet"
    if "no files found" in low:
        return "file disappeared while reading"
    return f"cannot be read: {text}"


def _first_line(e: BaseException) -> str:
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    return lines[0] if lines else type(e).__name__
