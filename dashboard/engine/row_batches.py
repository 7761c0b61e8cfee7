"""Progress rows read by pyarrow, gathered into few Arrow tables for DuckDB to reduce.

Each file is read once (dashboard/engine/integrity.py) and its table comes here as it is.
Files whose columns have the same types are gathered into one table, cut down to the columns
the engine counts, with a `file` column (each row's file's path, as a dictionary). DuckDB then
reduces a batch of up to FILES_PER_BATCH files in one scan, as it reduced one read_parquet()
over them before, without opening each file a second time. A batch is handed on as soon as
it is full, so what is held at once stays bounded by BATCH_BYTES, not by the folder's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

FILES_PER_BATCH = 2000
BATCH_BYTES = 32 << 20
"""Rows held for one batch (Arrow's own size): a few large files make a batch alone."""
OPEN_GROUPS = 16
"""Schemas gathered at once: a folder where every file has its own schema (a tool adding a
column per report, say) neither holds every file nor compares each with all the others."""
COUNTED = ("target_id", "reporter", "reported_at", "value", "note")
TEXT_COLUMNS = ("target_id", "reporter", "note")


@dataclass(frozen=True)
class RowBatch:
    """Rows of `paths` in one table, each with its file's path."""

    paths: tuple[str, ...]
    file_ids: tuple[int, ...]
    table: Any
    """A pyarrow.Table: target_id, reporter, reported_at, value, note, file (a dictionary
    of `paths`)."""
    index: Any
    """Each row's file's place in paths (a pyarrow int32 array)."""
    refused: tuple[tuple[int, str], ...] = ()
    """Files left out of the table (file id, reason): rows DuckDB must never see."""

    def one(self, i: int) -> RowBatch:
        """The rows of paths[i] alone (to find which file of a batch DuckDB refused)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        mine = pc.equal(self.index, i)
        index = pa.repeat(pa.scalar(0, pa.int32()), pc.sum(mine).as_py() or 0)
        rows = self.table.filter(mine).drop_columns(["file"])
        return RowBatch((self.paths[i],), (self.file_ids[i],),
                        rows.append_column("file", _files(index, [self.paths[i]])), index)


@dataclass
class _Group:
    schema: Any
    has_note: bool
    paths: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    tables: list[Any] = field(default_factory=list)
    size: int = 0


class RowBatcher:
    """Gathers files' tables by schema; full batches come back from add()."""

    def __init__(self, files_per_batch: int = FILES_PER_BATCH,
                 batch_bytes: int = BATCH_BYTES) -> None:
        self._files_per_batch = files_per_batch
        self._batch_bytes = batch_bytes
        self._open: list[_Group] = []

    def add(self, file_id: int, path: str, table: Any, has_note: bool,
            schema: Any = None) -> list[RowBatch]:
        """Keep a file's rows (a pyarrow.Table as read, with the columns the contract
        needs); the batches that are now full. has_note: its note column can be used.
        ValueError (nothing kept) when a text column is of a kind that cannot be read
        as plain strings. schema: the table's, when the caller has it at hand."""
        group = self._group(table.schema if schema is None else schema, has_note)
        full = []
        if len(self._open) > OPEN_GROUPS:  # files of many schemas: the oldest goes now
            full.append(_batch(self._open.pop(0)))
        group.paths.append(path)
        group.ids.append(file_id)
        group.tables.append(table)
        group.size += table.get_total_buffer_size()
        if len(group.paths) >= self._files_per_batch or group.size >= self._batch_bytes:
            self._open.remove(group)
            full.append(_batch(group))
        return full

    def rest(self) -> list[RowBatch]:
        """Every batch not yet handed on."""
        out = [_batch(g) for g in self._open]
        self._open.clear()
        return out

    def _group(self, schema: Any, has_note: bool) -> _Group:
        if self._open:  # most often the file before's
            last = self._open[-1]
            if last.has_note == has_note and last.schema.equals(schema, check_metadata=False):
                return last
        for g in self._open:  # OPEN_GROUPS at most: files of one writer share one schema
            if g.has_note == has_note and g.schema.equals(schema, check_metadata=False):
                return g
        for name in TEXT_COLUMNS[:3 if has_note else 2]:
            if not _plain_text(schema.field(name).type):
                raise ValueError(f"column '{name}' has type {schema.field(name).type} "
                                 "(expected string)")
        group = _Group(schema, has_note)
        self._open.append(group)
        return group


def _plain_text(dtype: Any) -> bool:
    """Text a cast makes plain strings of: string, large or view, or a dictionary of them."""
    import pyarrow as pa

    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    return bool(pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
                or getattr(pa.types, "is_string_view", lambda _: False)(dtype))


def _batch(group: _Group) -> RowBatch:
    """One table of the group's files: the counted columns, text as plain strings (a
    dictionary-encoded or large string column reads the same), an empty note where the
    files have none that can be used. pyarrow does not check that text read from a file is
    UTF-8, and DuckDB gives up its whole database on text that is not: the table is
    validated first, and a file whose text is not (a flipped bit where there is no page
    checksum) is left out with its reason."""
    import pyarrow as pa

    tables, paths, ids = group.tables, group.paths, group.ids
    refused: list[tuple[int, str]] = []
    # one contiguous table: DuckDB scans 2,000 one-file chunks far slower (metadata may
    # differ between the files: concat_tables keeps the first's)
    whole = _counted(pa.concat_tables(tables).combine_chunks(), group.has_note)
    try:
        whole.validate(full=True)
    except pa.ArrowException:
        keep = []
        for i, t in enumerate(tables):
            try:
                _counted(t, group.has_note).validate(full=True)
                keep.append(i)
            except pa.ArrowException:
                refused.append((ids[i], "text that is not valid UTF-8 (corrupt data)"))
        tables = [tables[i] for i in keep]
        paths = [paths[i] for i in keep]
        ids = [ids[i] for i in keep]
        whole = (_counted(pa.concat_tables(tables), group.has_note) if tables
                 else whole.slice(0, 0))
    index = _file_index(tables)
    return RowBatch(tuple(paths), tuple(ids), whole.append_column("file", _files(index, paths)),
                    index, tuple(refused))


def _files(index: Any, paths: list[str]) -> Any:
    """Each row's file's path, as a dictionary: 4 bytes a row."""
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(index, pa.array(paths, pa.string()))


def _file_index(tables: list[Any]) -> Any:
    """Each row's table's place: 0 0 0 1 1 2 …, made in Arrow from one run per table."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ends = list(accumulate(t.num_rows for t in tables))
    if not ends or not ends[-1]:
        return pa.array([], pa.int32())
    runs = [(end, i) for i, end in enumerate(ends) if end and (i == 0 or end != ends[i - 1])]
    return pc.run_end_decode(pa.RunEndEncodedArray.from_arrays(
        pa.array([e for e, _ in runs], pa.int32()), pa.array([i for _, i in runs], pa.int32())))


def _string_or_dictionary(dtype: Any) -> bool:
    """Text DuckDB takes as it is: plain strings, or a dictionary of them (how the engine
    asks pyarrow to read text: DuckDB groups it faster so)."""
    import pyarrow as pa

    return bool(dtype == pa.string() or (pa.types.is_dictionary(dtype)
                                         and dtype.value_type == pa.string()))


def _counted(table: Any, has_note: bool) -> Any:
    import pyarrow as pa


    n = table.num_rows
    columns = []
    for name in COUNTED:
        if name == "note" and not has_note:
            columns.append(pa.nulls(n, pa.string()))
            continue
        col = table.column(name)
        if name in TEXT_COLUMNS and not _string_or_dictionary(col.type):
            col = col.cast(pa.string())
        columns.append(col)
    return pa.Table.from_arrays(columns, names=list(COUNTED))
