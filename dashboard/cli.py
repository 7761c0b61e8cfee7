"""The `thidua` command. Errors are one line and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard import cli_language, reasons
from dashboard.cli_common import open_engine, open_source, since_instant
from dashboard.clock import Clock, FixedClock, SystemClock, parse_instant
from dashboard.engine.errors import CampaignError, ThiduaError
from dashboard.engine.model import Snapshot
from dashboard.i18n import LANGUAGES, catalogue
from dashboard.source import EngineSource
from dashboard.usage_errors import UsageError
from dashboard.versions import version_text

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2


class _Version(argparse.Action):
    """--version: thidua's version and its main libraries', one per line."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        sys.stdout.write(version_text())
        parser.exit()


def _common(p: argparse.ArgumentParser) -> None:
    from dashboard.completion import DIRECTORY

    p.add_argument("--data", metavar="DIR",
                   help="campaign folder or s3://BUCKET/PREFIX (default: $THIDUA_DATA, ./data, "
                        "or the bundled sample)"
                   ).complete = DIRECTORY  # type: ignore[attr-defined]
    p.add_argument("--lang", choices=LANGUAGES, default="vi", help="language (default: vi)")
    p.add_argument("--poll", metavar="SECONDS", type=float,
                   help="with --data s3://…: seconds between bucket listings (default 5)")


def _app_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--now", metavar="ISO8601",
                   help="fix the clock at this instant (a naive time is campaign-local)")
    p.add_argument("--replay", metavar="SECONDS", nargs="?", type=float, const=1.0,
                   help="play the campaign from the start, a week per SECONDS (default 1)")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise cli_language.type_error(UsageError.of("size_form", value=repr(text))) from None
    if not (40 <= w <= 1000 and 10 <= h <= 500):
        raise cli_language.type_error(UsageError.of("size_range", value=repr(text)))
    return w, h


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="thidua", description="Live dashboard for an emulation campaign (đợt thi đua).")
    parser.add_argument("--version", action=_Version,
                        help="show the versions of thidua, textual, duckdb, pyarrow and Python")
    _common(parser)
    _app_options(parser)
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="the live dashboard in this terminal (the default)")
    _common(run)
    _app_options(run)

    shot = sub.add_parser("screenshot", help="write an SVG of the dashboard screen")
    _common(shot)
    shot.add_argument("--now", metavar="ISO8601", help="as of this instant (default: now)")
    shot.add_argument("--out", metavar="FILE.svg", required=True)
    shot.add_argument("--size", metavar="WxH", default="160x48", type=_size)

    snap = sub.add_parser("snapshot", help="print the whole computed state")
    _common(snap)
    snap.add_argument("--now", metavar="ISO8601", help="as of this instant (default: now)")
    snap.add_argument("--format", choices=("json", "csv", "md"), default="json")
    snap.add_argument("--since", metavar="DATE|ISO8601", nargs="?", const="",
                      help="add what changed since this instant (alone: a week before --now)")

    check = sub.add_parser(
        "check", help="validate every file; exit 0 clean, 1 problems, 2 unusable")
    _common(check)

    sample = sub.add_parser("sample-data", help="write the bundled sample campaign to OUT_DIR")
    sample.add_argument("out_dir", metavar="OUT_DIR")
    sample.add_argument("--seed", type=int, default=2020)

    from dashboard import completion
    from dashboard.importing import commands as importing_cli
    from dashboard.kiosk import cli as kiosk_cli
    from dashboard.meeting import cli as meeting_cli
    from dashboard.ssh import cli as ssh_cli

    importing_cli.register(sub, _common)
    kiosk_cli.register(sub, _common, _app_options)
    meeting_cli.register(sub, _common)
    ssh_cli.register(sub, _common, _app_options)
    completion.register(sub)
    _keep_global_options(parser, sub)
    return parser


def _keep_global_options(parser: argparse.ArgumentParser,
                         sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`thidua --data X check` means what `thidua check --data X` does: a subcommand's copy of an
    option the top level has defaults to "not given", so its default cannot overwrite the value
    given before the subcommand (argparse would otherwise put the subcommand's None over it)."""
    top = {a.dest for a in parser._actions if a.option_strings}
    for command in sub.choices.values():
        for action in command._actions:
            if action.option_strings and action.dest in top and action.dest != "help":
                action.default = argparse.SUPPRESS


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = cli_language.argv_language(argv)
    cli_language.speak(lang)
    parser = build_parser()
    cli_language.translate(parser, lang)
    args = parser.parse_args(argv)
    try:
        if args.command == "completion":  # written from the parser itself
            from dashboard import completion

            sys.stdout.write(completion.script(parser, args.shell))
            return EXIT_OK
        if args.command == "snapshot":
            return _snapshot(args)
        if args.command == "check":
            return _check(args)
        if args.command == "sample-data":
            return _sample(args)
        if args.command == "screenshot":
            return _screenshot(args)
        handler = getattr(args, "handler", None)
        if handler is not None:
            return int(handler(args))
        return _run(args)
    except ThiduaError as e:
        print(f"thidua: {reasons.say(str(e), catalogue(getattr(args, 'lang', 'vi')))}",
              file=sys.stderr)
        return EXIT_UNUSABLE
    except ValueError as e:
        print(f"thidua: {reasons.say(str(e), catalogue(getattr(args, 'lang', 'vi')))}",
              file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130


def _snapshot(args: argparse.Namespace) -> int:
    from dashboard import snapshot_export

    engine = open_engine(args)
    try:
        now = (parse_instant(args.now, engine.campaign.tz) if args.now
               else SystemClock().now())
        baseline = since_instant(args.since, now, engine.campaign.tz)
        snap = engine.snapshot(now)
        since = engine.since(baseline, now) if baseline is not None else None
        interval = engine.campaign.reporting_interval_days
    finally:
        engine.close()
    if args.format == "md":
        text = snapshot_export.to_markdown(snap, args.lang, since, interval)
    elif args.format == "csv":
        text = snapshot_export.to_csv(snap, args.lang, since)
    else:
        text = snapshot_export.to_json(snap, args.lang, since)
    sys.stdout.write(text)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    tr = catalogue(args.lang)
    engine = open_engine(args)
    try:
        snap: Snapshot = engine.snapshot(SystemClock().now())
    finally:
        engine.close()
    for k in snap.files.skipped:
        print(f"{k.file}: {reasons.say(k.reason, tr)}")
    for name in snap.files.pending:
        print(tr("check.pending", file=name))
    for w in snap.files.warnings:
        print(tr("check.warning", file=w.file, reason=reasons.say(w.reason, tr)))
    for d in snap.rows_dropped:
        print(tr("check.dropped", file=d.file, count=d.count,
                 reason=reasons.say(d.reason, tr, d.code)))
    rows = sum(d.count for d in snap.rows_dropped)
    n = (len(snap.files.skipped) + len(snap.files.pending) + len(snap.rows_dropped)
         + len(snap.files.warnings))
    if n == 0:
        print(tr("check.ok", files=snap.files.used))
        return EXIT_OK
    print(tr("check.problems", n=n, skipped=len(snap.files.skipped),
             pending=len(snap.files.pending), rows=rows, warnings=len(snap.files.warnings)))
    return EXIT_PROBLEMS


def _sample(args: argparse.Namespace) -> int:
    from dashboard.sample_data import generate

    written = generate(Path(args.out_dir), seed=args.seed)
    tr = catalogue(getattr(args, "lang", "vi"))
    print(tr("cli.wrote_files", n=len(written), folder=args.out_dir))
    return EXIT_OK


def _clock(args: argparse.Namespace, source: EngineSource) -> Clock:
    if getattr(args, "now", None):
        return FixedClock(parse_instant(args.now, source.campaign.tz))
    return SystemClock()


def _run(args: argparse.Namespace) -> int:
    from dashboard.app import AppOptions
    from dashboard.frontends import create_app

    source = open_source(args)  # a folder, or s3:// through its mirror
    try:
        app = create_app(source, clock=_clock(args, source), options=AppOptions(
            lang=args.lang, replay_seconds_per_week=args.replay))
        app.run()
    finally:
        source.close()
    return app.return_code or 0


def _screenshot(args: argparse.Namespace) -> int:
    from dashboard.app import AppOptions
    from dashboard.frontends import create_app

    out = Path(args.out)
    source = open_source(args)  # a folder, or s3:// through its mirror
    try:
        folder = source.folder
        if folder is not None and out.resolve().is_relative_to(folder.resolve()):
            raise UsageError.of("out_in_data", out=out)
        app = create_app(source, clock=_clock(args, source), options=AppOptions(
            lang=args.lang, watch=False, screenshot_to=out.resolve()))
        app.run(headless=True, size=args.size)
    finally:
        source.close()
    if not out.is_file():
        print(f"thidua: {catalogue(args.lang)('cli.no_screenshot', path=out)}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(catalogue(args.lang)("cli.wrote", path=out))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


__all__ = ["CampaignError", "build_parser", "main"]
