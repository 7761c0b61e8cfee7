"""Which Parquet files have the columns the contract needs, with acceptable types."""

from __future__ import annotations

from dataclasses import dataclass

STRING = {"VARCHAR"}
NUMBER_PREFIXES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                   "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
NAIVE_TIME = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"}
ZONED_TIME = {"TIMESTAMP WITH TIME ZONE"}
NULL = '"NULL"'
"""DuckDB's name for Arrow's null type: pandas and pyarrow write an all-empty column with it."""

PROGRESS_COLUMNS = {
    "target_id": "string",
    "reporter": "string",
    "reported_at": "timestamp or date",
    "value": "number",
}


@dataclass(frozen=True)
class ProgressLayout:
    """How a valid progress file stores its values: enough to batch files that read alike."""

    zoned: bool
    has_note: bool
    warnings: tuple[str, ...] = ()
    """Optional columns left out because of their type: the file is used without them."""
    schema: tuple[tuple[str, str], ...] = ()
    """Every top-level column and its type, in file order: files with the same schema are
    read together without unifying their schemas (which reads every footer once more)."""


def top_level_columns(rows: list[tuple[str, str | None, int | None]]) -> dict[str, str]:
    """Top-level column name → DuckDB type, from parquet_schema rows of one file (schema order).

    Nested columns list their children after them; those children are skipped, so a struct
    field called `value` is never taken for the column `value`.
    """
    out: dict[str, str] = {}
    if not rows:
        return out
    pending = [rows[0][2] or 0]  # the root's child count
    for name, dtype, children in rows[1:]:
        depth = len(pending)
        if depth == 1:
            out.setdefault(name, dtype or "STRUCT")
        pending[-1] -= 1
        if children:
            pending.append(children)
        while pending and pending[-1] == 0:
            pending.pop()
    return out


def check_progress(columns: dict[str, str]) -> ProgressLayout | str:
    """The file's layout, or a plain reason why it cannot be used."""
    missing = [c for c in PROGRESS_COLUMNS if c not in columns]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        return f"missing column{'s' if len(missing) > 1 else ''} {names}"
    for col in ("target_id", "reporter"):
        if columns[col] not in STRING:
            return _wrong(col, columns[col], "string")
    if not columns["value"].startswith(NUMBER_PREFIXES):
        return _wrong("value", columns["value"], "number")
    at = columns["reported_at"]
    if at not in NAIVE_TIME | ZONED_TIME:
        return _wrong("reported_at", at, "timestamp or date")
    note = columns.get("note")
    warnings = () if note in (None, NULL) or note in STRING else (unusable_optional("note", note),)
    return ProgressLayout(zoned=at in ZONED_TIME, has_note=note in STRING, warnings=warnings,
                          schema=tuple(columns.items()))


def unusable_optional(col: str, actual: str) -> str:
    """The warning for an optional column whose type cannot be used (the rest of the file is)."""
    return f"{_wrong(col, actual, 'string')}: the file is used without it"


def _wrong(col: str, actual: str, expected: str) -> str:
    return f"column '{col}' has type {_friendly(actual)} (expected {expected})"


_FRIENDLY = {NULL: "null (every value empty)", "VARCHAR": "string", "BIGINT": "int64",
             "INTEGER": "int32", "DOUBLE": "float64", "FLOAT": "float32",
             "BOOLEAN": "bool", "TIMESTAMP": "timestamp", "DATE": "date"}


def _friendly(duck_type: str) -> str:
    return _FRIENDLY.get(duck_type, duck_type.lower())
