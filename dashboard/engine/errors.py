"""Domain errors: what the engine raises instead of library exceptions.

Each error the engine raises on purpose has a code and parameters; its English text comes from
MESSAGES, the one list of them. The edge (dashboard/reasons.py) reads that text back into the
code and parameters with patterns made from the same templates, and shows it in the viewer's
language from the catalogues (`reason.<code>`).

A template's `{place}` is where the problem is: a file, `FILE, line N` (campaign.toml) or
`FILE row N` (a targets file); every other `{name}` is a parameter (not `path`, `line`, `row`
or `file`, which name the place). Numbers are written with
thousands separators (`10,000`), dates as ISO (2020-05-06)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

MESSAGES: dict[str, str] = {
    # the folder
    "data_folder_not_found": "{place}: data folder not found",
    "folder_missing": "data folder {folder} is missing or not readable",
    # campaign.toml
    "campaign_toml_missing": "{place}: not found (a campaign folder needs a campaign.toml)",
    "campaign_toml_unreadable": "{place}: cannot be read ({detail})",
    "campaign_toml_too_large": "{place}: too large (more than {limit} bytes)",
    "toml_too_deep": "{place}: not valid TOML: arrays or tables nested too deeply",
    "toml_invalid": "{place}: not valid TOML: {detail}",
    "schema_version": "{place}: key '{key}': is {value}; this thidua reads {expected}",
    "end_before_start": "{place}: key '{key}': {value} is before start {start}",
    "campaign_too_long": "{place}: key '{key}': {value} is {days} days after start {start} "
                         "(a campaign lasts at most {limit} days)",
    "unknown_timezone": "{place}: key '{key}': unknown time zone {value}",
    "interval_out_of_range": "{place}: key '{key}': {value} must be a whole number of days "
                             "from 1 to {limit}",
    "document_not_table": "{place}: key '{key}': must be a table of at most {limit} keys",
    "document_value": "{place}: key '{key}': must be one value (text, number or date) of at "
                      "most {limit} characters",
    "areas_missing": "{place}: key '{key}': needs at least one [[areas]] entry with id, "
                     "name_vi, name_en",
    "areas_too_many": "{place}: key '{key}': {count} entries; at most {limit}",
    "area_not_table": "{place}: key '{key}': each entry must be a table",
    "area_id_form": "{place}: key '{key}': {value} must be lower-case letters, digits, _",
    "area_id_duplicate": "{place}: key '{key}': duplicate area id {value}",
    "text_missing": "{place}: key '{key}': missing or not a non-empty string",
    "text_too_long": "{place}: key '{key}': {count} characters; at most {limit}",
    "date_out_of_range": "{place}: key '{key}': {value} is out of range (allowed {first} to "
                         "{last})",
    "date_missing": "{place}: key '{key}': missing or not a date (write it as 2020-05-06, "
                    "without quotes)",
    "dates_not_list": "{place}: key '{key}': must be a list of dates, e.g. [2020-09-02]",
    "dates_too_many": "{place}: key '{key}': {count} dates; at most {limit}",
    # the targets files
    "targets_missing": "{place}: no targets.parquet (or targets/*.parquet) found",
    "target_duplicate": "{place}: duplicate target_id '{target}' (first in {first})",
    "target_columns_missing": "{place}: missing column(s) {columns}",
    "target_column_type": "{place}: column '{column}' has type {type}",
    "target_id_empty": "{place}: target_id is empty",
    "target_area_unknown": "{place}: target '{target}' has unknown area '{area}' "
                           "(campaign.toml areas: {areas})",
    "target_no_title": "{place}: target '{target}' has no title_vi",
    "target_value_invalid": "{place}: target '{target}' target_value must be a number > 0",
    "target_direction": "{place}: target '{target}' direction '{value}' is not {allowed}",
    "target_aggregate": "{place}: target '{target}' aggregate '{value}' is not {allowed}",
}
"""Code → English template of every error the engine raises on purpose."""


def place(path: str | Path, *, line: int | None = None, row: int | None = None) -> str:
    """Where a problem is, as the templates' `{place}` writes it."""
    if line:
        return f"{path}, line {line}"
    if row:
        return f"{path} row {row}"
    return str(path)


def message(code: str, **params: object) -> str:
    """The English text of error `code`; ints get thousands separators."""
    shown = {k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v
             for k, v in params.items()}
    return MESSAGES[code].format(**shown)


class ThiduaError(Exception):
    """Base of every error the engine raises on purpose. `ThiduaError.of(code, **params)` gives
    it a code from MESSAGES; the message is English (logs); reasons.say() shows it to users."""

    code = "other"

    @classmethod
    def of(cls, code: str, **params: object) -> Self:
        error = cls(message(code, **params))
        error.code = code
        return error


class CampaignError(ThiduaError):
    """The campaign folder or its campaign.toml / targets cannot be used."""


class EngineError(ThiduaError):
    """A refresh or query failed; the last good state is kept and marked stale."""
