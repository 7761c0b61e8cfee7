"""`thidua template` and `thidua import`: the command-line side of the importer.

Exit codes, as for `thidua check`: 0 written (or a clean dry run), 1 rows refused or the
content already imported (nothing written), 2 unusable input (no such file, no header row,
unknown reporter, no row with a new value, a template path inside the data folder).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dashboard import numbers_dates
from dashboard.clock import SystemClock, parse_instant
from dashboard.engine.campaign import Campaign
from dashboard.engine.engine import Engine
from dashboard.engine.model import TargetState
from dashboard.i18n import catalogue
from dashboard.importing.cells import show_day, show_number
from dashboard.importing.knowledge import Knowledge
from dashboard.importing.preview import Change, changes, snapshot_with
from dashboard.importing.reader import InputTable, read_input
from dashboard.importing.strings import Messages, UnusableInput, messages
from dashboard.importing.template import template_rows, write_csv, write_xlsx
from dashboard.importing.validate import NewRow, Options, Outcome, Problem, validate
from dashboard.importing.writer import AlreadyImported, find_existing, plan, write
from dashboard.paths import remote_data

EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE = 0, 1, 2


# -- template ---------------------------------------------------------------------------------

def run_template(args: argparse.Namespace) -> int:
    tr = messages(args.lang)
    try:
        return _template(args, tr)
    except UnusableInput as e:
        print(f"thidua: {e.render(tr)}", file=sys.stderr)
        return EXIT_UNUSABLE


def _template(args: argparse.Namespace, tr: Messages) -> int:
    folder = _data_folder(args)
    out = Path(args.out)
    kind = args.format or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    if folder.is_dir() and out.resolve().is_relative_to(folder.resolve()):
        raise UnusableInput("out_in_data", path=out)
    if out.exists() and not args.force:
        raise UnusableInput("out_exists", path=out)
    engine = _engine(folder)
    try:
        know = Knowledge.load(engine, _now(args, engine.campaign))
    finally:
        engine.close()
    reporter = _reporter(know, args.reporter) if args.reporter else None
    rows = template_rows(know, reporter)
    try:
        if kind == "csv":
            write_csv(out, rows, args.lang)
        else:
            write_xlsx(out, rows, know, reporter, args.lang)
    except OSError as e:
        raise UnusableInput("out_unwritable", path=out, reason=e.strerror or str(e)) from None
    print(tr("template.wrote", path=out, n=len(rows)))
    return EXIT_OK


# -- import -----------------------------------------------------------------------------------

def run_import(args: argparse.Namespace) -> int:
    tr = messages(args.lang)
    try:
        return _import(args, tr)
    except UnusableInput as e:
        print(f"thidua: {e.render(tr)}", file=sys.stderr)
        return EXIT_UNUSABLE


def _import(args: argparse.Namespace, tr: Messages) -> int:
    folder = _data_folder(args)
    table = read_input(Path(args.file))
    engine = _engine(folder)
    try:
        now = _now(args, engine.campaign)
        know = Knowledge.load(engine, now)
        reporter = _reporter(know, args.reporter)
        outcome = validate(table, know, reporter,
                           Options(allow_late=args.allow_late, allow_decrease=args.allow_decrease))
        print(_source_line(table, tr))
        if outcome.problems:
            _print_problems(outcome, table, tr)
            return EXIT_REFUSED
        if not outcome.rows:
            raise UnusableInput("no_rows", path=table.path.name)
        planned = plan(outcome.rows, reporter)
        existing = find_existing(folder, planned.content_hash)
        if existing is not None:
            print(tr("import.duplicate", file=existing))
            return EXIT_REFUSED
        print(tr("import.summary_ok", n=len(outcome.rows), skipped=outcome.skipped))
        if args.dry_run:
            after = snapshot_with(folder, planned, now)
            print(tr("import.dry_run", file=planned.rel_path, n=len(outcome.rows)))
            _print_rows(outcome.rows, tr)
        else:
            try:
                if remote_data(args.data):
                    _put(args, planned)
                else:
                    write(folder, planned)
            except AlreadyImported as e:
                print(tr("import.duplicate", file=e.existing))
                return EXIT_REFUSED
            except OSError as e:
                raise UnusableInput("write_failed", reason=e.strerror or str(e)) from None
            print(tr("import.wrote", file=planned.rel_path, n=len(outcome.rows)))
            engine.refresh()
            after = engine.snapshot(now)
        _print_changes(changes(know.snapshot, after, [r.target_id for r in outcome.rows]),
                       know, tr)
        return EXIT_OK
    finally:
        engine.close()


def _source_line(table: InputTable, tr: Messages) -> str:
    if table.sheet is not None:
        return tr("import.source_sheet", file=table.path.name, sheet=table.sheet,
                  row=table.header_row)
    return tr("import.source_csv", file=table.path.name, row=table.header_row)


def _print_problems(outcome: Outcome, table: InputTable, tr: Messages) -> None:
    for p in outcome.problems:
        print(render_problem(p, table, tr))
    print(tr("import.summary_refused", n=len(outcome.problems),
             rows=len({p.row for p in outcome.problems})))


def render_problem(p: Problem, table: InputTable, tr: Messages) -> str:
    """`Dòng 7, cột G (Giá trị mới): «abc» không phải là số …`"""
    col = table.columns.get(p.column)
    where = tr("import.where", row=p.row, column=col.letter if col else "?",
               header=col.header if col else tr(f"col.{p.column}"))
    values = {k: _show(v, tr.lang) for k, v in p.values.items()}
    return f"{where}: {tr(f'problem.{p.code}', **values)}"


def _show(value: object, lang: str) -> object:
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return show_number(value, lang)
    if isinstance(value, date | datetime):
        return show_day(value, lang)
    return value


def _print_rows(rows: Sequence[NewRow], tr: Messages) -> None:
    print(tr("import.rows"))
    for r in rows:
        values = {"row": r.row, "target": r.target_id, "date": show_day(r.entered, tr.lang),
                  "value": show_number(r.value, tr.lang)}
        print(tr("import.row_note", note=r.note, **values) if r.note
              else tr("import.row", **values))


def _print_changes(items: Sequence[Change], know: Knowledge, tr: Messages) -> None:
    status = catalogue(tr.lang)
    print(tr("import.changes", moment=numbers_dates.moment(know.now, tr.lang, know.campaign.tz)))
    for c in items:
        old, new = _shown(c.before, tr.lang), _shown(c.after, tr.lang)
        s_old = status(f"status.{c.before.status}") if c.before else "—"
        s_new = status(f"status.{c.after.status}") if c.after else "—"
        moved = s_new if s_old == s_new else f"{s_old} → {s_new}"
        if old == new:
            print(tr("import.unchanged", target=c.target_id, value=new, status=moved))
        else:
            print(tr("import.change", target=c.target_id, old=old, new=new, status=moved))


def _shown(state: TargetState | None, lang: str) -> str:
    if state is None or state.value is None:
        return "—"
    unit = f" {state.unit(lang)}" if state.unit(lang) else ""
    return f"{show_number(state.value, lang)}{unit}"


# -- shared -----------------------------------------------------------------------------------

def _data_folder(args: argparse.Namespace) -> Path:
    """--data's folder; for s3://, the mirror's copy, brought up to the bucket."""
    from dashboard.cli_common import data_folder

    return data_folder(args)[0]


def _put(args: argparse.Namespace, planned: Any) -> None:
    """Into a bucket: one new object, put only if no object has its key, then the copy
    brought up to the bucket (so the engine reads the new file as it would in a folder)."""
    import io

    from dashboard.contract import write_parquet
    from dashboard.s3.mirror import Mirror, ObjectExists

    buffer = io.BytesIO()
    write_parquet(planned.table, buffer)
    mirror = Mirror.open(str(remote_data(args.data)))
    try:
        mirror.put_new(planned.rel_path, buffer.getvalue())
    except ObjectExists:
        raise AlreadyImported(planned.rel_path) from None
    mirror.sync()


def _engine(folder: Path) -> Engine:
    engine = Engine(folder)
    engine.refresh()
    return engine


def _now(args: argparse.Namespace, campaign: Campaign) -> datetime:
    return parse_instant(args.now, campaign.tz) if args.now else SystemClock().now()


def _reporter(know: Knowledge, text: str) -> str:
    reporter = know.resolve_reporter(text)
    if reporter is None:
        raise UnusableInput("reporter_unknown", reporter=text, known="; ".join(know.reporters))
    return reporter
