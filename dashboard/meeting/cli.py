"""`thidua brief`: the meeting's briefing as PDF, xlsx or Markdown, into a new file."""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashboard.usage_errors import UsageError

FORMATS = ("pdf", "xlsx", "md")
EXIT_OK = 0


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    b = sub.add_parser("brief", help="the meeting briefing (PDF, xlsx or Markdown) in a new file")
    common(b)
    b.add_argument("--now", metavar="ISO8601", help="as of this instant (default: now)")
    b.add_argument("--since", metavar="DATE|ISO8601", nargs="?", const="",
                   help="compare with this instant, e.g. the last meeting (alone: a week before)")
    b.add_argument("--format", choices=FORMATS,
                   help="default: from the --out name's extension")
    b.add_argument("--out", metavar="FILE",
                   help="a new file (never overwritten; never inside the data folder)")
    b.add_argument("--mail-to", metavar="ADDR", nargs="+", default=[],
                   help="send it to these addresses (credentials: $THIDUA_SMTP_USER, "
                   "$THIDUA_SMTP_PASSWORD)")
    b.add_argument("--smtp", metavar="HOST:PORT", help="the mail server (with --mail-to)")
    b.add_argument("--starttls", action="store_true", help="encrypt with STARTTLS first")
    b.add_argument("--from", dest="sender", metavar="ADDR",
                   help="the sender (default: $THIDUA_SMTP_FROM, else thidua@this host)")
    b.set_defaults(handler=run_brief)


def run_brief(args: argparse.Namespace) -> int:
    from dashboard.cli_common import open_engine, since_instant
    from dashboard.clock import SystemClock, parse_instant
    from dashboard.meeting.mail import message, parse_server, send, summary
    from dashboard.meeting.strings import meeting_strings

    tr = meeting_strings(args.lang)
    if args.out is None and not args.mail_to:
        raise UsageError.of("brief_nowhere")
    if args.mail_to and not args.smtp:
        raise UsageError.of("mail_needs_smtp")
    server = parse_server(args.smtp) if args.mail_to else None
    out = Path(args.out) if args.out is not None else None
    fmt = args.format or (out.suffix.lower().lstrip(".") if out else "pdf")
    if fmt not in FORMATS:
        raise UsageError.of("brief_format", out=out, formats="|".join(FORMATS))
    started = time.perf_counter()
    engine = open_engine(args)
    try:
        if out is not None and out.resolve().is_relative_to(engine.folder):
            raise ValueError(tr("brief.in_data", path=out))
        if out is not None and out.exists():
            raise ValueError(tr("brief.exists", path=out))
        tz = engine.campaign.tz
        now = parse_instant(args.now, tz) if args.now else SystemClock().now()
        baseline = since_instant(args.since, now, tz)
        snap = engine.snapshot(now)
        since = engine.since(baseline, now) if baseline is not None else None
        interval = engine.campaign.reporting_interval_days
    finally:
        engine.close()
    data = render(fmt, snap, since, args.lang, interval)
    if out is not None:
        try:
            write_new(out, data, tr("brief.exists", path=out))
        except OSError as e:
            raise UsageError.of("out_unwritable", out=out, detail=e.strerror or e) from None
        seconds = f"{time.perf_counter() - started:.1f}"
        print(tr("brief.wrote", path=out, seconds=seconds.replace(".", ",")
                 if args.lang == "vi" else seconds))
    if server is not None:
        subject, body = summary(snap, since, args.lang)
        local = snap.as_of.astimezone(engine.campaign.tz)
        name = out.name if out is not None else f"thidua-{local:%Y%m%d-%H%M}.{fmt}"
        sender = (args.sender or os.environ.get("THIDUA_SMTP_FROM")
                  or f"thidua@{socket.getfqdn()}")
        send(message(sender=sender, to=args.mail_to, subject=subject, body=body, data=data,
                     filename=name, fmt=fmt), *server, starttls=args.starttls)
        print(tr("mail.sent", to=", ".join(args.mail_to)))
    return EXIT_OK


def render(fmt: str, snap: Any, since: Any, lang: str, interval: int) -> bytes:
    from dashboard.meeting.sections import brief_document
    from dashboard.meeting.strings import meeting_strings

    doc = brief_document(snap, since, lang, interval)
    if fmt == "md":
        from dashboard.meeting.markdown import document_markdown

        return document_markdown(doc).encode("utf-8")
    tr = meeting_strings(lang)
    if fmt == "xlsx":
        from dashboard.meeting.xlsx import document_xlsx

        return document_xlsx(doc, tr("brief.sheet"))
    from dashboard.meeting.pdf import document_pdf

    issuer = dict(snap.campaign.document).get(f"issuer_{lang}", "")
    return document_pdf(doc, page_text=tr("brief.page", n="{n}", total="{total}"),
                        title=f"{doc.title} · {snap.campaign.title(lang)}", author=issuer,
                        created=snap.as_of)


def write_new(out: Path, data: bytes, exists_message: str) -> None:
    """Write under a temp name beside `out`, then link it into place: a reader sees no file
    or the whole one, and an existing file is never replaced."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, out)
        except FileExistsError:
            raise ValueError(exists_message) from None
        except OSError:  # no hard links here (some network shares): exclusive create
            with open(out, "xb") as f:
                f.write(data)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


__all__ = ["register", "run_brief", "sys"]
