"""Every rule a row must pass before anything is written, each problem tied to its cell.

Nothing is written unless every row passes, so an office fixes its file and sends it again
instead of the dashboard showing half a report. The rules:

- the target id is one of the campaign's (matched without regard to case);
- a reporter column, if there is one, names the importing reporter;
- the value is a finite number (see cells.py for the accepted spellings);
- the date is a date within the campaign, not in the future; after the campaign's last day
  only with --allow-late;
- one target is reported at most once per day per file;
- no text cell holds a control character or a bidi override (ESC, C1 controls, U+202E …):
  a note that would retitle or clear the dashboard's terminal is refused, naming the cell;
- for targets where more is better (direction at_least), a cumulative value is never lower
  than the reporter's previous report on that target (previous in time: the latest existing
  report before this row's time, or an earlier row of the same file) unless --allow-decrease,
  and then the row needs a note saying why. Targets where less is better (at_most: accidents,
  tax debt) go up and down by nature and are not checked.

Rows without a new value are skipped: a template lists every target and offices fill the few
they have news on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from dashboard.engine.text_safety import hostile_character
from dashboard.importing.cells import CellError, is_blank, parse_day, parse_number, show_raw
from dashboard.importing.knowledge import Knowledge, Report
from dashboard.importing.reader import InputRow, InputTable

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Options:
    allow_late: bool = False
    allow_decrease: bool = False


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    """The column key (target_id, value, reported_at, note, reporter)."""
    code: str
    """problem.<code> in the catalogues."""
    values: dict[str, object] = field(default_factory=dict)
    """Message values; floats and dates are shown in the reader's language."""


@dataclass(frozen=True)
class NewRow:
    row: int
    target_id: str
    entered: date | datetime
    """The date (or date and time, naive local) as the user gave it."""
    reported_at: datetime
    """Naive campaign-local time, as stored: a bare date is the end of that day (its last
    report wins that day), or the import's moment when the date is today (so it counts now)."""
    value: float
    note: str | None


@dataclass(frozen=True)
class Outcome:
    rows: tuple[NewRow, ...]
    problems: tuple[Problem, ...]
    skipped: int
    """Rows with content but no new value."""


def validate(table: InputTable, know: Knowledge, reporter: str, options: Options) -> Outcome:
    problems: list[Problem] = []
    rows: list[NewRow] = []
    skipped = 0
    for line in table.rows:
        if is_blank(line.raw("value")):
            skipped += 1
            continue
        row, found = _check_cells(line, know, reporter, options)
        problems += found
        if row is not None:
            rows.append(row)
    problems += _duplicates(rows)
    problems += _decreases(rows, know, reporter, options)
    bad = {p.row for p in problems}
    order = {k: i for i, k in enumerate(("target_id", "reporter", "value", "reported_at", "note"))}
    return Outcome(
        rows=tuple(r for r in rows if r.row not in bad),
        problems=tuple(sorted(problems, key=lambda p: (p.row, order.get(p.column, 9)))),
        skipped=skipped,
    )


def _check_cells(line: InputRow, know: Knowledge, reporter: str, options: Options
                 ) -> tuple[NewRow | None, list[Problem]]:
    n = line.number
    problems: list[Problem] = []
    hostile = {col for col in ("target_id", "reporter", "note") if _hostile(line, col, problems)}

    raw_id = line.raw("target_id")
    target_id: str | None = None
    if is_blank(raw_id):
        problems.append(Problem(n, "target_id", "target_empty"))
    elif "target_id" not in hostile:
        target_id = know.target_id(show_raw(raw_id))
        if target_id is None:
            problems.append(Problem(n, "target_id", "target_unknown", {"value": show_raw(raw_id)}))

    raw_reporter = line.raw("reporter")
    if ("reporter" not in hostile and not is_blank(raw_reporter)
            and know.resolve_reporter(show_raw(raw_reporter)) != reporter):
        problems.append(Problem(n, "reporter", "reporter_mismatch",
                                {"value": show_raw(raw_reporter), "reporter": reporter}))

    cell = line.cells["value"]
    value: float | None = None
    try:
        value = parse_number(cell.raw, percent_format=cell.percent)
    except CellError as e:
        problems.append(Problem(n, "value", e.code, {"value": show_raw(cell.raw)}))

    entered, at, date_problem = _check_date(line, know, options)
    if date_problem:
        problems.append(date_problem)

    raw_note = line.raw("note")
    note = None if is_blank(raw_note) else show_raw(raw_note)
    if problems or target_id is None or value is None or entered is None or at is None:
        return None, problems
    return NewRow(n, target_id, entered, at, value, note), problems


def _hostile(line: InputRow, column: str, problems: list[Problem]) -> bool:
    raw = line.raw(column)
    char = None if is_blank(raw) else hostile_character(str(raw))
    if char is not None:
        problems.append(Problem(line.number, column, "text_control",
                                {"char": char, "value": show_raw(raw)}))
    return char is not None


def _check_date(line: InputRow, know: Knowledge, options: Options
                ) -> tuple[date | datetime | None, datetime | None, Problem | None]:
    n = line.number
    raw = line.raw("reported_at")
    if is_blank(raw):
        return None, None, Problem(n, "reported_at", "date_empty")
    try:
        entered = parse_day(raw, serials=isinstance(raw, int | float))
    except CellError as e:
        return None, None, Problem(n, "reported_at", e.code, {"value": show_raw(raw)})
    c = know.campaign
    now = know.now.astimezone(c.tz).replace(tzinfo=None, microsecond=0)
    day = entered.date() if isinstance(entered, datetime) else entered
    at = entered if isinstance(entered, datetime) else min(
        datetime.combine(entered, END_OF_DAY), now)
    if day < c.start:
        return None, None, Problem(n, "reported_at", "date_before_start",
                                   {"date": entered, "start": c.start})
    if at > now or day > now.date():
        return None, None, Problem(n, "reported_at", "date_future", {"date": entered, "now": now})
    if day > c.end and not options.allow_late:
        return None, None, Problem(n, "reported_at", "date_after_end",
                                   {"date": entered, "end": c.end})
    return entered, at, None


def _duplicates(rows: Iterable[NewRow]) -> list[Problem]:
    first: dict[tuple[str, date], NewRow] = {}
    out: list[Problem] = []
    for r in rows:
        key = (r.target_id, r.reported_at.date())
        if key in first:
            out.append(Problem(r.row, "reported_at", "duplicate_row",
                               {"target": r.target_id, "date": key[1], "first": first[key].row}))
        else:
            first[key] = r
    return out


def _decreases(rows: list[NewRow], know: Knowledge, reporter: str, options: Options
               ) -> list[Problem]:
    """Each row against the reporter's previous value: the latest of the existing reports and
    the file's own rows strictly earlier. One pass over each target's rows in time order, so
    a file of a million rows of one target costs what a million rows of many do."""
    out: list[Problem] = []
    tz = know.campaign.tz
    by_target: dict[str, list[NewRow]] = {}
    for r in rows:
        if know.targets[r.target_id].direction == "at_least":
            by_target.setdefault(r.target_id, []).append(r)
    for target_id, mine in by_target.items():
        ordered = sorted(mine, key=lambda o: o.reported_at)  # stable: file order within a time
        earlier_row: NewRow | None = None  # the first row of the latest time before this one
        group_first: NewRow | None = None
        for r in ordered:
            if group_first is None or r.reported_at != group_first.reported_at:
                earlier_row, group_first = group_first, r
            at = r.reported_at.replace(tzinfo=tz)
            previous = know.last_report(target_id, reporter, before=at)
            if earlier_row is not None:
                candidate = Report(earlier_row.reported_at.replace(tzinfo=tz), earlier_row.value)
                if previous is None or candidate.at > previous.at:
                    previous = candidate
            if previous is None or r.value >= previous.value - 1e-9 * max(1.0,
                                                                        abs(previous.value)):
                continue
            values: dict[str, object] = {"value": r.value, "last": previous.value,
                                         "last_date": previous.at.astimezone(tz).date()}
            if not options.allow_decrease:
                out.append(Problem(r.row, "value", "decrease", values))
            elif r.note is None:
                out.append(Problem(r.row, "note", "note_required", values))
    return out
